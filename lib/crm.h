/* SPDX-License-Identifier: MIT */
/*
 * crm.h: the public interface of libcrm, the core of the crm toolkit.
 *
 * Layers.  The library is in layers, each using only its own and those
 * before it (tests/layers.sh checks it, from the objects):
 *
 *   base -> store -> records (party, event, ledger, audit)
 *        -> formats (reader, printer)
 *        -> selection (query, segment, score)
 *        -> features (reports, erasure, access)
 *
 * base is the fields and the text helpers; store the SQLite store, its
 * schema and transactions; the records are what the store holds; the
 * formats read records in and print them out; selection finds parties
 * (terms, saved segments, scores); the features are built on all of it:
 * reports, the GDPR's erasure and its access (export, portability).  A
 * record enters by the reader, is checked by party or event, stored by
 * their persistence and the store, and leaves by the printer.  Above the
 * library, cli/crm-cli.h is what the programs share.
 *
 * The files, by layer: base text.c (strings, UTF-8), norm.c (white space,
 * e-mail and phone keys), when.c (times), money.c (amounts, the currency
 * rule), util.c, fields.c; store store.c, schema.c; records party.c,
 * event.c (the records, their checks), party-sql.c, event-sql.c (their
 * rows), ledger.c, audit.c; formats read.c and the reader's modules
 * (lib/read-private.h names them), print.c; selection query.c (terms),
 * query-sql.c (their SQL), segment.c, score.c (maths), score-sql.c (rows);
 * features report.c (tables), report-sql.c (queries), subject.c, erase.c,
 * access.c, gdpr-sql.c.  SQL text is only in the store's files and those
 * named *-sql.c, with segment.c, ledger.c and audit.c (tests/layers.sh).
 *
 * Statuses.  A function that returns int returns a status (enum
 * crm_status, CRM_OK is 0) unless its comment says it returns something
 * else (a count, a field, a yes or no); its comment lists the statuses it
 * returns.  "A store error" stands for CRM_BUSY, CRM_IO, CRM_NOMEM or
 * CRM_STORE as SQLite's result maps to them, with crm_store_errmsg()
 * saying why.  Where a function takes msg and len, msg (size len) says
 * what is wrong on the statuses the comment names.  Results come back
 * through out-parameters, set only on CRM_OK unless said otherwise.
 *
 * Lifecycle and ownership, the words in use:
 *   new / free       an object made by crm_X_new() (NULL, or CRM_NOMEM,
 *                    when out of memory), freed by crm_X_free(), which
 *                    takes NULL;
 *   open / next / close
 *                    a handle, a stream or an iterator (the store, a
 *                    reader, a printer, a compiled query, an event
 *                    query, a segment, the audit trail; a compiled query
 *                    is opened by crm_query_compile()): crm_X_next()
 *                    gives CRM_OK and an item, then CRM_EOF; closed once
 *                    by crm_X_close(), which takes NULL, whatever next
 *                    returned;
 *   begin / commit / rollback
 *                    the store's one write transaction;
 *   stage / flush    rows held in the transaction, written at once;
 *   create / commit / discard
 *                    a file written whole or not at all;
 *   lock / unlock    the erasure lock;
 *   erase / pending / finish
 *                    an erasure committed, then finished (crm_gdpr_finish());
 *   clear            a struct filled in place, its members freed;
 *   borrowed         pointed into the object that returned it: valid
 *                    until that object changes or is freed, never freed
 *                    by the caller;
 *   caller frees     the caller owns it and frees it with the function
 *                    named (free() when none is).
 *
 * The library never prints, never exits and reads no environment (a
 * program gives it its settings, see crm_settings_set()); a program turns
 * a status into a message and an exit code with the helpers of
 * cli/crm-cli.h.
 */
#ifndef CRM_H
#define CRM_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#define CRM_VERSION "0.2.0"

/* Statuses.  Each maps to one exit code (see crm_status_exit()). */
enum crm_status {
	CRM_OK = 0,
	CRM_NOMATCH,   /* nothing matched: exit 1 */
	CRM_USAGE,     /* bad option or term: exit 2 */
	CRM_BADINPUT,  /* bad input record: exit 3 */
	CRM_EOF,       /* end of a stream (never an error) */
	CRM_NOTFOUND,  /* a lookup found nothing (never an error by itself) */
	CRM_CONFLICT,  /* a record exists and --on-conflict error was asked */
	CRM_NOMEM,     /* out of memory: exit 4 */
	CRM_IO,        /* I/O or system error: exit 4 */
	CRM_STORE,     /* store error (corrupt, schema too new): exit 4 */
	CRM_BUSY,      /* store locked by another writer: exit 5 */
};

/* Exit codes, the same in every program and every man page. */
enum crm_exit {
	CRM_EXIT_OK = 0,
	CRM_EXIT_NOMATCH = 1,
	CRM_EXIT_USAGE = 2,
	CRM_EXIT_BADINPUT = 3,
	CRM_EXIT_STORE = 4,
	CRM_EXIT_BUSY = 5,
};

/* The exit code for a status (an enum crm_exit value, not a status). */
int crm_status_exit(int status);

/* A short lower-case description of a status; a static string. */
const char *crm_status_str(int status);

/*
 * Party fields, in their canonical order (the order of output columns).
 * The names are the JSON keys and CSV headers; see crm-records(5).
 */
enum crm_field {
	CRM_F_ID,
	CRM_F_TYPE,
	CRM_F_KIND,
	CRM_F_NAME,
	CRM_F_FIRST_NAME,
	CRM_F_LAST_NAME,
	CRM_F_EMAIL,
	CRM_F_PHONE,
	CRM_F_ORG,
	CRM_F_ORG_ID,
	CRM_F_TITLE,
	CRM_F_CITY,
	CRM_F_POSTCODE,
	CRM_F_COUNTRY,
	CRM_F_BIRTHDATE,
	CRM_F_GENDER,
	CRM_F_NOTES,
	CRM_F_EXT_ID,
	CRM_F_CREATED,
	CRM_F_UPDATED,
	CRM_F_TAGS,
	CRM_F_ATTRS,
	/* Facts derived from events: printed only when --fields names them. */
	CRM_F_LAST_ACTIVITY,
	CRM_F_LAST_INBOUND,
	CRM_F_FIRST_PURCHASE,
	CRM_F_LAST_PURCHASE,
	CRM_F_PURCHASES,
	CRM_F_REVENUE,
	CRM_F_REVENUE_CURRENCY,
	CRM_F_OPEN_TASKS,
	/* Scores, computed for a run (see crm_query_scores()): RFM, churn, propensity. */
	CRM_F_RFM_R,
	CRM_F_RFM_F,
	CRM_F_RFM_M,
	CRM_F_RFM,
	CRM_F_RFM_SEGMENT,
	CRM_F_DAYS_SINCE_PURCHASE,
	CRM_F_USUAL_GAP,
	CRM_F_CHURN_RISK,
	CRM_F_CHURNED,
	CRM_F_PROPENSITY,
	CRM_F_EXPLAIN,
	CRM_NFIELDS
};

/* Whether a field is a fact derived from events (never read from input). */
#define CRM_FIELD_IS_FACT(f) ((f) > CRM_F_ATTRS && (f) < CRM_NFIELDS)
/* Whether a field is a score, computed by a run and never stored. */
#define CRM_FIELD_IS_SCORE(f) ((f) >= CRM_F_RFM_R && (f) < CRM_NFIELDS)

