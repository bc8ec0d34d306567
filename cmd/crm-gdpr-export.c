/* SPDX-License-Identifier: MIT */
/*
 * crm-gdpr-export: the data protection officer's tool: everything about
 * one person (Art. 15), verified erasure (Art. 17) with a suppression
 * ledger, and the audit trail.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm-cli.h"

enum {
	OPT_SUBJECT = 0x100, OPT_SUBJECT_STDIN, OPT_OUTPUT, OPT_REGISTER, OPT_REQUEST_ID,
	OPT_ERASE, OPT_REASON, OPT_KEEP_ACCOUNTING, OPT_DRY_RUN, OPT_AUDIT, OPT_VERIFY_AUDIT,
	OPT_REDACT, OPT_REPLAY, OPT_UNSUPPRESS, OPT_PORTABLE, OPT_FINISH,
};

static const struct option options[] = {
	CRM_COMMON_OPTIONS,
	{ "subject", 1, NULL, OPT_SUBJECT },
	{ "subject-stdin", 0, NULL, OPT_SUBJECT_STDIN },
	{ "output", 1, NULL, 'o' },
	{ "register", 1, NULL, OPT_REGISTER },
	{ "request-id", 1, NULL, OPT_REQUEST_ID },
	{ "erase", 0, NULL, OPT_ERASE },
	{ "reason", 1, NULL, OPT_REASON },
	{ "keep-accounting", 0, NULL, OPT_KEEP_ACCOUNTING },
	{ "redact-mentions", 0, NULL, OPT_REDACT },
	{ "replay", 0, NULL, OPT_REPLAY },
	{ "finish", 0, NULL, OPT_FINISH },
	{ "portable", 1, NULL, OPT_PORTABLE },
	{ "unsuppress", 1, NULL, OPT_UNSUPPRESS },
	{ "dry-run", 0, NULL, OPT_DRY_RUN },
	{ "audit", 0, NULL, OPT_AUDIT },
	{ "verify-audit", 0, NULL, OPT_VERIFY_AUDIT },
	CRM_WEIGHTS_OPTION,
	{ NULL, 0, NULL, 0 },
};

static struct crm_common common;
static crm_store_t *store;

/* What the options asked. */
static struct {
	const char *output, *reg, *request_id, *reason, *unsuppress, *portable;
	int from_stdin, erase, keep, dry_run, audit, verify, redact, replay, finish;
	struct crm_cli_scores sc;       /* --weights */
} o;

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm-gdpr-export (--subject VALUE... | --subject-stdin) [-o FILE]\n"
	      "               [--register FILE] [--weights FILE] [--request-id ID] [--db PATH]\n"
	      "       crm-gdpr-export --portable DIR (--subject VALUE... | --subject-stdin)\n"
	      "               [--request-id ID] [--db PATH]\n"
	      "       crm-gdpr-export --erase (--subject VALUE... | --subject-stdin)\n"
	      "               --reason TEXT [--request-id ID] [--keep-accounting]\n"
	      "               [--redact-mentions] [--dry-run]\n"
	      "               [--db PATH]\n"
	      "       crm-gdpr-export --replay [--reason TEXT] [--request-id ID] [--keep-accounting]\n"
	      "               [--redact-mentions] [--dry-run]\n"
	      "       crm-gdpr-export --finish [--db PATH]\n"
	      "       crm-gdpr-export --unsuppress VALUE --reason TEXT [--request-id ID]\n"
	      "       crm-gdpr-export --audit [--format jsonl|json|csv|tsv|table] [--fields LIST]\n"
	      "       crm-gdpr-export --verify-audit [--db PATH]\n"
	      "       crm-gdpr-export -h | --help | --version\n"
	      "Answer a data subject's request under the GDPR: everything the store holds\n"
	      "about the person as one JSON document, or erase it and prove it.\n", fp);
	exit(code);
}

/* Identifiers, from the options and from standard input. */
static char **values;
static size_t nvalues, capvalues;

static void
add_value(const char *v, void *ctx)
{
	(void)ctx;
	if (nvalues == capvalues) {
		size_t cap = capvalues ? 2 * capvalues : 16;
		char **p = realloc(values, cap * sizeof *p);
		if (!p)
			crm_die(CRM_EXIT_STORE, "out of memory");
		values = p;
		capvalues = cap;
	}
	if (!(values[nvalues++] = strdup(v)))
		crm_die(CRM_EXIT_STORE, "out of memory");
}

/* The register's path: --register, $CRM_REGISTER, else the user's config. */
static const char *
register_path(const char *opt, char *buf, size_t len)
{
	const char *e = getenv("CRM_REGISTER"), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	if (opt)
		return opt;
	if (e && *e)
		return e;
	if (x && *x == '/')
		snprintf(buf, len, "%s/crm/register.json", x);
	else if (h && *h)
		snprintf(buf, len, "%s/.config/crm/register.json", h);
	else
		return NULL;
	return buf;
}

