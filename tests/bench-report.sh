#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/bench-report.sh BUILD DIR: each crm-report report over the store
# DIR/c.db, beside the same numbers computed by SQL in the sqlite3 shell
# over DIR/s.db (the same parties and events), in the same run.  SRUNS runs
# each (default 3), medians, whole process.  Run by tests/bench.sh; prints
# figures only.
set -eu
# Standard input is no record stream here, whatever ran this script.
exec </dev/null
bin=$(cd "$1" && pwd)
dir=$2
SRUNS=${SRUNS:-3}
asof=2026-12-31T23:59:59Z

median() { sort -n | awk '{ a[NR] = $1 } END { print (NR % 2) ? a[(NR + 1) / 2] : (a[NR / 2] + a[NR / 2 + 1]) / 2 }'; }
seconds() {
	perl -MTime::HiRes=time -e '$t = time; system(@ARGV) == 0 or exit 1; printf "%.4f\n", time - $t' "$@"
}
timed() {
	_t=""
	for _ in $(seq "$SRUNS"); do _t="$_t $(seconds sh -c "$1")"; done
	echo $_t | tr ' ' '\n' | median
}
ratio() { echo "$1 $2" | awk '{ printf "%.2f", $1 / $2 }'; }

# one NAME 'crm-report arguments' 'SQL for the shell' [compare]: time both;
# with compare, the CSV outputs are compared too.
one() {
	printf '%s\n' ".headers on" ".mode csv" ".separator , \"\\n\"" "$3" > "$dir/r.sql"
	a=$(timed "'$bin/crm-report' --db '$dir/c.db' --as-of 2026-12-31 --no-stdin $2 --format csv > '$dir/r1.csv'")
	b=$(timed "sqlite3 '$dir/s.db' < '$dir/r.sql' > '$dir/r2.csv'")
	same=""
	if [ -n "${4:-}" ]; then
		same=$(cmp -s "$dir/r1.csv" "$dir/r2.csv" && echo "; outputs same" || echo "; outputs DIFFERENT")
	fi
	printf 'report    %-9s crm-report %7.2f s  sqlite3 %7.2f s  ratio %s  (%s rows%s)\n' "$1" "$a" "$b" \
		"$(ratio "$a" "$b")" "$(($(wc -l < "$dir/r1.csv") - 1))" "$same"
}

m1=$((2026 * 12 + 11)); m0=$((m1 - 11))
months="WITH RECURSIVE k(m) AS (SELECT $m0 UNION ALL SELECT m + 1 FROM k WHERE m < $m1)"
label="printf('%04d-%02d', m / 12, m % 12 + 1)"

one by "by city" "SELECT city, count(*) AS parties, printf('%.4f', count(*) * 1.0 / (SELECT count(*) FROM party)) AS share FROM party GROUP BY city ORDER BY 2 DESC, 1;" compare

# (not compared: an average basket keeps up to 4 decimals, printf fewer)
one revenue "revenue" "$months, r AS (SELECT substr(at, 1, 7) AS period,
 sum(CASE WHEN type = 'purchase' THEN amount ELSE 0 END) AS pur, count(CASE WHEN type = 'purchase' THEN 1 END) AS n,
 sum(CASE WHEN type = 'refund' THEN amount ELSE 0 END) AS ref
 FROM (SELECT at, amount, type FROM event INDEXED BY event_purchase WHERE type = 'purchase' AND currency = 'EUR'
 AND at >= '2026-01-01' AND at <= '$asof' UNION ALL SELECT at, amount, type FROM event INDEXED BY event_refund
 WHERE type = 'refund' AND currency = 'EUR' AND at >= '2026-01-01' AND at <= '$asof') GROUP BY 1)
SELECT $label AS period, printf('%.2f', coalesce(pur - ref, 0) / 10000.0) AS revenue, coalesce(n, 0) AS orders,
 CASE WHEN n THEN printf('%.2f', (pur / n + (2 * (pur % n) >= n)) / 10000.0) END AS average_basket,
 printf('%.2f', coalesce(ref, 0) / 10000.0) AS refunds FROM k LEFT JOIN r ON r.period = $label ORDER BY m;"