/* The name of a field; a static string. */
const char *crm_field_name(int field);

/*
 * The field a name stands for: exact names first, then, when synonyms is
 * non-zero, common header synonyms (company -> org, mobile -> phone, ...),
 * compared case-insensitively with spaces, dashes and underscores alike.
 * Returns the field, or -1 when the name is no party field.
 */
int crm_field_lookup(const char *name, int synonyms);

/* The record format version documented in crm-records(5). */
#define CRM_RECORD_VERSION 2

/* ---------------------------------------------------------------- */
/* Parties. */

typedef struct crm_party crm_party_t;

/* A new empty party; NULL when out of memory.  Free with crm_party_free(). */
crm_party_t *crm_party_new(void);

/* Free a party; NULL is allowed. */
void crm_party_free(crm_party_t *p);

/* The party's id, 0 when it has none; set it (to match on, in lookups). */
int64_t crm_party_id(const crm_party_t *p);
void crm_party_set_id(crm_party_t *p, int64_t id);

/*
 * The value of a scalar field, NULL when absent.  Borrowed until the
 * party changes or is freed.  For CRM_F_ID the decimal id is returned.
 */
const char *crm_party_get(const crm_party_t *p, int field);

/*
 * Set a scalar field (not tags or attrs) to a copy of value; NULL or ""
 * clears it.  No validation happens here: see crm_party_check().
 * CRM_OK, CRM_USAGE for a field that is not scalar, CRM_NOMEM.
 */
int crm_party_set(crm_party_t *p, int field, const char *value);

/* Add a tag (a copy) to the set of tags to add, or to the set to remove.  CRM_OK, CRM_NOMEM. */
int crm_party_add_tag(crm_party_t *p, const char *tag);
int crm_party_remove_tag(crm_party_t *p, const char *tag);

/*
 * Set a custom attribute KEY to a string value (NULL: remove it when
 * merging).  CRM_OK, CRM_BADINPUT when key or value is not UTF-8,
 * CRM_NOMEM.
 */
int crm_party_set_attr(crm_party_t *p, const char *key, const char *value);

/*
 * Lay src over dst: src's scalar fields replace dst's, its tags are added,
 * its tags to remove are removed, its attributes set.  CRM_OK, CRM_NOMEM.
 */
int crm_party_overlay(crm_party_t *dst, const crm_party_t *src);

/*
 * Check and complete a party read from input: field syntax (e-mail,
 * phone, dates, enumerations, UTF-8 without control characters), and the
 * derived name of a person.  CRM_OK; CRM_BADINPUT, *field set to the
 * offending field and msg (size len) saying what is wrong, the value
 * quoted; CRM_NOMEM.
 */
int crm_party_check(crm_party_t *p, int *field, char *msg, size_t len);

/* ---------------------------------------------------------------- */
/* Events: interactions, campaign events, purchases (see crm-log(1)). */

enum crm_event_field {
	CRM_E_ID,
	CRM_E_PARTY_ID,
	CRM_E_AT,
	CRM_E_CHANNEL,
	CRM_E_TYPE,
	CRM_E_DIRECTION,
	CRM_E_SUBJECT,
	CRM_E_BODY,
	CRM_E_AMOUNT,
	CRM_E_CURRENCY,
	CRM_E_CAMPAIGN,
	CRM_E_REF,
	CRM_E_DUE,              /* tasks: due date, assignee, open or done */
	CRM_E_ASSIGNEE,
	CRM_E_STATUS,
	CRM_E_ATTRS,
	CRM_E_NFIELDS
};

typedef struct crm_event crm_event_t;
typedef struct crm_event_query crm_event_query_t;
typedef struct crm_store crm_store_t;

/* The name of an event field (static), or the field of a name (-1). */
const char *crm_event_field_name(int field);
int crm_event_field_lookup(const char *name);

/*
 * A new empty event, or a copy of e (caller frees with crm_event_free(),
 * which takes NULL); NULL when out of memory.
 */
crm_event_t *crm_event_new(void);
crm_event_t *crm_event_copy(const crm_event_t *e);
void crm_event_free(crm_event_t *e);

/* The event's id and its party's, 0 when it has none. */
int64_t crm_event_id(const crm_event_t *e);
int64_t crm_event_party(const crm_event_t *e);

/* A text field (at, channel, ..., ref; amount as decimal text), or NULL; borrowed. */
const char *crm_event_get(const crm_event_t *e, int field);

/*
 * Set a text field from its text (NULL or "" clears it), or an attribute.
 * CRM_OK, CRM_USAGE for a field that is not text, CRM_BADINPUT (attribute
 * not UTF-8), CRM_NOMEM.
 */
int crm_event_set(crm_event_t *e, int field, const char *value);
int crm_event_set_attr(crm_event_t *e, const char *key, const char *value);

/*
 * Check an event and put it in canonical form: at parsed (any offset,
 * local time without one, "now" when absent) and written in UTC; channel,
 * type and direction lower case and known; direction implied by common
 * types; amount exact, currency ISO 4217 ($CRM_CURRENCY or EUR when an
 * amount has none).  CRM_OK; CRM_BADINPUT with *field and msg set;
 * CRM_NOMEM.
 */
int crm_event_check(crm_event_t *e, int *field, char *msg, size_t len);

/*
 * Whether a type is one the toolkit knows (call, note, sent, opened,
 * purchase, ..., task: see crm-log(1)): 1, or 0 with *nearest (unless
 * nearest is NULL) the known type it is nearest to (a prefix, or one or
 * two letters away; a static string), or NULL.  Not a status.
 */
int crm_event_type_known(const char *type, const char **nearest);

/*
 * Give e the toolkit's type for a mailer's or shop's word (open: opened,
 * hardBounce: bounced; see crm-log(1)), the word kept as the attribute
 * source_type; other types are left as they are.  CRM_OK, CRM_NOMEM
 * (CRM_BADINPUT when the word is not UTF-8, kept as source_type).
 */
int crm_event_type_map(crm_event_t *e);

/*
 * Record a checked event for a party, inside a transaction.  An event
 * with a ref that the party already has for an event of its type is not
 * recorded again: *result is
 * then CRM_UNCHANGED, else CRM_CREATED.  *stored (if not NULL) is the
 * event as stored (caller frees with crm_event_free()).  CRM_OK, or a
 * store error (msg says why, as crm_store_errmsg()).
 */
int crm_event_add(crm_store_t *s, const crm_event_t *e, int64_t party_id, int *result,
                  crm_event_t **stored, char *msg, size_t len);

/*
 * List events: open a query, narrow it, then step through it with
 * crm_event_query_next() (CRM_OK and *out, caller frees with
 * crm_event_free(); CRM_EOF at the end; a store error), then free it with
 * crm_event_query_close() (NULL allowed).  open: CRM_OK, CRM_NOMEM.
 * match: channel, type, direction or campaign equal to value; CRM_OK,
 * CRM_USAGE (a field that is none of these), CRM_NOMEM.  range: since
 * (inclusive) and until (exclusive), any crm-log(1) time; CRM_OK,
 * CRM_USAGE or CRM_BADINPUT with msg.  restrict: to one more party
 * (party_id < 0: to nobody yet); CRM_OK or a store error.  Newest first
 * unless oldest_first; limit < 0 for none.
 */
