# SPDX-License-Identifier: MIT
# tests/t-meta.sh: the programs, their --help, their man pages and the
# shell completions agree with each other.
. "$(dirname "$0")/lib.sh"

root=$(cd "$here/.." && pwd)
man=$root/man
comp=$root/completions

# TAP directives that lib.sh has no helper for.
skip() {
	tests=$((tests + 1))
	echo "ok $tests - # SKIP $1"
}

# todo DESC REASON CMD...: a known gap; a failure does not fail the run,
# and prove reports it once CMD passes.
todo() {
	d=$1 why=$2
	shift 2
	tests=$((tests + 1))
	if "$@" >/dev/null 2>&1; then
		echo "ok $tests - $d # TODO $why"
	else
		echo "not ok $tests - $d # TODO $why"
	fi
}

# Options that every program takes and that --help need not print; their
# behaviour is checked below.
universal='--help --version'

# Options a program takes but its --help does not print yet, as
# PROGRAM:--option; each is reported as a TODO test.
help_todo=''

# The long options named with Fl in an mdoc page, as --name, one a line;
# only in the sections named by $2 (NAME|NAME) when it is given.  In
# ".Fl -a | -b" both words are flags: a run ends at the next macro.
man_options() {
	awk -v secs="${2:-}" '
	/^\.Sh / { sec = substr($0, 5) }
	secs != "" && index("|" secs "|", "|" sec "|") == 0 { next }
	/^\./ {
		infl = 0
		for (i = 1; i <= NF; i++) {
			w = $i
			if (i == 1)
				sub(/^\./, "", w)
			if (w == "Fl") { infl = 1; continue }
			if (w ~ /^[A-Z][a-z][a-z]?$/) { infl = 0; continue }
			if (!infl)
				continue
			sub(/^\\/, "", w)
			if (w ~ /^-[a-z][a-z0-9-]*$/)
				print "-" w
		}
	}' "$1" | sort -u
}

# The lines of $1 that are not in $2 (both lists, one item a line).
missing() {
	printf '%s\n' "$1" | while IFS= read -r o; do
		[ -n "$o" ] || continue
		printf '%s\n' "$2" | grep -qxF -- "$o" || printf '%s ' "$o"
	done
}

# Whether completion file $2 names option $1 (--name): as --name in bash
# and zsh, as -l name in fish.
in_completion() {
	case $2 in
	*.fish) grep -qE -- "(^|[^a-z0-9-])-l ${1#--}([^a-z0-9-]|$)" "$2" ;;
	*) grep -qE -- "(^|[^a-z0-9-])${1}([^a-z0-9-]|$)" "$2" ;;
	esac
}

# The exit status table of a page: its first list after the heading.
exit_table() {
	awk '/^\.S[hs] (EXIT STATUS|Exit status)$/ { on = 1; next }
	     on && /^\.Bl/ { inl = 1 }
	     inl { print }
	     inl && /^\.El/ { exit }' "$1"
}

progs=
for src in "$root"/cmd/*.c; do
	progs="$progs $(basename "$src" .c)"
done

for p in $progs; do
	exits 0 "$p --help exits 0" "$p" --help
	help=$(cat "$T/out")
	like "$p --help prints usage on stdout" "$help" "^usage: $p( |$)"
	exits 2 "$p exits 2 for an unknown option" "$p" --no-such-option
	exits 0 "$p --version exits 0" "$p" --version
	like "$p --version names the program and version" "$(cat "$T/out")" \
		"^$p \(crm toolkit\) [0-9]+\.[0-9]+"

	hopts=$(printf '%s\n' "$help" | grep -oE -- '--[a-z][a-z0-9-]*' | sort -u)
	page=$man/$p.1
	ok "$p: man page man/$p.1 exists" test -f "$page"
	[ -f "$page" ] || continue

	synopsis=$(man_options "$page" SYNOPSIS)
	documented=$(man_options "$page" 'SYNOPSIS|OPTIONS')
	all=$(man_options "$page")
	is "$p: the man page SYNOPSIS lists the long options of --help" \
		"$(missing "$hopts" "$synopsis")" ""
	is "$p: the man page SYNOPSIS lists no long option that --help does not" \
		"$(missing "$synopsis" "$hopts")" ""
	is "$p: every long option of --help is in the man page SYNOPSIS or OPTIONS" \
		"$(missing "$hopts" "$documented")" ""
	known=$(printf '%s\n' $universal; for t in $help_todo; do
		[ "${t%%:*}" = "$p" ] && echo "${t#*:}"; done)
	is "$p: every long option of the man page is printed by --help" \
		"$(missing "$(missing "$all" "$known" | tr ' ' '\n')" "$hopts")" ""
	for t in $help_todo; do
		[ "${t%%:*}" = "$p" ] || continue
		o=${t#*:}
		ok "$p: the man page documents $o" grep -qE -- "Fl \\\\?-${o#--}( |$)" "$page"
		todo "$p: --help prints $o" "--help omits it" \
			sh -c 'printf "%s\n" "$1" | grep -qxF -- "$2"' sh "$hopts" "$o"
	done

	opts=$(printf '%s\n' "$hopts" "$all" | sort -u)
	for f in "$comp/crm.bash" "$comp/_crm" "$comp/crm.fish"; do
		if [ ! -f "$f" ]; then
			ok "$p: completion file ${f##*/} exists" test -f "$f"
			continue
		fi
		miss=
		for o in $opts; do
			in_completion "$o" "$f" || miss="$miss$o "
		done
		is "$p: ${f##*/} completes every long option" "$miss" ""
	done
