/* SPDX-License-Identifier: MIT */
/*
 * crm-segment: named, saved segments in crm-find's term language, with
 * members pinned in or out and snapshots.  Evaluating one is crm-find
 * with the term segment:NAME, which every program's terms accept.
 */
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm-cli.h"

enum {
	OPT_SAVE = 0x100, OPT_DESCRIPTION, OPT_LIST, OPT_SHOW, OPT_DELETE, OPT_INCLUDE, OPT_EXCLUDE,
	OPT_FREEZE, OPT_THAW, OPT_ATTRITION, OPT_PERIOD,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	{ "save", 1, NULL, OPT_SAVE },
	{ "description", 1, NULL, OPT_DESCRIPTION },
	{ "list", 0, NULL, OPT_LIST },
	{ "show", 1, NULL, OPT_SHOW },
	{ "delete", 1, NULL, OPT_DELETE },
	{ "include", 1, NULL, OPT_INCLUDE },
	{ "exclude", 1, NULL, OPT_EXCLUDE },
	{ "freeze", 1, NULL, OPT_FREEZE },
	{ "thaw", 1, NULL, OPT_THAW },
	CRM_CONTACT_OPTION,
	{ "attrition", 0, NULL, OPT_ATTRITION },
	{ "period", 1, NULL, OPT_PERIOD },
	CRM_SCORE_OPTIONS,
	{ NULL, 0, NULL, 0 },
};

static struct crm_common common;
static crm_store_t *store;

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm-segment NAME [TERM...] [crm-find options]\n"
	      "       crm-segment --rfm|--churn|--propensity|--scores [--explain] [--as-of TIME]\n"
	      "               [--window LEN] [--currency CUR] [--weights FILE] [NAME] [TERM...]\n"
	      "       crm-segment --attrition [--period LEN] [--as-of TIME] [--weights FILE]\n"
	      "       crm-segment --save NAME [--description TEXT] TERM...\n"
	      "       crm-segment --list | --show NAME [--format jsonl|json|csv|tsv|table]\n"
	      "               [--fields LIST]\n"
	      "       crm-segment --delete NAME\n"
	      "       crm-segment --include NAME | --exclude NAME [--contact ID|EMAIL|EXT_ID]...\n"
	      "               [--input-format csv|tsv|jsonl|vcard|lines|auto]\n"
	      "               [--stdin | --no-stdin]\n"
	      "       crm-segment --freeze NAME [--as-of TIME] [--window LEN] [--currency CUR]\n"
	      "               [--weights FILE]\n"
	      "       crm-segment --thaw NAME\n"
	      "       crm-segment -h | --help | --version\n"
	      "Save segments of the base as rules in crm-find's terms, and print their\n"
	      "members; segment:NAME nests one in another, or in any crm-find search.\n"
	      "Every form takes --db PATH.\n", fp);
	exit(code);
}

/*
 * Evaluate: crm-find with segment:NAME first (at > 0), or the whole base
 * (at == 0), then the other arguments.
 */
static void __attribute__((noreturn))
evaluate(int argc, char **argv, int at)
{
	char self[PATH_MAX], path[PATH_MAX + 16], term[128];
	char **args = calloc((size_t)argc + 2, sizeof *args);
	int n = 0;
	ssize_t len;

	if (!args)
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (at && strlen(argv[at]) > 100)
		crm_die(CRM_EXIT_USAGE, "segment name too long");
	/* crm-find speaks as crm-segment: its messages name this program. */
	args[n++] = "crm-segment";
	if (at) {
		snprintf(term, sizeof term, "segment:%s", argv[at]);
		args[n++] = term;
	}
	for (int i = 1; i < argc; i++)
		if (i != at)
			args[n++] = argv[i];
	args[n] = NULL;
	fflush(stdout);
	/* The crm-find beside this program first, so that a build runs its own. */
	if ((len = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[len] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/crm-find", self);
			execv(path, args);
		}
	}
	execvp("crm-find", args);
	crm_die(CRM_EXIT_STORE, "crm-find:");
}

