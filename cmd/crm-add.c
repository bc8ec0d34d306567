/* SPDX-License-Identifier: MIT */
/* crm-add: create or update parties, one from flags or many from CSV/JSONL. */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-cli.h"

enum {
	OPT_KEY = 0x100, OPT_CONFLICT, OPT_TAG, OPT_UNTAG, OPT_SET, OPT_TYPE, OPT_KIND,
	OPT_FIELD_BASE = 0x200,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	{ "name", 1, NULL, OPT_FIELD_BASE + CRM_F_NAME },
	{ "first-name", 1, NULL, OPT_FIELD_BASE + CRM_F_FIRST_NAME },
	{ "last-name", 1, NULL, OPT_FIELD_BASE + CRM_F_LAST_NAME },
	{ "email", 1, NULL, OPT_FIELD_BASE + CRM_F_EMAIL },
	{ "phone", 1, NULL, OPT_FIELD_BASE + CRM_F_PHONE },
	{ "org", 1, NULL, OPT_FIELD_BASE + CRM_F_ORG },
	{ "title", 1, NULL, OPT_FIELD_BASE + CRM_F_TITLE },
	{ "city", 1, NULL, OPT_FIELD_BASE + CRM_F_CITY },
	{ "postcode", 1, NULL, OPT_FIELD_BASE + CRM_F_POSTCODE },
	{ "country", 1, NULL, OPT_FIELD_BASE + CRM_F_COUNTRY },
	{ "birthdate", 1, NULL, OPT_FIELD_BASE + CRM_F_BIRTHDATE },
	{ "gender", 1, NULL, OPT_FIELD_BASE + CRM_F_GENDER },
	{ "notes", 1, NULL, OPT_FIELD_BASE + CRM_F_NOTES },
	{ "kind", 1, NULL, OPT_FIELD_BASE + CRM_F_KIND },
	{ "type", 1, NULL, OPT_FIELD_BASE + CRM_F_TYPE },
	{ "ext-id", 1, NULL, OPT_FIELD_BASE + CRM_F_EXT_ID },
	{ "tag", 1, NULL, OPT_TAG },
	{ "untag", 1, NULL, OPT_UNTAG },
	{ "set", 1, NULL, OPT_SET },
	{ "key", 1, NULL, OPT_KEY },
	{ "on-conflict", 1, NULL, OPT_CONFLICT },
	CRM_BULK_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static struct crm_common common;
static crm_party_t *flags;      /* what the flags say, applied to every record */
static int nflags;              /* how many field flags were given */
static int key = CRM_KEY_AUTO, conflict = CRM_ON_MERGE;
static struct crm_cli_bulk_opts bulk;  /* --rejects, --dry-run, --map ... -q */
static FILE *rejects, *out;
static crm_store_t *store;
static crm_printer_t *printer;
static long nread, ncreated, nupdated, nunchanged, nrejected;

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm-add [--name N] [--first-name F] [--last-name L] [--email E]\n"
	      "               [--phone P] [--org O] [--title T] [--city C] [--postcode P]\n"
	      "               [--country C] [--birthdate D] [--gender G] [--notes N]\n"
	      "               [--kind K] [--type person|organization] [--ext-id X]\n"
	      "               [--tag T]... [--untag T]... [--set KEY=VALUE]...\n"
	      "               [--key id|email|ext_id|phone]\n"
	      "               [--on-conflict merge|replace|skip|error]\n"
	      "               [--rejects FILE [--force]] [--dry-run] [-q | --quiet]\n"
	      "               [--map FROM=TO,...]\n"
	      "               [--encoding NAME] [--from NAME|list]\n"
	      "               [--input-format csv|tsv|jsonl|vcard|lines|auto]\n"
	      "               [--stdin | --no-stdin]\n"
	      "               [--db PATH]\n"
	      "               [--format jsonl|json|csv|tsv|table] [--fields LIST] [--csv-raw]\n"
	      "               [FILE...]\n"
	      "       crm-add -h | --help | --version\n"
	      "Create or update parties from the flags, or from CSV or JSON Lines records\n"
	      "in FILEs or on standard input; print the stored records.\n", fp);
	exit(code);
}

/* Abandon the whole write: nothing of this run stays in the store. */
static void __attribute__((noreturn))
abort_all(int status, const char *fmt, const char *a, long line, const char *msg)
{
	char buf[1024];

	if (!a)
		snprintf(buf, sizeof buf, fmt, msg);
	crm_cli_bulk_abort(store, status, a, line, a ? msg : buf);
}

static void
reject(const char *file, long line, const char *msg, const char *raw, size_t len, int status,
       const char *header)
{
	if (!rejects || !strcmp(file, "flags"))
		abort_all(status, "%s", file, line, msg);
	crm_cli_reject(rejects, file, line, msg, raw, len, header);
	nrejected++;
}

