/* SPDX-License-Identifier: MIT */
/*
 * crm-report: the numbers a manager asks for, as tables, terminal charts
 * or one self-contained HTML page with SVG charts.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <langinfo.h>
#include <limits.h>
#include <locale.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-cli.h"

enum {
	OPT_PERIOD = 0x100, OPT_BY, OPT_CHART, OPT_ASCII, OPT_HTML,
	OPT_TITLE, OPT_FORCE,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	CRM_RANGE_OPTIONS,
	{ "period", 1, NULL, OPT_PERIOD },
	{ "by", 1, NULL, OPT_BY },
	{ "chart", 0, NULL, OPT_CHART },
	{ "ascii", 0, NULL, OPT_ASCII },
	{ "html", 1, NULL, OPT_HTML },
	{ "title", 1, NULL, OPT_TITLE },
	CRM_SCORE_OPTIONS,
	{ "force", 0, NULL, OPT_FORCE },
	{ NULL, 0, NULL, 0 },
};

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm-report REPORT [REPORT...] [--since TIME] [--until TIME] [--as-of TIME]\n"
	      "               [--period month|quarter|year] [--by FIELD] [--currency CUR]\n"
	      "               [--format table|csv|tsv|jsonl|json] [--fields LIST] [--csv-raw]\n"
	      "               [--chart [--ascii]] [--html FILE [--title TEXT] [--force]]\n"
	      "               [--window LEN] [--weights FILE]\n"
	      "               [--input-format csv|tsv|jsonl|vcard|lines|auto]\n"
	      "               [--stdin | --no-stdin]\n"
	      "               [--db PATH]\n"
	      "       crm-report -h | --help | --version\n"
	      "Reports: summary, by FIELD[,FIELD], campaign [NAME], churn, funnel,\n"
	      "revenue, cohort, tasks, activity.  Parties on standard input are the\n"
	      "population; without them, the whole base.\n", fp);
	exit(code);
}

static struct crm_common common;
static crm_store_t *store;

static long npop;

static int
is_report(const char *s)
{
	for (int i = 0; crm_reports[i]; i++)
		if (!strcmp(s, crm_reports[i]))
			return 1;
	return 0;
}

static void
restrict_one(int64_t id, long line, void *ctx)
{
	int rc;

	(void)line;
	(void)ctx;
	if ((rc = crm_report_restrict_add(store, id)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	npop++;
}

/* ------------------------------------------------------------------ */

