# SPDX-License-Identifier: MIT
# t-segment.sh: crm-segment: saved segments, nesting, set operations in the
# term language, age:, pins, snapshots, and the pipes around them.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

# Ages are counted from today: birthdates made from today's date.
y=$(date -u +%Y); md=$(date -u +%m-%d)
[ "$md" = 02-29 ] && md=02-28  # a birthday that every year has
b30=$((y - 30))-$md           # 30 from today
b41=$((y - 41))-01-01         # 41 all year
b25=$((y - 25))-$md           # 25 from today
cat >people.csv <<EOF
name,email,city,birthdate,tags,kind
Ann,ann@x.org,Paris,$b30,vip,customer
Bob,bob@x.org,Lyon,$b41,,customer
Cleo,cleo@x.org,Paris,$b25,vip,prospect
Dan,dan@x.org,Nice,--04-01,,customer
Eve,eve@x.org,Paris,,,lead
EOF
crm-add -q people.csv 2>/dev/null
names() { jq -r .name | sort | paste -sd, -; }

ok "--save" crm-segment --save paris --description 'In Paris' city=Paris
like "says saved" "$(cat "$T/err")" 'saved paris'
is "evaluate" "$(crm-segment paris | names)" 'Ann,Cleo,Eve'
is "crm-find segment:NAME is the same" "$(crm-find segment:paris | names)" 'Ann,Cleo,Eve'
is "extra terms narrow it" "$(crm-segment paris tag:vip | names)" 'Ann,Cleo'
is "crm-find options work" "$(crm-segment paris --count)" 3
is "options before the name, and after it" "$(crm-segment --db "$CRM_DB" paris --count)" 3
is "an option's value is not the name" "$(crm-segment --fields name --format jsonl paris --limit 1 --sort name | jq -c .)" '{"name":"Ann"}'
ok "age: a range" crm-segment --save young 'age:18-35'
is "age:18-35" "$(crm-segment young | names)" 'Ann,Cleo'
is "age:30 is today's 30-year-olds" "$(crm-find age:30 | names)" 'Ann'
is "age:25-25 the day they turn 25" "$(crm-find age:25-25 | names)" 'Cleo'
is "a birthdate without a year has no age" "$(crm-find --count age:0-150 email=dan@x.org)" 0
exits 2 "a bad age: exit 2" crm-find age:forty
exits 2 "an age range upside down: exit 2" crm-find age:40-30

# Nesting and set operations.
ok "a segment of segments" crm-segment --save young-paris segment:young segment:paris
is "intersection" "$(crm-segment young-paris | names)" 'Ann,Cleo'
is "union" "$(crm-find segment:young OR kind:lead | names)" 'Ann,Cleo,Eve'
is "difference" "$(crm-find segment:paris -segment:young | names)" 'Eve'
exits 2 "an unknown segment: exit 2" crm-find segment:nosuch
like "says which" "$(cat "$T/err")" "no segment 'nosuch'"
ok "a segment naming another" crm-segment --save loop-a segment:paris
ok "that other naming it back" crm-segment --save paris-b segment:loop-a
exits 2 "a loop is refused when saved" crm-segment --save loop-a segment:paris-b
crm-segment --save ice tag:none-such >/dev/null 2>&1
crm-segment --freeze ice >/dev/null 2>&1
exits 2 "a frozen segment saved with rules that name itself is refused: a thaw would loop" \
	crm-segment --save ice segment:ice
is "and its rules are kept" "$(crm-segment --show ice --format jsonl | jq -c .rules)" '["tag:none-such"]'
crm-segment --save ice-b segment:ice >/dev/null 2>&1
exits 2 "so is a loop through another" crm-segment --save ice segment:ice-b
crm-segment --delete ice-b >/dev/null 2>&1
crm-segment --delete ice >/dev/null 2>&1
is "and the old rules stay" "$(crm-segment --show loop-a --format jsonl | jq -c .rules)" '["segment:paris"]'
exits 2 "a bad term: exit 2, nothing saved" crm-segment --save bad nosuchfield=1
exits 1 "nothing saved under that name" crm-segment --show bad
exits 2 "a bad name: exit 2" crm-segment --save 'no spaces' city=Paris
exits 2 "--description without --save: exit 2" crm-segment --list --description x

# Saving again replaces the rules, keeps the description.
ok "save again" crm-segment --save paris city=Paris kind:customer
like "says updated" "$(cat "$T/err")" 'updated paris'
is "the new rules" "$(crm-segment paris | names)" 'Ann'
is "the description kept" "$(crm-segment --show paris --format jsonl | jq -r .description)" 'In Paris'
crm-segment --save paris city=Paris 2>/dev/null

# --list and --show as records.
run crm-segment --list --format jsonl
is "--list: every segment" "$(jq -r .name "$T/out" | paste -sd, -)" 'loop-a,paris,paris-b,young,young-paris'
is "--list: rules are JSON" "$(jq -c 'select(.name == "young-paris") | .rules' "$T/out")" '["segment:young","segment:paris"]'
run crm-segment --list --format csv --fields name,pinned_in
is "--list as CSV with --fields" "$(head -2 "$T/out")" 'name,pinned_in
loop-a,0'

