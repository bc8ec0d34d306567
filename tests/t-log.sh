# SPDX-License-Identifier: MIT
# t-log.sh: crm-log: events for parties from --contact and from stdin,
# times and time zones, exact amounts, idempotent references, listing.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

crm-add -q --no-stdin --name Ann --email ann@example.org --ext-id A-1 2>/dev/null
crm-add -q --no-stdin --name Bob --email bob@example.org --tag vip 2>/dev/null
crm-add -q --no-stdin --name Cleo --email cleo@example.org --tag vip 2>/dev/null

# --contact by e-mail, id and ext_id.
ok "log by e-mail" crm-log --contact ANN@example.org --type call --channel phone \
	--subject 'Called back' --at 2026-03-01T10:00:00Z
is "the event names Ann" "$(jq -r .party_id "$T/out")" 1
is "the event as stored" "$(jq -c '{at, channel, type, subject}' "$T/out")" \
	'{"at":"2026-03-01T10:00:00Z","channel":"phone","type":"call","subject":"Called back"}'
ok "log by id" crm-log --contact 2 --type note --body 'likes jazz' --at 2026-03-02T09:00:00Z -q
ok "log by ext_id" crm-log --contact A-1 --type note --at 2026-03-03T09:00:00Z -q
is "-q prints nothing" "$(cat "$T/out")" ""
exits 3 "an unknown contact: exit 3" crm-log --contact nobody@example.org --type note
like "an unknown contact: says who" "$(cat "$T/err")" 'nobody@example.org: no such party'
exits 2 "no party at all: exit 2" crm-log --type note
exits 2 "no type: exit 2" crm-log --contact 1
exits 2 "a bad channel: exit 2" crm-log --contact 1 --type note --channel pigeon
exits 2 "a bad direction: exit 2" crm-log --contact 1 --type note --direction sideways
exits 2 "a bad time: exit 2" crm-log --contact 1 --type note --at 2026-02-30
is "nothing written by the failures" "$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM event')" 3

# Times: offsets become UTC; local times follow TZ; DST gaps and overlaps refused.
ok "an offset is converted to UTC" crm-log --contact 1 --type note --at '2026-07-01T12:00:00+02:00'
is "12:00+02:00 is 10:00Z" "$(jq -r .at "$T/out")" 2026-07-01T10:00:00Z
ok "a local time in summer (Paris)" env TZ=Europe/Paris crm-log --contact 1 --type note --at '2026-07-01 12:00'
is "Paris summer is UTC+2" "$(jq -r .at "$T/out")" 2026-07-01T10:00:00Z
ok "a local time in winter (Paris)" env TZ=Europe/Paris crm-log --contact 1 --type note --at 2026-01-15T12:00:00
is "Paris winter is UTC+1" "$(jq -r .at "$T/out")" 2026-01-15T11:00:00Z
exits 2 "a wall time skipped by the spring change: exit 2" env TZ=Europe/Paris crm-log --contact 1 --type note --at 2026-03-29T02:30:00
like "says it does not exist" "$(cat "$T/err")" 'does not exist'
exits 2 "a wall time repeated by the autumn change: exit 2" env TZ=Europe/Paris crm-log --contact 1 --type note --at 2026-10-25T02:30:00
like "says it is ambiguous" "$(cat "$T/err")" 'ambiguous'
ok "the same wall time with an offset is fine" env TZ=Europe/Paris crm-log --contact 1 --type note --at 2026-10-25T02:30:00+01:00
is "02:30+01:00 is 01:30Z" "$(jq -r .at "$T/out")" 2026-10-25T01:30:00Z
ok "New York, across its spring change" env TZ=America/New_York crm-log --contact 1 --type note --at 2026-03-08T03:30:00
is "03:30 EDT is 07:30Z" "$(jq -r .at "$T/out")" 2026-03-08T07:30:00Z
ok "fractions of a second are dropped" crm-log --contact 1 --type note --at 2026-05-05T05:05:05.999Z
is "05:05:05Z" "$(jq -r .at "$T/out")" 2026-05-05T05:05:05Z

