# SPDX-License-Identifier: MIT
# t-roundtrip.sh: what crm-add accepted, crm-find gives back byte for byte,
# in JSON Lines and in CSV; crm-find output re-imports into a new store;
# formula-like CSV cells are neutralised unless --csv-raw.
. "$(dirname "$0")/lib.sh"
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

inj="Robert'); DROP TABLE contacts;--"
fields='type,kind,name,first_name,last_name,email,phone,org,title,city,postcode,country,birthdate,gender,notes,ext_id,created'

# --- JSON Lines ----------------------------------------------------------------
# Every scalar field, each with something awkward in it.
jq -nc --arg inj "$inj" '
{type:"person", kind:"lead", name:$inj, first_name:"  Léa ", last_name:"O\u0027Brien-Müller",
 email:"  Mixed.Case+tag@Example.ORG ", phone:"+33 (0)1 23-45.67/89 ext 12",
 org:"Smith, Jones & \"Co\"", title:"back\\slash \\n not a newline", city:"Saint-Étienne",
 postcode:"01000", country:"FR", birthdate:"1970-01-01", gender:"non-binary",
 notes:"line one\nline two\twith a tab\r\nand CRLF", ext_id:"0042", created:"2001-02-03T04:05:06Z",
 tags:["zeta","Alpha","née","日本"], attrs:{n:12.5, b:true, s:"=1+2", nested:{a:[1,"x"]}, z:"0012"}},
{type:"organization", kind:"supplier", name:"Ωμέγα ΑΕ 🎉", email:"omega@example.gr",
 phone:"210 123 4567", notes:"Кириллица и 中文", created:"2019-12-31T23:59:59Z",
 tags:[], attrs:{}},
{type:"person", kind:"other", name:"Minimal Min", tags:["x"]}' >"$T/in.jsonl"
ok "JSONL: crm-add accepts the records" crm-add -q "$T/in.jsonl"
run crm-find --format jsonl
is "JSONL: crm-find finds them all" "$(wc -l <"$T/out" | tr -d ' ')" 3
cp "$T/out" "$T/out1.jsonl"
# What the store keeps: the input, without the white space around the
# fields but the notes (first_name and email here).
jq -c 'reduce ("first_name", "email") as $k (.; if has($k) then .[$k] |= (sub("^\\s+"; "") | sub("\\s+$"; "")) else . end)' \
	"$T/in.jsonl" >"$T/kept.jsonl"
is "JSONL: white space around first_name and email taken off, kept in notes" \
	"$(jq -c 'select(.first_name) | [.first_name, .email, .notes]' "$T/out")" \
	'["Léa","Mixed.Case+tag@Example.ORG","line one\nline two\twith a tab\r\nand CRLF"]'
# The output, cut down to the keys of the input; tags come back sorted.
want=$(jq -cS --slurp 'map(.tags |= sort)' "$T/kept.jsonl")
got=$(jq -cnS --slurpfile a "$T/in.jsonl" --slurpfile b "$T/out1.jsonl" \
	'[range($a | length) as $i | $b[$i] | with_entries(select(.key as $k | $a[$i] | has($k)))]')
is "JSONL: every field given comes back byte for byte" "$got" "$want"
n=0
for f in $(echo "$fields" | tr , ' '); do
	w=$(jq -r --slurp ".[0].$f // empty" "$T/kept.jsonl" | od -An -tx1)
	g=$(jq -r --slurp ".[0].$f // empty" "$T/out1.jsonl" | od -An -tx1)
	[ "$w" = "$g" ] && n=$((n + 1))
done
is "JSONL: each of the 17 fields, bytes compared one by one" "$n" 17
is "JSONL: attribute types kept (number, boolean, object)" \
	"$(jq -c 'select(.name == $n) | [.attrs.n, .attrs.b, .attrs.nested, .attrs.z]' --arg n "$inj" "$T/out1.jsonl")" \
	'[12.5,true,{"a":[1,"x"]},"0012"]'
