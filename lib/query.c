/* SPDX-License-Identifier: MIT */
/*
 * query.c: the front of the term language of crm-find(1): terms split and
 * classified, their values (times, ages, numbers, event words, attribute
 * keys, sort specs) parsed and checked, the messages of bad terms.
 * query-sql.c writes the SQL of what this reads.
 */
#include <ctype.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm-private.h"
#include "query-private.h"

static int
add_bind_text(crm_query_t *q, const char *s)
{
	struct bind *b = realloc(q->binds, (size_t)(q->nbinds + 1) * sizeof *b);
	if (!b)
		return CRM_NOMEM;
	q->binds = b;
	b += q->nbinds;
	b->type = QB_TEXT;
	if (!(b->text = strdup(s)))
		return CRM_NOMEM;
	q->nbinds++;
	return CRM_OK;
}

static int
add_bind_num(crm_query_t *q, int type, int64_t i, double d)
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

int
bind_text(crm_query_t *q, const char *s)
{
	return add_bind_text(q, s) ? 0 : q->nbinds;
}

int
bind_num(crm_query_t *q, int type, int64_t i, double d)
{
	return add_bind_num(q, type, i, d) ? 0 : q->nbinds;
}

int
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

/* Whether a value of l bytes is in double quotes: then it is the text between them. */
static int
in_quotes(const char *v, size_t l)
{
	return l >= 2 && v[0] == '"' && v[l - 1] == '"';
}

/* Whether a number has at most 15 significant digits, which a double holds exactly. */
static int
exact_number(const char *v)
{
	int digits = 0, lead = 1;

	for (; *v && *v != 'e' && *v != 'E'; v++) {
		if (!isdigit((unsigned char)*v))
			continue;
		if (lead && *v == '0')
			continue;
		lead = 0;
		digits++;
	}
	return digits <= 15;
}

static int
is_number(const char *v, double *d)
{
	char *end;

	if (!*v || isspace((unsigned char)*v))
		return 0;
	*d = strtod(v, &end);
	return *end == '\0' && strcspn(v, "xXpPnNiI") == strlen(v);
}

static const char *const kinds[] = {
	"customer", "prospect", "lead", "partner", "supplier", "employee", "other", NULL
};

int
colon_parse(const char *t, struct qcolon *c, char *msg, size_t len)
{
	const char *v = strchr(t, ':') + 1;

	memset(c, 0, sizeof *c);
	if (!*v) {
		msgf(msg, len, "term '%s' needs a value", t);
		return CRM_USAGE;
	}
	c->v = v;
	if (!strncmp(t, "tag:", 4)) {
		c->form = QC_TAG;
		return CRM_OK;
	}
	if (!strncmp(t, "kind:", 5)) {
		int i;
		for (i = 0; kinds[i] && strcasecmp(kinds[i], v); i++)
			;
		if (!kinds[i]) {
			msgf(msg, len, "unknown kind '%s'", v);
			return CRM_USAGE;
		}
		c->form = QC_KIND;
		c->v = kinds[i];
		return CRM_OK;
	}
	if (!strncmp(t, "type:", 5)) {
		const char *k = !strcasecmp(v, "person") ? "person" :
		                (!strcasecmp(v, "organization") || !strcasecmp(v, "organisation") ||
		                 !strcasecmp(v, "org")) ? "organization" : NULL;
		if (!k) {
			msgf(msg, len, "unknown type '%s' (person or organization)", v);
			return CRM_USAGE;
		}
		c->form = QC_TYPE;
		c->v = k;
		return CRM_OK;
	}
	/* has: */
	if (!strncmp(v, "attrs.", 6)) {
		if (!v[6]) {
			msgf(msg, len, "attrs. needs a key");
			return CRM_USAGE;
		}
		c->form = QC_HAS_ATTR;
		c->v = v + 6;
		return CRM_OK;
	}
	int f = crm_field_lookup(v, 0);
	if (f < 0) {
		msgf(msg, len, "unknown field '%s'", v);
		return CRM_USAGE;
	}
	c->f = f;
	c->form = f == CRM_F_TAGS ? QC_HAS_TAGS : f == CRM_F_ATTRS ? QC_HAS_ATTRS :
	          f == CRM_F_ID ? QC_HAS_ID : QC_HAS_FIELD;
	return CRM_OK;
}

