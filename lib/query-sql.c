/* SPDX-License-Identifier: MIT */
/*
 * query-sql.c: the SQL of the term language of crm-find(1), written from
 * what query.c reads of the terms, and the queries that run it.  Column
 * names come from the fixed field list; every value is a bound parameter.
 */
#include <stdarg.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"
#include "query-private.h"

_Static_assert(QB_INTEGER == SQLITE_INTEGER && QB_FLOAT == SQLITE_FLOAT && QB_TEXT == SQLITE_TEXT,
               "the types of query-private.h are SQLite's");

void
crm_query_close(crm_query_t *q)
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


/* The SQL text of an attribute as text (see crm_attr() in store.c), its key bound: 0 when out of memory. */
static int
attr_expr(crm_query_t *q, const char *key, char *e, size_t len)
{
	int n = bind_text(q, key);

	snprintf(e, len, "crm_attr(p.attrs, ?%d)", n);
	return n;
}

/* tag:, kind:, type:, has: and their negations. */
static int
colon_sql(crm_query_t *q, const struct qcolon *c, int neg)
{
	struct buf *w = &q->where;
	int n;

	if (neg)
		buf_adds(w, "NOT ");
	switch (c->form) {
	case QC_TAG:
		if (!(n = bind_text(q, c->v)))
			return CRM_NOMEM;
		return sqlf(w, "EXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id AND t.tag = ?%d)", n);
	case QC_KIND:
		if (!(n = bind_text(q, c->v)))
			return CRM_NOMEM;
		return sqlf(w, "p.kind = ?%d", n);
	case QC_TYPE:
		if (!(n = bind_text(q, c->v)))
			return CRM_NOMEM;
		return sqlf(w, "p.type = ?%d", n);
	case QC_HAS_ATTR:
		if (!(n = bind_text(q, c->v)))
			return CRM_NOMEM;
		return sqlf(w, "crm_attr(p.attrs, ?%d) IS NOT NULL", n);
	case QC_HAS_TAGS:
		return buf_adds(w, "EXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id)");
	case QC_HAS_ATTRS:
		return buf_adds(w, "coalesce(p.attrs, '{}') <> '{}'");
	case QC_HAS_ID:
		return buf_adds(w, "1");
	}
	q->need |= crm_score_of_field(c->f);
	return sqlf(w, "coalesce(%s, '') <> ''", column(c->f));
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

/* field OP value, as compare_parse() read it. */
static int
compare_sql(crm_query_t *q, struct qcmp *c)
{
	struct buf *w = &q->where;
	const char *op = c->op;
	char expr[320];
	int f = c->f, n, rc;

	if (c->key) {
		if (!attr_expr(q, c->key, expr, sizeof expr))
			return CRM_NOMEM;
	} else if (f == CRM_F_ATTRS) {
		snprintf(expr, sizeof expr, "p.attrs");
	} else {
		snprintf(expr, sizeof expr, "%s", column(f));
		q->need |= crm_score_of_field(f);
	}
	switch (c->form) {
	case QM_TAG_FOLD:
		if (!(n = bind_text(q, c->text)))
			return CRM_NOMEM;
		return sqlf(w, "EXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id AND "
		            "instr(crm_fold(t.tag), ?%d) > 0)", n);
	case QM_TAG_EQ:
		if (!(n = bind_text(q, c->text)))
			return CRM_NOMEM;
		return sqlf(w, "%sEXISTS (SELECT 1 FROM party_tag t WHERE t.party_id = p.id AND t.tag = ?%d)",
		            op[0] == '!' ? "NOT " : "", n);
	case QM_FOLD:
		if (!(n = bind_text(q, c->text)))
			return CRM_NOMEM;
		return sqlf(w, "instr(crm_fold(%s), ?%d) > 0", expr, n);
	case QM_COUNT:
		if (!(n = bind_num(q, QB_INTEGER, c->num, 0)))
			return CRM_NOMEM;
		if (f != CRM_F_REVENUE && !c->zero)
			snprintf(expr, sizeof expr, "f.%s", crm_field_name(f));
		if (!strcmp(op, "!="))
			return sqlf(w, "%s IS NOT ?%d", expr, n);
		if (!strcmp(op, "="))
			return sqlf(w, "%s = ?%d", expr, n);
		return sqlf(w, "%s %s ?%d", expr, op, n);
	case QM_SCORE:
		if (!(n = bind_num(q, QB_FLOAT, 0, c->d)))
			return CRM_NOMEM;
		if (!strcmp(op, "!="))
			return sqlf(w, "%s IS NOT ?%d", expr, n);
		return sqlf(w, "%s %s ?%d", expr, op, n);
	case QM_TEXT:
		if (!(n = bind_text(q, c->text)))
			return CRM_NOMEM;
		return sqlf(w, "%s %s ?%d", expr, op, n);
	case QM_DAY:
	case QM_EQ:
		if (!(n = bind_text(q, c->text)))
			return CRM_NOMEM;
		return sqlf(w, op[0] == '!' ? "%s IS NOT ?%d" : "%s = ?%d", expr, n);
	case QM_WHEN:
		if (!c->wrap)
			return when_compare(q, w, expr, op, c->when);
		buf_adds(w, "(");
		if ((rc = when_compare(q, w, expr, op, c->when)))
			return rc;
		return sqlf(w, " AND %s NOT LIKE '--%%')", expr);
	case QM_EQNUM: {
		int m;
		if (!(n = bind_text(q, c->text)) || !(m = bind_num(q, QB_FLOAT, 0, c->d)))
			return CRM_NOMEM;
		return sqlf(w, op[0] == '!' ?
		            "NOT coalesce(%s = ?%d OR crm_num(%s) = ?%d, 0)" :
		            "(%s = ?%d OR crm_num(%s) = ?%d)", expr, n, expr, m);
	}
	case QM_ID:
		if (!(n = bind_num(q, QB_INTEGER, c->num, 0)))
			return CRM_NOMEM;
		if (!strcmp(op, "!="))
			return sqlf(w, "%s IS NOT ?%d", expr, n);
		return sqlf(w, "%s %s ?%d", expr, op, n);
	case QM_COLON:
		return colon_sql(q, &c->colon, op[0] == '!');
	case QM_IDENT: {
		/* An e-mail or phone beyond the first counts as much as the first. */
		const char *kd = f == CRM_F_EMAIL ? "email" : "phone";
		snprintf(expr, sizeof expr, f == CRM_F_EMAIL ? "p.email_norm" : "p.phone_norm");
		if (!(n = bind_text(q, c->text)))
			return CRM_NOMEM;
		if (op[0] == '!')
			return sqlf(w, "(%s IS NOT ?%d AND p.id NOT IN (SELECT party_id FROM party_ident"
			            " WHERE kind = '%s' AND norm = ?%d))", expr, n, kd, n);
		return sqlf(w, "(%s = ?%d OR p.id IN (SELECT party_id FROM party_ident"
		            " WHERE kind = '%s' AND norm = ?%d))", expr, n, kd, n);
	}
	}
	/* QM_NUM */
	if (!(n = bind_num(q, QB_FLOAT, 0, c->d)))
		return CRM_NOMEM;
	return sqlf(w, "crm_num(%s) %s ?%d", expr, op, n);
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
	if (frozen && !q->thawed) {
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
age_sql(crm_query_t *q, long lo, long hi)
{
	int a, b;

	/* Born after today less hi + 1 years, and on or before today less lo years. */
	if (!(a = bind_num(q, QB_INTEGER, hi + 1, 0)) || !(b = bind_num(q, QB_INTEGER, lo, 0)))
		return CRM_NOMEM;
	return sqlf(&q->where, "(p.birthdate GLOB '[0-9][0-9][0-9][0-9]-*'"
	            " AND p.birthdate > date('now', '-' || ?%d || ' years')"
	            " AND p.birthdate <= date('now', '-' || ?%d || ' years'))", a, b);
}

/*
 * event:SPEC and -event:SPEC (see event_parse()).  A campaign drives the
 * search from the index of campaign events; other terms look up each
 * party's events by its index (party_id, at).
 */
static int
event_sql(crm_query_t *q, const struct qevent *e, int neg)
{
	struct buf c = {0};
	int rc = CRM_OK, n;

	for (size_t i = 0; i < e->n && !rc; i++) {
		const struct qcond *k = &e->c[i];
		const char *sqlop = !strcmp(k->op, "!=") ? "IS NOT" : k->op;
		if (k->form == QE_TEXT) {
			if (!(n = bind_text(q, k->v)))
				rc = CRM_NOMEM;
			else
				sqlf(&c, "%se.%s %s ?%d", c.len ? " AND " : "", k->key, sqlop, n);
		} else if (k->form == QE_AMOUNT) {
			if (!(n = bind_num(q, QB_INTEGER, k->num, 0)))
				rc = CRM_NOMEM;
			else
				sqlf(&c, "%se.amount %s ?%d", c.len ? " AND " : "", sqlop, n);
		} else {
			if (c.len)
				buf_adds(&c, " AND ");
			rc = when_compare(q, &c, "e.at", k->op, k->when);
		}
	}
	if (!rc && e->after) {
		/* One of the party's events that this one comes at or after (and within so long). */
		int at = 0, ac = 0, am = 0;
		char mod[40] = "";
		long wn = e->within;
		char unit = e->within_unit;
		if (wn)
			snprintf(mod, sizeof mod, "+%ld %s", unit == 'w' ? wn * 7 : wn,
			         unit == 'h' ? "hours" : unit == 'm' ? "months" : unit == 'y' ? "years" : "days");
		if (!(at = bind_text(q, e->after)) ||
		    (e->after_campaign && !(ac = bind_text(q, e->after_campaign))) ||
		    (wn && !(am = bind_text(q, mod)))) {
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
	if (rc) {
		buf_free(&c);
		return rc;
	}
	struct buf *w = &q->where;
	const char *cond = c.len ? c.p : "1";
	const char *count_op = !e->count_op ? NULL : !strcmp(e->count_op, "!=") ? "<>" : e->count_op;
	long long count = e->count;
	int cn = 0, campaign = e->campaign;
	if (count_op && !(cn = bind_num(q, QB_INTEGER, count, 0))) {
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
	struct qterm pt;
	int rc = term_parse(t, &pt, msg, len);

	if (!rc) {
		switch (pt.kind) {
		case QT_ORG:
			rc = org_term(q, pt.arg, msg, len);
			break;
		case QT_SEGMENT:
			rc = segment_term(q, pt.arg, pt.neg, msg, len);
			break;
		case QT_AGE:
			rc = age_sql(q, pt.lo, pt.hi);
			break;
		case QT_EVENT: {
			struct qevent e;
			if (!(rc = event_parse(t, &e, msg, len)))
				rc = event_sql(q, &e, pt.neg);
			event_free(&e);
			break;
		}
		case QT_COLON:
			rc = colon_sql(q, &pt.colon, pt.neg);
			break;
		case QT_COMPARE: {
			struct qcmp c;
			if (!(rc = compare_parse(t, pt.k, pt.op, &c, msg, len)))
				rc = compare_sql(q, &c);
			compare_free(&c);
			break;
		}
		default: {
			/* A bare word: the full-text index. */
			int n = bind_text(q, pt.word);
			rc = !n ? CRM_NOMEM : sqlf(&q->where, "p.id IN (SELECT rowid FROM party_fts"
			                           " WHERE party_fts MATCH ?%d)", n);
			break;
		}
		}
	}
	term_free(&pt);
	return rc;
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
	return query_compile(s, nterms, terms, 0, out, msg, len);
}

int
query_compile(crm_store_t *s, int nterms, char **terms, int thawed, crm_query_t **out,
              char *msg, size_t len)
{
	crm_query_t *q = calloc(1, sizeof *q);
	int rc;

	*out = NULL;
	if (!q)
		return CRM_NOMEM;
	q->s = s;
	q->limit = -1;
	q->thawed = thawed;
	if ((rc = compile_terms(q, nterms, terms, msg, len))) {
		crm_query_close(q);
		return rc;
	}
	*out = q;
	return CRM_OK;
}

int
crm_query_sort(crm_query_t *q, const char *spec, char *msg, size_t len)
{
	struct qsort s;
	int rc;

	buf_reset(&q->order);
	if ((rc = sort_parse(spec, &s, msg, len)))
		return rc;
	if (s.key) {
		int n = bind_text(q, s.key);
		if (!n)
			return CRM_NOMEM;
		/* Numbers first, in numeric order, then text without accents or case. */
		sqlf(&q->order, "crm_attr(p.attrs, ?%d) IS NULL, "
		     "crm_num(crm_attr(p.attrs, ?%d)) IS NULL, "
		     "crm_num(crm_attr(p.attrs, ?%d))%s, crm_fold(crm_attr(p.attrs, ?%d))%s",
		     n, n, n, s.desc ? " DESC" : "", n, s.desc ? " DESC" : "");
		return CRM_OK;
	}
	q->need |= crm_score_of_field(s.f);
	if (!s.fold) {
		buf_adds(&q->order, column(s.f));
		buf_adds(&q->order, " IS NULL, ");
		buf_adds(&q->order, column(s.f));
	} else {
		buf_adds(&q->order, column(s.f));
		buf_adds(&q->order, " IS NULL, crm_fold(");
		buf_adds(&q->order, column(s.f));
		buf_adds(&q->order, ")");
	}
	buf_adds(&q->order, s.desc ? " DESC" : "");
	return CRM_OK;
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
		if (b->type == QB_TEXT)
			sqlite3_bind_text(st, i + 1, b->text, -1, SQLITE_STATIC);
		else if (b->type == QB_INTEGER)
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
