# SPDX-License-Identifier: MIT
# t-edge.sh: edge cases: dates out of range, files that must not be
# overwritten, records past the length limit, guards on output, flag
# values that are not UTF-8, odd attribute names, CR-only files, modes.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

crm-add -q --no-stdin --name Seed --email seed@example.org 2>/dev/null
exits 2 "a relative time past year 1 is a usage error" crm-find --ids 'created>99999y'
exits 0 "a relative time in range works" crm-find --ids 'created>1d'

# The rejects file is never an input, standard input or the store.
printf 'name,email\nAnn,ann@example.org\nBad,bad@\n' >in.csv
cp in.csv keep.csv
exits 2 "--rejects naming standard input: exit 2" sh -c 'crm-add -q --rejects in.csv < in.csv'
is "--rejects naming standard input: the input is whole" "$(cmp -s in.csv keep.csv && echo whole)" whole
before=$(store_dump)
exits 2 "--rejects naming the store: exit 2" crm-add -q --rejects "$CRM_DB" in.csv
is "--rejects naming the store: the store is whole" "$(store_dump)" "$before"
exits 2 "--rejects naming the WAL: exit 2" crm-add -q --rejects "$CRM_DB-wal" in.csv
exits 2 "a directory as input: exit 2" crm-add -q "$T"
like "a directory as input: says so" "$(cat "$T/err")" 'is a directory'

# A quoted field over 16 MiB across many lines: skipped whole, the lines
# inside it never read as records, the record after it read.
line=$(head -c 1048000 /dev/zero | tr '\0' x)
{
	echo "name,email,notes"
	printf 'Long,long@example.org,"'
	for _ in 1 2 3 4 5 6 7 8 9 10 11 12 13 14 15 16 17; do echo "$line"; done
	echo "Mallory,mallory@example.org,inside the quotes"
	echo 'end of the long value"'
	echo "After,after@example.org,fine"
} >long.csv
run crm-add -q --rejects long.rej long.csv
is "over-long record: exit 0 with --rejects" "$rc" 0
is "over-long record: nothing inside its quotes was read as a record" \
	"$(crm-find --count email=mallory@example.org 2>/dev/null)" 0
is "over-long record: the record after it is read" "$(crm-find --count email=after@example.org)" 1
like "over-long record: rejected with the line it started on" "$(cat long.rej)" '^name,email,notes
# long.csv:2: record longer than'

# Dry runs against a store that does not exist leave no temporary store.
mkdir tmp
run env TMPDIR="$T/tmp" CRM_DB="$T/none/crm.db" sh -c "printf 'name,email\nA,bad@\n' | crm-add --dry-run -q"
is "failed dry run: exit 3" "$rc" 3
is "failed dry run: no temporary store left" "$(ls -A tmp | wc -l)" 0
is "failed dry run: no store created" "$(test -e "$T/none" && echo yes || echo no)" no

# Formula guard: after leading spaces too, and in TSV.
crm-add -q --no-stdin --name Guard --email guard@example.org --notes ' =1+1' --title '=2+3' 2>/dev/null
run crm-find --format csv --fields notes,title email=guard@example.org
is "CSV guard after leading spaces" "$(sed -n 2p "$T/out")" "\"' =1+1\",\"'=2+3\""
run crm-find --format tsv --fields notes,title email=guard@example.org
is "TSV guard" "$(sed -n 2p "$T/out")" "$(printf "' =1+1\t'=2+3")"

# Flag values that are not UTF-8 are refused, not stored or dropped.
exits 2 "--tag not UTF-8: exit 2" crm-add -q --no-stdin --name T1 --tag "$(printf 'bad\377')"
exits 2 "--set value not UTF-8: exit 2" crm-add -q --no-stdin --name T2 --set "$(printf 'k=v\376')"
exits 2 "--set key not UTF-8: exit 2" crm-add -q --no-stdin --name T3 --set "$(printf 'k\376=v')"
is "nothing of them stored" "$(crm-find --count name~T1 OR name~T2 OR name~T3 2>/dev/null)" 0

# A no-break space inside a phone number is allowed.
ok "phone with a no-break space" crm-add -q --no-stdin --name NB --phone "$(printf '01\302\24023 45 67 89')" --country FR
is "and matches by its normalised form" "$(crm-find --count phone=+33123456789)" 1

# Attribute names with quotes, backslashes, dots and commas can be queried.
ok "odd attribute names stored" crm-add -q --no-stdin --email odd@example.org \
	--set 'say "hi"=yes' --set 'back\slash=1' --set 'a.b=2' --set 'x,y=3'
is "attrs.KEY with a quote" "$(crm-find --count 'attrs.say "hi"=yes')" 1
is "attrs.KEY with a backslash" "$(crm-find --count 'attrs.back\slash=1')" 1
is "attrs.KEY with a dot" "$(crm-find --count 'attrs.a.b=2')" 1
is "has:attrs.KEY with a comma" "$(crm-find --count 'has:attrs.x,y')" 1
is "--sort by such a key" "$(crm-find --ids --sort '-attrs.say "hi"' --limit 1)" \
	"$(crm-find --ids email=odd@example.org)"

# CR-only files: line numbers count lone CRs, the rejects file stays readable.
printf '\r\rname,email\rA,a@\r' >cr.csv
run crm-add -q cr.csv
like "CR-only lines: the bad record's line counts the blank CR lines" "$(cat "$T/err")" 'cr.csv:4: invalid e-mail'
printf 'name,email\rGood,good@example.org\rBad,bad@\r' >cr2.csv
run crm-add -q --rejects cr2.rej cr2.csv
is "CR-only rejects: the header ends its own line" "$(sed -n 1p cr2.rej | tr '\r' '|')" 'name,email|'
is "CR-only rejects: the comment is on its own line" "$(sed -n 2p cr2.rej)" '# cr2.csv:3: invalid e-mail '"'bad@'"

# Directories the store needs are 0700 whatever the umask.
run sh -c "umask 0277; crm-add -q --no-stdin --db '$T/deep/er/crm.db' --name U"
is "umask 0277: exit 0" "$rc" 0
is "umask 0277: new directories are 0700" "$(stat -c %a "$T/deep" "$T/deep/er" | paste -sd' ' -)" '700 700'
is "umask 0277: the store is 0600" "$(stat -c %a "$T/deep/er/crm.db")" 600

# CRM_BUSY_TIMEOUT that is not a number falls back to the default.
CRM_BUSY_TIMEOUT=abc ok "a CRM_BUSY_TIMEOUT that is no number is ignored" crm-find --count
finish
