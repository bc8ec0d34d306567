# SPDX-License-Identifier: MIT
# t-find.sh: crm-find: every kind of term, OR, --, sorting, limits, counts,
# ids, fields, every output format, exit codes, and records on stdin
# restricting the result.
. "$(dirname "$0")/lib.sh"
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

cat >"$T/people.jsonl" <<'EOF'
{"name":"Élodie Durand","first_name":"Élodie","last_name":"Durand","email":"elodie@example.fr","city":"Paris","kind":"customer","tags":["vip","paris"],"attrs":{"score":"15","plan":"gold"},"birthdate":"1985-04-12","created":"2020-01-15T10:00:00Z"}
{"name":"Bob Martin","email":"bob@example.org","city":"Lyon","kind":"lead","tags":["newsletter"],"attrs":{"score":"9"},"birthdate":"1990-10-01","created":"2023-06-01T00:00:00Z","ext_id":"B-2"}
{"name":"Acme SA","type":"organization","kind":"partner","city":"Paris","attrs":{"score":"100"},"notes":"durable goods, count twice"}
{"name":"Zoë Dupont","phone":"+33 6 12 34 56 78","kind":"prospect","tags":["vip"],"attrs":{"score":"7"}}
{"name":"Дмитрий Иванов","email":"dima@example.ru","city":"Москва","kind":"supplier","notes":"Durchgang"}
{"name":"Νίκος Παππάς","email":"nikos@example.gr","city":"Αθήνα","kind":"employee","birthdate":"--03-25"}
EOF
crm-add -q "$T/people.jsonl"

# ids TERM...: the ids found, on one line.
ids() { crm-find --ids "$@" | paste -sd' ' -; }
# t WANT TERM...: the term finds exactly the parties WANT.
t() { local want=$1; shift; is "crm-find $*" "$(ids "$@")" "$want"; }

ok "no term: every party" crm-find
is "no term: six records" "$(wc -l <"$T/out" | tr -d ' ')" 6
is "default output (not a terminal) is JSON Lines" "$(jq -c 'type' "$T/out" | sort -u)" '"object"'

# field=, !=
t "1 3" city=Paris
t "2 4 5 6" city!=Paris
t "1" 'name=Élodie Durand'
t "" 'name=elodie durand'
t "1" 'email=ELODIE@Example.FR'
t "2" ext_id=B-2
t "3" id=3
# ~: accent- and case-insensitive substring
t "1" name~ELODIE
t "1" name~élo
t "4" name~zoe
t "5" city~москва
t "6" city~αθηνα
t "6" name~ΝΙΚΟΣ
t "1 2 3" city~ly OR city~par
# <, >, <=, >= on numbers in attrs (numerically: "100" > "15" > "9")
t "1 2 3" attrs.score'>8'
t "1 3" attrs.score'>9'
t "1 2 3" attrs.score'>=9'
t "2 4" attrs.score'<=9'
t "4" attrs.score'<9'
# on dates
t "1" birthdate'<1988-01-01'
t "2" birthdate'>=1990-10-01'
t "1" created'<2021-01-01'
t "1 2" created'<=2023-06-01T00:00:00Z'
t "3 4 5 6" created'>2023-06-01T00:00:00Z'
# relative times: "1d" is the time one day ago
t "3 4 5 6" created'>1d'
t "1 2" created'<1d'
t "3 4 5 6" created'>12h'
t "1 2" created'<1y'
t "1 2" created'<1d' created'>100y'
t "" created'<1d' created'>1d'
t "1 2" birthdate'<18y'
t "1 2" created'<1m'
t "1 2" created'<3mo'
t "1 2" 'created<3 months'
t "3 4 5 6" 'created>1 day'
t "3 4 5 6" 'created>2weeks'
t "3 4 5 6" created'>=yesterday'
t "3 4 5 6" created=today OR created=yesterday
# a date, a month or a year is a period, compared as a whole
t "1" created'<=2020'
t "1" created=2020
t "1" created=2020-01
t "1" created=2020-01-15
t "" created=2020-01-14
t "2 3 4 5 6" created!=2020-01-15
t "2" created'>2020-01-15' created'<=2023-06-01'
t "2" created'>2020' created'<2024'
t "2" created=2023-06-01T00:00:00Z
t "2" 'created=2023-06-01 02:00:00+02:00'
t "1" birthdate=1985
t "2" birthdate'>1985'
t "1 2" birthdate'<=1990'
t "6" birthdate=--03-25
t "1 2 3 4 5" birthdate!=--03-25
# text in double quotes compares as text, byte by byte ("15" < "8" < "9")
t "2" attrs.score'>"8"'
t "1 4 5 6" 'name>="Z"'
# a value that is no time, no age, no number: exit 2, with the forms taken
for v in 'created>5x' 'created>garbage' 'created>30 dayz' 'created>2026-02-30' 'created=30d' \
         'created=' 'birthdate<2020-01-01T10:00:00Z' 'last_purchase<3 fortnights' \
         'attrs.score>=abc' 'name>M' 'propensity>abc' 'rfm_r=x' 'purchases>=some' 'id<x' \
         'created>99999y' 'age: 25' 'age:25-' 'age:+25'; do
	exits 2 "'$v': exit 2" crm-find "$v"