ok "an offset without a colon" crm-log --contact 1 --type note --at 2026-01-01T10:00:00+0530
is "+0530 is converted" "$(jq -r .at "$T/out")" 2026-01-01T04:30:00Z
exits 2 "a year before 1000: exit 2" crm-log --contact 1 --type note --at 0999-01-01T00:00:00Z
exits 2 "an offset that leaves year 9999: exit 2" crm-log --contact 1 --type note --at 9999-12-31T23:00:00-02:00

# Amounts are exact, to the ten-thousandth.
ok "a purchase" crm-log --contact bob@example.org --type purchase --amount 0.1 --ref o-1 --at 2026-04-01T00:00:00Z
is "amount printed with two decimals, default currency" "$(jq -c '[.amount, .currency, .direction]' "$T/out")" '[0.1,"EUR","in"]'
is "the JSON text keeps the decimals" "$(grep -o '"amount":[^,]*' "$T/out")" '"amount":0.10'
ok "another" crm-log --contact bob@example.org --type purchase --amount 0.2 --ref o-2 --currency usd --at 2026-04-02T00:00:00Z
is "currency upper-cased" "$(jq -r .currency "$T/out")" USD
is "0.1 + 0.2 is exactly 0.3 in the store" "$(sqlite3 "$CRM_DB" 'SELECT sum(amount) FROM event')" 3000
exits 2 "five decimals: exit 2" crm-log --contact 2 --type purchase --amount 1.23456
exits 2 "a thousands separator: exit 2" crm-log --contact 2 --type purchase --amount 1,000.00
exits 2 "a currency without an amount: exit 2" crm-log --contact 2 --type note --currency EUR
CRM_CURRENCY=chf ok "CRM_CURRENCY sets the default" crm-log --contact 2 --type refund --amount 5
is "CHF, direction out" "$(jq -c '[.currency, .direction, .amount]' "$T/out")" '["CHF","out",5]'

# Parties on stdin; a reference makes an event unique per party.
run sh -c 'crm-find tag:vip | crm-log --channel email --type sent --campaign noel --ref noel-1 --subject Hello'
is "one event per party on stdin" "$(jq -r .party_id "$T/out" | paste -sd' ' -)" "2 3"
like "summary on stderr" "$(cat "$T/err")" '2 logged, 0 already there'
run sh -c 'crm-find tag:vip | crm-log --channel email --type sent --campaign noel --ref noel-1 --subject Hello'
like "again: nothing new" "$(cat "$T/err")" '0 logged, 2 already there'
is "the same events come back" "$(jq -r .id "$T/out" | paste -sd' ' -)" \
	"$(sqlite3 "$CRM_DB" "SELECT id FROM event WHERE ref = 'noel-1' ORDER BY party_id" | paste -sd' ' -)"
run sh -c 'printf "" | crm-log --type note'
is "an empty pipe logs nothing" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM event WHERE type = 'note' AND party_id > 1")" 1
run sh -c 'printf "{\"email\":\"zed@example.org\"}\n" | crm-log --type note'
is "a record naming nobody: exit 3" "$rc" 3
like "with its line" "$(cat "$T/err")" '^crm-log: -:1: no such party'
before=$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM event')
run sh -c 'crm-find tag:vip | crm-log --type note --dry-run'
like "--dry-run says so" "$(cat "$T/err")" 'dry run, nothing written: 2 logged'
is "--dry-run writes nothing" "$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM event')" "$before"
ok "attributes" crm-log --contact 1 --type ticket --set priority=high --set 'team=Level 2'
is "attributes stored" "$(jq -c .attrs "$T/out")" '{"priority":"high","team":"Level 2"}'

# Listing.
run crm-log --list --contact 1 --reverse --limit 2 --fields type,at
is "--list --contact --reverse --limit" "$(jq -c . "$T/out" | paste -sd' ' -)" \
	'{"type":"note","at":"2026-01-01T04:30:00Z"} {"type":"note","at":"2026-01-15T11:00:00Z"}'
