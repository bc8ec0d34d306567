/* SPDX-License-Identifier: MIT */
/*
 * query-private.h: what the two halves of the term language share: its
 * front (query.c: terms split and classified, values parsed and checked,
 * the messages of bad terms) and the SQL written from what it read
 * (query-sql.c).
 */
#ifndef QUERY_PRIVATE_H
#define QUERY_PRIVATE_H

#include "crm-private.h"

/* The types of bound values: SQLite's codes. */
enum { QB_INTEGER = 1, QB_FLOAT = 2, QB_TEXT = 3 };

struct bind {
	int type;               /* QB_TEXT, QB_INTEGER, QB_FLOAT */
	char *text;
	int64_t i;
	double d;
};

struct sqlite3_stmt;
struct crm_query {
	crm_store_t *s;
	int depth;              /* segments inside segments, while compiling */
	int thawed;             /* segment:NAME reads the rules of a frozen segment too */
	struct buf where;
	struct buf order;
	struct bind *binds;
	int nbinds;
	long limit;
	int restrict_on;
	struct sqlite3_stmt *st;        /* the running SELECT */
	struct sqlite3_stmt *ins;       /* insert into the restriction */
	int need;               /* scores the terms name (CRM_SCORE_*) */
	int which;              /* scores asked for the output */
	int computed;           /* temp.crm_score holds them */
	char *opt[4];           /* as_of, window, currency, weights */
	uint64_t fields;        /* the fields read (bit per field); 0: all */
	const int64_t *focus;   /* scores for these sorted ids only (borrowed) */
	size_t nfocus;
};

/* Bind a value; its number, for "?N" in the SQL, or 0 when out of memory. */
int bind_text(crm_query_t *q, const char *s);
int bind_num(crm_query_t *q, int type, int64_t i, double d);

/* Whether a field holds a time or a date. */
int is_date_field(int f);

/* What a term is (see term_parse()). */
enum {
	QT_ORG,                 /* org.TERM: arg the inner term */
	QT_SEGMENT,             /* segment:NAME, -segment:NAME: arg the name */
	QT_AGE,                 /* age:A-B: lo, hi */
	QT_EVENT,               /* event:SPEC, -event:SPEC (see event_parse()) */
	QT_COLON,               /* tag:, kind:, type:, has: and their negations: colon */
	QT_COMPARE,             /* field OP value: cmp */
	QT_WORD,                /* a bare word: arg the full-text phrase (owned) */
};

/* tag:, kind:, type:, has: (see colon_parse()). */
enum { QC_TAG, QC_KIND, QC_TYPE, QC_HAS_ATTR, QC_HAS_TAGS, QC_HAS_ATTRS, QC_HAS_ID, QC_HAS_FIELD };

struct qcolon {
	int form;               /* QC_* */
	const char *v;          /* the tag, the kind or type (a constant), the attribute key */
	int f;                  /* QC_HAS_FIELD: the field */
};

/* field OP value: what the comparison is (see compare_parse()). */
enum {
	QM_TAG_FOLD,            /* tags ~ text: text the folded value */
	QM_TAG_EQ,              /* tags = or != text */
	QM_FOLD,                /* expr ~ text: text folded */
	QM_COUNT,               /* revenue, purchases, open_tasks OP num, exactly; zero: see below */
	QM_SCORE,               /* a numeric score OP d */
	QM_TEXT,                /* expr OP text, byte by byte ("..." of a time or a date) */
	QM_DAY,                 /* a birthday without a year, = or != text */
	QM_WHEN,                /* expr OP the period or age in when; wrap: a birthday's age */
	QM_ID,                  /* id, org_id OP num */
	QM_COLON,               /* kind=, type=: colon, negated when op is != */
	QM_IDENT,               /* e-mail or phone = or != text, normalised */
	QM_EQ,                  /* expr = or != text */
	QM_EQNUM,               /* attrs.KEY = or != text, or the number d (see crm_num) */
	QM_NUM,                 /* the number of expr OP d */
};

struct qcmp {
	int form;               /* QM_* */
	int f;                  /* the field; -1 for attrs.KEY */
	char name[128];         /* the field's name as written */
	const char *key;        /* attrs.KEY: the key (in name) */
	const char *op;         /* the operator: !=, >=, <=, =, ~, <, > */
	char *text;             /* the value, owned */
	int64_t num;
	double d;
	char when[21];
	int wrap;               /* QM_WHEN: leave out birthdays without a year */
	int zero;               /* QM_COUNT: a party without facts (a count of 0) meets it */
	struct qcolon colon;
	char colon_term[160];   /* QM_COLON: the term read, that colon points into */
};

/* event:SPEC: its conditions on one event (see event_parse()). */
enum { QE_TEXT, QE_AMOUNT, QE_AT };

struct qcond {
	int form;               /* QE_TEXT: key op v; QE_AMOUNT: op num; QE_AT: op when */
	const char *key, *op, *v;
	int64_t num;
	char when[21];
};

struct qevent {
	char *copy;             /* the spec, cut in pieces that the conditions point into */
	struct qcond *c;
	size_t n;
	int campaign;           /* campaign= is one of them */
	const char *count_op;   /* count OP count, as written; NULL: none */
	long long count;
	const char *after, *after_campaign;     /* after=TYPE[:CAMPAIGN]; NULL: none */
	long within;            /* within=N unit (0: none), unit h, d, w, m or y */
	char within_unit;
};

struct qterm {
	int kind;               /* QT_* */
	int neg;
	const char *arg;
	char *word;             /* QT_WORD: the phrase, owned */
	long lo, hi;
	struct qcolon colon;
	size_t k;               /* QT_COMPARE: the length of the field name */
	const char *op;         /* QT_COMPARE: the operator */
};

/*
 * Classify a term t (checked as UTF-8 before) into *pt (its word freed by
 * term_free()).  CRM_OK, CRM_USAGE with msg, CRM_NOMEM.
 */
int term_parse(const char *t, struct qterm *pt, char *msg, size_t len);
void term_free(struct qterm *pt);

/* The parts of tag:, kind:, type:, has: (t without its '-'). */
int colon_parse(const char *t, struct qcolon *c, char *msg, size_t len);

/* A comparison: t the term, k the length of its field name, op its operator. */
int compare_parse(const char *t, size_t k, const char *op, struct qcmp *c, char *msg, size_t len);
void compare_free(struct qcmp *c);

/* The conditions of event:SPEC (t the whole term); event_free() in every case. */
int event_parse(const char *t, struct qevent *e, char *msg, size_t len);
void event_free(struct qevent *e);

/* A sort spec: [-]FIELD or [-]attrs.KEY. */
struct qsort {
	int desc;
	int f;                  /* the field; -1 for attrs.KEY */
	const char *key;        /* attrs.KEY: the key */
	int fold;               /* text, sorted without accents or case */
};
int sort_parse(const char *spec, struct qsort *s, char *msg, size_t len);

#endif
