/* SPDX-License-Identifier: MIT */
/*
 * gdpr.c: a data subject's parties found by any spelling of an
 * identifier; the Art. 15 document; erasure down to the bytes of the
 * store's files, verified; the suppression ledger (GDBM beside the store).
 */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-private.h"

struct ident {
	char kind[8];           /* email, phone, ext_id, id */
	char *value;            /* normalised */
};

struct crm_subject {
	int64_t *ids;           /* the parties */
	size_t nids, capids;
	struct ident *idents;   /* identifiers to suppress and to hash */
	size_t nidents, capidents;
	struct strv tokens;     /* identifiers that must not stay on disk */
	struct strv words;      /* names and words of notes: checked when no one else has them */
	struct strv given;      /* what was asked, for the report (never stored) */
	char *weights;          /* the weights file of the scores in the export */
};

void
crm_subject_free(crm_subject_t *sj)
{
	if (!sj)
		return;
	for (size_t i = 0; i < sj->nidents; i++)
		free(sj->idents[i].value);
	free(sj->idents);
	free(sj->ids);
	strv_clear(&sj->tokens);
	strv_clear(&sj->words);
	strv_clear(&sj->given);
	free(sj->weights);
	free(sj);
}

int
crm_subject_weights(crm_subject_t *sj, const char *path)
{
	free(sj->weights);
	sj->weights = NULL;
	return path && !(sj->weights = strdup(path)) ? CRM_NOMEM : CRM_OK;
}

size_t
crm_subject_parties(const crm_subject_t *sj, const int64_t **ids)
{
	*ids = sj->ids;
	return sj->nids;
}

static int
add_id(crm_subject_t *sj, int64_t id)
{
	for (size_t i = 0; i < sj->nids; i++)
		if (sj->ids[i] == id)
			return CRM_OK;
	if (sj->nids == sj->capids) {
		size_t cap = sj->capids ? 2 * sj->capids : 8;
		int64_t *p = realloc(sj->ids, cap * sizeof *p);
		if (!p)
			return CRM_NOMEM;
		sj->ids = p;
		sj->capids = cap;
	}
	sj->ids[sj->nids++] = id;
	return CRM_OK;
}

static int
add_ident(crm_subject_t *sj, const char *kind, const char *value)
{
	if (!value || !*value)
		return CRM_OK;
	for (size_t i = 0; i < sj->nidents; i++)
		if (!strcmp(sj->idents[i].kind, kind) && !strcmp(sj->idents[i].value, value))
			return CRM_OK;
	if (sj->nidents == sj->capidents) {
		size_t cap = sj->capidents ? 2 * sj->capidents : 8;
		struct ident *p = realloc(sj->idents, cap * sizeof *p);
		if (!p)
			return CRM_NOMEM;
		sj->idents = p;
		sj->capidents = cap;
	}
	struct ident *d = &sj->idents[sj->nidents];
	snprintf(d->kind, sizeof d->kind, "%s", kind);
	if (!(d->value = strdup(value)))
		return CRM_NOMEM;
	sj->nidents++;
	return CRM_OK;
}

/* A token the raw files are searched for: at least 4 bytes, once. */
static int
add_token(crm_subject_t *sj, const char *t)
{
	if (!t || strlen(t) < 4 || strv_has(&sj->tokens, t))
		return CRM_OK;
	return strv_push(&sj->tokens, t);
}

static int
add_word(crm_subject_t *sj, const char *t)
{
	if (!t || strlen(t) < 4 || strv_has(&sj->words, t) || strv_has(&sj->tokens, t))
		return CRM_OK;
	return strv_push(&sj->words, t);
}

/* The ids of the parties a query with one text parameter returns. */
static int
ids_where(crm_store_t *s, crm_subject_t *sj, const char *sql, const char *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), sql, -1, &st, NULL);

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
static int
national(crm_store_t *s, crm_subject_t *sj, const char *value, const char *tail)
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

/* Whether a byte can be part of a word (ASCII letters and digits, UTF-8). */
static int
wordbyte(unsigned char c)
{
	/* "accounting" is not a word of "accounting_kept". */
	return isalnum(c) || c == '_' || c >= 0x80;
}

int
crm_subject_new(crm_subject_t **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? CRM_OK : CRM_NOMEM;
}