run crm-log --list --type purchase --fields amount
is "--type filter, newest first" "$(jq -r .amount "$T/out" | paste -sd' ' -)" "0.2 0.1"
run crm-log --list --since 2026-04-01 --until 2026-04-02 --fields ref
is "--since inclusive, --until exclusive" "$(jq -r .ref "$T/out")" o-1
run crm-log --list --campaign noel --fields party_id
is "--campaign" "$(jq -r .party_id "$T/out" | sort | paste -sd' ' -)" "2 3"
run sh -c 'crm-find name=Cleo | crm-log --list --fields party_id,subject'
is "parties on stdin restrict the list" "$(jq -c . "$T/out")" '{"party_id":3,"subject":"Hello"}'
exits 1 "nothing listed: exit 1" crm-log --list --type nosuchtype
exits 1 "an empty pipe lists nobody: exit 1" sh -c 'printf "" | crm-log --list'
exits 2 "a bad --since: exit 2" crm-log --list --since yesterday
exits 2 "--since without --list: exit 2" crm-log --contact 1 --type note --since 1d
exits 2 "--subject with --list: exit 2" crm-log --list --subject x
exits 2 "--set with --list: exit 2" crm-log --list --set a=b
run sh -c 'printf "name,email,party_id\nYves,yves@example.org,1\n" | crm-add -q'
is "crm-add keeps another system's party_id as an attribute" "$(crm-find --fields attrs.party_id email=yves@example.org | jq -r '."attrs.party_id"')" 1
is "and leaves party 1 alone" "$(crm-find --fields name id=1 | jq -r .name)" Ann
run crm-log --list --format csv --fields party_id,type,amount --type purchase
is "CSV listing" "$(cat "$T/out")" "party_id,type,amount
2,purchase,0.20
2,purchase,0.10"
run sh -c 'crm-log --list --campaign noel | crm-find --ids'
is "crm-log --list | crm-find: the events' parties, by party_id" "$(cat "$T/out" | paste -sd' ' -)" "2 3"
run sh -c 'crm-log --list --campaign noel --format csv | crm-find --ids'
is "the same through CSV" "$(cat "$T/out" | paste -sd' ' -)" "2 3"
run sh -c 'crm-log --list --type purchase | crm-find --fields name'
is "crm-log --list | crm-find prints the parties" "$(jq -r .name "$T/out")" Bob
run sh -c 'crm-add --no-stdin --name Dora --email dora@example.org | crm-log --type note --subject Welcome'
is "crm-add | crm-log: the new party gets the event" "$(jq -r .subject "$T/out")" Welcome
is "crm-add | crm-log: the right party" "$(jq -r .party_id "$T/out")" "$(crm-find --ids email=dora@example.org)"
ok "crm log runs crm-log" crm log --list --limit 1

# Two writers in one pipe: the second waits for the first's records, so it
# must not hold the store while it waits (a short busy timeout shows it).
for i in 1 2 3 4 5; do
	run env CRM_BUSY_TIMEOUT=3000 sh -c 'crm-add --no-stdin --name "Pipe $1" --email "pipe$1@example.org" | crm-add --tag piped -q' sh "$i"
	[ "$rc" = 0 ] || break
done
is "crm-add | crm-add: no deadlock, five times" "$rc" 0
is "crm-add | crm-add: all tagged" "$(crm-find --count tag:piped)" 5
for i in 1 2 3 4 5; do
	run env CRM_BUSY_TIMEOUT=3000 sh -c 'crm-add --no-stdin --name "Log $1" | crm-log --type note -q' sh "$i"
	[ "$rc" = 0 ] || break
done
is "crm-add | crm-log: no deadlock, five times" "$rc" 0

# Facts per party, kept in step with its events at every commit.
crm-add -q --no-stdin --name Fay --email fay@example.org 2>/dev/null
fay=$(crm-find --ids email=fay@example.org)
crm-log -q --contact fay@example.org --type purchase --amount 100.50 --at 2026-01-10T00:00:00Z
crm-log -q --contact fay@example.org --type purchase --amount 20 --at 2026-02-10T00:00:00Z
crm-log -q --contact fay@example.org --type refund --amount 0.50 --at 2026-02-11T00:00:00Z
crm-log -q --contact fay@example.org --type sent --channel email --at 2026-03-01T00:00:00Z
run crm-find --fields last_activity,last_inbound,first_purchase,last_purchase,purchases,revenue,revenue_currency email=fay@example.org
is "facts: times, count, exact revenue" "$(jq -c . "$T/out")" \
	'{"last_activity":"2026-03-01T00:00:00Z","last_inbound":"2026-02-10T00:00:00Z","first_purchase":"2026-01-10T00:00:00Z","last_purchase":"2026-02-10T00:00:00Z","purchases":2,"revenue":120,"revenue_currency":"EUR"}'
