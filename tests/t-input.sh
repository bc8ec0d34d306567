# SPDX-License-Identifier: MIT
# t-input.sh: crm-add reading CSV and JSON Lines: files, stdin, format
# detection, header synonyms, --map, unknown columns, BOM, CRLF, quoting,
# scripts other than Latin, and an injection string.
. "$(dirname "$0")/lib.sh"
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

# The stored value of FIELD for the party with e-mail EMAIL.
field() { crm-find "email=$1" </dev/null | jq -r ".$2"; }
count() { crm-find --count </dev/null; }
summary() { grep -E '[0-9]+ read, ' "$T/err"; }

# --- Files and stdin -------------------------------------------------------
cat >"$T/a.csv" <<'EOF'
name,email,city
Ann Lee,ann@example.org,Paris
Bob Stone,bob@example.org,Lyon
EOF
cat >"$T/a.jsonl" <<'EOF'
{"name":"Cid Ray","email":"cid@example.org","city":"Nantes"}
{"name":"Dee Fox","email":"dee@example.org","city":"Lille"}
EOF

ok "CSV file operand" crm-add "$T/a.csv"
is "CSV file operand: two records printed" "$(jq -r .name "$T/out" | paste -sd, -)" "Ann Lee,Bob Stone"
is "CSV file operand: summary" "$(summary)" "crm-add: 2 read, 2 created, 0 updated, 0 unchanged, 0 rejected"
is "CSV file operand: fields stored" "$(field bob@example.org city)" "Lyon"
ok "JSONL file operand" crm-add "$T/a.jsonl"
is "JSONL file operand: summary" "$(summary)" "crm-add: 2 read, 2 created, 0 updated, 0 unchanged, 0 rejected"
is "JSONL file operand: fields stored" "$(field dee@example.org city)" "Lille"
is "four parties stored" "$(count)" 4

rm -f "$CRM_DB"*
run sh -c 'cat "$1" | crm-add' sh "$T/a.csv"
is "CSV from a pipe: exit 0" "$rc" 0
is "CSV from a pipe: stored" "$(count)" 2
run sh -c 'crm-add <"$1"' sh "$T/a.jsonl"
is "JSONL from a redirected regular file: exit 0" "$rc" 0
is "JSONL from a redirected regular file: stored" "$(count)" 4
rm -f "$CRM_DB"*
run sh -c 'cat "$1" | crm-add' sh "$T/a.jsonl"
is "JSONL from a pipe: stored" "$(count)" 2
run sh -c 'crm-add <"$1"' sh "$T/a.csv"
is "CSV from a redirected regular file: stored" "$(count)" 4
rm -f "$CRM_DB"*
run sh -c 'cat "$1" | crm-add "$2" -' sh "$T/a.csv" "$T/a.jsonl"
is "'-' reads stdin beside a file operand" "$(count)" 4
run sh -c 'cat "$1" | crm-add --no-stdin --name Eve' sh "$T/a.csv"
is "--no-stdin: stdin ignored, the flags give one party" "$(jq -r .name "$T/out")" "Eve"
is "--no-stdin: no summary of a bulk read" "$(summary)" ""
rm -f "$CRM_DB"*

# Flags apply to every record of a bulk read.
run crm-add --tag imported --kind lead --set source=fair "$T/a.csv"
is "flags apply to every record: tags" "$(crm-find tag:imported --count)" 2
is "flags apply to every record: kind" "$(field ann@example.org kind)" "lead"
is "flags apply to every record: attrs" "$(field bob@example.org attrs.source)" "fair"
rm -f "$CRM_DB"*

# Last lines without a line end, and inputs with no record.
printf 'name,email\nNo End,noend@example.org\nQuoted End,"qend@example.org"' >"$T/noend.csv"
ok "CSV without a final line end" crm-add -q "$T/noend.csv"
is "CSV without a final line end: the last row is read" "$(crm-find --count email=qend@example.org)" 1
printf '{"name":"No End J","email":"noendj@example.org"}' >"$T/noend.jsonl"
ok "JSONL without a final line end" crm-add -q "$T/noend.jsonl"
is "JSONL without a final line end: the last line is read" "$(crm-find --count email=noendj@example.org)" 1
before=$(store_dump)
printf 'name,email\n' >"$T/header-only.csv"
: >"$T/empty.csv"
for f in header-only.csv empty.csv; do
	run crm-add "$T/$f"
	is "$f: exit 0" "$rc" 0
	is "$f: the summary says nothing was read" "$(summary)" "crm-add: 0 read, 0 created, 0 updated, 0 unchanged, 0 rejected"
