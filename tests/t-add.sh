# SPDX-License-Identifier: MIT
# t-add.sh: crm-add from flags: fields, tags, attributes, validation, -q,
# --dry-run, and the usage errors.
. "$(dirname "$0")/lib.sh"
# No test here means to feed records on stdin: a pipe from the harness must
# not turn a flags-only call into a bulk read.
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

# The record without what varies from run to run.
masked() { jq -cS 'del(.id, .created, .updated)' "$@"; }

# Every field flag, in one call.
run crm-add --name 'Ann Lee' --first-name Ann --last-name Lee --email ann@example.org \
	--phone '+33 1 23 45 67 89' --org 'Acme SA' --title 'Head of Sales' --city Paris \
	--postcode 75011 --country FR --birthdate 1984-02-29 --gender female \
	--notes 'met at the fair' --kind prospect --type person --ext-id SF-001
is "every field flag: exit 0" "$rc" 0
is "every field flag: one record out" "$(wc -l <"$T/out" | tr -d ' ')" 1
is "every field flag: each field stored as given" "$(masked "$T/out")" \
	"$(jq -cnS '{type:"person",kind:"prospect",name:"Ann Lee",first_name:"Ann",
	   last_name:"Lee",email:"ann@example.org",phone:"+33 1 23 45 67 89",org:"Acme SA",
	   org_id:null,title:"Head of Sales",city:"Paris",postcode:"75011",country:"FR",
	   birthdate:"1984-02-29",gender:"female",notes:"met at the fair",ext_id:"SF-001",
	   tags:[],attrs:{}}')"
id1=$(jq .id "$T/out")
like "output record has a positive integer id" "$id1" '^[1-9][0-9]*$'
like "created is ISO 8601 UTC" "$(jq -r .created "$T/out")" \
	'^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}Z$'
is "updated equals created on a new party" "$(jq -r '.created == .updated' "$T/out")" true
is "no summary line for a flags-only add" "$(cat "$T/err")" ""
add_out=$(masked "$T/out")
run crm-find "id=$id1"
is "crm-find gives back what crm-add printed" "$(masked "$T/out")" "$add_out"
run crm-find --ids
is "the id printed is the stored id" "$(cat "$T/out")" "$id1"

# The display name is derived from first and last names.
run crm-add --first-name Bob --last-name Stone
is "name derived from first and last name" "$(jq -r .name "$T/out")" "Bob Stone"
is "type and kind default to person and lead" "$(jq -c '[.type, .kind]' "$T/out")" \
	'["person","lead"]'
run crm-add --last-name Solo
is "name derived from a last name alone" "$(jq -r .name "$T/out")" "Solo"

# Tags: --tag adds, --untag removes, the set is sorted and has no duplicates.
run crm-add --email tags@example.org --tag vip --tag paris --tag vip
is "tags added, sorted, once each" "$(jq -c .tags "$T/out")" '["paris","vip"]'
run crm-add --email tags@example.org --untag vip --tag newsletter
is "--untag removes, --tag adds to the stored set" "$(jq -c .tags "$T/out")" '["newsletter","paris"]'
run crm-find email=tags@example.org
is "the stored tags are the new set" "$(jq -c .tags "$T/out")" '["newsletter","paris"]'
run crm-add --email tags@example.org --untag nosuch
is "--untag of an absent tag: exit 0" "$rc" 0
is "--untag of an absent tag changes nothing" "$(jq -c .tags "$T/out")" '["newsletter","paris"]'
exits 2 "a tag with a ';' is refused" crm-add --email tags@example.org --tag 'a;b'
like "the message names the tag" "$(cat "$T/err")" "invalid tag 'a;b'"

# Attributes: --set KEY=VALUE, and --set KEY= removes KEY.
run crm-add --email attrs@example.org --set shoe=42 --set 'favourite colour=dark blue' --set empty=x
is "--set stores attributes" "$(jq -cS .attrs "$T/out")" \
	'{"empty":"x","favourite colour":"dark blue","shoe":"42"}'
run crm-add --email attrs@example.org --set empty= --set shoe=43
is "--set KEY= removes the attribute, others stay" "$(jq -cS .attrs "$T/out")" \
	'{"favourite colour":"dark blue","shoe":"43"}'
run crm-find email=attrs@example.org
is "the removal is stored" "$(jq -cS .attrs "$T/out")" '{"favourite colour":"dark blue","shoe":"43"}'
run crm-add --email attrs@example.org --set 'eq=a=b'
is "--set value may hold '='" "$(jq -r '.attrs.eq' "$T/out")" "a=b"
exits 2 "--set without '=' is a usage error" crm-add --email attrs@example.org --set shoe
like "the message quotes the argument" "$(cat "$T/err")" "--set wants KEY=VALUE, not 'shoe'"
exits 2 "--set with an empty key is a usage error" crm-add --email attrs@example.org --set =1

