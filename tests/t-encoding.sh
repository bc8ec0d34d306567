# SPDX-License-Identifier: MIT
# t-encoding.sh: input in the encodings people's files come in: UTF-8 with
# or without a byte-order mark, UTF-16 and UTF-32 with one, Windows-1252
# and Latin-1 with --encoding, old Mac line ends; refusals that say what
# to do, and nothing half-written.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

# The same three people in every file: accents, a euro sign, a quote.
cat >people.csv <<'EOF'
name,email,city,notes
Zoë Müller,zoe@example.org,Köln,"Paid 12 € ""cash"""
Élodie Brûlé,elodie@example.org,Orléans,Café crème
Søren Ødegård,soren@example.org,Århus,
EOF
want=$(crm-add --dry-run people.csv 2>/dev/null | jq -c '[.name, .city, .notes]')
names() { crm-add --dry-run "$@" 2>/dev/null | jq -c '[.name, .city, .notes]'; }

printf '\357\273\277' | cat - people.csv >bom8.csv
is "UTF-8 with a byte-order mark" "$(names bom8.csv)" "$want"
for enc in UTF-16LE UTF-16BE UTF-32LE UTF-32BE; do
	case $enc in
	UTF-16LE) bom='\377\376' ;;
	UTF-16BE) bom='\376\377' ;;
	UTF-32LE) bom='\377\376\000\000' ;;
	UTF-32BE) bom='\000\000\376\377' ;;
	esac
	{ printf "$bom"; iconv -f UTF-8 -t $enc people.csv; } >"$enc.csv"
	is "$enc with a byte-order mark, CSV" "$(names "$enc.csv")" "$want"
	crm-add --dry-run people.csv 2>/dev/null | { printf "$bom"; iconv -f UTF-8 -t $enc; } >"$enc.jsonl"
	is "$enc with a byte-order mark, JSON Lines" "$(names "$enc.jsonl")" "$want"
done

# Windows-1252 (the euro sign is 0x80) and Latin-1 (no euro sign).
iconv -f UTF-8 -t CP1252 people.csv >cp1252.csv
is "--encoding cp1252" "$(names --encoding cp1252 cp1252.csv)" "$want"
is "--encoding CP1252, any case" "$(names --encoding CP1252 cp1252.csv)" "$want"
grep -v '€' people.csv | iconv -f UTF-8 -t LATIN1 >latin1.csv
is "--encoding latin1" "$(names --encoding latin1 latin1.csv | wc -l)" 2
is "--encoding utf-8 reads UTF-8 as ever" "$(names --encoding utf-8 people.csv)" "$want"

# Without --encoding: refused, with the line, the field and the option to use.
exits 3 "Windows-1252 without --encoding: exit 3" crm-add cp1252.csv
like "the line, the field and the option" "$(cat "$T/err")" \
	"cp1252\\.csv:2: invalid UTF-8 in field 'name' \\(Latin-1 or Windows-1252\\? read it with --encoding cp1252 or latin1\\)"
is "nothing written" "$(crm-find --count 2>/dev/null)" 0
iconv -f UTF-8 -t UTF-16LE people.csv >nobom16.csv
exits 3 "UTF-16 without a byte-order mark: exit 3" crm-add nobom16.csv
like "says which option reads it" "$(cat "$T/err")" '--encoding utf-16le'

# Bytes that are not of the encoding given: the line, and nothing half-written.
{ printf 'name,email\nAnn,ann@example.org\nBob,bob@example.org\n'; printf 'Bad\201Byte,bad@example.org\n'; } >bad1252.csv
exits 3 "a byte that cp1252 does not have: exit 3" crm-add --encoding cp1252 bad1252.csv
like "names its line" "$(cat "$T/err")" 'bad1252\.csv:4: not valid cp1252; is --encoding right\?'
is "and nothing of the file is written" "$(crm-find --count 2>/dev/null)" 0
{ printf '\377\376'; iconv -f UTF-8 -t UTF-16LE people.csv; printf '\000\330'; } >trunc16.csv
exits 3 "UTF-16 cut in the middle of a character: exit 3" crm-add trunc16.csv
like "says so" "$(cat "$T/err")" 'not valid UTF-16LE'
exits 2 "an unknown encoding: exit 2" crm-add --encoding klingon people.csv
like "says iconv -l lists them" "$(cat "$T/err")" "unknown encoding 'klingon' \\(iconv -l lists them\\)"

# Large files cross the read buffer: characters cut at its end are put back together.
awk 'BEGIN { print "name,email,city"; for (i = 1; i <= 6000; i++) printf "Zoë Ærø %d,z%d@example.org,Ĳsselstein 𝄞\n", i, i }' >big.csv
for enc in UTF-16LE UTF-32BE; do
	case $enc in UTF-16LE) bom='\377\376' ;; UTF-32BE) bom='\000\000\376\377' ;; esac
	{ printf "$bom"; iconv -f UTF-8 -t $enc big.csv; } >"big-$enc.csv"
	is "$enc, $(wc -c <"big-$enc.csv") bytes: every row as in UTF-8" \
		"$(crm-add --dry-run "big-$enc.csv" 2>/dev/null | jq -c '[.name, .email, .city]' | md5sum)" \
		"$(crm-add --dry-run big.csv 2>/dev/null | jq -c '[.name, .email, .city]' | md5sum)"
done
iconv -f UTF-8 -t CP1252//TRANSLIT big.csv 2>/dev/null | head -3000 >big1252.csv
is "cp1252 across the buffer" "$(crm-add --dry-run --encoding cp1252 big1252.csv 2>/dev/null | wc -l)" 2999

# Old Mac line ends: CSV and JSON Lines alike, never one giant record.
tr '\n' '\r' <people.csv >cr.csv
is "CR line ends, CSV" "$(names cr.csv)" "$want"
crm-add --dry-run people.csv 2>/dev/null | tr '\n' '\r' >cr.jsonl
is "CR line ends, JSON Lines" "$(names cr.jsonl)" "$want"

# Stored as UTF-8, whatever came in.
ok "UTF-16 into the store" crm-add -q UTF-16BE.csv
is "stored as UTF-8" "$(sqlite3 "$CRM_DB" "SELECT hex(city) FROM party WHERE email = 'soren@example.org'")" \
	"$(printf 'Århus' | od -An -tx1 | tr -d ' \n' | tr a-f A-F)"
ok "crm-log --import --encoding" crm-log --import -q --encoding cp1252 /dev/stdin <<EOF
$(printf 'email,type,subject\nzoe@example.org,note,Re\xe7u 5 \x80\n')
EOF
is "the event's subject decoded" "$(crm-log --list --contact zoe@example.org --fields subject | jq -r .subject)" 'Reçu 5 €'

finish
