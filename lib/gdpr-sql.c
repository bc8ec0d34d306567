/* SPDX-License-Identifier: MIT */
/*
 * gdpr-sql.c: the SQL of the GDPR's features, with bound parameters:
 * finding a subject's parties, keeping the accounting and deleting the
 * rows of an erasure, redacting mentions, the record of an unfinished
 * erasure (gdpr_pending), the full-text index merged and the WAL emptied,
 * what the verification and the access document read.
 */
#include <sqlite3.h>
#include <strings.h>

#include "crm-private.h"
#include "gdpr-private.h"

/* ------------------------------------------------------------------ */
/* A subject's parties. */

int
gdpr_ids_where(crm_store_t *s, crm_subject_t *sj, enum gdpr_by by, const char *v)
{
	static const char *const sql[] = {
		[GDPR_BY_EMAIL] = "SELECT id FROM party WHERE email_norm = ?1 UNION"
		                  " SELECT party_id FROM party_ident WHERE kind = 'email' AND norm = ?1",
		[GDPR_BY_ID] = "SELECT id FROM party WHERE id = CAST(?1 AS INTEGER)",
		[GDPR_BY_EXT_ID] = "SELECT id FROM party WHERE ext_id = ?1",
		[GDPR_BY_PHONE] = "SELECT id FROM party WHERE phone_norm = ?1 UNION"
		                  " SELECT party_id FROM party_ident WHERE kind = 'phone' AND norm = ?1",
	};
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), sql[by], -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW)
		if (add_id(sj, sqlite3_column_int64(st, 0))) {
			sqlite3_finalize(st);
			return CRM_NOMEM;
		}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

/*
 * A national number (0612345678): the stored ones carry their country's
 * code.  Candidates end with the same digits; a party counts when the
 * number, read in its own country, is the one it has.
 */
