/* SPDX-License-Identifier: MIT */
/*
 * query.c: the term language of crm-find(1), compiled to SQL.  Column
 * names come from the fixed field list; every value is a bound parameter.
 */
#include <ctype.h>
#include <stdarg.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm-private.h"

struct bind {
	int type;               /* SQLITE_TEXT, SQLITE_INTEGER, SQLITE_FLOAT */
	char *text;
	sqlite3_int64 i;
	double d;
};

struct crm_query {
	crm_store_t *s;
	int depth;              /* segments inside segments, while compiling */
	struct buf where;
	struct buf order;
	struct bind *binds;
	int nbinds;
	long limit;
	int restrict_on;
	sqlite3_stmt *st;       /* the running SELECT */
	sqlite3_stmt *ins;      /* insert into the restriction */
	int need;               /* scores the terms name (CRM_SCORE_*) */
	int which;              /* scores asked for the output */
	int computed;           /* temp.crm_score holds them */
	char *opt[4];           /* as_of, window, currency, weights */
	uint64_t fields;        /* the fields read (bit per field); 0: all */
	const int64_t *focus;   /* scores for these sorted ids only (borrowed) */
	size_t nfocus;
};

static int
add_bind_text(crm_query_t *q, const char *s)
{
	struct bind *b = realloc(q->binds, (size_t)(q->nbinds + 1) * sizeof *b);
	if (!b)
		return CRM_NOMEM;
	q->binds = b;
	b += q->nbinds;
	b->type = SQLITE_TEXT;
	if (!(b->text = strdup(s)))
		return CRM_NOMEM;
	q->nbinds++;
	return CRM_OK;
}

static int
add_bind_num(crm_query_t *q, int type, sqlite3_int64 i, double d)
{
	struct bind *b = realloc(q->binds, (size_t)(q->nbinds + 1) * sizeof *b);
	if (!b)
		return CRM_NOMEM;
	q->binds = b;
	b += q->nbinds++;
	b->type = type;
	b->text = NULL;
	b->i = i;
	b->d = d;
	return CRM_OK;
}

void
crm_query_free(crm_query_t *q)
{
	if (!q)
		return;
	for (int i = 0; i < q->nbinds; i++)
		free(q->binds[i].text);
	free(q->binds);
	buf_free(&q->where);
	buf_free(&q->order);
	for (int i = 0; i < 4; i++)
		free(q->opt[i]);
	sqlite3_finalize(q->st);
	sqlite3_finalize(q->ins);
	free(q);
}

/* The SQL expression of a field's stored value. */
static const char *
column(int f)
{
	static char col[64];

	if (f == CRM_F_PURCHASES)
		return "coalesce(f.purchases, 0)";
	if (f == CRM_F_OPEN_TASKS)
		return "coalesce(f.open_tasks, 0)";
	if (f == CRM_F_REVENUE)
		return "f.revenue";            /* ten-thousandths: see compare_term() */
	if (f == CRM_F_PROPENSITY)
		return "coalesce(s.propensity, 0)";     /* 0 without any signal */
	if (CRM_FIELD_IS_SCORE(f)) {
		snprintf(col, sizeof col, "s.%s", crm_field_name(f));
		return col;
	}
	snprintf(col, sizeof col, "%s.%s", CRM_FIELD_IS_FACT(f) ? "f" : "p", crm_field_name(f));
	return col;
}

static int
is_date_field(int f)
{
	return f == CRM_F_CREATED || f == CRM_F_UPDATED || f == CRM_F_BIRTHDATE ||
	       f == CRM_F_LAST_ACTIVITY || f == CRM_F_LAST_INBOUND || f == CRM_F_FIRST_PURCHASE ||
	       f == CRM_F_LAST_PURCHASE;
}

/*
 * The time n hours, days, weeks, months or years (unit h, d, w, m, y)
 * before now, as times are stored: YYYY-MM-DDTHH:MM:SSZ.  A month back
 * from the 31st is the last day of the shorter month.  0 when that is
 * before the year 1.
 */
