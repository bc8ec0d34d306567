/* SPDX-License-Identifier: MIT */
/*
 * report-sql.c: the queries of crm-report(1)'s reports, each read from the
 * store into the tables of report.c.  Every value is a bound parameter.
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"
#include "report-private.h"

_Static_assert(GV_INTEGER == SQLITE_INTEGER && GV_FLOAT == SQLITE_FLOAT && GV_TEXT == SQLITE_TEXT &&
               GV_NULL == SQLITE_NULL, "the types of report-private.h are SQLite's");


/* The SQL key of a stored time's period, for GROUP BY. */
static const char *
period_sql(int kind)
{
	return kind == P_MONTH ? "substr(%s, 1, 7)" :
	       kind == P_QUARTER ? "substr(%s, 1, 4) || '-Q' || ((substr(%s, 6, 2) + 2) / 3)" :
	       "substr(%s, 1, 4)";
}

static void
period_expr(int kind, const char *col, char *out, size_t n)
{
	snprintf(out, n, period_sql(kind), col, col);
}

/* " AND col IN (the population)" when the population was read on stdin. */
static const char *
pop(const struct ctx *c, const char *col, char *b, size_t n)
{
	if (!c->o->restricted)
		return "";
	snprintf(b, n, " AND %s IN (SELECT id FROM temp.crm_pop)", col);
	return b;
}

/* " AND at > since AND at <= until" for the times given (?1 since, ?2 until). */
static const char *
span(const struct ctx *c, const char *col, char *b, size_t n)
{
	snprintf(b, n, "%s%s%s%s%s", c->since[0] ? " AND " : "", c->since[0] ? col : "",
	         c->since[0] ? " >= ?1" : "", c->until[0] ? " AND " : "", "");
	if (c->until[0]) {
		size_t l = strlen(b);
		snprintf(b + l, n - l, "%s <= ?2", col);
	}
	return b;
}

static int
prepare(struct ctx *c, const char *sql, sqlite3_stmt **st)
{
	int rc = sqlite3_prepare_v2(store_db(c->s), sql, -1, st, NULL);

	if (rc != SQLITE_OK)
		return store_status(c->s, rc);
	if (sqlite3_bind_parameter_count(*st) >= 1)
		sqlite3_bind_text(*st, 1, c->since, -1, SQLITE_STATIC);
	if (sqlite3_bind_parameter_count(*st) >= 2)
		sqlite3_bind_text(*st, 2, c->until, -1, SQLITE_STATIC);
	return CRM_OK;
}

static int
done(struct ctx *c, sqlite3_stmt *st, int rc)
{
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE || rc == CRM_OK)
		return CRM_OK;
	return rc == CRM_NOMEM ? CRM_NOMEM : store_status(c->s, rc);
}

static const char *
col_text(sqlite3_stmt *st, int i)
{
	return (const char *)sqlite3_column_text(st, i);
}

