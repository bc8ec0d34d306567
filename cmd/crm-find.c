/* SPDX-License-Identifier: MIT */
/* crm-find: select parties by terms and print them as a record stream. */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-cli.h"

enum {
	OPT_SORT = 0x100, OPT_COUNT, OPT_IDS,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	{ "sort", 1, NULL, OPT_SORT },
	CRM_LIMIT_OPTION,
	{ "count", 0, NULL, OPT_COUNT },
	{ "ids", 0, NULL, OPT_IDS },
	CRM_SCORE_PICK_OPTIONS,
	CRM_SCORE_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm-find [--sort [-]FIELD] [--limit N] [--count | --ids]\n"
	      "                [--format jsonl|json|csv|tsv|table] [--fields LIST] [--csv-raw]\n"
	      "                [--input-format csv|tsv|jsonl|vcard|lines|auto]\n"
	      "                [--stdin | --no-stdin]\n"
	      "                [--db PATH]\n"
	      "                [--rfm] [--churn] [--propensity] [--scores] [--explain]\n"
	      "                [--as-of TIME] [--window LEN] [--currency CUR] [--weights FILE]\n"
	      "                [TERM...]\n"
	      "       crm-find -h | --help | --version\n"
	      "Print the parties that match every TERM (OR between terms starts an\n"
	      "alternative): field=value, field!=value, field~text, field>value,\n"
	      "field<value, >=, <=, tag:NAME, -tag:NAME, kind:K, type:T, has:FIELD,\n"
	      "-has:FIELD, attrs.KEY=value, age:A-B, segment:NAME, -segment:NAME,\n"
	      "event:TYPE,KEY=VALUE... (event:opened,campaign=noel), -event:...,\n"
	      "org.TERM, score columns (rfm_segment=at-risk, churned=true,\n"
	      "propensity>=60), or words for the full-text index.\n"
	      "Records on standard input restrict the search to those parties.\n", fp);
	exit(code);
}

static crm_query_t *restricted;
static crm_store_t *restricted_store;

static void
restrict_one(int64_t id, long line, void *ctx)
{
	int rc;

	(void)line;
	(void)ctx;
	if ((rc = crm_query_restrict_add(restricted, id)))
		crm_cli_fail(rc, crm_store_errmsg(restricted_store));
}

int
main(int argc, char **argv)
{
	struct crm_common common = { 0 };
	char **terms, **args;
	int nterms = 0, nargs = 0, count = 0, ids = 0, c, rc;
	const char *sort = NULL;
	struct crm_cli_scores sc = { 0 };
	struct crm_cli_listing ls = CRM_CLI_LISTING_INIT;
	char msg[512];

	crm_cli_init(argv[0]);
	args = crm_cli_args(argc, argv, options, &nargs);
	while ((c = getopt_long(nargs, args, "h", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common) || crm_cli_score_opt(c, optarg, &sc) ||
		    crm_cli_listing_opt(c, optarg, &ls))
			continue;
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case OPT_SORT:
			sort = optarg;
			break;
		case OPT_COUNT:
			count = 1;
			break;
		case OPT_IDS:
			ids = 1;
			break;
		default:
			/* Run by crm-segment NAME, whose usage is not this one. */
			if (strcmp(crm_progname, "crm-find"))
				crm_die(CRM_EXIT_USAGE, "see '%s --help'", crm_progname);
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	if (count && ids)
		crm_die(CRM_EXIT_USAGE, "--count and --ids do not go together");
	if ((count || ids) && common.fields)
		crm_die(CRM_EXIT_USAGE, "--fields goes with records, not with %s", count ? "--count" : "--ids");
	terms = crm_cli_operands(argc, argv, args, nargs, optind, &nterms);

	/* --explain alone explains all three scores. */
	int scores = sc.which;
	if (scores == CRM_SCORE_EXPLAIN)
		scores |= CRM_SCORE_RFM | CRM_SCORE_CHURN | CRM_SCORE_PROPENSITY;
	const struct crm_score_opts *so = crm_cli_score_weights(&sc);

	crm_store_t *store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	crm_query_t *q;
	if ((rc = crm_query_compile(store, nterms, terms, &q, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	if (sort && (rc = crm_query_sort(q, sort, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	crm_query_limit(q, ls.limit);
	if ((rc = crm_query_scores(q, count || ids ? 0 : scores, so, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);

	if (!common.no_stdin && crm_stdin_is_stream()) {
		/* The stream restricts the search; parties not in the store match nothing. */
		if ((rc = crm_query_restrict_begin(q)))
			crm_cli_fail(rc, crm_store_errmsg(store));
		restricted = q;
		restricted_store = store;
		if (!crm_cli_stdin_parties(store, common.informat, 1, restrict_one, NULL))
			crm_cli_empty_stream();
	}

	int64_t n = 0;
	if (count) {
		if ((rc = crm_query_count(q, &n)))
			crm_cli_fail(rc, crm_store_errmsg(store));
		printf("%" PRId64 "\n", n);
	} else {
		crm_printer_t *pr = NULL;
		crm_party_t *p;
		char **keys = NULL;
		int fmt = crm_cli_outformat(&common);
		if (!ids && !common.fields && (fmt == CRM_OUT_CSV || fmt == CRM_OUT_TSV) &&
		    (rc = crm_query_attr_keys(q, &keys)))
			crm_cli_fail(rc, crm_store_errmsg(store));
		if (!ids && (rc = crm_printer_open(stdout, fmt, common.fields, keys,
		                                   common.print_flags | CRM_PRINT_SCORES(scores),
		                                   &pr, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
		crm_strings_free(keys);
		/* Score columns named by --fields are computed too; others are not read. */
		if (pr && (rc = crm_query_scores(q, crm_printer_scores(pr), so, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
		if (pr)
			crm_query_fields(q, crm_printer_fields(pr));
		while ((rc = crm_query_next(q, &p)) == CRM_OK) {
			n++;
			if (ids)
				printf("%" PRId64 "\n", crm_party_id(p));
			else if (crm_printer_party(pr, p))
				crm_die(CRM_EXIT_STORE, "write error:");
			crm_party_free(p);
		}
		if (rc != CRM_EOF)
			crm_cli_fail(rc, crm_store_errmsg(store));
		if (pr) {
			const char *absent = crm_printer_absent(pr);
			if (n || common.format == CRM_OUT_CSV || common.format == CRM_OUT_TSV ||
			    common.format == CRM_OUT_JSON)
				crm_printer_finish(pr);
			if (absent)
				crm_warn("--fields: no party printed has %s", absent);
			crm_printer_close(pr);
		}
	}
	crm_query_close(q);
	crm_store_close(store);
	free(terms);
	free(args);
	crm_close_stdout();
	return n ? CRM_EXIT_OK : CRM_EXIT_NOMATCH;
}
