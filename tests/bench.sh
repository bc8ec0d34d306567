#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/bench.sh BUILD: import and lookup figures for the crm toolkit, each
# next to the sqlite3 shell doing the same work on an equivalent schema.
# N parties (default 1000000), E events (default 10 N; 0 for none), RUNS
# runs of each import (default 3); the figures are medians.  KEEP=1 keeps
# the stores in the directory it names at the start.  Prints figures only:
# it asserts nothing.
set -eu
# Standard input is no record stream here, whatever ran this script.
exec </dev/null
bin=$(cd "${1:-build}" && pwd)
N=${N:-1000000}
RUNS=${RUNS:-3}
E=${E:-$((N * 10))}
LOOKUPS=${LOOKUPS:-21}
SRUNS=${SRUNS:-$RUNS}
dir=$(mktemp -d "${TMPDIR:-/tmp}/crm-bench.XXXXXX")
[ -n "${KEEP:-}" ] || trap 'rm -rf "$dir"' EXIT
export LC_ALL=C

# Invented parties in the toolkit's own CSV shape.
gen() {
	awk -v n="$1" 'BEGIN {
	split("Paris Lyon Marseille Lille Nantes Bordeaux Toulouse Nice Rennes Strasbourg", c, " ")
	split("Jean Marie Pierre Élodie Lucas Chloé Hugo Léa Louis Emma", f, " ")
	split("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau", l, " ")
	print "first_name,last_name,email,phone,org,city,postcode,country,kind,tags,notes"
	for (i = 1; i <= n; i++) {
		la = l[1 + int(i / 10) % 10]
		printf "%s,%s,%s.%d@example.com,+33 6 %02d %02d %02d %02d,Company %d,%s,%05d,FR,%s,%s,\"Met at fair %d; likes product %d\"\n",
		    f[1 + i % 10], la, tolower(la), i, i % 100, int(i / 100) % 100, int(i / 10000) % 100,
		    i % 97, i % 5000, c[1 + i % 10], 75000 + i % 1000, (i % 3 ? "customer" : "prospect"),
		    (i % 7 ? "" : "vip"), i, i % 50
	}}' > "$2"
}

# median of the numbers on stdin
median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }

# seconds CMD...: wall-clock seconds of one run
seconds() {
	perl -MTime::HiRes=time -e '$t = time; system(@ARGV) == 0 or exit 1; printf "%.4f\n", time - $t' "$@"
}

# peak resident memory of CMD in MiB
peak_mib() {
	/usr/bin/time -f '%M' -o "$dir/rss" "$@" >/dev/null 2>&1
	awk '{ printf "%.0f\n", $1 / 1024 }' "$dir/rss"
}