static int
print_segments(const char *name)
{
	crm_segment_iter_t *it;
	crm_printer_t *pr;
	const char *const *v;
	char msg[256];
	long n = 0;
	int rc;

	if ((rc = crm_printer_open_rows(stdout, crm_cli_outformat(&common), CRM_SEGMENT_COLUMNS,
	                                common.fields, common.print_flags, &pr, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	if ((rc = crm_segment_open(store, name, &it)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	while ((rc = crm_segment_next(it, &v)) == CRM_OK) {
		/* rules is a JSON array, the pin counts numbers. */
		if (crm_printer_row(pr, v, 1ULL << 2 | 1ULL << 6 | 1ULL << 7))
			crm_die(CRM_EXIT_STORE, "write error:");
		n++;
	}
	crm_segment_close(it);
	if (rc != CRM_EOF)
		crm_cli_fail(rc, crm_store_errmsg(store));
	if (n || common.format == CRM_OUT_CSV || common.format == CRM_OUT_TSV ||
	    common.format == CRM_OUT_JSON)
		crm_printer_finish(pr);
	crm_printer_close(pr);
	if (!n && name)
		crm_die(CRM_EXIT_NOMATCH, "no segment '%s'", name);
	return n ? 0 : CRM_EXIT_NOMATCH;
}

/* One row: the attrition of the base over the period that ends as of. */
static int
print_attrition(const struct crm_score_opts *so, const char *period)
{
	struct crm_attrition a;
	crm_printer_t *pr;
	char msg[512], active[24], churned[24], rate[32], retention[32];
	int rc;

	if ((rc = crm_score_attrition(store, so, period, &a, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	snprintf(active, sizeof active, "%lld", (long long)a.active);
	snprintf(churned, sizeof churned, "%lld", (long long)a.churned);
	if (a.active) {
		snprintf(rate, sizeof rate, "%.4f", a.rate);
		snprintf(retention, sizeof retention, "%.4f", 1 - a.rate);
	}
	const char *v[] = { a.since, a.as_of, active, churned, a.active ? rate : NULL,
	                    a.active ? retention : NULL };
	if ((rc = crm_printer_open_rows(stdout, crm_cli_outformat(&common),
	                                "since,as_of,active,churned,attrition,retention",
	                                common.fields, common.print_flags, &pr, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	if (crm_printer_row(pr, v, 1ULL << 2 | 1ULL << 3 | 1ULL << 4 | 1ULL << 5) ||
	    crm_printer_finish(pr))
		crm_die(CRM_EXIT_STORE, "write error:");
	crm_printer_close(pr);
	return 0;
}

static void
pin(const char *name, int64_t id, int in, long *n)
{
	int rc;

	crm_cli_begin_once(store);
	if ((rc = crm_segment_pin(store, name, id, in)) == CRM_NOTFOUND)
		crm_die(CRM_EXIT_NOMATCH, "no segment '%s'", name);
	if (rc)
		crm_cli_fail(rc, crm_store_errmsg(store));
	(*n)++;
}

/* Commit, with an entry in the audit trail: what was done to which segment, counts. */
static const char *pin_name;
static int pin_in;
static long *pin_count;

static void
pin_stdin(int64_t id, long line, void *ctx)
{
	(void)line;
	(void)ctx;
	pin(pin_name, id, pin_in, pin_count);
}

static void
commit(const char *action, long n)
{
	const char *counts = crm_cli_counts(CRM_COUNTS({ "parties", n }));
	int rc;

	if ((rc = crm_audit_append(store, "crm-segment", action, NULL, NULL, counts)) ||
	    (rc = crm_store_commit(store)))
		crm_cli_fail(rc, crm_store_errmsg(store));
}

int
main(int argc, char **argv)
{
	const char *save = NULL, *description = NULL, *show = NULL, *del = NULL, *include = NULL;
	const char *exclude = NULL, *freeze = NULL, *thaw = NULL, *period = NULL;
	struct crm_cli_scores sc = { 0 };
	struct crm_cli_contacts ct = { .n = 0 };
	int c, rc, list = 0, attrition = 0;
	char msg[512];

	crm_cli_init(argv[0]);
	/*
	 * Without an action of its own, the run evaluates a segment with
	 * crm-find: the segment is the first operand that is no option's value.
	 */
	{
		static const char *const actions[] = { "--save", "--list", "--show", "--delete",
		                                       "--include", "--exclude", "--freeze", "--thaw",
		                                       "--attrition", "-h", "--help", "--version" };
		static const char *const valued[] = { "--db", "--format", "--fields", "--input-format",
		                                      "--sort", "--limit", "--as-of", "--window",
		                                      "--currency", "--weights" };
		static const char *const scoring[] = { "--rfm", "--churn", "--propensity", "--scores",
		                                       "--explain" };
		int act = 0, name = 0, score = 0;
		for (int i = 1; i < argc && strcmp(argv[i], "--"); i++) {
			for (size_t k = 0; k < sizeof actions / sizeof actions[0]; k++)
				if (!strncmp(argv[i], actions[k], strlen(actions[k])) &&
				    (!argv[i][strlen(actions[k])] || argv[i][strlen(actions[k])] == '='))
					act = 1;
			for (size_t k = 0; k < sizeof scoring / sizeof scoring[0]; k++)
				score |= !strcmp(argv[i], scoring[k]);
		}
		for (int i = 1; !act && !name && i < argc; i++) {
			if (argv[i][0] == '-')
				continue;
			int value = 0;
			for (size_t k = 0; k < sizeof valued / sizeof valued[0]; k++)
				value |= !strcmp(argv[i - 1], valued[k]);
			if (!value)
				name = i;
		}
		/* A term (a=b, tag:x, -tag:x) is no segment's name: scores of the whole base. */
		if (name && score && (strpbrk(argv[name], "=<>~:") || argv[name][0] == '-'))
			name = 0;
		if (name || (score && !act))
			evaluate(argc, argv, name);
	}
	int nargs, nterms;
	char **args = crm_cli_args(argc, argv, options, &nargs), **terms;
	while ((c = getopt_long(nargs, args, "h", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common) || crm_cli_score_opt(c, optarg, &sc) ||
		    crm_cli_contact_opt(c, optarg, &ct))
			continue;
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case OPT_SAVE: save = optarg; break;
		case OPT_DESCRIPTION: description = optarg; break;
		case OPT_LIST: list = 1; break;
		case OPT_SHOW: show = optarg; break;
		case OPT_DELETE: del = optarg; break;
		case OPT_INCLUDE: include = optarg; break;
		case OPT_EXCLUDE: exclude = optarg; break;
		case OPT_FREEZE: freeze = optarg; break;
		case OPT_THAW: thaw = optarg; break;
		case OPT_ATTRITION: attrition = 1; break;
		case OPT_PERIOD: period = optarg; break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	terms = crm_cli_operands(argc, argv, args, nargs, optind, &nterms);
	int actions = !!save + list + !!show + !!del + !!include + !!exclude + !!freeze + !!thaw +
	              attrition;
	if (actions == 0)
		usage(stderr, CRM_EXIT_USAGE);
	if (actions > 1)
		crm_die(CRM_EXIT_USAGE, "one of --save, --list, --show, --delete, --include, --exclude, "
		        "--freeze, --thaw and --attrition at a time");
	if (period && !attrition)
		crm_die(CRM_EXIT_USAGE, "--period goes with --attrition");
	if (!attrition && !freeze && (sc.so.as_of || sc.so.currency || sc.weights || sc.so.window))
		crm_die(CRM_EXIT_USAGE, "--as-of, --window, --currency and --weights go with scores, "
		        "--freeze or --attrition");
	if (description && !save)
		crm_die(CRM_EXIT_USAGE, "--description goes with --save");
	if (ct.n && !include && !exclude)
		crm_die(CRM_EXIT_USAGE, "--contact goes with --include or --exclude");
	if (!save && nterms)
		crm_die(CRM_EXIT_USAGE, "unexpected operand '%s'", terms[0]);
	if (save && !nterms)
		crm_die(CRM_EXIT_USAGE, "--save %s: a segment needs at least one term", save);

	store = crm_cli_store(&common, save ? 0 : CRM_STORE_NOCREATE);
	rc = 0;
	if (attrition) {
		rc = print_attrition(crm_cli_score_weights(&sc), period);
	} else if (save) {
		int created;
		crm_cli_begin_once(store);
		if ((rc = crm_segment_save(store, save, nterms, terms, description,
		                           &created, msg, sizeof msg))) {
			crm_store_rollback(store);
			crm_die(crm_status_exit(rc), "%s", rc == CRM_USAGE ? msg : crm_store_errmsg(store));
		}
		commit("segment-save", 0);
		fprintf(stderr, "%s: %s %s\n", crm_progname, created ? "saved" : "updated", save);
	} else if (list || show) {
		rc = print_segments(show);
	} else if (del) {
		crm_cli_begin_once(store);
		if ((rc = crm_segment_delete(store, del, msg, sizeof msg)) == CRM_NOTFOUND)
			crm_die(CRM_EXIT_NOMATCH, "no segment '%s'", del);
		if (rc == CRM_USAGE)
			crm_die(CRM_EXIT_USAGE, "%s", msg);
		if (rc)
			crm_cli_fail(rc, crm_store_errmsg(store));
		commit("segment-delete", 0);
	} else if (include || exclude) {
		const char *name = include ? include : exclude;
		long n = 0;
		for (int i = 0; i < ct.n; i++)
			pin(name, crm_cli_contact(store, ct.v[i]), include != NULL, &n);
		if (!common.no_stdin && crm_stdin_is_stream()) {
			pin_name = name;
			pin_in = include != NULL;
			pin_count = &n;
			if (!crm_cli_stdin_parties(store, common.informat, 0, pin_stdin, NULL) &&
			    !ct.n)
				crm_cli_empty_stream();
		}
		if (!n)
			crm_die(CRM_EXIT_USAGE, "no party: give --contact or records on standard input");
		commit(include ? "segment-include" : "segment-exclude", n);
		rc = 0;
		fprintf(stderr, "%s: %ld pinned %s %s\n", crm_progname, n, include ? "into" : "out of", name);
	} else if (freeze) {
		int64_t n = 0;
		crm_cli_begin_once(store);
		if ((rc = crm_segment_freeze(store, freeze, crm_cli_score_weights(&sc), &n, msg,
		                             sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", rc == CRM_USAGE || rc == CRM_BADINPUT ? msg :
			        crm_store_errmsg(store));
		commit("segment-freeze", (long)n);
		fprintf(stderr, "%s: %s frozen with %lld member%s\n", crm_progname, freeze, (long long)n,
		        n == 1 ? "" : "s");
	} else if (thaw) {
		crm_cli_begin_once(store);
		if ((rc = crm_segment_thaw(store, thaw)) == CRM_NOTFOUND)
			crm_die(CRM_EXIT_NOMATCH, "no frozen segment '%s'", thaw);
		if (rc)
			crm_cli_fail(rc, crm_store_errmsg(store));
		commit("segment-thaw", 0);
	}
	crm_store_close(store);
	free(args);
	free(terms);
	crm_close_stdout();
	return rc;
}
