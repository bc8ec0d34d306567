# SPDX-License-Identifier: MIT
# t-rules.sh: the data-driven tests of tests/rules.test: stores, rules and
# the members and scores expected, worked out by hand in that file.
#
# The file:  "@store NAME" starts a store; "@parties" and "@events" are
# followed by JSON Lines for crm-add and crm-log --import; "@run CMD" is a
# set-up command; "@end" builds the store.  "$ CMD" is a case, run by bash
# with pipefail, followed by the lines it must print, up to a blank line;
# "? N" first means it must exit N.  A comment line says what a case
# checks.  In records, {BORN:SPEC} is today's date moved by SPEC (as GNU
# date reads it: "-30 years").  Cases may pipe into names (one name per
# line) and cols (each record's values on one line).
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1
TZ=UTC
export TZ
file=$here/rules.test
today=$(date -u +%F)
[ "${today#*-}" = 02-29 ] && today=$(date -u -d "$today -1 day" +%F)

# Replace {BORN:SPEC} in a line.
born() {
	local l=$1 spec d
	while [[ $l == *"{BORN:"* ]]; do
		spec=${l#*\{BORN:}
		spec=${spec%%\}*}
		d=$(date -u -d "$today $spec" +%F)
		l=${l/"{BORN:$spec}"/$d}
	done
	printf '%s\n' "$l"
}

prelude='names() { jq -r .name; }
cols() { jq -r "[.[]] | map(if type == \"string\" then . else tojson end) | join(\" \")"; }
set -o pipefail
'

store= mode= desc= cmd= want= status=0 runs=()
build() {
	local bad=0
	if [ -s "$T/p.jsonl" ] && ! crm-add -q "$T/p.jsonl" 2>"$T/err" </dev/null; then bad=1; fi
	if [ -s "$T/e.jsonl" ] && ! crm-log -q --import "$T/e.jsonl" 2>>"$T/err" </dev/null; then bad=1; fi
	for r in "${runs[@]}"; do
		bash -c "$r" >/dev/null 2>>"$T/err" </dev/null || bad=1
	done
	_report "$bad" "store $store builds" "$(cat "$T/err")"
	runs=()
}

check() {
	[ -n "$cmd" ] || return 0
	bash -c "$prelude$cmd" >"$T/out" 2>"$T/err" </dev/null
	rc=$?
	if ! _sane; then _report 1 "sanitizer clean: $cmd"; fi
	local got
	got=$(cat "$T/out")
	if [ "$rc" = "$status" ] && [ "$got" = "$want" ]; then
		_report 0 "$desc: $cmd"
	else
		_report 1 "$desc: $cmd" "exit $rc, want $status" "got:  $(printf '%s' "$got" | head -c 600)" \
		        "want: $want"
	fi
	cmd= want= status=0
}

while IFS= read -r line || [ -n "$line" ]; do
	case $line in
	'@store '*)
		check
		store=${line#@store }
		CRM_DB=$T/$store.db
		export CRM_DB
		: >"$T/p.jsonl"
		: >"$T/e.jsonl"
		mode=;;
	'@parties') mode=p;;
	'@events') mode=e;;
	'@run '*) runs+=("${line#@run }");;
	'@end') build; mode=;;
	'#'*) check; desc=${line#\# };;
	'$ '*) check; cmd=${line#\$ };;
	'')
		check;;
	*)
		if [ "$mode" = p ]; then
			born "$line" >>"$T/p.jsonl"
		elif [ "$mode" = e ]; then
			printf '%s\n' "$line" >>"$T/e.jsonl"
		elif [ -n "$cmd" ] && [ -z "$want" ] && [ "$status" = 0 ] && [[ $line == '? '* ]]; then
			status=${line#? }
		elif [ -n "$cmd" ]; then
			want=${want:+$want$'\n'}$line
		else
			_report 1 "rules.test: stray line: $line"
		fi;;
	esac
done <"$file"
check
finish