# --type and --kind: canonical spellings; a bad value is bad input (exit 3).
run crm-add --name 'Acme SA' --type Organisation --kind PARTNER
is "--type and --kind are case-insensitive and canonicalised" "$(jq -c '[.type, .kind]' "$T/out")" \
	'["organization","partner"]'
for k in customer prospect lead partner supplier employee other; do
	run crm-add --name "Kind $k" --kind "$k" -q
	is "--kind $k accepted" "$rc" 0
done
before=$(store_dump)
exits 2 "bad --kind: exit 2" crm-add --name 'Bad Kind' --kind friend
like "bad --kind: message names the value and the field" "$(cat "$T/err")" "^crm-add: .*invalid kind 'friend'"
is "bad --kind: nothing on stdout" "$(cat "$T/out")" ""
exits 2 "bad --type: exit 2" crm-add --name 'Bad Type' --type robot
like "bad --type: message names the value and the field" "$(cat "$T/err")" "^crm-add: .*invalid type 'robot'"
is "bad --kind and --type write nothing" "$(store_dump)" "$before"

# Other field checks from flags.
exits 2 "bad --email: exit 2" crm-add --name Bob --email 'bob@'
like "bad --email: message" "$(cat "$T/err")" "invalid e-mail 'bob@'"
exits 2 "bad --birthdate: exit 2" crm-add --name Bob --birthdate 2023-02-29
like "bad --birthdate: message" "$(cat "$T/err")" "invalid birthdate '2023-02-29'"
exits 2 "bad --phone: exit 2" crm-add --name Bob --phone 'call me'
like "bad --phone: message" "$(cat "$T/err")" "invalid phone 'call me'"
run crm-add --name Yearless --birthdate=--12-25
is "a birthday without a year is accepted" "$(jq -r .birthdate "$T/out")" "--12-25"
exits 3 "a party with nothing to identify it is refused" crm-add --city Paris
like "the message says what is missing" "$(cat "$T/err")" "no name, e-mail"
is "refused parties left the store as it was" "$(crm-find --count </dev/null)" \
	"$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM party')"

# -q prints nothing at all.
run crm-add -q --name 'Quiet Quinn'
is "-q: exit 0" "$rc" 0
is "-q: nothing on stdout" "$(cat "$T/out")" ""
is "-q: nothing on stderr" "$(cat "$T/err")" ""
run crm-find name='Quiet Quinn'
is "-q: the party is stored" "$(jq -r .name "$T/out")" "Quiet Quinn"

# --dry-run writes nothing and says so.
before=$(store_dump)
run crm-add --dry-run --name 'Dry Dora' --email dora@example.org
is "--dry-run: exit 0" "$rc" 0
is "--dry-run: the store is unchanged" "$(store_dump)" "$before"
like "--dry-run: says so on stderr" "$(cat "$T/err")" "dry run, nothing written"
is "--dry-run: prints the record it would store" "$(jq -r .name "$T/out")" "Dry Dora"
exits 1 "--dry-run: the party is not found afterwards" crm-find email=dora@example.org

# Nothing to add.
exits 2 "crm-add with nothing to add: exit 2" crm-add
like "crm-add with nothing to add: message" "$(cat "$T/err")" "nothing to add"
exits 2 "crm-add --no-stdin with nothing to add: exit 2" crm-add --no-stdin
exits 2 "crm-add -q with nothing to add: exit 2" crm-add -q
exits 2 "unknown option: exit 2" crm-add --nosuch
like "unknown option: usage on stderr" "$(cat "$T/err")" "usage: crm-add"
exits 2 "bad --key: exit 2" crm-add --name X --key name
exits 2 "bad --on-conflict: exit 2" crm-add --name X --on-conflict ignore
exits 2 "bad --format: exit 2" crm-add --name X --format xml
exits 2 "bad --fields: exit 2" crm-add --name X --fields name,nosuch
like "bad --fields: the message names the field" "$(cat "$T/err")" "unknown field 'nosuch'"
exits 2 "missing FILE operand: exit 2" crm-add "$T/nosuch.csv"
like "missing FILE operand: the message names it" "$(cat "$T/err")" "nosuch.csv"
ok "--help: exit 0" crm-add --help
like "--help: usage on stdout" "$(cat "$T/out")" "^usage: crm-add"
ok "--version: exit 0" crm-add --version
like "--version: names the program" "$(cat "$T/out")" "^crm-add \(crm toolkit\) [0-9]"

# --fields and --format on the output of crm-add.
run crm-add --name 'Fields Fay' --fields name,kind --format csv
is "--fields and --format csv on crm-add output" "$(cat "$T/out")" "name,kind
Fields Fay,lead"


is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