done
run crm-find 'last_purchase<3 fortnights'
is "the message gives the forms taken" "$(cat "$T/err")" \
	"crm-find: term 'last_purchase<3 fortnights': last_purchase takes a date (2026-01-01, 2026-01, 2026), a time (2026-01-01T10:00:00Z) or an age (30d, 2w, 3mo, 1y, 12h, '30 days', today, yesterday), not '3 fortnights'"
run crm-find 'attrs.score>=abc'
like "the message about text says how to compare text" "$(cat "$T/err")" \
	"^crm-find: term 'attrs.score>=abc': >= compares with a number \\(4\\.5\\), a date .*, not 'abc'; in double quotes"
# the options of scores, even when no score is computed
exits 2 "--as-of garbage: exit 2" crm-find --as-of garbage
exits 2 "--window 0x: exit 2" crm-find --window 0x
exits 2 "--currency EURO: exit 2" crm-find --currency EURO
ok "--window '3 months'" crm-find --rfm --window '3 months'
# tags
t "1 4" tag:vip
t "2 3 5 6" -tag:vip
t "1 4" tags=vip
t "2 3 5 6" tags!=vip
t "1 4" tags~VI
t "" tag:VIP
# kind:, type:, has:, -has:
t "2" kind:lead
t "2" kind:LEAD
t "2" kind=lead
t "1 3 4 5 6" kind!=lead
t "1 3 4 5 6" -kind:lead
t "3" type:organization
t "3" type:org
t "1 2 4 5 6" type:person
t "1 2 5 6" has:email
t "3 4" -has:email
t "4" has:phone
t "1 2 4" has:tags
t "1 2 3 4" has:attrs.score
t "1" has:attrs.plan
t "2 3 4 5 6" -has:attrs.plan
t "1" attrs.plan=gold
t "2 3 4 5 6" attrs.plan!=gold
# bare words: the full-text index, accent-insensitive, prefix with '*'
t "1" elodie
t "1" Élodie
t "1" DURAND
t "1 3 5" 'dur*'
t "5" дмитрий
t "3" durable
t "1 3" paris
t "" durandx
t "1" elodie paris
# AND binds tighter than OR
t "1 2 4" tag:vip OR city=Lyon
t "1 5" tag:vip city=Paris OR kind:supplier
t "3" -tag:vip city=Paris
# terms that look like options
run crm-find --ids -tag:vip -has:phone
is "-tag: and -has: are terms, not options" "$(paste -sd' ' - <"$T/out")" "2 3 5 6"
run crm-find --ids -- --count
is "after --, '--count' is a term (a bare word)" "$rc/$(paste -sd' ' - <"$T/out")" "0/3"
run crm-find --ids -- -tag:vip city=Paris
is "after --, '-tag:vip' is a term" "$(paste -sd' ' - <"$T/out")" "3"
# Odd bare words are searched for, never an error.
for w in '*' '"' 'NEAR(' 'a*b' "o'brien" 'x OR y' 'AND' '-' '^x'; do
	exits 1 "the odd word '$w' finds nothing, exit 1" crm-find -- "$w"
done

