# SPDX-License-Identifier: MIT
# t-install.sh: make install and make uninstall honour PREFIX and DESTDIR.
. "$(dirname "$0")/lib.sh"
root=$(cd "$here/.." && pwd)
d=$T/dest
ok "make install DESTDIR PREFIX" make -s -C "$root" install DESTDIR="$d" PREFIX=/opt/crm
for p in crm crm-add crm-find crm-log; do
	is "$p installed, executable" "$(test -x "$d/opt/crm/bin/$p" && echo yes)" yes
	is "$p: bash completion installed" "$(test -e "$d/opt/crm/share/bash-completion/completions/$p" && echo yes)" yes
	is "$p: fish completion installed" "$(test -f "$d/opt/crm/share/fish/vendor_completions.d/$p.fish" && echo yes)" yes
done
for m in man1/crm.1 man1/crm-add.1 man1/crm-find.1 man1/crm-log.1 man5/crm-records.5 man7/crm.7; do
	is "man page $m installed" "$(test -f "$d/opt/crm/share/man/$m" && echo yes)" yes
done
is "zsh completion installed" "$(test -f "$d/opt/crm/share/zsh/site-functions/_crm" && echo yes)" yes
ok "the installed crm-add runs" "$d/opt/crm/bin/crm-add" --version
like "and says its name" "$(cat "$T/out")" '^crm-add \(crm toolkit\) [0-9]'
ok "the installed front command finds its sibling" "$d/opt/crm/bin/crm" find --version
like "crm find runs crm-find" "$(cat "$T/out")" '^crm-find '
ok "make uninstall" make -s -C "$root" uninstall DESTDIR="$d" PREFIX=/opt/crm
is "nothing left but directories" "$(find "$d" -type f -o -type l | wc -l)" 0
finish