/* Count a row of st whose keys are its columns 0 (and 1): see agg_add(). */
static int
agg_row(struct agg *a, sqlite3_stmt *st)
{
	int type[2] = { GV_NULL, GV_NULL };
	const char *t[2] = { NULL, NULL };
	struct group *g;

	for (int i = 0; i < a->nk; i++) {
		type[i] = sqlite3_column_type(st, i);
		if (type[i] == SQLITE_BLOB)
			type[i] = SQLITE_TEXT;
		if (type[i] != SQLITE_NULL)
			t[i] = (const char *)sqlite3_column_text(st, i);
	}
	if (agg_add(a, type, t, &g))
		return CRM_NOMEM;
	for (int i = 0; g && i < a->nk; i++)
		g->k[i].num = sqlite3_column_double(st, i);
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* summary */

static int
rep_summary(struct ctx *c, crm_report_t **out)
{
	crm_report_t *r = table_new("summary", "Summary", "section,item,value", 1ULL << 2);
	sqlite3_stmt *st = NULL;
	char sql[1024], pb[96], sb[96], num[32];
	int rc = CRM_OK;

	if (!r)
		return CRM_NOMEM;
	*out = r;
	r->chart = CRM_CHART_BARS;
	r->label = 1;
	r->value = 2;
	/* Parties by type, then by kind. */
	static const char *const groups[][2] = { { "parties", "type" }, { "kind", "kind" } };
	for (int g = 0; g < 2; g++) {
		snprintf(sql, sizeof sql, "SELECT %s, count(*) FROM party p WHERE p.created <= ?3%s"
		         " GROUP BY 1 ORDER BY 2 DESC, 1", groups[g][1], pop(c, "p.id", pb, sizeof pb));
		if ((rc = prepare(c, sql, &st)))
			return rc;
		sqlite3_bind_text(st, 3, c->as_of, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			const char *v[3] = { groups[g][0], col_text(st, 0), col_text(st, 1) };
			if ((rc = table_row(r, v)))
				break;
		}
		if ((rc = done(c, st, rc)))
			return rc;
	}
	/* New parties per month, the last 12 months to as-of, empty ones too. */
	long m1 = period_of(c->as_of, P_MONTH), m0 = m1 - 11;
	long long counts[12] = { 0 };
	char from[48];
	period_start(m0, P_MONTH, from);
	snprintf(sql, sizeof sql, "SELECT substr(created, 1, 7), count(*) FROM party p"
	         " WHERE created >= ?3 AND created <= ?4%s GROUP BY 1", pop(c, "p.id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->as_of, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long m = period_of(col_text(st, 0), P_MONTH);
		if (m >= m0 && m <= m1)
			counts[m - m0] = sqlite3_column_int64(st, 1);
	}
	if ((rc = done(c, st, rc)))
		return rc;
	for (long m = m0; m <= m1; m++) {
		char lab[32];
		period_label(m, P_MONTH, lab);
		fmt_int(num, sizeof num, counts[m - m0]);
		const char *v[3] = { "new parties", lab, num };
		if ((rc = table_row(r, v)))
			return rc;
	}
	/* Events per channel, in the span. */
	snprintf(sql, sizeof sql, "SELECT coalesce(channel, '(none)'), count(*) FROM event"
	         " WHERE type <> 'task'%s%s GROUP BY 1 ORDER BY 2 DESC, 1",
	         span(c, "at", sb, sizeof sb), pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[3] = { "events", col_text(st, 0), col_text(st, 1) };
		if ((rc = table_row(r, v)))
			break;
	}
	if ((rc = done(c, st, rc)))
		return rc;
	/* Open and overdue tasks (due before the day of as-of). */
	snprintf(sql, sizeof sql, "SELECT count(*), count(CASE WHEN due < ?3 THEN 1 END)"
	         " FROM event WHERE type = 'task' AND status = 'open'%s",
	         pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, c->today, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		char n2[32];
		fmt_int(num, sizeof num, sqlite3_column_int64(st, 0));
		fmt_int(n2, sizeof n2, sqlite3_column_int64(st, 1));
		const char *v1[3] = { "tasks", "open", num }, *v2[3] = { "tasks", "overdue", n2 };
		if ((rc = table_row(r, v1)) || (rc = table_row(r, v2))) {
			sqlite3_finalize(st);
			return rc;
		}
		rc = SQLITE_DONE;
	}
	if ((rc = done(c, st, rc)))
		return rc;
	/* Revenue of the period of as-of against the one before, in the currency. */
	long p = period_of(c->as_of, c->pkind);
	char a[48], b[48], e[48];
	period_start(p - 1, c->pkind, a);
	period_start(p, c->pkind, b);
	period_start(p + 1, c->pkind, e);
	snprintf(sql, sizeof sql, "SELECT"
	         " coalesce(sum(CASE WHEN at >= ?4 AND at <= ?3 THEN"
	         "  CASE type WHEN 'purchase' THEN amount ELSE -amount END END), 0),"
	         " coalesce(sum(CASE WHEN at >= ?5 AND at < ?4 THEN"
	         "  CASE type WHEN 'purchase' THEN amount ELSE -amount END END), 0)"
	         " FROM (SELECT party_id, at, amount, type FROM event INDEXED BY event_purchase"
	         " WHERE type = 'purchase' AND currency = ?6 AND at >= ?5 AND at <= ?3 UNION ALL"
	         " SELECT party_id, at, amount, type FROM event INDEXED BY event_refund"
	         " WHERE type = 'refund' AND currency = ?6 AND at >= ?5 AND at <= ?3) WHERE 1%s",
	         pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, c->as_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, b, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, a, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, c->cur, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		long long now = sqlite3_column_int64(st, 0), before = sqlite3_column_int64(st, 1);
		char l1[64], l2[64], l3[64], v1[32], v2[32], v3[32], lab[32];
		period_label(p, c->pkind, lab);
		snprintf(l1, sizeof l1, "%s %s (to date)", c->cur, lab);
		period_label(p - 1, c->pkind, lab);
		snprintf(l2, sizeof l2, "%s %s", c->cur, lab);
		period_label(p, c->pkind, lab);
		snprintf(l3, sizeof l3, "%s on the period before", lab);
		amount_format(now, v1);
		amount_format(before, v2);
		if (before)
			snprintf(v3, sizeof v3, "%.4f", (double)(now - before) / (double)llabs(before));
		const char *r1[3] = { "revenue", l1, v1 }, *r2[3] = { "revenue", l2, v2 },
		           *r3[3] = { "revenue change", l3, before ? v3 : NULL };
		if ((rc = table_row(r, r1)) || (rc = table_row(r, r2)) || (rc = table_row(r, r3))) {
			sqlite3_finalize(st);
			return rc;
		}
		rc = SQLITE_DONE;
	}
	(void)e;
	return done(c, st, rc);
}

/* ------------------------------------------------------------------ */
/* by FIELD[,FIELD] */

/* The SQL of a field to group by; *tags, *scores say what it joins. */
static int
group_expr(struct ctx *c, const char *name, char *out, size_t n, int *tags, int *scores,
           int *attr_key, struct strv *keys, int base)
{
	if (!*name || strlen(name) > 100) {
		msgf(c->msg, c->len, "%s field name to group by", *name ? "too long a" : "an empty");
		return CRM_USAGE;
	}
	if (!strncmp(name, "attrs.", 6) && name[6]) {
		if (strv_push(keys, name + 6))
			return CRM_NOMEM;
		/* Keys are parameters base, base + 1, ... */
		snprintf(out, n, "crm_attr(p.attrs, ?%zu)", keys->n - 1 + (size_t)base);
		*attr_key = 1;
		return CRM_OK;
	}
	if (!strcmp(name, "age_band")) {
		/* Whole years at the local day of as-of (?3); yearless birthdays have none. */
		snprintf(out, n, "CASE WHEN p.birthdate GLOB '[0-9][0-9][0-9][0-9]-*' THEN"
		         " (SELECT CASE WHEN a < 18 THEN '0-17' WHEN a < 25 THEN '18-24'"
		         " WHEN a < 35 THEN '25-34' WHEN a < 45 THEN '35-44' WHEN a < 55 THEN '45-54'"
		         " WHEN a < 65 THEN '55-64' ELSE '65+' END FROM (SELECT"
		         " substr(?3, 1, 4) - substr(p.birthdate, 1, 4) -"
		         " (substr(?3, 6, 5) < substr(p.birthdate, 6, 5)) AS a)) END");
		return CRM_OK;
	}
	int f = crm_field_lookup(name, 0);
	if (f < 0 || f == CRM_F_ATTRS || f == CRM_F_EXPLAIN || f == CRM_F_ID) {
		msgf(c->msg, c->len, "cannot group by '%s' (a field, a tag, attrs.KEY, age_band or a "
		     "score)", name);
		return CRM_USAGE;
	}
	if (f == CRM_F_TAGS) {
		*tags = 1;
		snprintf(out, n, "t.tag");
	} else if (CRM_FIELD_IS_SCORE(f)) {
		*scores |= crm_score_of_field(f);
		snprintf(out, n, f == CRM_F_PROPENSITY ? "coalesce(s.propensity, 0)" : "s.%s",
		         crm_field_name(f));
	} else if (f == CRM_F_PURCHASES || f == CRM_F_OPEN_TASKS) {
		snprintf(out, n, "coalesce(f.%s, 0)", crm_field_name(f));
	} else if (f == CRM_F_REVENUE) {
		msgf(c->msg, c->len, "cannot group by revenue, an amount; use a score such as rfm_m");
		return CRM_USAGE;
	} else {
		snprintf(out, n, "%s.%s", CRM_FIELD_IS_FACT(f) ? "f" : "p", crm_field_name(f));
	}
	return CRM_OK;
}

static int
rep_by(struct ctx *c, const char *fields, crm_report_t **out)
{
	char *copy = strdup(fields ? fields : ""), *save = NULL, *t;
	char exprs[2][1024], sql[4096], pb[96];
	const char *names[2];
	struct strv keys = {0};
	int n = 0, tags = 0, scores = 0, attr = 0, rc = CRM_OK;
	sqlite3_stmt *st = NULL;

	if (!copy)
		return CRM_NOMEM;
	if (*copy == ',' || strstr(copy, ",,") || (*copy && copy[strlen(copy) - 1] == ',')) {
		msgf(c->msg, c->len, "by: an empty field name in '%s'", copy);
		free(copy);
		return CRM_USAGE;
	}
	for (t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		if (n == 2) {
			msgf(c->msg, c->len, "by: at most two fields");
			rc = CRM_USAGE;
			break;
		}
		names[n] = t;
		rc = group_expr(c, t, exprs[n], sizeof exprs[n], &tags, &scores, &attr, &keys, 4);
		n++;
	}
	if (!rc && !n) {
		msgf(c->msg, c->len, "by needs a field, such as by city or by kind,country");
		rc = CRM_USAGE;
	}
	if (!rc && scores) {
		char m2[256];
		if ((rc = score_compute(c->s, scores, &c->o->scores, m2, sizeof m2)))
			msgf(c->msg, c->len, "%s", m2);
	}
	char cols[256], title[256];
	if (!rc) {
		snprintf(cols, sizeof cols, "%s%s%s,parties,share", names[0], n > 1 ? "," : "",
		         n > 1 ? names[1] : "");
		snprintf(title, sizeof title, "Parties by %s%s%s", names[0], n > 1 ? " and " : "",
		         n > 1 ? names[1] : "");
		char name[160];
		snprintf(name, sizeof name, "by:%s", fields);
		if (!(*out = table_new(name, title, cols, 3ULL << n)))
			rc = CRM_NOMEM;
	}
	if (!rc) {
		(*out)->chart = CRM_CHART_BARS;
		(*out)->label = 0;
		(*out)->value = n;
		/* Shares are of the parties of the population; a party with two tags counts twice. */
		int facts = strstr(exprs[0], "f.") || (n > 1 && strstr(exprs[1], "f."));
		snprintf(sql, sizeof sql, "SELECT %s%s%s FROM party p%s%s%s WHERE p.created <= ?2%s",
		         exprs[0], n > 1 ? ", " : "", n > 1 ? exprs[1] : "",
		         facts ? " LEFT JOIN party_fact f ON f.party_id = p.id" : "",
		         tags ? " LEFT JOIN party_tag t ON t.party_id = p.id" : "",
		         scores ? " LEFT JOIN temp.crm_score s ON s.party_id = p.id" : "",
		         pop(c, "p.id", pb, sizeof pb));
		rc = prepare(c, sql, &st);
	}
	long long total = 0;
	if (!rc) {
		sqlite3_stmt *t2 = NULL;
		snprintf(sql, sizeof sql, "SELECT count(*) FROM party p WHERE p.created <= ?2%s",
		         pop(c, "p.id", pb, sizeof pb));
		if (!(rc = prepare(c, sql, &t2))) {
			sqlite3_bind_text(t2, 2, c->as_of, -1, SQLITE_STATIC);
			if ((rc = sqlite3_step(t2)) == SQLITE_ROW)
				total = sqlite3_column_int64(t2, 0);
			rc = done(c, t2, rc == SQLITE_ROW ? SQLITE_DONE : rc);
		}
		if (rc) {
			sqlite3_finalize(st);
			st = NULL;
		}
	}
	if (!rc) {
		struct agg a = { .nk = n, .order = 0 };
		sqlite3_bind_text(st, 3, c->today, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, c->as_of, -1, SQLITE_STATIC);
		for (size_t i = 0; i < keys.n; i++)
			sqlite3_bind_text(st, (int)i + 4, keys.v[i], -1, SQLITE_STATIC);
		/* A party with several tags gives a row per tag: each counts in its group. */
		while ((rc = sqlite3_step(st)) == SQLITE_ROW)
			if (agg_row(&a, st)) {
				rc = CRM_NOMEM;
				break;
			}
		rc = done(c, st, rc);
		agg_sort(&a);
		/* A field that no party of the population has: said, not an error. */
		for (int i = 0; !rc && a.n && i < n && !(*out)->notice; i++) {
			size_t g = 0;
			while (g < a.n && a.g[g].k[i].type == GV_NULL)
				g++;
			char m[300];
			snprintf(m, sizeof m, "by %s: no party%s has it; all are in its null group",
			         names[i], c->o->restricted ? " of the records read" : "");
			if (g == a.n && !((*out)->notice = strdup(m)))
				rc = CRM_NOMEM;
		}
		for (size_t g = 0; !rc && g < a.n; g++) {
			char cnt[32], share[32];
			const char *v[4];
			for (int i = 0; i < n; i++)
				v[i] = a.g[g].k[i].text;
			fmt_int(cnt, sizeof cnt, a.g[g].count);
			v[n] = cnt;
			v[n + 1] = fmt_rate(share, sizeof share, a.g[g].count, total);
			rc = table_row(*out, v);
		}
		agg_free(&a);
	}
	strv_clear(&keys);
	free(copy);
	return rc;
}

/*
 * The events of campaigns from their index, in the order of campaign, type
 * and party: unique parties are counted as the party changes, with no
 * table of them in memory.
 */
/*
 * Whether a campaign is named by any event of the store: CRM_OK, or
 * CRM_NOMATCH with a message naming one that differs in case only.
 */
static int
campaign_known(struct ctx *c, const char *name)
{
	sqlite3_stmt *st;
	char q[96], other[96] = "";
	int rc = sqlite3_prepare_v2(store_db(c->s), "SELECT EXISTS (SELECT 1 FROM event"
	                            " INDEXED BY event_campaign WHERE campaign = ?3)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(c->s, rc);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	int found = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW)
		return store_status(c->s, rc);
	if (found)
		return CRM_OK;
	rc = sqlite3_prepare_v2(store_db(c->s), "SELECT campaign FROM event INDEXED BY event_campaign"
	                        " WHERE campaign IS NOT NULL AND lower(campaign) = lower(?3) LIMIT 1",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(c->s, rc);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW)
		quoted(col_text(st, 0), other, sizeof other);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_status(c->s, rc);
	if (other[0])
		msgf(c->msg, c->len, "no campaign '%s' (there is '%s': names are compared exactly)",
		     quoted(name, q, sizeof q), other);
	else
		msgf(c->msg, c->len, "no campaign '%s': no event names it (crm-report campaign "
		     "lists them)", quoted(name, q, sizeof q));
	return CRM_NOMATCH;
}

static int
rep_campaign(struct ctx *c, const char *name, crm_report_t **out)
{
	struct buf cols = {0};
	char t[1024], pb[96], sb[96], *cur = NULL;
	long long u[7] = { 0 }, tot[7] = { 0 };
	int64_t last = -1;
	int ltype = -1;
	sqlite3_stmt *st = NULL;
	int rc = CRM_OK;

	if (name && (rc = campaign_known(c, name)))
		return rc;

	buf_adds(&cols, "campaign");
	for (int i = 0; i < 7; i++) {
		snprintf(t, sizeof t, ",%s,%s_total", camp_types[i], camp_types[i]);
		buf_adds(&cols, t);
	}
	buf_adds(&cols, ",delivery_rate,open_rate,click_to_open,bounce_rate");
	if (cols.err) {
		buf_free(&cols);
		return CRM_NOMEM;
	}
	char tname[160];
	snprintf(tname, sizeof tname, "campaign%s%.100s", name ? ":" : "", name ? name : "");
	*out = table_new(tname, name ? name : "Campaigns", cols.p, ((1ULL << 19) - 1) & ~1ULL);
	buf_free(&cols);
	if (!*out)
		return CRM_NOMEM;
	(*out)->chart = CRM_CHART_BARS;
	(*out)->value = 16;     /* open_rate */
	snprintf(t, sizeof t, "SELECT campaign, type, party_id FROM event INDEXED BY event_campaign"
	         " WHERE campaign IS NOT NULL AND type IN ('sent', 'delivered', 'opened', 'clicked',"
	         " 'bounced', 'unsubscribed', 'replied')%s%s%s ORDER BY campaign, type, party_id",
	         name ? " AND campaign = ?3" : "", span(c, "at", sb, sizeof sb),
	         pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, t, &st)))
		return rc;
	if (name)
		sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *camp = col_text(st, 0), *type = col_text(st, 1);
		int64_t party = sqlite3_column_int64(st, 2);
		int k;
		if (!cur || strcmp(cur, camp)) {
			if (cur && campaign_row(*out, cur, u, tot)) {
				rc = CRM_NOMEM;
				break;
			}
			free(cur);
			if (!(cur = strdup(camp))) {
				rc = CRM_NOMEM;
				break;
			}
			memset(u, 0, sizeof u);
			memset(tot, 0, sizeof tot);
			ltype = -1;
		}
		for (k = 0; k < 7 && strcmp(type, camp_types[k]); k++)
			;
		if (k == 7)
			continue;
		tot[k]++;
		if (k != ltype || party != last)
			u[k]++;
		ltype = k;
		last = party;
	}
	if (rc == SQLITE_DONE && cur && campaign_row(*out, cur, u, tot))
		rc = CRM_NOMEM;
	/* A campaign with no such event in the span or the population: its zeros. */
	if (rc == SQLITE_DONE && name && !cur && campaign_row(*out, name, u, tot))
		rc = CRM_NOMEM;
	free(cur);
	return done(c, st, rc);
}

