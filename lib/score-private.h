/* SPDX-License-Identifier: MIT */
/*
 * score-private.h: what the two halves of the scores share: the maths
 * (score.c: weights, windows, quintiles, RFM codes, churn, propensity and
 * what explains them) and the store's side (score-sql.c: the purchases,
 * activity and tags read, the temporary table crm_score written).
 */
#ifndef SCORE_PRIVATE_H
#define SCORE_PRIVATE_H

#include "crm-private.h"

/* Weights and thresholds: built in, or from a weights file. */
enum { SIG_OPENS, SIG_CLICKS, SIG_REPLIES, SIG_PURCHASES, SIG_RECENCY, NSIG };

struct weights {
	double medium, high, churned;   /* churn: ratios of the usual gap */
	long min_purchases;             /* an own usual gap from this many purchases */
	double base_gap;                /* days, when no customer has that many */
	char pwindow[16];               /* propensity window */
	double w[NSIG], full[NSIG];     /* weight; the count (days for recency) of a full signal */
	struct strv tags;
	double *tagw;
};

void weights_free(struct weights *w);

/* The start of a window such as 365d, 52w, 12mo or 1y (see length_parse()) that ends at t. */
int window_start(int64_t t, const char *spec, int64_t *out);

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

/* Everything a run's scores depend on, resolved. */
struct run {
	char as_of[21], from[21], pfrom[21], cur[4];
	int64_t t, tfrom, tpfrom;
	struct weights w;
};

/* Resolve the options of a run (its weights read): CRM_OK, or CRM_USAGE, CRM_BADINPUT with msg. */
int run_setup(struct run *r, const struct crm_score_opts *o, char *msg, size_t len);

/*
 * The n customers read (last still 0, gap unset), completed: their own
 * usual gaps, and the base's (*base; *base_own whether any customer has
 * one).  CRM_OK, CRM_NOMEM.
 */
int customers_gaps(struct cust *c, size_t n, const struct run *r, double *base, int *base_own);

/* Whether customer c is active (not churned) at time t, with the base's usual gap. */
int cust_active(const struct cust *c, const struct run *r, int64_t t, double base);

/* Whether id is among the n sorted ids (all are when ids is NULL). */
int in_focus(const int64_t *ids, size_t n, int64_t id);

/* A run's scoring of the customers: the distributions, and what the scores read. */
struct scoring {
	const struct run *r;
	int which;              /* CRM_SCORE_* */
	const struct cust *c;
	size_t nc;
	int64_t *rv, *fv, *mv;  /* the customers' last purchases, counts and amounts, sorted */
	double base;            /* the base's usual gap */
	int base_own;
	double wsum;            /* the sum of the positive weights */
};

/* Set up the scoring of the nc customers c (sorted distributions when RFM is asked). */
int scoring_init(struct scoring *sc, const struct run *r, int which, const struct cust *c,
                 size_t nc, double base, int base_own);
void scoring_free(struct scoring *sc);

/* One party's scores, as crm_score's columns hold them. */
struct party_score {
	int has_rfm, has_churn, has_prop;
	int rfm_r, rfm_f, rfm_m;
	char rfm[4];
	const char *rfm_segment;
	int64_t days;
	double usual_gap;
	const char *churn_risk, *churned;
	double total;           /* propensity points so far */
	long propensity;
	json_t *explain;        /* what went into them, when explained */
	json_t *pexplain;       /* the propensity's part of it (borrowed) */
	json_t *tags;           /* its tags (borrowed), made at the first */
};

/*
 * Score a party: k its customer record (NULL when it bought nothing),
 * act its opens, clicks and replies in the propensity window (NULL: none).
 * Then party_score_tag() with each of its tags, and party_score_end().
 * CRM_OK, CRM_NOMEM; party_score_free() in every case.
 */
int party_score(const struct scoring *sc, const struct cust *k, const int64_t act[3],
                struct party_score *ps);
int party_score_tag(const struct scoring *sc, struct party_score *ps, const char *tag);
/* The propensity made whole, and *explain the explanation's text (caller frees; NULL when none). */
int party_score_end(const struct scoring *sc, struct party_score *ps, char **explain);
void party_score_free(struct party_score *ps);

#endif
