# SPDX-License-Identifier: MIT
# t-import.sh: crm-log --import: event files in CSV and JSON Lines naming
# their parties, rejects, --create-missing, idempotent re-import, facts.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

crm-add -q --no-stdin --name 'Ann Lee' --email ann@example.org --ext-id A-1 2>/dev/null
crm-add -q --no-stdin --name 'Bob Ray' --email bob@example.org --ext-id B-2 2>/dev/null
crm-add -q --no-stdin --name 'Cleo Day' --email cleo@example.org 2>/dev/null

events() { sqlite3 "$CRM_DB" "SELECT party_id, at, type, coalesce(amount, ''), coalesce(currency, ''), coalesce(ref, '') FROM event ORDER BY id"; }
all_dump() { store_dump; sqlite3 "$CRM_DB" 'SELECT * FROM event ORDER BY id; SELECT * FROM party_fact ORDER BY 1'; }

# A shop's orders: header synonyms (Order ID, E-mail, Date, Total), a
# column that is no event field, parties by e-mail in any case.
cat >orders.csv <<'EOF'
Order ID,E-mail,Date,Total,Currency,Product
1001,ann@example.org,2026-03-01T10:00:00+01:00,19.99,EUR,Book
1002,ANN@example.org,2026-04-01T09:00:00Z,5.01,EUR,Pen
1003,bob@example.org,2026-04-02,100,EUR,Lamp
EOF
ok "orders import" crm-log --import --type purchase orders.csv
is "three events, as given" "$(events)" "1|2026-03-01T09:00:00Z|purchase|199900|EUR|1001
1|2026-04-01T09:00:00Z|purchase|50100|EUR|1002
2|2026-04-02T00:00:00Z|purchase|1000000|EUR|1003"
like "the summary counts" "$(cat "$T/err")" '3 read, 3 logged, 0 already there, 0 rejected; 0 parties created'
like "the unknown column is said once" "$(grep -c 'not event fields, kept as event attributes: Product' "$T/err")" '^1$'
is "the unknown column is an event attribute" \
	"$(sqlite3 "$CRM_DB" "SELECT json_extract(attrs, '$.Product') FROM event ORDER BY id" | paste -sd, -)" 'Book,Pen,Lamp'
is "the logged events on stdout" "$(jq -r '.ref + " " + (.amount | tostring)' "$T/out" | paste -sd, -)" '1001 19.99,1002 5.01,1003 100'
is "facts follow: Ann's revenue, exact" "$(crm-find --fields revenue,purchases email=ann@example.org | jq -c .)" \
	'{"revenue":25,"purchases":2}'

is "a first load builds the event indexes again" \
	"$(sqlite3 "$CRM_DB" "SELECT group_concat(name, ' ') FROM (SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'event' ORDER BY name)")" \
	'event_at event_campaign event_open_task event_party_at event_purchase event_ref event_refund event_text'
is "and they are sound" "$(sqlite3 "$CRM_DB" 'PRAGMA integrity_check')" ok
before=$(all_dump)
ok "the same file again" crm-log --import --type purchase orders.csv -q
is "a re-import changes nothing" "$(all_dump)" "$before"
run crm-log --import --type purchase orders.csv
like "a re-import: all already there" "$(cat "$T/err")" '3 read, 0 logged, 3 already there, 0 rejected'
is "a re-import prints nothing: no event logged" "$(cat "$T/out")" ''

# A mailer's log in JSON Lines: parties by ext_id and party_id; nested
# attributes; the event's own id is not read; the type comes from the file.
cat >mailer.jsonl <<'EOF'
{"ext_id":"A-1","event":"opened","timestamp":"2026-05-01T08:00:00Z","reference":"m-1","message_id":"x1","ua":{"os":"linux"}}
{"party_id":2,"id":999,"type":"clicked","at":"2026-05-01T09:00:00Z","ref":"m-2","attrs":{"link":"https://example.org/a"}}
{"party_id":"3","type":"bounced","at":"2026-05-02T09:00:00Z","ref":"m-3"}
EOF
ok "a mailer log" crm-log --import --channel email --campaign spring -q mailer.jsonl
is "the events, parties resolved" "$(sqlite3 "$CRM_DB" "SELECT party_id, type, channel, campaign, direction FROM event WHERE campaign = 'spring' ORDER BY id")" \
	"1|opened|email|spring|in
