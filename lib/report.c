/* SPDX-License-Identifier: MIT */
/*
 * report.c: the model of crm-report(1)'s reports: tables of text cells,
 * their numbers, periods (calendar months, quarters or years in UTC) and
 * the counting that fills them; report-sql.c reads the store into them.
 * Amounts are exact (ten-thousandths).  The definitions are those of
 * crm-report(1); keep the two in step.
 */
#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm-private.h"
#include "report-private.h"


/* ------------------------------------------------------------------ */
/* Tables. */

crm_report_t *
table_new(const char *name, const char *title, const char *cols, unsigned long long numeric)
{
	crm_report_t *r = calloc(1, sizeof *r);
	char *copy = strdup(cols), *save = NULL;

	if (!r || !copy || !(r->name = strdup(name)) || !(r->title = strdup(title))) {
		free(copy);
		crm_report_free(r);
		return NULL;
	}
	for (char *t = strtok_r(copy, ",", &save); t; t = strtok_r(NULL, ",", &save))
		if (strv_push(&r->cols, t)) {
			free(copy);
			crm_report_free(r);
			return NULL;
		}
	free(copy);
	r->numeric = numeric;
	r->label = 0;
	r->value = -1;
	return r;
}

int
table_row(crm_report_t *r, const char *const *v)
{
	size_t n = r->cols.n;

	if (r->nrows == r->cap) {
		size_t nc = r->cap ? r->cap * 2 : 16;
		char **c = realloc(r->cells, nc * n * sizeof *c);
		if (!c)
			return CRM_NOMEM;
		r->cells = c;
		r->cap = nc;
	}
	char **row = r->cells + r->nrows * n;
	for (size_t i = 0; i < n; i++) {
		row[i] = NULL;
		if (v[i] && !(row[i] = strdup(v[i]))) {
			for (size_t j = 0; j < i; j++)
				free(row[j]);
			return CRM_NOMEM;
		}
	}
	r->nrows++;
	return CRM_OK;
}

void
crm_report_free(crm_report_t *r)
{
	while (r) {
		crm_report_t *next = r->next;
		for (size_t i = 0; i < r->nrows * r->cols.n; i++)
			free(r->cells[i]);
		free(r->cells);
		strv_clear(&r->cols);
		free(r->name);
		free(r->title);
		free(r->notice);
		free(r);
		r = next;
	}
}

crm_report_t *crm_report_next(const crm_report_t *r) { return r->next; }
const char *crm_report_name(const crm_report_t *r) { return r->name; }
const char *crm_report_title(const crm_report_t *r) { return r->title; }
const char *crm_report_notice(const crm_report_t *r) { return r->notice; }
size_t crm_report_ncols(const crm_report_t *r) { return r->cols.n; }
size_t crm_report_nrows(const crm_report_t *r) { return r->nrows; }
const char *crm_report_col(const crm_report_t *r, size_t i) { return r->cols.v[i]; }
unsigned long long crm_report_numeric(const crm_report_t *r) { return r->numeric; }

const char *
crm_report_cell(const crm_report_t *r, size_t row, size_t col)
{
	return r->cells[row * r->cols.n + col];
}

void
crm_report_chart(const crm_report_t *r, int *kind, int *label, int *value)
{
	*kind = r->chart;
	*label = r->label;
	*value = r->value;
}

/* ------------------------------------------------------------------ */
/* Helpers. */

void
fmt_int(char *b, size_t n, long long v)
{
	snprintf(b, n, "%lld", v);
}

/* A ratio with 4 decimals; NULL (b left empty) when the denominator is 0. */
const char *
fmt_rate(char *b, size_t n, long long num, long long den)
{
	if (!den)
		return NULL;
	snprintf(b, n, "%.4f", (double)num / (double)den);
	return b;
}

long
period_of(const char *at, int kind)
{
	long y = dec_prefix(at), m = dec_prefix(at + 5);

	return kind == P_MONTH ? y * 12 + m - 1 : kind == P_QUARTER ? y * 4 + (m - 1) / 3 : y;
}

void
period_label(long p, int kind, char out[32])
{
	if (kind == P_MONTH)
		snprintf(out, 32, "%04ld-%02ld", p / 12, p % 12 + 1);
	else if (kind == P_QUARTER)
		snprintf(out, 32, "%04ld-Q%ld", p / 4, p % 4 + 1);
	else
		snprintf(out, 32, "%04ld", p);
}

/* The first instant of a period, as a stored time. */
void
period_start(long p, int kind, char out[48])
{
	long y = kind == P_MONTH ? p / 12 : kind == P_QUARTER ? p / 4 : p;
	long m = kind == P_MONTH ? p % 12 + 1 : kind == P_QUARTER ? p % 4 * 3 + 1 : 1;

	snprintf(out, 48, "%04ld-%02ld-01T00:00:00Z", y, m);
}

