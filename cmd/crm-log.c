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
	OPT_LIST = 0x100, OPT_REVERSE, OPT_SET, OPT_TASK,
	OPT_SPREAD, OPT_TASKS, OPT_OVERDUE, OPT_DUE_BEFORE, OPT_DONE, OPT_REOPEN, OPT_IMPORT,
	OPT_CREATE_MISSING, OPT_NO_PROMOTE,
	OPT_FIELD_BASE = 0x200,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	CRM_CONTACT_OPTION,
	{ "list", 0, NULL, OPT_LIST },
	CRM_RANGE_OPTIONS,
	{ "reverse", 0, NULL, OPT_REVERSE },
	CRM_LIMIT_OPTION,
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
	{ "import", 0, NULL, OPT_IMPORT },
	{ "create-missing", 0, NULL, OPT_CREATE_MISSING },
	{ "no-promote", 0, NULL, OPT_NO_PROMOTE },
	CRM_BULK_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static struct crm_common common;
static crm_store_t *store;
static struct crm_cli_bulk_opts bulk = { .events = 1 };   /* --dry-run, -q, --rejects ... */
static crm_event_t *event;
static struct crm_cli_log run;  /* what logging and --import share */

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

/* After the commit: the records held back, to stdout. */
static FILE *out;

static void
flush_output(void)
{
	if (!run.printer)
		return;
	crm_printer_finish(run.printer);
	crm_printer_close(run.printer);
	crm_cli_unspool(out);
}

static void
log_one(int64_t party, const char *name, long line)
{
	crm_cli_log_one(&run, party, name, line);
}

/* --spread: the parties first, then one task each, due dates spread out. */
static struct crm_cli_ids pending;

static void
collect(int64_t id, const char *name, long line)
{
	(void)name;
	(void)line;
	crm_cli_ids_add(&pending, id);
}

static crm_event_query_t *query;