done

# Man pages.
pages=$(ls "$man"/*.[1-9] 2>/dev/null)
ok "man/ holds man pages" test -n "$pages"
if command -v mandoc >/dev/null 2>&1; then
	for m in $pages; do
		is "mandoc -Tlint -W warning is silent on man/${m##*/}" \
			"$(mandoc -Tlint -W warning "$m" 2>&1)" ""
	done
else
	skip "mandoc is not installed: man pages not linted"
fi
ref=$(exit_table "$man/crm.7")
ok "crm.7 has an exit status table" test -n "$ref"
for m in "$man"/*.1; do
	is "man/${m##*/} has the exit status table of crm.7" "$(exit_table "$m")" "$ref"
done
for m in $pages; do
	ok "man/${m##*/} cross-references only pages that exist" sh -c '
		grep -oE "^\.Xr crm(-[a-z]+)? [0-9]" "$1" | sort -u |
		while read -r _ n s; do
			[ -f "$2/$n.$s" ] || { echo "$n($s)"; exit 1; }
		done' sh "$m" "$man"
done

# Completions.
for f in $pages "$comp/crm.bash" "$comp/_crm" "$comp/crm.fish" "$0"; do
	ok "${f#"$root"/} has an SPDX line" sh -c 'head -n 2 "$1" | grep -q "SPDX-License-Identifier: MIT"' sh "$f"
done
ok "bash -n completions/crm.bash" bash -n "$comp/crm.bash"
run bash -c '
	. "$1"
	COMP_LINE="crm-add --on-conflict "
	COMP_POINT=${#COMP_LINE}
	_crm_add
	echo "${COMPREPLY[*]}"
	COMP_LINE="crm find kind:le"
	COMP_POINT=${#COMP_LINE}
	_crm
	echo "${COMPREPLY[*]}"' sh "$comp/crm.bash"
is "bash completes the values of crm-add --on-conflict and crm find kind:" \
	"$(cat "$T/out")" "merge replace skip error
lead"
is "_crm starts with #compdef and every program" \
	"$(head -n 1 "$comp/_crm" | tr ' ' '\n' | sed 1d | sort | paste -sd' ' -)" \
	"$(echo $progs | tr ' ' '\n' | sort | paste -sd' ' -)"
if command -v zsh >/dev/null 2>&1; then
	ok "zsh -n completions/_crm" zsh -n "$comp/_crm"
else
	skip "zsh is not installed: completions/_crm not checked"
fi
if command -v fish >/dev/null 2>&1; then
	ok "fish -n completions/crm.fish" fish --no-config -n "$comp/crm.fish"
	mkdir -p "$T/fish"
	for n in crm-add crm-find crm; do
		cp "$comp/crm.fish" "$T/fish/$n.fish"
	done
	run fish --no-config -c '
		set fish_complete_path $argv[1] $fish_complete_path
		complete -C"crm-find --format "
		complete -C"crm add --on-conflict "
		complete -C"crm-add --on-conflict "' "$T/fish"
	is "fish completes values from the files installed under each name" \
		"$(cut -f1 "$T/out" | tr '\n' ' ')" \
		"csv json jsonl table tsv vcard error merge replace skip error merge replace skip "
else
	skip "fish is not installed: completions/crm.fish not checked"
fi

finish
