# SPDX-License-Identifier: MIT
# t-install.sh: make install and make uninstall honour PREFIX and DESTDIR.
. "$(dirname "$0")/lib.sh"
root=$(cd "$here/.." && pwd)
d=$T/dest
ok "make install DESTDIR PREFIX" make -s -C "$root" install DESTDIR="$d" PREFIX=/opt/crm
progs=$(cd "$root/cmd" && ls *.c | sed 's/\.c$//')
like "every program is looked for" "$(echo $progs)" 'crm-add crm-find crm-gdpr-export crm-log crm-report crm-segment'
for p in $progs; do
	is "$p installed, executable" "$(test -x "$d/opt/crm/bin/$p" && echo yes)" yes
	is "$p: bash completion installed" "$(test -e "$d/opt/crm/share/bash-completion/completions/$p" && echo yes)" yes
	is "$p: fish completion installed" "$(test -f "$d/opt/crm/share/fish/vendor_completions.d/$p.fish" && echo yes)" yes
done
for m in $(cd "$root/man" && for f in *.[0-9]; do echo "man${f##*.}/$f"; done); do
	is "man page $m installed" "$(test -f "$d/opt/crm/share/man/$m" && echo yes)" yes
done
is "zsh completion installed" "$(test -f "$d/opt/crm/share/zsh/site-functions/_crm" && echo yes)" yes
for p in $progs; do
	[ "$p" = crm ] && continue
	ok "the installed $p runs" "$d/opt/crm/bin/$p" --version
	like "and says its name" "$(cat "$T/out")" "^$p \\(crm toolkit\\) [0-9]"
done
ok "the installed front command finds its sibling" "$d/opt/crm/bin/crm" find --version
like "crm find runs crm-find" "$(cat "$T/out")" '^crm-find '
ok "make uninstall" make -s -C "$root" uninstall DESTDIR="$d" PREFIX=/opt/crm
is "nothing left but directories" "$(find "$d" -type f -o -type l | wc -l)" 0
finish
