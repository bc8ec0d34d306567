/* SPDX-License-Identifier: MIT */
/*
 * crm-cli.h: what the programs share, over the library of crm.h: options,
 * standard input, output files, messages and exit codes.  Unlike the
 * library, these functions print on stderr and exit: a program calls
 * them, never the library.
 *
 * Layers: the library (crm.h: base -> store -> records -> formats ->
 * selection -> features) -> cli/ (this header: cli.c the shared options,
 * stdin, files and messages; options.c the option groups; bulk.c the bulk
 * writers' inputs; events.c and tasks.c crm-log's logging, import and
 * tasks; erasure.c crm-gdpr-export's runs; render.c crm-report's outputs)
 * -> cmd/ (one program a file: its options, then calls).
 *
 * Statuses: a function here that meets an error says so on stderr and
 * exits with the code of its status (crm_status_exit()); it returns only
 * on success, with nothing to report, unless its comment says it returns
 * a status (crm_cli_log_promote()), an exit code (crm_cli_erase()), a
 * yes or no, or a count.  What it returns is the caller's to free or
 * close with the function named, else borrowed (argv's strings, static
 * buffers, the struct it was given).
 */
#ifndef CRM_CLI_H
#define CRM_CLI_H

#include <getopt.h>
#include <stdio.h>

#include "crm.h"

/* Helpers shared by the programs: messages, stdin, atomic output. */

/*
 * Options every program shares, parsed by crm_cli_common().  Long option
 * values CRM_OPT_* index them in each program's option table.
 */
struct crm_common {
	const char *db;         /* --db PATH */
	int format;             /* --format, enum crm_outformat */
	const char *fields;     /* --fields a,b,c */
	int informat;           /* --input-format, enum crm_informat */
	int no_stdin;           /* --no-stdin */
	int stdin_on;           /* --stdin: read it whatever CRM_NO_STDIN says */
	int print_flags;        /* --csv-raw */
};

enum {
	CRM_OPT_DB = 0x1000, CRM_OPT_FORMAT, CRM_OPT_FIELDS, CRM_OPT_INFORMAT,
	CRM_OPT_NO_STDIN, CRM_OPT_CSV_RAW, CRM_OPT_VERSION, CRM_OPT_STDIN,
};

#define CRM_COMMON_OPTIONS \
	{ "db", 1, NULL, CRM_OPT_DB }, \
	{ "format", 1, NULL, CRM_OPT_FORMAT }, \
	{ "fields", 1, NULL, CRM_OPT_FIELDS }, \
	{ "input-format", 1, NULL, CRM_OPT_INFORMAT }, \
	{ "no-stdin", 0, NULL, CRM_OPT_NO_STDIN }, \
	{ "stdin", 0, NULL, CRM_OPT_STDIN }, \
	{ "csv-raw", 0, NULL, CRM_OPT_CSV_RAW }, \
	{ "version", 0, NULL, CRM_OPT_VERSION }, \
	{ "help", 0, NULL, 'h' }

/*
 * Option groups that several programs take, declared once: a fragment
 * of the long option table each, and one function that handles the
 * group's options, returning 1 when opt was one of them (exiting 2 with
 * a message on a bad value), 0 otherwise.
 *
 * The score options (options.c): which scores to compute (crm-find), and
 * the settings they are computed with (crm-find, crm-segment,
 * crm-report; crm-gdpr-export takes --weights alone).  After the options,
 * crm_cli_score_weights() resolves --weights (else $CRM_WEIGHTS, else the
 * user's weights.json) into s->so and returns &s->so, which points into s.
 */
enum {
	CRM_OPT_RFM = 0x1100, CRM_OPT_CHURN, CRM_OPT_PROPENSITY, CRM_OPT_SCORES, CRM_OPT_EXPLAIN,
	CRM_OPT_AS_OF, CRM_OPT_WINDOW, CRM_OPT_CURRENCY, CRM_OPT_WEIGHTS,
	CRM_OPT_REJECTS = 0x1200, CRM_OPT_FORCE, CRM_OPT_DRY_RUN, CRM_OPT_MAP, CRM_OPT_ENCODING,
	CRM_OPT_FROM,
	CRM_OPT_CONTACT = 0x1300,
	CRM_OPT_SINCE = 0x1400, CRM_OPT_UNTIL, CRM_OPT_LIMIT,
};

