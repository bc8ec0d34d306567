/* SPDX-License-Identifier: MIT */
/*
 * erase.c: a data subject's erasure: its rows deleted in order (what the
 * law keeps set aside with no identity), others' mentions redacted, the
 * unfinished part recorded in the same transaction and finished later
 * (the suppression ledger, the files purged, their raw bytes verified),
 * and the erasure's JSON documents.  Its SQL is in gdpr-sql.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/random.h>
#include <unistd.h>

#include "crm-private.h"
#include "gdpr-private.h"

/* ------------------------------------------------------------------ */
/* Erasure. */

/*
 * Mentions of the subject's identifiers in other parties' notes and in
 * other events' subjects and bodies, replaced by "[erased]".
 */
static int
redact(crm_store_t *s, crm_subject_t *sj, long *n)
{
	int rc = gdpr_redact_begin(s);

	if (rc)
		return rc;
	for (size_t i = 0; i < sj->tokens.n; i++) {
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
		if ((rc = gdpr_redact(s, tok, n)))
			return rc;
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
	if ((rc = store_fts_flush(s)) || (rc = subject_gather(s, sj)))
		return rc;
	now_iso(now);
	for (size_t i = 0; i < sj->nids; i++) {
		int64_t id = sj->ids[i];
		/* What the law keeps, under a party of its own with no identity. */
		if ((flags & CRM_ERASE_KEEP_ACCOUNTING) &&
		    (rc = gdpr_keep_accounting(s, id, now, &counts[CRM_ERASE_KEPT])))
			return rc;
		/* The party's rows, then its organization's links to it, then itself. */
		if ((rc = gdpr_delete(s, GDPR_EVENTS, id, &counts[CRM_ERASE_EVENTS])) ||
		    (rc = gdpr_delete(s, GDPR_TAGS, id, &counts[CRM_ERASE_TAGS])) ||
		    (rc = gdpr_delete(s, GDPR_FACTS, id, &counts[CRM_ERASE_FACTS])) ||
		    (rc = gdpr_delete(s, GDPR_ORG_OF, id, NULL)) ||
		    (rc = gdpr_delete(s, GDPR_PARTY, id, &counts[CRM_ERASE_PARTIES])))
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
	if (!rc && !(rc = gdpr_pending_add(s, now, flags & CRM_ERASE_REPLAY ? "replay" : "erase",
	                                   request_id, kt, vt, cj, nonce, sealed, pending)))
		*store_pending_slot(s) = 1;
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
	json_t *o = json_pack("{s:I,s:I,s:I,s:I,s:I,s:I,s:I}",
	                      "parties", (json_int_t)c[CRM_ERASE_PARTIES],
	                      "events", (json_int_t)c[CRM_ERASE_EVENTS],
	                      "tags", (json_int_t)c[CRM_ERASE_TAGS],
	                      "facts", (json_int_t)c[CRM_ERASE_FACTS],
	                      "accounting_kept", (json_int_t)c[CRM_ERASE_KEPT],
	                      "identifiers_suppressed", (json_int_t)c[CRM_ERASE_SUPPRESSED],
	                      "mentions_redacted", (json_int_t)c[CRM_ERASE_REDACTED]);
	size_t n = o && len ? json_dumpb(o, buf, len - 1, JSON_COMPACT) : 0;

	json_decref(o);
	/* Whole or not at all: a cut object would be no JSON. */
	if (len)
		buf[n < len ? n : 0] = '\0';
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

char *
crm_erasure_none(void)
{
	json_t *o = json_pack("{s:i,s:n}", "replayed", 0, "erased");
	char *text = o ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;

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
	char *keys = NULL, *value = NULL, *nonce = NULL, *sealed = NULL;
	int had = *store_gdpr_lock_slot(s) >= 0, rc;

	memset(e, 0, sizeof *e);
	e->id = id;
	/* Only one program finishes it: the others wait, then find it gone. */
	if ((rc = crm_gdpr_lock(s, 1)))
		return rc;
	if ((rc = gdpr_pending_get(s, id, e, &keys, &value, &nonce, &sealed)))
		goto out;
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
			rc = gdpr_pending_done(s, id);
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

/* ------------------------------------------------------------------ */
/* Verification: the raw bytes of the files. */

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
struct supers {
	const struct strv *tok;
	size_t nstrict, cap, n;
	struct super *out;
};

static int
super_of(void *ctx, const char *v)
{
	struct supers *u = ctx;

	for (size_t i = 0; i < u->nstrict; i++) {
		if (!strcmp(v, u->tok->v[i]))
			continue;
		for (const char *at = strstr(v, u->tok->v[i]); at && u->n < 1000;
		     at = strstr(at + 1, u->tok->v[i])) {
			if (u->n == u->cap) {
				size_t cap = u->cap ? 2 * u->cap : 16;
				struct super *p = realloc(u->out, cap * sizeof *p);
				if (!p)
					return CRM_NOMEM;
				u->out = p;
				u->cap = cap;
			}
			struct super *w = &u->out[u->n];
			if (!(w->v = strdup(v)))
				return CRM_NOMEM;
			w->tok = i;
			w->off = (size_t)(at - v);
			w->len = strlen(v);
			u->n++;
		}
	}
	return CRM_OK;
}

static int
supers(crm_store_t *s, const struct strv *tok, size_t nstrict, struct super **out, size_t *n)
{
	struct supers u = { tok, nstrict, 0, 0, NULL };
	int rc = gdpr_all_identifiers(s, super_of, &u);

	*out = u.out;
	*n = u.n;
	return rc;
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
	char *schema = gdpr_schema_text(s);
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
		if ((rc = gdpr_shared_word(s, sj->words.v[i], &shared))) {
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