/* ------------------------------------------------------------------ */
/* Purchases by party and period: churn and cohorts. */

/*
 * Walk the purchases party by party, in time order, from the partial index
 * (the population's only), calling fn with each party's purchase periods:
 * a sorted array of distinct periods (all of its history to until/as-of).
 */
static int
walk_purchases(struct ctx *c, int kind, int (*fn)(void *, const long *, size_t), void *arg)
{
	sqlite3_stmt *st;
	char sql[512], pb[96];
	long *per = NULL;
	size_t n = 0, cap = 0;
	int64_t cur = 0;
	int rc, frc = CRM_OK;

	snprintf(sql, sizeof sql, "SELECT party_id, at FROM event INDEXED BY event_purchase"
	         " WHERE type = 'purchase' AND at <= ?3%s ORDER BY party_id, at",
	         pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, c->until[0] ? c->until : c->as_of, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		long p = period_of(col_text(st, 1), kind);
		if (id != cur && n) {
			if ((frc = fn(arg, per, n)))
				break;
			n = 0;
		}
		cur = id;
		if (n && per[n - 1] == p)
			continue;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 64;
			long *g = realloc(per, nc * sizeof *g);
			if (!g) {
				frc = CRM_NOMEM;
				break;
			}
			per = g;
			cap = nc;
		}
		per[n++] = p;
	}
	if (!frc && rc == SQLITE_DONE && n)
		frc = fn(arg, per, n);
	free(per);
	sqlite3_finalize(st);
	if (frc)
		return frc;
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CRM_OK : store_status(c->s, rc);
}