2|clicked|email|spring|in
3|bounced|email|spring|in"
is "a message id is no ref: an attribute" "$(sqlite3 "$CRM_DB" "SELECT json_extract(attrs, '$.message_id') FROM event WHERE ref = 'm-1'")" x1
is "a nested key kept whole" "$(sqlite3 "$CRM_DB" "SELECT json_extract(attrs, '$.ua.os') FROM event WHERE ref = 'm-1'")" linux
is "an attrs object kept" "$(sqlite3 "$CRM_DB" "SELECT json_extract(attrs, '$.link') FROM event WHERE ref = 'm-2'")" 'https://example.org/a'
is "the event's id is the store's, not the record's" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM event WHERE id = 999")" 0

# Options lie over every record, and win over the file.
printf 'email,type,at,ref\nbob@example.org,call,2026-06-01T10:00:00Z,c-1\n' >calls.csv
ok "an option over the file" crm-log --import --type note --set source=pbx calls.csv -q
is "the option's type won; the attribute set" \
	"$(sqlite3 "$CRM_DB" "SELECT type, json_extract(attrs, '$.source') FROM event WHERE ref = 'c-1'")" 'note|pbx'
exits 2 "a bad option value: exit 2 before reading" crm-log --import --channel pigeon calls.csv
exits 2 "--import with --contact: exit 2" crm-log --import --contact 1 calls.csv
exits 2 "--import with --list: exit 2" crm-log --import --list calls.csv
exits 2 "--rejects without --import: exit 2" crm-log --contact 1 --type note --rejects r.csv
exits 2 "--create-missing without --import: exit 2" crm-log --contact 1 --type note --create-missing
exits 2 "--map without --import: exit 2" crm-log --contact 1 --type note --map a=b
exits 2 "a missing file: exit 2" crm-log --import nosuch.csv
exits 2 "--map to no field: exit 2" crm-log --import --map 'Caller=nosuch' calls.csv
exits 2 "no input at all: exit 2" crm-log --import

# --map: a phone system's own headers.
printf 'Caller,When,Duration,Call\nbob@example.org,2026-06-02T10:00:00Z,125,x-9\n' >pbx.csv
ok "--map to event and party fields and attributes" \
	crm-log --import --type call --channel phone --map 'Caller=email,When=at,Duration=attrs.seconds,Call=ref' pbx.csv -q
is "the mapped call" "$(sqlite3 "$CRM_DB" "SELECT party_id, at, json_extract(attrs, '$.seconds') FROM event WHERE ref = 'x-9'")" \
	'2|2026-06-02T10:00:00Z|125'

