/* SPDX-License-Identifier: MIT */
/*
 * gdpr-private.h: what the GDPR's files share: the data subject
 * (subject.c), erasure (erase.c), the access and portability documents
 * (access.c), and their SQL (gdpr-sql.c, the only one of them that talks
 * to SQLite).
 */
#ifndef GDPR_PRIVATE_H
#define GDPR_PRIVATE_H

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

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

/* Add a party to the subject, once. */
static inline int
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

/* A token the raw files are searched for: at least 4 bytes, once. */
static inline int
add_token(crm_subject_t *sj, const char *t)
{
	if (!t || strlen(t) < 4 || strv_has(&sj->tokens, t))
		return CRM_OK;
	return strv_push(&sj->tokens, t);
}

/* Whether a byte can be part of a word (ASCII letters and digits, UTF-8). */
static inline int
wordbyte(unsigned char c)
{
	/* "accounting" is not a word of "accounting_kept". */
	return isalnum(c) || c == '_' || c >= 0x80;
}

/* Identifiers and tokens of the subject's parties, read from the store (subject.c). */
int subject_gather(crm_store_t *s, crm_subject_t *sj);

/* ------------------------------------------------------------------ */
/* gdpr-sql.c: the persistence of the above, with bound parameters. */

/* What a subject's spelling is looked up as (gdpr_ids_where()). */
enum gdpr_by {
	GDPR_BY_EMAIL,          /* a normalised e-mail: the party's, or one of its others */
	GDPR_BY_ID,             /* a party id, in digits */
	GDPR_BY_EXT_ID,         /* an ext_id as given */
	GDPR_BY_PHONE,          /* a normalised phone: the party's, or one of its others */
};

/* The parties whose identifier of that kind is v, into sj.  CRM_OK, CRM_STORE, CRM_NOMEM. */
int gdpr_ids_where(crm_store_t *s, crm_subject_t *sj, enum gdpr_by by, const char *v);

/*
 * A national number (0612345678; tail: its digits after the 0): the
 * parties whose stored number, read in their own country, is that one.
 */
int gdpr_national(crm_store_t *s, crm_subject_t *sj, const char *value, const char *tail);

/*
 * Each party's identifiers (normalised e-mail, normalised phone, ext_id,
 * the e-mail as stored; NULL where it has none), and each of its other
 * e-mails and phones as a row of its own: each() with the party's id, until
 * it returns other than CRM_OK (returned).
 */
int gdpr_identifiers(crm_store_t *s,
                     int (*each)(void *ctx, int64_t id, const char *const v[4]), void *ctx);

/*
 * What the law keeps of a party (its purchases and refunds), moved to a
 * new party of its own with no identity; *kept counts them.
 */
int gdpr_keep_accounting(crm_store_t *s, int64_t id, const char *now, long *kept);

/* The rows of an erasure, one kind at a time, in the order erase.c gives. */
enum gdpr_rows {
	GDPR_EVENTS,            /* the party's events */
	GDPR_TAGS,              /* its tags */
	GDPR_FACTS,             /* its facts */
	GDPR_ORG_OF,            /* the links of the persons of an organization to it */
	GDPR_PARTY,             /* the party itself */
};

/* Delete the rows of that kind of party id; *changed (if not NULL) counts them. */
int gdpr_delete(crm_store_t *s, enum gdpr_rows what, int64_t id, long *changed);

/*
 * Mentions of a token in other parties' notes and in events' subjects and
 * bodies replaced by "[erased]" (whole identifiers only); *n counts the
 * rows.  gdpr_redact_begin() first, once a connection.
 */
int gdpr_redact_begin(crm_store_t *s);
int gdpr_redact(crm_store_t *s, const char *token, long *n);

/* Record an unfinished erasure (gdpr_pending); *id its id. */
int gdpr_pending_add(crm_store_t *s, const char *now, const char *action, const char *request_id,
                     const char *keys, const char *value, const char *counts, const char *nonce,
                     const char *sealed, int64_t *id);

/*
 * Read one back: e's started, action, request_id and counts, and the
 * keys, value, nonce and sealed text (copies; caller frees; NULL where the
 * record has none or memory ran out).  CRM_OK, CRM_NOTFOUND (finished by
 * another program, with the store's message), CRM_STORE.
 */
int gdpr_pending_get(crm_store_t *s, int64_t id, struct crm_erasure *e, char **keys,
                     char **value, char **nonce, char **sealed);

/* The record gone: the erasure is finished. */
int gdpr_pending_done(crm_store_t *s, int64_t id);

/* The store's schema, in lower case (caller frees; NULL when unreadable). */
char *gdpr_schema_text(crm_store_t *s);

/*
 * Every identifier of every party, normalised and as stored (e-mails and
 * phones, the others too): each(), until it returns other than CRM_OK.
 */
int gdpr_all_identifiers(crm_store_t *s, int (*each)(void *ctx, const char *v), void *ctx);

/* Whether the full-text index has the word w, as a phrase (one it cannot search: no). */
int gdpr_shared_word(crm_store_t *s, const char *w, int *shared);

/* The pins of the parties' in saved segments: each() (segment, party id, pin). */
int gdpr_pins(crm_store_t *s, const int64_t *ids, size_t n,
              int (*each)(void *ctx, const char *segment, int64_t id, const char *pin), void *ctx);

/* The parties whose notes hold the identifier v: each() with their id. */
int gdpr_note_mentions(crm_store_t *s, const char *v, int (*each)(void *ctx, int64_t id),
                       void *ctx);

/* The events whose subject or body holds v: each() (event id, party id, "subject" or "body"). */
int gdpr_event_mentions(crm_store_t *s, const char *v,
                        int (*each)(void *ctx, int64_t event, int64_t party, const char *field),
                        void *ctx);

#endif