# Usage errors: exit 2, a message naming the term.
exits 2 "unknown field: exit 2" crm-find nosuch=1
like "unknown field: message" "$(cat "$T/err")" "^crm-find: unknown field 'nosuch'"
exits 2 "has: an unknown field: exit 2" crm-find has:nosuch
like "has: an unknown field: message" "$(cat "$T/err")" "unknown field 'nosuch'"
exits 2 "kind: an unknown kind: exit 2" crm-find kind:friend
like "kind: an unknown kind: message" "$(cat "$T/err")" "unknown kind 'friend'"
exits 2 "type: an unknown type: exit 2" crm-find type:robot
exits 2 "tag: without a value: exit 2" crm-find tag:
exits 2 "OR at the start: exit 2" crm-find OR tag:vip
exits 2 "OR at the end: exit 2" crm-find tag:vip OR
exits 2 "OR OR: exit 2" crm-find tag:vip OR OR city=Paris
exits 2 "id= with a word: exit 2" crm-find id=abc
exits 2 "tags> is no comparison: exit 2" crm-find 'tags>a'
exits 2 "an unknown negated term: exit 2" crm-find -foo:bar
exits 2 "an unknown option: exit 2" crm-find --nosuch
like "an unknown option: usage on stderr" "$(cat "$T/err")" "usage: crm-find"
exits 2 "--fields with an unknown field: exit 2" crm-find --fields name,nosuch
exits 2 "--sort by an unknown field: exit 2" crm-find --sort nosuch
exits 2 "--sort by tags: exit 2" crm-find --sort tags
exits 2 "--limit x: exit 2" crm-find --limit x
exits 2 "--limit -1: exit 2" crm-find --limit -1
exits 2 "--count with --ids: exit 2" crm-find --count --ids
exits 2 "--format xml: exit 2" crm-find --format xml
ok "--help: exit 0" crm-find --help
like "--help: usage on stdout" "$(cat "$T/out")" "^usage: crm-find"

# SQL in terms, sort keys and field lists is data or an error, never SQL.
before=$(store_dump)
exits 1 "a term with SQL in its value finds nothing" crm-find "name=x' OR '1'='1"
exits 1 "an attribute term with SQL in its name finds nothing" crm-find "attrs.a')--=1"
exits 2 "--sort with SQL: exit 2" crm-find --sort 'name; DROP TABLE party'
exits 0 "--sort attrs. with a quote is only an odd key: exit 0" crm-find --sort 'attrs.a") --'
exits 2 "--fields with SQL: exit 2" crm-find --fields 'name) FROM party; --'
exits 2 "has: with SQL: exit 2" crm-find "has:name) OR 1=1 --"
is "SQL in terms left the store as it was" "$(store_dump)" "$before"

# Exit 1 when nothing matched, with nothing on stdout.
exits 1 "nothing matched: exit 1" crm-find tag:nosuch
is "nothing matched: nothing on stdout" "$(cat "$T/out")" ""
is "nothing matched: nothing on stderr" "$(cat "$T/err")" ""

# --sort, --limit
is "--sort name: accent-insensitive order, missing last" \
	"$(crm-find --sort name --fields name | jq -r .name | paste -sd, -)" \
	"Acme SA,Bob Martin,Élodie Durand,Zoë Dupont,Νίκος Παππάς,Дмитрий Иванов"
is "--sort -name: reversed" \
	"$(crm-find --sort -name --fields name | jq -r .name | paste -sd, -)" \
	"Дмитрий Иванов,Νίκος Παππάς,Zoë Dupont,Élodie Durand,Bob Martin,Acme SA"
is "--sort city: parties without a city last" "$(ids --sort city)" "2 1 3 6 5 4"
is "--sort -created" "$(ids --sort -created has:birthdate)" "6 2 1"
is "--sort -attrs.score: numbers in order, missing last" "$(ids --sort -attrs.score)" "3 1 2 4 5 6"
is "--sort attrs.score" "$(ids --sort attrs.score has:attrs.score)" "4 2 1 3"
is "--sort with terms" "$(ids --sort -name tag:vip)" "4 1"
is "--limit 2" "$(ids --limit 2)" "1 2"
is "--limit 2 after --sort" "$(ids --sort -id --limit 2)" "6 5"
exits 1 "--limit 0: exit 1" crm-find --limit 0
is "--limit 0: nothing on stdout" "$(cat "$T/out")" ""

# --count, --ids
run crm-find --count tag:vip
is "--count: the number" "$rc/$(cat "$T/out")" "0/2"
run crm-find --count tag:nosuch
is "--count with no match: '0' and exit 1" "$rc/$(cat "$T/out")" "1/0"
run crm-find --count --limit 3
is "--count with --limit" "$(cat "$T/out")" 3
run crm-find --ids kind:lead OR kind:supplier
is "--ids: one id a line" "$(cat "$T/out")" "2
5"