# Bad records: all or nothing by default; --rejects keeps the good ones.
cat >mixed.csv <<'EOF'
email,type,at,amount,ref
ann@example.org,purchase,2026-07-01T10:00:00Z,10.00,r-1
nobody@example.org,purchase,2026-07-01T10:00:00Z,10.00,r-2
ann@example.org,purchase,2026-07-01T25:00:00Z,10.00,r-3
ann@example.org,purchase,2026-07-02T10:00:00Z,12.3456,r-4
,purchase,2026-07-02T10:00:00Z,1,r-5
ann@example.org,purchase,2026-07-02T10:00:00Z,1.23456,r-6
bad@,purchase,2026-07-02T10:00:00Z,1,r-7
EOF
before=$(all_dump)
exits 3 "a bad record: exit 3" crm-log --import mixed.csv
like "the error names file, line and reason" "$(cat "$T/err")" '^crm-log: mixed\.csv:3: no party with e-mail nobody@example\.org'
is "nothing written" "$(all_dump)" "$before"
ok "--rejects" crm-log --import --rejects rej.csv mixed.csv -q
is "the good records went in" "$(sqlite3 "$CRM_DB" "SELECT ref, amount FROM event WHERE ref LIKE 'r-%' ORDER BY ref")" 'r-1|100000
r-4|123456'
is "the rejects file: header, reason, record" "$(cat rej.csv)" "email,type,at,amount,ref
# mixed.csv:3: no party with e-mail nobody@example.org (--create-missing creates it)
nobody@example.org,purchase,2026-07-01T10:00:00Z,10.00,r-2
# mixed.csv:4: invalid time '2026-07-01T25:00:00Z' (ISO 8601, such as 2026-03-29T10:00:00+02:00, or 90d)
ann@example.org,purchase,2026-07-01T25:00:00Z,10.00,r-3
# mixed.csv:6: no party: an event record names it by party_id, email or ext_id
,purchase,2026-07-02T10:00:00Z,1,r-5
# mixed.csv:7: invalid amount '1.23456' (a decimal such as 1234.50, at most 4 decimals)
ann@example.org,purchase,2026-07-02T10:00:00Z,1.23456,r-6
# mixed.csv:8: invalid e-mail 'bad@'
bad@,purchase,2026-07-02T10:00:00Z,1,r-7"
is "the rejects file is 0600" "$(stat -c %a rej.csv)" 600
run crm-log --import --rejects rej2.csv mixed.csv
like "read = logged + already there + rejected" "$(cat "$T/err")" '7 read, 0 logged, 2 already there, 5 rejected'
exits 2 "--rejects onto the input: exit 2" crm-log --import --rejects mixed.csv mixed.csv
exits 2 "--rejects onto the store: exit 2" crm-log --import --rejects "$CRM_DB" mixed.csv
is "the input survived" "$(head -1 mixed.csv)" 'email,type,at,amount,ref'

# Hostile input: not UTF-8, ragged rows, bad JSON, a NUL byte.
printf 'email,type,at\nann@example.org,note,2026-01-01\xe9\n' >latin1.csv
exits 3 "invalid UTF-8: exit 3" crm-log --import latin1.csv
like "invalid UTF-8: line and field" "$(cat "$T/err")" "latin1\.csv:2: invalid UTF-8 in field 'at'"
printf 'email,type\nann@example.org,note,extra\n' >ragged.csv
exits 3 "a ragged row: exit 3" crm-log --import ragged.csv
printf '{"email":"ann@example.org","type":"note",\n' >bad.jsonl
exits 3 "bad JSON: exit 3" crm-log --import bad.jsonl
printf '{"email":"ann@example.org","type":["note"]}\n' >arr.jsonl
exits 3 "a type that is no string: exit 3" crm-log --import arr.jsonl
like "says which field" "$(cat "$T/err")" "field 'type' must be a string"
printf 'email,type,subject\nann@example.org,note,Grüße\n' | iconv -f UTF-8 -t UTF-16 >utf16.csv
ok "UTF-16 with a byte-order mark is decoded" crm-log --import -q utf16.csv
is "and stored in UTF-8" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM event WHERE subject = 'Grüße'")" 1
printf 'email,type,subject\nann@example.org,note,Caf\xe9 cr\xe8me\n' >cp1252.csv
exits 3 "Windows-1252 without --encoding: exit 3" crm-log --import cp1252.csv
like "names the option" "$(cat "$T/err")" 'cp1252\.csv:2: .*--encoding cp1252'
ok "--encoding cp1252" crm-log --import -q --encoding cp1252 cp1252.csv
is "decoded" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM event WHERE subject = 'Café crème'")" 1
exits 2 "--encoding without --import: exit 2" crm-log --encoding cp1252 --contact ann@example.org --type note
printf 'email,type,subject,at\nann@example.org,note,"=HYPERLINK(""x"")",2026-01-01T00:00:00Z\n' >formula.csv
ok "a formula-like subject is data" crm-log --import formula.csv -q
is "kept verbatim in the store" "$(sqlite3 "$CRM_DB" "SELECT subject FROM event WHERE subject LIKE '=HYP%'")" '=HYPERLINK("x")'