int crm_event_query_open(crm_store_t *s, crm_event_query_t **out);
int crm_event_query_match(crm_event_query_t *q, int field, const char *value);
int crm_event_query_range(crm_event_query_t *q, const char *since, const char *until,
                          char *msg, size_t len);
void crm_event_query_order(crm_event_query_t *q, int oldest_first, long limit);

/*
 * Open tasks only, by due date (undated last): all of them, or those due
 * before a date (a crm-log(1) time; "today" for the overdue ones).
 * CRM_OK; CRM_USAGE or CRM_BADINPUT with msg for a bad date.
 */
int crm_event_query_tasks(crm_event_query_t *q, const char *due_before, char *msg, size_t len);

/*
 * Mark a task done or open again, inside a transaction.  CRM_OK,
 * CRM_NOTFOUND (no task with that id), or a store error.
 */
int crm_task_set_status(crm_store_t *s, int64_t id, int done);
int crm_event_query_restrict(crm_event_query_t *q, int64_t party_id);
int crm_event_query_next(crm_event_query_t *q, crm_event_t **out);
void crm_event_query_close(crm_event_query_t *q);

/*
 * Bulk import: stage checked events for their parties inside a
 * transaction, then write them all with crm_event_stage_flush(), in party
 * and time order (a load larger than the stored events builds the
 * secondary indexes again, by sorting).  Events whose party already has
 * their ref for their type are not written: *logged counts the written ones, *already the
 * others; the written ones have ids from *first up.  Both: CRM_OK or a
 * store error (stage: CRM_STORE outside a transaction).  The staged rows
 * belong to the transaction: a rollback drops them.
 */
int crm_event_stage(crm_store_t *s, const crm_event_t *e, int64_t party_id);
int crm_event_stage_flush(crm_store_t *s, long *logged, long *already, int64_t *first);

/*
 * Before the flush: *n staged events whose party already has their type
 * and ref in a stored event of another amount or currency, which the flush
 * keeps as it is (an order changed, a refund grown since); example (size
 * len) is "TYPE REF" of one of them.  CRM_OK or a store error.
 */
int crm_event_stage_differ(crm_store_t *s, long *n, char *example, size_t len);

/*
 * Make customers of the leads and prospects that have a purchase among
 * the events written in this transaction (by crm_event_add() or
 * crm_event_stage_flush()): one statement; refunds make nobody a
 * customer.  Their updated time is the time of the call; *n counts them.
 * CRM_OK, or a store error (CRM_STORE outside a transaction).
 */
int crm_event_promote(crm_store_t *s, long *n);

/* List the events with ids above id instead, by id. */
void crm_event_query_after(crm_event_query_t *q, int64_t id);

/* ---------------------------------------------------------------- */
/* Record reader: CSV or JSON Lines, record by record, bounded memory. */

typedef struct crm_reader crm_reader_t;

/*
 * Input formats.  CSV's delimiter (comma, semicolon or TAB) is the most
 * frequent one in its header line; CRM_IN_TSV is CSV with TABs.
 * CRM_IN_JSONL also reads a JSON array of objects, element by element.
 * CRM_IN_LINES is one id, e-mail or ext_id a line (parties only).
 */
enum crm_informat { CRM_IN_AUTO, CRM_IN_CSV, CRM_IN_JSONL, CRM_IN_VCARD, CRM_IN_TSV,
                    CRM_IN_LINES };

/*
 * Open a reader over fp (not closed by the reader), naming it name in
 * messages.  format CRM_IN_AUTO detects the format from how the input
 * begins: '{' JSON Lines, '[' a JSON array, BEGIN:VCARD vCards, lines of
 * one token each (not a header: a field name) CRM_IN_LINES, else CSV.
 * map is a "From=to,From2=to2" header mapping or NULL.
 * CRM_OK (*out set), CRM_USAGE for a bad map, CRM_NOMEM.  The caller
 * frees the reader with crm_reader_close() (NULL allowed).
 */
int crm_reader_open(FILE *fp, const char *name, int format, const char *map,
                    crm_reader_t **out);

/*
 * Read the input in this encoding (any that iconv knows, such as cp1252 or
 * latin1), decoded into UTF-8.  UTF-16 and UTF-32 with a byte-order mark
 * are decoded without it.  CRM_OK, CRM_USAGE for an unknown encoding
 * (crm_reader_error() says so), CRM_NOMEM.
 */
int crm_reader_encoding(crm_reader_t *r, const char *enc);

/* Whether iconv knows an encoding: CRM_OK, or CRM_USAGE. */
int crm_encoding_check(const char *enc);

/*
 * Free a reader.  With a reading thread, this waits for the thread, which
 * may be blocked reading a pipe until its writer writes or closes it.
 */
void crm_reader_close(crm_reader_t *r);

/*
 * Check a --map value, whose targets are party fields, or also event
 * fields when events is non-zero: CRM_OK; CRM_USAGE with msg saying what
 * is wrong; CRM_NOMEM.
 */
int crm_map_check(const char *map, int events, char *msg, size_t len);

/*
 * Read the next party.  CRM_OK with *out set (caller frees with
 * crm_party_free()); CRM_EOF at the end; CRM_BADINPUT for a bad record,
 * with crm_reader_error() telling why: the reader then stands after that
 * record and may be called again.  CRM_IO for a read error, CRM_USAGE
 * (such as a --map column the header lacks), CRM_NOMEM; crm_reader_error()
 * says why.
 */
int crm_reader_next(crm_reader_t *r, crm_party_t **out);

/*
 * Read a party_id field (of event records) as the id of the party the
 * record names, its id then being the event's.  For programs that only
 * identify parties (crm-find, crm-log); off by default, so that crm-add
 * keeps another system's party_id column as an attribute.
 */
void crm_reader_party_id(crm_reader_t *r, int on);

/*
 * Read event records (see crm-log(1)) instead of parties; call before the
 * first read.  Each record gives an event, and names its party by
 * party_id, email or ext_id (other party fields describe a party to
 * create).  The fields set in over (if not NULL) are laid over every
 * event.  Each record is checked: the event (crm_event_check()), the
 * party's fields, and that it names a party.  CRM_OK, CRM_NOMEM.  The
 * reader keeps its own copy of over.
 */
int crm_reader_events(crm_reader_t *r, const crm_event_t *over);

/*
 * Read the next event record: like crm_reader_next() (the same
 * statuses), with *party the party it names and *event its event (caller
 * frees both, with crm_party_free() and crm_event_free()).
 */
int crm_reader_next_event(crm_reader_t *r, crm_party_t **party, crm_event_t **event);

/*
 * A function run on every record the reader reads, before it is handed
 * out (in the reading thread, when there is one: it must touch nothing
 * the caller's thread changes).  It may change the party; CRM_BADINPUT
 * with msg set makes the record a bad one, as if the reader found it so;
 * CRM_OK keeps it.  ctx stays the caller's.
 */
typedef int crm_check_fn(crm_party_t *p, void *ctx, char *msg, size_t len);
void crm_reader_set_check(crm_reader_t *r, crm_check_fn *fn, void *ctx);

/*
 * Read ahead in a thread of the reader's own, so that parsing runs beside
 * the caller's work; call before the first crm_reader_next().  Nothing
 * else changes: the accessors below tell about the record last returned.
 * Without threads, reading stays in the caller's.  CRM_OK, CRM_NOMEM.
 */