/* --import: event records from files, each naming its party, in one transaction. */
static void
import_main(int nfiles, char **files, int from_stdin)
{
	int rc;

	crm_cli_log_import_check(event);
	if (nfiles == 0 && !from_stdin)
		crm_die(CRM_EXIT_USAGE, "--import: give FILEs or records on standard input");
	crm_cli_input_files(nfiles, files);
	if (!bulk.quiet) {
		char msg[256];
		out = crm_cli_spool();
		if ((rc = crm_printer_open_events(out, crm_cli_outformat(&common), common.fields,
		                                  common.print_flags, &run.printer, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	/* Before the store is opened (or a dry run's stands in): never one of its files. */
	if (bulk.rejects)
		run.rejects = crm_cli_rejects_open(bulk.rejects, common.db, bulk.force, nfiles, files,
		                                   from_stdin);
	if (bulk.dry_run && run.create_missing)
		crm_cli_dry_run_store(&common);
	store = run.store = crm_cli_store(&common, CRM_STORE_BULK |
	                                  (run.create_missing ? 0 : CRM_STORE_NOCREATE));
	crm_cli_progress_start(bulk.quiet);
	struct crm_bulk b = { store, nfiles, files, crm_cli_log_import_read, crm_cli_log_import_seen,
	                      &run };
	crm_cli_bulk_inputs(&b);
	if (run.rejects)
		crm_cli_rejects_close(run.rejects);
	if (run.nread > 4096)
		crm_cli_progress(run.nread, "writing and indexing...");
	crm_cli_log_import_flush(&run);
	if ((rc = crm_cli_log_promote(&run, bulk.dry_run)))
		crm_cli_bulk_abort(store, rc, "store", 0, crm_store_errmsg(store));
	const char *counts = crm_cli_counts(CRM_COUNTS({ "read", run.nread }, { "logged", run.nlogged },
	                                               { "already_there", run.nunchanged },
	                                               { "rejected", run.nrejected },
	                                               { "parties_created", run.nparties }));
	crm_cli_bulk_end(store, bulk.dry_run, "crm-log", "import",
	                 run.nlogged || run.nparties ? counts : NULL);
	crm_store_close(store);
	flush_output();
	if (!bulk.quiet)
		fprintf(stderr, "%s: %s%ld read, %ld logged, %ld already there, %ld rejected; "
		        "%ld parties created\n", crm_progname,
		        bulk.dry_run ? "dry run, nothing written: " : "", run.nread, run.nlogged,
		        run.nunchanged, run.nrejected, run.nparties);
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
static struct crm_cli_contacts contacts;
static struct crm_cli_listing ls = CRM_CLI_LISTING_INIT;   /* --since, --until, --limit */
static const char *due_before;
static int list, reverse, nset, tasks, overdue, marking, import;
static int from_stdin;
static long spread = -1;
static int64_t done_id, reopen_id;

/* --done, --reopen: a task's status. */
static int
mark_main(void)
{
	if (marking == 3)
		crm_die(CRM_EXIT_USAGE, "--done and --reopen do not go together");
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++)
		if (crm_event_get(event, f))
			crm_die(CRM_EXIT_USAGE, "--%s does not go with --done or --reopen",
			        crm_event_field_name(f));
	if (contacts.n || list || tasks || bulk.dry_run || nset || spread >= 0 || ls.since ||
	    ls.until || run.no_promote)
		crm_die(CRM_EXIT_USAGE, "--done and --reopen take a task id alone");
	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	crm_cli_task_mark(store, done_id ? done_id : reopen_id, done_id != 0);
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
	crm_printer_t *printer;
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
	if (bulk.dry_run || bulk.quiet || nset || run.no_promote)
		crm_die(CRM_EXIT_USAGE, "%s goes with logging, not --list",
		        bulk.dry_run ? "--dry-run" : bulk.quiet ? "-q" : nset ? "--set" : "--no-promote");
	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	if ((rc = crm_event_query_open(store, &query)))
		crm_cli_fail(rc, NULL);
	for (size_t i = 0; i < sizeof filters / sizeof filters[0]; i++) {
		const char *v = crm_event_get(event, filters[i]);
		if (v && (rc = crm_event_query_match(query, filters[i], v)))
			crm_cli_fail(rc, NULL);
	}
	if ((rc = crm_event_query_range(query, ls.since, ls.until, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	if (tasks && (rc = crm_event_query_tasks(query, overdue ? "today" : due_before,
	                                         msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	crm_event_query_order(query, reverse, ls.limit);
	if (contacts.n || from_stdin)
		list_restrict(-1, NULL, 0);
	for (int i = 0; i < contacts.n; i++)
		list_restrict(crm_cli_contact(store, contacts.v[i]), NULL, 0);
	if (from_stdin)
		each_stdin_party(list_restrict, contacts.n);
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
	crm_printer_close(printer);
	crm_event_query_close(query);
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

	if (ls.since || ls.until || reverse || ls.limit >= 0)
		crm_die(CRM_EXIT_USAGE, "--since, --until, --reverse and --limit go with --list");
	if (!contacts.n && !from_stdin)
		crm_die(CRM_EXIT_USAGE, "no party: give --contact or records on standard input");
	/* A mailer's word for the type is mapped, an unknown one said, as on import. */
	if (crm_event_type_map(event))
		crm_die(CRM_EXIT_STORE, "out of memory");
	/* A bad flag is a bad option value: exit 2, as in every program. */
	if ((rc = crm_event_check(event, &field, msg, sizeof msg)))
		crm_die(rc == CRM_BADINPUT ? CRM_EXIT_USAGE : crm_status_exit(rc), "%s", msg);
	crm_cli_type_notice(event, "--type");
	if (!bulk.quiet) {
		out = crm_cli_spool();
		if ((rc = crm_printer_open_events(out, crm_cli_outformat(&common), common.fields,
		                                  common.print_flags, &run.printer, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	store = run.store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	if (spread > 0) {
		char start[11];
		const char *due = crm_event_get(event, CRM_E_DUE);
		if (strcmp(crm_event_get(event, CRM_E_TYPE), "task"))
			crm_die(CRM_EXIT_USAGE, "--spread goes with --task");
		crm_cli_spread_start(due, start);
		for (int i = 0; i < contacts.n; i++)
			collect(crm_cli_contact(store, contacts.v[i]), "--contact", 0);
		if (from_stdin)
			each_stdin_party(collect, contacts.n);
		crm_cli_spread(start, spread, &pending, crm_cli_log_task, &run);
		free(pending.v);
	} else {
		for (int i = 0; i < contacts.n; i++)
			log_one(crm_cli_contact(store, contacts.v[i]), "--contact", 0);
		if (from_stdin)
			each_stdin_party(log_one, contacts.n);
	}
	crm_cli_log_end(&run, bulk.dry_run);
	crm_store_close(store);
	flush_output();
	if (!bulk.quiet && (from_stdin || bulk.dry_run))
		fprintf(stderr, "%s: %s%ld logged, %ld already there\n", crm_progname,
		        bulk.dry_run ? "dry run, nothing written: " : "", run.nlogged, run.nunchanged);
	crm_event_free(event);
	crm_close_stdout();
	return 0;
}

int
main(int argc, char **argv)
{
	int c;

	crm_cli_init(argv[0]);
	if (!(event = crm_event_new()))
		crm_die(CRM_EXIT_STORE, "out of memory");
	while ((c = getopt_long(argc, argv, "hq", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common) || crm_cli_bulk_opt(c, optarg, &bulk) ||
		    crm_cli_contact_opt(c, optarg, &contacts) || crm_cli_listing_opt(c, optarg, &ls))
			continue;
		if (c >= OPT_FIELD_BASE) {
			if (crm_event_set(event, c - OPT_FIELD_BASE, optarg))
				crm_die(CRM_EXIT_STORE, "out of memory");
			continue;
		}
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case OPT_LIST:
			list = 1;
			break;
		case OPT_REVERSE:
			reverse = 1;
			break;
		case OPT_SET: {
			const char *v = crm_cli_keyvalue(optarg);
			nset++;
			crm_cli_set_failed(crm_event_set_attr(event, optarg, v), optarg);
			break;
		}
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
		case OPT_CREATE_MISSING:
			run.create_missing = 1;
			break;
		case OPT_NO_PROMOTE:
			run.no_promote = 1;
			break;
		case OPT_REOPEN:
			reopen_id = crm_cli_number("--reopen", optarg);
			marking |= 2;
			break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	crm_cli_bulk_opts_check(&bulk);
	run.event = event;
	run.bulk = &bulk;
	run.informat = common.informat;
	if (import) {
		if (contacts.n || list || tasks || marking || spread >= 0 || ls.since || ls.until ||
		    reverse || ls.limit >= 0 || overdue || due_before)
			crm_die(CRM_EXIT_USAGE, "--import takes its parties from the records: no --contact, "
			        "--list, --tasks, --spread, --done or --reopen");
		import_main(argc - optind, argv + optind,
		            optind == argc && !common.no_stdin && crm_stdin_is_stream());
	}
	if (bulk.rejects || run.create_missing || bulk.map || bulk.encoding || bulk.from)
		crm_die(CRM_EXIT_USAGE, "%s goes with --import", bulk.rejects ? "--rejects" :
		        run.create_missing ? "--create-missing" : bulk.map ? "--map" : bulk.from ?
		        "--from" : "--encoding");
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