void
compare_free(struct qcmp *c)
{
	free(c->text);
	c->text = NULL;
}

/* c->text a copy of the l bytes at v; CRM_OK or CRM_NOMEM. */
static int
cmp_text(struct qcmp *c, int form, const char *v, size_t l)
{
	c->form = form;
	return (c->text = strndup(v, l)) ? CRM_OK : CRM_NOMEM;
}

int
compare_parse(const char *t, size_t k, const char *op, struct qcmp *c, char *msg, size_t len)
{
	char *name = c->name;
	const char *v;
	int f = -1, attr;

	memset(c, 0, sizeof *c);
	c->op = op;
	if (k >= sizeof c->name) {
		msgf(msg, len, "field name too long in '%s'", t);
		return CRM_USAGE;
	}
	memcpy(name, t, k);
	name[k] = '\0';
	v = t + k + strlen(op);
	attr = !strncmp(name, "attrs.", 6);
	if (attr) {
		if (!name[6]) {
			msgf(msg, len, "attrs. needs a key");
			return CRM_USAGE;
		}
		c->key = name + 6;
	} else if ((f = crm_field_lookup(name, 0)) < 0) {
		msgf(msg, len, "unknown field '%s' in '%s'", name, t);
		return CRM_USAGE;
	}
	c->f = f;

	if (f == CRM_F_TAGS) {
		if (!strcmp(op, "~")) {
			c->form = QM_TAG_FOLD;
			return (c->text = crm_fold(v)) ? CRM_OK : CRM_NOMEM;
		}
		if (strcmp(op, "=") && strcmp(op, "!=")) {
			msgf(msg, len, "tags take =, != or ~ in '%s'", t);
			return CRM_USAGE;
		}
		size_t l = strlen(v);
		if (in_quotes(v, l))
			return cmp_text(c, QM_TAG_EQ, v + 1, l - 2);
		return cmp_text(c, QM_TAG_EQ, v, l);
	}
	if (!strcmp(op, "~")) {
		c->form = QM_FOLD;
		return (c->text = crm_fold(v)) ? CRM_OK : CRM_NOMEM;
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
		c->form = QM_COUNT;
		c->num = num;
		/*
		 * A count that no party without facts (a count of 0) meets reads
		 * the column as it is, so that the join on facts drives the search.
		 */
		c->zero = !strcmp(op, "!=") ? num != 0 : !strcmp(op, "=") ? num == 0 :
		          !strcmp(op, ">=") ? 0 >= num : !strcmp(op, "<=") ? 0 <= num :
		          !strcmp(op, ">") ? 0 > num : !strcmp(op, "<") ? 0 < num : 1;
		return CRM_OK;
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
			c->form = QM_SCORE;
			c->d = d;
			return CRM_OK;
		}
		if (f == CRM_F_RFM_R || f == CRM_F_RFM_F || f == CRM_F_RFM_M || f == CRM_F_PROPENSITY ||
		    f == CRM_F_DAYS_SINCE_PURCHASE || f == CRM_F_USUAL_GAP) {
			msgf(msg, len, "%s needs a number in '%s'", name, t);
			return CRM_USAGE;
		}
	}
	if (is_date_field(f)) {
		/* Times and dates, with every operator but ~. */
		char qv[96];
		int day = f == CRM_F_BIRTHDATE, eq = op[0] == '=' || op[0] == '!', wk;
		size_t l = strlen(v);
		if (!eq && in_quotes(v, l))
			return cmp_text(c, QM_TEXT, v + 1, l - 2);
		if (day && eq && l == 7 && date_valid(v, 0))
			/* A birthday without a year, as it is. */
			return cmp_text(c, QM_DAY, v, l);
		if ((wk = when_value(v, day, c->when, t, msg, len)) < 0)
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
		c->form = QM_WHEN;
		/* A birthday without a year has no age. */
		c->wrap = day && !eq;
		return CRM_OK;
	}
	if (f == CRM_F_ID || f == CRM_F_ORG_ID) {
		char *end;
		long long id = strtoll(v, &end, 10);
		if (!*v || *end) {
			msgf(msg, len, "%s needs a number in '%s'", name, t);
			return CRM_USAGE;
		}
		c->form = QM_ID;
		c->num = id;
		return CRM_OK;
	}
	if (!strcmp(op, "=") || !strcmp(op, "!=")) {
		char *norm = NULL;
		size_t l = strlen(v);
		double d;
		if (in_quotes(v, l)) {
			v++;
			l -= 2;
		} else if (attr && is_number(v, &d) && exact_number(v)) {
			/*
			 * An attribute that holds a number equals the same number
			 * written otherwise; a number of more than 15 digits, which
			 * a double does not hold exactly, is compared as text.
			 */
			c->d = d;
			return cmp_text(c, QM_EQNUM, v, l);
		}
		if (f == CRM_F_KIND || f == CRM_F_TYPE) {
			snprintf(c->colon_term, sizeof c->colon_term, "%s:%.*s", name, (int)l, v);
			c->form = QM_COLON;
			return colon_parse(c->colon_term, &c->colon, msg, len);
		}
		if (f == CRM_F_EMAIL || f == CRM_F_PHONE) {
			char *copy = strdup_n(v, l);
			if (!copy)
				return CRM_NOMEM;
			norm = f == CRM_F_EMAIL ? norm_email(copy) : norm_phone(copy, NULL);
			free(copy);
			c->form = QM_IDENT;
			c->text = norm ? norm : strdup("");
			return c->text ? CRM_OK : CRM_NOMEM;
		}
		return cmp_text(c, QM_EQ, v, l);
	}

	/*
	 * <, >, <=, >= on text: a number compares as a number, a time or an
	 * age as a time, text in double quotes as text; anything else is a
	 * mistake, not a comparison that matches everything or nothing.
	 */
	char qv[96];
	double d;
	size_t l = strlen(v);
	int wk;
	if (in_quotes(v, l))
		return cmp_text(c, QM_TEXT, v + 1, l - 2);
	if (is_number(v, &d)) {
		c->form = QM_NUM;
		c->d = d;
		return CRM_OK;
	}
	if ((wk = when_value(v, 0, c->when, t, msg, len)) < 0)
		return CRM_USAGE;
	if (wk) {
		c->form = QM_WHEN;
		return CRM_OK;
	}
	msgf(msg, len, "term '%s': %s compares with a number (4.5), %s, not '%s'; in double quotes "
	     "(\"...\") as text", t, op, WHEN_FORMS, quoted(v, qv, sizeof qv));
	return CRM_USAGE;
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