int crm_reader_start(crm_reader_t *r);

/* The message of the last error: "LINE: what", borrowed ("" when none). */
const char *crm_reader_error(const crm_reader_t *r);

/*
 * Whether the last error ends the input (a bad header, an encoding that
 * is not UTF-8): the records after it cannot be read.  1 or 0, not a status.
 */
int crm_reader_fatal(const crm_reader_t *r);

/* Physical line where the last record (good or bad) started; not a status. */
long crm_reader_line(const crm_reader_t *r);

/* The last record's bytes, verbatim, and their length; borrowed. */
const char *crm_reader_raw(const crm_reader_t *r, size_t *len);

/* The header line of a CSV input, verbatim, or NULL; borrowed. */
const char *crm_reader_header(const crm_reader_t *r);

/*
 * Columns of the input that are no party field and so became attributes,
 * as a comma-separated list, or NULL when there are none.  Borrowed.
 */
const char *crm_reader_unknown(const crm_reader_t *r);

/*
 * Lines of the input that are no records and were skipped (a preamble
 * before the header, totals and disclaimers after the records), new since
 * the last record: "line N, 'text' (why)" joined by "; "; NULL for none.
 * Borrowed.
 */
const char *crm_reader_skipped(const crm_reader_t *r);

/* The exports of other systems that crm-add --from names (see crm-add(1)). */
struct crm_preset {
	const char *name, *what;
	const char *column;     /* a column its header has (folded: e_mail_1_value) */
	const char *label;      /* the same as the export writes it */
	int date_order;         /* 'm' for M/D/YYYY, 'd' for D/M/YYYY, 0: no slash dates */
};
extern const struct crm_preset crm_presets[];

/* The exports of events that crm-log --import --from names (see crm-log(1)). */
extern const struct crm_preset crm_event_presets[];

/* Read the input as the export named (crm_presets; crm_event_presets after
 * crm_reader_events()): its header is checked, its slash dates read in its
 * order.  CRM_OK, CRM_USAGE (unknown name). */
int crm_reader_from(crm_reader_t *r, const char *name);

/* The detected format, a CRM_IN_ value (CRM_IN_AUTO if none yet); not a status. */
int crm_reader_format(const crm_reader_t *r);

/* ---------------------------------------------------------------- */
/* Record printer: jsonl, json, csv, tsv, table. */

typedef struct crm_printer crm_printer_t;

enum crm_outformat { CRM_OUT_AUTO, CRM_OUT_JSONL, CRM_OUT_JSON, CRM_OUT_CSV,
                     CRM_OUT_TSV, CRM_OUT_TABLE,
                     CRM_OUT_VCARD /* parties only: vCard 4.0 (RFC 6350) */ };

/* Printer options. */
#define CRM_PRINT_CSV_RAW 1 /* no neutralising of formula-like CSV cells */
/* Score columns after the default ones (when no fields are given): CRM_SCORE_* << 4. */
#define CRM_PRINT_SCORES(which) ((which) << 4)

/*
 * A printer writing to fp.  fields is a comma-separated list of field
 * names (attrs.KEY allowed) or NULL for every field; attr_keys, for CSV
 * and TSV output when fields is NULL, is a NULL-terminated array of the
 * attribute keys that get attrs.KEY columns (NULL for none).  CRM_OUT_AUTO means table when
 * fp is a terminal, else JSON Lines.  CRM_OK (*out set); CRM_USAGE for
 * an unknown field (msg says which), CRM_NOMEM.  fp stays the caller's;
 * the caller frees the printer with crm_printer_close() (NULL allowed),
 * after crm_printer_finish().
 */
int crm_printer_open(FILE *fp, int format, const char *fields,
                     char *const *attr_keys, int flags,
                     crm_printer_t **out, char *msg, size_t len);

/*
 * A printer of events instead of parties: fields name event fields; the
 * same statuses as crm_printer_open().  Print with crm_printer_event():
 * CRM_OK, CRM_IO (a write error), CRM_NOMEM.
 */
int crm_printer_open_events(FILE *fp, int format, const char *fields, int flags,
                            crm_printer_t **out, char *msg, size_t len);
int crm_printer_event(crm_printer_t *pr, const crm_event_t *e);

/*
 * A printer of plain rows (report rows, audit entries): columns names the
 * columns, comma-separated, and fields picks among them (NULL: all).
 * crm_printer_row() prints values[i] for column i (NULL: null); bit i of
 * raw set means values[i] is JSON text (a number, an object) put as is.
 * The same statuses as crm_printer_open() and crm_printer_event().
 */
int crm_printer_open_rows(FILE *fp, int format, const char *columns, const char *fields,
                          int flags, crm_printer_t **out, char *msg, size_t len);
int crm_printer_row(crm_printer_t *pr, const char *const *values, unsigned long long raw);

/* Print one party.  CRM_OK, CRM_IO, CRM_NOMEM. */
int crm_printer_party(crm_printer_t *pr, const crm_party_t *p);

/*
 * The attrs.KEY columns that no record printed so far had, comma-separated,
 * or NULL (also when nothing was printed): a KEY misspelt, most likely.
 * Borrowed until the next call or crm_printer_close().
 */
const char *crm_printer_absent(crm_printer_t *pr);

/* Finish the output (closing bracket, buffered table rows).  CRM_OK, CRM_IO. */
int crm_printer_finish(crm_printer_t *pr);

/* Free a printer (NULL allowed); its FILE stays open. */
void crm_printer_close(crm_printer_t *pr);

/* Parse a format name: a CRM_OUT_ value, -1 when unknown; not a status. */
int crm_format_lookup(const char *name);

/* ---------------------------------------------------------------- */
/* The store. */

/* Store open flags. */
#define CRM_STORE_NOCREATE 1 /* open an existing store only */
#define CRM_STORE_BULK 2     /* bulk loads: temporary tables and sorts in files */

/*
 * What a program tells the library once, at its start (the library reads
 * no environment; the programs' crm_cli_init() fills it from theirs).
 * The strings are borrowed for the life of the process.
 */
struct crm_settings {
	const char *db;         /* the store when none is named; NULL: none */
	const char *currency;   /* of an amount given without one; NULL or "": EUR */
	const char *actor;      /* who runs the program, in the audit trail; NULL: login name */
	long busy_ms;           /* how long to wait for a store in use; < 0: 30000 */
};
void crm_settings_set(const struct crm_settings *set);
/* The settings given (the library's copy of the struct, borrowed; its strings the program's). */
const struct crm_settings *crm_settings(void);

/*
 * The path of the store: path if not NULL or empty, else the settings'
 * db.  Writes into buf (size len).  CRM_OK, CRM_USAGE (none, or too long).
 */
int crm_store_path(const char *path, char *buf, size_t len);

/*
 * Open (and, unless CRM_STORE_NOCREATE, create) the store at path (see
 * crm_store_path()).  A new store file is mode 0600 in a 0700 directory
 * whatever the umask.  Applies WAL, busy timeout, secure_delete, foreign
 * keys, and schema migrations.  On failure *out is still set when the
 * handle exists, so that crm_store_errmsg() can say why; close it.
 * CRM_OK; CRM_USAGE (no path, see crm_store_path()); CRM_IO, CRM_STORE
 * (not a store, a schema too new), CRM_BUSY, CRM_NOMEM.
 */
int crm_store_open(const char *path, int flags, crm_store_t **out);

