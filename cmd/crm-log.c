/* SPDX-License-Identifier: MIT */
/* crm-log: record events for parties, and list the timeline. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "crm-cli.h"

enum {
	OPT_CONTACT = 0x100, OPT_LIST, OPT_SINCE, OPT_UNTIL, OPT_REVERSE, OPT_LIMIT, OPT_SET,
	OPT_DRY_RUN, OPT_TASK, OPT_SPREAD, OPT_TASKS, OPT_OVERDUE, OPT_DUE_BEFORE, OPT_DONE,
	OPT_REOPEN, OPT_IMPORT, OPT_REJECTS, OPT_CREATE_MISSING, OPT_MAP, OPT_ENCODING, OPT_FROM,
	OPT_NO_PROMOTE, OPT_FORCE,
	OPT_FIELD_BASE = 0x200,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	{ "contact", 1, NULL, OPT_CONTACT },
	{ "list", 0, NULL, OPT_LIST },
	{ "since", 1, NULL, OPT_SINCE },
	{ "until", 1, NULL, OPT_UNTIL },
	{ "reverse", 0, NULL, OPT_REVERSE },
	{ "limit", 1, NULL, OPT_LIMIT },
	{ "at", 1, NULL, OPT_FIELD_BASE + CRM_E_AT },
	{ "channel", 1, NULL, OPT_FIELD_BASE + CRM_E_CHANNEL },
	{ "type", 1, NULL, OPT_FIELD_BASE + CRM_E_TYPE },
	{ "direction", 1, NULL, OPT_FIELD_BASE + CRM_E_DIRECTION },
	{ "subject", 1, NULL, OPT_FIELD_BASE + CRM_E_SUBJECT },
	{ "body", 1, NULL, OPT_FIELD_BASE + CRM_E_BODY },
	{ "amount", 1, NULL, OPT_FIELD_BASE + CRM_E_AMOUNT },
	{ "currency", 1, NULL, OPT_FIELD_BASE + CRM_E_CURRENCY },
	{ "campaign", 1, NULL, OPT_FIELD_BASE + CRM_E_CAMPAIGN },
	{ "ref", 1, NULL, OPT_FIELD_BASE + CRM_E_REF },
	{ "set", 1, NULL, OPT_SET },
	{ "task", 1, NULL, OPT_TASK },
	{ "due", 1, NULL, OPT_FIELD_BASE + CRM_E_DUE },
	{ "assignee", 1, NULL, OPT_FIELD_BASE + CRM_E_ASSIGNEE },
	{ "spread", 1, NULL, OPT_SPREAD },
	{ "tasks", 0, NULL, OPT_TASKS },
	{ "overdue", 0, NULL, OPT_OVERDUE },
	{ "due-before", 1, NULL, OPT_DUE_BEFORE },
	{ "done", 1, NULL, OPT_DONE },
	{ "reopen", 1, NULL, OPT_REOPEN },
	{ "dry-run", 0, NULL, OPT_DRY_RUN },
	{ "import", 0, NULL, OPT_IMPORT },
	{ "rejects", 1, NULL, OPT_REJECTS },
	{ "force", 0, NULL, OPT_FORCE },
	{ "create-missing", 0, NULL, OPT_CREATE_MISSING },
	{ "map", 1, NULL, OPT_MAP },
	{ "encoding", 1, NULL, OPT_ENCODING },
	{ "from", 1, NULL, OPT_FROM },
	{ "no-promote", 0, NULL, OPT_NO_PROMOTE },
	{ "quiet", 0, NULL, 'q' },
	{ NULL, 0, NULL, 0 },
};

static struct crm_common common;
static crm_store_t *store;
static const char *rejects_path;
static int force;       /* --force: --rejects replaces an existing file */

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm-log [--contact ID|EMAIL|EXT_ID]... --type TYPE [--channel CHANNEL]\n"
	      "               [--at TIME] [--direction in|out] [--subject TEXT] [--body TEXT]\n"
	      "               [--amount N] [--currency CUR] [--campaign NAME] [--ref REF]\n"
	      "               [--set KEY=VALUE]... [--no-promote] [--dry-run] [-q | --quiet]\n"
	      "               [--input-format csv|tsv|jsonl|vcard|lines|auto]\n"
	      "               [--stdin | --no-stdin]\n"
	      "               [--db PATH]\n"
	      "               [--format jsonl|json|csv|tsv|table] [--fields LIST] [--csv-raw]\n"
	      "       crm-log --list [--contact ID|EMAIL|EXT_ID]... [--since TIME] [--until TIME]\n"
	      "               [--channel CHANNEL] [--type TYPE] [--direction in|out]\n"
	      "               [--campaign NAME] [--reverse] [--limit N]\n"
	      "               [--input-format csv|tsv|jsonl|vcard|lines|auto]\n"
	      "               [--stdin | --no-stdin]\n"
	      "               [--db PATH]\n"
	      "               [--format jsonl|json|csv|tsv|table] [--fields LIST] [--csv-raw]\n"
	      "       crm-log --import [--rejects FILE [--force]] [--create-missing]\n"
	      "               [--map FROM=TO,...]\n"
	      "               [--encoding NAME] [--from NAME|list] [--no-promote]\n"
	      "               [--channel CHANNEL] [--type TYPE] [--campaign NAME] ...\n"
	      "               [--dry-run] [-q | --quiet] [--input-format csv|tsv|jsonl|auto]\n"
	      "               [--db PATH] [--format jsonl|json|csv|tsv|table] [--fields LIST]\n"
	      "               [FILE...]\n"
	      "       crm-log --task TEXT [--due DATE] [--assignee NAME] [--spread DAYS]\n"
	      "               [--contact ID|EMAIL|EXT_ID]... [--dry-run] [-q | --quiet]\n"
	      "       crm-log --tasks [--overdue | --due-before DATE] [--assignee NAME]\n"
	      "               [--contact ID|EMAIL|EXT_ID]... [--limit N]\n"
	      "       crm-log --done ID | --reopen ID\n"
	      "       crm-log -h | --help | --version\n"
	      "Record an event, or a task, for each party named by --contact or read on\n"
	      "standard input; import events from CSV or JSON Lines files; list events,\n"
	      "newest first, or open tasks, by due date.\n", fp);
	exit(code);
}