# Pins: in and out, by --contact or records on stdin; the last pin wins.
ok "--include by --contact" crm-segment --include paris --contact bob@x.org
is "Bob is in" "$(crm-segment paris | names)" 'Ann,Bob,Cleo,Eve'
ok "--exclude from a pipe" sh -c 'crm-find name=Eve | crm-segment --exclude paris'
is "Eve is out" "$(crm-segment paris | names)" 'Ann,Bob,Cleo'
is "nested segments see the pins" "$(crm-find segment:loop-a | names)" 'Ann,Bob,Cleo'
ok "the last pin wins" crm-segment --include paris --contact eve@x.org
is "Eve is back" "$(crm-segment paris | names)" 'Ann,Bob,Cleo,Eve'
is "the pin counts" "$(crm-segment --show paris --format jsonl | jq -c '[.pinned_in, .pinned_out]')" '[2,0]'
exits 3 "an unknown party: exit 3" crm-segment --include paris --contact nobody@x.org
exits 1 "an unknown segment: exit 1" crm-segment --include nosuch --contact ann@x.org
exits 2 "no party at all: exit 2" crm-segment --include paris

# Snapshots.
ok "--freeze" crm-segment --freeze paris
like "says how many" "$(cat "$T/err")" 'frozen with 4 members'
crm-add -q --name Fay --email fay@x.org --city Paris 2>/dev/null
is "a frozen segment keeps its members" "$(crm-segment paris | names)" 'Ann,Bob,Cleo,Eve'
is "its date" "$(crm-segment --show paris --format jsonl | jq -r '.frozen_at | test("^[0-9]{4}-")')" true
ok "--freeze again" crm-segment --freeze paris
like "a new snapshot of the rules, not of the old one" "$(cat "$T/err")" 'frozen with 5 members'
ok "--thaw" crm-segment --thaw paris
is "then it follows its rules again" "$(crm-segment paris | names)" 'Ann,Bob,Cleo,Eve,Fay'
exits 1 "--thaw of a segment not frozen: exit 1" crm-segment --thaw paris

# Pipes: a stream restricts the members; the members feed other programs.
is "crm-find | crm-segment: intersection with a stream" \
	"$(crm-find kind:prospect | crm-segment paris | names)" 'Cleo'
ok "crm-segment | crm-log --task" sh -c 'crm-segment young | crm-log -q --task "Call back" --spread 5d'
is "one task each" "$(crm-log --tasks --format jsonl | jq -r .party_id | sort -n | paste -sd, -)" \
	"$(crm-segment young --ids | sort -n | paste -sd, -)"
ok "crm-segment | crm-gdpr-export" sh -c 'crm-segment young-paris | crm-gdpr-export --subject-stdin --register /nonexistent'
is "the access finds the members" "$(jq '.parties | length' "$T/out")" 2
run crm-gdpr-export --subject ann@x.org --register /nonexistent
is "the access lists Ann's segments" "$(jq -r '[.segments.members[].segment] | sort | join(",")' "$T/out")" \
	'loop-a,paris,paris-b,young,young-paris'
run crm-gdpr-export --subject eve@x.org --register /nonexistent
is "and the pins that name a person" "$(jq -c '.segments.pins' "$T/out")" '[{"segment":"paris","party_id":5,"pin":"in"}]'

# Deleting a segment; erasing a party drops its pins.
crm-segment --save orgs-paris org.-segment:paris >/dev/null 2>&1
crm-segment --save paris-text 'city=segment:paris' >/dev/null 2>&1
run crm-segment --delete paris
is "a segment that others name is not deleted: exit 2" "$rc" 2
is "the message names those that use it, under org. too, not a value that looks like it" \
	"$(cat "$T/err")" \
	"crm-segment: segment 'paris' is used by the rules of 'loop-a', 'orgs-paris', 'young-paris': change or delete them first"
ok "and it is still there" crm-segment --show paris
crm-segment --delete orgs-paris >/dev/null 2>&1
crm-segment --delete paris-text >/dev/null 2>&1
ok "--delete" crm-segment --delete young-paris
exits 1 "--delete again: exit 1" crm-segment --delete young-paris
exits 2 "a segment that names a deleted one no longer evaluates" crm-find segment:young-paris
crm-gdpr-export --erase --subject bob@x.org --reason test >/dev/null 2>&1
is "erasure removes the person's pins" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM segment_member WHERE party_id = 2")" 0
exits 2 "two actions at once: exit 2" crm-segment --list --delete paris
exits 2 "--save with no term: exit 2" crm-segment --save empty
ok "options after the terms of --save" crm-segment --save late city=Paris --description 'Late options'
is "are options" "$(crm-segment --show late --format jsonl | jq -c '[.rules, .description]')" '[["city=Paris"],"Late options"]'
run crm-gdpr-export --audit --format jsonl
is "changes to segments are audited, with counts" \
	"$(jq -r 'select(.program == "crm-segment") | .action' "$T/out" | sort -u | paste -sd' ' -)" \
	'segment-delete segment-exclude segment-freeze segment-include segment-save segment-thaw'

finish