/*
 * Close a store (NULL allowed): a transaction still open is not
 * committed; the erasure lock is let go.
 */
void crm_store_close(crm_store_t *s);

/* The last error of the store, borrowed ("store error" when s is NULL or has none). */
const char *crm_store_errmsg(const crm_store_t *s);

/*
 * Whether path is, or would become, one of the files of the store db
 * names (see crm_store_path()): the database, its -wal, -shm and
 * -journal, its key (.key) and its suppression ledger (.suppress).  An
 * existing file is compared by device and inode, a file not yet made by
 * its directory's device and inode and its name.  1 with what (size len)
 * saying which ("the store's key"), else 0; not a status.
 */
int crm_store_owns(const char *db, const char *path, char *what, size_t len);

/*
 * A new file written whole or not at all, never through a symbolic link.
 * crm_file_create() makes a temporary file beside path (its name in tmp,
 * of size len; created with O_EXCL, so never through a link; mode 0600
 * whatever the umask) and opens it for writing in *fp.  CRM_USAGE with
 * errno EEXIST when path exists (a symbolic link included) and not
 * replace; CRM_USAGE with ENAMETOOLONG when the name does not fit;
 * CRM_IO with errno otherwise.  crm_file_commit() flushes, syncs and
 * closes fp and gives the file path's name: link() unless replace, which
 * never replaces a file made meanwhile (CRM_USAGE, EEXIST), rename() when
 * replace (a symbolic link at path is replaced, never followed); CRM_IO
 * with errno on a write error.  On failure the temporary file is removed.
 * crm_file_discard() closes fp and removes the temporary file.
 */
int crm_file_create(const char *path, int replace, char *tmp, size_t len, FILE **fp);
int crm_file_commit(FILE *fp, const char *tmp, const char *path, int replace);
void crm_file_discard(FILE *fp, const char *tmp);

/* The schema version of an open store; not a status. */
int crm_store_schema(const crm_store_t *s);

/* Whether a write transaction is open (crm_store_begin() without its end): 1 or 0. */
int crm_store_in_tx(crm_store_t *s);

/*
 * Begin a write transaction (BEGIN IMMEDIATE), then commit or roll it
 * back.  Each: CRM_OK or a store error.  Without an open transaction,
 * commit and rollback do nothing and return CRM_OK.
 */
int crm_store_begin(crm_store_t *s);
int crm_store_commit(crm_store_t *s);
int crm_store_rollback(crm_store_t *s);

/* Match keys for crm_party_upsert(). */
enum crm_key { CRM_KEY_AUTO, CRM_KEY_ID, CRM_KEY_EMAIL, CRM_KEY_EXT_ID,
               CRM_KEY_PHONE };

/* What to do when the incoming party matches a stored one. */
enum crm_conflict { CRM_ON_MERGE, CRM_ON_REPLACE, CRM_ON_SKIP, CRM_ON_ERROR };

/* What an upsert did. */
enum crm_upsert_result { CRM_CREATED, CRM_UPDATED, CRM_UNCHANGED };

/*
 * Write a checked party inside a transaction: find the stored party by
 * key (CRM_KEY_AUTO: id, else e-mail, else ext_id), then create, merge,
 * replace or skip.  On CRM_OK *result says what happened.  A created
 * party is completed in place: in then holds the stored record (its id,
 * defaults, times) and *stored is set to NULL.  Otherwise *stored (if
 * stored is not NULL) is the party as stored now (caller frees).
 * CRM_NOTFOUND when key is CRM_KEY_ID and no such id exists; CRM_CONFLICT
 * with CRM_ON_ERROR and a match; CRM_BADINPUT when the record lacks the
 * key or names nobody, or is suppressed (crm_ledger_check()); or a store
 * error.  msg (size len) explains failures.  in stays the caller's.
 */
int crm_party_upsert(crm_store_t *s, crm_party_t *in, int key,
                     int conflict, int *result, crm_party_t **stored,
                     char *msg, size_t len);

/*
 * Find a stored party's id from a record: by id, else e-mail, else
 * ext_id, else, for an organization, its name.  CRM_OK, CRM_NOTFOUND,
 * or a store error.
 */
int crm_party_resolve(crm_store_t *s, const crm_party_t *in, int64_t *id);

/*
 * Load one party by id (caller frees with crm_party_free()).  CRM_OK,
 * CRM_NOTFOUND, or a store error.
 */
int crm_party_load(crm_store_t *s, int64_t id, crm_party_t **out);

/* ---------------------------------------------------------------- */
/* Keyed hashes and the audit trail (see crm-gdpr-export(1)). */

/*
 * The keyed hash that stands for an identifier of a person: HMAC-SHA-256
 * of "kind:value" with the store's secret, in hex.  The secret is in the
 * file PATH.key beside the store PATH (mode 0600), made on first use.
 * CRM_OK; CRM_IO or CRM_STORE (the key file cannot be made or read, or
 * is no key; libcrypto cannot be loaded); CRM_NOMEM.
 */
int crm_subject_hash(crm_store_t *s, const char *kind, const char *value, char out[65]);

/*
 * Append an entry to the audit trail, inside the write transaction: who
 * ($CRM_ACTOR, else the login name), when, program, action, a request id,
 * the subject's keyed hash and counts (a JSON object), each may be NULL
 * except program and action; never personal data.  Each entry holds the
 * SHA-256 of the one before and of itself.  CRM_OK, or a store error
 * (CRM_STORE outside a transaction).
 */
int crm_audit_append(crm_store_t *s, const char *program, const char *action,
                     const char *request_id, const char *subject, const char *counts);

/* One count of an audit entry: a name and a number. */
struct crm_count {
	const char *key;
	long long n;
};

/*
 * The counts of an audit entry as a JSON object, {"key":n,...} in the
 * order given, built with Jansson: n counts of c.  The caller frees the
 * text with free(); NULL when out of memory.  CRM_COUNTS(...) passes an
 * array written in place, with its length.
 */
char *crm_audit_counts(const struct crm_count *c, size_t n);
#define CRM_COUNTS(...) \
	crm_audit_counts((const struct crm_count[]){ __VA_ARGS__ }, \
	                 sizeof((const struct crm_count[]){ __VA_ARGS__ }) / sizeof(struct crm_count))

/*
 * Check the chain of the audit trail: *n entries read; on CRM_STORE *bad
 * is the first entry that was changed, or that does not follow the one
 * before it, and msg says which.  CRM_OK, CRM_STORE, or another store
 * error.
 */
int crm_audit_verify(crm_store_t *s, int64_t *bad, long *n, char *msg, size_t len);

/*
 * Step through the audit trail, oldest first, or only the entries about
 * one subject hash: *values is the row (id, at, actor, program, action,
 * request_id, subject, counts, prev, hash; borrowed until the next call).
 * open: CRM_OK, CRM_NOMEM or a store error; next: CRM_OK, CRM_EOF or a
 * store error.  Close with crm_audit_close() (NULL allowed).
 */
typedef struct crm_audit_iter crm_audit_iter_t;
#define CRM_AUDIT_COLUMNS "id,at,actor,program,action,request_id,subject,counts,prev,hash"
int crm_audit_open(crm_store_t *s, const char *subject, crm_audit_iter_t **out);
int crm_audit_next(crm_audit_iter_t *it, const char *const **values);
void crm_audit_close(crm_audit_iter_t *it);