# --create-missing: a lead, unless the record says; needs an e-mail or ext_id.
printf 'email,name,kind,type,at,ref\ndan@example.org,Dan Oak,,call,2026-08-01T10:00:00Z,k-1\neve@example.org,Eve Elm,prospect,call,2026-08-01T11:00:00Z,k-2\nDAN@example.org,,,call,2026-08-02T10:00:00Z,k-3\n' >new.csv
printf 'party_id,type,at\n999,call,2026-08-01T10:00:00Z\n' >byid.csv
exits 3 "an unknown party_id: exit 3 even with --create-missing" crm-log --import --create-missing byid.csv
like "says which party" "$(cat "$T/err")" 'byid\.csv:2: no party 999'
before=$(all_dump)
ok "--create-missing --dry-run" crm-log --import --create-missing --dry-run new.csv
like "a dry run counts" "$(cat "$T/err")" 'dry run, nothing written: 3 read, 3 logged, 0 already there, 0 rejected; 2 parties created'
is "a dry run writes nothing" "$(all_dump)" "$before"
ok "--create-missing" crm-log --import --create-missing new.csv -q
is "the new parties" "$(crm-find --fields email,name,kind email=dan@example.org email=eve@example.org --or 2>/dev/null | jq -c . ; sqlite3 "$CRM_DB" "SELECT email, name, kind FROM party WHERE email IN ('dan@example.org', 'eve@example.org') ORDER BY email")" \
	"$(sqlite3 "$CRM_DB" "SELECT 1 WHERE 0")dan@example.org|Dan Oak|lead
eve@example.org|Eve Elm|prospect"
is "Dan's two calls on one party" "$(sqlite3 "$CRM_DB" "SELECT count(DISTINCT party_id), count(*) FROM event WHERE ref IN ('k-1', 'k-3')")" '1|2'
exits 3 "without --create-missing an unknown party is refused" \
	sh -c 'printf "email,type\nfay@example.org,note\n" | crm-log --import'
d=$T/fresh/crm.db
exits 4 "no store, no --create-missing: exit 4" crm-log --db "$d" --import new.csv
ok "no store, --create-missing --dry-run" crm-log --db "$d" --import --create-missing --dry-run new.csv
is "the dry run created no store" "$(ls "$T/fresh" 2>/dev/null)" ""
ok "no store, --create-missing: made" crm-log --db "$d" --import --create-missing new.csv -q
is "a new store with its parties" "$(sqlite3 "$d" 'SELECT count(*) FROM party; SELECT count(*) FROM event')" '2
3'
# A party created for a purchase is a customer; --no-promote leaves it a lead.
printf 'email,type,amount,at,ref\ngus@example.org,purchase,10,2026-08-03T10:00:00Z,g-1\nhal@example.org,refund,10,2026-08-03T10:00:00Z,h-1\n' >buy.csv
ok "--create-missing with a purchase" crm-log --db "$d" --import --create-missing buy.csv -q
is "its buyer a customer, the refunded a lead" \
	"$(sqlite3 "$d" "SELECT email, kind FROM party WHERE email IN ('gus@example.org', 'hal@example.org') ORDER BY email")" \
	'gus@example.org|customer
hal@example.org|lead'
printf 'email,type,amount,at,ref\nivy@example.org,purchase,10,2026-08-03T10:00:00Z,i-1\ndan@example.org,purchase,10,2026-08-04T10:00:00Z,k-9\n' >buy2.csv
ok "--import --no-promote" crm-log --db "$d" --import --create-missing --no-promote buy2.csv -q
is "--no-promote: buyers stay leads" \
	"$(sqlite3 "$d" "SELECT email, kind FROM party WHERE email IN ('dan@example.org', 'ivy@example.org') ORDER BY email")" \
	'dan@example.org|lead
ivy@example.org|lead'
ok "a stored lead's purchase imported" crm-log --db "$d" --import -q buy2.csv
like "already there: no new purchase" "$(sqlite3 "$d" "SELECT count(*) FROM event WHERE ref IN ('i-1', 'k-9')")" '^2$'
is "a purchase already there makes nobody a customer" \
	"$(sqlite3 "$d" "SELECT group_concat(kind) FROM party WHERE email IN ('dan@example.org', 'ivy@example.org')")" 'lead,lead'