/* ------------------------------------------------------------------ */
/* Counting rows by one or two keys (see report-private.h). */

int
agg_grow(struct agg *a)
{
	size_t ns = a->nslot ? a->nslot * 2 : 1024;
	size_t *slot = calloc(ns, sizeof *slot);

	if (!slot)
		return CRM_NOMEM;
	for (size_t i = 0; i < a->n; i++) {
		size_t j = (size_t)a->g[i].hash & (ns - 1);
		while (slot[j])
			j = (j + 1) & (ns - 1);
		slot[j] = i + 1;
	}
	free(a->slot);
	a->slot = slot;
	a->nslot = ns;
	return CRM_OK;
}

static int
gval_cmp(const struct gval *a, const struct gval *b)
{
	int ra = a->type == GV_NULL ? 0 : a->type == GV_TEXT ? 2 : 1;
	int rb = b->type == GV_NULL ? 0 : b->type == GV_TEXT ? 2 : 1;

	if (ra != rb)
		return ra - rb;
	if (ra == 1)
		return (a->num > b->num) - (a->num < b->num);
	return ra == 2 ? strcmp(a->text, b->text) : 0;
}

static int agg_order;

static int
group_cmp(const void *x, const void *y)
{
	const struct group *a = x, *b = y;
	int d;

	if (agg_order == 1 && (d = gval_cmp(&a->k[0], &b->k[0])))
		return d;
	if (a->count != b->count)
		return a->count > b->count ? -1 : 1;
	if (agg_order == 0 && (d = gval_cmp(&a->k[0], &b->k[0])))
		return d;
	return gval_cmp(&a->k[1], &b->k[1]);
}

void
agg_sort(struct agg *a)
{
	agg_order = a->order;
	if (a->n)
		qsort(a->g, a->n, sizeof *a->g, group_cmp);
}

void
agg_free(struct agg *a)
{
	for (size_t i = 0; i < a->n; i++) {
		free(a->g[i].k[0].text);
		free(a->g[i].k[1].text);
	}
	free(a->g);
	free(a->slot);
}
/* ------------------------------------------------------------------ */
/* campaign [NAME] */

const char *const camp_types[7] = {
	"sent", "delivered", "opened", "clicked", "bounced", "unsubscribed", "replied"
};

int
campaign_row(crm_report_t *r, const char *name, const long long *u, const long long *tot)
{
	char num[14][24], rate[4][24];
	const char *v[19];

	v[0] = name;
	for (int i = 0; i < 7; i++) {
		fmt_int(num[2 * i], sizeof num[0], u[i]);
		fmt_int(num[2 * i + 1], sizeof num[0], tot[i]);
		v[1 + 2 * i] = num[2 * i];
		v[2 + 2 * i] = num[2 * i + 1];
	}
	/* No delivery reported at all: no delivery rate, rather than 0. */
	v[15] = tot[1] ? fmt_rate(rate[0], sizeof rate[0], u[1], u[0]) : NULL;
	/* Opens are counted against deliveries when the mailer reports them, else sends. */
	v[16] = fmt_rate(rate[1], sizeof rate[1], u[2], u[1] ? u[1] : u[0]);
	v[17] = fmt_rate(rate[2], sizeof rate[2], u[3], u[2]);
	v[18] = fmt_rate(rate[3], sizeof rate[3], u[4], u[0]);
	return table_row(r, v);
}


static int
has(const long *per, size_t n, long p)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (per[mid] < p)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && per[lo] == p;
}

int
churn_party(void *arg, const long *per, size_t n)
{
	struct churn_acc *a = arg;

	for (long k = a->p0; k <= a->p1; k++) {
		int before = has(per, n, k - 1), now = has(per, n, k);
		size_t i = (size_t)(k - a->p0);
		if (before)
			a->start[i]++;
		if (before && !now)
			a->lost[i]++;
		if (now && !before && per[0] < k - 1)
			a->back[i]++;
		if (now && per[0] == k)
			a->new[i]++;
		if (now)
			a->end[i]++;
	}
	return CRM_OK;
}
/* ------------------------------------------------------------------ */
/* cohort */