/* Lay the flags over a record and check it: run in the reading thread. */
static int
prepare(crm_party_t *p, void *ctx, char *msg, size_t len)
{
	int field, rc;

	(void)ctx;
	if ((rc = crm_party_overlay(p, flags)))
		return rc;
	return crm_party_check(p, &field, msg, len);
}

static void
add_one(crm_party_t *p, const char *file, long line, const char *raw, size_t len,
        const char *header)
{
	char msg[512];
	int result, rc;
	crm_party_t *stored = NULL;

	nread++;
	crm_cli_begin_once(store);
	rc = crm_party_upsert(store, p, key, conflict, &result, printer ? &stored : NULL,
	                      msg, sizeof msg);
	switch (rc) {
	case CRM_OK:
		break;
	case CRM_BADINPUT: case CRM_CONFLICT: case CRM_NOTFOUND:
		reject(file, line, msg, raw, len, CRM_BADINPUT, header);
		return;
	default:
		abort_all(rc, "%s", NULL, 0, msg);
	}
	if (result == CRM_CREATED)
		ncreated++;
	else if (result == CRM_UPDATED)
		nupdated++;
	else
		nunchanged++;
	if (printer) {
		if ((rc = crm_printer_party(printer, stored ? stored : p)))
			abort_all(rc, "%s", "output", 0, strerror(errno));
		crm_party_free(stored);
	}
	crm_cli_progress(nread, NULL);
}

static void
add_stream(FILE *fp, const char *name)
{
	crm_reader_t *r;
	crm_party_t *p;
	const char *unknown;
	size_t len;
	int rc;

	if ((rc = crm_reader_open(fp, name, common.informat, bulk.map, &r)) ||
	    (bulk.encoding && (rc = crm_reader_encoding(r, bulk.encoding))) ||
	    (bulk.from && (rc = crm_reader_from(r, bulk.from)))) {
		const char *e = r ? crm_reader_error(r) : "";
		crm_die(crm_status_exit(rc), "%s", *e ? e : crm_status_str(rc));
	}
	crm_reader_set_check(r, prepare, NULL);
	if ((rc = crm_reader_start(r)))
		crm_die(crm_status_exit(rc), "%s", crm_status_str(rc));
	for (;;) {
		rc = crm_reader_next(r, &p);
		if ((unknown = crm_reader_unknown(r)))
			crm_warn("%s: not party fields, kept as attributes: %s", name, unknown);
		if ((unknown = crm_reader_skipped(r)))
			crm_warn("%s: skipped, not records: %s", name, unknown);
		if (rc == CRM_EOF)
			break;
		const char *raw = crm_reader_raw(r, &len);
		if (rc == CRM_BADINPUT) {
			const char *e = crm_reader_error(r);
			const char *colon = strchr(e, ':');
			if (crm_reader_fatal(r))
				abort_all(rc, "%s", name, crm_reader_line(r), colon ? colon + 2 : e);
			nread++;
			reject(name, crm_reader_line(r), colon ? colon + 2 : e, raw, len, rc,
			       crm_reader_header(r));
			continue;
		}
		if (rc == CRM_USAGE) {         /* such as a --map column the header lacks */
			const char *e = crm_reader_error(r), *colon = strchr(e, ':');
			abort_all(rc, "%s", name, crm_reader_line(r), colon ? colon + 2 : e);
		}
		if (rc)
			abort_all(rc, "%s", name, 0, rc == CRM_IO ? crm_reader_error(r) : crm_status_str(rc));
		add_one(p, name, crm_reader_line(r), raw, len, crm_reader_header(r));
		crm_party_free(p);
	}
	crm_reader_close(r);
}

static void
add_stream_cb(FILE *fp, const char *name, void *ctx)
{
	(void)ctx;
	add_stream(fp, name);
}

static long
seen_cb(void *ctx)
{
	(void)ctx;
	return nread + nrejected;
}