int
crm_subject_find(crm_store_t *s, crm_subject_t *sj, const char *value)
{
	char *v = strdup(value), *n = NULL;
	int rc = CRM_OK;

	if (!v)
		return CRM_NOMEM;
	/* Surrounding blanks never count. */
	char *b = v, *e = v + strlen(v);
	while (*b && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (!*b) {
		free(v);
		return CRM_OK;
	}
	if ((rc = strv_push(&sj->given, b)))
		goto done;
	if (strchr(b, '@')) {
		if ((n = norm_email(b)) && !(rc = add_ident(sj, "email", n)))
			rc = ids_where(s, sj, "SELECT id FROM party WHERE email_norm = ?1 UNION"
			               " SELECT party_id FROM party_ident WHERE kind = 'email' AND norm = ?1", n);
		goto done;
	}
	size_t nd = 0;
	for (const char *p = b; *p; p++)
		nd += isdigit((unsigned char)*p) != 0;
	if (nd == strlen(b) && nd < 19 && *b != '0')    /* an id; 06... is a phone */
		rc = ids_where(s, sj, "SELECT id FROM party WHERE id = CAST(?1 AS INTEGER)", b);
	if (!rc)
		rc = ids_where(s, sj, "SELECT id FROM party WHERE ext_id = ?1", b);
	if (!rc && phone_like(b) && (n = norm_phone(b, NULL))) {
		rc = ids_where(s, sj, "SELECT id FROM party WHERE phone_norm = ?1 UNION"
		               " SELECT party_id FROM party_ident WHERE kind = 'phone' AND norm = ?1", n);
		if (!rc && n[0] != '+' && n[0] == '0' && strlen(n) >= 8)
			rc = national(s, sj, b, n + 1);
	}
done:
	free(n);
	free(v);
	return rc;
}

/* Identifiers and tokens of the parties found, read from the store. */
static int
gather(crm_store_t *s, crm_subject_t *sj)
{
	for (size_t i = 0; i < sj->nids; i++) {
		crm_party_t *p;
		int rc = crm_party_load(s, sj->ids[i], &p);
		if (rc == CRM_NOTFOUND)
			continue;
		if (rc)
			return rc;
		char *e = p->v[CRM_F_EMAIL] ? norm_email(p->v[CRM_F_EMAIL]) : NULL;
		char *ph = p->v[CRM_F_PHONE] ? norm_phone(p->v[CRM_F_PHONE], p->v[CRM_F_COUNTRY]) : NULL;
		rc = add_ident(sj, "email", e);
		if (!rc)
			rc = add_ident(sj, "phone", ph);
		if (!rc)
			rc = add_ident(sj, "ext_id", p->v[CRM_F_EXT_ID]);
		/*
		 * E-mails and phones are the person's wherever their bytes are; an
		 * ext_id, often a short number, is checked like a name: as a whole
		 * word, when no other party has it.
		 */
		static const int ident[] = { CRM_F_EMAIL, CRM_F_PHONE };
		static const int names[] = { CRM_F_EXT_ID, CRM_F_NAME, CRM_F_FIRST_NAME, CRM_F_LAST_NAME };
		for (size_t k = 0; !rc && k < sizeof ident / sizeof ident[0]; k++)
			rc = add_token(sj, p->v[ident[k]]);
		for (size_t k = 0; !rc && k < sizeof names / sizeof names[0]; k++)
			rc = add_word(sj, p->v[names[k]]);
		if (!rc)
			rc = add_token(sj, e);
		if (!rc)
			rc = add_token(sj, ph);
		/* The other e-mails and phones (attributes emails, phones): the same. */
		static const char *const more[] = { "email", "phone" };
		for (int k = 0; !rc && k < 2; k++) {
			struct strv v = {0};
			rc = party_idents(p, more[k], &v);
			for (size_t j = 0; !rc && j < v.n; j++)
				if (!(rc = add_ident(sj, more[k], v.v[j])))
					rc = add_token(sj, v.v[j]);
			strv_clear(&v);
			/* As stored, too: Ann@Work.example, 01 22 22 22 22. */
			json_t *a = p->attrs ? json_object_get(p->attrs, k ? "phones" : "emails") : NULL;
			for (size_t j = 0; !rc && json_is_array(a) && j < json_array_size(a); j++)
				if (json_is_string(json_array_get(a, j)))
					rc = add_token(sj, json_string_value(json_array_get(a, j)));
			if (!rc && json_is_string(a))
				rc = add_token(sj, json_string_value(a));
		}
		/* Words of the notes, long enough to be the person's own. */
		if (!rc && p->v[CRM_F_NOTES]) {
			char *copy = strdup(p->v[CRM_F_NOTES]), *save = NULL, *w;
			if (!copy)
				rc = CRM_NOMEM;
			for (w = copy ? strtok_r(copy, " \t\r\n.,;:!?()[]{}\"'", &save) : NULL; w && !rc;
			     w = strtok_r(NULL, " \t\r\n.,;:!?()[]{}\"'", &save))
				if (strlen(w) >= 8)
					rc = add_word(sj, w);
			free(copy);
		}
		free(e);
		free(ph);
		crm_party_free(p);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Erasure. */

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

/*
 * Mentions of the subject's identifiers in other parties' notes and in
 * other events' subjects and bodies, replaced by "[erased]".
 */
static int
redact(crm_store_t *s, crm_subject_t *sj, long *n)
{
	sqlite3 *db = store_db(s);
	int rc = sqlite3_create_function(db, "crm_redact", 2, SQLITE_UTF8 | SQLITE_DETERMINISTIC,
	                                 NULL, sql_redact, NULL, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	for (size_t i = 0; i < sj->tokens.n; i++) {
		static const char *const sql[] = {
			/* The old text leaves the full-text index at the flush (see store.c). */
			"INSERT OR IGNORE INTO temp.fts_old SELECT id, name, first_name, last_name, email,"
			" org, city, notes FROM party WHERE instr(lower(notes), lower(?1)) > 0",
			"UPDATE party SET notes = crm_redact(notes, ?1), updated = ?2"
			" WHERE instr(lower(notes), lower(?1)) > 0",
			"UPDATE event SET subject = crm_redact(subject, ?1), body = crm_redact(body, ?1)"
			" WHERE instr(lower(subject), lower(?1)) > 0 OR instr(lower(body), lower(?1)) > 0",
		};
		const char *tok = sj->tokens.v[i];
		/*
		 * E-mails and phone numbers, as stored and normalised; not ext_ids,
		 * which may be short numbers that other texts hold for other reasons.
		 */
		int ext = 0, digits = 0;
		for (size_t k = 0; k < sj->nidents; k++)
			ext |= !strcmp(sj->idents[k].kind, "ext_id") && !strcmp(sj->idents[k].value, tok);
		for (const char *c = tok; *c; c++)
			digits += isdigit((unsigned char)*c) != 0;
		if (ext || (!strchr(tok, '@') && (!phone_like(tok) || digits < 8)))
			continue;
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
	}
	return CRM_OK;
}

static int seal(crm_store_t *s, const crm_subject_t *sj, char nonce[33], char **out);

int
crm_gdpr_erase(crm_store_t *s, crm_subject_t *sj, const char *request_id, const char *reason,
               int flags, long counts[CRM_ERASE_NCOUNTS], int64_t *pending, char *msg, size_t len)
{
	int rc;
	char now[21];

	memset(counts, 0, CRM_ERASE_NCOUNTS * sizeof *counts);
	*pending = 0;
	if (!(flags & CRM_ERASE_DRY_RUN) && (rc = crm_gdpr_lock(s, 1)))
		return rc;
	if ((rc = store_fts_flush(s)) || (rc = gather(s, sj)))
		return rc;
	now_iso(now);
	for (size_t i = 0; i < sj->nids; i++) {
		int64_t id = sj->ids[i];
		if (flags & CRM_ERASE_KEEP_ACCOUNTING) {
			long kept = 0;
			/* What the law keeps, under a party of its own with no identity. */
			sqlite3_stmt *st;
			rc = sqlite3_prepare_v2(store_db(s), "SELECT count(*) FROM event WHERE party_id = ?1"
			                        " AND type IN ('purchase', 'refund')", -1, &st, NULL);
			if (rc != SQLITE_OK)
				return store_status(s, rc);
			sqlite3_bind_int64(st, 1, id);
			kept = sqlite3_step(st) == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
			sqlite3_finalize(st);
			if (kept) {
				rc = sqlite3_prepare_v2(store_db(s), "INSERT INTO party (id, type, kind, name, created,"
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
				int64_t anon = sqlite3_last_insert_rowid(store_db(s));
				rc = sqlite3_prepare_v2(store_db(s), "UPDATE event SET party_id = ?2, channel = NULL,"
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
				counts[CRM_ERASE_KEPT] += kept;
				if ((rc = store_facts_touch(s, anon)))
					return rc;
			}
		}
		if ((rc = exec1(s, "DELETE FROM event WHERE party_id = ?1", id, &counts[CRM_ERASE_EVENTS])) ||
		    (rc = exec1(s, "DELETE FROM party_tag WHERE party_id = ?1", id, &counts[CRM_ERASE_TAGS])) ||
		    (rc = exec1(s, "DELETE FROM party_fact WHERE party_id = ?1", id, &counts[CRM_ERASE_FACTS])) ||
		    (rc = exec1(s, "UPDATE party SET org_id = NULL WHERE org_id = ?1", id, NULL)) ||
		    (rc = exec1(s, "DELETE FROM party WHERE id = ?1", id, &counts[CRM_ERASE_PARTIES])))
			return rc;
	}
	if ((flags & CRM_ERASE_REDACT) && (rc = redact(s, sj, &counts[CRM_ERASE_REDACTED])))
		return rc;
	if (flags & CRM_ERASE_DRY_RUN) {
		/* Neither the ledger nor the key: a dry run writes no file. */
		counts[CRM_ERASE_SUPPRESSED] = (long)sj->nidents;
		return CRM_OK;
	}
	/*
	 * What is left to do is committed with the deletions (see
	 * crm_gdpr_finish()): the keyed hash of each identifier, for the
	 * ledger, with when, why and which request; the counts; and the
	 * tokens and words the verification looks for, enciphered.
	 */
	char probe[65];
	if ((rc = crm_subject_hash(s, "key", "ready", probe)))
		return rc;              /* the key first: a ledger without its key is refused */
	json_t *keys = json_array(), *val = json_pack("{s:s,s:s?,s:s?}", "erased", now,
	                                              "request_id", request_id, "reason", reason);
	rc = keys && val ? CRM_OK : CRM_NOMEM;
	for (size_t i = 0; i < sj->nidents && !rc; i++) {
		char h[65];
		if ((rc = crm_subject_hash(s, sj->idents[i].kind, sj->idents[i].value, h)))
			break;
		if (json_array_append_new(keys, json_string(h)))
			rc = CRM_NOMEM;
		counts[CRM_ERASE_SUPPRESSED]++;
	}
	char cj[512], nonce[33], *sealed = NULL;
	crm_erase_counts_json(counts, cj, sizeof cj);
	if (!rc)
		rc = seal(s, sj, nonce, &sealed);
	char *kt = rc ? NULL : crm_json_dumps(keys, JSON_COMPACT);
	char *vt = rc ? NULL : crm_json_dumps(val, JSON_COMPACT);
	json_decref(keys);
	json_decref(val);
	if (!rc && (!kt || !vt))
		rc = CRM_NOMEM;
	sqlite3_stmt *st = NULL;
	if (!rc && (rc = sqlite3_prepare_v2(store_db(s), "INSERT INTO gdpr_pending (started, action,"
	                                    " request_id, keys, value, counts, nonce, sealed)"
	                                    " VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)", -1, &st,
	                                    NULL)) != SQLITE_OK)
		rc = store_status(s, rc);
	if (!rc) {
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, flags & CRM_ERASE_REPLAY ? "replay" : "erase", -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 3, request_id, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 4, kt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 5, vt, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 6, cj, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 7, nonce, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, sealed, -1, SQLITE_STATIC);
		if ((rc = sqlite3_step(st)) != SQLITE_DONE)
			rc = store_status(s, rc);
		else {
			rc = CRM_OK;
			*pending = sqlite3_last_insert_rowid(store_db(s));
			*store_pending_slot(s) = 1;
		}
	}
	sqlite3_finalize(st);
	free(kt);
	free(vt);
	free(sealed);
	(void)msg;
	(void)len;
	return rc;
}

void
crm_erase_counts_json(const long c[CRM_ERASE_NCOUNTS], char *buf, size_t len)
{
	snprintf(buf, len, "{\"parties\":%ld,\"events\":%ld,\"tags\":%ld,\"facts\":%ld,"
	         "\"accounting_kept\":%ld,\"identifiers_suppressed\":%ld,\"mentions_redacted\":%ld}",
	         c[CRM_ERASE_PARTIES], c[CRM_ERASE_EVENTS], c[CRM_ERASE_TAGS], c[CRM_ERASE_FACTS],
	         c[CRM_ERASE_KEPT], c[CRM_ERASE_SUPPRESSED], c[CRM_ERASE_REDACTED]);
}

/* ------------------------------------------------------------------ */
/* An erasure's unfinished part, kept in the store until it is done. */

/*
 * XOR p[0..n) with a keystream under the store's key: HMAC-SHA-256 of
 * the nonce and a block counter, 32 bytes a block.
 */
static int
keystream(crm_store_t *s, const char *nonce, unsigned char *p, size_t n)
{
	char label[64], h[65];
	int rc;

	for (size_t off = 0, blk = 0; off < n; blk++) {
		snprintf(label, sizeof label, "%s:%zu", nonce, blk);
		if ((rc = crm_subject_hash(s, "seal", label, h)))
			return rc;
		for (int i = 0; i < 32 && off < n; i++, off++)
			p[off] ^= (unsigned char)(hexval(h[2 * i]) << 4 | hexval(h[2 * i + 1]));
	}
	return CRM_OK;
}

/* The subject's tokens and words, enciphered, in hex (*out; caller frees); a fresh nonce. */
static int
seal(crm_store_t *s, const crm_subject_t *sj, char nonce[33], char **out)
{
	static const char xd[] = "0123456789abcdef";
	unsigned char rnd[16];
	json_t *t = json_array(), *w = json_array(), *o;
	int rc = CRM_OK;

	*out = NULL;
	if (getrandom(rnd, sizeof rnd, 0) != (ssize_t)sizeof rnd) {
		store_seterr(s, "no random bytes: %s", strerror(errno));
		json_decref(t);
		json_decref(w);
		return CRM_IO;
	}
	for (size_t i = 0; i < sizeof rnd; i++) {
		nonce[2 * i] = xd[rnd[i] >> 4];
		nonce[2 * i + 1] = xd[rnd[i] & 15];
	}
	nonce[32] = '\0';
	for (size_t i = 0; t && i < sj->tokens.n; i++)
		json_array_append_new(t, json_string(sj->tokens.v[i]));
	for (size_t i = 0; w && i < sj->words.n; i++)
		json_array_append_new(w, json_string(sj->words.v[i]));
	o = t && w ? json_pack("{s:o,s:o}", "tokens", t, "words", w) : NULL;
	if (!o) {
		json_decref(t);
		json_decref(w);
		return CRM_NOMEM;
	}
	char *text = crm_json_dumps(o, JSON_COMPACT);
	json_decref(o);
	if (!text)
		return CRM_NOMEM;
	size_t n = strlen(text);
	char *hexed = malloc(2 * n + 1);
	if (!hexed)
		rc = CRM_NOMEM;
	else if (!(rc = keystream(s, nonce, (unsigned char *)text, n))) {
		for (size_t i = 0; i < n; i++) {
			hexed[2 * i] = xd[(unsigned char)text[i] >> 4];
			hexed[2 * i + 1] = xd[(unsigned char)text[i] & 15];
		}
		hexed[2 * n] = '\0';
		*out = hexed;
		hexed = NULL;
	}
	/* The clear text goes from memory too. */
	memset(text, 0, n);
	free(text);
	free(hexed);
	return rc;
}

/* The tokens and words sealed by seal(), into a new subject (NULL when unreadable). */
static int
unseal(crm_store_t *s, const char *nonce, const char *hexed, crm_subject_t **out)
{
	size_t n = strlen(hexed) / 2;
	unsigned char *p = malloc(n + 1);
	int rc;

	*out = NULL;
	if (!p)
		return CRM_NOMEM;
	for (size_t i = 0; i < n; i++) {
		int hi = hexval(hexed[2 * i]), lo = hexval(hexed[2 * i + 1]);
		if (hi < 0 || lo < 0) {
			free(p);
			return CRM_OK;
		}
		p[i] = (unsigned char)(hi << 4 | lo);
	}
	p[n] = '\0';
	if ((rc = keystream(s, nonce, p, n))) {
		free(p);
		return rc;
	}
	json_t *o = json_loadb((const char *)p, n, 0, NULL);
	memset(p, 0, n);
	free(p);
	json_t *t = json_object_get(o, "tokens"), *w = json_object_get(o, "words");
	crm_subject_t *sj = NULL;
	if (json_is_array(t) && json_is_array(w) && !(rc = crm_subject_new(&sj))) {
		for (size_t i = 0; !rc && i < json_array_size(t); i++)
			if (json_is_string(json_array_get(t, i)))
				rc = strv_push(&sj->tokens, json_string_value(json_array_get(t, i)));
		for (size_t i = 0; !rc && i < json_array_size(w); i++)
			if (json_is_string(json_array_get(w, i)))
				rc = strv_push(&sj->words, json_string_value(json_array_get(w, i)));
	}
	json_decref(o);
	if (rc) {
		crm_subject_free(sj);
		return rc;
	}
	*out = sj;
	return CRM_OK;
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

/* A string of the report: checked UTF-8 when it is, else as it is (a path may be any bytes). */
static json_t *
jstr(const char *v)
{
	json_t *j = v ? json_string(v) : json_null();

	return j ? j : json_string_nocheck(v);
}

static json_t *
not_erased_here(void)
{
	return json_pack("[ssss]", "backups and copies of the store", "files already exported or sent",
	                 "terminal scrollback and shell history", "the file system's free blocks");
}

char *
crm_erasure_report(const struct crm_erasure *e, int resumed)
{
	json_t *o = json_object(), *v;
	char *text = NULL;

	if (!o)
		return NULL;
	json_object_set_new(o, "erased", e->counts ? json_loads(e->counts, 0, NULL) : json_null());
	json_object_set_new(o, "request_id", jstr(e->request_id));
	if (resumed) {
		json_object_set_new(o, "action", json_string(e->action));
		json_object_set_new(o, "started", json_string(e->started));
		json_object_set_new(o, "finished_late", json_true());
	}
	if (!e->verified) {
		v = json_pack("{s:b,s:s}", "done", 0, "why", "what to look for could not be read: the "
		              "store's key is not the one the erasure used");
	} else {
		json_t *r = json_array();
		for (size_t i = 0; r && e->residue && e->residue[i]; i++)
			json_array_append_new(r, jstr(e->residue[i]));
		v = json_pack("{s:I,s:[ssss],s:b,s:o}", "tokens", (json_int_t)e->tokens, "files", "store",
		              "wal", "journal", "suppression ledger", "clean",
		              !(e->residue && e->residue[0]), "residue", r ? r : json_array());
	}
	json_object_set_new(o, "verification", v);
	json_object_set_new(o, "not_erased_here", not_erased_here());
	text = json_dumps(o, JSON_COMPACT);
	json_decref(o);
	return text;
}

char *
crm_erasure_unfinished(const char *counts, const char *request_id, const char *why)
{
	json_t *o = json_pack("{s:o,s:o,s:b,s:o}", "erased", json_loads(counts, 0, NULL),
	                      "request_id", jstr(request_id), "finished", 0, "why", jstr(why));
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}

char *
crm_erasure_plan(const crm_subject_t *sj, const char *counts)
{
	json_t *ids = json_array();
	for (size_t i = 0; ids && i < sj->nids; i++)
		json_array_append_new(ids, json_integer((json_int_t)sj->ids[i]));
	json_t *o = json_pack("{s:b,s:o,s:o,s:[sss]}", "dry_run", 1, "parties", ids ? ids : json_array(),
	                      "would_erase", json_loads(counts, 0, NULL), "then",
	                      "merge the full-text index", "checkpoint and truncate the WAL",
	                      "verify the raw files");
	char *text = o ? json_dumps(o, JSON_COMPACT) : NULL;

	json_decref(o);
	return text;
}

void
crm_erasure_clear(struct crm_erasure *e)
{
	free(e->request_id);
	free(e->counts);
	crm_strings_free(e->residue);
	memset(e, 0, sizeof *e);
}

/* The audit entry of a finish: when the erasure began, whether verified, what was found. */
static char *
finish_counts(const struct crm_erasure *e)
{
	json_t *o = json_pack("{s:s,s:b,s:b}", "erasure_started", e->started, "verified",
	                      e->verified, "clean", e->verified && !(e->residue && e->residue[0]));
	json_t *r = json_array();
	char *text = NULL;

	/* Which file and which token: never the token itself. */
	for (size_t i = 0; o && r && e->residue && e->residue[i] && i < 32; i++)
		json_array_append_new(r, json_string(e->residue[i]));
	if (o && r && json_array_size(r))
		json_object_set(o, "residue", r);
	if (o)
		text = crm_json_dumps(o, JSON_COMPACT);
	json_decref(o);
	json_decref(r);
	return text;
}

int
crm_gdpr_finish(crm_store_t *s, int64_t id, int resumed, struct crm_erasure *e)
{
	sqlite3_stmt *st;
	char *keys = NULL, *value = NULL, *nonce = NULL, *sealed = NULL;
	int had = *store_gdpr_lock_slot(s) >= 0, rc;

	memset(e, 0, sizeof *e);
	e->id = id;
	/* Only one program finishes it: the others wait, then find it gone. */
	if ((rc = crm_gdpr_lock(s, 1)))
		return rc;
	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT started, action, request_id, keys, value,"
	                             " counts, nonce, sealed FROM gdpr_pending WHERE id = ?1", -1, &st,
	                             NULL)) != SQLITE_OK) {
		rc = store_status(s, rc);
		goto out;
	}
	sqlite3_bind_int64(st, 1, id);
	if ((rc = sqlite3_step(st)) != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE) {
			store_seterr(s, "the erasure was finished by another program");
			rc = CRM_NOTFOUND;
		} else {
			rc = store_status(s, rc);
		}
		goto out;
	}
#define COL(i) ((const char *)sqlite3_column_text(st, i))
	snprintf(e->started, sizeof e->started, "%s", COL(0) ? COL(0) : "");
	snprintf(e->action, sizeof e->action, "%s", COL(1) ? COL(1) : "erase");
	e->request_id = COL(2) ? strdup(COL(2)) : NULL;
	keys = COL(3) ? strdup(COL(3)) : NULL;
	value = COL(4) ? strdup(COL(4)) : NULL;
	e->counts = COL(5) ? strdup(COL(5)) : NULL;
	nonce = COL(6) ? strdup(COL(6)) : NULL;
	sealed = COL(7) ? strdup(COL(7)) : NULL;
#undef COL
	sqlite3_finalize(st);
	rc = keys && value && e->counts && nonce && sealed ? CRM_OK : CRM_NOMEM;
	/*
	 * 0. What to look for, read back first: under another key, its hashes
	 * would be no one's either, so nothing is done and the record stays.
	 */
	crm_subject_t *sj = NULL;
	if (!rc && !(rc = unseal(s, nonce, sealed, &sj)) && !sj) {
		store_seterr(s, "the record of the erasure begun %s cannot be read with the key %s.key:"
		             " restore the key the erasure used", e->started, store_file(s));
		rc = CRM_STORE;
	}
	/*
	 * 1. The ledger, in a write transaction, so that no import reads it
	 * half-written: crm-add refuses the person from the ledger from now on.
	 */
	if (!rc && !(rc = crm_store_begin(s))) {
		if ((rc = ledger_write(s, keys, value)) || (rc = crm_store_commit(s)))
			crm_store_rollback(s);
	}
	/* 2. The files: the full-text index merged, the WAL emptied. */
	if (!rc)
		rc = crm_gdpr_purge(s);
	/* 3. Their raw bytes, searched for what the erasure sealed. */
	if (!rc) {
		e->verified = 1;
		if (!(rc = crm_gdpr_verify(s, sj, &e->residue)))
			e->tokens = crm_subject_tokens(sj);
	}
	crm_subject_free(sj);
	/* 4. Done: the record goes; a finish after an interruption is audited, with what it found. */
	if (!rc && !(rc = crm_store_begin(s))) {
		char subj[65] = "", *cj = finish_counts(e);
		json_t *k = json_loads(keys, 0, NULL);
		const char *h0 = json_string_value(json_array_get(k, 0));
		snprintf(subj, sizeof subj, "%s", h0 ? h0 : "");
		json_decref(k);
		rc = cj ? CRM_OK : CRM_NOMEM;
		if (!rc && resumed)
			rc = crm_audit_append(s, "crm-gdpr-export", "finish", e->request_id,
			                      subj[0] ? subj : NULL, cj);
		if (!rc)
			rc = exec1(s, "DELETE FROM gdpr_pending WHERE id = ?1", id, NULL);
		if (!rc)
			rc = crm_store_commit(s);
		if (rc)
			crm_store_rollback(s);
		free(cj);
	}
out:
	free(keys);
	free(value);
	free(nonce);
	free(sealed);
	if (!had)
		crm_gdpr_unlock(s);
	return rc;
}

int
crm_subject_audit_hash(crm_store_t *s, const crm_subject_t *sj, char out[65])
{
	/* The first identifier stands for the subject in the audit trail. */
	out[0] = '\0';
	if (!sj->nidents)
		return CRM_OK;
	return crm_subject_hash(s, sj->idents[0].kind, sj->idents[0].value, out);
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
/* Verification: the raw bytes of the files. */

/* Search a file for the tokens; count the hits of each in hits[]. */
/* Another party's identifier that holds a token of the subject, and where. */
struct super {
	size_t tok, off, len;
	char *v;
};

/*
 * Search a file for the tokens; count the hits of each in hits[].  The
 * first nstrict tokens (identifiers) count wherever their bytes are,
 * except inside one of the other parties' identifiers that hold them
 * (sup: "ann@example.org" in "joann@example.org"); the others (names,
 * words) only as whole words, so that "Martin" is not found in "Martinez".
 */
static int
scan_file(const char *path, const struct strv *tok, size_t nstrict, const struct super *sup,
          size_t nsup, long *hits)
{
	enum { CHUNK = 1 << 20 };
	size_t look = 0, ctx = 1;
	int fd;

	if (!tok->n)
		return CRM_OK;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0)
		return errno == ENOENT ? CRM_OK : CRM_IO;
	for (size_t i = 0; i < tok->n; i++)
		if (strlen(tok->v[i]) + 1 > look)
			look = strlen(tok->v[i]) + 1;
	for (size_t i = 0; i < nsup; i++) {
		if (sup[i].len + 1 > look)
			look = sup[i].len + 1;
		if (sup[i].off + 1 > ctx)
			ctx = sup[i].off + 1;
	}
	/* A bitmap of the tokens' first two bytes: most positions fail it at once. */
	static unsigned char first[65536 / 8];
	memset(first, 0, sizeof first);
	for (size_t i = 0; i < tok->n; i++) {
		unsigned k = (unsigned char)tok->v[i][0] | (unsigned char)tok->v[i][1] << 8;
		first[k >> 3] |= (unsigned char)(1 << (k & 7));
	}
	/* buf: [0, start) bytes already searched, kept as context; [start, have) to search. */
	char *buf = malloc(ctx + CHUNK + look);
	size_t have = 0, start = 0;
	ssize_t n = 0;
	if (!buf) {
		close(fd);
		return CRM_NOMEM;
	}
	for (;;) {
		n = read(fd, buf + have, CHUNK);
		if (n < 0)
			break;
		have += (size_t)n;
		/* Positions whose token, and context after it, is whole in the buffer; all at the end. */
		size_t limit = n == 0 ? have : have >= look ? have - look + 1 : start;
		if (limit < start)
			limit = start;
		for (size_t p = start; p < limit; p++) {
			unsigned k = (unsigned char)buf[p] | (p + 1 < have ? (unsigned char)buf[p + 1] << 8 : 0);
			if (!(first[k >> 3] & (1 << (k & 7))))
				continue;
			for (size_t i = 0; i < tok->n; i++) {
				size_t l = strlen(tok->v[i]);
				if (p + l > have || memcmp(buf + p, tok->v[i], l))
					continue;
				int legit = 0;
				if (i >= nstrict) {
					unsigned char b = p ? (unsigned char)buf[p - 1] : 0;
					unsigned char a = p + l < have ? (unsigned char)buf[p + l] : 0;
					legit = wordbyte(b) || wordbyte(a);
				}
				for (size_t j = 0; j < nsup && !legit; j++)
					legit = sup[j].tok == i && p >= sup[j].off &&
					        p - sup[j].off + sup[j].len <= have &&
					        !memcmp(buf + p - sup[j].off, sup[j].v, sup[j].len);
				if (!legit)
					hits[i]++;
			}
		}
		size_t keep = limit < ctx ? limit : ctx;
		memmove(buf, buf + limit - keep, have - (limit - keep));
		have -= limit - keep;
		start = keep;
		if (n == 0)
			break;
	}
	free(buf);
	close(fd);
	return n < 0 ? CRM_IO : CRM_OK;
}

/* The other parties' identifiers that hold a token of the subject: one pass. */
static int
supers(crm_store_t *s, const struct strv *tok, size_t nstrict, struct super **out, size_t *n)
{
	sqlite3_stmt *st;
	size_t cap = 0;
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

	*out = NULL;
	*n = 0;
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int c = 0; c < 4; c++) {
			const char *v = (const char *)sqlite3_column_text(st, c);
			for (size_t i = 0; v && i < nstrict; i++) {
				if (!strcmp(v, tok->v[i]))
					continue;
				for (const char *at = strstr(v, tok->v[i]); at && *n < 1000;
				     at = strstr(at + 1, tok->v[i])) {
					if (*n == cap) {
						cap = cap ? 2 * cap : 16;
						struct super *p = realloc(*out, cap * sizeof *p);
						if (!p) {
							sqlite3_finalize(st);
							return CRM_NOMEM;
						}
						*out = p;
					}
					struct super *u = &(*out)[*n];
					if (!(u->v = strdup(v))) {
						sqlite3_finalize(st);
						return CRM_NOMEM;
					}
					u->tok = i;
					u->off = (size_t)(at - v);
					u->len = strlen(v);
					(*n)++;
				}
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
static int
shared_word(crm_store_t *s, const char *w, int *shared)
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

int
crm_gdpr_verify(crm_store_t *s, crm_subject_t *sj, char ***residue)
{
	static const char *const sfx[] = { "", "-wal", "-journal", ".suppress" };
	char path[4200];
	struct strv out = {0};
	int rc = CRM_OK;

	*residue = NULL;
	/*
	 * A phone of fewer than 8 digits is in every date and count of the
	 * files: no sign of the person (an e-mail always is).
	 */
	for (size_t i = 0; i < sj->tokens.n;) {
		const char *t = sj->tokens.v[i];
		size_t digits = 0;
		for (const char *c = t; *c; c++)
			digits += isdigit((unsigned char)*c) != 0;
		if (!strchr(t, '@') && strspn(t, "0123456789 +-().") == strlen(t) && digits < 8) {
			free(sj->tokens.v[i]);
			memmove(sj->tokens.v + i, sj->tokens.v + i + 1,
			        (sj->tokens.n - i - 1) * sizeof *sj->tokens.v);
			sj->tokens.n--;
		} else {
			i++;
		}
	}
	size_t nstrict = sj->tokens.n;
	char *schema = NULL;
	sqlite3_stmt *st;
	if (sqlite3_prepare_v2(store_db(s), "SELECT lower(group_concat(sql, ' ')) FROM sqlite_schema",
	                       -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW && sqlite3_column_text(st, 0))
			schema = strdup((const char *)sqlite3_column_text(st, 0));
		sqlite3_finalize(st);
	}
	/*
	 * Names and words that no one else has are the subject's own: look
	 * for them too, unless the store's own schema holds them.
	 */
	for (size_t i = 0; i < sj->words.n; i++) {
		/*
		 * A number of fewer than 8 digits (an ext_id such as 2026) is in
		 * every date and count of the files: no sign of the person.
		 */
		const char *w = sj->words.v[i];
		size_t nd = strspn(w, "0123456789");
		if (!w[nd] && nd < 8)
			continue;
		char *low = crm_fold(sj->words.v[i]);
		int inschema = low && schema && strstr(schema, low);
		free(low);
		if (inschema)
			continue;
		int shared = 0;
		if ((rc = shared_word(s, sj->words.v[i], &shared))) {
			free(schema);
			return rc;
		}
		if (!shared && (rc = add_token(sj, sj->words.v[i]))) {
			free(schema);
			return rc;
		}
	}
	free(schema);
	struct super *sup = NULL;
	size_t nsup = 0;
	long *hits = calloc(sj->tokens.n + 1, sizeof *hits);
	if (!hits || (rc = supers(s, &sj->tokens, nstrict, &sup, &nsup))) {
		for (size_t i = 0; i < nsup; i++)
			free(sup[i].v);
		free(sup);
		free(hits);
		return rc ? rc : CRM_NOMEM;
	}
	for (size_t f = 0; f < sizeof sfx / sizeof sfx[0] && !rc; f++) {
		memset(hits, 0, (sj->tokens.n + 1) * sizeof *hits);
		snprintf(path, sizeof path, "%s%s", store_file(s), sfx[f]);
		if ((rc = scan_file(path, &sj->tokens, nstrict, sup, nsup, hits)))
			break;
		for (size_t i = 0; i < sj->tokens.n && !rc; i++)
			if (hits[i]) {
				char line[4400];
				/* Name the file and which token, never the token itself. */
				snprintf(line, sizeof line, "%s: token %zu of %zu found %ld times", path, i + 1,
				         sj->tokens.n, hits[i]);
				rc = strv_push(&out, line);
			}
	}
	free(hits);
	for (size_t i = 0; i < nsup; i++)
		free(sup[i].v);
	free(sup);
	if (!rc && strv_push(&out, "")) /* room for the NULL */
		rc = CRM_NOMEM;
	if (rc) {
		strv_clear(&out);
		return rc;
	}
	free(out.v[out.n - 1]);
	out.v[out.n - 1] = NULL;
	*residue = out.v;
	return CRM_OK;
}

size_t
crm_subject_tokens(const crm_subject_t *sj)
{
	return sj->tokens.n;
}

/* ------------------------------------------------------------------ */
/* Access (Art. 15): one JSON document. */

static const char *const art15[] = {
	"purposes", "categories", "recipients", "retention", "source",
	"automated_decisions", "rights", "supervisory_authority",
};

/* The register, read before anything is written: NULL when there is none. */
static int
load_register(const char *path, json_t **reg, int *missing, char *msg, size_t len)
{
	json_error_t je;

	*reg = NULL;
	*missing = 1;
	if (!path || access(path, F_OK))
		return CRM_OK;
	if (!(*reg = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je)) ||
	    !json_is_object(*reg)) {
		char why[JSON_ERROR_TEXT_LENGTH + 64];
		if (*reg)
			msgf(msg, len, "%s: not an object: the register is one JSON object", path);
		else
			msgf(msg, len, "%s:%d: %s", path, je.line, json_why(&je, why, sizeof why));
		json_decref(*reg);
		*reg = NULL;
		return CRM_BADINPUT;
	}
	*missing = 0;
	return CRM_OK;
}

/* The register's sections, or each marked "not configured". */
static void
put_register(FILE *out, json_t *reg, int *missing)
{
	fputs("{", out);
	for (size_t i = 0; i < sizeof art15 / sizeof art15[0]; i++) {
		json_t *v = reg ? json_object_get(reg, art15[i]) : NULL;
		char *t = v ? crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER) : NULL;
		fprintf(out, "%s\"%s\":%s", i ? "," : "", art15[i],
		        t ? t : "{\"status\":\"not configured\"}");
		if (!v && reg)
			*missing = 2;   /* configured, but this section is missing */
		free(t);
	}
	json_t *c = reg ? json_object_get(reg, "controller") : NULL;
	char *t = c ? crm_json_dumps(c, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
	fprintf(out, ",\"controller\":%s}", t ? t : "{\"status\":\"not configured\"}");
	free(t);
}

static void
put_str(FILE *out, const char *s)
{
	json_t *j = json_string(s);
	char *t = j ? crm_json_dumps(j, JSON_ENCODE_ANY) : NULL;

	fputs(t ? t : "null", out);
	free(t);
	json_decref(j);
}

/*
 * The saved segments the subject's parties are members of now, and the
 * pins that name them (in, out, or in a snapshot).
 */
static int
put_segments(crm_store_t *s, crm_subject_t *sj, FILE *out)
{
	crm_segment_iter_t *it;
	const char *const *v;
	struct strv names = {0};
	char msg[256];
	int rc, first = 1;

	if ((rc = crm_segment_open(s, NULL, &it)))
		return rc;
	while ((rc = crm_segment_next(it, &v)) == CRM_OK)
		if (strv_push(&names, v[0])) {
			rc = CRM_NOMEM;
			break;
		}
	crm_segment_close(it);
	if (rc != CRM_EOF) {
		strv_clear(&names);
		return rc;
	}
	fputs("{\"members\":[", out);
	for (size_t i = 0; i < names.n && sj->nids; i++) {
		char term[80], *t[1] = { term };
		crm_query_t *q;
		crm_party_t *p;
		snprintf(term, sizeof term, "segment:%s", names.v[i]);
		if (crm_query_compile(s, 1, t, &q, msg, sizeof msg))
			continue;       /* a segment that no longer compiles has no members */
		rc = crm_query_restrict_begin(q);
		for (size_t k = 0; !rc && k < sj->nids; k++)
			rc = crm_query_restrict_add(q, sj->ids[k]);
		while (!rc && (rc = crm_query_next(q, &p)) == CRM_OK) {
			fprintf(out, "%s{\"segment\":", first ? "" : ",");
			put_str(out, names.v[i]);
			fprintf(out, ",\"party_id\":%lld}", (long long)crm_party_id(p));
			first = 0;
			crm_party_free(p);
		}
		crm_query_free(q);
		if (rc != CRM_EOF && rc != CRM_OK) {
			strv_clear(&names);
			return rc;
		}
		rc = CRM_OK;
	}
	strv_clear(&names);
	fputs("],\"pins\":[", out);
	sqlite3_stmt *st;
	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT segment, pin FROM segment_member"
	                             " WHERE party_id = ?1 ORDER BY segment, pin", -1, &st, NULL)) != SQLITE_OK)
		return store_status(s, rc);
	first = 1;
	for (size_t k = 0; k < sj->nids; k++) {
		sqlite3_bind_int64(st, 1, sj->ids[k]);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			fprintf(out, "%s{\"segment\":", first ? "" : ",");
			put_str(out, (const char *)sqlite3_column_text(st, 0));
			fprintf(out, ",\"party_id\":%lld,\"pin\":\"%s\"}", (long long)sj->ids[k],
			        (const char *)sqlite3_column_text(st, 1));
			first = 0;
		}
		sqlite3_reset(st);
	}
	sqlite3_finalize(st);
	fputs("]}", out);
	return rc == SQLITE_DONE || rc == SQLITE_OK ? CRM_OK : store_status(s, rc);
}

