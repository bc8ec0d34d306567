/* SPDX-License-Identifier: MIT */
/*
 * crm-private.h: what the files of lib/ share and the programs never see.
 */
#ifndef CRM_PRIVATE_H
#define CRM_PRIVATE_H

#include <jansson.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm.h"

/* A growable vector of owned strings. */
struct strv {
	char **v;
	size_t n, cap;
};

int strv_push(struct strv *sv, const char *s);
int strv_has(const struct strv *sv, const char *s);
void strv_clear(struct strv *sv);

/* A growable byte buffer, always NUL-terminated when len > 0. */
struct buf {
	char *p;
	size_t len, cap;
	int err;                /* an append failed: the text is incomplete */
};

int buf_add(struct buf *b, const void *s, size_t n);
/* One byte appended: in line, as norm_phone() adds a key's digits one by one. */
static inline int
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
}
int buf_adds(struct buf *b, const char *s);
void buf_reset(struct buf *b);
void buf_free(struct buf *b);

struct crm_party {
	int64_t id;
	char idbuf[24];
	char *v[CRM_NFIELDS];   /* scalar fields; NULL when absent */
	struct strv tags;       /* tags (to add, when merging) */
	struct strv untags;     /* tags to remove */
	int tags_given;         /* the input named a tags field */
	json_t *attrs;          /* object, or NULL */
	int utf8_ok;            /* every value is known to be valid UTF-8 */
	struct crm_event *ev;   /* the event of an event record (see read.c) */
};

struct crm_event {
	int64_t id, party_id;
	char *v[CRM_E_NFIELDS];  /* text fields; amount as its canonical text */
	json_t *attrs;
	long long amount;       /* ten-thousandths, when has_amount */
	int has_amount;
};

struct sqlite3_stmt;
struct crm_event_query {
	crm_store_t *s;
	char *eq[CRM_E_NFIELDS]; /* field = value filters */
	char since[21], until[21];
	int oldest_first;
	long limit;
	int restricted;
	long nparties;          /* parties in the restriction, and the first */
	int64_t first_party;
	int64_t one;            /* one event by id */
	int64_t after;          /* events above this id, by id (-1: all) */
	int tasks;              /* open tasks only, by due date */
	char due_before[11];
	struct sqlite3_stmt *st, *ins;
};

/* Lower case; runs of spaces, dashes, dots and underscores become one '_'. */
void fold_header(const char *s, char *out, size_t len);

/* The event field a header names, exactly or by a synonym; -1 if none. */
int event_field_synonym(const char *name);

/*
 * The toolkit's type for another system's word for it (open, hardBounce,
 * orders): the type is replaced, the word kept as attrs.source_type.
 */
int event_type_map(crm_event_t *e);

/* Give an event without a ref one made of its fields (see event.c). */
int event_auto_ref(crm_event_t *e);

/* Whether a field holds a string value (not id, tags, attrs). */
int crm_field_is_scalar(int field);

/*
 * Check that s (len bytes) is UTF-8 with no NUL; returns the offset of
 * the first bad byte, or -1 when all is well.
 */
long utf8_check(const char *s, size_t len);

/* Whether s holds a control character other than TAB, LF, CR. */
int has_control(const char *s);

/*
 * The id of a new party, in SQL: above every stored one and every one
 * ever deleted (party_seq, schema 13), so that no id is given twice.
 */
#define PARTY_NEXT_ID \
	"(SELECT max(coalesce((SELECT max(id) FROM party), 0), n) + 1 FROM party_seq)"

/*
 * Surrounding Unicode White_Space taken off s: the start, *n its length;
 * white_trim_dup() gives a copy (NULL when out of memory).
 */
const char *white_trim(const char *s, size_t *n);
char *white_trim_dup(const char *s);

/*
 * Set the attribute key of *attrs (made when NULL) to the text value, or
 * to null when value is NULL, both without their surrounding white space;
 * a value of white space alone sets nothing.  CRM_OK, CRM_BADINPUT (not
 * UTF-8), CRM_NOMEM.
 */
