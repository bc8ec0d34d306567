/* SPDX-License-Identifier: MIT */
/*
 * score.c: RFM, churn and propensity scores, computed for one run into
 * the temporary table crm_score, which queries join (see query.c).  Every
 * number follows from the store and the time "as of": the same store and
 * the same --as-of give the same scores.  The formulas are those of
 * crm-segment(1); keep the two in step.
 */
#include <ctype.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

/* Weights and thresholds: built in, or from a weights file. */
enum { SIG_OPENS, SIG_CLICKS, SIG_REPLIES, SIG_PURCHASES, SIG_RECENCY, NSIG };
static const char *const sig_names[NSIG] = { "opens", "clicks", "replies", "purchases", "recency" };

struct weights {
	double medium, high, churned;   /* churn: ratios of the usual gap */
	long min_purchases;             /* an own usual gap from this many purchases */
	double base_gap;                /* days, when no customer has that many */
	char pwindow[16];               /* propensity window */
	double w[NSIG], full[NSIG];     /* weight; the count (days for recency) of a full signal */
	struct strv tags;
	double *tagw;
};

static void
weights_default(struct weights *w)
{
	static const double dw[NSIG] = { 10, 20, 20, 30, 20 }, df[NSIG] = { 5, 3, 2, 3, 365 };

	memset(w, 0, sizeof *w);
	w->medium = 1.5;
	w->high = 2.5;
	w->churned = 4;
	w->min_purchases = 3;
	w->base_gap = 90;
	snprintf(w->pwindow, sizeof w->pwindow, "90d");
	memcpy(w->w, dw, sizeof dw);
	memcpy(w->full, df, sizeof df);
}

static void
weights_free(struct weights *w)
{
	strv_clear(&w->tags);
	free(w->tagw);
}

static int
num(json_t *v, double *out)
{
	if (!json_is_number(v))
		return 0;
	*out = json_number_value(v);
	return isfinite(*out);
}