static int
is_subject(const crm_subject_t *sj, int64_t id)
{
	for (size_t k = 0; k < sj->nids; k++)
		if (sj->ids[k] == id)
			return 1;
	return 0;
}

/* Other parties' notes and other events that name an identifier: for review. */
static int
put_mentions(crm_store_t *s, crm_subject_t *sj, FILE *out)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	int rc, first = 1;

	fputs("[", out);
	for (size_t i = 0; i < sj->nidents; i++) {
		const char *v = sj->idents[i].value;
		if (strlen(v) < 4)
			continue;
		/* Parties: the full-text index, a phrase of the identifier's words. */
		struct buf phrase = {0};
		buf_addc(&phrase, '"');
		for (const char *p = v; *p; p++)
			buf_addc(&phrase, isalnum((unsigned char)*p) || (unsigned char)*p >= 0x80 ? *p : ' ');
		buf_addc(&phrase, '"');
		rc = sqlite3_prepare_v2(db, "SELECT rowid FROM party_fts WHERE party_fts MATCH ?1"
		                        " AND instr(lower(coalesce((SELECT notes FROM party WHERE id = party_fts.rowid), '')),"
		                        " lower(?2)) > 0", -1, &st, NULL);
		if (rc != SQLITE_OK || phrase.err) {
			buf_free(&phrase);
			return rc != SQLITE_OK ? store_status(s, rc) : CRM_NOMEM;
		}
		sqlite3_bind_text(st, 1, phrase.p, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 2, v, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t id = sqlite3_column_int64(st, 0);
			if (is_subject(sj, id))
				continue;
			fprintf(out, "%s{\"party_id\":%lld,\"field\":\"notes\",\"identifier\":\"%s\"}",
			        first ? "" : ",", (long long)id, sj->idents[i].kind);
			first = 0;
		}
		sqlite3_finalize(st);
		buf_free(&phrase);
		if (rc != SQLITE_DONE)
			return store_status(s, rc);
		/* Events of other parties: their subject and body, read through. */
		rc = sqlite3_prepare_v2(db, "SELECT id, party_id, CASE WHEN instr(lower(subject), lower(?1))"
		                        " THEN 'subject' ELSE 'body' END FROM event INDEXED BY event_text"
		                        " WHERE (subject IS NOT NULL OR body IS NOT NULL) AND"
		                        " (instr(lower(coalesce(body, '')), lower(?1)) OR"
		                        " instr(lower(coalesce(subject, '')), lower(?1)))", -1, &st, NULL);
		if (rc != SQLITE_OK)
			return store_status(s, rc);
		sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
		while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
			int64_t pid = sqlite3_column_int64(st, 1);
			if (is_subject(sj, pid))
				continue;
			fprintf(out, "%s{\"event_id\":%lld,\"party_id\":%lld,\"field\":\"%s\",\"identifier\":\"%s\"}",
			        first ? "" : ",", (long long)sqlite3_column_int64(st, 0), (long long)pid,
			        (const char *)sqlite3_column_text(st, 2), sj->idents[i].kind);
			first = 0;
		}
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_status(s, rc);
	}
	fputs("]", out);
	return CRM_OK;
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/*
 * The subject's scores (profiling, Art. 15(1)(h)): computed now over the
 * whole base, as crm-find --scores --explain would, with what went into
 * each; they are never stored.
 */
