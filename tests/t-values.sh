# SPDX-License-Identifier: MIT
# t-values.sh: nothing lost and nothing overwritten: two columns or keys
# for one field refused, numbers of attributes kept as written, phones with
# an extension, vCards with CR CR LF, a quote inside an unquoted CSV
# field, and JSON Lines with nothing but a byte-order mark or blank lines.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

# --- Two columns, or two keys, for one field --------------------------------
printf 'name,email, email \nAnn,ann@example.org,ann.lee@example.org\n' >spaced.csv
exits 3 "email and ' email ': refused, exit 3" crm-add spaced.csv
like "both columns named, with file and line" "$(cat "$T/err")" \
	"^crm-add: spaced\\.csv:1: header: columns 2 'email' and 3 ' email ' are both the field email"
is "nothing written" "$(crm-find --count)" 0
printf 'name,Email,E-mail\nAnn,ann@example.org,ann.lee@example.org\n' >synonym.csv
exits 3 "Email and E-mail: refused" crm-add synonym.csv
like "both named" "$(cat "$T/err")" "columns 2 'Email' and 3 'E-mail' are both the field email"
printf 'name,email,Email Address\nAnn,ann@example.org,ann.lee@example.org\n' >address.csv
exits 3 "email and Email Address: refused" crm-add address.csv
printf 'name,Plan,Plan \nAnn,gold,silver\n' >attr.csv
exits 3 "two columns for one attribute: refused" crm-add attr.csv
like "the attribute named" "$(cat "$T/err")" "columns 2 'Plan' and 3 'Plan ' are both the attribute 'Plan'"
is "--map says which is which: both values kept" \
	"$(crm-add --dry-run --map 'E-mail=attrs.work_email' synonym.csv 2>/dev/null | jq -c '[.email, .attrs.work_email]')" \
	'["ann@example.org","ann.lee@example.org"]'
printf 'name,Business City,Home City\nAnn,Austin,Dallas\n' >cities.csv
is "an export's two cities: the first the city, the other an attribute" \
	"$(crm-add --dry-run cities.csv 2>/dev/null | jq -c '[.city, .attrs."Home City"]')" '["Austin","Dallas"]'

printf '%s\n' '{"name":"Ann","email":"ann@example.org","E-mail":"ann.lee@example.org"}' >synonym.jsonl
exits 3 "JSON: \"email\" and \"E-mail\" in one object: refused" crm-add synonym.jsonl
like "both keys named, with file and line" "$(cat "$T/err")" \
	"^crm-add: synonym\\.jsonl:1: keys 'email' and 'E-mail' are both the field email"
printf '%s\n' '{"name":"Ann","email":"ann@example.org","email":"ann.lee@example.org"}' >twice.jsonl
exits 3 "JSON: one key twice in one object: refused" crm-add twice.jsonl
like "the key named" "$(cat "$T/err")" "twice\\.jsonl:1: .*duplicate object key"
is "JSON: --map says which is which" \
	"$(crm-add --dry-run --map 'E-mail=attrs.work_email' synonym.jsonl 2>/dev/null | jq -c '[.email, .attrs.work_email]')" \
	'["ann@example.org","ann.lee@example.org"]'
printf '%s\n' '{"name":"Ann","email":"ann@example.org","E-mail":"ann@example.org"}' >same.jsonl
is "JSON: two keys with one value lose nothing: read" \
	"$(crm-add --dry-run same.jsonl 2>/dev/null | jq -r .email)" ann@example.org

# --- Numbers of attributes, as written ---------------------------------------
printf '%s\n' '{"name":"Ann","attrs":{"a":1.000000000000000005,"b":1e-999,"c":0.1,"d":123456789.123456789,"e":-0,"f":-0.0,"g":1E5,"h":[1.10,{"k":2.50}],"i":123456789012345678901234567890}}' \
	'{"name":"Bo","attrs":{"a":2,"c":0.25,"d":-1.5e3}}' '{"name":"Cy","attrs":{"a":0.99,"c":"n/a"}}' >numbers.jsonl
ok "numbers of attributes read" crm-add --db "$T/n.db" numbers.jsonl
is "JSON Lines in, JSON Lines out: the attributes byte for byte" \
	"$(crm-find --db "$T/n.db" --fields attrs --sort name | sed 's/^{"attrs"://; s/}$//')" \
	"$(sed 's/^{"name":"[A-Za-z]*","attrs"://; s/}$//' numbers.jsonl)"
is "one attribute in CSV: as written" \
	"$(crm-find --db "$T/n.db" --format csv --fields attrs.a,attrs.b,attrs.c,attrs.d,attrs.e,attrs.f,attrs.g,attrs.i name=Ann | tail -n 1)" \
	'1.000000000000000005,1e-999,0.1,123456789.123456789,-0,-0.0,1E5,123456789012345678901234567890'
is "attrs.c=0.1 finds it" "$(crm-find --db "$T/n.db" --ids attrs.c=0.1 | wc -l | tr -d ' ')" 1
is "attrs.a>=1 compares numbers" "$(crm-find --db "$T/n.db" --sort name --fields name 'attrs.a>=1' | jq -r .name | paste -sd' ' -)" 'Ann Bo'
is "attrs.a>1: 1.000000000000000005 is 1 as a number" "$(crm-find --db "$T/n.db" --fields name 'attrs.a>1' | jq -r .name)" Bo
is "attrs.d<0" "$(crm-find --db "$T/n.db" --fields name 'attrs.d<0' | jq -r .name)" Bo
is "sorted by a number attribute, numbers first" \
	"$(crm-find --db "$T/n.db" --sort attrs.c --fields name | jq -r .name | paste -sd' ' -)" 'Ann Bo Cy'