static int
do_audit(void)
{
	crm_audit_iter_t *it;
	crm_printer_t *pr;
	const char *const *v;
	char msg[256];
	long n = 0;
	int rc;

	if ((rc = crm_printer_open_rows(stdout, crm_cli_outformat(&common), CRM_AUDIT_COLUMNS,
	                                common.fields, common.print_flags, &pr, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	if ((rc = crm_audit_open(store, NULL, &it)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	while ((rc = crm_audit_next(it, &v)) == CRM_OK) {
		/* id and counts are JSON as they are. */
		if (crm_printer_row(pr, v, 1ULL << 0 | 1ULL << 7))
			crm_die(CRM_EXIT_STORE, "write error:");
		n++;
	}
	crm_audit_close(it);
	if (rc != CRM_EOF)
		crm_cli_fail(rc, crm_store_errmsg(store));
	crm_printer_finish(pr);
	crm_printer_close(pr);
	return n ? 0 : CRM_EXIT_NOMATCH;
}

/* The erasure flags the options ask for. */
static int
erase_flags(void)
{
	return (o.keep ? CRM_ERASE_KEEP_ACCOUNTING : 0) | (o.redact ? CRM_ERASE_REDACT : 0);
}

/* --finish: the erasures left unfinished, finished. */
static int
finish_main(void)
{
	int dirty = 0;

	if (nvalues || o.from_stdin || o.output || o.reg || o.request_id || o.reason || o.keep ||
	    o.dry_run || o.redact || o.sc.weights)
		crm_die(CRM_EXIT_USAGE, "--finish takes no subject and no other option");
	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	size_t n = crm_cli_erasure_finish(store, 1, &dirty);
	if (!n)
		crm_warn("no erasure waits to be finished");
	crm_store_close(store);
	crm_close_stdout();
	if (dirty)
		crm_warn("residue found after an erasure: see the report");
	return !n ? CRM_EXIT_NOMATCH : dirty ? CRM_EXIT_STORE : 0;
}

/* --replay: the parties that the suppression ledger names, erased again. */
static int
replay_main(void)
{
	const int64_t *ids;
	crm_subject_t *sj;
	int rc;

	if ((rc = crm_subject_new(&sj)))
		crm_cli_fail(rc, NULL);
	if (!o.dry_run)
		crm_cli_erasure_lock(store);
	if ((rc = crm_gdpr_replay(store, sj)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	if (crm_subject_parties(sj, &ids) == 0) {
		char *none = crm_erasure_none();
		if (!none)
			crm_die(CRM_EXIT_STORE, "out of memory");
		puts(none);
		free(none);
		crm_warn("no party in the store is in the suppression ledger: nothing to erase");
		rc = 0;
	} else
		rc = crm_cli_erase(store, sj, "replay", o.request_id,
		                   o.reason ? o.reason : "erased again after a restore",
		                   CRM_ERASE_REPLAY | erase_flags(), o.dry_run);
	crm_subject_free(sj);
	return rc;
}

/* --unsuppress: a value lifted from the suppression ledger, audited first. */
static int
lift_main(void)
{
	long removed = 0, gone = 0;
	char subj[65];
	int rc;

	crm_cli_erasure_lock(store);
	/* Audited first: a lift that the disk stops is never one without its entry. */
	if ((rc = crm_ledger_remove(store, o.unsuppress, 0, &removed, subj))) {
		crm_store_rollback(store);
		crm_cli_fail(rc, crm_store_errmsg(store));
	}
	if ((rc = crm_audit_append(store, "crm-gdpr-export", "unsuppress", o.request_id,
	                           subj[0] ? subj : NULL,
	                           crm_cli_counts(CRM_COUNTS({ "removed", removed })))) ||
	    (rc = crm_store_commit(store)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	/* In a write transaction, so that no import reads the ledger half-rewritten. */
	if (removed)
		crm_cli_begin_once(store);
	if (removed && ((rc = crm_ledger_remove(store, o.unsuppress, 1, &gone, subj)) ||
	                (rc = crm_store_commit(store))))
		crm_die(crm_status_exit(rc), "the lift is in the audit trail, but the ledger "
		        "could not be changed: %s; run the same --unsuppress again",
		        crm_store_errmsg(store));
	if (!removed) {
		crm_warn("not in the suppression ledger: nothing to lift");
		return CRM_EXIT_NOMATCH;
	}
	fprintf(stderr, "%s: lifted: %ld entr%s of the suppression ledger\n", crm_progname,
	        removed, removed == 1 ? "y" : "ies");
	return 0;
}

/* --replay and --unsuppress: the ledger's own runs, with no subject. */
static int
ledger_main(void)
{
	int rc;

	if (nvalues || o.from_stdin || o.output)
		crm_die(CRM_EXIT_USAGE, "%s takes no subject", o.replay ? "--replay" : "--unsuppress");
	if (o.unsuppress && !o.reason)
		crm_die(CRM_EXIT_USAGE, "--unsuppress needs a --reason (it is audited)");
	if (o.unsuppress && (o.dry_run || o.keep || o.redact))
		crm_die(CRM_EXIT_USAGE, "--unsuppress takes --reason and --request-id only");
	store = crm_cli_erasure_store(&common, o.dry_run);
	rc = o.replay ? replay_main() : lift_main();
	crm_store_close(store);
	crm_close_stdout();
	return rc;
}

/* --audit and --verify-audit: the audit trail listed, or its chain checked. */
static int
audit_main(void)
{
	char msg[512];
	int rc;

	if (nvalues || o.from_stdin || o.output || o.dry_run || o.keep || o.reason)
		crm_die(CRM_EXIT_USAGE, "%s takes no subject", o.audit ? "--audit" : "--verify-audit");
	store = crm_cli_erasure_store(&common, o.dry_run);
	if (o.audit)
		rc = do_audit();
	else {
		int64_t bad;
		long n;
		rc = crm_audit_verify(store, &bad, &n, msg, sizeof msg);
		if (rc == CRM_STORE && bad)
			crm_die(CRM_EXIT_STORE, "%s", msg);
		if (rc)
			crm_cli_fail(rc, crm_store_errmsg(store));
		fprintf(stderr, "%s: the audit trail holds %ld entries, each chained to the one "
		        "before\n", crm_progname, n);
	}
	crm_store_close(store);
	crm_close_stdout();
	return rc;
}

/* The Art. 15 document of the subject, written to out. */
static int
export_one(crm_subject_t *sj, size_t nparties, FILE *out, const char *tmp)
{
	char msg[512], regbuf[4096];
	int missing = 0, rc;
	const char *path = register_path(o.reg, regbuf, sizeof regbuf);

	if ((rc = crm_gdpr_export(store, sj, o.request_id, path, out, &missing, msg, sizeof msg))) {
		/* The temporary file is removed at exit. */
		crm_die(crm_status_exit(rc), "%s", rc == CRM_BADINPUT || rc == CRM_USAGE ? msg :
		        crm_store_errmsg(store));
	}
	if (missing == 1)
		crm_warn("no processing register (%s): the Art. 15 sections say \"not configured\"",
		         path ? path : "no HOME");
	else if (missing == 2)
		crm_warn("%s: some Art. 15 sections are missing and say \"not configured\"", path);
	if (o.output)
		crm_cli_output_commit(out, tmp, o.output, -1);
	crm_cli_erasure_audit(store, sj, "export", o.request_id, nparties);
	if (!nparties)
		crm_warn("no party matches the subject: the document lists none");
	return nparties ? 0 : CRM_EXIT_NOMATCH;
}

/* A subject's request: the export (Art. 15), --portable (Art. 20) or --erase (Art. 17). */
static int
subject_main(void)
{
	char msg[512];
	int rc;

	if (!o.erase && (o.reason || o.keep || o.dry_run || o.redact))
		crm_die(CRM_EXIT_USAGE, "--reason, --keep-accounting, --redact-mentions and --dry-run "
		        "go with --erase");
	if (o.erase && !o.reason)
		crm_die(CRM_EXIT_USAGE, "--erase needs a --reason (kept in the suppression ledger)");
	if (o.erase && o.output)
		crm_die(CRM_EXIT_USAGE, "-o goes with an export, not --erase");
	if (o.portable && (o.erase || o.output || o.reg))
		crm_die(CRM_EXIT_USAGE, "--portable writes its own files: no --erase, -o or --register");
	if (o.sc.weights && (o.portable || o.erase))
		crm_die(CRM_EXIT_USAGE, "--weights goes with an export");
	/* The scores of the export, with the weights crm-find would use; checked first. */
	const struct crm_score_opts *so = NULL;
	if (!o.portable && !o.erase) {
		so = crm_cli_score_weights(&o.sc);
		if ((rc = crm_score_check(so, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	if (o.from_stdin) {
		crm_cli_stdin_subjects(add_value, NULL);
		if (!nvalues)
			crm_die(CRM_EXIT_NOMATCH, "--subject-stdin: standard input named no subject, so"
			        " nothing was done");
	}
	if (!nvalues)
		crm_die(CRM_EXIT_USAGE, "no subject: give --subject VALUE or --subject-stdin");

	/* An existing file or one of the store's is refused now, before any work. */
	FILE *out = stdout;
	char tmp[PATH_MAX];
	if (o.output)
		out = crm_cli_output_open(o.output, common.db, -1, tmp, sizeof tmp);
	store = crm_cli_erasure_store(&common, o.dry_run);
	crm_subject_t *sj;
	if ((rc = crm_subject_new(&sj)))
		crm_cli_fail(rc, NULL);
	/*
	 * An erasure looks its subject up inside its own write transaction:
	 * a party added meanwhile, under one of the identifiers, goes too.
	 */
	if (o.erase && !o.dry_run)
		crm_cli_erasure_lock(store);
	for (size_t i = 0; i < nvalues; i++)
		if ((rc = crm_subject_find(store, sj, values[i])))
			crm_cli_fail(rc, crm_store_errmsg(store));
	if ((rc = crm_subject_weights(sj, so ? so->weights : NULL)))
		crm_cli_fail(rc, NULL);
	const int64_t *ids;
	size_t nparties = crm_subject_parties(sj, &ids);

	if (o.portable) {
		if (!nparties)
			crm_die(CRM_EXIT_NOMATCH, "no party matches the subject: nothing to export");
		if ((rc = crm_gdpr_portable(store, sj, o.portable, o.request_id, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
		crm_cli_erasure_audit(store, sj, "portable", o.request_id, nparties);
		fprintf(stderr, "%s: %s: parties, events and their manifest written\n", crm_progname,
		        o.portable);
		rc = 0;
	} else if (o.erase) {
		if (!nparties) {
			crm_store_rollback(store);
			crm_warn("no party matches the subject: nothing to erase");
			rc = CRM_EXIT_NOMATCH;
		} else {
			rc = crm_cli_erase(store, sj, "erase", o.request_id, o.reason, erase_flags(),
			                   o.dry_run);
		}
	} else
		rc = export_one(sj, nparties, out, tmp);
	crm_subject_free(sj);
	crm_store_close(store);
	for (size_t i = 0; i < nvalues; i++)
		free(values[i]);
	free(values);
	crm_close_stdout();
	return rc;
}

int
main(int argc, char **argv)
{
	int c;

	crm_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common) || crm_cli_score_opt(c, optarg, &o.sc))
			continue;
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case 'o':
			o.output = optarg;
			break;
		case OPT_SUBJECT:
			add_value(optarg, NULL);
			break;
		case OPT_SUBJECT_STDIN:
			o.from_stdin = 1;
			break;
		case OPT_REGISTER:
			o.reg = optarg;
			break;
		case OPT_REQUEST_ID:
			o.request_id = optarg;
			break;
		case OPT_ERASE:
			o.erase = 1;
			break;
		case OPT_REASON:
			o.reason = optarg;
			break;
		case OPT_KEEP_ACCOUNTING:
			o.keep = 1;
			break;
		case OPT_REDACT:
			o.redact = 1;
			break;
		case OPT_REPLAY:
			o.replay = 1;
			break;
		case OPT_FINISH:
			o.finish = 1;
			break;
		case OPT_UNSUPPRESS:
			o.unsuppress = optarg;
			break;
		case OPT_PORTABLE:
			o.portable = optarg;
			break;
		case OPT_DRY_RUN:
			o.dry_run = 1;
			break;
		case OPT_AUDIT:
			o.audit = 1;
			break;
		case OPT_VERIFY_AUDIT:
			o.verify = 1;
			break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	if (optind < argc)
		crm_die(CRM_EXIT_USAGE, "unexpected operand '%s'; give identifiers with --subject",
		        argv[optind]);
	static const char *const texts[] = { "--reason", "--request-id" };
	for (int i = 0; i < 2; i++) {
		const char *t = i ? o.request_id : o.reason;
		if (t && !crm_utf8_valid(t))
			crm_die(CRM_EXIT_USAGE, "%s: not valid UTF-8", texts[i]);
	}
	if (o.audit + o.verify + o.erase + o.replay + o.finish + (o.unsuppress != NULL) +
	    (o.portable != NULL) > 1)
		crm_die(CRM_EXIT_USAGE, "--erase, --replay, --finish, --unsuppress, --portable, --audit"
		        " and --verify-audit do not go together");
	if (o.finish)
		return finish_main();
	if (o.sc.weights && (o.replay || o.unsuppress || o.audit || o.verify))
		crm_die(CRM_EXIT_USAGE, "--weights goes with an export");
	if (o.replay || o.unsuppress)
		return ledger_main();
	if (o.audit || o.verify)
		return audit_main();
	return subject_main();
}