static int
put_scores(crm_store_t *s, crm_subject_t *sj, FILE *out, const char *now, char *msg, size_t len)
{
	struct strv terms = {0};
	crm_query_t *q = NULL;
	crm_printer_t *pr = NULL;
	crm_party_t *p;
	char t[40];
	int rc = CRM_OK;

	fprintf(out, ",\n\"scores\":{\"computed\":\"%s\",\"stored\":false,\"formulas\":"
	        "\"crm-segment(1), SCORES\",\"parties\":", now);
	for (size_t i = 0; i < sj->nids && !rc; i++) {
		snprintf(t, sizeof t, "id=%lld", (long long)sj->ids[i]);
		if ((i && strv_push(&terms, "OR")) || strv_push(&terms, t))
			rc = CRM_NOMEM;
	}
	if (!sj->nids && strv_push(&terms, "id=0"))
		rc = CRM_NOMEM;
	struct crm_score_opts o = { .weights = sj->weights };
	if (!rc && !(rc = crm_query_compile(s, (int)terms.n, terms.v, &q, msg, len)) &&
	    !(rc = crm_query_scores(q, CRM_SCORE_RFM | CRM_SCORE_CHURN | CRM_SCORE_PROPENSITY |
	                            CRM_SCORE_EXPLAIN, &o, msg, len)) &&
	    !(rc = crm_printer_open(out, CRM_OUT_JSON, "id,rfm_r,rfm_f,rfm_m,rfm,rfm_segment,"
	                            "days_since_purchase,usual_gap,churn_risk,churned,propensity,explain",
	                            NULL, 0, &pr, msg, len))) {
		crm_query_fields(q, 1ULL << CRM_F_ID);
		int64_t *ids = malloc((sj->nids ? sj->nids : 1) * sizeof *ids);
		if (!ids) {
			rc = CRM_NOMEM;
			goto done;
		}
		if (sj->nids) {
			memcpy(ids, sj->ids, sj->nids * sizeof *ids);
			qsort(ids, sj->nids, sizeof *ids, cmp_id);
		}
		query_score_focus(q, ids, sj->nids);
		while ((rc = crm_query_next(q, &p)) == CRM_OK) {
			rc = crm_printer_party(pr, p);
			crm_party_free(p);
			if (rc)
				break;
		}
		if (rc == CRM_EOF)
			rc = crm_printer_finish(pr);
		free(ids);
	}
done:
	if (!rc)
		fputs("}", out);
	crm_printer_free(pr);
	crm_query_free(q);
	strv_clear(&terms);
	return rc;
}