done
run sh -c "printf '' | crm-add"
is "an empty pipe: exit 1" "$rc" 1
like "an empty pipe: said" "$(cat "$T/err")" 'standard input named no party'
run sh -c "printf '' | crm-add --name 'Not From Flags'"
is "an empty pipe and field flags: exit 1, the flags apply to no record" "$rc" 1
like "an empty pipe and field flags: said" "$(cat "$T/err")" 'standard input named no party'
is "inputs with no record write nothing" "$(store_dump)" "$before"
rm -f "$CRM_DB"*

# --- Format detection --------------------------------------------------------
printf '\n  \n{"name":"Lead Blank","email":"blank@example.org"}\n' >"$T/blank.jsonl"
ok "blank lines before the first '{': JSON Lines" crm-add "$T/blank.jsonl"
is "blank lines before the first '{': stored" "$(field blank@example.org name)" "Lead Blank"
printf '{weird},name\nx,Curly Kim\n' >"$T/curly.csv"
exits 3 "a CSV header starting with '{' is taken for JSON" crm-add "$T/curly.csv"
like "a CSV header starting with '{': the JSON error" "$(cat "$T/err")" "curly.csv:1: invalid JSON"
ok "--input-format csv forces CSV" crm-add --input-format csv "$T/curly.csv"
is "--input-format csv: the record is stored" "$(crm-find name='Curly Kim' | jq -r '.attrs["{weird}"]')" x
exits 3 "--input-format jsonl on a CSV file: exit 3" crm-add --input-format jsonl "$T/a.csv"
like "--input-format jsonl on a CSV file: message" "$(cat "$T/err")" "a.csv:1: invalid JSON"
run sh -c 'cat "$1" | crm-add --input-format csv' sh "$T/curly.csv"
is "--input-format csv on stdin" "$rc" 0
exits 2 "--input-format xml: exit 2" crm-add --input-format xml "$T/a.csv"
rm -f "$CRM_DB"*

# --- Header synonyms, case-insensitive -----------------------------------------
cat >"$T/syn.csv" <<'EOF'
Full Name,First Name,LAST-NAME,E-mail,company,Mobile,zip,Town,Job Title,DOB,Sex,Comments,External ID,Labels,Pays
Ann Lee,Ann,Lee,ann@example.org,Acme SA,+33 6 12 34 56 78,75011,Paris,CTO,1980-01-31,f,likes tea,X-9,a;b,France
EOF
ok "header synonyms: exit 0" crm-add "$T/syn.csv"
is "header synonyms map to their fields" "$(jq -cS 'del(.id, .created, .updated)' "$T/out")" \
	"$(jq -cnS '{type:"person",kind:"lead",name:"Ann Lee",first_name:"Ann",last_name:"Lee",
	   email:"ann@example.org",phone:"+33 6 12 34 56 78",org:"Acme SA",org_id:null,
	   title:"CTO",city:"Paris",postcode:"75011",country:"France",birthdate:"1980-01-31",
	   gender:"f",notes:"likes tea",ext_id:"X-9",tags:["a","b"],attrs:{}}')"
is "header synonyms: no notice of unknown columns" "$(grep -c 'not party fields' "$T/err")" 0
cat >"$T/syn2.csv" <<'EOF'
EMAIL,NAME,Organisation,Telephone,Postal Code,firstname,surname
cy@example.org,Cy Dunn,Globex,01 23 45 67 89,69001,Cy,Dunn
EOF
ok "upper-case and other synonyms: exit 0" crm-add "$T/syn2.csv"
is "upper-case and other synonyms" "$(jq -c '[.email, .name, .org, .phone, .postcode, .first_name, .last_name]' "$T/out")" \
	'["cy@example.org","Cy Dunn","Globex","01 23 45 67 89","69001","Cy","Dunn"]'
printf '{"E-Mail":"jo@example.org","Company":"Initech","Zip Code":"1000","First Name":"Jo"}\n' >"$T/syn.jsonl"
ok "JSON keys: synonyms too" crm-add "$T/syn.jsonl"
is "JSON keys: synonyms map to their fields" "$(jq -c '[.email, .org, .postcode, .first_name, .name]' "$T/out")" \
	'["jo@example.org","Initech","1000","Jo","Jo"]'
rm -f "$CRM_DB"*

