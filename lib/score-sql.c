/* SPDX-License-Identifier: MIT */
/*
 * score-sql.c: the scores of a run (see score.c) from the store: the
 * purchases, the activity and the tags read, the temporary table crm_score
 * written, which queries join (see query-sql.c).
 */
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"
#include "score-private.h"

/*
 * The customers as of r->t, in party order, from the partial index of
 * purchases (read without the table), with their own usual gaps; the
 * base's usual gap in *base.
 */
static int
load_customers(crm_store_t *s, struct run *r, struct cust **out, size_t *nout, double *base,
               int *base_own)
{
	sqlite3_stmt *st;
	struct cust *c = NULL;
	size_t n = 0, cap = 0;
	int rc;

	/*
	 * The purchases in index order, party by party and in time order
	 * within each, summed here: cheaper than SQL aggregates.
	 */
	rc = sqlite3_prepare_v2(store_db(s),
	    "SELECT party_id, at, amount, currency FROM event INDEXED BY event_purchase"
	    " WHERE type = 'purchase' AND at <= ?1 ORDER BY party_id, at", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, r->as_of, -1, SQLITE_STATIC);
	struct cust *k = NULL;
	char last[32] = "";
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(st, 0);
		const char *at = (const char *)sqlite3_column_text(st, 1);
		if (!at)
			continue;
		if (!k || k->id != id) {
			if (k)
				k->last = iso_seconds(last);
			if (n == cap) {
				size_t nc = cap ? cap * 2 : 4096;
				struct cust *g = realloc(c, nc * sizeof *g);
				if (!g) {
					rc = SQLITE_NOMEM;
					break;
				}
				c = g;
				cap = nc;
			}
			k = &c[n++];
			memset(k, 0, sizeof *k);
			k->id = id;
			k->first = iso_seconds(at);
		}
		snprintf(last, sizeof last, "%s", at);
		k->n++;
		if (strcmp(at, r->from) > 0) {
			k->nwin++;
			const char *cur = (const char *)sqlite3_column_text(st, 3);
			if (cur && !strcmp(cur, r->cur))
				k->mwin += sqlite3_column_int64(st, 2);
		}
		if (strcmp(at, r->pfrom) > 0)
			k->npw++;
	}
	if (k)
		k->last = iso_seconds(last);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(c);
		return rc == SQLITE_NOMEM ? CRM_NOMEM : store_status(s, rc);
	}
	if ((rc = customers_gaps(c, n, r, base, base_own))) {
		free(c);
		return rc;
	}
	*out = c;
	*nout = n;
	return CRM_OK;
}

/* A stream of (party_id, ...) rows in party order, merged by id. */
static int64_t
head(sqlite3_stmt *st, int *rc)
{
	if (*rc != SQLITE_ROW)
		return INT64_MAX;
	return sqlite3_column_int64(st, 0);
}

/* A JSON array of the n ids, or of the weights' tags (caller frees); NULL: no memory. */
static char *
json_ids(const int64_t *ids, size_t n)
{
	json_t *a = json_array();
	char *t;

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_integer((json_int_t)ids[i]))) {
			json_decref(a);
			return NULL;
		}
	t = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	return t;
}

static char *
json_tags(const struct weights *w)
{
	json_t *tl = json_array();
	char *t;

	for (size_t i = 0; tl && i < w->tags.n; i++)
		json_array_append_new(tl, json_string(w->tags.v[i]));
	t = tl ? json_dumps(tl, JSON_COMPACT) : NULL;
	json_decref(tl);
	return t;
}