static int
time_ago(long n, char unit, char out[21])
{
	static const int mdays[] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	time_t t = time(NULL);
	struct tm tm;

	if (n < 0 || n > 100000)
		return 0;
	if (unit == 'h')
		t -= (time_t)n * 3600;
	else if (unit == 'd' || unit == 'w')
		t -= (time_t)n * (unit == 'w' ? 7 : 1) * 86400;
	gmtime_r(&t, &tm);
	if (unit == 'm' || unit == 'y') {
		long months = (tm.tm_year + 1900L) * 12 + tm.tm_mon - (unit == 'y' ? n * 12 : n);
		int y = (int)(months / 12), m = (int)(months % 12);
		if (months < 12)
			return 0;
		int last = mdays[m] + (m == 1 && y % 4 == 0 && (y % 100 || y % 400 == 0));
		if (tm.tm_mday > last)
			tm.tm_mday = last;
		tm.tm_year = y - 1900;
		tm.tm_mon = m;
	}
	if (tm.tm_year + 1900 < 1 || tm.tm_year + 1900 > 9999)
		return 0;
	char text[64];
	snprintf(text, sizeof text, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900,
	         tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
	memcpy(out, text, 21);
	return 1;
}

enum { WHEN_NO, WHEN_PERIOD, WHEN_AGE };

/*
 * A value that stands for a time, for the comparisons of times and dates:
 * a period (WHEN_PERIOD): a year (2026), a month (2026-01), a day
 * (2026-01-01), today or yesterday, in UTC, or a time in ISO 8601
 * (2026-01-01T10:00:00Z; without an offset, local time, as crm-log(1)
 * reads it), a period of one second; or an age (WHEN_AGE): 30d, 3 months,
 * now (see length_parse()), the time that long ago.  out gets the text
 * that the stored times of the period begin with, or the time of the age.
 * With day (birthdates): no time of day, and an age gives its day.
 * WHEN_NO when v is none of these; -1 with msg when an age goes beyond
 * the calendar.
 */
static int
when_value(const char *v, int day, char out[21], const char *t, char *msg, size_t len)
{
	size_t l = strlen(v);
	char unit, d[11], m[200], q[96];
	long n;

	if (!strcasecmp(v, "now") || length_parse(v, &n, &unit)) {
		if (!strcasecmp(v, "now"))
			n = 0, unit = 'h';
		if (!time_ago(n, unit, out)) {
			msgf(msg, len, "term '%s': '%s' goes back beyond the year 1", t, quoted(v, q, sizeof q));
			return -1;
		}
		if (day)
			out[10] = '\0';
		return WHEN_AGE;
	}
	if (!strcasecmp(v, "today") || !strcasecmp(v, "yesterday")) {
		iso_of(time(NULL) - (tolower((unsigned char)*v) == 'y' ? 86400 : 0), out);
		out[10] = '\0';
		return WHEN_PERIOD;
	}
	for (size_t i = 0; i < 4; i++)
		if (i >= l || !isdigit((unsigned char)v[i]))
			return WHEN_NO;
	if (!strncmp(v, "0000", 4))
		return WHEN_NO;
	if (l == 4 || (l == 7 && v[4] == '-' && isdigit((unsigned char)v[5]) &&
	               isdigit((unsigned char)v[6]) && dec_prefix(v + 5) >= 1 && dec_prefix(v + 5) <= 12)) {
		memcpy(out, v, l + 1);
		return WHEN_PERIOD;
	}
	if (l < 10)
		return WHEN_NO;
	memcpy(d, v, 10);
	d[10] = '\0';
	if (!date_valid(d, 0))
		return WHEN_NO;
	if (l == 10) {
		memcpy(out, d, 11);
		return WHEN_PERIOD;
	}
	if (day || (v[10] != 'T' && v[10] != ' ') || time_parse(v, 0, out, m, sizeof m))
		return WHEN_NO;
	return WHEN_PERIOD;
}

/* The forms of times that comparisons take, for messages. */
#define WHEN_FORMS "a date (2026-01-01, 2026-01, 2026), a time (2026-01-01T10:00:00Z)" \
	" or an age (30d, 2w, 3mo, 1y, 12h, '30 days', today, yesterday)"
#define DAY_FORMS "a date (1990-05-12, 1990-05, 1990) or an age (18y, '6 months', today)"

static int
is_number(const char *v, double *d)
{
	char *end;

	if (!*v || isspace((unsigned char)*v))
		return 0;
	*d = strtod(v, &end);
	return *end == '\0' && strcspn(v, "xXpPnNiI") == strlen(v);
}

/* Bind a value; its number, for "?N" in the SQL, or 0 when out of memory. */
static int
bind_text(crm_query_t *q, const char *s)
{
	return add_bind_text(q, s) ? 0 : q->nbinds;
}

static int
bind_num(crm_query_t *q, int type, sqlite3_int64 i, double d)
{
	return add_bind_num(q, type, i, d) ? 0 : q->nbinds;
}

/* Append printf-style SQL text (fixed fragments and ?N only). */
static int
sqlf(struct buf *w, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int
sqlf(struct buf *w, const char *fmt, ...)
{
	char t[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(t, sizeof t, fmt, ap);
	va_end(ap);
	return buf_adds(w, t);
}

/* Bind an attribute key; its parameter number, 0 when out of memory. */
static int
attr_key(crm_query_t *q, const char *key, char *msg, size_t len)
{
	if (!*key) {
		msgf(msg, len, "attrs. needs a key");
		return -1;
	}
	return bind_text(q, key);
}

/*
 * The SQL text of an attribute as text (see crm_attr() in store.c):
 * strings as they are, numbers in decimal, booleans as true and false;
 * NULL when absent or null.
 */
static void
attr_expr(char *e, size_t len, int key)
{
	snprintf(e, len, "crm_attr(p.attrs, ?%d)", key);
}

static const char *const kinds[] = {
	"customer", "prospect", "lead", "partner", "supplier", "employee", "other", NULL
};

/* tag:, kind:, type:, has: and their negations. */
static int
colon_term(crm_query_t *q, const char *t, int neg, char *msg, size_t len)
{
	struct buf *w = &q->where;
	const char *v = strchr(t, ':') + 1;
	int n;

	if (!*v) {
		msgf(msg, len, "term '%s' needs a value", t);
		return CRM_USAGE;
	}
	if (neg)
		buf_adds(w, "NOT ");
	if (!strncmp(t, "tag:", 4)) {
		if (!(n = bind_text(q, v)))
			return CRM_NOMEM;
		return sqlf(w, "EXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id AND t.tag = ?%d)", n);
	}
	if (!strncmp(t, "kind:", 5)) {
		int i;
		for (i = 0; kinds[i] && strcasecmp(kinds[i], v); i++)
			;
		if (!kinds[i]) {
			msgf(msg, len, "unknown kind '%s'", v);
			return CRM_USAGE;
		}
		if (!(n = bind_text(q, kinds[i])))
			return CRM_NOMEM;
		return sqlf(w, "p.kind = ?%d", n);
	}
	if (!strncmp(t, "type:", 5)) {
		const char *c = !strcasecmp(v, "person") ? "person" :
		                (!strcasecmp(v, "organization") || !strcasecmp(v, "organisation") ||
		                 !strcasecmp(v, "org")) ? "organization" : NULL;
		if (!c) {
			msgf(msg, len, "unknown type '%s' (person or organization)", v);
			return CRM_USAGE;
		}
		if (!(n = bind_text(q, c)))
			return CRM_NOMEM;
		return sqlf(w, "p.type = ?%d", n);
	}
	/* has: */
	if (!strncmp(v, "attrs.", 6)) {
		if ((n = attr_key(q, v + 6, msg, len)) <= 0)
			return n < 0 ? CRM_USAGE : CRM_NOMEM;
		return sqlf(w, "crm_attr(p.attrs, ?%d) IS NOT NULL", n);
	}
	int f = crm_field_lookup(v, 0);
	if (f < 0) {
		msgf(msg, len, "unknown field '%s'", v);
		return CRM_USAGE;
	}
	if (f == CRM_F_TAGS)
		return buf_adds(w, "EXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id)");
	if (f == CRM_F_ATTRS)
		return buf_adds(w, "coalesce(p.attrs, '{}') <> '{}'");
	if (f == CRM_F_ID)
		return buf_adds(w, "1");
	q->need |= crm_score_of_field(f);
	return sqlf(w, "coalesce(%s, '') <> ''", column(f));
}

/*
 * expr OP the value of when_value(): a period compares as a whole, so that
 * created<=2026-01 takes all of January and created=2026-01-01 that day.
 * Stored times begin with the text of their period, and what follows it
 * sorts before '~'.
 */
static int
when_compare(crm_query_t *q, struct buf *w, const char *expr, const char *op, const char *when)
{
	char hi[32];
	int a, b;

	snprintf(hi, sizeof hi, "%s~", when);
	if (!(a = bind_text(q, when)))
		return CRM_NOMEM;
	if (!strcmp(op, ">="))
		return sqlf(w, "%s >= ?%d", expr, a);
	if (!strcmp(op, "<"))
		return sqlf(w, "%s < ?%d", expr, a);
	if (!(b = bind_text(q, hi)))
		return CRM_NOMEM;
	if (!strcmp(op, ">"))
		return sqlf(w, "%s > ?%d", expr, b);
	if (!strcmp(op, "<="))
		return sqlf(w, "%s < ?%d", expr, b);
	if (!strcmp(op, "="))
		return sqlf(w, "(%s >= ?%d AND %s < ?%d)", expr, a, expr, b);
	return sqlf(w, "NOT coalesce(%s >= ?%d AND %s < ?%d, 0)", expr, a, expr, b);
}

/* expr OP text, byte by byte. */
static int
text_compare(crm_query_t *q, const char *expr, const char *op, const char *v, size_t l)
{
	char *c = strndup(v, l);
	int n = c ? bind_text(q, c) : 0;

	free(c);
	if (!n)
		return CRM_NOMEM;
	return sqlf(&q->where, "%s %s ?%d", expr, op, n);
}

/* field OP value, with the operator at op (length oplen). */
static int
compare_term(crm_query_t *q, const char *t, size_t k, const char *op, char *msg, size_t len)
{
	struct buf *w = &q->where;
	char name[128], expr[320], sqlop[3];
	const char *v;
	int f = -1, n, attr;

	if (k >= sizeof name) {
		msgf(msg, len, "field name too long in '%s'", t);
		return CRM_USAGE;
	}
	memcpy(name, t, k);
	name[k] = '\0';
	snprintf(sqlop, sizeof sqlop, "%s", op);
	v = t + k + strlen(op);
	attr = !strncmp(name, "attrs.", 6);
	if (attr) {
		if ((n = attr_key(q, name + 6, msg, len)) <= 0)
			return n < 0 ? CRM_USAGE : CRM_NOMEM;
		attr_expr(expr, sizeof expr, n);
	} else if ((f = crm_field_lookup(name, 0)) < 0) {
		msgf(msg, len, "unknown field '%s' in '%s'", name, t);
		return CRM_USAGE;
	} else if (f == CRM_F_ATTRS) {
		snprintf(expr, sizeof expr, "p.attrs");
	} else {
		snprintf(expr, sizeof expr, "%s", column(f));
		q->need |= crm_score_of_field(f);
	}

	if (f == CRM_F_TAGS) {
		if (!strcmp(op, "~")) {
			char *fv = crm_fold(v);
			n = fv ? bind_text(q, fv) : 0;
			free(fv);
			if (!n)
				return CRM_NOMEM;
			return sqlf(w, "EXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id AND "
			            "instr(crm_fold(t.tag), ?%d) > 0)", n);
		}
		if (strcmp(op, "=") && strcmp(op, "!=")) {
			msgf(msg, len, "tags take =, != or ~ in '%s'", t);
			return CRM_USAGE;
		}
		if (!(n = bind_text(q, v)))
			return CRM_NOMEM;
		return sqlf(w, "%sEXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id AND t.tag = ?%d)",
		            op[0] == '!' ? "NOT " : "", n);
	}
	if (!strcmp(op, "~")) {
		char *fv = crm_fold(v);
		n = fv ? bind_text(q, fv) : 0;
		free(fv);
		if (!n)
			return CRM_NOMEM;
		return sqlf(w, "instr(crm_fold(%s), ?%d) > 0", expr, n);
	}
	if (f == CRM_F_ATTRS) {
		msgf(msg, len, "attrs takes ~ or has:attrs; use attrs.KEY in '%s'", t);
		return CRM_USAGE;
	}
	if (f == CRM_F_REVENUE || f == CRM_F_PURCHASES || f == CRM_F_OPEN_TASKS) {
		/* Exact: revenue in ten-thousandths, counts as integers. */
		long long num;
		char *end;
		if (f == CRM_F_REVENUE ? !amount_parse(v, &num) :
		    (num = strtoll(v, &end, 10), !*v || *end)) {
			msgf(msg, len, "%s needs a number in '%s'", name, t);
			return CRM_USAGE;
		}
		if (!(n = bind_num(q, SQLITE_INTEGER, num, 0)))
			return CRM_NOMEM;
		/*
		 * A count that no party without facts (a count of 0) meets reads
		 * the column as it is, so that the join on facts drives the search.
		 */
		int zero = !strcmp(op, "!=") ? num != 0 : !strcmp(op, "=") ? num == 0 :
		           !strcmp(op, ">=") ? 0 >= num : !strcmp(op, "<=") ? 0 <= num :
		           !strcmp(op, ">") ? 0 > num : !strcmp(op, "<") ? 0 < num : 1;
		if (f != CRM_F_REVENUE && !zero)
			snprintf(expr, sizeof expr, "f.%s", crm_field_name(f));
		if (!strcmp(op, "!="))
			return sqlf(w, "%s IS NOT ?%d", expr, n);
		if (!strcmp(op, "="))
			return sqlf(w, "%s = ?%d", expr, n);
		return sqlf(w, "%s %s ?%d", expr, op, n);
	}
	if ((f == CRM_F_CHURNED || f == CRM_F_CHURN_RISK || f == CRM_F_RFM_SEGMENT || f == CRM_F_RFM) &&
	    (!strcmp(op, "=") || !strcmp(op, "!="))) {
		/* Scores of a few values: another value is a mistake, not a segment of nobody. */
		static const char *const values[][12] = {
			{ "true", "false" }, { "low", "medium", "high" },
			{ "champions", "potential-loyalists", "new", "promising", "loyal", "need-attention",
			  "about-to-sleep", "cannot-lose-them", "at-risk", "hibernating", "lost" },
		};
		const char *const *vs = values[f == CRM_F_CHURNED ? 0 : f == CRM_F_CHURN_RISK ? 1 : 2];
		int ok = 0;
		if (f == CRM_F_RFM)
			ok = strlen(v) == 3 && strspn(v, "12345") == 3;
		for (int i = 0; f != CRM_F_RFM && i < 12 && vs[i]; i++)
			ok |= !strcmp(v, vs[i]);
		if (!ok) {
			char qv[96], all[200] = "";
			for (int i = 0; f != CRM_F_RFM && i < 12 && vs[i]; i++)
				snprintf(all + strlen(all), sizeof all - strlen(all), "%s%s", i ? ", " : "one of ",
				         vs[i]);
			msgf(msg, len, "term '%s': %s takes %s, not '%s'", t, name,
			     f == CRM_F_RFM ? "three digits from 1 to 5, such as 555" : all,
			     quoted(v, qv, sizeof qv));
			return CRM_USAGE;
		}
	}
	{
		/* Numeric scores compare as numbers, with every operator. */
		double d;
		if (CRM_FIELD_IS_SCORE(f) && strcmp(op, "~") && is_number(v, &d) &&
		    f != CRM_F_RFM && f != CRM_F_EXPLAIN) {
			if (!(n = bind_num(q, SQLITE_FLOAT, 0, d)))
				return CRM_NOMEM;
			if (!strcmp(op, "!="))
				return sqlf(w, "%s IS NOT ?%d", expr, n);
			return sqlf(w, "%s %s ?%d", expr, op, n);
		}
		if (f == CRM_F_RFM_R || f == CRM_F_RFM_F || f == CRM_F_RFM_M || f == CRM_F_PROPENSITY ||
		    f == CRM_F_DAYS_SINCE_PURCHASE || f == CRM_F_USUAL_GAP) {
			msgf(msg, len, "%s needs a number in '%s'", name, t);
			return CRM_USAGE;
		}
	}
	if (is_date_field(f)) {
		/* Times and dates, with every operator but ~. */
		char when[21], qv[96];
		int day = f == CRM_F_BIRTHDATE, eq = op[0] == '=' || op[0] == '!', wk, rc;
		size_t l = strlen(v);
		if (!eq && l >= 2 && v[0] == '"' && v[l - 1] == '"')
			return text_compare(q, expr, op, v + 1, l - 2);
		if (day && eq && l == 7 && date_valid(v, 0)) {
			/* A birthday without a year, as it is. */
			if (!(n = bind_text(q, v)))
				return CRM_NOMEM;
			return sqlf(w, op[0] == '!' ? "%s IS NOT ?%d" : "%s = ?%d", expr, n);
		}
		if ((wk = when_value(v, day, when, t, msg, len)) < 0)
			return CRM_USAGE;
		if (wk == WHEN_NO) {
			msgf(msg, len, "term '%s': %s takes %s, not '%s'", t, name,
			     day ? DAY_FORMS : WHEN_FORMS, quoted(v, qv, sizeof qv));
			return CRM_USAGE;
		}
		if (wk == WHEN_AGE && eq && !day) {
			msgf(msg, len, "term '%s': %s compares with a period (2026-01-01, 2026-01, 2026, "
			     "today, yesterday) or a time, not an age '%s'", t, op, quoted(v, qv, sizeof qv));
			return CRM_USAGE;
		}
		if (!day || eq)
			return when_compare(q, w, expr, op, when);
		/* A birthday without a year has no age. */
		buf_adds(w, "(");
		if ((rc = when_compare(q, w, expr, op, when)))
			return rc;
		return sqlf(w, " AND %s NOT LIKE '--%%')", expr);
	}
	if (f == CRM_F_ID || f == CRM_F_ORG_ID) {
		char *end;
		long long id = strtoll(v, &end, 10);
		if (!*v || *end) {
			msgf(msg, len, "%s needs a number in '%s'", name, t);
			return CRM_USAGE;
		}
		if (!(n = bind_num(q, SQLITE_INTEGER, id, 0)))
			return CRM_NOMEM;
		if (!strcmp(op, "!="))
			return sqlf(w, "%s IS NOT ?%d", expr, n);
		return sqlf(w, "%s %s ?%d", expr, op, n);
	}
	if (!strcmp(op, "=") || !strcmp(op, "!=")) {
		char *norm = NULL;
		const char *bv = v;
		if (f == CRM_F_KIND || f == CRM_F_TYPE) {
			char tt[160];
			snprintf(tt, sizeof tt, "%s:%s", name, v);
			return colon_term(q, tt, op[0] == '!', msg, len);
		}
		if (f == CRM_F_EMAIL) {
			snprintf(expr, sizeof expr, "p.email_norm");
			norm = norm_email(v);
			bv = norm ? norm : "";
		} else if (f == CRM_F_PHONE) {
			snprintf(expr, sizeof expr, "p.phone_norm");
			norm = norm_phone(v, NULL);
			bv = norm ? norm : "";
		}
		n = bind_text(q, bv);
		free(norm);
		if (!n)
			return CRM_NOMEM;
		/* An e-mail or phone beyond the first counts as much as the first. */
		if (f == CRM_F_EMAIL || f == CRM_F_PHONE) {
			const char *kd = f == CRM_F_EMAIL ? "email" : "phone";
			if (op[0] == '!')
				return sqlf(w, "(%s IS NOT ?%d AND p.id NOT IN (SELECT party_id FROM party_ident"
				            " WHERE kind = '%s' AND norm = ?%d))", expr, n, kd, n);
			return sqlf(w, "(%s = ?%d OR p.id IN (SELECT party_id FROM party_ident"
			            " WHERE kind = '%s' AND norm = ?%d))", expr, n, kd, n);
		}
		return sqlf(w, op[0] == '!' ? "%s IS NOT ?%d" : "%s = ?%d", expr, n);
	}

	/*
	 * <, >, <=, >= on text: a number compares as a number, a time or an
	 * age as a time, text in double quotes as text; anything else is a
	 * mistake, not a comparison that matches everything or nothing.
	 */
	char when[21], qv[96];
	double d;
	size_t l = strlen(v);
	int wk;
	if (l >= 2 && v[0] == '"' && v[l - 1] == '"')
		return text_compare(q, expr, op, v + 1, l - 2);
	if (is_number(v, &d)) {
		if (!(n = bind_num(q, SQLITE_FLOAT, 0, d)))
			return CRM_NOMEM;
		return sqlf(w, "crm_num(%s) %s ?%d", expr, op, n);
	}
	if ((wk = when_value(v, 0, when, t, msg, len)) < 0)
		return CRM_USAGE;
	if (wk)
		return when_compare(q, w, expr, op, when);
	msgf(msg, len, "term '%s': %s compares with a number (4.5), %s, not '%s'; in double quotes "
	     "(\"...\") as text", t, op, WHEN_FORMS, quoted(v, qv, sizeof qv));
	return CRM_USAGE;
}

/* Append the SQL for one term; msg says what is wrong on CRM_USAGE. */
static int compile_terms(crm_query_t *q, int nterms, char **terms, char *msg, size_t len);

/*
 * segment:NAME: the members of a saved segment, compiled here as a
 * subquery, its parameters numbered after this query's: the rules, less
 * the members pinned out, plus those pinned in; a frozen segment's
 * members are those of its snapshot.
 */
static int
segment_term(crm_query_t *q, const char *name, int neg, char *msg, size_t len)
{
	sqlite3_stmt *st;
	struct buf *w = &q->where, saved;
	json_t *rules = NULL;
	int rc, n, frozen = 0;

	if (q->depth >= 16) {
		msgf(msg, len, "segment:%s: segments nested more than 16 deep (one names itself?)", name);
		return CRM_USAGE;
	}
	rc = sqlite3_prepare_v2(store_db(q->s), "SELECT rules, frozen_at IS NOT NULL FROM segment"
	                        " WHERE name = ?1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(q->s, rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		rules = json_loads((const char *)sqlite3_column_text(st, 0), 0, NULL);
		frozen = sqlite3_column_int(st, 1);
	}
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE) {
		msgf(msg, len, "no segment '%s' (crm-segment --list)", name);
		return CRM_USAGE;
	}
	if (rc != SQLITE_ROW || !json_is_array(rules)) {
		json_decref(rules);
		return rc != SQLITE_ROW ? store_status(q->s, rc) : CRM_STORE;
	}
	if (!(n = bind_text(q, name))) {
		json_decref(rules);
		return CRM_NOMEM;
	}
	if (neg)
		buf_adds(w, "NOT ");
	if (frozen) {
		json_decref(rules);
		return sqlf(w, "p.id IN (SELECT party_id FROM segment_member WHERE segment = ?%d"
		            " AND pin = 'frozen')", n);
	}
	size_t nt = json_array_size(rules);
	char **terms = calloc(nt + 1, sizeof *terms);
	if (!terms) {
		json_decref(rules);
		return CRM_NOMEM;
	}
	for (size_t i = 0; i < nt; i++)
		terms[i] = (char *)json_string_value(json_array_get(rules, i));
	/* The nested rules go into a WHERE of their own, then into this one. */
	saved = q->where;
	memset(&q->where, 0, sizeof q->where);
	q->depth++;
	rc = compile_terms(q, (int)nt, terms, msg, len);
	q->depth--;
	struct buf inner = q->where;
	q->where = saved;
	free(terms);
	json_decref(rules);
	/*
	 * The rules go in as they are: they read the same p and f as this
	 * query, so the planner sees them whole.  Pins, when there are any,
	 * take parties out and in; coalesce() makes an unknown (a party without
	 * facts) a no, so that -segment: is the exact complement.
	 */
	int pins = 0;
	if (!rc) {
		rc = sqlite3_prepare_v2(store_db(q->s), "SELECT EXISTS (SELECT 1 FROM segment_member"
		                        " WHERE segment = ?1 AND pin IN ('in', 'out'))", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
			rc = sqlite3_step(st);
			pins = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
			rc = rc == SQLITE_ROW ? CRM_OK : store_status(q->s, rc);
			sqlite3_finalize(st);
		} else {
			rc = store_status(q->s, rc);
		}
	}
	if (!rc) {
		/* Only a negation needs the coalesce(): it would hide from the planner that f is joined. */
		buf_adds(w, neg ? "coalesce(((" : "(((");
		buf_adds(w, inner.p ? inner.p : "1");
		buf_adds(w, ")");
		if (pins)
			sqlf(w, " AND p.id NOT IN (SELECT party_id FROM segment_member WHERE segment = ?%d"
			     " AND pin = 'out')) OR p.id IN (SELECT party_id FROM segment_member"
			     " WHERE segment = ?%d AND pin = 'in')", n, n);
		else
			buf_adds(w, ")");
		buf_adds(w, neg ? ", 0)" : ")");
	}
	buf_free(&inner);
	return rc;
}

/* age:A-B (or age:A): birthdates with a year that make that age today. */
static int
age_term(crm_query_t *q, const char *v, char *msg, size_t len)
{
	char *end;
	long lo = strtol(v, &end, 10), hi = lo;
	int a, b;

	if (!isdigit((unsigned char)*v) || lo > 150 || (*end && (*end != '-' ||
	    !isdigit((unsigned char)end[1]) || (hi = strtol(end + 1, &end, 10)) < lo || hi > 150 ||
	    *end))) {
		msgf(msg, len, "age: wants years such as 25-34 or 40, not '%s'", v);
		return CRM_USAGE;
	}
	/* Born after today less hi + 1 years, and on or before today less lo years. */
	if (!(a = bind_num(q, SQLITE_INTEGER, hi + 1, 0)) || !(b = bind_num(q, SQLITE_INTEGER, lo, 0)))
		return CRM_NOMEM;
	return sqlf(&q->where, "(p.birthdate GLOB '[0-9][0-9][0-9][0-9]-*'"
	            " AND p.birthdate > date('now', '-' || ?%d || ' years')"
	            " AND p.birthdate <= date('now', '-' || ?%d || ' years'))", a, b);
}

/* A value of an event's type or channel: a lower-case word, as crm-log(1) keeps them. */
static int
event_word(char *v)
{
	if (!*v || strlen(v) > 40)
		return 0;
	for (char *c = v; *c; c++) {
		*c = (char)tolower((unsigned char)*c);
		if (!islower((unsigned char)*c) && !isdigit((unsigned char)*c) && *c != '_' && *c != '-')
			return 0;
	}
	return 1;
}

#define EVENT_KEYS "type, channel, campaign, direction, ref, currency, status, amount, at, " \
	"count, after, within"

/*
 * event:SPEC and -event:SPEC: the parties with at least one event, or
 * none, that meets every condition of SPEC, a comma-separated list:
 * first a type alone, or KEY OP VALUE on the same event (type, channel,
 * campaign, direction, ref, currency, status with = and !=; amount and at
 * with every operator), count OP N (how many such events), after=TYPE or
 * after=TYPE:CAMPAIGN (at or after one of that party's events of that
 * type and campaign) and within=LENGTH (no later than that after it).
 * A campaign drives the search from the index of campaign events; other
 * terms look up each party's events by its index (party_id, at).
 */
static int
event_term(crm_query_t *q, const char *t, int neg, char *msg, size_t len)
{
	static const char *const ops[] = { "!=", ">=", "<=", "=", "<", ">" };
	const char *spec = strchr(t, ':') + 1;
	struct buf c = {0};
	char *copy, *item, *next, qv[96], mod[40] = "";
	const char *count_op = NULL, *after = NULL;
	long long count = 0;
	int rc = CRM_OK, campaign = 0, first = 1, n, within = 0;

	if (!*spec) {
		msgf(msg, len, "term '%s' needs an event type or a condition, such as "
		     "event:opened,campaign=noel", t);
		return CRM_USAGE;
	}
	if (!(copy = strdup(spec)))
		return CRM_NOMEM;
	for (item = copy; item && !rc; item = next, first = 0) {
		const char *op = NULL;
		char *key = item, *v;
		size_t k = 0;
		if ((next = strchr(item, ',')))
			*next++ = '\0';
		while (islower((unsigned char)item[k]) || item[k] == '_')
			k++;
		for (size_t i = 0; k && i < sizeof ops / sizeof ops[0]; i++)
			if (!strncmp(item + k, ops[i], strlen(ops[i]))) {
				op = ops[i];
				break;
			}
		if (op) {
			v = item + k + strlen(op);
			item[k] = '\0';
		} else if (first && *item && !strpbrk(item, "=<>!~")) {
			key = "type";
			op = "=";
			v = item;
		} else {
			msgf(msg, len, "term '%s': cannot read '%s' (KEY=VALUE, KEY one of " EVENT_KEYS ")",
			     t, quoted(item, qv, sizeof qv));
			rc = CRM_USAGE;
			break;
		}
		int eq = !strcmp(op, "=") || !strcmp(op, "!=");
		const char *sqlop = !strcmp(op, "!=") ? "IS NOT" : op;
		if (!strcmp(key, "type") || !strcmp(key, "channel") || !strcmp(key, "campaign") ||
		    !strcmp(key, "ref") || !strcmp(key, "direction") || !strcmp(key, "status") ||
		    !strcmp(key, "currency")) {
			int ok = eq && *v;
			quoted(v, qv, sizeof qv);       /* as given, for a message */
			if (ok && (!strcmp(key, "type") || !strcmp(key, "channel")))
				ok = event_word(v);
			else if (ok && !strcmp(key, "direction"))
				ok = event_word(v) && (!strcmp(v, "in") || !strcmp(v, "out"));
			else if (ok && !strcmp(key, "status"))
				ok = event_word(v) && (!strcmp(v, "open") || !strcmp(v, "done"));
			else if (ok && !strcmp(key, "currency")) {
				for (char *x = v; *x; x++)
					*x = (char)toupper((unsigned char)*x);
				ok = strlen(v) == 3 && isupper((unsigned char)v[0]) &&
				     isupper((unsigned char)v[1]) && isupper((unsigned char)v[2]);
			}
			if (!ok) {
				msgf(msg, len, "term '%s': %s takes = or != and %s, not '%s'", t, key,
				     !strcmp(key, "direction") ? "in or out" : !strcmp(key, "status") ?
				     "open or done" : !strcmp(key, "currency") ? "a code such as EUR" :
				     !strcmp(key, "type") || !strcmp(key, "channel") ? "a word" : "a value",
				     qv);
				rc = CRM_USAGE;
				break;
			}
			if (!(n = bind_text(q, v))) {
				rc = CRM_NOMEM;
				break;
			}
			campaign |= !strcmp(key, "campaign") && !strcmp(op, "=");
			sqlf(&c, "%se.%s %s ?%d", c.len ? " AND " : "", key, sqlop, n);
		} else if (!strcmp(key, "amount")) {
			long long a;
			if (!amount_parse(v, &a)) {
				msgf(msg, len, "term '%s': amount takes a number such as 49.90, not '%s'", t,
				     quoted(v, qv, sizeof qv));
				rc = CRM_USAGE;
				break;
			}
			if (!(n = bind_num(q, SQLITE_INTEGER, a, 0))) {
				rc = CRM_NOMEM;
				break;
			}
			sqlf(&c, "%se.amount %s ?%d", c.len ? " AND " : "", sqlop, n);
		} else if (!strcmp(key, "at")) {
			char when[21];
			int wk = when_value(v, 0, when, t, msg, len);
			if (wk < 0) {
				rc = CRM_USAGE;
				break;
			}
			if (wk == WHEN_NO || (wk == WHEN_AGE && eq)) {
				msgf(msg, len, "term '%s': at takes %s, not '%s'", t,
				     wk ? "a period with = and != (2026-01-01, 2026-01, 2026, today, yesterday)" :
				     WHEN_FORMS, quoted(v, qv, sizeof qv));
				rc = CRM_USAGE;
				break;
			}
			if (c.len)
				buf_adds(&c, " AND ");
			if ((rc = when_compare(q, &c, "e.at", op, when)))
				break;
		} else if (!strcmp(key, "count")) {
			char *end;
			count = strtoll(v, &end, 10);
			if (count_op || !isdigit((unsigned char)*v) || *end || count > 1000000000000LL) {
				msgf(msg, len, "term '%s': %s", t, count_op ? "count once" :
				     "count takes a whole number, such as count>=3");
				rc = CRM_USAGE;
				break;
			}
			count_op = !strcmp(op, "!=") ? "<>" : op;
		} else if (!strcmp(key, "after")) {
			char *colon = strchr(v, ':');
			if (colon)
				*colon = '\0';
			if (after || !eq || op[0] == '!' || !event_word(v) || (colon && !colon[1])) {
				msgf(msg, len, "term '%s': %s", t, after ? "after once" :
				     "after takes an event type and a campaign, such as after=sent:noel, "
				     "or a type alone, such as after=purchase");
				rc = CRM_USAGE;
				break;
			}
			after = v;
			if (colon)
				colon[0] = ':';
		} else if (!strcmp(key, "within")) {
			long wn;
			char unit;
			if (within || strcmp(op, "=") || !length_parse(v, &wn, &unit) || wn < 1 ||
			    wn > 100000) {
				msgf(msg, len, "term '%s': %s", t, within ? "within once" :
				     "within takes a length, such as within=30d, within=2w or within=3mo");
				rc = CRM_USAGE;
				break;
			}
			within = 1;
			snprintf(mod, sizeof mod, "+%ld %s", unit == 'w' ? wn * 7 : wn,
			         unit == 'h' ? "hours" : unit == 'm' ? "months" : unit == 'y' ? "years" : "days");
		} else {
			msgf(msg, len, "term '%s': unknown key '%s' (" EVENT_KEYS ")", t,
			     quoted(key, qv, sizeof qv));
			rc = CRM_USAGE;
		}
	}
	if (!rc && within && !after) {
		msgf(msg, len, "term '%s': within goes with after, such as after=sent:noel,within=30d", t);
		rc = CRM_USAGE;
	}
	if (!rc && after) {
		/* One of the party's events that this one comes at or after (and within so long). */
		char *colon = strchr(after, ':');
		int at = 0, ac = 0, am = 0;
		if (colon)
			*colon = '\0';
		if (!(at = bind_text(q, after)) || (colon && !(ac = bind_text(q, colon + 1))) ||
		    (within && !(am = bind_text(q, mod)))) {
			rc = CRM_NOMEM;
		} else {
			sqlf(&c, "%sEXISTS (SELECT 1 FROM event a WHERE a.party_id = e.party_id AND a.type = ?%d",
			     c.len ? " AND " : "", at);
			if (ac)
				sqlf(&c, " AND a.campaign = ?%d", ac);
			buf_adds(&c, " AND a.at <= e.at");
			if (am)
				sqlf(&c, " AND e.at <= strftime('%%Y-%%m-%%dT%%H:%%M:%%SZ', a.at, ?%d)", am);
			buf_adds(&c, ")");
		}
	}
	free(copy);
	if (rc) {
		buf_free(&c);
		return rc;
	}
	struct buf *w = &q->where;
	const char *cond = c.len ? c.p : "1";
	int cn = 0;
	if (count_op && !(cn = bind_num(q, SQLITE_INTEGER, count, 0))) {
		buf_free(&c);
		return CRM_NOMEM;
	}
	/* Whether a party without any such event meets the count. */
	int zero = count_op && (!strcmp(count_op, "<>") ? count != 0 : !strcmp(count_op, "=") ? count == 0 :
	           !strcmp(count_op, ">=") ? count <= 0 : !strcmp(count_op, "<=") ? 1 :
	           !strcmp(count_op, "<") ? count > 0 : 0);
	buf_adds(w, neg ? "NOT (" : "(");
	if (count_op && (zero || !campaign)) {
		buf_adds(w, "(SELECT count(*) FROM event e WHERE e.party_id = p.id AND ");
		buf_adds(w, cond);
		sqlf(w, ") %s ?%d", count_op, cn);
	} else if (campaign) {
		buf_adds(w, "p.id IN (SELECT e.party_id FROM event e WHERE ");
		buf_adds(w, cond);
		if (count_op)
			sqlf(w, " GROUP BY e.party_id HAVING count(*) %s ?%d", count_op, cn);
		buf_adds(w, ")");
	} else {
		buf_adds(w, "EXISTS (SELECT 1 FROM event e WHERE e.party_id = p.id AND ");
		buf_adds(w, cond);
		buf_adds(w, ")");
	}
	buf_adds(w, ")");
	rc = c.err ? CRM_NOMEM : CRM_OK;
	buf_free(&c);
	return rc;
}

static int term(crm_query_t *q, const char *t, char *msg, size_t len);

/*
 * org.TERM: people (and organizations) whose organization matches TERM,
 * such as org.attrs.employees>=250 or org.tag:key-account.  The inner
 * query names its own p, f and s, which hide the outer ones.
 */
static int
org_term(crm_query_t *q, const char *t, char *msg, size_t len)
{
	struct buf saved = q->where, inner;
	int rc, need = q->need;

	if (!*t || !strcmp(t, "OR")) {
		msgf(msg, len, "org. needs a term, such as org.attrs.employees>=250");
		return CRM_USAGE;
	}
	if (q->depth >= 16) {
		msgf(msg, len, "org. nested more than 16 deep");
		return CRM_USAGE;
	}
	memset(&q->where, 0, sizeof q->where);
	q->depth++;
	rc = term(q, t, msg, len);
	q->depth--;
	inner = q->where;
	q->where = saved;
	if (!rc) {
		buf_adds(&q->where, "p.org_id IN (SELECT p.id FROM party p LEFT JOIN party_fact f"
		         " ON f.party_id = p.id");
		/* A score named inside needs its table here too (need only grows). */
		if (q->need != need || (q->need && strstr(inner.p ? inner.p : "", "s.")))
			buf_adds(&q->where, " LEFT JOIN temp.crm_score s ON s.party_id = p.id");
		buf_adds(&q->where, " WHERE p.type = 'organization' AND ");
		buf_adds(&q->where, inner.p ? inner.p : "1");
		buf_adds(&q->where, ")");
		rc = q->where.err ? CRM_NOMEM : CRM_OK;
	}
	buf_free(&inner);
	return rc;
}

static int
term(crm_query_t *q, const char *t, char *msg, size_t len)
{
	int neg = 0;

	if (!strncmp(t, "org.", 4))
		return org_term(q, t + 4, msg, len);

	if (!strncmp(t, "segment:", 8) || !strncmp(t, "-segment:", 9)) {
		neg = *t == '-';
		if (!t[8 + neg]) {
			msgf(msg, len, "term '%s' needs a segment name", t);
			return CRM_USAGE;
		}
		return segment_term(q, t + 8 + neg, neg, msg, len);
	}
	if (!strncmp(t, "age:", 4))
		return age_term(q, t + 4, msg, len);
	if (!strncmp(t, "event:", 6) || !strncmp(t, "-event:", 7))
		return event_term(q, t, *t == '-', msg, len);

	if (!strncmp(t, "-tag:", 5) || !strncmp(t, "-has:", 5) || !strncmp(t, "-kind:", 6) ||
	    !strncmp(t, "-type:", 6)) {
		neg = 1;
		t++;
	}
	if (!strncmp(t, "tag:", 4) || !strncmp(t, "kind:", 5) || !strncmp(t, "type:", 5) ||
	    !strncmp(t, "has:", 4))
		return colon_term(q, t, neg, msg, len);
	if (neg) {
		msgf(msg, len, "unknown term '-%s'", t);
		return CRM_USAGE;
	}

	/* -city=Paris, -foo:bar: no negation of that kind, and no word either. */
	if (crm_is_dash_term(t)) {
		msgf(msg, len, "unknown term '%s' (-tag:, -has:, -kind:, -type:, -segment: and -event: negate;"
		     " a field takes !=)", t);
		return CRM_USAGE;
	}
	size_t k = 0;
	while (isalnum((unsigned char)t[k]) || t[k] == '_' || t[k] == '.' ||
	       (k >= 6 && !strncmp(t, "attrs.", 6) && t[k] && !strchr("=~<>!", t[k])))
		k++;
	const char *o = t + k;
	if (k) {
		static const char *const ops[] = { "!=", ">=", "<=", "=", "~", "<", ">" };
		for (size_t i = 0; i < sizeof ops / sizeof ops[0]; i++)
			if (!strncmp(o, ops[i], strlen(ops[i])))
				return compare_term(q, t, k, ops[i], msg, len);
		if (*o == '!' || *o == ':') {
			msgf(msg, len, "cannot read term '%s'", t);
			return CRM_USAGE;
		}
	}

	/* A bare word: the full-text index, as a quoted phrase. */
	struct buf ph = {0};
	size_t l = strlen(t);
	int prefix = l > 1 && t[l - 1] == '*', n;
	buf_addc(&ph, '"');
	for (size_t i = 0; i < l - (size_t)prefix; i++) {
		if (t[i] == '"')
			buf_addc(&ph, '"');
		buf_addc(&ph, t[i]);
	}
	buf_addc(&ph, '"');
	if (prefix)
		buf_addc(&ph, '*');
	n = ph.p ? bind_text(q, ph.p) : 0;
	buf_free(&ph);
	if (!n)
		return CRM_NOMEM;
	return sqlf(&q->where, "p.id IN (SELECT rowid FROM party_fts WHERE party_fts MATCH ?%d)", n);
}

/* Terms, with OR between groups, into q->where. */
static int
compile_terms(crm_query_t *q, int nterms, char **terms, char *msg, size_t len)
{
	int rc = CRM_OK, in_group = 0, groups = 0;

	buf_adds(&q->where, "(");
	for (int i = 0; i < nterms; i++) {
		if (!strcmp(terms[i], "OR")) {
			if (!in_group) {
				msgf(msg, len, "OR needs a term on each side");
				return CRM_USAGE;
			}
			buf_adds(&q->where, ") OR (");
			in_group = 0;
			continue;
		}
		if (utf8_check(terms[i], strlen(terms[i])) >= 0) {
			msgf(msg, len, "term is not valid UTF-8");
			return CRM_USAGE;
		}
		if (in_group)
			buf_adds(&q->where, " AND ");
		if ((rc = term(q, terms[i], msg, len)))
			return rc;
		in_group = 1;
		groups++;
	}
	if (groups && !in_group) {
		msgf(msg, len, "OR needs a term on each side");
		return CRM_USAGE;
	}
	if (!groups)
		buf_adds(&q->where, "1");
	buf_adds(&q->where, ")");
	return !q->where.p || q->where.err ? CRM_NOMEM : CRM_OK;
}

int
crm_query_compile(crm_store_t *s, int nterms, char **terms, crm_query_t **out,
                  char *msg, size_t len)
{
	crm_query_t *q = calloc(1, sizeof *q);
	int rc;

	*out = NULL;
	if (!q)
		return CRM_NOMEM;
	q->s = s;
	q->limit = -1;
	if ((rc = compile_terms(q, nterms, terms, msg, len))) {
		crm_query_free(q);
		return rc;
	}
	*out = q;
	return CRM_OK;
}

int
crm_query_sort(crm_query_t *q, const char *spec, char *msg, size_t len)
{
	int desc = *spec == '-';
	const char *name = spec + desc;
	int f = crm_field_lookup(name, 0);

	buf_reset(&q->order);
	if (!strncmp(name, "attrs.", 6)) {
		int n = attr_key(q, name + 6, msg, len);
		if (n <= 0)
			return n < 0 ? CRM_USAGE : CRM_NOMEM;
		/* Numbers first, in numeric order, then text without accents or case. */
		sqlf(&q->order, "crm_attr(p.attrs, ?%d) IS NULL, "
		     "crm_num(crm_attr(p.attrs, ?%d)) IS NULL, "
		     "crm_num(crm_attr(p.attrs, ?%d))%s, crm_fold(crm_attr(p.attrs, ?%d))%s",
		     n, n, n, desc ? " DESC" : "", n, desc ? " DESC" : "");
		return CRM_OK;
	}
	if (f < 0 || f == CRM_F_TAGS || f == CRM_F_ATTRS) {
		msgf(msg, len, "cannot sort by '%s'", name);
		return CRM_USAGE;
	}
	if (f == CRM_F_EXPLAIN) {
		msgf(msg, len, "cannot sort by '%s'", name);
		return CRM_USAGE;
	}
	q->need |= crm_score_of_field(f);
	if (f == CRM_F_ID || f == CRM_F_ORG_ID || is_date_field(f) || f == CRM_F_TYPE ||
	    f == CRM_F_KIND || f == CRM_F_PURCHASES || f == CRM_F_REVENUE || f == CRM_F_OPEN_TASKS ||
	    (CRM_FIELD_IS_SCORE(f) && f != CRM_F_RFM_SEGMENT && f != CRM_F_CHURN_RISK)) {
		buf_adds(&q->order, column(f));
		buf_adds(&q->order, " IS NULL, ");
		buf_adds(&q->order, column(f));
	} else {
		buf_adds(&q->order, column(f));
		buf_adds(&q->order, " IS NULL, crm_fold(");
		buf_adds(&q->order, column(f));
		buf_adds(&q->order, ")");
	}
	buf_adds(&q->order, desc ? " DESC" : "");
	return CRM_OK;
}

void
crm_query_limit(crm_query_t *q, long n)
{
	q->limit = n;
}

int
crm_query_restrict_begin(crm_query_t *q)
{
	sqlite3 *db = store_db(q->s);
	int rc;

	rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_sel (id INTEGER PRIMARY KEY);"
	                      "DELETE FROM temp.crm_sel", NULL, NULL, NULL);
	if (rc != SQLITE_OK)
		return store_status(q->s, rc);
	rc = sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.crm_sel (id) VALUES (?)", -1,
	                        &q->ins, NULL);
	if (rc != SQLITE_OK)
		return store_status(q->s, rc);
	q->restrict_on = 1;
	return CRM_OK;
}