int
crm_gdpr_export(crm_store_t *s, crm_subject_t *sj, const char *request_id,
                const char *register_path, FILE *out, int *register_missing,
                char *msg, size_t len)
{
	crm_printer_t *pr = NULL;
	crm_event_query_t *q = NULL;
	char now[21], subj[65];
	json_t *reg;
	int rc;

	if ((rc = load_register(register_path, &reg, register_missing, msg, len)))
		return rc;
	if ((rc = gather(s, sj))) {
		json_decref(reg);
		return rc;
	}
	now_iso(now);
	fprintf(out, "{\"document\":\"crm-gdpr-export\",\"version\":1,\"generated\":\"%s\",", now);
	fputs("\"request_id\":", out);
	if (request_id)
		put_str(out, request_id);
	else
		fputs("null", out);
	fputs(",\"subject\":{\"asked\":[", out);
	for (size_t i = 0; i < sj->given.n; i++) {
		if (i)
			putc(',', out);
		put_str(out, sj->given.v[i]);
	}
	fprintf(out, "],\"parties_found\":%zu},\n\"parties\":", sj->nids);
	if ((rc = crm_printer_open(out, CRM_OUT_JSON,
	        "id,type,kind,name,first_name,last_name,email,phone,org,org_id,title,city,postcode,"
	        "country,birthdate,gender,notes,ext_id,created,updated,tags,attrs,last_activity,"
	        "last_inbound,first_purchase,last_purchase,purchases,revenue,revenue_currency,open_tasks",
	        NULL, 0, &pr, msg, len)))
		return rc;
	for (size_t i = 0; i < sj->nids && !rc; i++) {
		crm_party_t *p;
		if ((rc = crm_party_load(s, sj->ids[i], &p)))
			break;
		rc = crm_printer_party(pr, p);
		crm_party_free(p);
	}
	if (!rc)
		rc = crm_printer_finish(pr);
	crm_printer_free(pr);
	pr = NULL;
	for (int tasks = 0; tasks < 2 && !rc; tasks++) {
		fputs(tasks ? ",\n\"tasks\":" : ",\n\"events\":", out);
		if ((rc = crm_printer_open_events(out, CRM_OUT_JSON, NULL, 0, &pr, msg, len)))
			break;
		if (!(rc = crm_event_query_open(s, &q)) && !(rc = crm_event_query_restrict(q, -1))) {
			for (size_t i = 0; i < sj->nids && !rc; i++)
				rc = crm_event_query_restrict(q, sj->ids[i]);
			crm_event_query_order(q, 1, -1);
			crm_event_t *e;
			while (!rc && (rc = crm_event_query_next(q, &e)) == CRM_OK) {
				const char *t = crm_event_get(e, CRM_E_TYPE);
				if ((t && !strcmp(t, "task")) == tasks)
					rc = crm_printer_event(pr, e);
				crm_event_free(e);
			}
			if (rc == CRM_EOF)
				rc = CRM_OK;
		}
		crm_event_query_free(q);
		q = NULL;
		if (!rc)
			rc = crm_printer_finish(pr);
		crm_printer_free(pr);
		pr = NULL;
	}
	if (rc)
		return rc;
	fputs(",\n\"segments\":", out);
	if ((rc = put_segments(s, sj, out)))
		return rc;
	if ((rc = put_scores(s, sj, out, now, msg, len)))
		return rc;
	fputs(",\n\"consents\":{\"status\":\"not recorded: this store keeps no consent ledger\"}", out);
	/* The audit trail's entries about the subject, by their keyed hashes. */
	fputs(",\n\"audit\":[", out);
	int first = 1;
	for (size_t i = 0; i < sj->nidents; i++) {
		crm_audit_iter_t *it = NULL;
		const char *const *v;
		if ((rc = crm_subject_hash(s, sj->idents[i].kind, sj->idents[i].value, subj)) ||
		    (rc = crm_audit_open(s, subj, &it))) {
			crm_audit_close(it);
			return rc;
		}
		while ((rc = crm_audit_next(it, &v)) == CRM_OK) {
			fprintf(out, "%s{\"id\":%s,\"at\":", first ? "" : ",", v[0]);
			put_str(out, v[1]);
			fputs(",\"program\":", out);
			put_str(out, v[3]);
			fputs(",\"action\":", out);
			put_str(out, v[4]);
			fputs(",\"request_id\":", out);
			if (v[5])
				put_str(out, v[5]);
			else
				fputs("null", out);
			fputs(",\"counts\":", out);
			fputs(v[7] ? v[7] : "null", out);
			putc('}', out);
			first = 0;
		}
		crm_audit_close(it);
		if (rc != CRM_EOF)
			return rc;
		rc = CRM_OK;
	}
	fputs("],\n\"mentions\":", out);
	if ((rc = put_mentions(s, sj, out)))
		return rc;
	fputs(",\n\"register\":", out);
	put_register(out, reg, register_missing);
	json_decref(reg);
	fputs("}\n", out);
	return ferror(out) ? CRM_IO : CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Replay and unsuppress. */

int
crm_gdpr_replay(crm_store_t *s, crm_subject_t *sj)
{
	char path[4200], h[65];
	sqlite3_stmt *st;
	GDBM_FILE db;
	int rc;

	ledger_path(s, path, sizeof path);
	if (access(path, F_OK))
		return CRM_OK;          /* nothing was ever erased */
	if (!(db = ledger_open(s, 0)))
		return CRM_STORE;
	if ((rc = ledger_key_ok(s, db, 0))) {
		gdbm_close(db);
		return rc;
	}
	/* The first identifiers, and the other e-mails and phones (party_ident). */
	rc = sqlite3_prepare_v2(store_db(s), "SELECT id, email_norm, phone_norm, ext_id, email FROM party"
	                        " WHERE email_norm IS NOT NULL OR phone_norm IS NOT NULL"
	                        " OR ext_id IS NOT NULL UNION ALL SELECT party_id,"
	                        " CASE kind WHEN 'email' THEN norm END,"
	                        " CASE kind WHEN 'phone' THEN norm END, NULL, NULL FROM party_ident",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK) {
		gdbm_close(db);
		return store_status(s, rc);
	}
	static const char *const kinds[4] = { "email", "phone", "ext_id", "email" };
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		for (int i = 0; i < 4; i++) {
			const char *v = (const char *)sqlite3_column_text(st, i + 1);
			char *legacy = NULL;
			/* Entries made before schema 14 hash the e-mail as it was matched then. */
			if (i == 3 && v && !(v = legacy = norm_email_legacy(v)))
				continue;
			if (!v || !*v) {
				free(legacy);
				continue;
			}
			rc = crm_subject_hash(s, kinds[i], v, h);
			free(legacy);
			if (rc)
				goto out;
			datum k = { h, 64 };
			if (gdbm_exists(db, k)) {
				if ((rc = add_id(sj, sqlite3_column_int64(st, 0))))
					goto out;
				break;
			}
		}
	}
	rc = rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
out:
	sqlite3_finalize(st);
	gdbm_close(db);
	return rc;
}