printf 'email,type,amount,at,ref\ndan@example.org,purchase,15,2026-08-05T10:00:00Z,k-10\n' >buy3.csv
ok "a new purchase of a stored lead" crm-log --db "$d" --import -q buy3.csv
is "the stored lead is a customer" "$(sqlite3 "$d" "SELECT kind FROM party WHERE email = 'dan@example.org'")" customer

# Without a ref, a dated record gets one made of its fields: idempotent.
printf 'email,type,at,subject\nbob@example.org,note,2026-09-01T10:00:00Z,hello\nbob@example.org,note,2026-09-01T10:00:00Z,hello again\n' >noref.csv
ok "records without ref" crm-log --import noref.csv -q
ok "the same again" crm-log --import noref.csv
like "nothing new the second time" "$(cat "$T/err")" '2 read, 0 logged, 2 already there'
like "the made ref" "$(sqlite3 "$CRM_DB" "SELECT ref FROM event WHERE subject = 'hello'")" '^auto:[0-9a-f]{32}$'
is "two subjects, two refs" "$(sqlite3 "$CRM_DB" "SELECT count(DISTINCT ref) FROM event WHERE subject LIKE 'hello%'")" 2
printf 'email,type\nbob@example.org,note\n' >undated.csv
ok "an undated record" crm-log --import undated.csv -q
ok "an undated record again" crm-log --import undated.csv -q
is "undated records are logged now, each time" "$(sqlite3 "$CRM_DB" "SELECT count(*), count(ref) FROM event WHERE party_id = 2 AND type = 'note' AND ref IS NULL")" '2|0'

# Time zones: local times follow TZ; a wall time skipped by DST is refused.
printf 'email,type,at,ref\ncleo@example.org,call,2026-07-01 12:00,tz-1\n' >local.csv
ok "a local time" env TZ=Europe/Paris crm-log --import local.csv -q
is "stored in UTC" "$(sqlite3 "$CRM_DB" "SELECT at FROM event WHERE ref = 'tz-1'")" '2026-07-01T10:00:00Z'
printf 'email,type,at,ref\ncleo@example.org,call,2026-03-29 02:30,tz-2\n' >gap.csv
exits 3 "a time in the DST gap: exit 3" env TZ=Europe/Paris crm-log --import gap.csv

# The pipe: events listed from one store, imported into another.
crm-find --format csv | crm-add -q --db "$T/copy.db" 2>/dev/null
crm-log --list --reverse --format csv >all.csv
ok "crm-log --list | crm-log --import" sh -c "crm-log --list --reverse | crm-log --db '$T/copy.db' --import -q"
# (Two notes logged in the same second with the same fields become one.)
q='SELECT DISTINCT party_id, at, type, amount, currency, subject, attrs FROM event ORDER BY 1, 2, 3, 6'
is "the copy has the same events" "$(sqlite3 "$T/copy.db" "$q")" "$(sqlite3 "$CRM_DB" "$q")"
is "with their refs" "$(sqlite3 "$T/copy.db" "SELECT ref FROM event WHERE ref NOT LIKE 'auto:%' ORDER BY 1")" \
	"$(sqlite3 "$CRM_DB" "SELECT ref FROM event WHERE ref NOT LIKE 'auto:%' ORDER BY 1")"
ok "the CSV listing imports too" crm-log --db "$T/copy.db" --import all.csv
like "and adds nothing" "$(cat "$T/err")" ' 0 logged,'