/* Read a weights file (see crm-segment(1), WEIGHTS).  CRM_BADINPUT with msg. */
static int
weights_load(struct weights *w, const char *path, char *msg, size_t len)
{
	json_error_t err;
	json_t *root, *o, *v;
	const char *k;
	int rc = CRM_BADINPUT;

	if (!(root = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &err))) {
		char why[JSON_ERROR_TEXT_LENGTH + 64];
		if (err.line < 1)
			msgf(msg, len, "%s: %s", path, json_why(&err, why, sizeof why));
		else
			msgf(msg, len, "%s:%d: %s", path, err.line, json_why(&err, why, sizeof why));
		return CRM_BADINPUT;
	}
	if (!json_is_object(root)) {
		msgf(msg, len, "%s: not a JSON object", path);
		goto out;
	}
	json_object_foreach(root, k, o) {
		if (!json_is_object(o) || (strcmp(k, "churn") && strcmp(k, "propensity"))) {
			msgf(msg, len, "%s: unknown key '%s' (churn, propensity)", path, k);
			goto out;
		}
	}
	if ((o = json_object_get(root, "churn"))) {
		const char *ck;
		json_object_foreach(o, ck, v) {
			double d;
			if (!num(v, &d) || d <= 0) {
				msgf(msg, len, "%s: churn.%s: a positive number", path, ck);
				goto out;
			}
			if (!strcmp(ck, "medium"))
				w->medium = d;
			else if (!strcmp(ck, "high"))
				w->high = d;
			else if (!strcmp(ck, "churned"))
				w->churned = d;
			else if (!strcmp(ck, "min_purchases") && d == floor(d) && d >= 2 && d < 1e9)
				w->min_purchases = (long)d;
			else if (!strcmp(ck, "base_gap_days"))
				w->base_gap = d;
			else {
				msgf(msg, len, "%s: churn.%s: unknown, or not a whole number of at least 2",
				     path, ck);
				goto out;
			}
		}
		if (!(w->medium <= w->high && w->high <= w->churned)) {
			msgf(msg, len, "%s: churn: medium <= high <= churned", path);
			goto out;
		}
	}
	if ((o = json_object_get(root, "propensity"))) {
		const char *pk;
		json_object_foreach(o, pk, v) {
			int i;
			if (!strcmp(pk, "window")) {
				const char *s = json_string_value(v);
				char *end;
				long n = s ? strtol(s, &end, 10) : -1;
				if (!s || n <= 0 || n > 100000 || end == s || !*end || end[1] ||
				    !strchr("dwmy", *end)) {
					msgf(msg, len, "%s: propensity.window: such as \"90d\"", path);
					goto out;
				}
				snprintf(w->pwindow, sizeof w->pwindow, "%s", s);
				continue;
			}
			if (!strcmp(pk, "tags")) {
				const char *tk;
				json_t *tv;
				if (!json_is_object(v)) {
					msgf(msg, len, "%s: propensity.tags: an object of tag: weight", path);
					goto out;
				}
				json_object_foreach(v, tk, tv) {
					double d;
					double *nw;
					if (!num(tv, &d)) {
						msgf(msg, len, "%s: propensity.tags.%s: a number", path, tk);
						goto out;
					}
					if (!(nw = realloc(w->tagw, (w->tags.n + 1) * sizeof *nw)) ||
					    strv_push(&w->tags, tk)) {
						if (nw)
							w->tagw = nw;
						rc = CRM_NOMEM;
						goto out;
					}
					w->tagw = nw;
					w->tagw[w->tags.n - 1] = d;
				}
				continue;
			}
			for (i = 0; i < NSIG && strcmp(pk, sig_names[i]); i++)
				;
			if (i == NSIG || !json_is_object(v)) {
				msgf(msg, len, "%s: propensity.%s: unknown (window, tags, opens, clicks, "
				     "replies, purchases, recency)", path, pk);
				goto out;
			}
			const char *sk;
			json_t *sv;
			json_object_foreach(v, sk, sv) {
				double d;
				const char *fullname = i == SIG_RECENCY ? "days" : "full";
				if (!num(sv, &d) || (strcmp(sk, "weight") && strcmp(sk, fullname)) ||
				    (!strcmp(sk, fullname) && d <= 0)) {
					msgf(msg, len, "%s: propensity.%s.%s: weight (a number) or %s "
					     "(a positive number)", path, pk, sk, fullname);
					goto out;
				}
				if (!strcmp(sk, "weight"))
					w->w[i] = d;
				else
					w->full[i] = d;
			}
		}
	}
	rc = CRM_OK;
out:
	json_decref(root);
	return rc;
}

/* The start of a window such as 365d, 52w, 12mo or 1y (see length_parse()) that ends at t. */
static int
window_start(int64_t t, const char *spec, int64_t *out)
{
	long n;
	char unit;
	time_t tt = (time_t)t;
	struct tm tm;

	if (!length_parse(spec, &n, &unit) || n <= 0 || n > 100000)
		return 0;
	gmtime_r(&tt, &tm);
	switch (unit) {
	case 'd': *out = t - n * 86400LL; return 1;
	case 'w': *out = t - n * 7 * 86400LL; return 1;
	case 'm': tm.tm_mon -= (int)(n % 12); tm.tm_year -= (int)(n / 12); break;
	case 'y': tm.tm_year -= (int)n; break;
	default: return 0;
	}
	/* A calendar month back from the 31st is the last day of the shorter month. */
	if (tm.tm_mon < 0) {
		tm.tm_mon += 12;
		tm.tm_year--;
	}
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	int y = tm.tm_year + 1900;
	int last = mdays[tm.tm_mon] + (tm.tm_mon == 1 && y % 4 == 0 && (y % 100 || y % 400 == 0));
	if (tm.tm_mday > last)
		tm.tm_mday = last;
	*out = (int64_t)timegm(&tm);
	return 1;
}