/* ------------------------------------------------------------------ */
/* Portability (Art. 20): files the toolkit itself imports again. */

/* SHA-256 of a file, in hex; its size. */
static int
file_sha256(const char *path, char out[65], long long *size)
{
	unsigned char buf[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *c;

	*size = 0;
	if (fd < 0)
		return CRM_IO;
	if (!(c = sha256_begin())) {
		close(fd);
		return CRM_STORE;
	}
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		sha256_add(c, buf, (size_t)r);
		*size += r;
	}
	close(fd);
	if (sha256_end(c, out))
		return CRM_STORE;
	return r < 0 ? CRM_IO : CRM_OK;
}

/*
 * A file of the portable copy under a temporary name (crm_file_create()),
 * never one of the store's files; CRM_USAGE or CRM_IO with msg.
 */
static int
create_0600(crm_store_t *s, const char *dir, const char *name, char *tmp, size_t tlen,
            FILE **fp, char *msg, size_t len)
{
	char path[4200], what[64];
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (crm_store_owns(store_file(s), path, what, sizeof what)) {
		msgf(msg, len, "%s: is %s; not written", path, what);
		return CRM_USAGE;
	}
	if ((rc = crm_file_create(path, 0, tmp, tlen, fp)))
		msgf(msg, len, "%s: %s%s", path, errno == EEXIST ? "exists; not overwritten" :
		     strerror(errno), errno == EEXIST ? " (give a new or empty directory)" : "");
	return rc;
}