static int
compute(crm_store_t *s, int which, struct run *r, const int64_t *focus, size_t nfocus)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *act = NULL, *tag = NULL, *ins = NULL;
	struct cust *c = NULL;
	struct scoring sc = { 0 };
	struct party_score ps = { 0 };
	size_t nc = 0, ci = 0;
	double base = 0;
	int rc, arc = SQLITE_DONE, trc = SQLITE_DONE, base_own = 0;

	rc = sqlite3_exec(db, "DROP TABLE IF EXISTS temp.crm_score;"
	                      "CREATE TEMP TABLE crm_score (party_id INTEGER PRIMARY KEY,"
	                      " rfm_r INTEGER, rfm_f INTEGER, rfm_m INTEGER, rfm TEXT, rfm_segment TEXT,"
	                      " days_since_purchase INTEGER, usual_gap REAL, churn_risk TEXT,"
	                      " churned TEXT, propensity INTEGER, explain TEXT)", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	if ((rc = load_customers(s, r, &c, &nc, &base, &base_own)))
		return rc;
	if ((rc = scoring_init(&sc, r, which, c, nc, base, base_own)))
		goto out;
	if (which & CRM_SCORE_PROPENSITY) {
		/* For a few parties (focus), their own events, through the (party, time) index. */
		rc = sqlite3_prepare_v2(db, focus ?
		    "SELECT party_id, count(CASE WHEN type = 'opened' THEN 1 END),"
		    " count(CASE WHEN type = 'clicked' THEN 1 END),"
		    " count(CASE WHEN type NOT IN ('opened', 'clicked') THEN 1 END)"
		    " FROM event INDEXED BY event_party_at WHERE party_id IN"
		    " (SELECT value FROM json_each(?3)) AND at > ?1 AND at <= ?2 AND"
		    " (type IN ('opened', 'clicked') OR (direction = 'in' AND type NOT IN ('purchase',"
		    " 'refund', 'bounced', 'unsubscribed'))) GROUP BY party_id ORDER BY party_id" :
		    "SELECT party_id, count(CASE WHEN type = 'opened' THEN 1 END),"
		    " count(CASE WHEN type = 'clicked' THEN 1 END),"
		    " count(CASE WHEN type NOT IN ('opened', 'clicked') THEN 1 END)"
		    " FROM event WHERE at > ?1 AND at <= ?2 AND (type IN ('opened', 'clicked') OR"
		    " (direction = 'in' AND type NOT IN ('purchase', 'refund', 'bounced',"
		    " 'unsubscribed')))"
		    " GROUP BY party_id ORDER BY party_id", -1, &act, NULL);
		if (rc == SQLITE_OK)
			rc = sqlite3_prepare_v2(db, focus ?
			                        "SELECT party_id, tag FROM party_tag WHERE party_id IN"
			                        " (SELECT value FROM json_each(?2)) AND tag IN"
			                        " (SELECT value FROM json_each(?1)) ORDER BY party_id, tag" :
			                        "SELECT party_id, tag FROM party_tag WHERE tag IN"
			                        " (SELECT value FROM json_each(?1)) ORDER BY party_id, tag",
			                        -1, &tag, NULL);
		if (rc == SQLITE_OK && focus) {
			char *ids = json_ids(focus, nfocus);
			if (!ids) {
				rc = CRM_NOMEM;
				goto out;
			}
			sqlite3_bind_text(act, 3, ids, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(tag, 2, ids, -1, SQLITE_TRANSIENT);
			free(ids);
		}
		if (rc != SQLITE_OK) {
			rc = store_status(s, rc);
			goto out;
		}
		sqlite3_bind_text(act, 1, r->pfrom, -1, SQLITE_STATIC);
		sqlite3_bind_text(act, 2, r->as_of, -1, SQLITE_STATIC);
		char *tt = json_tags(&r->w);
		if (!tt) {
			rc = CRM_NOMEM;
			goto out;
		}
		sqlite3_bind_text(tag, 1, tt, -1, free);
		arc = sqlite3_step(act);
		trc = sqlite3_step(tag);
	}
	rc = sqlite3_prepare_v2(db, "INSERT INTO temp.crm_score VALUES"
	                        " (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)", -1, &ins, NULL);
	if (rc != SQLITE_OK) {
		rc = store_status(s, rc);
		goto out;
	}
	/* Walk the customers, the activity and the tags together, in party order. */
	for (;;) {
		int64_t id = INT64_MAX;
		if (ci < nc)
			id = c[ci].id;
		if (head(act, &arc) < id)
			id = head(act, &arc);
		if (head(tag, &trc) < id)
			id = head(tag, &trc);
		if (id == INT64_MAX)
			break;
		struct cust *k = ci < nc && c[ci].id == id ? &c[ci++] : NULL;
		if (!in_focus(focus, nfocus, id)) {
			/* Not asked for: its activity and tags are passed over. */
			while (head(act, &arc) == id)
				arc = sqlite3_step(act);
			while (head(tag, &trc) == id)
				trc = sqlite3_step(tag);
			continue;
		}
		int64_t counts[3], *a = NULL;
		if ((which & CRM_SCORE_PROPENSITY) && head(act, &arc) == id) {
			for (int i = 0; i < 3; i++)
				counts[i] = sqlite3_column_int64(act, i + 1);
			a = counts;
			arc = sqlite3_step(act);
		}
		if ((rc = party_score(&sc, k, a, &ps)))
			goto out;
		while ((which & CRM_SCORE_PROPENSITY) && head(tag, &trc) == id) {
			if ((rc = party_score_tag(&sc, &ps, (const char *)sqlite3_column_text(tag, 1))))
				goto out;
			trc = sqlite3_step(tag);
		}
		char *ex;
		if ((rc = party_score_end(&sc, &ps, &ex)))
			goto out;
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		sqlite3_bind_int64(ins, 1, id);
		if (ps.has_rfm) {
			sqlite3_bind_int(ins, 2, ps.rfm_r);
			sqlite3_bind_int(ins, 3, ps.rfm_f);
			sqlite3_bind_int(ins, 4, ps.rfm_m);
			sqlite3_bind_text(ins, 5, ps.rfm, 3, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 6, ps.rfm_segment, -1, SQLITE_STATIC);
		}
		if (ps.has_churn) {
			sqlite3_bind_int64(ins, 7, ps.days);
			sqlite3_bind_double(ins, 8, ps.usual_gap);
			sqlite3_bind_text(ins, 9, ps.churn_risk, -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 10, ps.churned, -1, SQLITE_STATIC);
		}
		if (ps.has_prop)
			sqlite3_bind_int64(ins, 11, ps.propensity);
		if (ex)
			sqlite3_bind_text(ins, 12, ex, -1, free);
		party_score_free(&ps);
		if ((rc = sqlite3_step(ins)) != SQLITE_DONE) {
			rc = store_status(s, rc);
			goto out;
		}
	}
	rc = (arc == SQLITE_DONE || arc == SQLITE_ROW) && (trc == SQLITE_DONE || trc == SQLITE_ROW) ?
	     CRM_OK : store_status(s, arc != SQLITE_DONE ? arc : trc);
out:
	party_score_free(&ps);
	sqlite3_finalize(act);
	sqlite3_finalize(tag);
	sqlite3_finalize(ins);
	scoring_free(&sc);
	free(c);
	return rc;
}

int
score_compute(crm_store_t *s, int which, const struct crm_score_opts *o, char *msg, size_t len)
{
	return score_compute_for(s, which, o, NULL, 0, msg, len);
}

int
score_compute_for(crm_store_t *s, int which, const struct crm_score_opts *o, const int64_t *focus,
                  size_t nfocus, char *msg, size_t len)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof r);
	if (!(rc = run_setup(&r, o, msg, len)))
		rc = compute(s, which, &r, focus, nfocus);
	if (rc == CRM_STORE || rc == CRM_BUSY)
		msgf(msg, len, "%s", crm_store_errmsg(s));
	weights_free(&r.w);
	return rc;
}