is "revenue printed with its cents" "$(grep -o '"revenue":[0-9.]*' "$T/out")" '"revenue":120.00'
is "facts as terms: revenue>120 finds no one" "$(crm-find --count 'revenue>120' email=fay@example.org)" 0
is "facts as terms: revenue>=120" "$(crm-find --ids 'revenue>=120' email=fay@example.org)" "$fay"
is "facts as terms: purchases>=2" "$(crm-find --ids 'purchases>=2' email=fay@example.org)" "$fay"
is "facts as terms: last_purchase<2026-03-01" "$(crm-find --ids 'last_purchase<2026-03-01' email=fay@example.org)" "$fay"
is "facts are not in the default record" "$(crm-find email=fay@example.org | jq 'has("revenue")')" false
crm-log -q --contact fay@example.org --type purchase --amount 5 --currency USD --at 2026-03-02T00:00:00Z
is "mixed currencies: no revenue" "$(crm-find --fields revenue,purchases email=fay@example.org | jq -c .)" '{"revenue":null,"purchases":3}'
crm-log -q --contact fay@example.org --type note --dry-run --at 2027-01-01T00:00:00Z 2>/dev/null
is "a dry run leaves the facts" "$(crm-find --fields last_activity email=fay@example.org | jq -r .last_activity)" 2026-03-02T00:00:00Z
run sh -c 'crm-find email=fay@example.org | crm-add -q --tag facts'
is "facts read from a pipe are ignored by crm-add" "$rc" 0
is "and the facts stay the events'" "$(crm-find --fields purchases email=fay@example.org | jq .purchases)" 3

# Tasks and work lists.
for i in 1 2 3 4 5 6 7 8 9 10; do printf '{"name":"Lead %s","email":"lead%s@example.org","tags":["lead"]}\n' "$i" "$i"; done >leads.jsonl
crm-add -q leads.jsonl 2>/dev/null
run sh -c 'crm-find tag:lead | crm-log --task "Call back" --spread 10d --due 2026-12-07 --assignee sales -q'
is "--spread: exit 0" "$rc" 0
run crm-log --tasks --assignee sales --fields due
is "--spread: ten tasks over the working days of ten days from Monday 7 December" \
	"$(jq -r .due "$T/out" | paste -sd' ' -)" \
	"2026-12-07 2026-12-07 2026-12-08 2026-12-09 2026-12-10 2026-12-11 2026-12-11 2026-12-14 2026-12-15 2026-12-16"
lead1=$(crm-find --ids email=lead1@example.org)
ok "a task for one party" crm-log --contact lead1@example.org --task 'Send the quote' --due 2020-01-15
is "a task is an open event of type task" "$(jq -c '[.type, .status, .due, .subject]' "$T/out")" '["task","open","2020-01-15","Send the quote"]'
task=$(jq -r .id "$T/out")
run crm-log --tasks --overdue --fields id
is "--overdue" "$(cat "$T/out")" "{\"id\":$task}"
run crm-log --tasks --due-before 2026-12-08 --fields due
is "--due-before, by due date" "$(jq -r .due "$T/out" | paste -sd' ' -)" "2020-01-15 2026-12-07 2026-12-07"
is "open_tasks fact" "$(crm-find --fields open_tasks id=$lead1 | jq .open_tasks)" 2
ok "--done" crm-log --done "$task"
is "done: no longer overdue" "$(crm-log --tasks --overdue >/dev/null; echo $?)" 1
is "done: open_tasks follows" "$(crm-find --fields open_tasks id=$lead1 | jq .open_tasks)" 1
ok "--reopen" crm-log --reopen "$task"
is "reopened: open_tasks follows" "$(crm-find --fields open_tasks id=$lead1 | jq .open_tasks)" 2
exits 1 "--done on no task: exit 1" crm-log --done 999999
is "tasks are not activity" "$(crm-find --fields last_activity id=$lead1 | jq .last_activity)" null
exits 2 "a due date on a note: exit 2" crm-log --contact 1 --type note --due 2026-12-01
exits 2 "--spread without --task: exit 2" crm-log --contact 1 --type note --spread 5d
exits 2 "--overdue without --tasks: exit 2" crm-log --list --overdue
run env TZ=Pacific/Kiritimati crm-log --contact 1 --task 'Date only' --due 2026-12-01
is "a due date is kept as given, whatever TZ" "$(jq -r .due "$T/out")" 2026-12-01
is "open_tasks works as a term" "$(crm-find --count 'open_tasks>=2' id=$lead1)" 1