/* Give a temporary file its name; CRM_USAGE or CRM_IO with msg. */
static int
commit_file(FILE *fp, const char *tmp, const char *dir, const char *name, char *msg, size_t len)
{
	char path[4200];
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((rc = crm_file_commit(fp, tmp, path, 0)))
		msgf(msg, len, "%s: %s%s", path, errno == EEXIST ? "exists; not overwritten" :
		     errno == ENOSPC ? "the disk is full (no space left on the device)" :
		     strerror(errno), errno == EEXIST ? " (give a new or empty directory)" : "");
	return rc;
}

/* The party fields a person provided: what crm-add reads back. */
#define PORTABLE_PARTY "type,kind,name,first_name,last_name,email,phone,org,title,city,postcode," \
	"country,birthdate,gender,notes,ext_id,created,tags,attrs"
#define PORTABLE_EVENT "email,ext_id,at,channel,type,direction,subject,body,amount,currency," \
	"campaign,ref,due,assignee,status,attrs"

int
crm_gdpr_portable(crm_store_t *s, crm_subject_t *sj, const char *dir, const char *request_id,
                  char *msg, size_t len)
{
	static const char *const names[] = { "parties.jsonl", "parties.csv", "events.jsonl",
	                                     "events.csv" };
	char path[4200], tmp[5][4200] = { "" };
	FILE *fp[4] = { NULL };
	int named[4] = { 0 };
	crm_printer_t *pr[4] = { NULL };
	int rc = CRM_OK;
	long nparties = 0, nevents = 0;

	if (!mkdir(dir, 0700)) {
		chmod(dir, 0700);       /* whatever the umask */
	} else if (errno != EEXIST) {
		msgf(msg, len, "%s: %s", dir, strerror(errno));
		return CRM_IO;
	}
	/* The identifiers, for the audit entry's keyed hash. */
	if ((rc = gather(s, sj)))
		return rc;
	/* Each file under a temporary name, given its own once all are written. */
	for (int i = 0; i < 4; i++)
		if ((rc = create_0600(s, dir, names[i], tmp[i], sizeof tmp[i], &fp[i], msg, len)))
			goto out;
	if ((rc = crm_printer_open(fp[0], CRM_OUT_JSONL, PORTABLE_PARTY, NULL, 0, &pr[0], msg, len)) ||
	    (rc = crm_printer_open(fp[1], CRM_OUT_CSV, PORTABLE_PARTY, NULL, CRM_PRINT_CSV_RAW, &pr[1],
	                           msg, len)) ||
	    (rc = crm_printer_open_rows(fp[2], CRM_OUT_JSONL, PORTABLE_EVENT, NULL, 0, &pr[2], msg,
	                                len)) ||
	    (rc = crm_printer_open_rows(fp[3], CRM_OUT_CSV, PORTABLE_EVENT, NULL, CRM_PRINT_CSV_RAW,
	                                &pr[3], msg, len)))
		goto out;
	for (size_t i = 0; i < sj->nids && !rc; i++) {
		crm_party_t *p;
		crm_event_query_t *q = NULL;
		crm_event_t *e;
		if ((rc = crm_party_load(s, sj->ids[i], &p)))
			break;
		rc = crm_printer_party(pr[0], p);
		if (!rc)
			rc = crm_printer_party(pr[1], p);
		nparties++;
		/* Each event names its party as crm-log --import reads it back. */
		if (!rc && !(rc = crm_event_query_open(s, &q)) && !(rc = crm_event_query_restrict(q, sj->ids[i]))) {
			crm_event_query_order(q, 1, -1);
			while (!rc && (rc = crm_event_query_next(q, &e)) == CRM_OK) {
				char *attrs = e->attrs && json_object_size(e->attrs) ?
				              crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
				const char *v[16] = { p->v[CRM_F_EMAIL], p->v[CRM_F_EXT_ID] };
				for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++)
					v[2 + f - CRM_E_AT] = e->v[f];
				v[15] = attrs;
				/* The amount is a JSON number, the attributes an object. */
				unsigned long long raw = 1ULL << (2 + CRM_E_AMOUNT - CRM_E_AT) | 1ULL << 15;
				rc = crm_printer_row(pr[2], v, raw);
				if (!rc)
					rc = crm_printer_row(pr[3], v, 0);
				free(attrs);
				crm_event_free(e);
				nevents++;
			}
			if (rc == CRM_EOF)
				rc = CRM_OK;
		}
		crm_event_query_free(q);
		crm_party_free(p);
	}
	for (int i = 0; i < 4 && !rc; i++)
		rc = crm_printer_finish(pr[i]);