int attrs_set(json_t **attrs, const char *key, const char *value);

/* Surrounding white space off the keys and string values of attributes; *changed counts. */
int attrs_trim(json_t *attrs, int *changed);

/*
 * Numbers kept as written (see crm-records(5), "Numbers"): crm_json_load()
 * parses JSON text as json_loadb() does, but each number is held as its
 * literal, in a string that begins with a NUL byte (which no input string
 * holds); crm_json_dumps() writes such strings back as the numbers they
 * are; crm_json_number() is the literal of one, or NULL for any other
 * value; crm_json_plain() is a new reference to v with them made Jansson
 * numbers again (for the party's own fields).
 */
json_t *crm_json_load(const char *s, size_t n, size_t flags, json_error_t *je);
char *crm_json_dumps(const json_t *v, size_t flags);
const char *crm_json_number(const json_t *v);
json_t *crm_json_plain(json_t *v);

/* Normalised match keys; caller frees; NULL for an empty result. */
/*
 * An e-mail's match key as versions before schema 14 made it (trimmed,
 * ASCII lower case, nothing else): the suppression ledger's older entries
 * are keyed by it.
 */
char *norm_email_legacy(const char *s);
char *norm_email(const char *s);
char *norm_phone(const char *s, const char *country);

/* Whether s is a valid e-mail address (surrounding white space allowed). */
int email_valid(const char *s);

/* Current time as ISO 8601 UTC "YYYY-MM-DDTHH:MM:SSZ" into buf[21]. */
void now_iso(char buf[21]);

/* Seconds since 1970 of a stored time "YYYY-MM-DDTHH:MM:SSZ", and back. */
int64_t iso_seconds(const char *iso);
void iso_of(time_t t, char out[21]);

/* Whether s is YYYY-MM-DD, --MM-DD, or an ISO timestamp (when ts). */
int date_valid(const char *s, int ts);

/*
 * Parse a time: ISO 8601 with or without an offset (without one, local
 * time in TZ; a wall time that a daylight-saving change skips or repeats
 * is refused), a date, "now", or a relative time: N followed by h, d, w,
 * m or y is that long ago ("+N..." or, when future is set, "N..." ahead).
 * Writes "YYYY-MM-DDTHH:MM:SSZ" into out.  CRM_OK, CRM_BADINPUT with msg.
 */
int time_parse(const char *s, int future, char out[21], char *msg, size_t len);

/*
 * A length of time: N then a unit, with or without a space between:
 * h, hour(s); d, day(s); w, week(s); m, mo, month(s); y, year(s); case
 * ignored.  1 with N (capped at 1000000) and the unit (h, d, w, m or y);
 * 0 when s is no length.
 */
int length_parse(const char *s, long *n, char *unit);

/*
 * Amounts: a decimal with at most 4 decimals, kept exactly as an integer
 * of ten-thousandths.  amount_parse() returns 0 when s is no amount;
 * amount_format() writes at least 2 decimals.
 */
int amount_parse(const char *s, long long *out);
void amount_format(long long v, char out[32]);