#define CRM_SCORE_PICK_OPTIONS \
	{ "rfm", 0, NULL, CRM_OPT_RFM }, \
	{ "churn", 0, NULL, CRM_OPT_CHURN }, \
	{ "propensity", 0, NULL, CRM_OPT_PROPENSITY }, \
	{ "scores", 0, NULL, CRM_OPT_SCORES }, \
	{ "explain", 0, NULL, CRM_OPT_EXPLAIN }
#define CRM_WEIGHTS_OPTION \
	{ "weights", 1, NULL, CRM_OPT_WEIGHTS }
#define CRM_SCORE_OPTIONS \
	{ "as-of", 1, NULL, CRM_OPT_AS_OF }, \
	{ "window", 1, NULL, CRM_OPT_WINDOW }, \
	{ "currency", 1, NULL, CRM_OPT_CURRENCY }, \
	CRM_WEIGHTS_OPTION

struct crm_cli_scores {
	int which;                      /* --rfm ... --explain: CRM_SCORE_* bits */
	struct crm_score_opts so;       /* --as-of, --window, --currency; weights resolved */
	const char *weights;            /* --weights FILE as given */
	char wbuf[4096];                /* the path crm_cli_score_weights() builds */
};
int crm_cli_score_opt(int opt, const char *arg, struct crm_cli_scores *s);
const struct crm_score_opts *crm_cli_score_weights(struct crm_cli_scores *s);

/*
 * The bulk writers' options (crm-add, crm-log --import): --rejects FILE,
 * --force, --dry-run, --map, --encoding, --from NAME|list, -q | --quiet
 * (the program puts 'q' in its short options).  Set events to 1 before
 * parsing for exports and maps of events (crm-log), 0 for parties:
 * --from list prints that kind's exports and exits 0.  After the
 * options, crm_cli_bulk_opts_check() exits 2 on --force without --rejects.
 */
#define CRM_BULK_OPTIONS \
	{ "rejects", 1, NULL, CRM_OPT_REJECTS }, \
	{ "force", 0, NULL, CRM_OPT_FORCE }, \
	{ "dry-run", 0, NULL, CRM_OPT_DRY_RUN }, \
	{ "map", 1, NULL, CRM_OPT_MAP }, \
	{ "encoding", 1, NULL, CRM_OPT_ENCODING }, \
	{ "from", 1, NULL, CRM_OPT_FROM }, \
	{ "quiet", 0, NULL, 'q' }

struct crm_cli_bulk_opts {
	int events;                     /* set by the program: 1 events, 0 parties */
	const char *rejects, *map, *encoding, *from;    /* the values, NULL when not given */
	int force, dry_run, quiet;
};
int crm_cli_bulk_opt(int opt, char *arg, struct crm_cli_bulk_opts *b);
void crm_cli_bulk_opts_check(const struct crm_cli_bulk_opts *b);

/*
 * --contact ID|EMAIL|EXT_ID, up to 64 times (crm-log, crm-segment); more
 * is exit 2.  The values are argv's; crm_cli_contact() resolves each.
 */
#define CRM_CONTACT_OPTION \
	{ "contact", 1, NULL, CRM_OPT_CONTACT }
#define CRM_CLI_MAX_CONTACTS 64
struct crm_cli_contacts {
	const char *v[CRM_CLI_MAX_CONTACTS];
	int n;
};
int crm_cli_contact_opt(int opt, const char *arg, struct crm_cli_contacts *c);

/*
 * Listing: --since TIME and --until TIME (crm-log --list, crm-report),
 * --limit N (crm-find, crm-log; a count, else exit 2).  Start with
 * CRM_CLI_LISTING_INIT: NULL times, no limit (-1).  The times are
 * argv's, checked by the library.
 */