/* ---------------------------------------------------------------- */
/* The GDPR: a data subject, access, erasure (see crm-gdpr-export(1)). */

typedef struct crm_subject crm_subject_t;

/* An empty subject (caller frees with crm_subject_free(), NULL allowed).  CRM_OK, CRM_NOMEM. */
int crm_subject_new(crm_subject_t **out);
void crm_subject_free(crm_subject_t *sj);

/*
 * The weights file of the scores that the export shows (NULL: built in;
 * the path is copied).  CRM_OK, CRM_NOMEM.
 */
int crm_subject_weights(crm_subject_t *sj, const char *path);

/*
 * Add the parties one identifier names: an e-mail in any case, a phone in
 * any format (a national number also finds the stored international
 * one), an id, an ext_id.  Finding none is not an error: CRM_OK,
 * CRM_NOMEM, or a store error.
 */
int crm_subject_find(crm_store_t *s, crm_subject_t *sj, const char *value);

/* The subject's parties (borrowed), and their count; not a status. */
size_t crm_subject_parties(const crm_subject_t *sj, const int64_t **ids);

/* How many byte strings of the subject the verification looks for; not a status. */
size_t crm_subject_tokens(const crm_subject_t *sj);

/*
 * The keyed hash that stands for the subject in the audit trail ("" if
 * none): the statuses of crm_subject_hash().
 */
int crm_subject_audit_hash(crm_store_t *s, const crm_subject_t *sj, char out[65]);

/*
 * Write the Art. 15 document of the subject to out: its parties with
 * their facts, events, tasks, audit entries, mentions of its identifiers
 * in other parties' notes and events, and the register's sections read
 * from the JSON file register_path (*register_missing: 0 read, 1 no file,
 * 2 sections missing).  CRM_OK, CRM_BADINPUT (a bad register, msg says
 * where), CRM_USAGE (msg says why), CRM_IO (a write error on out), or a
 * store error.  out stays the caller's.
 */
int crm_gdpr_export(crm_store_t *s, crm_subject_t *sj, const char *request_id,
                    const char *register_path, FILE *out, int *register_missing,
                    char *msg, size_t len);

/*
 * Art. 20: write into dir (made 0700; a new or empty directory) the
 * subject's parties as parties.jsonl and parties.csv (what crm-add reads)
 * and its events and tasks, each naming its party by e-mail and ext_id,
 * as events.jsonl and events.csv (what crm-log --import reads), all 0600,
 * and manifest.json with each file's size and SHA-256.  CRM_OK, CRM_USAGE
 * (a file exists), CRM_IO, or a store error; msg says what failed.
 */
int crm_gdpr_portable(crm_store_t *s, crm_subject_t *sj, const char *dir, const char *request_id,
                      char *msg, size_t len);

/* What an erasure did, counted. */
enum { CRM_ERASE_PARTIES, CRM_ERASE_EVENTS, CRM_ERASE_TAGS, CRM_ERASE_FACTS, CRM_ERASE_KEPT,
       CRM_ERASE_SUPPRESSED, CRM_ERASE_REDACTED, CRM_ERASE_NCOUNTS };

/*
 * Erase the subject inside a write transaction: every row of its parties
 * in every table; with CRM_ERASE_KEEP_ACCOUNTING, purchases and refunds stay (time,
 * type, amount, currency, ref) under a new party without identity.  What
 * is left to do goes into the same transaction, as the unfinished erasure
 * *pending: each identifier as a keyed hash for the suppression ledger
 * (the file PATH.suppress beside the store, GDBM, 0600), and what the
 * verification will look for, enciphered under the store's key.  The
 * identifiers are suppressed from the commit on.  Then commit, and call
 * crm_gdpr_finish().  CRM_OK (counts, *pending set); CRM_BUSY (the
 * erasure lock, or the store); CRM_IO (the key or the ledger); CRM_STORE
 * (outside a transaction, a key that is no key); or another store error;
 * msg says why.
 */
#define CRM_ERASE_KEEP_ACCOUNTING 1
#define CRM_ERASE_DRY_RUN 2     /* count only: the caller rolls back; nothing recorded */
#define CRM_ERASE_REDACT 4      /* others' mentions of its identifiers become "[erased]" */
#define CRM_ERASE_REPLAY 8      /* an erasure again after a restore (for the record) */
int crm_gdpr_erase(crm_store_t *s, crm_subject_t *sj, const char *request_id,
                   const char *reason, int flags, long counts[CRM_ERASE_NCOUNTS],
                   int64_t *pending, char *msg, size_t len);

/* The counts as a JSON object, the erasure report's "erased". */
void crm_erase_counts_json(const long c[CRM_ERASE_NCOUNTS], char *buf, size_t len);

/* An erasure finished by crm_gdpr_finish(). */
struct crm_erasure {
	int64_t id;
	char started[21];       /* when its deletions were committed */
	char action[16];        /* erase, replay */
	char *request_id;
	char *counts;           /* JSON object, as crm_erase_counts_json() */
	int verified;           /* 0: what to look for could not be read (the key changed) */
	size_t tokens;          /* byte strings looked for */
	char **residue;         /* NULL-terminated findings; empty when clean */
};
/* Free what e holds (request_id, counts, residue) and zero it. */
void crm_erasure_clear(struct crm_erasure *e);
/*
 * The JSON documents of an erasure, one line each (caller frees; NULL:
 * out of memory): the report of a finished one (resumed: with its action,
 * the time it began and finished_late); the report of one committed but
 * not finished (counts as crm_erase_counts_json(), why); the plan of a
 * dry run (its parties, the counts, the steps that would follow); the
 * report of a replay that found no party to erase.
 */
char *crm_erasure_report(const struct crm_erasure *e, int resumed);
char *crm_erasure_none(void);
char *crm_erasure_unfinished(const char *counts, const char *request_id, const char *why);
char *crm_erasure_plan(const crm_subject_t *sj, const char *counts);

/*
 * The erasure lock (the file PATH.gdpr-lock beside the store): one program
 * at a time erases, finishes an erasure or changes the ledger.  Taken by
 * crm_gdpr_erase(), crm_gdpr_finish() and crm_ledger_remove() when not
 * held; take it first, before a transaction, to keep it across several.
 * With wait, up to the busy timeout.  Held until crm_gdpr_unlock() or the
 * store is closed (or the process dies).  CRM_OK (also when already
 * held), CRM_BUSY, CRM_IO, CRM_STORE (the lock file is a symbolic link
 * or not an empty file of its own).
 */
int crm_gdpr_lock(crm_store_t *s, int wait);
void crm_gdpr_unlock(crm_store_t *s);

/*
 * The unfinished erasures, oldest first (*ids: caller frees).  CRM_OK,
 * CRM_NOMEM, or a store error.
 */
int crm_gdpr_pending(crm_store_t *s, int64_t **ids, size_t *n);

/*
 * Finish an erasure: write its identifiers into the suppression ledger
 * (an entry made before keeps its date and reason), purge the files
 * (crm_gdpr_purge()), verify their raw bytes (crm_gdpr_verify()), then
 * drop its record; with resumed, the audit trail says it was finished
 * late.  Each step can be run again: an erasure that fails here (a full
 * disk, a reader holding the WAL, a kill) stays recorded and is finished
 * by the next call.  What to look for is read back first: under another
 * key nothing is done and the record stays.  CRM_OK (e filled; clear it
 * with crm_erasure_clear()), CRM_NOTFOUND (finished by another program
 * meanwhile), CRM_BUSY, CRM_IO, or another store error.  e is zeroed
 * first and filled as the record is read: whatever the status, e.started
 * says when the erasure began (once read), and the caller clears e.
 */