/* Customers active (not churned) at time t, as a sorted array of ids. */
static int
active_at(crm_store_t *s, struct run *r, int64_t t, int64_t **ids, size_t *n)
{
	struct cust *c;
	size_t nc, k = 0;
	double base;
	int rc, own;

	iso_of((time_t)t, r->as_of);
	r->t = t;
	if ((rc = load_customers(s, r, &c, &nc, &base, &own)))
		return rc;
	if (!(*ids = malloc((nc ? nc : 1) * sizeof **ids))) {
		free(c);
		return CRM_NOMEM;
	}
	for (size_t i = 0; i < nc; i++)
		if (cust_active(&c[i], r, t, base))
			(*ids)[k++] = c[i].id;
	free(c);
	*n = k;
	return CRM_OK;
}
int
crm_score_attrition(crm_store_t *s, const struct crm_score_opts *o, const char *period,
                    struct crm_attrition *out, char *msg, size_t len)
{
	struct run r;
	int64_t *a = NULL, *b = NULL, start;
	size_t na = 0, nb = 0;
	int rc;

	memset(&r, 0, sizeof r);
	memset(out, 0, sizeof *out);
	if ((rc = run_setup(&r, o, msg, len)))
		goto out;
	if (!window_start(r.t, period ? period : "365d", &start) || start < -30610224000LL) {
		msgf(msg, len, "--period: a length such as 365d, 13w, 3mo or 1y, not '%s'", period);
		rc = CRM_USAGE;
		goto out;
	}
	snprintf(out->as_of, sizeof out->as_of, "%s", r.as_of);
	iso_of((time_t)start, out->since);
	int64_t end = r.t;
	if ((rc = active_at(s, &r, start, &a, &na)) || (rc = active_at(s, &r, end, &b, &nb)))
		goto out;
	/* Churned: active at the start, not active at the end (both sorted by id). */
	size_t j = 0;
	for (size_t i = 0; i < na; i++) {
		while (j < nb && b[j] < a[i])
			j++;
		if (j == nb || b[j] != a[i])
			out->churned++;
	}
	out->active = (int64_t)na;
	out->rate = na ? (double)out->churned / (double)na : NAN;
out:
	if (rc == CRM_STORE || rc == CRM_BUSY)
		msgf(msg, len, "%s", crm_store_errmsg(s));
	free(a);
	free(b);
	weights_free(&r.w);
	return rc;
}