# --- --map -------------------------------------------------------------------
cat >"$T/map.csv" <<'EOF'
Who,Mail,Shoe Size,Internal,Ref
Ann Lee,ann@example.org,38,secret,R1
EOF
ok "--map: exit 0" crm-add --map 'Who=name,mail=email,Shoe Size=attrs.shoe,Internal=-,Ref=ext_id' "$T/map.csv"
is "--map: columns go where the map says (From is case-insensitive)" \
	"$(jq -cS '[.name, .email, .ext_id, .attrs]' "$T/out")" '["Ann Lee","ann@example.org","R1",{"shoe":"38"}]'
is "--map: a column mapped to '-' is dropped, and no notice" "$(grep -c 'not party fields' "$T/err")" 0
printf '{"Who":"Bo Ek","Mail":"bo@example.org","Internal":"x"}\n' >"$T/map.jsonl"
ok "--map on JSON keys" crm-add --map 'Who=name,Mail=email,Internal=-' "$T/map.jsonl"
is "--map on JSON keys: mapped and dropped" "$(jq -cS '[.name, .email, .attrs]' "$T/out")" '["Bo Ek","bo@example.org",{}]'
exits 2 "--map to an unknown field: exit 2" crm-add --map 'Who=nosuch' "$T/map.csv"
like "--map to an unknown field: message" "$(cat "$T/err")" "unknown field 'nosuch'"
exits 2 "--map item without '=': exit 2" crm-add --map 'Who' "$T/map.csv"
rm -f "$CRM_DB"*

# --- Unknown columns become attributes, said once ------------------------------
{
	echo 'name,email,Shoe Size,Loyalty'
	seq 1 50 | awk '{ printf "P%d,p%d@example.org,%d,gold\n", $1, $1, 30 + $1 % 15 }'
} >"$T/unknown.csv"
ok "unknown columns: exit 0" crm-add -q "$T/unknown.csv"
is "unknown columns: one notice for 50 rows" "$(grep -c 'not party fields' "$T/err")" 1
like "unknown columns: the notice names them" "$(grep 'not party fields' "$T/err")" \
	"unknown.csv: .*Shoe Size, Loyalty"
is "unknown columns: kept as attributes" "$(field p7@example.org attrs | jq -c .)" '{"Shoe Size":"37","Loyalty":"gold"}'
printf '%s\n' '{"name":"J1","email":"j1@example.org","shoe":1}' \
	'{"name":"J2","email":"j2@example.org","shoe":2,"hat":"m"}' \
	'{"name":"J3","email":"j3@example.org","shoe":3,"hat":"l"}' >"$T/unknown.jsonl"
ok "unknown JSON keys: exit 0" crm-add -q "$T/unknown.jsonl"
is "unknown JSON keys: each key named once" "$(grep 'not party fields' "$T/err" | grep -o 'shoe\|hat' | sort | paste -sd, -)" "hat,shoe"
is "unknown JSON keys: JSON types kept" "$(field j2@example.org attrs | jq -c .)" '{"shoe":2,"hat":"m"}'
rm -f "$CRM_DB"*

# --- BOM, CRLF, lone CR --------------------------------------------------------
printf '\357\273\277name,email\r\nBom Bo,bom@example.org\r\n' >"$T/bom.csv"
ok "CSV with a UTF-8 BOM and CRLF" crm-add "$T/bom.csv"
is "BOM: the first column is still 'name'" "$(field bom@example.org name)" "Bom Bo"
is "BOM: no notice of an unknown column" "$(grep -c 'not party fields' "$T/err")" 0
printf '\357\273\277{"name":"Bom Jay","email":"bomj@example.org"}\r\n{"name":"Crlf Cy","email":"crlf@example.org"}\r\n' >"$T/bom.jsonl"
ok "JSONL with a BOM and CRLF" crm-add "$T/bom.jsonl"
is "JSONL with a BOM and CRLF: both stored" "$(field bomj@example.org name)/$(field crlf@example.org name)" "Bom Jay/Crlf Cy"
printf 'name,email,city\r\nCr Lf,crlf2@example.org,"Saint-\r\nDenis"\r\nNext One,next@example.org,Metz\r\n' >"$T/crlf.csv"
ok "CRLF with a line break inside a quoted field" crm-add "$T/crlf.csv"
is "CRLF: no CR left at the end of a value" "$(field next@example.org city)" "Metz"
is "CRLF: the quoted line break is kept as it was" "$(field crlf2@example.org city | od -An -c | tr -s ' ')" \
	"$(printf 'Saint-\r\nDenis\n' | od -An -c | tr -s ' ')"