# Facts merged at commit equal facts computed from all events.
facts_now() { sqlite3 "$1" 'SELECT party_id, last_activity, last_inbound, first_purchase, last_purchase, purchases, revenue, revenue_currency, open_tasks FROM party_fact ORDER BY 1'; }
facts_want() {
	sqlite3 "$1" "SELECT party_id, max(CASE WHEN type <> 'task' THEN at END),
	  max(CASE WHEN direction = 'in' THEN at END),
	  min(CASE WHEN type = 'purchase' THEN at END), max(CASE WHEN type = 'purchase' THEN at END),
	  sum(type = 'purchase'),
	  CASE WHEN count(DISTINCT CASE WHEN type IN ('purchase', 'refund') THEN currency END) = 1
	   THEN sum(CASE WHEN type = 'purchase' THEN amount WHEN type = 'refund' THEN -amount END) END,
	  CASE WHEN count(DISTINCT CASE WHEN type IN ('purchase', 'refund') THEN currency END) = 1
	   THEN max(CASE WHEN type IN ('purchase', 'refund') THEN currency END) END,
	  sum(type = 'task' AND status = 'open')
	  FROM event GROUP BY party_id ORDER BY 1"
}
is "facts after the imports" "$(facts_now "$CRM_DB")" "$(facts_want "$CRM_DB")"
# Currencies that mix across imports, refunds, tasks, in several runs.
f=$T/facts.db
crm-add -q --db "$f" --no-stdin --name X --email x0@example.org 2>/dev/null
awk 'BEGIN { srand(7); print "email,type,at,amount,currency,ref,status";
	for (i = 0; i < 600; i++) {
		p = int(rand() * 40); t = rand(); cur = rand() < 0.1 ? "USD" : "EUR";
		ty = t < 0.5 ? "purchase" : t < 0.6 ? "refund" : t < 0.8 ? "task" : "opened";
		amt = ty == "purchase" || ty == "refund" ? sprintf("%d.%02d", int(rand() * 500), int(rand() * 100)) : "";
		if (ty == "purchase" && rand() < 0.05) amt = "";
		printf "p%d@example.org,%s,2026-%02d-%02dT%02d:00:00Z,%s,%s,e%d,%s\n", p, ty,
			1 + int(rand() * 12), 1 + int(rand() * 28), int(rand() * 24), amt,
			amt == "" ? "" : cur, i, ty == "task" ? (rand() < 0.5 ? "open" : "done") : ""
	} }' >rand.csv
head -1 rand.csv >r1.csv; sed -n '2,201p' rand.csv >>r1.csv
head -1 rand.csv >r2.csv; sed -n '202,401p' rand.csv >>r2.csv
head -1 rand.csv >r3.csv; sed -n '402,601p' rand.csv >>r3.csv
ok "random events, run 1" crm-log --db "$f" --import --create-missing -q r1.csv
is "facts after run 1" "$(facts_now "$f")" "$(facts_want "$f")"
ok "random events, runs 2 and 3 in one import" crm-log --db "$f" --import --create-missing -q r2.csv r3.csv
is "facts after runs 2 and 3" "$(facts_now "$f")" "$(facts_want "$f")"
like "some revenue in mixed currencies is none" "$(sqlite3 "$f" 'SELECT count(*) FROM party_fact WHERE purchases > 0 AND revenue IS NULL')" '^[1-9]'
id=$(sqlite3 "$f" "SELECT id FROM event WHERE type = 'task' AND status = 'open' LIMIT 1")
ok "a task done" crm-log --db "$f" --done "$id"
is "facts after a task is done" "$(facts_now "$f")" "$(facts_want "$f")"

# --- The event types of mailing services and shops -----------------------------
m=$T/types.db
crm-add -q --db "$m" --no-stdin --name 'Mia Chen' --email mia@example.org 2>/dev/null
cat >mailer.csv <<'EOF'
Email Address,Action,Timestamp,Campaign
mia@example.org,sent,2026-05-01 08:00:00 +0200,may
mia@example.org,open,2026-05-01 09:00:00 +0200,may
mia@example.org,click,2026-05-01 09:01:00 +0200,may
mia@example.org,hardBounce,2026-05-02 09:00:00 +0200,may
mia@example.org,Soft Bounce,2026-05-02 09:00:01 +0200,may
mia@example.org,unsub,2026-05-03 09:00:00 +0200,may
mia@example.org,SPAMREPORT,2026-05-03 09:00:01 +0200,may
mia@example.org,requests,2026-05-04 09:00:00 +0200,may
mia@example.org,DELIVERED,2026-05-04 09:00:01 +0200,may
mia@example.org,opend,2026-05-05 09:00:00 +0200,may
mia@example.org,opend,2026-05-05 09:00:01 +0200,may
mia@example.org,webinar,2026-05-05 09:00:02 +0200,may
EOF
ok "a mailing service's log, its own words for the types" \
	crm-log --db "$m" --import --map 'Action=type' -q mailer.csv