int
main(int argc, char **argv)
{
	struct crm_report_opts o = { 0 };
	const char *html = NULL, *title = "CRM report";
	struct crm_cli_scores sc = { 0 };
	struct crm_cli_listing ls = CRM_CLI_LISTING_INIT;
	int c, chart = 0, ascii = 0, force = 0, rc;
	char msg[512];

	crm_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "h", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common) || crm_cli_score_opt(c, optarg, &sc) ||
		    crm_cli_listing_opt(c, optarg, &ls))
			continue;
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case OPT_PERIOD: o.period = optarg; break;
		case OPT_BY: o.by = optarg; break;
		case OPT_CHART: chart = 1; break;
		case OPT_ASCII: ascii = 1; break;
		case OPT_HTML: html = optarg; break;
		case OPT_FORCE: force = 1; break;
		case OPT_TITLE: title = optarg; break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	if (optind == argc)
		usage(stderr, CRM_EXIT_USAGE);
	o.since = ls.since;
	o.until = ls.until;
	o.as_of = sc.so.as_of;
	o.currency = sc.so.currency;
	if (ascii && !chart)
		crm_die(CRM_EXIT_USAGE, "--ascii goes with --chart");
	if (chart && html)
		crm_die(CRM_EXIT_USAGE, "--chart draws on the terminal, --html in a page: one of them");
	if ((html || chart) && (common.format || common.fields))
		crm_die(CRM_EXIT_USAGE, "%s: no --format or --fields", html ? "--html writes its own page" :
		        "--chart draws its own table");
	if (strcmp(title, "CRM report") && !html)
		crm_die(CRM_EXIT_USAGE, "--title goes with --html");
	if (force && !html)
		crm_die(CRM_EXIT_USAGE, "--force goes with --html");
	if (html && !*html)
		crm_die(CRM_EXIT_USAGE, "--html needs a file name (or - for standard output)");
	int html_stdout = html && !strcmp(html, "-");
	if (html_stdout && force)
		crm_die(CRM_EXIT_USAGE, "--force goes with a file, not standard output");
	/* An existing page is refused now, before any work. */
	char tmp[PATH_MAX];
	FILE *page = html_stdout ? stdout : html ? crm_cli_output_open(html, common.db, force, tmp,
	             sizeof tmp) :
	             NULL;
	/* The reports and their arguments: by FIELDS, campaign [NAME]. */
	struct { const char *name, *arg; } reps[32];
	int nreps = 0;
	for (int i = optind; i < argc; i++) {
		if (nreps == 32)
			crm_die(CRM_EXIT_USAGE, "at most 32 reports at a time");
		if (!is_report(argv[i]))
			crm_die(CRM_EXIT_USAGE, "unknown report '%s' (summary, by, campaign, churn, funnel, "
			        "revenue, cohort, tasks, activity)", argv[i]);
		reps[nreps].name = argv[i];
		reps[nreps].arg = NULL;
		if (!strcmp(argv[i], "by")) {
			if (i + 1 == argc)
				crm_die(CRM_EXIT_USAGE, "by needs a field, such as by city or by kind,country");
			reps[nreps].arg = argv[++i];
		} else if (!strcmp(argv[i], "campaign") && i + 1 < argc && !is_report(argv[i + 1])) {
			reps[nreps].arg = argv[++i];
		}
		nreps++;
	}
	if (o.by) {
		int revenue = 0;
		for (int i = 0; i < nreps; i++)
			revenue |= !strcmp(reps[i].name, "revenue");
		if (!revenue)
			crm_die(CRM_EXIT_USAGE, "--by goes with revenue (for parties, use the report by FIELD)");
	}
	o.scores = *crm_cli_score_weights(&sc);

	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	if (!common.no_stdin && crm_stdin_is_stream()) {
		if ((rc = crm_report_restrict_begin(store)))
			crm_cli_fail(rc, crm_store_errmsg(store));
		o.restricted = 1;
		if (!crm_cli_stdin_parties(store, common.informat, 1, restrict_one, NULL))
			crm_cli_empty_stream();
		if (!npop)
			crm_die(CRM_EXIT_NOMATCH, "no party in the store is named on standard input (by id,"
			        " e-mail or ext_id): no report of an empty population");
	}
	crm_report_t *out[32];
	int ntables = 0;
	for (int i = 0; i < nreps; i++) {
		if ((rc = crm_report_run(store, reps[i].name, reps[i].arg, &o, &out[i], msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
		for (crm_report_t *r = out[i]; r; r = crm_report_next(r)) {
			if (crm_report_notice(r))
				crm_warn("%s", crm_report_notice(r));
			ntables++;
		}
	}
	if (html) {
		crm_cli_report_html(page, title, out, nreps, o.as_of);
		if (!html_stdout)
			crm_cli_output_commit(page, tmp, html, force);
		fprintf(stderr, "%s: %s: %d table%s written\n", crm_progname,
		        html_stdout ? "standard output" : html, ntables, ntables == 1 ? "" : "s");
	} else if (chart) {
		setlocale(LC_CTYPE, "");
		int utf8 = !ascii && !strcmp(nl_langinfo(CODESET), "UTF-8"), first = 1;
		for (int i = 0; i < nreps; i++)
			for (crm_report_t *r = out[i]; r; r = crm_report_next(r), first = 0)
				crm_cli_report_chart(r, first, utf8);
	} else {
		int fmt = crm_cli_outformat(&common), first = 1;
		if (fmt == CRM_OUT_AUTO)
			fmt = isatty(STDOUT_FILENO) ? CRM_OUT_TABLE : CRM_OUT_JSONL;
		/* Every table must have the --fields, before any is printed. */
		for (int i = 0; common.fields && i < nreps; i++)
			for (crm_report_t *r = out[i]; r; r = crm_report_next(r))
				crm_cli_report_fields(r, common.fields);
		for (int i = 0; i < nreps; i++)
			for (crm_report_t *r = out[i]; r; r = crm_report_next(r), first = 0)
				crm_cli_report_table(r, fmt, &common, ntables > 1, first);
		if (fmt == CRM_OUT_JSON && ntables > 1)
			puts("}");
	}
	for (int i = 0; i < nreps; i++)
		crm_report_free(out[i]);
	crm_store_close(store);
	crm_close_stdout();
	return 0;
}