void
event_free(struct qevent *e)
{
	free(e->copy);
	free(e->c);
	e->copy = NULL;
	e->c = NULL;
}

/* A condition more; NULL when out of memory. */
static struct qcond *
cond_add(struct qevent *e, int form, const char *key, const char *op)
{
	struct qcond *c = realloc(e->c, (e->n + 1) * sizeof *c);

	if (!c)
		return NULL;
	e->c = c;
	c += e->n++;
	memset(c, 0, sizeof *c);
	c->form = form;
	c->key = key;
	c->op = op;
	return c;
}

/*
 * event:SPEC and -event:SPEC: the parties with at least one event, or
 * none, that meets every condition of SPEC, a comma-separated list:
 * first a type alone, or KEY OP VALUE on the same event (type, channel,
 * campaign, direction, ref, currency, status with = and !=; amount and at
 * with every operator), count OP N (how many such events), after=TYPE or
 * after=TYPE:CAMPAIGN (at or after one of that party's events of that
 * type and campaign) and within=LENGTH (no later than that after it).
 */
int
event_parse(const char *t, struct qevent *e, char *msg, size_t len)
{
	static const char *const ops[] = { "!=", ">=", "<=", "=", "<", ">" };
	const char *spec = strchr(t, ':') + 1;
	char *item, *next, qv[96];
	struct qcond *cd;
	int rc = CRM_OK, first = 1;

	memset(e, 0, sizeof *e);
	if (!*spec) {
		msgf(msg, len, "term '%s' needs an event type or a condition, such as "
		     "event:opened,campaign=noel", t);
		return CRM_USAGE;
	}
	if (!(e->copy = strdup(spec)))
		return CRM_NOMEM;
	for (item = e->copy; item && !rc; item = next, first = 0) {
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
		if (!strcmp(key, "type") || !strcmp(key, "channel") || !strcmp(key, "campaign") ||
		    !strcmp(key, "ref") || !strcmp(key, "direction") || !strcmp(key, "status") ||
		    !strcmp(key, "currency")) {
			quoted(v, qv, sizeof qv);       /* as given, for a message */
			size_t vl = strlen(v);
			if (in_quotes(v, vl)) {
				/* A value in double quotes is the text between them. */
				v[vl - 1] = '\0';
				v++;
			}
			int ok = eq && *v;
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
			if (!(cd = cond_add(e, QE_TEXT, key, op))) {
				rc = CRM_NOMEM;
				break;
			}
			cd->v = v;
			e->campaign |= !strcmp(key, "campaign") && !strcmp(op, "=");
		} else if (!strcmp(key, "amount")) {
			long long a;
			if (!amount_parse(v, &a)) {
				msgf(msg, len, "term '%s': amount takes a number such as 49.90, not '%s'", t,
				     quoted(v, qv, sizeof qv));
				rc = CRM_USAGE;
				break;
			}
			if (!(cd = cond_add(e, QE_AMOUNT, key, op))) {
				rc = CRM_NOMEM;
				break;
			}
			cd->num = a;
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
			if (!(cd = cond_add(e, QE_AT, key, op))) {
				rc = CRM_NOMEM;
				break;
			}
			memcpy(cd->when, when, sizeof when);
		} else if (!strcmp(key, "count")) {
			char *end;
			e->count = strtoll(v, &end, 10);
			if (e->count_op || !isdigit((unsigned char)*v) || *end || e->count > 1000000000000LL) {
				msgf(msg, len, "term '%s': %s", t, e->count_op ? "count once" :
				     "count takes a whole number, such as count>=3");
				rc = CRM_USAGE;
				break;
			}
			e->count_op = op;
		} else if (!strcmp(key, "after")) {
			char *colon = strchr(v, ':');
			if (colon)
				*colon = '\0';
			if (e->after || !eq || op[0] == '!' || !event_word(v) || (colon && !colon[1])) {
				msgf(msg, len, "term '%s': %s", t, e->after ? "after once" :
				     "after takes an event type and a campaign, such as after=sent:noel, "
				     "or a type alone, such as after=purchase");
				rc = CRM_USAGE;
				break;
			}
			e->after = v;
			e->after_campaign = colon ? colon + 1 : NULL;
		} else if (!strcmp(key, "within")) {
			long wn;
			char unit;
			if (e->within || strcmp(op, "=") || !length_parse(v, &wn, &unit) || wn < 1 ||
			    wn > 100000) {
				msgf(msg, len, "term '%s': %s", t, e->within ? "within once" :
				     "within takes a length, such as within=30d, within=2w or within=3mo");
				rc = CRM_USAGE;
				break;
			}
			e->within = wn;
			e->within_unit = unit;
		} else {
			msgf(msg, len, "term '%s': unknown key '%s' (" EVENT_KEYS ")", t,
			     quoted(key, qv, sizeof qv));
			rc = CRM_USAGE;
		}
	}
	if (!rc && e->within && !e->after) {
		msgf(msg, len, "term '%s': within goes with after, such as after=sent:noel,within=30d", t);
		rc = CRM_USAGE;
	}
	return rc;
}