out:
	for (int i = 0; i < 4; i++) {
		crm_printer_free(pr[i]);
		if (fp[i] && !rc)
			named[i] = !(rc = commit_file(fp[i], tmp[i], dir, names[i], msg, len));
		else if (fp[i])
			crm_file_discard(fp[i], tmp[i]);
	}
	if (rc)
		goto unmake;
	/* The manifest: what each file is, its size and checksum, how to read it back. */
	json_t *m = json_pack("{s:s,s:i,s:s?,s:{s:I,s:I},s:[],s:s}", "document", "crm-portable",
	                      "version", 1, "request_id", request_id, "counts", "parties",
	                      (json_int_t)nparties, "events", (json_int_t)nevents, "files",
	                      "import", "crm-add parties.jsonl && crm-log --import events.jsonl");
	char now[21];
	now_iso(now);
	if (m)
		json_object_set_new(m, "generated", json_string(now));
	for (int i = 0; i < 4 && m && !rc; i++) {
		char sum[65];
		long long size;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((rc = file_sha256(path, sum, &size)))
			break;
		json_array_append_new(json_object_get(m, "files"),
		                      json_pack("{s:s,s:I,s:s}", "name", names[i], "bytes",
		                                (json_int_t)size, "sha256", sum));
	}
	if (!m) {
		rc = CRM_NOMEM;
		goto unmake;
	}
	FILE *mf = NULL;
	if (!rc)
		rc = create_0600(s, dir, "manifest.json", tmp[4], sizeof tmp[4], &mf, msg, len);
	if (!rc && (json_dumpf(m, mf, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
	            fputc('\n', mf) == EOF)) {
		msgf(msg, len, "%s/manifest.json: %s", dir, strerror(errno));
		rc = CRM_IO;
	}
	if (mf && !rc)
		rc = commit_file(mf, tmp[4], dir, "manifest.json", msg, len);
	else if (mf)
		crm_file_discard(mf, tmp[4]);
	json_decref(m);
unmake:
	/* Nothing half made: on failure the files already given their names go too. */
	for (int i = 0; i < 4 && rc; i++)
		if (named[i]) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			unlink(path);
		}
	return rc;
}
