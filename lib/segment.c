/* SPDX-License-Identifier: MIT */
/*
 * segment.c: saved segments: named rules in crm-find's term language,
 * members pinned in or out, snapshots.  Evaluating one is a query with the
 * term segment:NAME (see query-sql.c).
 */
#include <ctype.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

/* A name: a letter or digit, then letters, digits, '-', '_' or '.', 64 at most. */
static int
name_ok(const char *n)
{
	size_t l = strlen(n);

	if (!l || l > 64 || !isalnum((unsigned char)*n))
		return 0;
	for (; *n; n++)
		if (!isalnum((unsigned char)*n) && !strchr("-_.", *n))
			return 0;
	return 1;
}

static int
step_done(crm_store_t *s, sqlite3_stmt *st)
{
	int rc = sqlite3_step(st);

	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_ROW ? CRM_OK : store_status(s, rc);
}

int
crm_segment_save(crm_store_t *s, const char *name, int nterms, char **terms,
                 const char *description, int *created, char *msg, size_t len)
{
	crm_query_t *q;
	sqlite3_stmt *st;
	char now[21];
	int rc;

	*created = 0;
	if (!name_ok(name)) {
		msgf(msg, len, "bad segment name '%s' (letters, digits, '-', '_', '.'; 64 at most)", name);
		return CRM_USAGE;
	}
	/* The rules must compile now, not at the first use. */
	if ((rc = crm_query_compile(s, nterms, terms, &q, msg, len)))
		return rc;
	crm_query_close(q);
	json_t *a = json_array();
	for (int i = 0; a && i < nterms; i++)
		if (json_array_append_new(a, json_string(terms[i]))) {
			json_decref(a);
			a = NULL;
		}
	char *rules = a ? json_dumps(a, JSON_COMPACT) : NULL;
	json_decref(a);
	if (!rules)
		return CRM_NOMEM;
	now_iso(now);
	rc = sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM segment WHERE name = ?1", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
		*created = sqlite3_step(st) != SQLITE_ROW;
		sqlite3_finalize(st);
		rc = sqlite3_prepare_v2(store_db(s),
			"INSERT INTO segment (name, rules, description, created, updated) VALUES (?1, ?2, ?3, ?4, ?4)"
			" ON CONFLICT (name) DO UPDATE SET rules = excluded.rules, updated = excluded.updated,"
			" description = coalesce(excluded.description, description)", -1, &st, NULL);
	}
	if (rc != SQLITE_OK) {
		free(rules);
		return store_status(s, rc);
	}
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, rules, -1, SQLITE_STATIC);
	if (description)
		sqlite3_bind_text(st, 3, description, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, 3);
	sqlite3_bind_text(st, 4, now, -1, SQLITE_STATIC);
	rc = step_done(s, st);
	free(rules);
	if (rc)
		return rc;
	/*
	 * Saved, it must still compile: a segment that names itself through
	 * others does not, frozen ones too, which a thaw would bring back.
	 */
	char term[80], *t[1] = { term };
	snprintf(term, sizeof term, "segment:%s", name);
	if ((rc = query_compile(s, 1, t, 1, &q, msg, len)))
		return rc;
	crm_query_close(q);
	return CRM_OK;
}

/* Run one statement about a segment; CRM_NOTFOUND when it changed nothing. */
static int
about(crm_store_t *s, const char *sql, const char *name, int64_t party, const char *text)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	if (party)
		sqlite3_bind_int64(st, 2, party);
	if (text)
		sqlite3_bind_text(st, 3, text, -1, SQLITE_STATIC);
	if ((rc = step_done(s, st)))
		return rc;
	return sqlite3_changes(store_db(s)) ? CRM_OK : CRM_NOTFOUND;
}

int
crm_segment_delete(crm_store_t *s, const char *name, char *msg, size_t len)
{
	sqlite3_stmt *st;
	struct buf users = { 0 };
	long n = 0;
	int rc = sqlite3_prepare_v2(store_db(s),
	                            "SELECT DISTINCT g.name, r.value FROM segment g, json_each(g.rules) r"
	                            " WHERE g.name <> ?1 AND r.type = 'text' AND"
	                            " substr(r.value, -length(?1) - 8) = 'segment:' || ?1"
	                            " ORDER BY g.name", -1, &st, NULL);
	char last[128] = "";

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *g = (const char *)sqlite3_column_text(st, 0);
		const char *t = (const char *)sqlite3_column_text(st, 1);
		char qv[96];
		/* The term names it: segment:NAME, after any org. and one -. */
		size_t k = strlen(t) - strlen(name) - 8;
		while (k >= 4 && !strncmp(t, "org.", 4)) {
			t += 4;
			k -= 4;
		}
		if (k == 1 && *t == '-')
			k = 0;
		if (k || !strcmp(last, g))
			continue;
		snprintf(last, sizeof last, "%s", g);
		if (n++ < 5 && (buf_adds(&users, n > 1 ? ", '" : "'") ||
		                buf_adds(&users, quoted(g, qv, sizeof qv)) ||
		                buf_adds(&users, "'"))) {
			sqlite3_finalize(st);
			buf_free(&users);
			return CRM_NOMEM;
		}
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		buf_free(&users);
		return store_status(s, rc);
	}
	if (n) {
		char qn[96];
		msgf(msg, len, "segment '%s' is used by the rules of %s%s: change or delete %s first",
		     quoted(name, qn, sizeof qn), users.p, n > 5 ? " and others" : "",
		     n > 1 ? "them" : "it");
		buf_free(&users);
		return CRM_USAGE;
	}
	buf_free(&users);
	return about(s, "DELETE FROM segment WHERE name = ?1", name, 0, NULL);
}