printf 'name,email\rOld Mac,mac@example.org\rOld Mac2,mac2@example.org\r' >"$T/cr.csv"
ok "lone CR line ends (old Mac)" crm-add "$T/cr.csv"
is "lone CR: both rows stored" "$(field mac2@example.org name)" "Old Mac2"
printf '\377\376n\000a\000m\000e\000\n\000U\000t\000f\000\n\000' >"$T/utf16.csv"
ok "UTF-16 input with a byte-order mark: decoded" crm-add "$T/utf16.csv"
is "UTF-16 input: the party" "$(jq -r .name "$T/out")" Utf
rm -f "$CRM_DB"*

# --- Quoting -------------------------------------------------------------------
cat >"$T/quote.csv" <<'EOF'
name,email,org,title,notes
"Smith, Jane",jane@example.org,"Smith, Jones & Co","The ""Boss""","line one
line two, with a comma
""quoted"" line three"
Plain Paul,paul@example.org,,"",
EOF
ok "commas, quotes and line breaks in quoted fields" crm-add "$T/quote.csv"
is "comma inside quotes" "$(field jane@example.org name)" "Smith, Jane"
is "comma and ampersand inside quotes" "$(field jane@example.org org)" "Smith, Jones & Co"
is "doubled quotes" "$(field jane@example.org title)" 'The "Boss"'
is "line breaks inside quotes" "$(field jane@example.org notes)" 'line one
line two, with a comma
"quoted" line three'
is "the row after a multi-line record is read" "$(field paul@example.org name)" "Plain Paul"
is "empty and empty-quoted cells are absent" "$(crm-find email=paul@example.org | jq -c '[.org, .title, .notes]')" '[null,null,null]'
printf 'name,email,notes\n  Spacey  ,space@example.org, lead and trail \n' >"$T/space.csv"
ok "spaces around unquoted cells" crm-add "$T/space.csv"
is "spaces around unquoted cells: taken off a name, kept in notes" "$(crm-find email=space@example.org | jq -c '[.name, .notes]')" \
	'["Spacey"," lead and trail "]'
rm -f "$CRM_DB"*

# --- Other scripts and an injection string ------------------------------------
inj="Robert'); DROP TABLE contacts;--"
cat >"$T/utf8.csv" <<EOF
name,email,city,notes
Αλέξανδρος Παπαδόπουλος,alex@example.gr,Αθήνα,Ελληνικά
Дмитрий Иванов,dima@example.ru,Москва,Кириллица
山田太郎,yamada@example.jp,東京,日本語のメモ
Party 🎉 Person,emoji@example.org,🏙️ City,🎂🍰 👩‍👩‍👧
"$inj",bobby@example.org,"x'; DELETE FROM party; --",""" OR 1=1 --"
EOF
ok "UTF-8 of other scripts: exit 0" crm-add -q "$T/utf8.csv"
is "five parties stored" "$(count)" 5
is "Greek stored byte for byte" "$(field alex@example.gr name)|$(field alex@example.gr city)" "Αλέξανδρος Παπαδόπουλος|Αθήνα"
is "Cyrillic stored byte for byte" "$(field dima@example.ru name)|$(field dima@example.ru city)" "Дмитрий Иванов|Москва"
is "CJK stored byte for byte" "$(field yamada@example.jp name)|$(field yamada@example.jp notes)" "山田太郎|日本語のメモ"
is "emoji stored byte for byte (ZWJ sequence too)" "$(field emoji@example.org notes)|$(field emoji@example.org city)" "🎂🍰 👩‍👩‍👧|🏙️ City"
is "the injection string stored and returned byte for byte" "$(field bobby@example.org name)" "$inj"
is "SQL in other fields stored as text" "$(field bobby@example.org city)|$(field bobby@example.org notes)" \
	"x'; DELETE FROM party; --|\" OR 1=1 --"
is "the injection string harmed no table" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party")" 5
run crm-find "name=$inj"
is "the injection string as a search value" "$(jq -r .email "$T/out")" "bobby@example.org"
printf '{"name":%s,"email":"bobby2@example.org","notes":"tab\\there"}\n' "$(jq -n --arg s "$inj" '$s')" >"$T/inj.jsonl"
ok "the injection string in JSON" crm-add "$T/inj.jsonl"
is "the injection string in JSON: returned byte for byte" "$(field bobby2@example.org name)" "$inj"
is "a tab in JSON is kept" "$(field bobby2@example.org notes)" "$(printf 'tab\there')"


is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