# Facts compare exactly, equality included.
crm-add -q --no-stdin --name Gus --email gus@example.org 2>/dev/null
gus=$(crm-find --ids email=gus@example.org)
crm-log -q --contact gus@example.org --type purchase --amount 149.9
is "purchases=1" "$(crm-find --ids purchases=1 email=gus@example.org)" "$gus"
is "revenue=149.90 (exact)" "$(crm-find --ids revenue=149.90 email=gus@example.org)" "$gus"
is "revenue!=149.9 excludes it" "$(crm-find --count 'revenue!=149.9' email=gus@example.org)" 0
is "open_tasks=0" "$(crm-find --ids open_tasks=0 email=gus@example.org)" "$gus"
crm-log -q --contact gus@example.org --type purchase --amount 0.0001
is "revenue>149.9 sees a ten-thousandth" "$(crm-find --ids 'revenue>149.9' email=gus@example.org)" "$gus"
exits 2 "an amount of 100 billion or more: exit 2" crm-log --contact 1 --type purchase --amount 100000000000
run sh -c 'echo "{\"party_id\":$1,\"id\":\"not a number\"}" | crm-log --type note -q' sh "$gus"
is "an event record's own id is not read" "$rc" 0
exits 2 "--done with other options: exit 2" crm-log --done 1 --dry-run
exits 2 "--done 0 is still --done" crm-log --done 0 --contact 1
run env TZ=Europe/Berlin crm-log --tasks --due-before 2026-12-08 --fields due
is "--due-before a day, east of UTC" "$(jq -r .due "$T/out" | sort -u | paste -sd' ' -)" "2020-01-15 2026-12-01 2026-12-07"

# A store of schema 2 (events, no facts) gets the facts of its events.
cp "$CRM_DB" "$T/v2.db"
sqlite3 "$T/v2.db" 'DROP TABLE party_ident; DROP INDEX event_purchase; DROP INDEX event_refund; DROP INDEX event_campaign; DROP TABLE segment_member; DROP TABLE segment; DROP TABLE audit; DROP INDEX event_text; DROP TABLE party_fact; DROP INDEX event_open_task; ALTER TABLE event DROP COLUMN status; ALTER TABLE event DROP COLUMN assignee; ALTER TABLE event DROP COLUMN due; PRAGMA user_version = 2'
is "schema 2 to 3: facts computed from the events already there" \
	"$(crm-find --db "$T/v2.db" --fields purchases email=fay@example.org | jq .purchases)" 3

# A store of schema 1 (parties only) gains events when a program opens it.
crm-add -q --no-stdin --db "$T/v1.db" --name Old --email old@example.org 2>/dev/null
sqlite3 "$T/v1.db" 'DROP TABLE party_ident; DROP INDEX event_purchase; DROP INDEX event_refund; DROP INDEX event_campaign; DROP TABLE segment_member; DROP TABLE segment; DROP TABLE audit; DROP TABLE party_fact; DROP TABLE event; PRAGMA user_version = 1'
ok "a schema-1 store: crm-log migrates it" crm-log --db "$T/v1.db" --contact old@example.org --type note
is "now at the current schema" "$(sqlite3 "$T/v1.db" 'PRAGMA user_version')" 16
is "and its facts follow its events" "$(crm-find --db "$T/v1.db" --fields last_activity | jq -r '.last_activity | length')" 20
is "its parties kept" "$(crm-find --db "$T/v1.db" --count)" 1

# The first purchase makes a lead or a prospect a customer, in the same
# transaction, with an entry in the audit trail; not a refund, not another
# kind, not a purchase already there, not with --no-promote.
P() { "$@" --db "$T/promote.db"; }
kinds() { P crm-find --format csv --fields email,kind --sort email | sed 1d | paste -sd' ' -; }
P crm-add -q --no-stdin --email lea@example.org
P crm-add -q --no-stdin --email pat@example.org --kind prospect
P crm-add -q --no-stdin --email par@example.org --kind partner
P crm-add -q --no-stdin --email ref@example.org
P crm-add -q --no-stdin --email no@example.org
is "all new without a kind are leads" "$(kinds)" \
	'lea@example.org,lead no@example.org,lead par@example.org,partner pat@example.org,prospect ref@example.org,lead'
