/* SPDX-License-Identifier: MIT */
/*
 * report-private.h: what the two halves of crm-report's reports share:
 * the model (report.c: tables, number formats, periods, aggregation) and
 * the queries that fill it (report-sql.c).
 */
#ifndef REPORT_PRIVATE_H
#define REPORT_PRIVATE_H

#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

struct crm_report {
	char *name, *title;
	struct strv cols;
	unsigned long long numeric;     /* bit i: column i holds numbers */
	char **cells;                   /* nrows * ncols, NULL for null */
	size_t nrows, cap;
	int chart, label, value;
	char *notice;                   /* see crm_report_notice() */
	struct crm_report *next;
};

enum { P_MONTH, P_QUARTER, P_YEAR };

/* What every report reads: the options, resolved. */
struct ctx {
	crm_store_t *s;
	const struct crm_report_opts *o;
	char as_of[21], since[21], until[21];   /* since/until: "" when not given */
	char today[11];                         /* the local day of as-of (due dates, ages) */
	int pkind;
	long p0, p1;                            /* the periods reported, inclusive */
	char cur[4];
	char *msg;
	size_t len;
};

/* Tables: a new one with its comma-separated columns; a row of ncols values (NULL: null). */
crm_report_t *table_new(const char *name, const char *title, const char *cols,
                        unsigned long long numeric);
int table_row(crm_report_t *r, const char *const *v);

/* Numbers: an integer; a ratio with 4 decimals, NULL (b left empty) when den is 0. */
void fmt_int(char *b, size_t n, long long v);
const char *fmt_rate(char *b, size_t n, long long num, long long den);

/* Periods (P_MONTH...): of a stored time, of a key grouped by, its label, its first instant. */
long period_of(const char *at, int kind);
long period_of_key(const char *k, int kind);
void period_label(long p, int kind, char out[32]);
void period_start(long p, int kind, char out[48]);

/*
 * Counting rows by one or two keys in a hash table, instead of a GROUP BY
 * whose sort in memory costs more than the scan; the groups then sort as
 * SQLite orders values: null, numbers by value, text by bytes.  The types
 * are SQLite's codes.
 */
enum { GV_INTEGER = 1, GV_FLOAT = 2, GV_TEXT = 3, GV_NULL = 5 };

struct gval {
	int type;               /* GV_NULL, GV_INTEGER, GV_FLOAT, GV_TEXT */
	double num;
	char *text;
};

struct group {
	struct gval k[2];
	long long count;
	uint64_t hash;
};

struct agg {
	struct group *g;
	size_t n, cap;
	size_t *slot;           /* index + 1, 0 empty */
	size_t nslot;
	int nk;
	int order;              /* 0: count down, then keys; 1: key 1, count down, key 2 */
};

/* The hash table twice as large (see agg_add()): CRM_OK, CRM_NOMEM. */
int agg_grow(struct agg *a);

/* On the path of each row: inline. */
static inline uint64_t
gval_hash(uint64_t h, int type, const char *t)
{
	h = (h ^ (uint64_t)type) * 1099511628211ULL;
	for (; t && *t; t++)
		h = (h ^ (unsigned char)*t) * 1099511628211ULL;
	return (h ^ 0xff) * 1099511628211ULL;
}

static inline int
gval_eq(const struct gval *a, int type, const char *t)
{
	return a->type == type && (!t ? !a->text : a->text && !strcmp(a->text, t));
}

/*
 * Count a row whose keys have these types and texts (NULL for null): *fresh
 * is the group it makes, whose numbers (k[i].num) the caller sets, or NULL
 * when it counted in a group already there.  CRM_OK, CRM_NOMEM.
 */
static inline int
agg_add(struct agg *a, const int type[2], const char *const t[2], struct group **fresh)
{
	uint64_t h = 14695981039346656037ULL;

	*fresh = NULL;
	for (int i = 0; i < a->nk; i++)
		h = gval_hash(h, type[i], t[i]);
	if ((a->n + 1) * 2 > a->nslot && agg_grow(a))
		return CRM_NOMEM;
	size_t j = (size_t)h & (a->nslot - 1);
	for (; a->slot[j]; j = (j + 1) & (a->nslot - 1)) {
		struct group *g = &a->g[a->slot[j] - 1];
		if (g->hash == h && gval_eq(&g->k[0], type[0], t[0]) &&
		    (a->nk < 2 || gval_eq(&g->k[1], type[1], t[1]))) {
			g->count++;
			return CRM_OK;
		}
	}
	if (a->n == a->cap) {
		size_t nc = a->cap ? a->cap * 2 : 256;
		struct group *ng = realloc(a->g, nc * sizeof *ng);
		if (!ng)
			return CRM_NOMEM;
		a->g = ng;
		a->cap = nc;
	}
	struct group *g = &a->g[a->n];
	memset(g, 0, sizeof *g);
	g->hash = h;
	g->count = 1;
	for (int i = 0; i < a->nk; i++) {
		g->k[i].type = type[i];
		if (t[i] && !(g->k[i].text = strdup(t[i]))) {
			free(g->k[0].text);
			return CRM_NOMEM;
		}
	}
	a->slot[j] = ++a->n;
	*fresh = g;
	return CRM_OK;
}

void agg_sort(struct agg *a);
void agg_free(struct agg *a);

/* campaign: the event types counted, and a campaign's row from its unique and total counts. */
extern const char *const camp_types[7];
int campaign_row(crm_report_t *r, const char *name, const long long *u, const long long *tot);

/* churn and cohort: what each party's sorted purchase periods add (see walk_purchases()). */
struct churn_acc {
	long p0, p1;
	long long *start, *lost, *back, *new, *end;
};
int churn_party(void *arg, const long *per, size_t n);

#define COHORT_MONTHS 12

struct cohort_acc {
	long m0, m1;
	long long *size, *kept;         /* kept[cohort * 12 + k] */
};
int cohort_party(void *arg, const long *per, size_t n);

/* funnel: sort doubles; the q-quantile of n sorted values. */
int cmp_dbl(const void *a, const void *b);
double quantile(const double *v, size_t n, double q);

/* revenue: a row of a period (and the value grouped by, when the table has that column). */
int revenue_row(crm_report_t *r, const char *period, const char *by, long long pur, long long n,
                long long refs);

/*
 * Resolve the options of a run into c (as-of, since, until, today, the
 * period kind and the periods, the currency) and check the report's name
 * (one of crm_reports[]): its index.  CRM_USAGE with c->msg, or CRM_OK.
 */
int report_setup(struct ctx *c, const char *name, int *which);

#endif