/* Party ids read from a record stream on stdin, one call each. */
static void (*each_fn)(int64_t id, const char *name, long line);

static void
each_one(int64_t id, long line, void *ctx)
{
	(void)ctx;
	each_fn(id, "-", line);
}

/* An empty stream is an error unless --contact named parties too. */
static void
each_stdin_party(void (*fn)(int64_t id, const char *name, long line), int named)
{
	each_fn = fn;
	if (!crm_cli_stdin_parties(store, common.informat, 0, each_one, NULL) && !named)
		crm_cli_empty_stream();
}

/* Logging. */
static crm_event_t *event;
static crm_printer_t *printer;
static FILE *out;
static long nlogged, nunchanged;
static int no_promote;

/*
 * The leads and prospects with a purchase among the events of this run
 * become customers, in the same transaction, with an entry of their own
 * in the audit trail; unless --no-promote.
 */
static int
promote(int dry_run)
{
	long n = 0;
	int rc;
	char counts[64];

	if (no_promote || !nlogged)
		return CRM_OK;
	if ((rc = crm_event_promote(store, &n)) || !n || dry_run)
		return rc;
	snprintf(counts, sizeof counts, "{\"customers\":%ld}", n);
	return crm_audit_append(store, "crm-log", "promote", NULL, NULL, counts);
}

static void
log_one(int64_t party, const char *name, long line)
{
	char msg[512];
	int result, rc;
	crm_event_t *stored = NULL;

	crm_cli_begin_once(store);
	rc = crm_event_add(store, event, party, &result, printer ? &stored : NULL, msg, sizeof msg);
	if (rc) {
		crm_store_rollback(store);
		if (line > 0)
			crm_die(crm_status_exit(rc), "%s:%ld: %s", name, line, msg);
		crm_cli_fail(rc, msg);
	}
	if (result == CRM_CREATED)
		nlogged++;
	else
		nunchanged++;
	if (stored) {
		if (crm_printer_event(printer, stored))
			crm_die(CRM_EXIT_STORE, "output:");
		crm_event_free(stored);
	}
}

/* After the commit: the records held back, to stdout. */
static void
flush_output(void)
{
	if (!printer)
		return;
	crm_printer_finish(printer);
	crm_printer_free(printer);
	crm_cli_unspool(out);
}

/* --spread: the parties first, then one task each, due dates spread out. */
static int64_t *pending;
static size_t npending, pending_cap;

static void
collect(int64_t id, const char *name, long line)
{
	(void)name;
	(void)line;
	if (npending == pending_cap) {
		size_t cap = pending_cap ? pending_cap * 2 : 256;
		int64_t *p = realloc(pending, cap * sizeof *p);
		if (!p)
			crm_die(CRM_EXIT_STORE, "out of memory");
		pending = p;
		pending_cap = cap;
	}
	pending[npending++] = id;
}

