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