is "its words read as the toolkit's types, the word kept as source_type" \
	"$(sqlite3 "$m" "SELECT type || ':' || coalesce(json_extract(attrs, '$.source_type'), '') FROM event ORDER BY at" | paste -sd, -)" \
	'sent:,opened:open,clicked:click,bounced:hardBounce,bounced:Soft Bounce,unsubscribed:unsub,unsubscribed:SPAMREPORT,sent:requests,delivered:,opend:,opend:,webinar:'
is "an unknown type is said once, with the nearest known one" \
	"$(grep -c "crm-log: mailer.csv: type 'opend' is not a known type (nearest: opened); kept as given" "$T/err")" 1
is "one far from all is said once, without" \
	"$(grep -c "crm-log: mailer.csv: type 'webinar' is not a known type; kept as given" "$T/err")" 1
is "known and mapped types are not said" "$(grep -c 'not a known type' "$T/err")" 2
run crm-report --db "$m" campaign may --format json
is "the campaign report counts the opens, clicks and bounces" "$(jq -c '.[0] | [.opened, .clicked, .bounced]' "$T/out")" '[1,1,1]'
printf 'email,type,at\nmia@example.org,open,2026-05-06T10:00:00Z\n' >one.csv
ok "--type Open laid over every record is mapped too" crm-log --db "$m" --import --type Open -q one.csv
is "as opened" "$(sqlite3 "$m" "SELECT type FROM event WHERE at = '2026-05-06T10:00:00Z'")" opened
printf '{"email":"mia@example.org","event":"clicks","at":"2026-05-07T10:00:00Z"}\n' >clicks.jsonl
ok "JSON Lines: its event's word mapped" crm-log --db "$m" --import -q clicks.jsonl
is "as clicked" "$(sqlite3 "$m" "SELECT type FROM event WHERE at = '2026-05-07T10:00:00Z'")" clicked

# --- Offsets, as shops write them, everywhere times are read --------------------
o=$T/offsets.db
crm-add -q --db "$o" --no-stdin --name 'Ola Berg' --email ola@example.org 2>/dev/null
cat >offsets.csv <<'EOF'
email,type,at,ref
ola@example.org,note,2024-02-16 16:53:00 +0100,basic
ola@example.org,note,2024-02-16T16:53:00+0100,basic-t
ola@example.org,note,2024-02-16 16:53:00 +01:00,extended
ola@example.org,note,2024-02-16 16:53:00+01,hours
ola@example.org,note,2024-02-16 16:53:00 Z,zulu
ola@example.org,note,2024-02-16 10:53:00 -0500,west
ola@example.org,note,2024-03-10 02:30:00 -0500,dst-gap-in-new-york
ola@example.org,note,2024-10-27 02:30:00 +0100,dst-repeat-in-paris
ola@example.org,note,2024-02-16 21:23:00 +05:30,india
EOF
ok "offsets +hhmm, +hh:mm, +hh, Z, after a space or not" \
	env TZ=America/New_York crm-log --db "$o" --import -q offsets.csv
is "each read as its UTC time, whatever TZ" "$(sqlite3 "$o" "SELECT ref || '=' || at FROM event ORDER BY ref" | paste -sd' ' -)" \
	'basic=2024-02-16T15:53:00Z basic-t=2024-02-16T15:53:00Z dst-gap-in-new-york=2024-03-10T07:30:00Z dst-repeat-in-paris=2024-10-27T01:30:00Z extended=2024-02-16T15:53:00Z hours=2024-02-16T15:53:00Z india=2024-02-16T15:53:00Z west=2024-02-16T15:53:00Z zulu=2024-02-16T16:53:00Z'
printf 'email,type,at\nola@example.org,note,2024-02-16 16:53:00 +2500\n' >badoff.csv
exits 3 "an offset of 25 hours is refused" crm-log --db "$o" --import -q badoff.csv
is "with the file, the line and the offset" "$(cat "$T/err")" \
	"crm-log: badoff.csv:2: invalid offset '+2500' in time '2024-02-16 16:53:00 +2500' (-18:00 to +18:00)"