/* Format a message into msg (size len). */
void msgf(char *msg, size_t len, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/*
 * What a Jansson error says, in the toolkit's words: never the name of
 * one of Jansson's flags.  Written into buf (size len), returned.
 */
const char *json_why(const json_error_t *je, char *buf, size_t len);

/* Quote a value for a message: at most 60 bytes, controls escaped. */
const char *quoted(const char *s, char *buf, size_t len);

/* The internal SQLite handle, for the store and persistence files (*-sql.c). */
struct sqlite3;
struct sqlite3 *store_db(crm_store_t *s);
void store_seterr(crm_store_t *s, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
int store_status(crm_store_t *s, int rc);
/*
 * Write-transaction state for the party layer: whether a transaction is
 * open (and the highest id indexed in full text before it), a mark that
 * rows wait for the index (org: an organization was written), whether the
 * store holds organizations, and the flush that indexes waiting rows.
 */
int store_in_tx(crm_store_t *s, long long *fts_base);
/* Whether a new party may take SQLite's next rowid for PARTY_NEXT_ID (see store.c). */
int store_party_auto_id(crm_store_t *s, int *yes);
void store_mark(crm_store_t *s, int org);
int store_has_orgs(crm_store_t *s);
int store_fts_flush(crm_store_t *s);
struct sqlite3_stmt *store_stmt(crm_store_t *s, const char *key, const char *sql);

/* Compute scores into temp.crm_score (see score-sql.c).  msg says what failed. */
int score_compute(crm_store_t *s, int which, const struct crm_score_opts *o, char *msg, size_t len);
/*
 * The same for the sorted ids only (the base's distributions are still
 * read whole): much less work when a few parties are asked for.
 */
int score_compute_for(crm_store_t *s, int which, const struct crm_score_opts *o,
                      const int64_t *focus, size_t nfocus, char *msg, size_t len);
/* Compute the query's scores for these sorted ids only (see score_compute_for()). */
int query_score_focus(crm_query_t *q, const int64_t *ids, size_t n);


/* The time of --as-of (NULL: now); a bare date means the end of that day. */
int as_of_time(const char *spec, char out[21], char *msg, size_t len);
int time_of_option(const char *opt, const char *spec, char out[21], char *msg, size_t len);

/* Insert the query's parties as the frozen members of a segment (*n of them). */
int query_into_segment(crm_query_t *q, const char *segment, int64_t *n);
/*
 * crm_query_compile(), with thawed 1: segment:NAME reads the rules of a
 * frozen segment, not its snapshot (the check of a save for loops).
 */
int query_compile(crm_store_t *s, int nterms, char **terms, int thawed, crm_query_t **out,
                  char *msg, size_t len);

/* A party's e-mails or phones beyond the first (kind "email" or "phone"), normalised. */
int party_idents(const crm_party_t *p, const char *kind, struct strv *out);
/* Append a string to an attribute, made a list if it held one string. */
int attr_list_add(crm_party_t *p, const char *key, const char *v);

/* *slot freed and made a copy of v (the party's fields): CRM_OK, CRM_NOMEM. */
static inline int
replace(char **slot, const char *v)
{
	char *n = strdup(v);
	if (!n)
		return CRM_NOMEM;
	free(*slot);
	*slot = n;
	return CRM_OK;
}

/* Fill a party from a row of the party SELECT (see party-sql.c). */
struct sqlite3_stmt;
int party_from_row(struct sqlite3_stmt *st, crm_party_t **out);
/* The column list that party_from_row() expects, for "SELECT %s FROM party p". */
extern const char party_columns[];
extern const char party_from[];
extern const char *const party_column_expr[CRM_F_OPEN_TASKS + 1];

/* The facts of a party from its events (see store_facts_flush()). */
#define FACTS_SELECT \
	"SELECT party_id, max(CASE WHEN type <> 'task' THEN at END)," \
	" max(CASE WHEN direction = 'in' THEN at END)," \
	" min(CASE WHEN type = 'purchase' THEN at END)," \
	" max(CASE WHEN type = 'purchase' THEN at END), sum(type = 'purchase')," \
	" CASE WHEN count(DISTINCT CASE WHEN type IN ('purchase', 'refund') THEN currency END) = 1" \
	" THEN sum(CASE WHEN type = 'purchase' THEN amount WHEN type = 'refund' THEN -amount END) END," \
	" CASE WHEN count(DISTINCT CASE WHEN type IN ('purchase', 'refund') THEN currency END) = 1" \
	" THEN max(CASE WHEN type IN ('purchase', 'refund') THEN currency END) END"

/* The same, with the open tasks and the count of amounts (schema 5). */
#define FACTS_SELECT5 FACTS_SELECT "," \
	" sum(type = 'task' AND status = 'open')," \
	" count(CASE WHEN type IN ('purchase', 'refund') AND currency IS NOT NULL THEN 1 END)"

/*
 * The schema (schema.c): the version this program makes, and the
 * migrations run on db up to it, each in the one transaction that it
 * begins and commits.  *version is the store's version (above
 * schema_version: a newer program's store, left as it is).  An SQLite
 * status; when a statement failed, *err its message (sqlite3_free()),
 * the transaction left open for the caller to roll back.
 */
extern const int schema_version;
int schema_migrate(struct sqlite3 *db, int *version, char **err);

/* Recompute the facts of the parties whose events changed (at commit). */
int store_facts_flush(crm_store_t *s);
/* Note that events were added: their facts are merged at commit. */
void store_events_added(crm_store_t *s);
/* SHA-256 through libcrypto, loaded on first use (audit.c); NULL: not loaded. */
void *sha256_begin(void);
void sha256_add(void *c, const void *p, size_t n);
int sha256_end(void *c, char out[65]);
/* The store's path; the secret of its keyed hashes, cached once read. */
const char *store_file(const crm_store_t *s);
int store_key_cached(crm_store_t *s, unsigned char key[32]);
void store_key_cache(crm_store_t *s, const unsigned char key[32]);
/* The suppression ledger open in this transaction (see ledger.c), and its release. */
void **store_ledger_slot(crm_store_t *s);
void ledger_release(crm_store_t *s);
/* What the store calls at the end of each transaction (commit, rollback, close). */
void store_on_tx_end(crm_store_t *s, void (*fn)(crm_store_t *));
/*
 * Whether imports must be checked against the ledger (one exists, or an
 * erasure waits): asked once a transaction.  CRM_OK, CRM_STORE (msg).
 */
int ledger_active(crm_store_t *s, int *active, char *msg, size_t len);
/*
 * Whether one of n identifiers (kinds[i] "email", "phone", "ext_id";
 * values normalised) is suppressed: *which its index, n when none.
 */
int ledger_suppressed(crm_store_t *s, size_t n, const char *const kinds[],
                      const char *const values[], size_t *which, char *msg, size_t len);
/* The ledger's path (PATH.suppress); open it (a GDBM_FILE) to read or write, NULL on error. */
void ledger_path(crm_store_t *s, char *buf, size_t len);
void *ledger_open(crm_store_t *s, int write);
/*
 * Whether the store's key is the one the open ledger was made with (its
 * check kept in it; with write, recorded when it has none).  CRM_OK,
 * CRM_STORE with the store's message.
 */
int ledger_key_ok(crm_store_t *s, void *ledger, int write);
/* Write keyed hashes (a JSON array of hex) into the ledger; an entry made before stays. */
int ledger_write(crm_store_t *s, const char *keys, const char *value);
/* A copy of the n bytes at s, NUL-terminated (strndup without its scan); NULL: no memory. */
char *strdup_n(const char *s, size_t n);
/* The value of a hex digit, either case; -1 if c is none. */
int hexval(int c);
/* fsync the directory that holds path, so that a name made or renamed there stays: 0, -1 (errno). */
int sync_parent_dir(const char *path);

/* The decimal number that s starts with ("-" allowed), 0 if none: the digits checked before. */
long dec_prefix(const char *s);

/* Whether s looks like a phone number: digits and separators, 6 digits or more. */
int phone_like(const char *s);
/* Whether erasures wait to be finished, known in this transaction (-1: not yet). */
int *store_pending_slot(crm_store_t *s);
/* The erasure lock's descriptor (see crm_gdpr_lock()), -1 when not held. */
int *store_gdpr_lock_slot(crm_store_t *s);
/* How long to wait for a store, or a lock, in use (milliseconds). */
long store_busy_ms(const crm_store_t *s);
/* The count of staged events (see crm_event_stage()). */
long *store_staged(crm_store_t *s);
/* The highest event id now (0 for none). */
int store_event_base(crm_store_t *s, int64_t *base);
/* The last event id before this transaction began. */
int64_t store_tx_event_base(const crm_store_t *s);
/* Note that a party's events changed otherwise: its facts are recomputed. */
int store_facts_touch(crm_store_t *s, int64_t party_id);

#include "banned.h"

#endif