int
cohort_party(void *arg, const long *per, size_t n)
{
	struct cohort_acc *a = arg;
	long first = per[0];

	if (first < a->m0 || first > a->m1)
		return CRM_OK;
	size_t i = (size_t)(first - a->m0);
	a->size[i]++;
	for (size_t j = 0; j < n; j++)
		if (per[j] - first < COHORT_MONTHS)
			a->kept[i * COHORT_MONTHS + (size_t)(per[j] - first)]++;
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* funnel */

int
cmp_dbl(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

/* The q-quantile of n sorted values, linearly between the two nearest ranks. */
double
quantile(const double *v, size_t n, double q)
{
	double h = (double)(n - 1) * q;
	size_t lo = (size_t)floor(h);

	return lo + 1 < n ? v[lo] + (h - (double)lo) * (v[lo + 1] - v[lo]) : v[lo];
}

/* ------------------------------------------------------------------ */
/* revenue, activity, tasks */

/* The period of a key as GROUP BY made it: 2026-03, 2026-Q1 or 2026. */
long
period_of_key(const char *k, int kind)
{
	long y = dec_prefix(k);

	if (kind == P_MONTH)
		return y * 12 + dec_prefix(k + 5) - 1;
	if (kind == P_QUARTER)
		return y * 4 + dec_prefix(k + 6) - 1;
	return y;
}

int
revenue_row(crm_report_t *r, const char *period, const char *by, long long pur, long long n,
            long long refs)
{
	char rev[32], ord[24], avg[32], ref[32];
	const char *v[6];
	int g = r->cols.n == 6;

	amount_format(pur - refs, rev);
	fmt_int(ord, sizeof ord, n);
	amount_format(refs, ref);
	if (n)
		amount_format(pur / n + (2 * (pur % n) >= n ? 1 : 0), avg);
	v[0] = period;
	if (g)
		v[1] = by;
	v[1 + g] = rev;
	v[2 + g] = ord;
	v[3 + g] = n ? avg : NULL;
	v[4 + g] = ref;
	return table_row(r, v);
}


const char *const crm_reports[] = {
	"summary", "by", "campaign", "churn", "funnel", "revenue", "cohort", "tasks", "activity", NULL
};


int
report_setup(struct ctx *c, const char *name, int *which)
{
	const struct crm_report_opts *o = c->o;
	char *msg = c->msg;
	size_t len = c->len;
	int rc;

	if ((rc = as_of_time(o->as_of, c->as_of, msg, len)))
		return rc;
	if (o->since && (rc = time_parse(o->since, 0, c->since, msg, len))) {
		char m2[300];
		snprintf(m2, sizeof m2, "--since: %s", msg);
		msgf(msg, len, "%s", m2);
		return CRM_USAGE;
	}
	if (o->until && (rc = time_of_option("--until", o->until, c->until, msg, len)))
		return rc;
	/* Nothing after as-of is known yet: until is as-of at the latest. */
	if (!c->until[0] || strcmp(c->until, c->as_of) > 0)
		snprintf(c->until, sizeof c->until, "%s", c->as_of);
	if (c->since[0] && strcmp(c->since, c->until) > 0) {
		msgf(msg, len, "--since is after --until or --as-of");
		return CRM_USAGE;
	}
	{
		time_t t = (time_t)iso_seconds(c->as_of);
		struct tm tm;
		localtime_r(&t, &tm);
		strftime(c->today, sizeof c->today, "%Y-%m-%d", &tm);
	}
	const char *pk = o->period ? o->period : "month";
	c->pkind = !strcmp(pk, "month") ? P_MONTH : !strcmp(pk, "quarter") ? P_QUARTER :
	           !strcmp(pk, "year") ? P_YEAR : -1;
	if (c->pkind < 0) {
		msgf(msg, len, "--period: month, quarter or year, not '%s'", pk);
		return CRM_USAGE;
	}
	if ((rc = crm_currency(o->currency, c->cur, msg, len)))
		return rc;
	/* The periods: from that of --since (else 12 periods back) to that of --until or as-of. */
	c->p1 = period_of(c->until[0] ? c->until : c->as_of, c->pkind);
	c->p0 = c->since[0] ? period_of(c->since, c->pkind) : c->p1 - 11;
	if (c->p0 > c->p1) {
		msgf(msg, len, "--since is after --until or --as-of");
		return CRM_USAGE;
	}
	if (c->p1 - c->p0 >= 240 && (!strcmp(name, "churn") || !strcmp(name, "revenue") ||
	                             !strcmp(name, "activity"))) {
		msgf(msg, len, "more than 240 periods: narrow --since or take a longer --period");
		return CRM_USAGE;
	}
	for (*which = 0; crm_reports[*which] && strcmp(crm_reports[*which], name); ++*which)
		;
	if (!crm_reports[*which]) {
		msgf(msg, len, "unknown report '%s' (summary, by, campaign, churn, funnel, revenue, "
		     "cohort, tasks, activity)", name);
		return CRM_USAGE;
	}
	return CRM_OK;
}