/* age:A-B (or age:A): birthdates with a year that make that age today. */
static int
age_parse(const char *v, long *lo, long *hi, char *msg, size_t len)
{
	char *end;

	*lo = *hi = strtol(v, &end, 10);
	if (!isdigit((unsigned char)*v) || *lo > 150 || (*end && (*end != '-' ||
	    !isdigit((unsigned char)end[1]) || (*hi = strtol(end + 1, &end, 10)) < *lo || *hi > 150 ||
	    *end))) {
		msgf(msg, len, "age: wants years such as 25-34 or 40, not '%s'", v);
		return CRM_USAGE;
	}
	return CRM_OK;
}

void
term_free(struct qterm *pt)
{
	free(pt->word);
	pt->word = NULL;
}

int
term_parse(const char *t, struct qterm *pt, char *msg, size_t len)
{
	int neg = 0;

	memset(pt, 0, sizeof *pt);
	if (!strncmp(t, "org.", 4)) {
		pt->kind = QT_ORG;
		pt->arg = t + 4;
		if (!*pt->arg || !strcmp(pt->arg, "OR")) {
			msgf(msg, len, "org. needs a term, such as org.attrs.employees>=250");
			return CRM_USAGE;
		}
		return CRM_OK;
	}

	if (!strncmp(t, "segment:", 8) || !strncmp(t, "-segment:", 9)) {
		neg = *t == '-';
		if (!t[8 + neg]) {
			msgf(msg, len, "term '%s' needs a segment name", t);
			return CRM_USAGE;
		}
		pt->kind = QT_SEGMENT;
		pt->neg = neg;
		pt->arg = t + 8 + neg;
		return CRM_OK;
	}
	if (!strncmp(t, "age:", 4)) {
		pt->kind = QT_AGE;
		return age_parse(t + 4, &pt->lo, &pt->hi, msg, len);
	}
	if (!strncmp(t, "event:", 6) || !strncmp(t, "-event:", 7)) {
		pt->kind = QT_EVENT;
		pt->neg = *t == '-';
		return CRM_OK;
	}

	if (!strncmp(t, "-tag:", 5) || !strncmp(t, "-has:", 5) || !strncmp(t, "-kind:", 6) ||
	    !strncmp(t, "-type:", 6)) {
		neg = 1;
		t++;
	}
	if (!strncmp(t, "tag:", 4) || !strncmp(t, "kind:", 5) || !strncmp(t, "type:", 5) ||
	    !strncmp(t, "has:", 4)) {
		pt->kind = QT_COLON;
		pt->neg = neg;
		return colon_parse(t, &pt->colon, msg, len);
	}
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
			if (!strncmp(o, ops[i], strlen(ops[i]))) {
				pt->kind = QT_COMPARE;
				pt->k = k;
				pt->op = ops[i];
				return CRM_OK;
			}
		if (*o == '!' || *o == ':') {
			msgf(msg, len, "cannot read term '%s'", t);
			return CRM_USAGE;
		}
	}

	/* A bare word: the full-text index, as a quoted phrase. */
	struct buf ph = {0};
	size_t l = strlen(t);
	int prefix = l > 1 && t[l - 1] == '*';
	buf_addc(&ph, '"');
	for (size_t i = 0; i < l - (size_t)prefix; i++) {
		if (t[i] == '"')
			buf_addc(&ph, '"');
		buf_addc(&ph, t[i]);
	}
	buf_addc(&ph, '"');
	if (prefix)
		buf_addc(&ph, '*');
	pt->kind = QT_WORD;
	if (!ph.p || ph.err) {
		buf_free(&ph);
		return CRM_NOMEM;
	}
	pt->word = ph.p;
	return CRM_OK;
}

