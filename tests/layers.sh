#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/layers.sh LIB: check the objects of libcrm (the archive LIB, or a
# directory of objects) against
# the library's layers, from what each object defines and uses (nm):
#
#   base       util fields text norm when money
#   store      store schema
#   records    party party-sql event event-sql ledger audit
#   formats    read and its modules (csv preset vcard lines jsonl source map
#              read-common), print
#   selection  query query-sql segment score score-sql
#   features   report report-sql subject erase access gdpr-sql
#
# An object uses only objects of its own layer or of the layers above it
# in this list, and the uses make no cycle; no object refers to exit,
# abort, getenv, stdin, stdout, stderr or printf (the library never exits,
# never reads the environment and never prints: cli/ does).  Prints each
# fault on a line and exits 1, or prints nothing and exits 0.
set -u
lib=${1:?usage: layers.sh LIB.a|DIR}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/crm-layers.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
if [ -f "$lib" ]; then
	case $lib in /*) ;; *) lib=$PWD/$lib ;; esac
	dir=$tmp/objs
	mkdir "$dir"
	(cd "$dir" && ar x "$lib") || exit 1
else
	dir=$lib
fi

layer() {
	case $1 in
	util | fields | text | norm | when | money) echo 0 ;;
	store | schema) echo 1 ;;
	party | party-sql | event | event-sql | ledger | audit) echo 2 ;;
	read | csv | preset | vcard | lines | jsonl | source | map | read-common | print) echo 3 ;;
	query | query-sql | segment | score | score-sql) echo 4 ;;
	report | report-sql | subject | erase | access | gdpr-sql) echo 5 ;;
	*) echo x ;;
	esac
}

faults=0
for o in "$dir"/*.o; do
	[ -e "$o" ] || { echo "no object in $dir"; exit 1; }
	f=$(basename "$o" .o)
	if [ "$(layer "$f")" = x ]; then
		echo "$f: in no layer (see tests/layers.sh)"
		faults=$((faults + 1))
	fi
	nm -g --defined-only "$o" | awk -v f="$f" 'NF == 3 { print $3, f }' >>"$tmp/defs"
	nm -u "$o" | awk -v f="$f" '{ print f, $2 }' >>"$tmp/uses"
done
# The forbidden: what only a program may do.
bad=$(awk '$2 ~ /^(exit|_exit|abort|getenv|secure_getenv|stdin|stdout|stderr|printf|vprintf|puts|perror|putchar|system|popen)$/ { print $1 ": uses " $2 }' "$tmp/uses")
if [ -n "$bad" ]; then
	echo "$bad"
	faults=$((faults + $(echo "$bad" | wc -l)))
fi
# The edges between objects, once each, with one symbol that makes each.
awk 'NR == FNR { def[$1] = $2; next } ($2 in def) && def[$2] != $1 { e = $1 " " def[$2]; if (!(e in seen)) { seen[e] = $2; print e, $2 } }' \
	"$tmp/defs" "$tmp/uses" | sort >"$tmp/edges"
while read -r from to sym; do
	lf=$(layer "$from") lt=$(layer "$to")
	[ "$lf" = x ] || [ "$lt" = x ] && continue
	if [ "$lt" -gt "$lf" ]; then
		echo "$from -> $to ($sym): against the layers"
		faults=$((faults + 1))
	fi
done <"$tmp/edges"
# No cycle, within a layer either.
awk '{ print $1, $2 }' "$tmp/edges" | tsort >/dev/null 2>"$tmp/tsort"
if [ -s "$tmp/tsort" ]; then
	echo "a cycle: $(grep -v 'input contains a loop' "$tmp/tsort" | sed 's/^tsort: //' | tr '\n' ' ')"
	faults=$((faults + 1))
fi
[ "$faults" = 0 ]