int
crm_query_restrict_add(crm_query_t *q, int64_t id)
{
	int rc;

	sqlite3_bind_int64(q->ins, 1, id);
	rc = sqlite3_step(q->ins);
	sqlite3_reset(q->ins);
	return rc == SQLITE_DONE ? CRM_OK : store_status(q->s, rc);
}

int
crm_query_scores(crm_query_t *q, int which, const struct crm_score_opts *o, char *msg, size_t len)
{
	const char *v[4] = { o->as_of, o->window, o->currency, o->weights };

	q->which |= which;
	for (int i = 0; i < 4; i++) {
		free(q->opt[i]);
		q->opt[i] = NULL;
		if (v[i] && !(q->opt[i] = strdup(v[i])))
			return CRM_NOMEM;
	}
	/*
	 * Check the options now, so that a mistake is a usage error, not a
	 * store one; only when scores are computed (a broken weights file does
	 * not stop a search that computes none).
	 */
	if (q->which | q->need)
		return crm_score_check(o, msg, len);
	/* Without scores, a mistaken --as-of, --window or --currency is a mistake all the same. */
	struct crm_score_opts c = *o;
	c.weights = NULL;
	if (!c.currency)
		c.currency = "EUR";
	return o->as_of || o->window || o->currency ? crm_score_check(&c, msg, len) : CRM_OK;
}