int
sort_parse(const char *spec, struct qsort *s, char *msg, size_t len)
{
	int desc = *spec == '-';
	const char *name = spec + desc;
	int f = crm_field_lookup(name, 0);

	memset(s, 0, sizeof *s);
	s->desc = desc;
	s->f = f;
	if (!strncmp(name, "attrs.", 6)) {
		if (!name[6]) {
			msgf(msg, len, "attrs. needs a key");
			return CRM_USAGE;
		}
		s->f = -1;
		s->key = name + 6;
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
	/* Numbers, times and codes as they are; text without accents or case. */
	s->fold = !(f == CRM_F_ID || f == CRM_F_ORG_ID || is_date_field(f) || f == CRM_F_TYPE ||
	            f == CRM_F_KIND || f == CRM_F_PURCHASES || f == CRM_F_REVENUE ||
	            f == CRM_F_OPEN_TASKS ||
	            (CRM_FIELD_IS_SCORE(f) && f != CRM_F_RFM_SEGMENT && f != CRM_F_CHURN_RISK));
	return CRM_OK;
}

void
crm_query_limit(crm_query_t *q, long n)
{
	q->limit = n;
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

void
crm_strings_free(char **v)
{
	for (size_t i = 0; v && v[i]; i++)
		free(v[i]);
	free(v);
}