is "JSONL: fields not given are null, tags [] and attrs {}" \
	"$(jq -c 'select(.name == "Minimal Min") | [.email, .city, .attrs]' "$T/out1.jsonl")" '[null,null,{}]'

# crm-find output goes back into a new store unchanged (only 'updated' moves).
run sh -c 'crm-find | crm-add -q --db "$1"' sh "$T/copy.db"
is "JSONL: crm-find | crm-add into a new store: exit 0" "$rc" 0
run crm-find --db "$T/copy.db"
is "JSONL: the copy is the same, ids and created included" "$(jq -cS 'del(.updated)' "$T/out")" \
	"$(jq -cS 'del(.updated)' "$T/out1.jsonl")"
run sh -c 'crm-find | crm-add --db "$1"' sh "$T/copy.db"
like "JSONL: re-adding the same records changes nothing" "$(cat "$T/err")" "3 read, 0 created, 0 updated, 3 unchanged, 0 rejected"
rm -f "$CRM_DB"* "$T"/copy.db*

# --- CSV -------------------------------------------------------------------------
# The file is quoted the way crm-find --csv-raw writes, so the output must
# be the input, byte for byte, but for the white space around the title.
cols="name,email,phone,org,title,city,postcode,country,birthdate,notes,ext_id,tags,attrs.shoe,attrs.formula"
{
	echo "$cols"
	printf '%s\n' "$inj,bobby@example.org,+44 20 7946 0958,\"Smith, Jones & \"\"Co\"\"\",\"  padded title  \",Saint-Étienne,01000,FR,1999-12-31,\"two
lines, and \"\"quotes\"\"\",0042,a;b;é,42,=1+2"
	printf '%s\n' "Αλέξανδρος,alex@example.gr,210 123 4567,Ωμέγα ΑΕ,Διευθυντής,Αθήνα,10552,GR,--02-29,🎉 emoji 👩‍👩‍👧,,,,@SUM(A1)"
	printf '%s\n' "山田太郎,yamada@example.jp,-12.5,,,東京,,JP,,\"\"\"\",,x,-12.5,+cmd"
	printf '%s\n' "Дмитрий,dima@example.ru,,,,Москва,,,,tab	in it,ext\\1,,,"
} >"$T/in.csv"
ok "CSV: crm-add accepts the records" crm-add -q "$T/in.csv"
run crm-find --format csv --csv-raw --fields "$cols"
is "CSV: exit 0" "$rc" 0
sed 's/"  padded title  "/padded title/' "$T/in.csv" >"$T/kept.csv"
if cmp -s "$T/out" "$T/kept.csv"; then same=yes; else same=no; diff "$T/kept.csv" "$T/out" | sed 's/^/# /' | head -20; fi
is "CSV: crm-find --csv-raw gives back the input byte for byte, the title trimmed" "$same" yes
is "CSV: the multi-line cell read back through jq" \
	"$(crm-find email=bobby@example.org | jq -r .notes)" 'two
lines, and "quotes"'
is "CSV: tags split on ';' and sorted" "$(crm-find email=bobby@example.org | jq -c .tags)" '["a","b","é"]'
is "CSV: attrs.KEY columns become attributes" "$(crm-find email=bobby@example.org | jq -c .attrs)" \
	'{"shoe":"42","formula":"=1+2"}'

# Whole records: CSV out, CSV into a new store, CSV out again: the same.
all="id,type,kind,name,first_name,last_name,email,phone,org,org_id,title,city,postcode,country,birthdate,gender,notes,ext_id,created,tags,attrs.shoe,attrs.formula"
run crm-find --format csv --csv-raw
head -1 "$T/out" >"$T/header"
is "CSV: the header lists every field, then the attrs.KEY columns" "$(cat "$T/header")" \
	"id,type,kind,name,first_name,last_name,email,phone,org,org_id,title,city,postcode,country,birthdate,gender,notes,ext_id,created,updated,tags,attrs.shoe,attrs.formula"