/* Compute the scores the query needs, once; its FROM clause. */
static int
scores_ready(crm_query_t *q, const char **from)
{
	static const char scored[] = "party p LEFT JOIN party_fact f ON f.party_id = p.id"
	                             " LEFT JOIN temp.crm_score s ON s.party_id = p.id";
	int which = q->need | q->which, rc;
	char msg[256];

	*from = which ? scored : party_from;
	if (!which || q->computed)
		return CRM_OK;
	/* The inputs of the scores asked for; explain alone explains all three. */
	if (!(which & ~CRM_SCORE_EXPLAIN))
		which |= CRM_SCORE_RFM | CRM_SCORE_CHURN | CRM_SCORE_PROPENSITY;
	struct crm_score_opts o = { q->opt[0], q->opt[1], q->opt[2], q->opt[3] };
	if ((rc = score_compute_for(q->s, which, &o, q->focus, q->nfocus, msg, sizeof msg))) {
		store_seterr(q->s, "%s", msg);
		return rc;
	}
	q->computed = 1;
	return CRM_OK;
}

int
query_score_focus(crm_query_t *q, const int64_t *ids, size_t n)
{
	q->focus = ids;
	q->nfocus = n;
	return CRM_OK;
}

void
crm_query_fields(crm_query_t *q, uint64_t fields)
{
	q->fields = fields;
}