# --fields
run crm-find --fields email,name,attrs.score,tags kind:customer
is "--fields: those keys, in that order" "$(cat "$T/out")" \
	'{"email":"elodie@example.fr","name":"Élodie Durand","attrs.score":"15","tags":["paris","vip"]}'
run crm-find --format csv --fields name,attrs.plan,city tag:vip
is "--fields with --format csv" "$(cat "$T/out")" "name,attrs.plan,city
Élodie Durand,gold,Paris
Zoë Dupont,,"

# --format
run crm-find --format jsonl
is "jsonl: each line is a JSON object" "$(jq -c 'type' "$T/out" | sort | uniq -c | tr -s ' ')" ' 6 "object"'
run crm-find --format json
is "json: one valid JSON array" "$(jq -c 'type, length' "$T/out" | paste -sd' ' -)" '"array" 6'
is "json: the same records as jsonl" "$(jq -c '.[]' "$T/out")" "$(crm-find --format jsonl)"
run crm-find --format json tag:nosuch
is "json with no match: exit 1" "$rc" 1
is "json with no match: []" "$(jq -c . "$T/out")" "[]"
run crm-find --format csv tag:nosuch
is "csv with no match: the header all the same" "$rc/$(cat "$T/out")" \
	"1/id,type,kind,name,first_name,last_name,email,phone,org,org_id,title,city,postcode,country,birthdate,gender,notes,ext_id,created,updated,tags,attrs"
run crm-find --format csv --fields name,email tag:nosuch
is "csv with --fields and no match: the header" "$(cat "$T/out")" "name,email"
run crm-find --format tsv --fields name,email tag:nosuch
is "tsv with no match: the header" "$(cat "$T/out")" "$(printf 'name\temail')"
run crm-find --format csv
is "csv: a header and six rows" "$(awk 'END { print NR - 1 }' "$T/out")" 6
like "csv: the attrs.KEY columns after the fields" "$(head -1 "$T/out")" ",tags,attrs\.score,attrs\.plan$"
crm-add -q --email tsv@example.org --name 'Tab Tess' --notes "$(printf 'a\tb\nc%sd' '\')"
run crm-find --format tsv --fields name,notes email=tsv@example.org
is "tsv: tab, newline and backslash escaped" "$(sed -n 2p "$T/out")" "$(printf '%s\t%s' 'Tab Tess' 'a\tb\nc\\d')"
run crm-find --format table tag:vip
is "table: a header and a row each" "$(wc -l <"$T/out" | tr -d ' ')" 3
like "table: the header names the columns" "$(head -1 "$T/out")" "^id +kind +name +email +phone +org +city +tags$"
like "table: a row" "$(sed -n 2p "$T/out")" "^1 +customer +Élodie Durand +elodie@example\.fr +Paris +paris;vip$"
run crm-find --format table --fields name,city kind:supplier
is "table with --fields" "$(cat "$T/out")" "name            city
Дмитрий Иванов  Москва"
exits 1 "table with no match: exit 1" crm-find --format table tag:nosuch
run crm-find --format ndjson kind:lead
is "ndjson is jsonl" "$(jq -r .name "$T/out")" "Bob Martin
Tab Tess"

# Text in decomposed form (NFD) is found by its composed spelling, and back.
crm-add -q --email nfd@example.org --name "$(printf 'Ce\314\201line Nfd')"
is "~ finds a decomposed é by a composed one" "$(ids name~Céline)" 8
is "~ finds a decomposed é by a plain e" "$(ids name~celine)" 8
is "full text finds a decomposed é" "$(ids céline)" 8
crm-add -q --email nfc@example.org --name 'Aurélie Nfc'
is "~ finds a composed é by a decomposed one" "$(ids "name~$(printf 'aure\314\201lie')")" 9

# A write error is an error (exit 4), never a silent success.
exits 4 "crm-find >/dev/full: exit 4" sh -c 'crm-find >/dev/full'
like "crm-find >/dev/full: says so" "$(cat "$T/err")" "^crm-find: write error"
exits 4 "crm-find --count >/dev/full: exit 4" sh -c 'crm-find --count >/dev/full'
exits 4 "crm-find --format csv >/dev/full: exit 4" sh -c 'crm-find --format csv >/dev/full'
exits 4 "crm-add >/dev/full: exit 4" sh -c 'crm-add --name Full >/dev/full'