#define CRM_RANGE_OPTIONS \
	{ "since", 1, NULL, CRM_OPT_SINCE }, \
	{ "until", 1, NULL, CRM_OPT_UNTIL }
#define CRM_LIMIT_OPTION \
	{ "limit", 1, NULL, CRM_OPT_LIMIT }
struct crm_cli_listing {
	const char *since, *until;
	long limit;
};
#define CRM_CLI_LISTING_INIT { NULL, NULL, -1 }
int crm_cli_listing_opt(int opt, const char *arg, struct crm_cli_listing *l);

/*
 * Handle one shared option: returns 1 when opt was one (exiting 2 with a
 * message on a bad value, 0 after --version), 0 otherwise.
 */
int crm_cli_common(int opt, const char *arg, struct crm_common *c);

/* Open the store named by c->db (caller closes it: crm_store_close()), or exit with a message. */
crm_store_t *crm_cli_store(const struct crm_common *c, int flags);

/* Exit with the code of status after "prog: what: message". */
void crm_cli_fail(int status, const char *what) __attribute__((noreturn));

/*
 * Begin the write transaction unless one is open, or exit with a message.
 * Writers call it at their first record, not before: the program writing
 * to their standard input (crm-add | crm-log) must be able to commit.
 */
void crm_cli_begin_once(crm_store_t *s);

/*
 * The counts of an audit entry as JSON text, from crm_audit_counts():
 * crm_cli_counts(CRM_COUNTS({ "read", n }, ...)).  The text is the
 * program's, valid until the next call; exits 4 when out of memory.
 */
const char *crm_cli_counts(char *text);

/*
 * Split a --set KEY=VALUE argument in place: arg becomes KEY, and the
 * value is returned (NULL when empty: remove).  Exit 2 without a KEY.
 * crm_cli_set_failed() reports a status from setting it, if any.
 */
const char *crm_cli_keyvalue(char *arg);
void crm_cli_set_failed(int status, const char *key);

/* A count option's value (0 or more), or exit 2 naming opt. */
long crm_cli_number(const char *opt, const char *arg);

/*
 * A configuration file: the option's value, else $env, else NAME in the
 * user's configuration directory ($XDG_CONFIG_HOME/crm, ~/.config/crm)
 * when it exists; NULL for none.  buf holds the path it builds.
 */
const char *crm_cli_config(const char *opt, const char *env, const char *name, char *buf,
                           size_t len);

/* The output format of c for stdout: the table on a terminal when auto. */
int crm_cli_outformat(const struct crm_common *c);

/*
 * Output held back until a transaction commits: a temporary file (exit 4
 * when none can be made), then copied to stdout and closed.
 */
FILE *crm_cli_spool(void);
void crm_cli_unspool(FILE *fp);

/*
 * Bulk input.  crm_cli_rejects_open() opens the --rejects file as
 * crm_cli_output_open() does (replace: --force), refusing one of the input
 * files or standard input when it is read; it exits 2 or 4 with a message.
 * crm_cli_rejects_close() gives it its name (crm_cli_output_commit()).
 * crm_cli_reject() writes one bad record to it: a comment with file, line
 * and reason, then the record verbatim, after each input's CSV header.
 */
/* Input files named as operands ("-": standard input): each readable, none a directory, or exit 2. */
void crm_cli_input_files(int n, char **files);
FILE *crm_cli_rejects_open(const char *path, const char *db, int replace, int nfiles,
                           char **files, int uses_stdin);
void crm_cli_rejects_close(FILE *fp);
void crm_cli_reject(FILE *fp, const char *file, long line, const char *msg, const char *raw,
                    size_t len, const char *header);

/*
 * Progress on stderr, only when it is a terminal and not quiet: a count of
 * records now and then, a what of the moment, or n < 0 to clear the line.
 */
void crm_cli_progress_start(int quiet);
void crm_cli_progress(long n, const char *what);

/*
 * For a dry run: when the store c->db names does not exist, point c->db at
 * a temporary one, removed at exit, so that no store is created.
 */
