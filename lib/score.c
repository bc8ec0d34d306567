/* SPDX-License-Identifier: MIT */
/*
 * score.c: the maths of the RFM, churn and propensity scores: weights,
 * windows, quintiles, RFM codes and segments, churn ratios, propensity
 * points and what explains them.  score-sql.c reads the store and writes
 * the scores of a run into the temporary table crm_score, which queries
 * join (see query-sql.c).  Every number follows from the store and the
 * time "as of": the same store and the same --as-of give the same scores.
 * The formulas are those of crm-segment(1); keep the two in step.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"
#include "score-private.h"

static const char *const sig_names[NSIG] = { "opens", "clicks", "replies", "purchases", "recency" };

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

void
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
int
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

int
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

int
customers_gaps(struct cust *c, size_t n, const struct run *r, double *base, int *base_own)
{
	for (size_t i = 0; i < n; i++)
		c[i].gap = c[i].n >= r->w.min_purchases ?
		           (double)(c[i].last - c[i].first) / 86400.0 / (double)(c[i].n - 1) : -1;
	/* The base's usual gap: the median of the customers' own gaps. */
	size_t ng = 0;
	double *g = malloc((n ? n : 1) * sizeof *g);
	if (!g)
		return CRM_NOMEM;
	for (size_t i = 0; i < n; i++)
		if (c[i].gap >= 0)
			g[ng++] = c[i].gap;
	qsort(g, ng, sizeof *g, cmp_dbl);
	*base_own = ng > 0;
	*base = !ng ? r->w.base_gap : ng % 2 ? g[ng / 2] : (g[ng / 2 - 1] + g[ng / 2]) / 2;
	free(g);
	return CRM_OK;
}

int
cust_active(const struct cust *c, const struct run *r, int64_t t, double base)
{
	double gap = c->gap >= 0 ? c->gap : base;

	if (gap < 1)
		gap = 1;
	return (double)(t - c->last) / 86400.0 / gap <= r->w.churned;
}

int
in_focus(const int64_t *ids, size_t n, int64_t id)
{
	size_t lo;

	if (!ids)
		return 1;
	lo = below(ids, n, id);
	return lo < n && ids[lo] == id;
}

int
scoring_init(struct scoring *sc, const struct run *r, int which, const struct cust *c, size_t nc,
             double base, int base_own)
{
	const struct weights *w = &r->w;

	memset(sc, 0, sizeof *sc);
	sc->r = r;
	sc->which = which;
	sc->c = c;
	sc->nc = nc;
	sc->base = base;
	sc->base_own = base_own;
	if (which & CRM_SCORE_RFM) {
		/* Each score is 1 + floor(5 x the share of customers with a smaller value). */
		sc->rv = malloc((nc ? nc : 1) * sizeof *sc->rv);
		sc->fv = malloc((nc ? nc : 1) * sizeof *sc->fv);
		sc->mv = malloc((nc ? nc : 1) * sizeof *sc->mv);
		if (!sc->rv || !sc->fv || !sc->mv)
			return CRM_NOMEM;
		for (size_t i = 0; i < nc; i++) {
			sc->rv[i] = c[i].last;
			sc->fv[i] = c[i].nwin;
			sc->mv[i] = c[i].mwin;
		}
		qsort(sc->rv, nc, sizeof *sc->rv, cmp_i64);
		qsort(sc->fv, nc, sizeof *sc->fv, cmp_i64);
		qsort(sc->mv, nc, sizeof *sc->mv, cmp_i64);
	}
	if (which & CRM_SCORE_PROPENSITY) {
		for (int i = 0; i < NSIG; i++)
			sc->wsum += w->w[i] > 0 ? w->w[i] : 0;
		for (size_t i = 0; i < w->tags.n; i++)
			sc->wsum += w->tagw[i] > 0 ? w->tagw[i] : 0;
	}
	return CRM_OK;
}

void
scoring_free(struct scoring *sc)
{
	free(sc->rv);
	free(sc->fv);
	free(sc->mv);
}

/*
 * A number of the explanation, kept as written (see crm_json_dumps()):
 * with 2 decimals, or the text t.
 */
static json_t *
lit(const char *t)
{
	char b[512];
	size_t n = strlen(t);

	if (n + 1 >= sizeof b)
		return NULL;
	b[0] = '\0';
	memcpy(b + 1, t, n + 1);
	return json_stringn(b, n + 1);
}

static json_t *
fixed2(double v)
{
	char t[400];

	snprintf(t, sizeof t, "%.2f", v);
	return lit(t);
}

/* Set o.key to v; 0, or -1 (v NULL or no memory). */
static int
put(json_t *o, const char *key, json_t *v)
{
	return v ? json_object_set_new(o, key, v) : -1;
}

int
party_score(const struct scoring *sc, const struct cust *k, const int64_t act[3],
            struct party_score *ps)
{
	const struct run *r = sc->r;
	const struct weights *w = &r->w;
	size_t nc = sc->nc;
	int explain = sc->which & CRM_SCORE_EXPLAIN, bad = 0;