/* One customer: a party with a purchase at or before the time as of. */
struct cust {
	int64_t id;
	int64_t first, last;    /* seconds */
	int64_t n;              /* purchases up to as of */
	int64_t nwin;           /* purchases in the RFM window */
	int64_t mwin;           /* their amounts in the currency, ten-thousandths */
	int64_t npw;            /* purchases in the propensity window */
	double gap;             /* own usual gap in days, or -1 */
};

static int
cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

static int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* How many of the n sorted values are smaller than v. */
static size_t
below(const int64_t *v, size_t n, int64_t x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid] < x)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

/* The RFM segment of a recency score and FM = round((F + M) / 2). */
static const char *
rfm_segment(int r, int fm)
{
	if (r >= 4)
		return fm >= 4 ? "champions" : fm >= 2 ? "potential-loyalists" : r == 5 ? "new" : "promising";
	if (r == 3)
		return fm >= 4 ? "loyal" : fm == 3 ? "need-attention" : "about-to-sleep";
	if (fm == 5)
		return "cannot-lose-them";
	if (fm >= 3)
		return "at-risk";
	return r == 2 ? "hibernating" : "lost";
}

/* The time a run is as of: a bare date means the end of that day. */
int
as_of_time(const char *spec, char out[21], char *msg, size_t len)
{
	return time_of_option("--as-of", spec, out, msg, len);
}

int
time_of_option(const char *opt, const char *spec, char out[21], char *msg, size_t len)
{
	char t[40];

	if (!spec)
		spec = "now";
	if (strlen(spec) == 10 && date_valid(spec, 0) && spec[0] != '-') {
		snprintf(t, sizeof t, "%sT23:59:59", spec);
		spec = t;
	}
	if (time_parse(spec, 0, out, msg, len)) {
		char m2[200];
		snprintf(m2, sizeof m2, "%s: %s", opt, msg);
		msgf(msg, len, "%s", m2);
		return CRM_USAGE;
	}
	return CRM_OK;
}

/* Everything a run's scores depend on, resolved. */
struct run {
	char as_of[21], from[21], pfrom[21], cur[4];
	int64_t t, tfrom, tpfrom;
	struct weights w;
};

static int
run_setup(struct run *r, const struct crm_score_opts *o, char *msg, size_t len)
{
	int rc;

	weights_default(&r->w);
	if (o->weights && (rc = weights_load(&r->w, o->weights, msg, len)))
		return rc;
	if ((rc = as_of_time(o->as_of, r->as_of, msg, len)) ||
	    (rc = crm_currency(o->currency, r->cur, msg, len)))
		return rc;
	r->t = iso_seconds(r->as_of);
	if (!window_start(r->t, o->window ? o->window : "365d", &r->tfrom)) {
		msgf(msg, len, "--window: a length such as 365d, 52w, 12mo or 1y, not '%s'", o->window);
		return CRM_USAGE;
	}
	window_start(r->t, r->w.pwindow, &r->tpfrom);
	if (r->tfrom < -30610224000LL || r->tpfrom < -30610224000LL) {   /* 1000-01-01 */
		msgf(msg, len, "--window reaches before the year 1000");
		return CRM_USAGE;
	}
	iso_of((time_t)r->tfrom, r->from);
	iso_of((time_t)r->tpfrom, r->pfrom);
	return CRM_OK;
}

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
	for (size_t i = 0; i < n; i++)
		c[i].gap = c[i].n >= r->w.min_purchases ?
		           (double)(c[i].last - c[i].first) / 86400.0 / (double)(c[i].n - 1) : -1;
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(c);
		return rc == SQLITE_NOMEM ? CRM_NOMEM : store_status(s, rc);
	}
	/* The base's usual gap: the median of the customers' own gaps. */
	size_t ng = 0;
	double *g = malloc((n ? n : 1) * sizeof *g);
	if (!g) {
		free(c);
		return CRM_NOMEM;
	}
	for (size_t i = 0; i < n; i++)
		if (c[i].gap >= 0)
			g[ng++] = c[i].gap;
	qsort(g, ng, sizeof *g, cmp_dbl);
	*base_own = ng > 0;
	*base = !ng ? r->w.base_gap : ng % 2 ? g[ng / 2] : (g[ng / 2 - 1] + g[ng / 2]) / 2;
	free(g);
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