int
gdpr_national(crm_store_t *s, crm_subject_t *sj, const char *value, const char *tail)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), "SELECT id, phone_norm, country FROM party"
	                            " WHERE phone_norm LIKE '+%' || ?1"
	                            " AND length(phone_norm) <= length(?1) + 4", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, tail, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *c = (const char *)sqlite3_column_text(st, 2);
		char *n = c ? norm_phone(value, c) : NULL;
		int same = n && !strcmp(n, (const char *)sqlite3_column_text(st, 1));
		free(n);
		if (same && add_id(sj, sqlite3_column_int64(st, 0))) {
			sqlite3_finalize(st);
			return CRM_NOMEM;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

int
gdpr_identifiers(crm_store_t *s, int (*each)(void *ctx, int64_t id, const char *const v[4]),
                 void *ctx)
{
	sqlite3_stmt *st;
	/* The first identifiers, and the other e-mails and phones (party_ident). */
	int rc = sqlite3_prepare_v2(store_db(s), "SELECT id, email_norm, phone_norm, ext_id, email FROM party"
	                            " WHERE email_norm IS NOT NULL OR phone_norm IS NOT NULL"
	                            " OR ext_id IS NOT NULL UNION ALL SELECT party_id,"
	                            " CASE kind WHEN 'email' THEN norm END,"
	                            " CASE kind WHEN 'phone' THEN norm END, NULL, NULL FROM party_ident",
	                            -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *v[4];
		for (int i = 0; i < 4; i++)
			v[i] = (const char *)sqlite3_column_text(st, i + 1);
		int r = each(ctx, sqlite3_column_int64(st, 0), v);
		if (r) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

/* ------------------------------------------------------------------ */
/* Erasure. */

int
gdpr_keep_accounting(crm_store_t *s, int64_t id, const char *now, long *kept)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	long n;
	int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM event WHERE party_id = ?1"
	                            " AND type IN ('purchase', 'refund')", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_int64(st, 1, id);
	n = sqlite3_step(st) == SQLITE_ROW ? (long)sqlite3_column_int64(st, 0) : 0;
	sqlite3_finalize(st);
	if (!n)
		return CRM_OK;
	rc = sqlite3_prepare_v2(db, "INSERT INTO party (id, type, kind, name, created,"
	                        " updated) VALUES (" PARTY_NEXT_ID ", 'person', 'other',"
	                        " NULL, ?1, ?1)",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	int64_t anon = sqlite3_last_insert_rowid(db);
	rc = sqlite3_prepare_v2(db, "UPDATE event SET party_id = ?2, channel = NULL,"
	                        " direction = NULL, subject = NULL, body = NULL,"
	                        " campaign = NULL, attrs = NULL WHERE party_id = ?1"
	                        " AND type IN ('purchase', 'refund')", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_int64(st, 2, anon);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	*kept += n;
	return store_facts_touch(s, anon);
}

/* A statement with one integer parameter; *changed (if not NULL) counts the rows it changed. */
static int
exec1(crm_store_t *s, const char *sql, int64_t id, long *changed)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE && rc != SQLITE_ROW)
		return store_status(s, rc);
	if (changed)
		*changed += (long)sqlite3_changes(store_db(s));
	return CRM_OK;
}

int
gdpr_delete(crm_store_t *s, enum gdpr_rows what, int64_t id, long *changed)
{
	static const char *const sql[] = {
		[GDPR_EVENTS] = "DELETE FROM event WHERE party_id = ?1",
		[GDPR_TAGS] = "DELETE FROM party_tag WHERE party_id = ?1",
		[GDPR_FACTS] = "DELETE FROM party_fact WHERE party_id = ?1",
		[GDPR_ORG_OF] = "UPDATE party SET org_id = NULL WHERE org_id = ?1",
		[GDPR_PARTY] = "DELETE FROM party WHERE id = ?1",
	};

	return exec1(s, sql[what], id, changed);
}

/* crm_redact(text, needle): text with each needle, in any ASCII case, as "[erased]". */
static void
sql_redact(sqlite3_context *cx, int argc, sqlite3_value **argv)
{
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	const char *n = (const char *)sqlite3_value_text(argv[1]);
	struct buf b = {0};
	size_t nl;

	(void)argc;
	if (!t || !n || !(nl = strlen(n))) {
		sqlite3_result_value(cx, argv[0]);
		return;
	}
	for (const char *p = t; *p;) {
		/* Whole identifiers only: "ann@x.org" is not part of "joann@x.org". */
		int edge = (p == t || !(wordbyte((unsigned char)p[-1]) || strchr(".-_+@", p[-1]))) &&
		           !strncasecmp(p, n, nl) &&
		           !(wordbyte((unsigned char)p[nl]) || (p[nl] && strchr("-_@", p[nl])) ||
		             (p[nl] == '.' && wordbyte((unsigned char)p[nl + 1])));
		if (edge) {
			buf_adds(&b, "[erased]");
			p += nl;
		} else {
			buf_addc(&b, *p++);
		}
	}
	if (b.err) {
		buf_free(&b);
		sqlite3_result_error_nomem(cx);
		return;
	}
	sqlite3_result_text(cx, b.p ? b.p : "", -1, SQLITE_TRANSIENT);
	buf_free(&b);
}

int
gdpr_redact_begin(crm_store_t *s)
{
	int rc = sqlite3_create_function(store_db(s), "crm_redact", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                                 NULL, sql_redact, NULL, NULL);

	return rc == SQLITE_OK ? CRM_OK : store_status(s, rc);
}

int
gdpr_redact(crm_store_t *s, const char *tok, long *n)
{
	static const char *const sql[] = {
		/* The old text leaves the full-text index at the flush (see store.c). */
		"INSERT OR IGNORE INTO temp.fts_old SELECT id, name, first_name, last_name, email,"
		" org, city, notes FROM party WHERE instr(lower(notes), lower(?1)) > 0",
		"UPDATE party SET notes = crm_redact(notes, ?1), updated = ?2"
		" WHERE instr(lower(notes), lower(?1)) > 0",
		"UPDATE event SET subject = crm_redact(subject, ?1), body = crm_redact(body, ?1)"
		" WHERE instr(lower(subject), lower(?1)) > 0 OR instr(lower(body), lower(?1)) > 0",
	};
	sqlite3 *db = store_db(s);
	int rc;

	for (int q = 0; q < 3; q++) {
		sqlite3_stmt *st;
		char now[21];
		now_iso(now);
		if ((rc = sqlite3_prepare_v2(db, sql[q], -1, &st, NULL)) != SQLITE_OK)
			return store_status(s, rc);
		sqlite3_bind_text(st, 1, tok, -1, SQLITE_STATIC);
		if (q == 1)
			sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_status(s, rc);
		if (q == 0)
			continue;
		*n += sqlite3_changes(db);
		if (q == 1 && sqlite3_changes(db))
			store_mark(s, 0);       /* the full-text index follows */
	}
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* An erasure's unfinished part, kept in the store until it is done. */

int
gdpr_pending_add(crm_store_t *s, const char *now, const char *action, const char *request_id,
                 const char *keys, const char *value, const char *counts, const char *nonce,
                 const char *sealed, int64_t *id)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), "INSERT INTO gdpr_pending (started, action,"
	                            " request_id, keys, value, counts, nonce, sealed)"
	                            " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, action, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, request_id, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 4, keys, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 5, value, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 6, counts, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 7, nonce, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 8, sealed, -1, SQLITE_STATIC);
	if ((rc = sqlite3_step(st)) != SQLITE_DONE) {
		rc = store_status(s, rc);
	} else {
		rc = CRM_OK;
		*id = sqlite3_last_insert_rowid(store_db(s));
	}
	sqlite3_finalize(st);
	return rc;
}

int
gdpr_pending_get(crm_store_t *s, int64_t id, struct crm_erasure *e, char **keys, char **value,
                 char **nonce, char **sealed)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT started, action, request_id, keys, value,"
	                             " counts, nonce, sealed FROM gdpr_pending WHERE id = ?1", -1, &st,
	                             NULL)) != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE) {
			store_seterr(s, "the erasure was finished by another program");
			return CRM_NOTFOUND;
		}
		return store_status(s, rc);
	}