printf '%s\n' '{"id":1,"attrs":{"z":"new"}}' >update.jsonl
ok "an update of another attribute" crm-add -q --db "$T/n.db" --key id update.jsonl
is "keeps the numbers as written" "$(crm-find --db "$T/n.db" --fields attrs name=Ann)" \
	"$(sed -n 1p numbers.jsonl | sed 's/^{"name":"Ann",/{/; s/}}$/,"z":"new"}}/')"
printf 'name,score,ratio\nDee,1.000000000000000005,-0\nEd,0.1,1e-999\n' >numbers.csv
crm-add -q --db "$T/c.db" numbers.csv 2>/dev/null
is "CSV in, CSV out: as written" "$(crm-find --db "$T/c.db" --format csv --fields name,attrs.score,attrs.ratio --sort name | tail -n +2)" \
	"$(tail -n +2 numbers.csv)"
printf '%s\n' '{"name":"Flo","postcode":75001,"ext_id":12.50}' >fields.jsonl
is "a number for a field: its text as written" "$(crm-add --dry-run fields.jsonl 2>/dev/null | jq -c '[.postcode, .ext_id]')" '["75001","12.50"]'
printf '%s\n' '{"name":"Gus","tags":[5]}' >tagnum.jsonl
exits 3 "a number among tags is still refused" crm-add --dry-run tagnum.jsonl
printf '%s\n' '{"name":"Hal","attrs":{"s":"\u0000x"}}' >nul.jsonl
exits 3 "a NUL in a string is still refused" crm-add --dry-run nul.jsonl

# --- Valid forms: phones with an extension, CR CR LF, a bare quote ---------
for ph in 'tel:+1-555-555-5555;ext=5555' '+1 555 555 5555 x123' '+1 (555) 555-5555 ext. 123' \
	'+1-555-555-5555;ext=7' '+1 555 555 5555 extension 9' '+1 555 555 5555 #12'; do
	run crm-add --db "$T/ph.db" --key phone --name 'Ann Lee' --phone "$ph"
	is "the phone '$ph' is taken, as written" "$rc/$(crm-find --db "$T/ph.db" "phone=$ph" | jq -r .phone)" "0/$ph"
done
is "one party: the extension is not matched, the main number is" "$(crm-find --db "$T/ph.db" --count)" 1
exits 2 "a phone of letters is still refused" crm-add --dry-run --name Bo --phone 'tel:call-me'

printf 'BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nN:Lee;Ann;;;\r\r\nFN:Ann Lee\r\r\nitem1.EMAIL;type=INTERNET;type=pref:ann@example.org\r\r\nTEL;type=CELL;type=VOICE;type=pref:+1 555 555 0100\r\r\nNOTE:a long note that is\r\r\n  folded here\r\r\nEND:VCARD\r\r\n' >iphone.vcf
is "an iPhone vCard, lines ending in CR CR LF, a folded line" \
	"$(crm-add --dry-run iphone.vcf 2>/dev/null | jq -c '[.name, .email, .phone, .notes]')" \
	'["Ann Lee","ann@example.org","+1 555 555 0100","a long note that is folded here"]'
printf 'BEGIN:VCARD\r\r\nVERSION:3.0\r\r\nFN:Ann Lee\r\r\njunk\r\r\nEND:VCARD\r\r\n' >junk.vcf
exits 3 "CR CR LF: a bad line is still refused" crm-add --dry-run junk.vcf
like "with its line, CR CR LF one line end" "$(cat "$T/err")" "junk\\.vcf:4: not a vCard property: junk"

printf 'Location,Latitude\nRolfe'"'"'s Cottage,41°24'"'"'12.2"N\n' >location_coordinates.csv
is "a quote inside an unquoted field is a character of it" \
	"$(crm-add --dry-run --map Location=name,Latitude=attrs.latitude location_coordinates.csv 2>/dev/null | jq -c '[.name, .attrs.latitude]')" \
	"[\"Rolfe's Cottage\",\"41°24'12.2\\\"N\"]"
printf 'name,notes\nAnn,say "hi" twice\nBo,"quoted ""and"" doubled"\n' >bare.csv
is "bare quotes kept as written, quoted fields as ever" \
	"$(crm-add --dry-run bare.csv 2>/dev/null | jq -r .notes)" 'say "hi" twice
quoted "and" doubled'
printf 'name,notes\nAnn,"closed"then text\n' >after.csv
exits 3 "text after a closing quote is still an error" crm-add --dry-run after.csv

# --- JSON Lines with no record ---------------------------------------------
: >empty.jsonl
run crm-add empty.jsonl
is "an empty file: 0 records, exit 0, nothing said but the summary" "$rc/$(grep -vc ' read, ' "$T/err")" 0/0
printf '\357\273\277' >bom.jsonl
run crm-add bom.jsonl
is "a byte-order mark alone: exit 0" "$rc" 0
like "and said" "$(cat "$T/err")" "^crm-add: bom\\.jsonl: skipped, not records: a byte-order mark$"
printf '\n\n\n' >blank.jsonl
run crm-add blank.jsonl
is "blank lines alone: exit 0" "$rc" 0
like "and said, counted" "$(cat "$T/err")" "^crm-add: blank\\.jsonl: skipped, not records: 3 blank lines$"
printf '\357\273\277\r\n' >bomline.jsonl
run crm-add bomline.jsonl
like "a byte-order mark and a line end" "$rc $(cat "$T/err")" "^0 crm-add: bomline\\.jsonl: skipped, not records: a byte-order mark and 1 blank line"

finish