void crm_cli_dry_run_store(struct crm_common *c);

/*
 * Each party named by a record on standard input (by party_id, id, e-mail
 * or ext_id): fn(id, line, ctx).  A record naming no stored party is
 * skipped, or, unless skip_missing, exit 3 "-:LINE: no such party".
 * Returns the number of records read: 0 when the stream named no party,
 * which the caller reports with crm_cli_empty_stream() unless parties
 * were named some other way.
 */
long crm_cli_stdin_parties(crm_store_t *s, int informat, int skip_missing,
                           void (*fn)(int64_t id, long line, void *ctx), void *ctx);

/*
 * The one way a record stream is read (crm_cli_stdin_parties() is it
 * over stdin): each party record of fp, named "-" in messages, read in
 * informat with party_id taken for id: fn(p, line, ctx), which owns p
 * and frees it.  A bad record exits 3 "-:LINE: ...", an I/O or memory
 * error 4.  Returns the number of records.
 */
long crm_cli_each_record(FILE *fp, int informat, void (*fn)(crm_party_t *p, long line, void *ctx),
                         void *ctx);

/*
 * Exit 1 with "prog: the stream on standard input named no party ...":
 * an empty stream (a scheduler's empty pipe, or an upstream that matched
 * nothing) is never taken for a population.
 */
void crm_cli_empty_stream(void) __attribute__((noreturn));

/*
 * Terms that begin with '-' (-tag:x, -has:phone, -segment:s) look like
 * options.  crm_cli_args() returns argv less those terms, for
 * getopt_long() over opts (an option's value is never taken for a term);
 * after getopt, crm_cli_operands() returns the operands it left and the
 * terms taken out, in the order of argv, and their count in *n.  Both
 * exit 4 when out of memory; the caller frees the arrays, not the
 * strings, which are argv's.
 */
struct option;
char **crm_cli_args(int argc, char **argv, const struct option *opts, int *nargs);
char **crm_cli_operands(int argc, char **argv, char **args, int nargs, int optind, int *n);

/*
 * An output file written whole or not at all (crm_file_create()):
 * crm_cli_output_open() makes a temporary file beside path (0600, its
 * name in tmp), after checking that path is none of the files of the
 * store db names (exit 2 "PATH: is the store's key; not written") and
 * does not exist unless replace > 0 (exit 2 "PATH: exists; not
 * overwritten", with a hint at --force unless replace < 0: no option
 * replaces it); crm_cli_output_commit() flushes, syncs and closes it and
 * gives it path's name, never over an existing file unless replace > 0 (a
 * symbolic link at path is replaced, never followed).  Exit 4 on an I/O
 * error; the temporary file is removed, at exit too.
 */
FILE *crm_cli_output_open(const char *path, const char *db, int replace, char *tmp, size_t len);
void crm_cli_output_commit(FILE *fp, const char *tmp, const char *path, int replace);


/*
 * The party a --contact names: digits an id (or an ext_id), an '@' an
 * e-mail, else an ext_id.  Exit 3 "--contact WHO: no such party".
 */
int64_t crm_cli_contact(crm_store_t *s, const char *who);

/* The program name used in messages; set once by crm_cli_init(). */
extern const char *crm_progname;

/*
 * Remember argv[0]'s base name for messages, and give the library its
 * settings from the environment (crm_cli_settings()).
 */
void crm_cli_init(const char *argv0);
/* $CRM_DB (else the XDG or HOME default), $CRM_CURRENCY, $CRM_ACTOR, $CRM_BUSY_TIMEOUT. */
void crm_cli_settings(void);

/*
 * Print "prog: message" on stderr.  A trailing ':' in fmt appends
 * strerror(errno).
 */