/* The columns of a party, with the scores when the query has them. */
static int
columns_of(crm_query_t *q, struct buf *sql)
{
	if (!q->fields) {
		buf_adds(sql, party_columns);
	} else {
		/* Fields nobody reads are NULL: no tag lookup for a list of e-mails. */
		for (int f = 0; f <= CRM_F_OPEN_TASKS; f++) {
			if (f)
				buf_adds(sql, ", ");
			buf_adds(sql, f == CRM_F_ID || (q->fields >> f & 1) ? party_column_expr[f] : "NULL");
		}
	}
	if (q->need | q->which)
		sqlf(sql, ", s.rfm_r, s.rfm_f, s.rfm_m, s.rfm, s.rfm_segment, s.days_since_purchase,"
		     " s.usual_gap, s.churn_risk, s.churned, %s, s.explain",
		     (q->need | q->which) & CRM_SCORE_PROPENSITY ? "coalesce(s.propensity, 0)" :
		     "s.propensity");
	return sql->err ? CRM_NOMEM : CRM_OK;
}

/* Bind the query's parameters, ?1 to ?nbinds, to a statement. */
static void
bind_all(crm_query_t *q, sqlite3_stmt *st)
{
	for (int i = 0; i < q->nbinds; i++) {
		struct bind *b = &q->binds[i];
		if (b->type == SQLITE_TEXT)
			sqlite3_bind_text(st, i + 1, b->text, -1, SQLITE_STATIC);
		else if (b->type == SQLITE_INTEGER)
			sqlite3_bind_int64(st, i + 1, b->i);
		else
			sqlite3_bind_double(st, i + 1, b->d);
	}
}