# lookup_ms CMD...: median whole-process time of LOOKUPS runs, in ms
lookup_ms() {
	perl -MTime::HiRes=time -e '
		my $n = shift; my @t;
		open(my $keep, ">&", \*STDOUT) or die;
		open(STDOUT, ">", "/dev/null") or die;
		for (1 .. $n) { my $s = time; system(@ARGV); push @t, (time - $s) * 1000 }
		open(STDOUT, ">&", $keep) or die;
		@t = sort { $a <=> $b } @t; printf "%.2f\n", $t[$#t / 2]' "$LOOKUPS" "$@"
}

[ -z "${KEEP:-}" ] || echo "bench: keeping $dir" >&2
echo "crm bench: N=$N parties, $RUNS runs, medians; $(nproc) cores; $(sqlite3 --version | cut -d' ' -f1) shell"
gen "$N" "$dir/p.csv"
echo "input: $(du -m "$dir/p.csv" | cut -f1) MiB CSV"

# The shell's equivalent: the toolkit's own schema, a unique index on the
# lowered e-mail for the upsert, and triggers that keep the full-text index.
"$bin/crm-add" --db "$dir/schema.db" -q --no-stdin --name x
schema=$(sqlite3 "$dir/schema.db" .schema | grep -v 'party_fts_[a-z]*(\|sqlite_')
fts_config=$(sqlite3 "$dir/schema.db" "SELECT group_concat(printf('INSERT INTO party_fts (party_fts, rank) VALUES (%Q, %s);', k, v), char(10)) FROM party_fts_config WHERE k <> 'version'")
cat > "$dir/shell.sql" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA secure_delete = ON;
PRAGMA foreign_keys = ON;
PRAGMA cache_size = -65536;
$schema
@CONFIG@
DROP INDEX party_email;
CREATE UNIQUE INDEX party_email ON party (email_norm);
CREATE TRIGGER party_fts_ai AFTER INSERT ON party BEGIN
 INSERT INTO party_fts (rowid, name, first_name, last_name, email, org, city, notes)
 VALUES (new.id, new.name, new.first_name, new.last_name, new.email, new.org, new.city, new.notes); END;
CREATE TRIGGER party_fts_au AFTER UPDATE ON party BEGIN
 INSERT INTO party_fts (party_fts, rowid, name, first_name, last_name, email, org, city, notes)
 VALUES ('delete', old.id, old.name, old.first_name, old.last_name, old.email, old.org, old.city, old.notes);
 INSERT INTO party_fts (rowid, name, first_name, last_name, email, org, city, notes)
 VALUES (new.id, new.name, new.first_name, new.last_name, new.email, new.org, new.city, new.notes); END;
.import --csv $dir/p.csv staging
BEGIN;
INSERT INTO party (type, kind, name, first_name, last_name, email, phone, org, city,
 postcode, country, notes, created, updated, email_norm, phone_norm)
 SELECT 'person', kind, first_name || ' ' || last_name, first_name, last_name, email,
 phone, org, city, postcode, country, notes, strftime('%Y-%m-%dT%H:%M:%SZ'),
 strftime('%Y-%m-%dT%H:%M:%SZ'), lower(trim(email)), '+' || replace(replace(phone, ' ', ''), '+', '')
 FROM staging WHERE true
 ON CONFLICT (email_norm) DO UPDATE SET name = excluded.name, first_name = excluded.first_name,
 last_name = excluded.last_name, email = excluded.email, phone = excluded.phone, org = excluded.org,
 city = excluded.city, postcode = excluded.postcode, country = excluded.country,
 notes = excluded.notes, updated = excluded.updated, phone_norm = excluded.phone_norm;
INSERT OR IGNORE INTO party_tag (party_id, tag)
 SELECT p.id, s.tags FROM staging s JOIN party p ON p.email_norm = lower(trim(s.email))
 WHERE s.tags <> '';
DROP TABLE staging;
COMMIT;
SQL

# Two shell runs: SQLite's default full-text settings, and the store's own
# (what crm-add's store sets in party_fts_config).
sed 's/@CONFIG@//' "$dir/shell.sql" > "$dir/shell-default.sql"
awk -v c="$fts_config" '{ if ($0 == "@CONFIG@") print c; else print }' "$dir/shell.sql" > "$dir/shell-tuned.sql"

ours=""; plain=""; tuned=""
for r in $(seq "$RUNS"); do
	rm -f "$dir"/c.db*; ours="$ours $(seconds "$bin/crm-add" --db "$dir/c.db" -q "$dir/p.csv")"
	rm -f "$dir"/s.db*; tuned="$tuned $(seconds sh -c "sqlite3 '$dir/s.db' < '$dir/shell-tuned.sql' >/dev/null")"
	rm -f "$dir"/s.db*; plain="$plain $(seconds sh -c "sqlite3 '$dir/s.db' < '$dir/shell-default.sql' >/dev/null")"
done
o=$(echo $ours | tr ' ' '\n' | median)
p=$(echo $plain | tr ' ' '\n' | median)
t=$(echo $tuned | tr ' ' '\n' | median)
c1=$(sqlite3 "$dir/c.db" 'SELECT count(*) FROM party'); c2=$(sqlite3 "$dir/s.db" 'SELECT count(*) FROM party')
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }
printf 'import    crm-add %8.2f s  (%.0f rows/s, %s parties)\n' "$o" "$(echo "$N $o" | awk '{ print $1 / $2 }')" "$c1"
printf 'import    sqlite3 %8.2f s  default FTS5 settings (%s parties)   ratio crm/sqlite3 %s\n' "$p" "$c2" "$(ratio "$o" "$p")"
printf 'import    sqlite3 %8.2f s  the store'"'"'s FTS5 settings           ratio crm/sqlite3 %s\n' "$t" "$(ratio "$o" "$t")"