one campaign "campaign" "SELECT campaign,
 count(DISTINCT CASE WHEN type = 'sent' THEN party_id END) AS sent, count(CASE WHEN type = 'sent' THEN 1 END) AS sent_total,
 count(DISTINCT CASE WHEN type = 'delivered' THEN party_id END) AS delivered, count(CASE WHEN type = 'delivered' THEN 1 END) AS delivered_total,
 count(DISTINCT CASE WHEN type = 'opened' THEN party_id END) AS opened, count(CASE WHEN type = 'opened' THEN 1 END) AS opened_total,
 count(DISTINCT CASE WHEN type = 'clicked' THEN party_id END) AS clicked, count(CASE WHEN type = 'clicked' THEN 1 END) AS clicked_total,
 count(DISTINCT CASE WHEN type = 'bounced' THEN party_id END) AS bounced, count(CASE WHEN type = 'bounced' THEN 1 END) AS bounced_total,
 count(DISTINCT CASE WHEN type = 'unsubscribed' THEN party_id END) AS unsubscribed, count(CASE WHEN type = 'unsubscribed' THEN 1 END) AS unsubscribed_total,
 count(DISTINCT CASE WHEN type = 'replied' THEN party_id END) AS replied, count(CASE WHEN type = 'replied' THEN 1 END) AS replied_total
 FROM event WHERE campaign IS NOT NULL GROUP BY campaign ORDER BY campaign;"

one churn "churn" "CREATE TEMP TABLE pp AS SELECT DISTINCT party_id, substr(at, 1, 4) * 12 + substr(at, 6, 2) - 1 AS m
 FROM event INDEXED BY event_purchase WHERE type = 'purchase' AND at <= '$asof';
CREATE INDEX temp.pp_m ON pp (m, party_id);
CREATE TEMP TABLE fp AS SELECT party_id, min(m) AS f FROM pp GROUP BY party_id;
CREATE INDEX temp.fp_f ON fp (f);
CREATE INDEX temp.fp_p ON fp (party_id, f);
$months SELECT $label AS period,
 (SELECT count(*) FROM pp WHERE pp.m = k.m - 1) AS active_start,
 (SELECT count(*) FROM pp a WHERE a.m = k.m - 1 AND NOT EXISTS (SELECT 1 FROM pp b WHERE b.m = k.m AND b.party_id = a.party_id)) AS lost,
 (SELECT count(*) FROM pp a JOIN fp USING (party_id) WHERE a.m = k.m AND fp.f < k.m - 1
  AND NOT EXISTS (SELECT 1 FROM pp b WHERE b.m = k.m - 1 AND b.party_id = a.party_id)) AS won_back,
 (SELECT count(*) FROM fp WHERE f = k.m) AS new, (SELECT count(*) FROM pp WHERE pp.m = k.m) AS active_end
FROM k ORDER BY m;"

one cohort "cohort" "CREATE TEMP TABLE pp AS SELECT DISTINCT party_id, substr(at, 1, 4) * 12 + substr(at, 6, 2) - 1 AS m
 FROM event INDEXED BY event_purchase WHERE type = 'purchase' AND at <= '$asof';
CREATE TEMP TABLE fp AS SELECT party_id, min(m) AS f FROM pp GROUP BY party_id;
CREATE INDEX temp.fp_p ON fp (party_id);
SELECT fp.f AS cohort, pp.m - fp.f AS month, count(*) AS customers FROM pp JOIN fp USING (party_id)
 WHERE fp.f BETWEEN $m0 AND $m1 AND pp.m - fp.f < 12 GROUP BY 1, 2 ORDER BY 1, 2;"

one funnel "funnel" "SELECT count(CASE WHEN kind IN ('lead', 'prospect', 'customer') THEN 1 END),
 count(CASE WHEN kind IN ('prospect', 'customer') THEN 1 END), count(CASE WHEN kind = 'customer' THEN 1 END)
 FROM party WHERE type = 'person';
WITH d AS (SELECT julianday(f.first_purchase) - julianday(min(p.created, coalesce((SELECT min(at) FROM event e
 WHERE e.party_id = p.id), p.created))) AS days FROM party_fact f JOIN party p ON p.id = f.party_id
 WHERE f.first_purchase IS NOT NULL AND p.type = 'person'),
o AS (SELECT days, row_number() OVER (ORDER BY days) - 1 AS i, count(*) OVER () AS n FROM d)
SELECT max(n), min(days), max(CASE WHEN i = (n - 1) / 4 THEN days END),
 max(CASE WHEN i = (n - 1) / 2 THEN days END), max(CASE WHEN i = 3 * (n - 1) / 4 THEN days END), max(days) FROM o;"

one tasks "tasks" "SELECT assignee, count(*) AS open, count(CASE WHEN due < '2026-12-31' THEN 1 END) AS overdue,
 min(due) AS oldest_due FROM event WHERE type = 'task' AND status = 'open' GROUP BY assignee
 ORDER BY 2 DESC, assignee IS NULL, assignee;" compare

one activity "activity" "SELECT substr(at, 1, 7) AS period, coalesce(channel, '(none)') AS channel, count(*) AS events
 FROM event WHERE type <> 'task' AND at >= '2026-01-01T00:00:00Z' AND at < '2027-01-01T00:00:00Z'
 AND at <= '$asof' GROUP BY 1, 2 ORDER BY 1, 3 DESC, 2;" compare