static int
rep_churn(struct ctx *c, crm_report_t **out)
{
	long np = c->p1 - c->p0 + 1;
	struct churn_acc a = { c->p0, c->p1, NULL, NULL, NULL, NULL, NULL };
	long long *all = calloc((size_t)np * 5, sizeof *all);
	int rc = CRM_OK;

	if (!all)
		return CRM_NOMEM;
	a.start = all;
	a.lost = all + np;
	a.back = all + 2 * np;
	a.new = all + 3 * np;
	a.end = all + 4 * np;
	if (!(*out = table_new("churn", "Customers and attrition per period",
	                       "period,active_start,lost,won_back,new,active_end,attrition,retention",
	                       0xfeULL))) {
		free(all);
		return CRM_NOMEM;
	}
	(*out)->chart = CRM_CHART_SERIES;
	(*out)->value = 6;
	rc = walk_purchases(c, c->pkind, churn_party, &a);
	for (long k = 0; !rc && k < np; k++) {
		char lab[32], n[5][24], r1[24], r2[24];
		period_label(c->p0 + k, c->pkind, lab);
		long long *cols[5] = { a.start, a.lost, a.back, a.new, a.end };
		const char *v[8] = { lab };
		for (int i = 0; i < 5; i++) {
			fmt_int(n[i], sizeof n[i], cols[i][k]);
			v[1 + i] = n[i];
		}
		v[6] = fmt_rate(r1, sizeof r1, a.lost[k], a.start[k]);
		v[7] = fmt_rate(r2, sizeof r2, a.start[k] - a.lost[k], a.start[k]);
		rc = table_row(*out, v);
	}
	free(all);
	return rc;
}