int
crm_segment_pin(crm_store_t *s, const char *name, int64_t party, int in)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM segment WHERE name = ?1", -1, &st,
	                             NULL)) != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc == SQLITE_DONE)
		return CRM_NOTFOUND;
	if (rc != SQLITE_ROW)
		return store_status(s, rc);
	/* In and out exclude each other: the last word wins. */
	rc = about(s, "DELETE FROM segment_member WHERE segment = ?1 AND party_id = ?2"
	              " AND pin IN ('in', 'out')", name, party, NULL);
	if (rc && rc != CRM_NOTFOUND)
		return rc;
	rc = about(s, "INSERT INTO segment_member (segment, party_id, pin) VALUES (?1, ?2, ?3)",
	           name, party, in ? "in" : "out");
	return rc == CRM_NOTFOUND ? CRM_OK : rc;
}

int
crm_segment_freeze(crm_store_t *s, const char *name, const struct crm_score_opts *o,
                   int64_t *members, char *msg, size_t len)
{
	char term[80], *terms[1] = { term }, now[21];
	crm_query_t *q;
	int rc;

	/* A snapshot of the rules as they are now, not of an older snapshot. */
	if ((rc = crm_segment_thaw(s, name)) && rc != CRM_NOTFOUND)
		return rc;
	snprintf(term, sizeof term, "segment:%s", name);
	if ((rc = crm_query_compile(s, 1, terms, &q, msg, len)))
		return rc;
	/* Rules that name scores compute them with the run's options. */
	if (o && (rc = crm_query_scores(q, 0, o, msg, len))) {
		crm_query_close(q);
		return rc;
	}
	rc = query_into_segment(q, name, members);
	crm_query_close(q);
	now_iso(now);
	if (!rc)
		rc = about(s, "UPDATE segment SET frozen_at = ?3, updated = ?3 WHERE name = ?1", name, 0, now);
	return rc;
}

int
crm_segment_thaw(crm_store_t *s, const char *name)
{
	int rc = about(s, "UPDATE segment SET frozen_at = NULL WHERE name = ?1 AND frozen_at IS NOT NULL",
	               name, 0, NULL);

	if (rc)
		return rc;
	rc = about(s, "DELETE FROM segment_member WHERE segment = ?1 AND pin = 'frozen'", name, 0, NULL);
	return rc == CRM_NOTFOUND ? CRM_OK : rc;
}

struct crm_segment_iter {
	crm_store_t *s;
	sqlite3_stmt *st;
	const char *v[8];
};

int
crm_segment_open(crm_store_t *s, const char *name, crm_segment_iter_t **out)
{
	crm_segment_iter_t *it = calloc(1, sizeof *it);
	int rc;

	*out = it;
	if (!it)
		return CRM_NOMEM;
	it->s = s;
	rc = sqlite3_prepare_v2(store_db(s),
		"SELECT name, description, rules, created, updated, frozen_at,"
		" (SELECT count(*) FROM segment_member m WHERE m.segment = g.name AND pin = 'in'),"
		" (SELECT count(*) FROM segment_member m WHERE m.segment = g.name AND pin = 'out')"
		" FROM segment g WHERE ?1 IS NULL OR name = ?1 ORDER BY name", -1, &it->st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	if (name)
		sqlite3_bind_text(it->st, 1, name, -1, SQLITE_TRANSIENT);
	return CRM_OK;
}

int
crm_segment_next(crm_segment_iter_t *it, const char *const **values)
{
	int rc = sqlite3_step(it->st);

	if (rc == SQLITE_DONE)
		return CRM_EOF;
	if (rc != SQLITE_ROW)
		return store_status(it->s, rc);
	for (int i = 0; i < 8; i++)
		it->v[i] = (const char *)sqlite3_column_text(it->st, i);
	*values = it->v;
	return CRM_OK;
}

void
crm_segment_close(crm_segment_iter_t *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}