#define COL(i) ((const char *)sqlite3_column_text(st, i))
	snprintf(e->started, sizeof e->started, "%s", COL(0) ? COL(0) : "");
	snprintf(e->action, sizeof e->action, "%s", COL(1) ? COL(1) : "erase");
	e->request_id = COL(2) ? strdup(COL(2)) : NULL;
	*keys = COL(3) ? strdup(COL(3)) : NULL;
	*value = COL(4) ? strdup(COL(4)) : NULL;
	e->counts = COL(5) ? strdup(COL(5)) : NULL;
	*nonce = COL(6) ? strdup(COL(6)) : NULL;
	*sealed = COL(7) ? strdup(COL(7)) : NULL;
#undef COL
	sqlite3_finalize(st);
	return CRM_OK;
}

int
gdpr_pending_done(crm_store_t *s, int64_t id)
{
	return exec1(s, "DELETE FROM gdpr_pending WHERE id = ?1", id, NULL);
}

int
crm_gdpr_pending(crm_store_t *s, int64_t **ids, size_t *n)
{
	sqlite3_stmt *st;
	int64_t *v = NULL;
	size_t cap = 0;
	int rc;

	*ids = NULL;
	*n = 0;
	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT id FROM gdpr_pending ORDER BY id", -1, &st,
	                             NULL)) != SQLITE_OK)
		return store_status(s, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		if (*n == cap) {
			int64_t *nv = realloc(v, (cap = cap ? 2 * cap : 4) * sizeof *v);
			if (!nv) {
				sqlite3_finalize(st);
				free(v);
				*n = 0;
				return CRM_NOMEM;
			}
			v = nv;
		}
		v[(*n)++] = sqlite3_column_int64(st, 0);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE) {
		free(v);
		*n = 0;
		return store_status(s, rc);
	}
	*ids = v;
	return CRM_OK;
}