run sh -c 'crm-find --format csv --csv-raw | crm-add -q --db "$1"' sh "$T/copy.db"
is "CSV: crm-find --format csv | crm-add into a new store: exit 0" "$rc" 0
crm-find --format csv --csv-raw --fields "$all" >"$T/a.csv"
crm-find --format csv --csv-raw --fields "$all" --db "$T/copy.db" >"$T/b.csv"
if cmp -s "$T/a.csv" "$T/b.csv"; then same=yes; else same=no; diff "$T/a.csv" "$T/b.csv" | sed 's/^/# /' | head -20; fi
is "CSV: the copy is the same, ids and created included" "$same" yes

# --- Neutralised formula cells ---------------------------------------------------
run crm-find --format csv --fields name,phone,attrs.shoe,attrs.formula email=yamada@example.jp
is "CSV: '-12.5' in a phone and an attribute stays as it is" "$(sed -n 2p "$T/out")" '山田太郎,-12.5,-12.5,"'"'"'+cmd"'
run crm-find --format csv --fields attrs.formula,phone email=bobby@example.org
is "CSV: '=1+2' comes out as \"'=1+2\", '+44 20 ...' unchanged" "$(sed -n 2p "$T/out")" "\"'=1+2\",+44 20 7946 0958"
run crm-find --format csv --fields attrs.formula email=alex@example.gr
is "CSV: '@SUM(A1)' is neutralised" "$(sed -n 2p "$T/out")" "\"'@SUM(A1)\""
run crm-add -q --email phone@example.org --phone '+33 1 23' --notes '-12.5' --title '=HYPERLINK("http://x")'
run crm-find --format csv --fields phone,notes,title email=phone@example.org
is "CSV: phone '+33 1 23' and '-12.5' unchanged, a formula neutralised" "$(sed -n 2p "$T/out")" \
	"+33 1 23,-12.5,\"'=HYPERLINK(\"\"http://x\"\")\""
run crm-find --format csv --csv-raw --fields phone,notes,title email=phone@example.org
is "CSV --csv-raw: the formula as it was" "$(sed -n 2p "$T/out")" '+33 1 23,-12.5,"=HYPERLINK(""http://x"")"'
run crm-find --format jsonl --fields title email=phone@example.org
is "JSONL: never neutralised" "$(jq -r .title "$T/out")" '=HYPERLINK("http://x")'
run crm-find --format tsv --fields title,notes email=phone@example.org
is "TSV: neutralised like CSV" "$(sed -n 2p "$T/out")" "$(printf "'=HYPERLINK(\"http://x\")\t-12.5")"
run crm-find --format tsv --csv-raw --fields title,notes email=phone@example.org
is "TSV --csv-raw: not neutralised" "$(sed -n 2p "$T/out")" "$(printf '=HYPERLINK("http://x")\t-12.5')"

# An attribute whose name holds a comma, a quote or a space is a column too.
rm -f "$CRM_DB"*
printf 'name,"Size, EU",Colour,"Say ""hi"""\nAnn Attr,38,red,yes\n' >"$T/odd.csv"
ok "CSV: odd attribute names: accepted" crm-add -q "$T/odd.csv"
is "CSV: odd attribute names: stored" "$(crm-find | jq -c .attrs)" '{"Size, EU":"38","Colour":"red","Say \"hi\"":"yes"}'
run crm-find --format csv --csv-raw
is "CSV: odd attribute names: no attribute dropped from the CSV output" \
	"$(sed -n 1p "$T/out" | sed 's/.*,tags,//')" '"attrs.Size, EU",attrs.Colour,"attrs.Say ""hi"""'
run sh -c 'crm-find --format csv --csv-raw | crm-add -q --db "$1"' sh "$T/odd.db"
is "CSV: odd attribute names survive a copy through CSV" "$(crm-find --db "$T/odd.db" | jq -c .attrs)" \
	'{"Size, EU":"38","Colour":"red","Say \"hi\"":"yes"}'


is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