	memset(ps, 0, sizeof *ps);
	if (explain && !(ps->explain = json_object()))
		return CRM_NOMEM;
	if (k && (sc->which & CRM_SCORE_RFM)) {
		int sr = 1 + (int)(5 * below(sc->rv, nc, k->last) / nc);
		int sf = 1 + (int)(5 * below(sc->fv, nc, k->nwin) / nc);
		int sm = 1 + (int)(5 * below(sc->mv, nc, k->mwin) / nc);
		ps->has_rfm = 1;
		ps->rfm_r = sr;
		ps->rfm_f = sf;
		ps->rfm_m = sm;
		ps->rfm[0] = (char)('0' + sr);
		ps->rfm[1] = (char)('0' + sf);
		ps->rfm[2] = (char)('0' + sm);
		ps->rfm_segment = rfm_segment(sr, (sf + sm + 1) / 2);
		if (explain) {
			char last[21], amt[32];
			json_t *o = json_object();
			iso_of((time_t)k->last, last);
			amount_format(k->mwin, amt);
			bad |= put(ps->explain, "rfm", o) ||
			       put(o, "customers", json_integer((json_int_t)nc)) ||
			       put(o, "last_purchase", json_string(last)) ||
			       put(o, "older", json_integer((json_int_t)below(sc->rv, nc, k->last))) ||
			       put(o, "window_from", json_string(r->from)) ||
			       put(o, "purchases", json_integer((json_int_t)k->nwin)) ||
			       put(o, "fewer", json_integer((json_int_t)below(sc->fv, nc, k->nwin))) ||
			       put(o, "amount", lit(amt)) || put(o, "currency", json_string(r->cur)) ||
			       put(o, "smaller", json_integer((json_int_t)below(sc->mv, nc, k->mwin)));
		}
	}
	if (k && (sc->which & CRM_SCORE_CHURN)) {
		double days = (double)(r->t - k->last) / 86400.0;
		double gap = k->gap >= 0 ? k->gap : sc->base, ratio;
		if (gap < 1)
			gap = 1;
		ratio = days / gap;
		ps->has_churn = 1;
		ps->days = (r->t - k->last) / 86400;
		ps->usual_gap = round(gap * 10) / 10;
		ps->churn_risk = ratio > w->high ? "high" : ratio > w->medium ? "medium" : "low";
		ps->churned = ratio > w->churned ? "true" : "false";
		if (explain) {
			json_t *o = json_object();
			bad |= put(ps->explain, "churn", o) ||
			       put(o, "purchases", json_integer((json_int_t)k->n)) ||
			       put(o, "gap_from", json_string(k->gap >= 0 ? "own" : sc->base_own ? "base" :
			                                      "default")) ||
			       put(o, "usual_gap", fixed2(gap)) || put(o, "days_since_purchase", fixed2(days)) ||
			       put(o, "ratio", fixed2(ratio));
		}
	}
	if (sc->which & CRM_SCORE_PROPENSITY) {
		double sig[NSIG] = { 0 }, pts;
		ps->has_prop = 1;
		if (act)
			for (int i = 0; i < 3; i++)
				sig[i] = (double)act[i];
		if (k) {
			sig[SIG_PURCHASES] = (double)k->npw;
			sig[SIG_RECENCY] = (double)(r->t - k->last) / 86400.0;
		}
		if (explain)
			bad |= put(ps->explain, "propensity", ps->pexplain = json_object());
		for (int i = 0; i < NSIG; i++) {
			double v = i == SIG_RECENCY ? (k ? 1 - sig[i] / w->full[i] : 0) : sig[i] / w->full[i];
			v = v < 0 ? 0 : v > 1 ? 1 : v;
			pts = sc->wsum > 0 ? 100 * w->w[i] * v / sc->wsum : 0;
			ps->total += pts;
			if (explain && !bad) {
				json_t *o = json_object();
				bad |= put(ps->pexplain, sig_names[i], o) ||
				       put(o, "value", i != SIG_RECENCY || k ? fixed2(sig[i]) : json_null()) ||
				       put(o, "points", fixed2(pts));
			}
		}
	}
	return bad ? CRM_NOMEM : CRM_OK;
}

int
party_score_tag(const struct scoring *sc, struct party_score *ps, const char *tag)
{
	const struct weights *w = &sc->r->w;

	for (size_t i = 0; i < w->tags.n; i++)
		if (!strcmp(w->tags.v[i], tag)) {
			double pts = sc->wsum > 0 ? 100 * w->tagw[i] / sc->wsum : 0;
			ps->total += pts;
			if (ps->pexplain) {
				json_t *o = json_object();
				if (!ps->tags && put(ps->pexplain, "tags", ps->tags = json_array()))
					return CRM_NOMEM;
				if (!o || json_array_append_new(ps->tags, o) ||
				    put(o, "name", json_string(tag)) || put(o, "points", fixed2(pts)))
					return CRM_NOMEM;
			}
		}
	return CRM_OK;
}

int
party_score_end(const struct scoring *sc, struct party_score *ps, char **explain)
{
	*explain = NULL;
	if (ps->has_prop) {
		long p = lround(ps->total);
		ps->propensity = p < 0 ? 0 : p > 100 ? 100 : p;
	}
	if (ps->explain && !(*explain = crm_json_dumps(ps->explain, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	return CRM_OK;
}

void
party_score_free(struct party_score *ps)
{
	json_decref(ps->explain);
	ps->explain = ps->pexplain = ps->tags = NULL;
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
