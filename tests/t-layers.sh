# SPDX-License-Identifier: MIT
# t-layers.sh: the library keeps its layers (tests/layers.sh): no use
# against the order, no cycle, no exit, environment or printing in lib/;
# and the check itself fails on each of those, tried on scratch objects.
. "$(dirname "$0")/lib.sh"
cd "$T" || exit 1
# The objects of the archive the programs were linked with.
mkdir all
(cd all && ar x "$CRM_BIN/libcrm.a")
objs=$T/all

run sh "$here/layers.sh" "$CRM_BIN/libcrm.a"
is "the library's objects keep the layers" "$rc" 0
is "and the check says nothing" "$(cat out)" ""
is "every object of the library was looked at, one a source file of lib/" \
	"$(cd "$objs" && LC_ALL=C ls | tr '\n' ' ')" \
	"$(cd "$here/../lib" && LC_ALL=C ls -- *.c | sed 's/\.c$/.o/' | tr '\n' ' ')"

# SQL in the store's and the persistence files alone: checked on the
# sources too, and the check sees the objects that do call SQLite.
run sh "$here/layers.sh" "$CRM_BIN/libcrm.a" "$here/../lib"
is "no SQL text outside the store's and the persistence files" "$rc:$(cat out)" 0:
for o in store party-sql event-sql query-sql gdpr-sql; do
	run nm -u "$objs/$o.o"
	like "$o.o calls SQLite (the check sees such uses)" "$rc:$(grep -c ' sqlite3_' out)" '^0:[1-9]'
done

# JSON is built by Jansson (the printer, crm_audit_counts()), never by
# hand: no string of lib/, cli/ or cmd/ holds a quoted key and its colon.
run grep -n '\\":' "$here"/../lib/*.c "$here"/../cli/*.c "$here"/../cmd/*.c
is "no JSON written by hand in the C" "$rc:$(cat out)" 1:

# The programs and cli/ reach SQLite, Jansson, libcsv and GDBM through
# the library alone.
run grep -nE '^#include <(sqlite3|jansson|csv|gdbm)\.h>' "$here"/../cli/*.c "$here"/../cmd/*.c
is "no program includes a dependency of the library" "$rc:$(cat out)" 1:

# Scratch copies, each with one fault that the check must name.
scratch() {
	rm -rf objs
	mkdir objs
	cp "$objs"/*.o objs/
}
obj() {
	printf '%s\n' "$2" >"$1.c"
	cc -c -o "objs/$1.o" "$1.c"
}

scratch
obj fields 'int crm_store_begin(void *); int probe_up(void) { return crm_store_begin(0); }'
run sh "$here/layers.sh" objs
is "a base object that uses the store fails the check" "$rc" 1
like "which names the edge" "$(cat out)" '^fields -> store \(crm_store_begin\): against the layers$'

scratch
obj util 'char *getenv(const char *); const char *probe_env(void) { return getenv("HOME"); }'
run sh "$here/layers.sh" objs
is "a library object that reads the environment fails" "$rc" 1
like "named" "$(cat out)" '^util: uses getenv$'

scratch
obj print '#include <stdio.h>
void probe_err(void) { fputs("x", stderr); }'
run sh "$here/layers.sh" objs
like "one that writes to stderr is named" "$(cat out)" '^print: uses stderr$'

scratch
obj ledger 'int probe_b(void); int probe_a(void) { return probe_b(); }'
obj audit 'int probe_a(void); int probe_b(void) { return probe_a(); }'
run sh "$here/layers.sh" objs
is "a cycle within one layer fails" "$rc" 1
like "named as a cycle" "$(cat out)" '^a cycle: '

scratch
obj newthing 'int probe_new(void) { return 1; }'
run sh "$here/layers.sh" objs
is "an object in no layer fails" "$rc:$(cat out)" "1:newthing: in no layer (see tests/layers.sh)"

scratch
obj report 'typedef struct sqlite3 sqlite3; int sqlite3_exec(sqlite3 *, const char *, void *, void *, char **);
int probe_sql(sqlite3 *db) { return sqlite3_exec(db, "DELETE FROM party", 0, 0, 0); }'
run sh "$here/layers.sh" objs
is "a report object that calls SQLite fails" "$rc" 1
like "named" "$(cat out)" '^report: uses SQLite \(sqlite3_exec\) outside the store.s files$'

mkdir src
cp "$here"/../lib/*.c src/
printf 'static const char *probe = "SELECT id FROM party";\n' >>src/print.c
run sh "$here/layers.sh" "$objs" src
is "SQL text in the printer's source fails" "$rc" 1
like "named with its line" "$(cat out)" '^print\.c:[0-9]+: SQL text outside the store.s files$'

# banned.h: a call of a banned function does not compile, and says why.
printf '#include <string.h>\n#include "banned.h"\nvoid f(char *d, const char *s) { strcpy(d, s); }\n' >banned.c
run cc -c -I"$here/../lib" -o banned.o banned.c
is "a call of strcpy with banned.h does not compile" "$rc" 1
like "and the error names it" "$(cat err)" 'sorry_strcpy_is_banned'
printf '#include <string.h>\n#include "banned.h"\nvoid f(char *d, const char *s, size_t n) { memcpy(d, s, n); }\n' >allowed.c
ok "memcpy compiles with it" cc -c -I"$here/../lib" -o allowed.o allowed.c
run grep -lE '^#include "(crm-private|crm-cli)\.h"' "$here"/../lib/*.c "$here"/../cli/*.c "$here"/../cmd/*.c
is "every file of lib/, cli/ and cmd/ includes a header that bans them" \
	"$(ls "$here"/../lib/*.c "$here"/../cli/*.c "$here"/../cmd/*.c | wc -l)" "$(wc -l <out)"
finish