static void
jnum(struct buf *b, const char *key, double v, int first)
{
	char t[96];

	snprintf(t, sizeof t, "%s\"%s\":%.2f", first ? "" : ",", key, v);
	buf_adds(b, t);
}

/* Whether id is among the n sorted ids (all are when there is no list). */
static int
in_focus(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo;

	if (!ids)
		return 1;
	lo = below(ids, n, id);
	return lo < n && ids[lo] == id;
}

static int
compute(crm_store_t *s, int which, struct run *r, const int64_t *focus, size_t nfocus)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *act = NULL, *tag = NULL, *ins = NULL;
	struct cust *c = NULL;
	size_t nc = 0, ci = 0;
	int64_t *rv = NULL, *fv = NULL, *mv = NULL;
	double base = 0;
	int rc, arc = SQLITE_DONE, trc = SQLITE_DONE, base_own = 0;
	int explain = which & CRM_SCORE_EXPLAIN;
	struct weights *w = &r->w;
	double wsum = 0;
	struct buf ex = {0};

	rc = sqlite3_exec(db, "DROP TABLE IF EXISTS temp.crm_score;"
	                      "CREATE TEMP TABLE crm_score (party_id INTEGER PRIMARY KEY,"
	                      " rfm_r INTEGER, rfm_f INTEGER, rfm_m INTEGER, rfm TEXT, rfm_segment TEXT,"
	                      " days_since_purchase INTEGER, usual_gap REAL, churn_risk TEXT,"
	                      " churned TEXT, propensity INTEGER, explain TEXT)", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	if ((rc = load_customers(s, r, &c, &nc, &base, &base_own)))
		return rc;
	if (which & CRM_SCORE_RFM) {
		/* Each score is 1 + floor(5 x the share of customers with a smaller value). */
		rv = malloc((nc ? nc : 1) * sizeof *rv);
		fv = malloc((nc ? nc : 1) * sizeof *fv);
		mv = malloc((nc ? nc : 1) * sizeof *mv);
		if (!rv || !fv || !mv) {
			rc = CRM_NOMEM;
			goto out;
		}
		for (size_t i = 0; i < nc; i++) {
			rv[i] = c[i].last;
			fv[i] = c[i].nwin;
			mv[i] = c[i].mwin;
		}
		qsort(rv, nc, sizeof *rv, cmp_i64);
		qsort(fv, nc, sizeof *fv, cmp_i64);
		qsort(mv, nc, sizeof *mv, cmp_i64);
	}
	if (which & CRM_SCORE_PROPENSITY) {
		for (int i = 0; i < NSIG; i++)
			wsum += w->w[i] > 0 ? w->w[i] : 0;
		for (size_t i = 0; i < w->tags.n; i++)
			wsum += w->tagw[i] > 0 ? w->tagw[i] : 0;
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
			struct buf ids = {0};
			buf_addc(&ids, '[');
			for (size_t i = 0; i < nfocus; i++) {
				char t[32];
				snprintf(t, sizeof t, "%s%lld", i ? "," : "", (long long)focus[i]);
				buf_adds(&ids, t);
			}
			buf_addc(&ids, ']');
			if (ids.err) {
				buf_free(&ids);
				rc = CRM_NOMEM;
				goto out;
			}
			sqlite3_bind_text(act, 3, ids.p, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(tag, 2, ids.p, -1, SQLITE_TRANSIENT);
			buf_free(&ids);
		}
		if (rc != SQLITE_OK) {
			rc = store_status(s, rc);
			goto out;
		}
		sqlite3_bind_text(act, 1, r->pfrom, -1, SQLITE_STATIC);
		sqlite3_bind_text(act, 2, r->as_of, -1, SQLITE_STATIC);
		json_t *tl = json_array();
		for (size_t i = 0; tl && i < w->tags.n; i++)
			json_array_append_new(tl, json_string(w->tags.v[i]));
		char *tt = tl ? json_dumps(tl, JSON_COMPACT) : NULL;
		json_decref(tl);
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
		int sep = 0;
		if (!in_focus(focus, nfocus, id)) {
			/* Not asked for: its activity and tags are passed over. */
			while (head(act, &arc) == id)
				arc = sqlite3_step(act);
			while (head(tag, &trc) == id)
				trc = sqlite3_step(tag);
			continue;
		}
		sqlite3_reset(ins);
		sqlite3_clear_bindings(ins);
		sqlite3_bind_int64(ins, 1, id);
		buf_reset(&ex);
		buf_adds(&ex, "{");
		if (k && (which & CRM_SCORE_RFM)) {
			int sr = 1 + (int)(5 * below(rv, nc, k->last) / nc);
			int sf = 1 + (int)(5 * below(fv, nc, k->nwin) / nc);
			int sm = 1 + (int)(5 * below(mv, nc, k->mwin) / nc);
			char code[4] = { (char)('0' + sr), (char)('0' + sf), (char)('0' + sm), 0 };
			sqlite3_bind_int(ins, 2, sr);
			sqlite3_bind_int(ins, 3, sf);
			sqlite3_bind_int(ins, 4, sm);
			sqlite3_bind_text(ins, 5, code, 3, SQLITE_TRANSIENT);
			sqlite3_bind_text(ins, 6, rfm_segment(sr, (sf + sm + 1) / 2), -1, SQLITE_STATIC);
			if (explain) {
				char t[512], last[21], amt[32];
				iso_of((time_t)k->last, last);
				amount_format(k->mwin, amt);
				snprintf(t, sizeof t, "\"rfm\":{\"customers\":%zu,\"last_purchase\":\"%s\","
				         "\"older\":%zu,\"window_from\":\"%s\",\"purchases\":%lld,\"fewer\":%zu,"
				         "\"amount\":%s,\"currency\":\"%s\",\"smaller\":%zu}",
				         nc, last, below(rv, nc, k->last), r->from, (long long)k->nwin,
				         below(fv, nc, k->nwin), amt, r->cur, below(mv, nc, k->mwin));
				buf_adds(&ex, t);
				sep = 1;
			}
		}
		if (k && (which & CRM_SCORE_CHURN)) {
			double days = (double)(r->t - k->last) / 86400.0;
			double gap = k->gap >= 0 ? k->gap : base, ratio;
			if (gap < 1)
				gap = 1;
			ratio = days / gap;
			sqlite3_bind_int64(ins, 7, (r->t - k->last) / 86400);
			sqlite3_bind_double(ins, 8, round(gap * 10) / 10);
			sqlite3_bind_text(ins, 9, ratio > w->high ? "high" : ratio > w->medium ? "medium" :
			                  "low", -1, SQLITE_STATIC);
			sqlite3_bind_text(ins, 10, ratio > w->churned ? "true" : "false", -1, SQLITE_STATIC);
			if (explain) {
				char t[400];
				snprintf(t, sizeof t, "%s\"churn\":{\"purchases\":%lld,\"gap_from\":\"%s\","
				         "\"usual_gap\":%.2f,\"days_since_purchase\":%.2f,\"ratio\":%.2f}",
				         sep ? "," : "", (long long)k->n,
				         k->gap >= 0 ? "own" : base_own ? "base" : "default", gap, days, ratio);
				buf_adds(&ex, t);
				sep = 1;
			}
		}
		if (which & CRM_SCORE_PROPENSITY) {
			double sig[NSIG] = { 0 }, pts, total = 0;
			if (head(act, &arc) == id) {
				for (int i = 0; i < 3; i++)
					sig[i] = (double)sqlite3_column_int64(act, i + 1);
				arc = sqlite3_step(act);
			}
			if (k) {
				sig[SIG_PURCHASES] = (double)k->npw;
				sig[SIG_RECENCY] = (double)(r->t - k->last) / 86400.0;
			}
			if (explain) {
				buf_adds(&ex, sep ? ",\"propensity\":{" : "\"propensity\":{");
				sep = 1;
			}
			for (int i = 0; i < NSIG; i++) {
				double v = i == SIG_RECENCY ? (k ? 1 - sig[i] / w->full[i] : 0) : sig[i] / w->full[i];
				v = v < 0 ? 0 : v > 1 ? 1 : v;
				pts = wsum > 0 ? 100 * w->w[i] * v / wsum : 0;
				total += pts;
				if (explain) {
					char t[160], val[32] = "null";
					if (i != SIG_RECENCY || k)
						snprintf(val, sizeof val, "%.2f", sig[i]);
					snprintf(t, sizeof t, "%s\"%s\":{\"value\":%s,\"points\":%.2f}", i ? "," : "",
					         sig_names[i], val, pts);
					buf_adds(&ex, t);
				}
			}
			int ntag = 0;
			while (head(tag, &trc) == id) {
				const char *tg = (const char *)sqlite3_column_text(tag, 1);
				for (size_t i = 0; i < w->tags.n; i++)
					if (!strcmp(w->tags.v[i], tg)) {
						pts = wsum > 0 ? 100 * w->tagw[i] / wsum : 0;
						total += pts;
						if (explain) {
							json_t *js = json_string(tg);
							char *q = js ? json_dumps(js, JSON_ENCODE_ANY) : NULL;
							json_decref(js);
							if (!q) {
								rc = CRM_NOMEM;
								goto out;
							}
							buf_adds(&ex, ntag++ ? ",{\"name\":" : ",\"tags\":[{\"name\":");
							buf_adds(&ex, q);
							free(q);
							jnum(&ex, "points", pts, 0);
							buf_adds(&ex, "}");
						}
					}
				trc = sqlite3_step(tag);
			}
			if (explain && ntag)
				buf_adds(&ex, "]");
			if (explain)
				buf_adds(&ex, "}");
			long p = lround(total);
			sqlite3_bind_int64(ins, 11, p < 0 ? 0 : p > 100 ? 100 : p);
		}
		buf_adds(&ex, "}");
		if (explain) {
			if (ex.err) {
				rc = CRM_NOMEM;
				goto out;
			}
			sqlite3_bind_text(ins, 12, ex.p, -1, SQLITE_STATIC);
		}
		if ((rc = sqlite3_step(ins)) != SQLITE_DONE) {
			rc = store_status(s, rc);
			goto out;
		}
	}
	rc = (arc == SQLITE_DONE || arc == SQLITE_ROW) && (trc == SQLITE_DONE || trc == SQLITE_ROW) ?
	     CRM_OK : store_status(s, arc != SQLITE_DONE ? arc : trc);
out:
	sqlite3_finalize(act);
	sqlite3_finalize(tag);
	sqlite3_finalize(ins);
	buf_free(&ex);
	free(rv);
	free(fv);
	free(mv);
	free(c);
	return rc;
}

int
crm_score_check(const struct crm_score_opts *o, char *msg, size_t len)
{
	struct run r;
	int rc;

	memset(&r, 0, sizeof r);
	rc = run_setup(&r, o, msg, len);
	weights_free(&r.w);
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
	for (size_t i = 0; i < nc; i++) {
		double gap = c[i].gap >= 0 ? c[i].gap : base;
		if (gap < 1)
			gap = 1;
		if ((double)(t - c[i].last) / 86400.0 / gap <= r->w.churned)
			(*ids)[k++] = c[i].id;
	}
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