mid=$((N / 2 + 1))
email=$(awk -v i="$mid" 'BEGIN { split("martin bernard dubois thomas robert richard petit durand leroy moreau", l, " "); print l[1 + int(i / 10) % 10] "." i "@example.com" }')
a=$(lookup_ms "$bin/crm-find" --db "$dir/c.db" "email=$email")
b=$(lookup_ms sqlite3 "$dir/s.db" "SELECT * FROM party WHERE email_norm = lower(trim('$email'))")
[ "$("$bin/crm-find" --db "$dir/c.db" --count "email=$email")" = 1 ] || echo "bench: $email is not in the store" >&2
printf 'by e-mail crm-find %7.2f ms  sqlite3 %7.2f ms  ratio %.2f  (whole process, median of %s)\n' "$a" "$b" "$(echo "$a $b" | awk '{ print $1 / $2 }')" "$LOOKUPS"
a=$(lookup_ms "$bin/crm-find" --db "$dir/c.db" "$mid")
b=$(lookup_ms sqlite3 "$dir/s.db" "SELECT * FROM party WHERE id IN (SELECT rowid FROM party_fts WHERE party_fts MATCH '\"$mid\"')")
printf 'full text crm-find %7.2f ms  sqlite3 %7.2f ms  ratio %.2f\n' "$a" "$b" "$(echo "$a $b" | awk '{ print $1 / $2 }')"
a=$(lookup_ms "$bin/crm-find" --db "$dir/c.db" --count élodie)
b=$(lookup_ms sqlite3 "$dir/s.db" "SELECT count(*) FROM party WHERE id IN (SELECT rowid FROM party_fts WHERE party_fts MATCH '\"élodie\"')")
printf 'text, %s hits crm-find --count %7.2f ms  sqlite3 %7.2f ms\n' "$("$bin/crm-find" --db "$dir/c.db" --count élodie)" "$a" "$b"