int
crm_gdpr_purge(crm_store_t *s)
{
	sqlite3 *db = store_db(s);
	int rc;

	/*
	 * The full-text index keeps deleted terms in its old segments until
	 * they are merged: merge them all into one, then move every page of
	 * the WAL into the file and empty it.
	 */
	if ((rc = crm_store_begin(s)))
		return rc;
	rc = sqlite3_exec(db, "INSERT INTO party_fts (party_fts) VALUES ('optimize')", NULL, NULL, NULL);
	if (rc != SQLITE_OK) {
		rc = store_status(s, rc);
		crm_store_rollback(s);
		return rc;
	}
	if ((rc = crm_store_commit(s)))
		return rc;
	sqlite3_stmt *st;
	if ((rc = sqlite3_prepare_v2(db, "PRAGMA wal_checkpoint(TRUNCATE)", -1, &st, NULL)) != SQLITE_OK)
		return store_status(s, rc);
	rc = sqlite3_step(st);
	int busy = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_status(s, rc);
	if (busy) {
		store_seterr(s, "another program is reading the store, so its WAL could not be emptied");
		return CRM_BUSY;
	}
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* What the verification reads. */

char *
gdpr_schema_text(crm_store_t *s)
{
	char *schema = NULL;
	sqlite3_stmt *st;

	if (sqlite3_prepare_v2(store_db(s), "SELECT lower(group_concat(sql, ' ')) FROM sqlite_schema",
	                       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			schema = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	return schema;
}

int
gdpr_all_identifiers(crm_store_t *s, int (*each)(void *ctx, const char *v), void *ctx)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s),
		"SELECT email, email_norm, phone, phone_norm FROM party"
		" WHERE email IS NOT NULL OR phone IS NOT NULL"
		/* the other e-mails and phones too, normalised and as stored */
		" UNION ALL SELECT norm, NULL, NULL, NULL FROM party_ident"
		" UNION ALL SELECT j.value, NULL, NULL, NULL FROM party p, json_each(p.attrs, '$.emails') j"
		" WHERE p.attrs LIKE '%\"emails\"%' AND json_valid(p.attrs) AND j.type = 'text'"
		" UNION ALL SELECT j.value, NULL, NULL, NULL FROM party p, json_each(p.attrs, '$.phones') j"
		" WHERE p.attrs LIKE '%\"phones\"%' AND json_valid(p.attrs) AND j.type = 'text'",
		-1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < 4; c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);
			int r = v ? each(ctx, v) : CRM_OK;
			if (r) {
				sqlite3_finalize(st);
				return r;
			}
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

/*
 * Whether a name or word of the subject is also another party's: the
 * full-text index, searched for it as a phrase, finds it.
 */
int
gdpr_shared_word(crm_store_t *s, const char *w, int *shared)
{
	struct buf phrase = {0};
	sqlite3_stmt *st;
	int rc;

	buf_addc(&phrase, '"');
	for (const char *p = w; *p; p++) {
		if (*p == '"')
			buf_addc(&phrase, '"');
		buf_addc(&phrase, *p);
	}
	buf_addc(&phrase, '"');
	if (phrase.err) {
		buf_free(&phrase);
		return CRM_NOMEM;
	}
	rc = sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM party_fts WHERE party_fts MATCH ?1 LIMIT 1",
	                        -1, &st, NULL);
	if (rc == SQLITE_OK) {
		sqlite3_bind_text(st, 1, phrase.p, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		*shared = rc == SQLITE_ROW;
		rc = rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
		sqlite3_finalize(st);
	}
	buf_free(&phrase);
	/* A word the index cannot search (all punctuation, say) counts as the subject's. */
	if (rc == SQLITE_ERROR) {
		*shared = 0;
		return CRM_OK;
	}
	return rc == SQLITE_OK ? CRM_OK : store_status(s, rc);
}

/* ------------------------------------------------------------------ */
/* What the access document reads. */

int
gdpr_pins(crm_store_t *s, const int64_t *ids, size_t n,
          int (*each)(void *ctx, const char *segment, int64_t id, const char *pin), void *ctx)
{
	sqlite3_stmt *st;
	int rc;

	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT segment, pin FROM segment_member"
	                             " WHERE party_id = ?1 ORDER BY segment, pin", -1, &st, NULL)) != SQLITE_OK)
		return store_status(s, rc);
	for (size_t k = 0; k < n; k++) {
		sqlite3_bind_int64(st, 1, ids[k]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int r = each(ctx, (const char *)sqlite3_column_text(st, 0), ids[k],
			             (const char *)sqlite3_column_text(st, 1));
			if (r) {
				sqlite3_finalize(st);
				return r;
			}
		}
		if (rc != SQLITE_DONE)
			break;
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? CRM_OK : store_status(s, rc);
}

int
gdpr_note_mentions(crm_store_t *s, const char *v, int (*each)(void *ctx, int64_t id), void *ctx)
{
	struct buf phrase = {0};
	sqlite3_stmt *st;
	int rc;

	/* The full-text index, a phrase of the identifier's words. */
	buf_addc(&phrase, '"');
	for (const char *p = v; *p; p++)
		buf_addc(&phrase, isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80 ? *p : ' ');
	buf_addc(&phrase, '"');
	rc = sqlite3_prepare_v2(store_db(s), "SELECT rowid FROM party_fts WHERE party_fts MATCH ?1"
	                        " AND instr(lower(coalesce((SELECT notes FROM party WHERE id = party_fts.rowid), '')),"
	                        " lower(?2)) > 0", -1, &st, NULL);
	if (rc != SQLITE_OK || phrase.err) {
		if (rc == SQLITE_OK)
			sqlite3_finalize(st);
		buf_free(&phrase);
		return rc != SQLITE_OK ? store_status(s, rc) : CRM_NOMEM;
	}
	sqlite3_bind_text(st, 1, phrase.p, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = each(ctx, sqlite3_column_int64(st, 0));
		if (r) {
			sqlite3_finalize(st);
			buf_free(&phrase);
			return r;
		}
	}
	sqlite3_finalize(st);
	buf_free(&phrase);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

int
gdpr_event_mentions(crm_store_t *s, const char *v,
                    int (*each)(void *ctx, int64_t event, int64_t party, const char *field),
                    void *ctx)
{
	sqlite3_stmt *st;
	/* Their subject and body, read through. */
	int rc = sqlite3_prepare_v2(store_db(s), "SELECT id, party_id, CASE WHEN instr(lower(subject), lower(?1))"
	                            " THEN 'subject' ELSE 'body' END FROM event INDEXED BY event_text"
	                            " WHERE (subject IS NOT NULL OR body IS NOT NULL) AND"
	                            " (instr(lower(coalesce(body, '')), lower(?1)) OR"
	                            " instr(lower(coalesce(subject, '')), lower(?1)))", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		int r = each(ctx, sqlite3_column_int64(st, 0), sqlite3_column_int64(st, 1),
		             (const char *)sqlite3_column_text(st, 2));
		if (r) {
			sqlite3_finalize(st);
			return r;
		}
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}