int crm_gdpr_finish(crm_store_t *s, int64_t id, int resumed, struct crm_erasure *e);

/*
 * After an erasure: merge the full-text index's segments, so that no old
 * segment keeps the erased terms, and checkpoint and truncate the WAL.
 * CRM_OK; CRM_BUSY when another program reads the store (the WAL stays);
 * CRM_STORE or another store error.
 */
int crm_gdpr_purge(crm_store_t *s);

/*
 * Search the raw bytes of the store, its WAL, its journal and the ledger
 * for the subject's identifiers, and for its names and words of its notes
 * (8 bytes or more) that the full-text index finds in no other party.  *residue is a
 * NULL-terminated list of findings, empty when clean (caller frees with
 * crm_strings_free()).  CRM_OK, CRM_IO, CRM_NOMEM, or a store error.
 */
int crm_gdpr_verify(crm_store_t *s, crm_subject_t *sj, char ***residue);

/*
 * After a backup is restored: add to sj every party whose e-mail, phone
 * or ext_id is in the suppression ledger, to be erased again.  CRM_OK
 * (nothing added when there is no ledger), CRM_IO (the ledger),
 * CRM_NOMEM, or a store error.
 */
int crm_gdpr_replay(crm_store_t *s, crm_subject_t *sj);

/*
 * Take an identifier (an e-mail, an international phone number, an
 * ext_id) out of the suppression ledger, which is then rewritten (with
 * apply; without, only count what would go, to audit it first);
 * *removed says how many entries went, subject the keyed hash of the
 * first ("" if none).  Takes the erasure lock (crm_gdpr_lock()).  CRM_OK,
 * CRM_BUSY, CRM_STORE, CRM_IO, CRM_NOMEM.
 */
int crm_ledger_remove(crm_store_t *s, const char *value, int apply, long *removed,
                      char subject[65]);

/*
 * Whether a party's e-mail, phone or ext_id is in the suppression ledger:
 * CRM_OK when it is not; CRM_BADINPUT with msg "suppressed: ..." when it
 * is; CRM_IO (the ledger or the key), CRM_NOMEM, or a store error.
 */
int crm_ledger_check(crm_store_t *s, const crm_party_t *p, char *msg, size_t len);

/*
 * The one currency rule: opt (a --currency), else the settings' currency
 * ($CRM_CURRENCY) when not empty, else EUR; three letters, written in
 * capitals into out.  CRM_OK; CRM_USAGE, msg naming --currency or
 * CRM_CURRENCY.
 */
int crm_currency(const char *opt, char out[4], char *msg, size_t len);

/* ---------------------------------------------------------------- */
/* Saved segments (see crm-segment(1)); evaluate one with segment:NAME. */

/*
 * Save (create or replace the rules of) a segment: terms as crm-find
 * takes them, compiled first; description NULL keeps the old one.
 * *created says whether it is new.  Inside a transaction.  CRM_OK,
 * CRM_USAGE (a bad name or term: msg), CRM_NOMEM, or a store error.
 */
int crm_segment_save(crm_store_t *s, const char *name, int nterms, char **terms,
                     const char *description, int *created, char *msg, size_t len);

/*
 * Delete a segment, its pins and snapshot, unless the rules of another
 * segment name it (segment:NAME): then CRM_USAGE, and msg (size len)
 * names them.  Inside a transaction.  CRM_OK, CRM_NOTFOUND, CRM_USAGE, or
 * a store error.
 */
int crm_segment_delete(crm_store_t *s, const char *name, char *msg, size_t len);

/*
 * Pin a party into (in != 0) or out of a segment.  CRM_OK, CRM_NOTFOUND
 * (no such segment), or a store error.
 */
int crm_segment_pin(crm_store_t *s, const char *name, int64_t party, int in);

/*
 * Freeze a segment: its members now become its members until thawed
 * (*members of them); thaw makes it follow its rules again.  Rules that
 * name scores compute them with o (NULL: now, built-in weights).
 * freeze: CRM_OK; CRM_USAGE (no such segment, a bad rule: msg) or
 * CRM_BADINPUT (a score option: msg); CRM_NOTFOUND (the segment deleted
 * meanwhile); CRM_NOMEM or a store error.  thaw: CRM_OK, CRM_NOTFOUND
 * (no such segment, or not frozen), or a store error.
 */
struct crm_score_opts;
int crm_segment_freeze(crm_store_t *s, const char *name, const struct crm_score_opts *o,
                       int64_t *members, char *msg, size_t len);
int crm_segment_thaw(crm_store_t *s, const char *name);

/*
 * Step through the saved segments, or one: name, description, rules (a
 * JSON array), created, updated, frozen_at, pinned_in, pinned_out;
 * *values borrowed until the next call.  open: CRM_OK, CRM_NOMEM or a
 * store error; next: CRM_OK, CRM_EOF or a store error.  Close with
 * crm_segment_close() (NULL allowed).
 */
typedef struct crm_segment_iter crm_segment_iter_t;
#define CRM_SEGMENT_COLUMNS "name,description,rules,created,updated,frozen_at,pinned_in,pinned_out"
int crm_segment_open(crm_store_t *s, const char *name, crm_segment_iter_t **out);
int crm_segment_next(crm_segment_iter_t *it, const char *const **values);
void crm_segment_close(crm_segment_iter_t *it);

/* ---------------------------------------------------------------- */
/* Queries: the term language of crm-find(1), compiled to bound SQL. */

typedef struct crm_query crm_query_t;

/*
 * Compile terms (see crm-find(1)).  CRM_OK; CRM_USAGE with msg saying
 * which term is wrong; CRM_NOMEM, or a store error (a segment: read).
 * The caller frees the query with crm_query_close() (NULL allowed) before
 * closing the store.
 */
int crm_query_compile(crm_store_t *s, int nterms, char **terms,
                      crm_query_t **out, char *msg, size_t len);

void crm_query_close(crm_query_t *q);

/*
 * Sort by a field ("-field" for descending).  CRM_OK, CRM_USAGE (msg),
 * CRM_NOMEM.
 */
int crm_query_sort(crm_query_t *q, const char *spec, char *msg, size_t len);

/*
 * Read only these fields of each party (bit 1 << field; 0: all); the
 * others are absent from the parties returned.  The id is always read.
 */
void crm_query_fields(crm_query_t *q, uint64_t fields);

/* At most n results (n < 0: no limit). */
void crm_query_limit(crm_query_t *q, long n);

/*
 * Restrict the results to one more party id, given by an input record.
 * The first call turns the restriction on, so an empty input restricts to
 * nobody.  Each: CRM_OK or a store error.
 */
int crm_query_restrict_begin(crm_query_t *q);
int crm_query_restrict_add(crm_query_t *q, int64_t id);

/*
 * The attribute keys used by the matching parties, in order of first use,
 * as a NULL-terminated array; caller frees with crm_strings_free().
 * CRM_OK; the statuses of running the query (crm_query_next()).
 */
int crm_query_attr_keys(crm_query_t *q, char ***keys);