static int
rep_cohort(struct ctx *c, crm_report_t **out)
{
	/* Cohorts are months whatever --period says: 12 to until, or from --since. */
	long m1 = period_of(c->until, P_MONTH), last = m1;
	long m0 = c->since[0] ? period_of(c->since, P_MONTH) : m1 - 11;
	long nc = m1 - m0 + 1;
	struct cohort_acc a = { m0, m1, NULL, NULL };
	char cols[256];
	int rc = CRM_OK;

	if (nc < 1 || nc > 240) {
		msgf(c->msg, c->len, nc < 1 ? "--since is after --until or --as-of" :
		     "more than 240 months of cohorts: narrow --since");
		return CRM_USAGE;
	}
	a.size = calloc((size_t)nc, sizeof *a.size);
	a.kept = calloc((size_t)nc * COHORT_MONTHS, sizeof *a.kept);
	snprintf(cols, sizeof cols, "cohort,customers");
	for (int k = 0; k < COHORT_MONTHS; k++) {
		size_t l = strlen(cols);
		snprintf(cols + l, sizeof cols - l, ",m%d", k);
	}
	if (!a.size || !a.kept || !(*out = table_new("cohort", "Retention by month of first purchase",
	                                             cols, ((1ULL << (COHORT_MONTHS + 2)) - 1) & ~1ULL))) {
		free(a.size);
		free(a.kept);
		return CRM_NOMEM;
	}
	(*out)->chart = CRM_CHART_MATRIX;
	(*out)->value = 2;
	rc = walk_purchases(c, P_MONTH, cohort_party, &a);
	for (long i = 0; !rc && i < nc; i++) {
		char lab[32], size[24], cell[COHORT_MONTHS][24];
		const char *v[COHORT_MONTHS + 2];
		period_label(m0 + i, P_MONTH, lab);
		fmt_int(size, sizeof size, a.size[i]);
		v[0] = lab;
		v[1] = size;
		for (int k = 0; k < COHORT_MONTHS; k++)
			v[2 + k] = m0 + i + k > last ? NULL :
			           fmt_rate(cell[k], sizeof cell[k], a.kept[i * COHORT_MONTHS + k], a.size[i]);
		rc = table_row(*out, v);
	}
	free(a.size);
	free(a.kept);
	return rc;
}