printf 'email,type,at\nola@example.org,note,2024-02-16 16:53:00 +01:60\n' >badmin.csv
exits 3 "minutes of 60 in an offset are refused" crm-log --db "$o" --import -q badmin.csv
exits 2 "two spaces before the offset are refused (a bad option value)" \
	crm-log --db "$o" --contact ola@example.org --type note --at '2024-02-16 16:53:00  +0100' -q
ok "--at reads an offset after a space" \
	crm-log --db "$o" --contact ola@example.org --type note --ref at-flag --at '2024-02-17 08:00 -0330' -q
is "as UTC" "$(sqlite3 "$o" "SELECT at FROM event WHERE ref = 'at-flag'")" 2024-02-17T11:30:00Z
ok "--since reads one too" crm-log --db "$o" --list --since '2024-02-17 11:00:00 +0000' --until '2024-02-18 00:00 Z' --fields ref
is "and lists from then" "$(jq -r .ref "$T/out")" at-flag

# --- --map naming a column the header does not have ----------------------------
mp=$T/map.db
crm-add -q --db "$mp" --no-stdin --name 'Max Roy' --email max@example.org 2>/dev/null
printf ' Name ,Email,Type,Date\nOrder 7,max@example.org,call,2026-02-01T10:00:00Z\n' >named.csv
printf 'Ref,Email,Type,Date\nr-1,max@example.org,call,2026-02-02T10:00:00Z\n' >reffed.csv
before=$(sqlite3 "$mp" 'SELECT count(*) FROM event; SELECT count(*) FROM party')
exits 2 "crm-log --import --map 'Nme=ref': exit 2" crm-log --db "$mp" --import --map 'Nme=ref' named.csv
is "naming the column and the header" "$(cat "$T/err")" \
	"crm-log: named.csv:1: --map: no column 'Nme' in the header (Name, Email, Type, Date)"
exits 2 "in the second input: exit 2, the first not written" \
	crm-log --db "$mp" --import --map 'Ref=ref' -q reffed.csv named.csv
is "naming that input" "$(cat "$T/err")" \
	"crm-log: named.csv:1: --map: no column 'Ref' in the header (Name, Email, Type, Date)"
is "nothing written" "$(sqlite3 "$mp" 'SELECT count(*) FROM event; SELECT count(*) FROM party')" "$before"
ok "a column there, in another case, with spaces around it in the header" \
	crm-log --db "$mp" --import --map 'name=ref' -q named.csv
is "is read as mapped" "$(sqlite3 "$mp" 'SELECT ref FROM event')" 'Order 7'
exits 2 "crm-add --map 'Nme=name': exit 2" crm-add --db "$mp" --map 'Nme=name' named.csv
is "naming the column and the header, and nothing else" "$(cat "$T/err")" \
	"crm-add: named.csv:1: --map: no column 'Nme' in the header (Name, Email, Type, Date)"
is "nothing written by crm-add" "$(sqlite3 "$mp" 'SELECT count(*) FROM party')" 1
printf '{"email":"max@example.org","type":"call","at":"2026-02-03T10:00:00Z","Name":"n-1"}\n{"email":"max@example.org","type":"call","at":"2026-02-04T10:00:00Z"}\n' >named.jsonl
exits 2 "JSON Lines: a --map key that no record has: exit 2" \
	crm-log --db "$mp" --import --map 'Nme=ref' named.jsonl
is "said at the end, naming the key" "$(cat "$T/err")" "crm-log: named.jsonl:2: --map: no key 'Nme' in any record"
is "nothing written" "$(sqlite3 "$mp" 'SELECT count(*) FROM event')" 1
ok "a key one record has" crm-log --db "$mp" --import --map 'name=ref' -q named.jsonl
printf '{"email":"zoe@example.org","Name":"Zoe"}\n' >people.jsonl
exits 2 "crm-add: a --map key that no record has: exit 2" crm-add --db "$mp" --map 'Nme=name' people.jsonl
is "nobody added" "$(sqlite3 "$mp" 'SELECT count(*) FROM party')" 1

finish