/*
 * Give the collected parties due dates over the working days (Monday to
 * Friday) of the `days` days from start (YYYY-MM-DD), in turn, evenly.
 */
static void
log_spread(const char *start, long days)
{
	struct tm tm = { 0 };
	char (*dates)[11], msg[512];
	long w = 0;
	int field, rc, y, mo, d;

	/* start is YYYY-MM-DD, checked before. */
	if (sscanf(start, "%4d-%2d-%2d", &y, &mo, &d) != 3)
		crm_die(CRM_EXIT_USAGE, "--due wants a date, such as 2026-05-01, not '%s'", start);
	if (!(dates = calloc((size_t)days, sizeof *dates)))
		crm_die(CRM_EXIT_STORE, "out of memory");
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	time_t t = timegm(&tm);
	for (long i = 0; i < days; i++, t += 86400) {
		struct tm dt;
		gmtime_r(&t, &dt);
		if (dt.tm_year + 1900 > 9999)
			crm_die(CRM_EXIT_USAGE, "--spread goes past the year 9999");
		if (dt.tm_wday == 0 || dt.tm_wday == 6)
			continue;
		strftime(dates[w++], sizeof dates[0], "%Y-%m-%d", &dt);
	}
	if (!w) {                       /* a weekend only: use it all the same */
		t = timegm(&tm);
		for (long i = 0; i < days; i++, t += 86400) {
			struct tm dt;
			gmtime_r(&t, &dt);
			if (dt.tm_year + 1900 > 9999)
				crm_die(CRM_EXIT_USAGE, "--spread goes past the year 9999");
			strftime(dates[w++], sizeof dates[0], "%Y-%m-%d", &dt);
		}
	}
	for (size_t i = 0; i < npending; i++) {
		if (crm_event_set(event, CRM_E_DUE, dates[(size_t)((double)i * w / npending)]))
			crm_die(CRM_EXIT_STORE, "out of memory");
		if ((rc = crm_event_check(event, &field, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
		log_one(pending[i], "-", 0);
	}
	free(dates);
}

static crm_event_query_t *query;

/* --import: event records from files, each naming its party. */
static FILE *rejects;
static const char *map, *encoding, *from;
static int create_missing;
static long nread, nrejected, nparties;

/* Abandon the whole import: nothing of it stays in the store. */
static void __attribute__((noreturn))
abort_import(int status, const char *name, long line, const char *msg)
{
	crm_cli_bulk_abort(store, status, name, line, msg);
}

static void
reject(const char *name, long line, const char *msg, const char *raw, size_t len,
       const char *header)
{
	if (!rejects)
		abort_import(CRM_BADINPUT, name, line, msg);
	crm_cli_reject(rejects, name, line, msg, raw, len, header);
	nrejected++;
}

static void
import_one(crm_party_t *p, crm_event_t *e, const char *name, long line, const char *raw,
           size_t len, const char *header)
{
	char msg[512];
	int64_t id;
	int result, rc;

	crm_cli_begin_once(store);
	rc = crm_party_resolve(store, p, &id);
	if (rc == CRM_NOTFOUND) {
		const char *email = crm_party_get(p, CRM_F_EMAIL), *ext = crm_party_get(p, CRM_F_EXT_ID);
		if (!create_missing || (!email && !ext)) {
			if (email)
				snprintf(msg, sizeof msg, "no party with e-mail %s%s", email,
				         create_missing ? "" : " (--create-missing creates it)");
			else if (ext)
				snprintf(msg, sizeof msg, "no party with ext_id %s%s", ext,
				         create_missing ? "" : " (--create-missing creates it)");
			else
				snprintf(msg, sizeof msg, "no party %lld", (long long)crm_party_id(p));
			reject(name, line, msg, raw, len, header);
			return;
		}
		/* A party the store has never seen: a lead, unless the record says. */
		crm_party_set_id(p, 0);
		rc = crm_party_upsert(store, p, CRM_KEY_AUTO, CRM_ON_MERGE, &result, NULL,
		                      msg, sizeof msg);
		if (rc == CRM_BADINPUT) {
			reject(name, line, msg, raw, len, header);
			return;
		}
		if (rc)
			abort_import(rc, name, line, msg);
		id = crm_party_id(p);
		nparties++;
	} else if (rc) {
		abort_import(rc, name, line, crm_store_errmsg(store));
	}
	if ((rc = crm_event_stage(store, e, id)))
		abort_import(rc, name, line, crm_store_errmsg(store));
}

/* Write the staged events; print those logged. */
static void
import_flush(void)
{
	int64_t first;
	crm_event_t *e;
	int rc;

	if (!nread)
		return;
	crm_cli_begin_once(store);
	char ex[160];
	long ndiffer;
	if ((rc = crm_event_stage_differ(store, &ndiffer, ex, sizeof ex)))
		abort_import(rc, "store", 0, crm_store_errmsg(store));
	if (ndiffer)
		crm_warn("%ld record%s already there differ%s in amount or currency from the stored "
		         "event%s, kept as %s (such as %s)", ndiffer, ndiffer == 1 ? "" : "s",
		         ndiffer == 1 ? "s" : "", ndiffer == 1 ? "" : "s", ndiffer == 1 ? "it is" :
		         "they are", ex);
	if ((rc = crm_event_stage_flush(store, &nlogged, &nunchanged, &first)))
		abort_import(rc, "store", 0, crm_store_errmsg(store));
	if (!printer || !nlogged)
		return;
	if ((rc = crm_event_query_open(store, &query)))
		abort_import(rc, "store", 0, crm_status_str(rc));
	crm_event_query_after(query, first - 1);
	while ((rc = crm_event_query_next(query, &e)) == CRM_OK) {
		if (crm_printer_event(printer, e))
			abort_import(CRM_IO, "output", 0, "write error");
		crm_event_free(e);
	}
	if (rc != CRM_EOF)
		abort_import(rc, "store", 0, crm_store_errmsg(store));
	crm_event_query_free(query);
	query = NULL;
}

/* Types neither known nor mapped, said once each per input. */
static char **told;
static size_t ntold;

static void
type_notice(const crm_event_t *e, const char *name)
{
	const char *t = crm_event_get(e, CRM_E_TYPE), *near;
	char **v = NULL;

	if (!t || crm_event_type_known(t, NULL))
		return;
	for (size_t i = 0; i < ntold; i++)
		if (!strcmp(told[i], t))
			return;
	if (ntold == 1000) {
		crm_warn("%s: more than 1000 types not known; no more are named", name);
		ntold++;
	}
	if (ntold > 1000)
		return;
	crm_event_type_known(t, &near);
	if (!(v = realloc(told, (ntold + 1) * sizeof *v)) || !(v[ntold] = strdup(t)))
		crm_die(CRM_EXIT_STORE, "out of memory");
	told = v;
	ntold++;
	if (near)
		crm_warn("%s: type '%s' is not a known type (nearest: %s); kept as given", name, t, near);
	else
		crm_warn("%s: type '%s' is not a known type; kept as given", name, t);
}

static void
told_clear(void)
{
	for (size_t i = 0; i < ntold && i < 1000; i++)
		free(told[i]);
	free(told);
	told = NULL;
	ntold = 0;
}

static void
import_stream(FILE *fp, const char *name)
{
	crm_reader_t *r;
	crm_party_t *p;
	crm_event_t *e;
	const char *unknown;
	size_t len;
	int rc;

	if ((rc = crm_reader_open(fp, name, common.informat, map, &r)) ||
	    (encoding && (rc = crm_reader_encoding(r, encoding))) ||
	    (rc = crm_reader_events(r, event)) || (from && (rc = crm_reader_from(r, from))) ||
	    (rc = crm_reader_start(r))) {
		const char *m = r ? crm_reader_error(r) : "";
		crm_die(crm_status_exit(rc), "%s", *m ? m : crm_status_str(rc));
	}
	for (;;) {
		rc = crm_reader_next_event(r, &p, &e);
		if ((unknown = crm_reader_skipped(r)))
			crm_warn("%s: skipped, not records: %s", name, unknown);
		if ((unknown = crm_reader_unknown(r)))
			crm_warn("%s: not event fields, kept as event attributes: %s", name, unknown);
		if (rc == CRM_EOF)
			break;
		const char *raw = crm_reader_raw(r, &len);
		if (rc == CRM_BADINPUT) {
			const char *m = crm_reader_error(r), *colon = strchr(m, ':');
			m = colon ? colon + 2 : m;
			if (crm_reader_fatal(r))
				abort_import(rc, name, crm_reader_line(r), m);
			nread++;
			reject(name, crm_reader_line(r), m, raw, len, crm_reader_header(r));
			continue;
		}
		if (rc == CRM_USAGE) {         /* such as a --map column the header lacks */
			const char *m = crm_reader_error(r), *colon = strchr(m, ':');
			abort_import(rc, name, crm_reader_line(r), colon ? colon + 2 : m);
		}
		if (rc)
			abort_import(rc, name, 0, rc == CRM_IO ? crm_reader_error(r) : crm_status_str(rc));
		nread++;
		type_notice(e, name);
		import_one(p, e, name, crm_reader_line(r), raw, len, crm_reader_header(r));
		crm_party_free(p);
		crm_event_free(e);
		crm_cli_progress(nread, NULL);
	}
	told_clear();
	crm_reader_free(r);
}

static void
import_stream_cb(FILE *fp, const char *name, void *ctx)
{
	(void)ctx;
	import_stream(fp, name);
}

static long
seen_cb(void *ctx)
{
	(void)ctx;
	return nread + nrejected;
}

/*
 * Check the fields given as options before an import, so that a bad
 * --channel is a usage error, not a rejection of every record.
 */
static void
check_overlay(void)
{
	crm_event_t *c = crm_event_copy(event);
	char msg[512];
	int field;

	if (!c)
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (!crm_event_get(c, CRM_E_TYPE) &&
	    crm_event_set(c, CRM_E_TYPE, crm_event_get(c, CRM_E_DUE) ||
	                  crm_event_get(c, CRM_E_ASSIGNEE) ? "task" : "note"))
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (crm_event_get(c, CRM_E_CURRENCY) && !crm_event_get(c, CRM_E_AMOUNT) &&
	    crm_event_set(c, CRM_E_AMOUNT, "0"))      /* the records give the amounts */
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (crm_event_check(c, &field, msg, sizeof msg))
		crm_die(CRM_EXIT_USAGE, "%s", msg);
	crm_event_free(c);
	/* The currency of amounts given without one: a bad $CRM_CURRENCY stops here. */
	char cur[4];
	if (crm_currency(NULL, cur, msg, sizeof msg))
		crm_die(CRM_EXIT_USAGE, "%s", msg);
}

static void
import_main(int nfiles, char **files, int from_stdin, int dry_run, int quiet)
{
	int rc;

	check_overlay();
	if (nfiles == 0 && !from_stdin)
		crm_die(CRM_EXIT_USAGE, "--import: give FILEs or records on standard input");
	crm_cli_input_files(nfiles, files);
	if (!quiet) {
		char msg[256];
		out = crm_cli_spool();
		if ((rc = crm_printer_open_events(out, crm_cli_outformat(&common), common.fields,
		                                  common.print_flags, &printer, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	/* Before the store is opened (or a dry run's stands in): never one of its files. */
	if (rejects_path)
		rejects = crm_cli_rejects_open(rejects_path, common.db, force, nfiles, files,
		                               from_stdin);
	if (dry_run && create_missing)
		crm_cli_dry_run_store(&common);
	store = crm_cli_store(&common, CRM_STORE_BULK | (create_missing ? 0 : CRM_STORE_NOCREATE));
	crm_cli_progress_start(quiet);
	struct crm_bulk b = { store, nfiles, files, import_stream_cb, seen_cb, NULL };
	crm_cli_bulk_inputs(&b);
	if (rejects)
		crm_cli_rejects_close(rejects);
	if (nread > 4096)
		crm_cli_progress(nread, "writing and indexing...");
	import_flush();
	if ((rc = promote(dry_run)))
		abort_import(rc, "store", 0, crm_store_errmsg(store));
	char counts[256];
	snprintf(counts, sizeof counts, "{\"read\":%ld,\"logged\":%ld,\"already_there\":%ld,"
	         "\"rejected\":%ld,\"parties_created\":%ld}", nread, nlogged, nunchanged,
	         nrejected, nparties);
	crm_cli_bulk_end(store, dry_run, "crm-log", "import", nlogged || nparties ? counts : NULL);
	crm_store_close(store);
	flush_output();
	if (!quiet)
		fprintf(stderr, "%s: %s%ld read, %ld logged, %ld already there, %ld rejected; "
		        "%ld parties created\n", crm_progname, dry_run ? "dry run, nothing written: " : "",
		        nread, nlogged, nunchanged, nrejected, nparties);
	crm_event_free(event);
	crm_close_stdout();
	exit(0);
}


static void
list_restrict(int64_t id, const char *name, long line)
{
	int rc;

	(void)name;
	(void)line;
	if ((rc = crm_event_query_restrict(query, id)))
		crm_cli_fail(rc, crm_store_errmsg(store));
}

/* The options of a run, read by main() and used by the mode it runs. */
static const char *contacts[64], *since, *until, *due_before;
static int ncontacts, list, reverse, dry_run, quiet, nset, tasks, overdue, marking, import;
static int from_stdin;
static long spread = -1, limit = -1;
static int64_t done_id, reopen_id;

/* --done, --reopen: a task's status. */
static int
mark_main(void)
{
	int rc;

	if (marking == 3)
		crm_die(CRM_EXIT_USAGE, "--done and --reopen do not go together");
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++)
		if (crm_event_get(event, f))
			crm_die(CRM_EXIT_USAGE, "--%s does not go with --done or --reopen",
			        crm_event_field_name(f));
	if (ncontacts || list || tasks || dry_run || nset || spread >= 0 || since || until ||
	    no_promote)
		crm_die(CRM_EXIT_USAGE, "--done and --reopen take a task id alone");
	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	crm_cli_begin_once(store);
	rc = crm_task_set_status(store, done_id ? done_id : reopen_id, done_id != 0);
	if (rc == CRM_NOTFOUND)
		crm_die(CRM_EXIT_NOMATCH, "no task %lld", (long long)(done_id ? done_id : reopen_id));
	if (!rc)
		rc = crm_audit_append(store, "crm-log", done_id ? "task-done" : "task-reopen", NULL,
		                      NULL, "{\"tasks\":1}");
	if (rc || (rc = crm_store_commit(store)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	crm_store_close(store);
	crm_event_free(event);
	crm_close_stdout();
	return 0;
}

/* --list, --tasks: events or a work list. */
static int
list_main(void)
{
	char msg[512];
	int rc;
	static const int filters[] = { CRM_E_CHANNEL, CRM_E_TYPE, CRM_E_DIRECTION, CRM_E_CAMPAIGN,
	                               CRM_E_ASSIGNEE };
	crm_event_t *e;
	long n = 0;
	static const int logging_only[] = { CRM_E_AT, CRM_E_SUBJECT, CRM_E_BODY, CRM_E_AMOUNT,
	                                    CRM_E_CURRENCY, CRM_E_REF, CRM_E_DUE };
	if (tasks && crm_event_get(event, CRM_E_TYPE))
		crm_die(CRM_EXIT_USAGE, "--tasks lists tasks: no --type or --task");
	if (spread >= 0)
		crm_die(CRM_EXIT_USAGE, "--spread goes with --task");
	for (size_t i = 0; i < sizeof logging_only / sizeof logging_only[0]; i++)
		if (crm_event_get(event, logging_only[i]))
			crm_die(CRM_EXIT_USAGE, "--%s goes with logging, not --list",
			        crm_event_field_name(logging_only[i]));
	if (dry_run || quiet || nset || no_promote)
		crm_die(CRM_EXIT_USAGE, "%s goes with logging, not --list",
		        dry_run ? "--dry-run" : quiet ? "-q" : nset ? "--set" : "--no-promote");
	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	if ((rc = crm_event_query_open(store, &query)))
		crm_cli_fail(rc, NULL);
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const char *v = crm_event_get(event, filters[i]);
		if (v && (rc = crm_event_query_match(query, filters[i], v)))
			crm_cli_fail(rc, NULL);
	}
	if ((rc = crm_event_query_range(query, since, until, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	if (tasks && (rc = crm_event_query_tasks(query, overdue ? "today" : due_before,
	                                         msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	crm_event_query_order(query, reverse, limit);
	if (ncontacts || from_stdin)
		list_restrict(-1, NULL, 0);
	for (int i = 0; i < ncontacts; i++)
		list_restrict(crm_cli_contact(store, contacts[i]), NULL, 0);
	if (from_stdin)
		each_stdin_party(list_restrict, ncontacts);
	if ((rc = crm_printer_open_events(stdout, common.format, common.fields,
	                                  common.print_flags, &printer, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	while ((rc = crm_event_query_next(query, &e)) == CRM_OK) {
		n++;
		if (crm_printer_event(printer, e))
			crm_die(CRM_EXIT_STORE, "write error:");
		crm_event_free(e);
	}
	if (rc != CRM_EOF)
		crm_cli_fail(rc, crm_store_errmsg(store));
	const char *absent = crm_printer_absent(printer);
	if (n || common.format == CRM_OUT_CSV || common.format == CRM_OUT_TSV ||
	    common.format == CRM_OUT_JSON)
		crm_printer_finish(printer);
	if (absent)
		crm_warn("--fields: no event listed has %s", absent);
	crm_printer_free(printer);
	crm_event_query_free(query);
	crm_event_free(event);
	crm_store_close(store);
	crm_close_stdout();
	return n ? CRM_EXIT_OK : CRM_EXIT_NOMATCH;
}

/* Logging: one event for each party named, or tasks spread over days. */
static int
log_main(void)
{
	char msg[512];
	int rc, field;

	if (since || until || reverse || limit >= 0)
		crm_die(CRM_EXIT_USAGE, "--since, --until, --reverse and --limit go with --list");
	if (!ncontacts && !from_stdin)
		crm_die(CRM_EXIT_USAGE, "no party: give --contact or records on standard input");
	/* A mailer's word for the type is mapped, an unknown one said, as on import. */
	if (crm_event_type_map(event))
		crm_die(CRM_EXIT_STORE, "out of memory");
	/* A bad flag is a bad option value: exit 2, as in every program. */
	if ((rc = crm_event_check(event, &field, msg, sizeof msg)))
		crm_die(rc == CRM_BADINPUT ? CRM_EXIT_USAGE : crm_status_exit(rc), "%s", msg);
	type_notice(event, "--type");
	if (!quiet) {
		out = crm_cli_spool();
		if ((rc = crm_printer_open_events(out, crm_cli_outformat(&common), common.fields,
		                                  common.print_flags, &printer, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	if (spread > 0) {
		char start[11];
		const char *due = crm_event_get(event, CRM_E_DUE);
		if (strcmp(crm_event_get(event, CRM_E_TYPE), "task"))
			crm_die(CRM_EXIT_USAGE, "--spread goes with --task");
		if (due) {
			snprintf(start, sizeof start, "%s", due);
		} else {
			time_t t = time(NULL) + 86400;      /* from tomorrow */
			struct tm d;
			gmtime_r(&t, &d);
			strftime(start, sizeof start, "%Y-%m-%d", &d);
		}
		for (int i = 0; i < ncontacts; i++)
			collect(crm_cli_contact(store, contacts[i]), "--contact", 0);
		if (from_stdin)
			each_stdin_party(collect, ncontacts);
		log_spread(start, spread);
		free(pending);
	} else {
		for (int i = 0; i < ncontacts; i++)
			log_one(crm_cli_contact(store, contacts[i]), "--contact", 0);
		if (from_stdin)
			each_stdin_party(log_one, ncontacts);
	}
	if ((rc = promote(dry_run))) {
		crm_store_rollback(store);
		crm_cli_fail(rc, crm_store_errmsg(store));
	}
	if (!dry_run && nlogged) {
		char counts[128];
		snprintf(counts, sizeof counts, "{\"logged\":%ld,\"already_there\":%ld}", nlogged,
		         nunchanged);
		if ((rc = crm_audit_append(store, "crm-log", "log", NULL, NULL, counts))) {
			crm_store_rollback(store);
			crm_cli_fail(rc, crm_store_errmsg(store));
		}
	}
	rc = dry_run ? crm_store_rollback(store) : crm_store_commit(store);
	if (rc)
		crm_cli_fail(rc, crm_store_errmsg(store));
	crm_store_close(store);
	flush_output();
	if (!quiet && (from_stdin || dry_run))
		fprintf(stderr, "%s: %s%ld logged, %ld already there\n", crm_progname,
		        dry_run ? "dry run, nothing written: " : "", nlogged, nunchanged);
	crm_event_free(event);
	crm_close_stdout();
	return 0;
}

int
main(int argc, char **argv)
{
	int c;
	char msg[512];

	crm_cli_init(argv[0]);
	if (!(event = crm_event_new()))
		crm_die(CRM_EXIT_STORE, "out of memory");
	while ((c = getopt_long(argc, argv, "hq", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common))
			continue;
		if (c >= OPT_FIELD_BASE) {
			if (crm_event_set(event, c - OPT_FIELD_BASE, optarg))
				crm_die(CRM_EXIT_STORE, "out of memory");
			continue;
		}
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case 'q':
			quiet = 1;
			break;
		case OPT_CONTACT:
			if (ncontacts == 64)
				crm_die(CRM_EXIT_USAGE, "at most 64 --contact; pipe records for more");
			contacts[ncontacts++] = optarg;
			break;
		case OPT_LIST:
			list = 1;
			break;
		case OPT_SINCE:
			since = optarg;
			break;
		case OPT_UNTIL:
			until = optarg;
			break;
		case OPT_REVERSE:
			reverse = 1;
			break;
		case OPT_LIMIT:
			limit = crm_cli_number("--limit", optarg);
			break;
		case OPT_SET: {
			const char *v = crm_cli_keyvalue(optarg);
			nset++;
			crm_cli_set_failed(crm_event_set_attr(event, optarg, v), optarg);
			break;
		}
		case OPT_DRY_RUN:
			dry_run = 1;
			break;
		case OPT_TASK:
			if (crm_event_set(event, CRM_E_TYPE, "task") ||
			    crm_event_set(event, CRM_E_SUBJECT, optarg))
				crm_die(CRM_EXIT_STORE, "out of memory");
			break;
		case OPT_SPREAD: {
			size_t n = strlen(optarg);
			if (!n || optarg[n - 1] != 'd')
				crm_die(CRM_EXIT_USAGE, "--spread wants days, such as 10d, not '%s'", optarg);
			optarg[n - 1] = '\0';
			spread = crm_cli_number("--spread", optarg);
			if (spread < 1 || spread > 3660)
				crm_die(CRM_EXIT_USAGE, "--spread wants 1d to 3660d");
			break;
		}
		case OPT_TASKS:
			tasks = 1;
			break;
		case OPT_OVERDUE:
			overdue = 1;
			break;
		case OPT_DUE_BEFORE:
			due_before = optarg;
			break;
		case OPT_DONE:
			done_id = crm_cli_number("--done", optarg);
			marking |= 1;
			break;
		case OPT_IMPORT:
			import = 1;
			break;
		case OPT_REJECTS:
			rejects_path = optarg;
			break;
		case OPT_FORCE:
			force = 1;
			break;
		case OPT_CREATE_MISSING:
			create_missing = 1;
			break;
		case OPT_NO_PROMOTE:
			no_promote = 1;
			break;
		case OPT_ENCODING:
			if (crm_encoding_check(optarg))
				crm_die(CRM_EXIT_USAGE, "--encoding: unknown encoding '%s' (iconv -l lists them)",
				        optarg);
			encoding = optarg;
			break;
		case OPT_FROM:
			if (!strcmp(optarg, "list")) {
				for (int i = 0; crm_event_presets[i].name; i++)
					printf("%-12s %s\n", crm_event_presets[i].name, crm_event_presets[i].what);
				crm_close_stdout();
				exit(0);
			}
			{
				int known = 0;
				for (int i = 0; crm_event_presets[i].name; i++)
					known |= !strcasecmp(optarg, crm_event_presets[i].name);
				if (!known)
					crm_die(CRM_EXIT_USAGE, "--from: unknown export '%s' (crm-log --from list)",
					        optarg);
			}
			from = optarg;
			break;
		case OPT_MAP:
			if (crm_map_check(optarg, 1, msg, sizeof msg))
				crm_die(CRM_EXIT_USAGE, "%s", msg);
			map = optarg;
			break;
		case OPT_REOPEN:
			reopen_id = crm_cli_number("--reopen", optarg);
			marking |= 2;
			break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	if (force && !rejects_path)
		crm_die(CRM_EXIT_USAGE, "--force goes with --rejects");
	if (import) {
		if (ncontacts || list || tasks || marking || spread >= 0 || since || until ||
		    reverse || limit >= 0 || overdue || due_before)
			crm_die(CRM_EXIT_USAGE, "--import takes its parties from the records: no --contact, "
			        "--list, --tasks, --spread, --done or --reopen");
		import_main(argc - optind, argv + optind,
		            optind == argc && !common.no_stdin && crm_stdin_is_stream(), dry_run, quiet);
	}
	if (rejects_path || create_missing || map || encoding || from)
		crm_die(CRM_EXIT_USAGE, "%s goes with --import", rejects_path ? "--rejects" :
		        create_missing ? "--create-missing" : map ? "--map" : from ? "--from" :
		        "--encoding");
	if (optind < argc)
		crm_die(CRM_EXIT_USAGE, "unexpected operand '%s'", argv[optind]);
	from_stdin = !common.no_stdin && crm_stdin_is_stream();

	if (marking)
		return mark_main();
	if (tasks) {
		/* A work list: the open tasks, by due date. */
		if (overdue && due_before)
			crm_die(CRM_EXIT_USAGE, "--overdue and --due-before do not go together");
		list = 1;
		if (!common.fields && crm_cli_outformat(&common) == CRM_OUT_TABLE)
			common.fields = "id,party_id,due,assignee,subject";
	} else if (overdue || due_before) {
		crm_die(CRM_EXIT_USAGE, "--overdue and --due-before go with --tasks");
	}

	if (list)
		return list_main();
	return log_main();
}