static int
rep_funnel(struct ctx *c, crm_report_t **out)
{
	crm_report_t *r, *cy;
	sqlite3_stmt *st = NULL;
	char sql[1024], pb[96];
	int rc = CRM_OK;

	if (!(r = table_new("funnel", "Funnel: lead, prospect, customer",
	                    "stage,parties,conversion,of_leads", 0xeULL)))
		return CRM_NOMEM;
	*out = r;
	r->chart = CRM_CHART_BARS;
	r->value = 1;
	snprintf(sql, sizeof sql, "SELECT count(CASE WHEN kind IN ('lead', 'prospect', 'customer')"
	         " THEN 1 END), count(CASE WHEN kind IN ('prospect', 'customer') THEN 1 END),"
	         " count(CASE WHEN kind = 'customer' THEN 1 END) FROM party p WHERE type = 'person'"
	         " AND p.created <= ?3%s", pop(c, "p.id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, c->as_of, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		static const char *const stages[] = { "lead", "prospect", "customer" };
		long long n[3];
		for (int i = 0; i < 3; i++)
			n[i] = sqlite3_column_int64(st, i);
		for (int i = 0; i < 3 && rc == SQLITE_ROW; i++) {
			char a[24], b[24], d[24];
			fmt_int(a, sizeof a, n[i]);
			const char *v[4] = { stages[i], a, i ? fmt_rate(b, sizeof b, n[i], n[i - 1]) : NULL,
			                     fmt_rate(d, sizeof d, n[i], n[0]) };
			if (table_row(r, v))
				rc = CRM_NOMEM;
		}
		if (rc == SQLITE_ROW)
			rc = SQLITE_DONE;
	}
	if ((rc = done(c, st, rc)))
		return rc;

	/* The sales cycle: days from creation or first event, whichever is first, to first purchase. */
	if (!(cy = table_new("sales-cycle", "Sales cycle, days to first purchase",
	                     "customers,min,q1,median,q3,max", 0x3fULL)))
		return CRM_NOMEM;
	r->next = cy;
	cy->chart = CRM_CHART_NONE;
	snprintf(sql, sizeof sql, "SELECT f.first_purchase, min(p.created, coalesce((SELECT min(at)"
	         " FROM event e WHERE e.party_id = p.id), p.created)) FROM party_fact f JOIN party p"
	         " ON p.id = f.party_id WHERE f.first_purchase IS NOT NULL AND p.type = 'person'%s%s%s",
	         c->since[0] ? " AND f.first_purchase >= ?1" : "",
	         c->until[0] ? " AND f.first_purchase <= ?2" : "", pop(c, "p.id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	double *d = NULL;
	size_t n = 0, cap = 0;
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		double days = (double)(iso_seconds(col_text(st, 0)) - iso_seconds(col_text(st, 1))) / 86400.0;
		if (n == cap) {
			size_t nc = cap ? cap * 2 : 1024;
			double *g = realloc(d, nc * sizeof *g);
			if (!g) {
				rc = CRM_NOMEM;
				break;
			}
			d = g;
			cap = nc;
		}
		d[n++] = days < 0 ? 0 : days;
	}
	if ((rc = done(c, st, rc))) {
		free(d);
		return rc;
	}
	if (n)
		qsort(d, n, sizeof *d, cmp_dbl);
	char v[6][32];
	const char *row[6] = { v[0] };
	fmt_int(v[0], sizeof v[0], (long long)n);
	static const double qs[] = { 0, 0.25, 0.5, 0.75, 1 };
	for (int i = 0; i < 5; i++) {
		row[i + 1] = NULL;
		if (n) {
			snprintf(v[i + 1], sizeof v[0], "%.1f", quantile(d, n, qs[i]));
			row[i + 1] = v[i + 1];
		}
	}
	free(d);
	return table_row(cy, row);
}

static int
rep_revenue(struct ctx *c, crm_report_t **out)
{
	char pe[160], sql[4096], pb[96], gx[1024] = "", title[160], cols[256];
	const char *by = c->o->by;
	struct strv keys = {0};
	int tags = 0, scores = 0, attr = 0, rc = CRM_OK;
	sqlite3_stmt *st = NULL;

	if (by && strchr(by, ',')) {
		msgf(c->msg, c->len, "revenue --by takes one field");
		return CRM_USAGE;
	}
	if (by && (rc = group_expr(c, by, gx, sizeof gx, &tags, &scores, &attr, &keys, 8)))
		return rc;
	if (scores) {
		char m2[256];
		if ((rc = score_compute(c->s, scores, &c->o->scores, m2, sizeof m2))) {
			msgf(c->msg, c->len, "%s", m2);
			strv_clear(&keys);
			return rc;
		}
	}
	period_expr(c->pkind, "e.at", pe, sizeof pe);
	snprintf(title, sizeof title, "Revenue (%s) per %s%s%s", c->cur,
	         c->pkind == P_MONTH ? "month" : c->pkind == P_QUARTER ? "quarter" : "year",
	         by ? " by " : "", by ? by : "");
	snprintf(cols, sizeof cols, "period%s%s,revenue,orders,average_basket,refunds",
	         by ? "," : "", by ? by : "");
	if (!(*out = table_new("revenue", title, cols, by ? 0x3cULL : 0x1eULL))) {
		strv_clear(&keys);
		return CRM_NOMEM;
	}
	(*out)->chart = by ? CRM_CHART_BARS : CRM_CHART_SERIES;
	(*out)->value = by ? 2 : 1;
	char from[48], to[48];
	period_start(c->p0, c->pkind, from);
	period_start(c->p1 + 1, c->pkind, to);
	/* Purchases and refunds from their covering indexes, not the event table. */
	snprintf(sql, sizeof sql, "SELECT %s%s%s,"
	         " sum(CASE WHEN e.type = 'purchase' THEN e.amount ELSE 0 END),"
	         " count(CASE WHEN e.type = 'purchase' THEN 1 END),"
	         " sum(CASE WHEN e.type = 'refund' THEN e.amount ELSE 0 END)"
	         " FROM (SELECT party_id, at, amount, 'purchase' AS type FROM event"
	         " INDEXED BY event_purchase WHERE type = 'purchase' AND currency = ?4 AND at >= ?5"
	         " AND at < ?6 AND at <= ?7 UNION ALL SELECT party_id, at, amount, 'refund' FROM event"
	         " INDEXED BY event_refund WHERE type = 'refund' AND currency = ?4 AND at >= ?5"
	         " AND at < ?6 AND at <= ?7) e%s%s%s WHERE 1%s GROUP BY 1%s ORDER BY 1%s",
	         pe, by ? ", " : "", by ? gx : "",
	         by ? " JOIN party p ON p.id = e.party_id LEFT JOIN party_fact f ON f.party_id = p.id" : "",
	         tags ? " LEFT JOIN party_tag t ON t.party_id = p.id" : "",
	         scores ? " LEFT JOIN temp.crm_score s ON s.party_id = p.id" : "",
	         pop(c, "e.party_id", pb, sizeof pb), by ? ", 2" : "", by ? ", 3 DESC, 2" : "");
	if ((rc = prepare(c, sql, &st))) {
		strv_clear(&keys);
		return rc;
	}
	sqlite3_bind_text(st, 3, c->as_of, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, c->cur, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, c->until[0] ? c->until : c->as_of, -1, SQLITE_STATIC);
	for (size_t i = 0; i < keys.n; i++)
		sqlite3_bind_text(st, (int)i + 8, keys.v[i], -1, SQLITE_STATIC);
	/* Without --by, every period of the span has a row, empty ones too. */
	long np = c->p1 - c->p0 + 1;
	long long *acc = by ? NULL : calloc((size_t)np * 3, sizeof *acc);
	int g = by ? 1 : 0;
	if (!by && !acc)
		rc = SQLITE_NOMEM;
	else
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			long long pur = sqlite3_column_int64(st, 1 + g), n = sqlite3_column_int64(st, 2 + g);
			long long refs = sqlite3_column_int64(st, 3 + g);
			if (!by) {
				long k = period_of_key(col_text(st, 0), c->pkind) - c->p0;
				if (k >= 0 && k < np) {
					acc[3 * k] = pur;
					acc[3 * k + 1] = n;
					acc[3 * k + 2] = refs;
				}
				continue;
			}
			if ((rc = revenue_row(*out, col_text(st, 0), col_text(st, 1), pur, n, refs)))
				break;
		}
	for (long k = 0; !by && acc && k < np && rc == SQLITE_DONE; k++) {
		char lab[32];
		period_label(c->p0 + k, c->pkind, lab);
		if (revenue_row(*out, lab, NULL, acc[3 * k], acc[3 * k + 1], acc[3 * k + 2]))
			rc = SQLITE_NOMEM;
	}
	free(acc);
	if (rc == SQLITE_NOMEM || rc == CRM_NOMEM) {
		sqlite3_finalize(st);
		strv_clear(&keys);
		return CRM_NOMEM;
	}
	strv_clear(&keys);
	return done(c, st, rc == SQLITE_ROW ? SQLITE_DONE : rc);
}

static int
rep_tasks(struct ctx *c, crm_report_t **out)
{
	sqlite3_stmt *st = NULL;
	char sql[1024], pb[96];
	int rc = CRM_OK;

	if (!(*out = table_new("tasks", "Open tasks per assignee", "assignee,open,overdue,oldest_due",
	                       0x6ULL)))
		return CRM_NOMEM;
	(*out)->chart = CRM_CHART_BARS;
	(*out)->value = 1;
	snprintf(sql, sizeof sql, "SELECT assignee, count(*), count(CASE WHEN due < ?3"
	         " THEN 1 END), min(due) FROM event WHERE type = 'task' AND status = 'open'%s"
	         " GROUP BY assignee ORDER BY 2 DESC, assignee IS NULL, assignee",
	         pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, c->today, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[4] = { col_text(st, 0), col_text(st, 1), col_text(st, 2), col_text(st, 3) };
		if ((rc = table_row(*out, v)))
			break;
	}
	return done(c, st, rc);
}

static int
rep_activity(struct ctx *c, crm_report_t **out)
{
	sqlite3_stmt *st = NULL;
	char sql[1024], pb[96], pe[160], from[48], to[48];
	int rc = CRM_OK;

	if (!(*out = table_new("activity", "Events per channel and period", "period,channel,events",
	                       0x4ULL)))
		return CRM_NOMEM;
	(*out)->chart = CRM_CHART_BARS;
	(*out)->value = 2;
	period_expr(c->pkind, "at", pe, sizeof pe);
	period_start(c->p0, c->pkind, from);
	period_start(c->p1 + 1, c->pkind, to);
	snprintf(sql, sizeof sql, "SELECT %s, coalesce(channel, '(none)') FROM event"
	         " WHERE type <> 'task' AND at >= ?3 AND at < ?4 AND at <= ?5%s", pe,
	         pop(c, "party_id", pb, sizeof pb));
	if ((rc = prepare(c, sql, &st)))
		return rc;
	sqlite3_bind_text(st, 3, from, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, to, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, c->until, -1, SQLITE_STATIC);
	struct agg a = { .nk = 2, .order = 1 };
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (agg_row(&a, st)) {
			rc = CRM_NOMEM;
			break;
		}
	rc = done(c, st, rc);
	agg_sort(&a);
	for (size_t g = 0; !rc && g < a.n; g++) {
		char cnt[32];
		fmt_int(cnt, sizeof cnt, a.g[g].count);
		const char *v[3] = { a.g[g].k[0].text, a.g[g].k[1].text, cnt };
		rc = table_row(*out, v);
	}
	agg_free(&a);
	return rc;
}

/* ------------------------------------------------------------------ */

int
crm_report_restrict_begin(crm_store_t *s)
{
	int rc = sqlite3_exec(store_db(s), "CREATE TEMP TABLE IF NOT EXISTS crm_pop"
	                      " (id INTEGER PRIMARY KEY); DELETE FROM temp.crm_pop", NULL, NULL, NULL);

	return rc == SQLITE_OK ? CRM_OK : store_status(s, rc);
}

int
crm_report_restrict_add(crm_store_t *s, int64_t id)
{
	sqlite3_stmt *st = store_stmt(s, "crm_pop", "INSERT OR IGNORE INTO temp.crm_pop (id) VALUES (?1)");
	int rc = CRM_OK;

	if (!st)
		return store_status(s, sqlite3_errcode(store_db(s)));
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}
int
crm_report_run(crm_store_t *s, const char *name, const char *arg, const struct crm_report_opts *o,
               crm_report_t **out, char *msg, size_t len)
{
	struct ctx c = { .s = s, .o = o, .msg = msg, .len = len };
	int rc, which;

	*out = NULL;
	if ((rc = report_setup(&c, name, &which)))
		return rc;
	switch (which) {
	case 0: rc = rep_summary(&c, out); break;
	case 1: rc = rep_by(&c, arg, out); break;
	case 2: rc = rep_campaign(&c, arg, out); break;
	case 3: rc = rep_churn(&c, out); break;
	case 4: rc = rep_funnel(&c, out); break;
	case 5: rc = rep_revenue(&c, out); break;
	case 6: rc = rep_cohort(&c, out); break;
	case 7: rc = rep_tasks(&c, out); break;
	default: rc = rep_activity(&c, out); break;
	}
	if (rc) {
		if (rc == CRM_STORE || rc == CRM_BUSY)
			msgf(msg, len, "%s", crm_store_errmsg(s));
		crm_report_free(*out);
		*out = NULL;
	}
	return rc;
}