/* Free a NULL-terminated array of strings; NULL is allowed. */
void crm_strings_free(char **v);

/*
 * Count the matching parties.  CRM_OK; CRM_USAGE or CRM_BADINPUT (the
 * scores a term needs: a bad score option), CRM_NOMEM, or a store error.
 */
int crm_query_count(crm_query_t *q, int64_t *n);

/*
 * Step through the matching parties: CRM_OK with *out set (caller frees
 * with crm_party_free()), CRM_EOF at the end; at the first call, the
 * statuses of crm_query_count(); else CRM_NOMEM or a store error.
 */
int crm_query_next(crm_query_t *q, crm_party_t **out);

/* ---------------------------------------------------------------- */
/* Scores: RFM, churn and propensity, computed for one run (see crm-segment(1)). */

enum {
	CRM_SCORE_RFM = 1,              /* rfm_r, rfm_f, rfm_m, rfm, rfm_segment */
	CRM_SCORE_CHURN = 2,            /* days_since_purchase, usual_gap, churn_risk, churned */
	CRM_SCORE_PROPENSITY = 4,       /* propensity */
	CRM_SCORE_EXPLAIN = 8,          /* explain: the inputs of each score */
};

struct crm_score_opts {
	const char *as_of;      /* the time the scores are computed at (crm time); NULL: now */
	const char *window;     /* the RFM window for F and M, such as 365d; NULL: 365d */
	const char *currency;   /* the currency of M; NULL: $CRM_CURRENCY or EUR */
	const char *weights;    /* a JSON file of weights and thresholds; NULL: built in */
};

/*
 * Check score options (a weights file is read): CRM_OK, CRM_USAGE or
 * CRM_BADINPUT with msg, CRM_NOMEM.
 */
int crm_score_check(const struct crm_score_opts *o, char *msg, size_t len);

/* The score a field needs (CRM_SCORE_*), 0 for a field that is no score; not a status. */
int crm_score_of_field(int field);

/*
 * Compute these scores (CRM_SCORE_*) when the query runs, with these
 * options; the terms' own scores are computed with the same options.
 * CRM_OK; CRM_USAGE or CRM_BADINPUT (a bad weights file) with msg;
 * CRM_NOMEM.  o's strings are borrowed until the query is freed.
 */
int crm_query_scores(crm_query_t *q, int which, const struct crm_score_opts *o,
                     char *msg, size_t len);

/* The scores that the printer's columns show (CRM_SCORE_* bits; not a status). */
int crm_printer_scores(const crm_printer_t *pr);

/* The party fields that the printer's columns show (bit 1 << field). */
uint64_t crm_printer_fields(const crm_printer_t *pr);

/*
 * The attrition of the base over a period ending at o->as_of: customers
 * active (not churned) at its start, how many of them had churned by its
 * end, and the rate (NaN when no customer was active).  CRM_OK (*out
 * filled); CRM_USAGE or CRM_BADINPUT with msg (a period, a score
 * option); CRM_NOMEM, or a store error.
 */
struct crm_attrition {
	char since[21], as_of[21];
	int64_t active, churned;
	double rate;
};
int crm_score_attrition(crm_store_t *s, const struct crm_score_opts *o, const char *period,
                        struct crm_attrition *out, char *msg, size_t len);

/* ---------------------------------------------------------------- */
/* Reports (see crm-report(1)): each one or more tables of text cells. */

typedef struct crm_report crm_report_t;

struct crm_report_opts {
	const char *since, *until;      /* crm times; NULL: the last 12 periods, as-of */
	const char *as_of;              /* "today" (overdue, this period); NULL: now */
	const char *period;             /* month (default), quarter or year */
	const char *by;                 /* revenue --by FIELD */
	const char *currency;           /* NULL: $CRM_CURRENCY or EUR */
	int restricted;                 /* the population is what crm_report_restrict_add() gave */
	struct crm_score_opts scores;   /* for score columns */
};

/* The names of the reports, NULL-terminated. */
extern const char *const crm_reports[];

/*
 * Run a report (arg: by's fields, campaign's name, or NULL).  CRM_OK with
 * *out (caller frees with crm_report_free(), NULL allowed; with it its
 * next tables); CRM_USAGE or CRM_BADINPUT with msg (a bad option or
 * argument); CRM_NOMATCH with msg (campaign NAME that no event has);
 * CRM_NOMEM, or a store error.
 */
int crm_report_run(crm_store_t *s, const char *name, const char *arg,
                   const struct crm_report_opts *o, crm_report_t **out, char *msg, size_t len);
void crm_report_free(crm_report_t *r);

/*
 * Restrict the population to parties given one by one (records on
 * stdin), in a temporary table of the store's connection.  Each: CRM_OK
 * or a store error.
 */
int crm_report_restrict_begin(crm_store_t *s);
int crm_report_restrict_add(crm_store_t *s, int64_t id);

/*
 * A notice about a table, for standard error, or NULL: such as a field of
 * by that no party has (attrs.KEY misspelt?).  Borrowed.
 */
const char *crm_report_notice(const crm_report_t *r);

/*
 * A report's tables: the next one (NULL after the last), name, title,
 * cells; all borrowed from the report crm_report_run() returned.
 */
crm_report_t *crm_report_next(const crm_report_t *r);
const char *crm_report_name(const crm_report_t *r);
const char *crm_report_title(const crm_report_t *r);
size_t crm_report_ncols(const crm_report_t *r);
size_t crm_report_nrows(const crm_report_t *r);
const char *crm_report_col(const crm_report_t *r, size_t i);
/* Bit i set: column i holds numbers (JSON numbers in the output). */
unsigned long long crm_report_numeric(const crm_report_t *r);
/* A cell's text; NULL for null. */
const char *crm_report_cell(const crm_report_t *r, size_t row, size_t col);

/* How to draw a table: bars of value per label, a series over periods, a matrix. */
enum { CRM_CHART_NONE, CRM_CHART_BARS, CRM_CHART_SERIES, CRM_CHART_MATRIX };
void crm_report_chart(const crm_report_t *r, int *kind, int *label, int *value);

/*
 * Make s, in place, safe to show on a terminal: each control character
 * (C0, DEL, C1 such as CSI) and bidirectional control (U+202E, ...)
 * becomes '?'.  The one rule of every terminal output: the tables of the
 * printer and the charts.  Returns s.
 */
char *crm_term_clean(char *s);
/*
 * The one width rule of terminal output: cells of a UTF-8 string, two for
 * wide (CJK, emoji) characters, none for combining marks; and s cut in
 * place to at most w cells, ending in ellipsis when it was longer
 * (ellipsis no longer than what it replaces).
 */
size_t crm_text_width(const char *s);
char *crm_text_fit(char *s, size_t w, const char *ellipsis);

/*
 * Fold a UTF-8 string for accent- and case-insensitive comparison:
 * lower case, diacritics of Latin, Greek and Cyrillic letters removed.
 * Caller frees the result with free(); NULL when out of memory.
 */
char *crm_fold(const char *s);

/* Whether s is valid UTF-8 (without NUL): 1 or 0, not a status. */
int crm_utf8_valid(const char *s);

/* Whether a is a term that getopt would take for options ("-has:phone"): 1 or 0. */
int crm_is_dash_term(const char *a);

/* Surrounding Unicode White_Space taken off s: the start (borrowed from s), *n its length. */
const char *crm_white_trim(const char *s, size_t *n);


#endif