/*
 * " WHERE (terms)", and the restriction to the parties of a stream: the
 * terms go in parentheses, so that the stream restricts every alternative
 * of an OR, not the last one.
 */
static void
where_of(crm_query_t *q, struct buf *sql)
{
	buf_adds(sql, " WHERE (");
	buf_adds(sql, q->where.p);
	buf_adds(sql, ")");
	if (q->restrict_on)
		buf_adds(sql, " AND p.id IN (SELECT id FROM temp.crm_sel)");
}

/* Prepare "SELECT what FROM party p WHERE ..." with every parameter bound. */
static int
prepare(crm_query_t *q, const char *what, int with_order, sqlite3_stmt **out)
{
	struct buf sql = {0};
	const char *from;
	int rc, n = 0;

	/* Inside a write transaction, rows written so far must be searchable. */
	if ((rc = store_fts_flush(q->s)) || (rc = scores_ready(q, &from)))
		return rc;
	buf_adds(&sql, "SELECT ");
	if (what)
		buf_adds(&sql, what);
	else
		columns_of(q, &sql);
	buf_adds(&sql, " FROM ");
	buf_adds(&sql, from);
	where_of(q, &sql);
	if (with_order) {
		buf_adds(&sql, " ORDER BY ");
		if (q->order.len) {
			buf_adds(&sql, q->order.p);
			buf_adds(&sql, ", ");
		}
		buf_adds(&sql, "p.id");
		if (q->limit >= 0)
			sqlf(&sql, " LIMIT ?%d", q->nbinds + 1);
	}
	if (!sql.p || sql.err || q->order.err) {
		buf_free(&sql);
		return CRM_NOMEM;
	}
	rc = sqlite3_prepare_v2(store_db(q->s), sql.p, -1, out, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return store_status(q->s, rc);
	bind_all(q, *out);
	n = q->nbinds;
	if (with_order && q->limit >= 0)
		sqlite3_bind_int64(*out, n + 1, q->limit);
	return CRM_OK;
}

int
query_into_segment(crm_query_t *q, const char *segment, int64_t *n)
{
	sqlite3_stmt *st;
	const char *from;
	char what[64];
	int rc;

	if ((rc = scores_ready(q, &from)))
		return rc;
	/* The segment's name is one parameter more, after the query's own. */
	snprintf(what, sizeof what, "?%d, p.id, 'frozen'", q->nbinds + 1);
	struct buf sql = {0};
	buf_adds(&sql, "INSERT OR IGNORE INTO segment_member (segment, party_id, pin) SELECT ");
	buf_adds(&sql, what);
	buf_adds(&sql, " FROM ");
	buf_adds(&sql, from);
	where_of(q, &sql);
	if (!sql.p || sql.err) {
		buf_free(&sql);
		return CRM_NOMEM;
	}
	rc = sqlite3_prepare_v2(store_db(q->s), sql.p, -1, &st, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return store_status(q->s, rc);
	bind_all(q, st);
	sqlite3_bind_text(st, q->nbinds + 1, segment, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_status(q->s, rc);
	*n = sqlite3_changes64(store_db(q->s));
	return CRM_OK;
}

int
crm_query_count(crm_query_t *q, int64_t *count)
{
	sqlite3_stmt *st;
	int rc = prepare(q, "count(*)", 0, &st);

	if (rc)
		return rc;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW) {
		*count = sqlite3_column_int64(st, 0);
		if (q->limit >= 0 && *count > q->limit)
			*count = q->limit;
		rc = CRM_OK;
	} else {
		rc = store_status(q->s, rc);
	}
	sqlite3_finalize(st);
	return rc;
}

void
crm_strings_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}

int
crm_query_attr_keys(crm_query_t *q, char ***keys)
{
	sqlite3_stmt *st;
	struct strv b = {0};
	const char *from;
	int rc;

	*keys = NULL;
	if ((rc = store_fts_flush(q->s)) || (rc = scores_ready(q, &from)))
		return rc;
	struct buf sql = {0};
	buf_adds(&sql, "SELECT j.key FROM ");
	buf_adds(&sql, from);
	buf_adds(&sql, ", json_each(p.attrs) j");
	where_of(q, &sql);
	buf_adds(&sql, " AND p.attrs IS NOT NULL GROUP BY j.key ORDER BY min(p.id * 16777216 + j.id)");
	rc = sqlite3_prepare_v2(store_db(q->s), sql.p, -1, &st, NULL);
	buf_free(&sql);
	if (rc != SQLITE_OK)
		return store_status(q->s, rc);
	bind_all(q, st);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *k = (const char *)sqlite3_column_text(st, 0);
		if (k && strv_push(&b, k)) {
			rc = SQLITE_NOMEM;
			break;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE || strv_push(&b, "")) {
		strv_clear(&b);
		return rc == SQLITE_DONE ? CRM_NOMEM : store_status(q->s, rc);
	}
	/* The array ends with NULL where the "" stands. */
	free(b.v[b.n - 1]);
	b.v[b.n - 1] = NULL;
	*keys = b.v;
	return CRM_OK;
}

int
crm_query_next(crm_query_t *q, crm_party_t **out)
{
	int rc;

	if (!q->st && (rc = prepare(q, NULL, 1, &q->st)))
		return rc;
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW)
		return party_from_row(q->st, out);
	if (rc == SQLITE_DONE)
		return CRM_EOF;
	return store_status(q->s, rc);
}