# Records on stdin restrict the result.
run sh -c 'crm-find tag:vip | crm-find city=Paris'
is "crm-find tag:vip | crm-find city=Paris" "$(jq -r .id "$T/out")" 1
run sh -c 'crm-find tag:vip | crm-find --ids'
is "the stdin records alone: exactly those parties" "$(paste -sd' ' - <"$T/out")" "1 4"
run sh -c 'crm-find tag:vip | crm-find --count'
is "--count of the stdin records" "$(cat "$T/out")" 2
run sh -c 'crm-find --format csv tag:vip | crm-find --ids'
is "CSV records on stdin restrict too" "$(paste -sd' ' - <"$T/out")" "1 4"
run sh -c 'printf "email\nBOB@example.org\nnobody@example.org\n" | crm-find --ids'
is "records known by e-mail alone" "$(paste -sd' ' - <"$T/out")" 2
run sh -c 'printf "{\"ext_id\":\"B-2\"}\n" | crm-find --ids'
is "records known by ext_id alone" "$(paste -sd' ' - <"$T/out")" 2
run sh -c 'crm-find tag:nosuch | crm-find'
is "an empty result piped in: nothing, exit 1" "$rc/$(cat "$T/out")" "1/"
run sh -c "printf '' | crm-find"
is "printf '' | crm-find: exit 1" "$rc" 1
is "printf '' | crm-find: nothing on stdout" "$(cat "$T/out")" ""
run sh -c "printf '' | crm-find --count"
is "printf '' | crm-find --count: no count, exit 1" "$rc/$(cat "$T/out")" "1/"
like "printf '' | crm-find --count: the empty stream is said" "$(cat "$T/err")" 'standard input named no party.*--no-stdin'
run sh -c "printf '' | CRM_NO_STDIN=1 crm-find --count"
is "CRM_NO_STDIN=1: a pipe the shell made is refused, not ignored" "$rc/$(cat "$T/out")" "2/"
run sh -c "printf '{\"id\":1}\n' | CRM_NO_STDIN=0 crm-find --count"
is "CRM_NO_STDIN=0: stdin is read" "$rc/$(cat "$T/out")" "0/1"
run sh -c 'crm-find --ids </dev/null'
is "</dev/null does not restrict" "$(paste -sd' ' - <"$T/out")" "1 2 3 4 5 6 7 8 9 10"
run sh -c "printf '' | crm-find --no-stdin --count"
is "--no-stdin: an empty pipe does not restrict" "$(cat "$T/out")" 10
printf 'name,email\nx,elodie@example.fr\n' >"$T/sel.csv"
run sh -c 'crm-find --ids <"$1"' sh "$T/sel.csv"
is "a regular file on stdin restricts" "$(cat "$T/out")" 1
run sh -c "printf '{bad\n' | crm-find"
is "bad records on stdin: exit 3" "$rc" 3
like "bad records on stdin: message names the line" "$(cat "$T/err")" "^crm-find: -:1: invalid JSON"


# The full-text index follows updates, inside one run and across runs.
printf 'name,email,notes\nXavier Oldname,xav@example.org,first words\nXavier Newname,xav@example.org,second words\n' >"$T/xav.csv"
crm-add -q "$T/xav.csv"
xav=$(crm-find --ids email=xav@example.org)
t "$xav" newname
t "" oldname
t "$xav" second
t "" first
crm-add -q --email xav@example.org --notes 'third words'
t "$xav" third
t "" second
t "$xav" xavier newname
crm-add -q --dry-run --email xav@example.org --notes 'dry words'
t "" dry
t "$xav" third

# Numbers of more than 15 digits, which a double does not hold, are
# compared as text with = and !=: two account numbers stay apart.
CRM_DB=$T/acct.db crm-add -q --email acct1@example.org --set acct=12345678901234567 --set n=12
CRM_DB=$T/acct.db crm-add -q --email acct2@example.org --set acct=12345678901234568 --set n=12.0
is "a long number finds its own party only" "$(CRM_DB=$T/acct.db crm-find attrs.acct=12345678901234567 --ids)" 1
is "and != leaves it out only" "$(CRM_DB=$T/acct.db crm-find attrs.acct!=12345678901234568 --ids)" 1
is "a short one is a number however written" "$(CRM_DB=$T/acct.db crm-find attrs.n=0012.000 --ids | paste -sd,)" 1,2
CRM_DB=$T/acct.db run crm-find 'created="2026-12-07"'
is "a date in double quotes with = is a usage error, not a text that matches nothing" "$rc" 2

is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