void crm_warn(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* crm_warn(), then exit with code. */
void crm_die(int code, const char *fmt, ...)
	__attribute__((format(printf, 2, 3), noreturn));

/*
 * Whether stdin carries a record stream: a pipe, a socket or a regular
 * file, and not /dev/null or a terminal.  When $CRM_NO_STDIN is set to
 * anything but "" or "0" (a crontab's way to say --no-stdin), never,
 * unless --stdin was given; and a stdin that then holds data already is
 * exit 2, so that a pipe inside a job is never silently ignored.
 */
int crm_stdin_is_stream(void);

/* Flush and close stdout; exit 4 with a message on a write error. */
void crm_close_stdout(void);

/*
 * Whether fd is a terminal the progress meter may write to.
 */
int crm_isatty(int fd);

/*
 * The bulk writers, crm-add and crm-log --import (bulk.c).  Their inputs:
 * standard input when there is no file, else each file ("-" is standard
 * input), read whole by read(); seen() counts the records read so far
 * (rejected ones too): a standard input that adds none is an empty
 * stream (crm_cli_empty_stream()).  A file that cannot be opened
 * abandons the run (crm_cli_bulk_abort(): rollback, the progress meter
 * ended, "name:line: msg", the exit code of status).  The end: the audit
 * entry (counts, a JSON object; NULL: none), then commit, or roll back
 * for a dry run.
 */
struct crm_bulk {
	crm_store_t *store;
	int nfiles;
	char **files;
	void (*read)(FILE *fp, const char *name, void *ctx);
	long (*seen)(void *ctx);
	void *ctx;
};
void crm_cli_bulk_inputs(const struct crm_bulk *b);
void crm_cli_bulk_abort(crm_store_t *s, int status, const char *name, long line, const char *msg)
	__attribute__((noreturn));
void crm_cli_bulk_end(crm_store_t *s, int dry_run, const char *program, const char *action,
                      const char *counts);

/*
 * crm-log's events (events.c).  A run's state: the store, the fields the
 * options gave (event, owned by the program), the printer of what is
 * logged (NULL with -q), the --rejects file (NULL: a bad record abandons
 * the import), the bulk options, and the counts.
 * crm_cli_log_one() logs event for party in the open transaction (begun
 * at the first), printing it, or exits with "name:line: msg" (rolled
 * back).  crm_cli_log_promote() makes the buyers of the run customers
 * unless no_promote: a status (CRM_OK, or the store's error).
 * crm_cli_log_task() is the crm_cli_spread() callback (ctx: the struct
 * crm_cli_log): event due then, checked (exit 2 or 4), then logged.
 * crm_cli_log_end() ends logging: the promotion, the audit entry, and
 * the commit (the rollback of a dry run), or exits with the store's error.
 * crm_cli_type_notice() says once per input a type neither known nor
 * mapped.  --import: crm_cli_log_import_check() checks the option fields
 * (exit 2), crm_cli_log_import_read() and crm_cli_log_import_seen() are
 * the struct crm_bulk callbacks (ctx: the struct crm_cli_log), and
 * crm_cli_log_import_flush() writes the staged events and prints those
 * logged; an error abandons the import (crm_cli_bulk_abort()).
 */
struct crm_cli_log {
	crm_store_t *store;
	crm_event_t *event;
	crm_printer_t *printer;
	FILE *rejects;
	const struct crm_cli_bulk_opts *bulk;
	int informat;                   /* --input-format */
	int create_missing, no_promote;
	long nlogged, nunchanged, nread, nrejected, nparties;
};
void crm_cli_log_one(struct crm_cli_log *l, int64_t party, const char *name, long line);
int crm_cli_log_promote(struct crm_cli_log *l, int dry_run);
void crm_cli_type_notice(const crm_event_t *e, const char *name);
void crm_cli_log_task(int64_t id, const char *due, void *ctx);
void crm_cli_log_end(struct crm_cli_log *l, int dry_run);
void crm_cli_log_import_check(const crm_event_t *event);
void crm_cli_log_import_read(FILE *fp, const char *name, void *ctx);
long crm_cli_log_import_seen(void *ctx);
void crm_cli_log_import_flush(struct crm_cli_log *l);

/*
 * Tasks spread over days (tasks.c).  crm_cli_ids_add() appends an id to
 * a growing list (exit 4 when out of memory; the caller frees ids->v).
 * crm_cli_spread_start() writes the first day: due (YYYY-MM-DD), or
 * tomorrow.  crm_cli_spread() calls fn(id, date, ctx) for each id in
 * turn, the dates spread evenly over the working days (Monday to Friday;
 * all of them when the days hold none) of the days from start; exit 2
 * on a start that is no date or a spread past the year 9999.
 * crm_cli_task_mark() marks task id done (done 1) or open again (0), with
 * its audit entry, in one commit; exit 1 "no task ID", or the store's error.
 */
struct crm_cli_ids {
	int64_t *v;
	size_t n, cap;
};
void crm_cli_ids_add(struct crm_cli_ids *ids, int64_t id);
void crm_cli_task_mark(crm_store_t *s, int64_t id, int done);
void crm_cli_spread_start(const char *due, char start[11]);
void crm_cli_spread(const char *start, long days, const struct crm_cli_ids *ids,
                    void (*fn)(int64_t id, const char *due, void *ctx), void *ctx);

/*
 * crm-gdpr-export's runs (erasure.c).
 * crm_cli_stdin_subjects(): the identifiers on standard input, each
 * passed to add(v, ctx) (v is the caller's to copy): a record stream
 * (JSON, or CSV or TSV with a header naming an identifier), kept in
 * memory, at most 64 MiB (else exit 2), read by crm_cli_each_record(),
 * whose records give their id, email, phone and ext_id; else one
 * identifier a line.
 * crm_cli_erasure_store() opens the store (c->db; exit as
 * crm_cli_store()) and finishes the erasures left unfinished, unless
 * dry_run, which only warns that one waits.  crm_cli_erasure_finish()
 * finishes them: with report, each report on stdout, waiting for the
 * erasure lock, else a line each on stderr, and one another program
 * holds left to it; returns the count finished, adding 1 to *dirty for
 * each with residue or not verified; exits on an error.
 * crm_cli_erasure_lock() takes the erasure lock (held to exit), finishes
 * what waits, then begins the write transaction.
 * crm_cli_erase() erases sj (flags CRM_ERASE_*; dry_run: the plan on
 * stdout, nothing written), audited as action, then finishes and reports
 * it on stdout: the exit code (0, 1 nothing left to erase, 4 residue
 * found), or exits on an error.  crm_cli_erasure_audit() writes an
 * access's audit entry and commits.  crm_cli_put_doc() prints a JSON
 * document the library made and frees it (NULL: exit 4).
 */
void crm_cli_stdin_subjects(void (*add)(const char *v, void *ctx), void *ctx);
crm_store_t *crm_cli_erasure_store(const struct crm_common *c, int dry_run);
size_t crm_cli_erasure_finish(crm_store_t *s, int report, int *dirty);
void crm_cli_erasure_lock(crm_store_t *s);
int crm_cli_erase(crm_store_t *s, crm_subject_t *sj, const char *action, const char *request_id,
                  const char *reason, int flags, int dry_run);
void crm_cli_erasure_audit(crm_store_t *s, crm_subject_t *sj, const char *action,
                           const char *request_id, size_t nparties);
void crm_cli_put_doc(char *doc);

/*
 * crm-report's outputs of a report's tables (render.c): in a printer
 * format (multi: several tables, so JSON Lines rows name theirs and a JSON
 * document keys them; first: the first table), after
 * crm_cli_report_fields() checked that each has the --fields (exit 2);
 * as a terminal chart (utf8: block characters, else ASCII); as one HTML
 * page with SVG charts.  A write error exits 4.
 */
void crm_cli_report_table(const crm_report_t *t, int fmt, const struct crm_common *c, int multi,
                          int first);
void crm_cli_report_fields(const crm_report_t *t, const char *fields);
void crm_cli_report_chart(const crm_report_t *t, int first, int utf8);
void crm_cli_report_html(FILE *fp, const char *title, crm_report_t **reps, int nreps,
                         const char *as_of);

#include "banned.h"

#endif
