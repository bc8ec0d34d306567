#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/layers.sh LIB [SRC]: check the objects of libcrm (the archive LIB,
# or a directory of objects), and the sources in the directory SRC, against
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
# never reads the environment and never prints: cli/ does).  Only the
# store's files (store, schema), segment, ledger, audit and the files
# named *-sql call SQLite or, in SRC, hold SQL text in a string: a second
# store engine touches those alone.  Prints each
# fault on a line and exits 1, or prints nothing and exits 0.
set -u
lib=${1:?usage: layers.sh LIB.a|DIR [SRC]}
src=${2:-}
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
# SQL: in the store's files and the persistence files alone.
sql_ok() {
	case $1 in
	store | schema | segment | ledger | audit | *-sql) return 0 ;;
	esac
	return 1
}
for f in $(awk '$2 ~ /^sqlite3_/ { print $1 }' "$tmp/uses" | sort -u); do
	sql_ok "$f" && continue
	echo "$f: uses SQLite ($(awk -v f="$f" '$1 == f && $2 ~ /^sqlite3_/ { print $2; exit }' "$tmp/uses")) outside the store's files"
	faults=$((faults + 1))
done
if [ -n "$src" ]; then
	for c in "$src"/*.c; do
		f=$(basename "$c" .c)
		sql_ok "$f" && continue
		hit=$(grep -nE '"[^"]*\<(SELECT|INSERT|UPDATE|DELETE|CREATE|PRAGMA|FROM|WHERE|VACUUM)\>' "$c" | head -1 | cut -d: -f1)
		[ -n "$hit" ] || continue
		echo "$f.c:$hit: SQL text outside the store's files"
		faults=$((faults + 1))
	done
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