int
main(int argc, char **argv)
{
	int c, rc;

	crm_cli_init(argv[0]);
	if (!(flags = crm_party_new()))
		crm_die(CRM_EXIT_STORE, "out of memory");
	while ((c = getopt_long(argc, argv, "hq", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common) || crm_cli_bulk_opt(c, optarg, &bulk))
			continue;
		if (c >= OPT_FIELD_BASE) {
			if (crm_party_set(flags, c - OPT_FIELD_BASE, optarg))
				crm_die(CRM_EXIT_STORE, "out of memory");
			nflags++;
			continue;
		}
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case OPT_TAG:
			if (crm_party_add_tag(flags, optarg))
				crm_die(CRM_EXIT_STORE, "out of memory");
			nflags++;
			break;
		case OPT_UNTAG:
			if (crm_party_remove_tag(flags, optarg))
				crm_die(CRM_EXIT_STORE, "out of memory");
			nflags++;
			break;
		case OPT_SET: {
			const char *v = crm_cli_keyvalue(optarg);
			crm_cli_set_failed(crm_party_set_attr(flags, optarg, v), optarg);
			nflags++;
			break;
		}
		case OPT_KEY:
			if (!strcmp(optarg, "id")) key = CRM_KEY_ID;
			else if (!strcmp(optarg, "email")) key = CRM_KEY_EMAIL;
			else if (!strcmp(optarg, "ext_id") || !strcmp(optarg, "ext-id")) key = CRM_KEY_EXT_ID;
			else if (!strcmp(optarg, "phone")) key = CRM_KEY_PHONE;
			else crm_die(CRM_EXIT_USAGE, "unknown key '%s' (id, email, ext_id, phone)", optarg);
			break;
		case OPT_CONFLICT:
			if (!strcmp(optarg, "merge")) conflict = CRM_ON_MERGE;
			else if (!strcmp(optarg, "replace")) conflict = CRM_ON_REPLACE;
			else if (!strcmp(optarg, "skip")) conflict = CRM_ON_SKIP;
			else if (!strcmp(optarg, "error")) conflict = CRM_ON_ERROR;
			else crm_die(CRM_EXIT_USAGE, "unknown --on-conflict '%s' (merge, replace, skip, error)", optarg);
			break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	argc -= optind;
	argv += optind;
	crm_cli_bulk_opts_check(&bulk);

	int from_stdin = argc == 0 && !common.no_stdin && crm_stdin_is_stream();
	if (nflags && (argc > 0 || from_stdin)) {
		/* Flags laid over records are checked once, here. */
		char msg[512];
		int field;
		/* A bad flag is a bad option value: exit 2, as in every program. */
		if ((rc = crm_party_check(flags, &field, msg, sizeof msg)))
			crm_die(rc == CRM_BADINPUT ? CRM_EXIT_USAGE : crm_status_exit(rc), "%s", msg);
	}
	if (argc == 0 && !from_stdin && !nflags)
		crm_die(CRM_EXIT_USAGE, "nothing to add: give field flags, FILEs or records on stdin");
	crm_cli_input_files(argc, argv);

	/* Output waits in a temporary file until the transaction is committed. */
	if (!bulk.quiet) {
		char msg[256];
		out = crm_cli_spool();
		if ((rc = crm_printer_open(out, crm_cli_outformat(&common), common.fields, NULL,
		                           common.print_flags, &printer, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	/* Before the store is opened (or a dry run's stands in): never one of its files. */
	if (bulk.rejects)
		rejects = crm_cli_rejects_open(bulk.rejects, common.db, bulk.force, argc, argv,
		                               from_stdin);
	if (bulk.dry_run)
		crm_cli_dry_run_store(&common);
	store = crm_cli_store(&common, 0);
	crm_cli_progress_start(bulk.quiet);

	if (argc == 0 && !from_stdin) {
		char msg[512];
		int field;
		if ((rc = crm_party_check(flags, &field, msg, sizeof msg)))
			abort_all(rc == CRM_BADINPUT ? CRM_USAGE : rc, "%s", NULL, 0, msg);
		add_one(flags, "flags", 0, NULL, 0, NULL);
	} else {
		struct crm_bulk b = { store, argc, argv, add_stream_cb, seen_cb, NULL };
		crm_cli_bulk_inputs(&b);
	}
	if (nread > 4096 && !bulk.dry_run)
		crm_cli_progress(nread, "indexing and committing...");
	if (rejects)
		crm_cli_rejects_close(rejects);
	const char *counts = crm_cli_counts(CRM_COUNTS({ "read", nread }, { "created", ncreated },
	                                               { "updated", nupdated },
	                                               { "unchanged", nunchanged },
	                                               { "rejected", nrejected }));
	crm_cli_bulk_end(store, bulk.dry_run, "crm-add", "write", ncreated || nupdated ? counts : NULL);
	crm_store_close(store);
	store = NULL;

	if (printer) {
		crm_printer_finish(printer);
		crm_printer_close(printer);
		crm_cli_unspool(out);
	}
	if (!bulk.quiet && (argc > 0 || from_stdin || bulk.dry_run))
		fprintf(stderr, "%s: %s%ld read, %ld created, %ld updated, %ld unchanged, %ld rejected\n",
		        crm_progname, bulk.dry_run ? "dry run, nothing written: " : "",
		        nread, ncreated, nupdated, nunchanged, nrejected);
	crm_party_free(flags);
	crm_close_stdout();
	return 0;
}