# The same people as a Google Contacts export: 34 columns, the labels of
# e-mails and phones, Google's own label, an address in parts.
awk -F, 'NR == 1 {
	print "First Name,Middle Name,Last Name,Phonetic First Name,Phonetic Middle Name,Phonetic Last Name,Name Prefix,Name Suffix,Nickname,File As,Organization Name,Organization Title,Organization Department,Birthday,Notes,Photo,Labels,E-mail 1 - Label,E-mail 1 - Value,Phone 1 - Label,Phone 1 - Value,Address 1 - Label,Address 1 - Formatted,Address 1 - Street,Address 1 - City,Address 1 - PO Box,Address 1 - Region,Address 1 - Postal Code,Address 1 - Country,Address 1 - Extended Address,Website 1 - Label,Website 1 - Value,Relation 1 - Label,Relation 1 - Value"
	next }
	{ n = $0; sub(/^[^"]*"/, "", n); sub(/"$/, "", n)
	  printf "%s,,%s,,,,,,,,%s,,,,\"%s\",,* myContacts%s,* Work,%s,Mobile,%s,Work,,,%s,,,%s,%s,,,,,\n",
	      $1, $2, $5, n, ($10 == "" ? "" : " ::: " $10), $3, $4, $6, $7, $8 }' "$dir/p.csv" > "$dir/g.csv"
ours=""; goog=""
for r in $(seq "$RUNS"); do
	rm -f "$dir"/g1.db*; ours="$ours $(seconds "$bin/crm-add" --db "$dir/g1.db" -q "$dir/p.csv")"
	rm -f "$dir"/g2.db*; goog="$goog $(seconds sh -c "'$bin/crm-add' --db '$dir/g2.db' -q '$dir/g.csv' 2>/dev/null")"
done
o=$(echo $ours | tr ' ' '\n' | median); g=$(echo $goog | tr ' ' '\n' | median)
printf 'import    Google Contacts export %7.2f s  the toolkit'"'"'s own CSV %7.2f s  ratio %s  (%s and %s parties)\n' "$g" "$o" \
	"$(ratio "$g" "$o")" "$(sqlite3 "$dir/g2.db" 'SELECT count(*) FROM party')" "$(sqlite3 "$dir/g1.db" 'SELECT count(*) FROM party')"
rm -f "$dir"/g1.db* "$dir"/g2.db*

if [ -x /usr/bin/time ]; then
	small=$((N / 10))
	gen "$small" "$dir/small.csv"
	rm -f "$dir"/m.db*; m1=$(peak_mib "$bin/crm-add" --db "$dir/m.db" -q "$dir/small.csv")
	rm -f "$dir"/m.db*; m2=$(peak_mib "$bin/crm-add" --db "$dir/m.db" -q "$dir/p.csv")
	printf 'peak memory crm-add: %s MiB at %s parties, %s MiB at %s\n' "$m1" "$small" "$m2" "$N"
fi
echo "store: $(du -m "$dir/c.db" | cut -f1) MiB (crm), $(du -m "$dir/s.db" | cut -f1) MiB (sqlite3 shell)"

[ "$E" -gt 0 ] || exit 0

# Events: a shop's orders, a mailer's opens and clicks, calls, over the
# parties above, named by e-mail, each with its own reference.
awk -v n="$N" -v e="$E" 'BEGIN {
	print "email,type,at,channel,amount,currency,ref,campaign,due,assignee"
	split("Martin Bernard Dubois Thomas Robert Richard Petit Durand Leroy Moreau", l, " ")
	srand(12345)
	for (i = 1; i <= e; i++) {
		p = 1 + int(rand() * n); t = int(rand() * 10)
		ty = t < 3 ? "purchase" : t < 7 ? "opened" : t < 9 ? "clicked" : i % 50 ? "call" : "task"
		ch = ty == "call" ? "phone" : ty == "purchase" ? "web" : ty == "task" ? "" : "email"
		printf "%s.%d@example.com,%s,%04d-%02d-%02dT%02d:%02d:00Z,%s,%s,%s,o%d,%s,%s,%s\n",
		    tolower(l[1 + int(p / 10) % 10]), p, ty, 2024 + i % 3, 1 + i % 12, 1 + i % 28,
		    i % 24, i % 60, ch, ty == "purchase" ? sprintf("%d.%02d", 5 + i % 200, i % 100) : "",
		    ty == "purchase" ? "EUR" : "", i, ch == "email" ? sprintf("c%02d", 1 + i % 12) : "",
		    ty == "task" ? sprintf("2026-%02d-%02d", 1 + i % 12, 1 + i % 28) : "",
		    ty == "task" ? sprintf("agent%d", i % 7) : ""
	}}' > "$dir/e.csv"
echo "events: $E, $(du -m "$dir/e.csv" | cut -f1) MiB CSV, over the $N parties"

# The shell's equivalent: stage the file, resolve parties by the lowered
# e-mail, insert with the same indexes and unique references, then the
# facts per party in one aggregate (SQLite's own plan, and a plain scan).
cat > "$dir/events.sql" <<SQL
PRAGMA journal_mode = WAL;
PRAGMA synchronous = NORMAL;
PRAGMA foreign_keys = ON;
PRAGMA cache_size = -65536;
.import --csv $dir/e.csv staging
BEGIN;
@DROP@
INSERT INTO event (party_id, at, channel, type, direction, amount, currency, ref, campaign, due, assignee, status, created)
 SELECT p.id, s.at, nullif(s.channel, ''), s.type, CASE WHEN s.type IN ('purchase', 'opened', 'clicked') THEN 'in' END,
 CASE WHEN s.amount <> '' THEN CAST(round(s.amount * 10000) AS INTEGER) END, nullif(s.currency, ''),
 s.ref, nullif(s.campaign, ''), nullif(s.due, ''), nullif(s.assignee, ''),
 CASE WHEN s.type = 'task' THEN 'open' END, strftime('%Y-%m-%dT%H:%M:%SZ')
 FROM staging s JOIN party p ON p.email_norm = lower(trim(s.email)) WHERE true
 ON CONFLICT (party_id, type, ref) WHERE ref IS NOT NULL DO NOTHING;
DELETE FROM party_fact;
INSERT INTO party_fact (party_id, last_activity, last_inbound, first_purchase, last_purchase,
 purchases, revenue, revenue_currency, open_tasks, money_events)
 SELECT party_id, max(CASE WHEN type <> 'task' THEN at END), max(CASE WHEN direction = 'in' THEN at END),
 min(CASE WHEN type = 'purchase' THEN at END), max(CASE WHEN type = 'purchase' THEN at END),
 sum(type = 'purchase'),
 CASE WHEN count(DISTINCT CASE WHEN type IN ('purchase', 'refund') THEN currency END) = 1
 THEN sum(CASE WHEN type = 'purchase' THEN amount WHEN type = 'refund' THEN -amount END) END,
 CASE WHEN count(DISTINCT CASE WHEN type IN ('purchase', 'refund') THEN currency END) = 1
 THEN max(CASE WHEN type IN ('purchase', 'refund') THEN currency END) END,
 sum(type = 'task' AND status = 'open'),
 count(CASE WHEN type IN ('purchase', 'refund') AND currency IS NOT NULL THEN 1 END)
 FROM event @HOW@ GROUP BY party_id;
@CREATE@
DROP TABLE staging;
COMMIT;
SQL
# Three ways for the shell: indexes kept up row by row, facts by SQLite's
# own plan; the same with facts by a plain scan; and its best, the
# secondary indexes dropped before the insert and built after it.
drop="DROP INDEX event_party_at; DROP INDEX event_at; DROP INDEX event_open_task; DROP INDEX event_purchase; DROP INDEX event_refund; DROP INDEX event_campaign;"
create="CREATE INDEX event_party_at ON event (party_id, at); CREATE INDEX event_at ON event (at); CREATE INDEX event_open_task ON event (due) WHERE type = 'task' AND status = 'open'; CREATE INDEX event_purchase ON event (party_id, at, amount, currency) WHERE type = 'purchase'; CREATE INDEX event_refund ON event (party_id, at, amount, currency) WHERE type = 'refund'; CREATE INDEX event_campaign ON event (campaign, type, party_id, at) WHERE campaign IS NOT NULL;"
sed 's/@HOW@//; s/@DROP@//; s/@CREATE@//' "$dir/events.sql" > "$dir/events-plan.sql"
sed 's/@HOW@/NOT INDEXED/; s/@DROP@//; s/@CREATE@//' "$dir/events.sql" > "$dir/events-scan.sql"
sed "s/@HOW@/NOT INDEXED/; s/@DROP@/$drop/; s/@CREATE@/$create/" "$dir/events.sql" > "$dir/events-best.sql"

# Each run starts from the parties alone.
cp "$dir/c.db" "$dir/parties.db"
ours=""; plan=""; scan=""; best=""
for r in $(seq "$RUNS"); do
	rm -f "$dir"/c.db*; cp "$dir/parties.db" "$dir/c.db"
	ours="$ours $(seconds "$bin/crm-log" --db "$dir/c.db" --import -q "$dir/e.csv")"
	rm -f "$dir"/s.db*; cp "$dir/parties.db" "$dir/s.db"
	best="$best $(seconds sh -c "sqlite3 '$dir/s.db' < '$dir/events-best.sql' >/dev/null")"
	if [ "$r" = 1 ] && [ "${PLAN:-1}" = 1 ]; then
		rm -f "$dir"/s.db*; cp "$dir/parties.db" "$dir/s.db"
		scan="$(seconds sh -c "sqlite3 '$dir/s.db' < '$dir/events-scan.sql' >/dev/null")"
		rm -f "$dir"/s.db*; cp "$dir/parties.db" "$dir/s.db"
		plan="$(seconds sh -c "sqlite3 '$dir/s.db' < '$dir/events-plan.sql' >/dev/null")"
	fi
done
o=$(echo $ours | tr ' ' '\n' | median)
be=$(echo $best | tr ' ' '\n' | median)
c1=$(sqlite3 "$dir/c.db" 'SELECT count(*) FROM event'); c2=$(sqlite3 "$dir/s.db" 'SELECT count(*) FROM event')
f1=$(sqlite3 "$dir/c.db" 'SELECT sum(purchases), sum(revenue) FROM party_fact')
f2=$(sqlite3 "$dir/s.db" 'SELECT sum(purchases), sum(revenue) FROM party_fact')
printf 'events    crm-log %8.2f s  (%.0f events/s, %s events; facts %s)\n' "$o" "$(echo "$E $o" | awk '{ print $1 / $2 }')" "$c1" "$f1"
printf 'events    sqlite3 %8.2f s  its best: indexes built after, facts by a plain scan (%s events; facts %s)   ratio crm/sqlite3 %s\n' "$be" "$c2" "$f2" "$(ratio "$o" "$be")"
[ -z "$scan" ] || printf 'events    sqlite3 %8.2f s  indexes kept row by row, facts by a plain scan (one run)   ratio crm/sqlite3 %s\n' "$scan" "$(ratio "$o" "$scan")"
[ -z "$plan" ] || printf 'events    sqlite3 %8.2f s  indexes kept row by row, facts by SQLite'"'"'s own plan (one run)   ratio crm/sqlite3 %s\n' "$plan" "$(ratio "$o" "$plan")"

# Re-importing the same file adds nothing.
again=$(seconds "$bin/crm-log" --db "$dir/c.db" --import -q "$dir/e.csv")
printf 'events    crm-log %8.2f s  the same file again (%s events after)\n' "$again" "$(sqlite3 "$dir/c.db" 'SELECT count(*) FROM event')"

# One party's timeline, and a query on the facts.
a=$(lookup_ms "$bin/crm-log" --db "$dir/c.db" --list --no-stdin --contact "$email")
b=$(lookup_ms sqlite3 "$dir/s.db" "SELECT * FROM event WHERE party_id = (SELECT id FROM party WHERE email_norm = lower(trim('$email'))) ORDER BY at DESC, id DESC")
printf 'timeline  crm-log %7.2f ms  sqlite3 %7.2f ms  ratio %.2f  (%s events)\n' "$a" "$b" "$(ratio "$a" "$b")" "$("$bin/crm-log" --db "$dir/c.db" --list --no-stdin --contact "$email" | wc -l)"
a=$(lookup_ms "$bin/crm-find" --db "$dir/c.db" --count 'purchases>=5' 'last_purchase>=2026-06-01')
b=$(lookup_ms sqlite3 "$dir/s.db" "SELECT count(*) FROM party p JOIN party_fact f ON f.party_id = p.id WHERE f.purchases >= 5 AND f.last_purchase >= '2026-06-01'")
printf 'facts     crm-find --count %7.2f ms  sqlite3 %7.2f ms  ratio %.2f  (%s parties)\n' "$a" "$b" "$(ratio "$a" "$b")" "$("$bin/crm-find" --db "$dir/c.db" --count 'purchases>=5' 'last_purchase>=2026-06-01')"
if [ -x /usr/bin/time ]; then
	cp "$dir/parties.db" "$dir/m.db"
	printf 'peak memory crm-log --import: %s MiB for %s events\n' "$(peak_mib "$bin/crm-log" --db "$dir/m.db" --import -q "$dir/e.csv")" "$E"
fi
echo "store with events: $(du -m "$dir/c.db" | cut -f1) MiB (crm), $(du -m "$dir/s.db" | cut -f1) MiB (sqlite3 shell)"

# A saved segment of three rules, evaluated whole process, beside the same SQL.
"$bin/crm-segment" --db "$dir/c.db" --save bench-three 'purchases>=3' 'last_purchase>=2026-01-01' city=Paris 2>/dev/null
a=$(lookup_ms "$bin/crm-segment" --db "$dir/c.db" bench-three --count)
b=$(lookup_ms sqlite3 "$dir/c.db" "SELECT count(*) FROM party p JOIN party_fact f ON f.party_id = p.id WHERE f.purchases >= 3 AND f.last_purchase >= '2026-01-01' AND p.city = 'Paris'")
printf 'segment   three rules --count %7.2f ms  sqlite3 %7.2f ms  ratio %.2f  (%s members)\n' "$a" "$b" "$(ratio "$a" "$b")" "$("$bin/crm-segment" --db "$dir/c.db" bench-three --count)"

# Scores over the whole base, as CSV, beside the same computation in SQL
# (window functions for the quintiles), in the same run; the two outputs
# are compared.  SRUNS (default RUNS) runs each, medians.
timed() {
	_t=""
	for r in $(seq "$SRUNS"); do _t="$_t $(seconds sh -c "$1")"; done
	echo $_t | tr ' ' '\n' | median
}
asof=2026-12-31T23:59:59Z from=2025-12-31T23:59:59Z
cat > "$dir/rfm.sql" <<SQL
.headers on
.mode csv
CREATE TEMP TABLE s (party_id INTEGER PRIMARY KEY, r INTEGER, f INTEGER, m INTEGER);
WITH c AS (
 SELECT party_id, max(at) AS last, count(CASE WHEN at > '$from' THEN 1 END) AS f,
 coalesce(sum(CASE WHEN at > '$from' AND currency = 'EUR' THEN amount END), 0) AS m
 FROM event INDEXED BY event_purchase WHERE type = 'purchase' AND at <= '$asof' GROUP BY party_id)
INSERT INTO s SELECT party_id, 1 + 5 * (rank() OVER (ORDER BY last) - 1) / count(*) OVER (),
 1 + 5 * (rank() OVER (ORDER BY f) - 1) / count(*) OVER (),
 1 + 5 * (rank() OVER (ORDER BY m) - 1) / count(*) OVER () FROM c;
SELECT p.id AS id, r || f || m AS rfm,
 CASE WHEN r IS NULL THEN NULL
 WHEN r >= 4 AND (f + m + 1) / 2 >= 4 THEN 'champions'
 WHEN r >= 4 AND (f + m + 1) / 2 >= 2 THEN 'potential-loyalists'
 WHEN r = 5 THEN 'new' WHEN r = 4 THEN 'promising'
 WHEN r = 3 AND (f + m + 1) / 2 >= 4 THEN 'loyal'
 WHEN r = 3 AND (f + m + 1) / 2 = 3 THEN 'need-attention' WHEN r = 3 THEN 'about-to-sleep'
 WHEN (f + m + 1) / 2 = 5 THEN 'cannot-lose-them' WHEN (f + m + 1) / 2 >= 3 THEN 'at-risk'
 WHEN r = 2 THEN 'hibernating' ELSE 'lost' END AS rfm_segment
 FROM party p LEFT JOIN s ON s.party_id = p.id ORDER BY p.id;
SQL
cat > "$dir/churn.sql" <<SQL
.headers on
.mode csv
CREATE TEMP TABLE c (party_id INTEGER PRIMARY KEY, first INTEGER, last INTEGER, n INTEGER, gap REAL);
INSERT INTO c SELECT party_id, unixepoch(min(at)), unixepoch(max(at)), count(*), NULL
 FROM event INDEXED BY event_purchase WHERE type = 'purchase' AND at <= '$asof' GROUP BY party_id;
UPDATE c SET gap = (last - first) / 86400.0 / (n - 1) WHERE n >= 3;
CREATE TEMP TABLE b AS SELECT coalesce((SELECT avg(gap) FROM (SELECT gap FROM c WHERE gap IS NOT NULL
 ORDER BY gap LIMIT 2 - (SELECT count(gap) FROM c) % 2 OFFSET ((SELECT count(gap) FROM c) - 1) / 2)), 90) AS base;
SELECT p.id AS id, CASE WHEN ratio > 2.5 THEN 'high' WHEN ratio > 1.5 THEN 'medium'
 WHEN ratio IS NOT NULL THEN 'low' END AS churn_risk,
 CASE WHEN ratio > 4 THEN 'true' WHEN ratio IS NOT NULL THEN 'false' END AS churned
 FROM party p LEFT JOIN (SELECT party_id, (unixepoch('$asof') - last) / 86400.0 /
 max(coalesce(gap, (SELECT base FROM b)), 1) AS ratio FROM c) k ON k.party_id = p.id ORDER BY p.id;
SQL
a=$(timed "'$bin/crm-find' --db '$dir/c.db' --rfm --as-of 2026-12-31 --format csv --fields id,rfm,rfm_segment > '$dir/rfm1.csv'")
b=$(timed "sqlite3 '$dir/c.db' < '$dir/rfm.sql' > '$dir/rfm2.csv'")
same=$(tr -d '\r' < "$dir/rfm2.csv" | cmp -s "$dir/rfm1.csv" - && echo same || echo DIFFERENT)
printf 'rfm       crm-find --rfm %7.2f s  sqlite3 %7.2f s  ratio %.2f  (%s customers; outputs %s)\n' "$a" "$b" "$(ratio "$a" "$b")" "$(grep -c ',[1-5][1-5][1-5],' "$dir/rfm1.csv")" "$same"
a=$(timed "'$bin/crm-find' --db '$dir/c.db' --churn --as-of 2026-12-31 --format csv --fields id,churn_risk,churned > '$dir/churn1.csv'")
b=$(timed "sqlite3 '$dir/c.db' < '$dir/churn.sql' > '$dir/churn2.csv'")
same=$(tr -d '\r' < "$dir/churn2.csv" | cmp -s "$dir/churn1.csv" - && echo same || echo DIFFERENT)
printf 'churn     crm-find --churn %7.2f s  sqlite3 %7.2f s  ratio %.2f  (%s churned; outputs %s)\n' "$a" "$b" "$(ratio "$a" "$b")" "$(grep -c ',true$' "$dir/churn1.csv")" "$same"
a=$(timed "'$bin/crm-find' --db '$dir/c.db' --count --as-of 2026-12-31 rfm_segment=at-risk > /dev/null")
printf 'rfm       crm-find --count rfm_segment=at-risk %7.2f s  (%s parties)\n' "$a" "$("$bin/crm-find" --db "$dir/c.db" --count --as-of 2026-12-31 rfm_segment=at-risk)"
a=$(timed "'$bin/crm-find' --db '$dir/c.db' --propensity --as-of 2026-12-31 --format csv --fields id,propensity > /dev/null")
printf 'propensity crm-find --propensity %7.2f s  (no shell equivalent)\n' "$a"
if [ -x /usr/bin/time ]; then
	printf 'peak memory crm-find --scores: %s MiB\n' "$(peak_mib "$bin/crm-find" --db "$dir/c.db" --scores --as-of 2026-12-31 --format csv)"
fi

# Each report of crm-report, beside the same numbers in SQL.
sh "$(dirname "$0")/bench-report.sh" "$bin" "$dir"

# One person's access and erasure, whole process, in the store with events.
root=$(cd "$(dirname "$0")/.." && pwd)
n=$("$bin/crm-gdpr-export" --db "$dir/c.db" --subject "$email" --register "$root/examples/register.json" | jq '.events | length')
a=$(lookup_ms "$bin/crm-gdpr-export" --db "$dir/c.db" --subject "$email" --register "$root/examples/register.json")
printf 'gdpr      export of one subject  %8.2f ms  (%s events; whole process, median of %s)\n' "$a" "$n" "$LOOKUPS"
mib=$(du -m "$dir/c.db" | cut -f1)
t=$(seconds sh -c "'$bin/crm-gdpr-export' --db '$dir/c.db' --erase --subject '$email' --reason bench --keep-accounting > '$dir/erase.json'")
printf 'gdpr      erasure of one subject %8.2f s   (full-text merge, WAL truncated, %s MiB read back; clean: %s)\n' "$t" "$mib" "$(jq .verification.clean "$dir/erase.json")"