ok "a refund" P crm-log -q --contact ref@example.org --type refund --amount 5
ok "--dry-run of a purchase" P crm-log -q --dry-run --contact lea@example.org --type purchase --amount 5
is "neither a refund nor a dry run makes a customer" "$(kinds)" \
	'lea@example.org,lead no@example.org,lead par@example.org,partner pat@example.org,prospect ref@example.org,lead'
before=$(sqlite3 "$T/promote.db" "SELECT updated FROM party WHERE email = 'no@example.org'")
ok "--no-promote" P crm-log -q --no-promote --contact no@example.org --type purchase --amount 5 --ref p-0
is "--no-promote: the lead stays a lead, unchanged" \
	"$(sqlite3 "$T/promote.db" "SELECT kind, updated FROM party WHERE email = 'no@example.org'")" "lead|$before"
ok "the same purchase again, without --no-promote" \
	P crm-log -q --contact no@example.org --type purchase --amount 5 --ref p-0
is "a purchase already there makes no customer" "$(kinds)" \
	'lea@example.org,lead no@example.org,lead par@example.org,partner pat@example.org,prospect ref@example.org,lead'
run sh -c 'printf "%s\n" lea@example.org pat@example.org par@example.org | sed "s/.*/{\"email\":\"&\"}/" |
	crm-log --db "$1" -q --type purchase --amount 12.50 --ref p-1' sh "$T/promote.db"
is "purchases for three parties" "$rc" 0
is "the lead and the prospect are customers, the partner a partner" "$(kinds)" \
	'lea@example.org,customer no@example.org,lead par@example.org,partner pat@example.org,customer ref@example.org,lead'
run P crm-gdpr-export --audit --format jsonl
is "one audit entry for the two made customers" \
	"$(jq -c 'select(.action == "promote") | .counts' "$T/out")" '{"customers":2}'
# The same when an import brings many events for few parties.
M() { "$@" --db "$T/promote-many.db"; }
M crm-add -q --no-stdin --email old@example.org
M crm-add -q --no-stdin --email new@example.org --kind prospect
M crm-add -q --no-stdin --email par@example.org --kind partner
M crm-add -q --no-stdin --email ref@example.org
M crm-log -q --no-promote --contact old@example.org --type purchase --amount 5 --ref o-0
{
	echo email,type,at,amount,ref
	echo old@example.org,purchase,2026-03-01T10:00:00Z,5,o-0
	for i in $(seq 30); do
		echo "old@example.org,opened,2026-03-02T10:00:00Z,,m-$i"
		echo "ref@example.org,refund,2026-03-02T10:00:00Z,3,r-$i"
	done
	echo new@example.org,purchase,2026-03-03T10:00:00Z,9,n-1
	echo par@example.org,purchase,2026-03-03T10:00:00Z,9,p-1
} >"$T/many.csv"
ok "many events for few parties" M crm-log -q --import "$T/many.csv"
is "many events: the prospect a customer; not the lead with its purchase already there," \
	"$(M crm-find --format csv --fields email,kind --sort email | sed 1d | paste -sd' ' -)" \
	'new@example.org,customer old@example.org,lead par@example.org,partner ref@example.org,lead'
run M crm-gdpr-export --audit --format jsonl
is "many events: one customer made" "$(jq -c 'select(.action == "promote") | .counts' "$T/out")" \
	'{"customers":1}'
exits 2 "--no-promote with --list: exit 2" P crm-log --list --no-promote
exits 2 "--no-promote with --done: exit 2" P crm-log --done 1 --no-promote

# A mailer's word given by --type is mapped as on import; an unknown one said.
run crm-log --no-stdin --contact ann@example.org --type open --campaign words
is "--type open: logged as opened" "$rc/$(jq -r '.type + " " + .attrs.source_type' "$T/out")" "0/opened open"
run crm-log --no-stdin -q --contact ann@example.org --type opend --campaign words
is "--type opend: kept as given, exit 0" "$rc" 0
like "--type opend: the nearest known type is named" "$(cat "$T/err")" "type 'opend' is not a known type \(nearest: opened\)"
finish
