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
	OPT_REDACT, OPT_REPLAY, OPT_UNSUPPRESS, OPT_PORTABLE, OPT_WEIGHTS, OPT_FINISH,
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
	{ "weights", 1, NULL, OPT_WEIGHTS },
	{ NULL, 0, NULL, 0 },
};

static struct crm_common common;
static crm_store_t *store;

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
add_value(const char *v)
{
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

/*
 * Standard input: a record stream (JSON Lines, a JSON array, or CSV or
 * TSV with a header naming id, email, phone or ext_id, or only a field
 * name), whose parties' identifiers count; or identifiers, one per line.
 */
static void
read_stdin_subjects(void)
{
	char *line = NULL;
	size_t cap = 0;
	ssize_t n;
	int first = 1, records = 0;
	FILE *tmp = NULL;
	char *mem = NULL;
	size_t memlen = 0;

	while ((n = getline(&line, &cap, stdin)) > 0) {
		while (n && (line[n - 1] == '\n' || line[n - 1] == '\r'))
			line[--n] = '\0';
		if (first) {
			const char *p = line;
			while (*p == ' ' || *p == '\t')
				p++;
			if (!*p)
				continue;
			first = 0;
			/* Records: JSON, or a CSV or TSV header naming an identifier. */
			records = *p == '{' || *p == '[' || crm_field_lookup(p, 1) >= 0 ||
			          (strpbrk(p, ",;\t") && (strstr(p, "mail") || strstr(p, "Mail") ||
			                                    strstr(p, "id") || strstr(p, "Id") || strstr(p, "ID")));
			/* Kept in memory: identifiers never go to a temporary file. */
			if (records && !(tmp = open_memstream(&mem, &memlen)))
				crm_die(CRM_EXIT_STORE, "out of memory");
		}
		if (records) {
			fputs(line, tmp);
			putc('\n', tmp);
			if (ftell(tmp) > (64L << 20))
				crm_die(CRM_EXIT_USAGE, "--subject-stdin: more than 64 MiB of records");
		} else if (*line) {
			add_value(line);
		}
	}
	free(line);
	if (ferror(stdin))
		crm_die(CRM_EXIT_STORE, "standard input:");
	if (!records)
		return;
	if (fclose(tmp))
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (!(tmp = fmemopen(mem, memlen, "r")))
		crm_die(CRM_EXIT_STORE, "out of memory");
	crm_reader_t *r;
	crm_party_t *p;
	int rc;
	if ((rc = crm_reader_open(tmp, "-", CRM_IN_AUTO, NULL, &r)))
		crm_cli_fail(rc, NULL);
	crm_reader_party_id(r, 1);
	while ((rc = crm_reader_next(r, &p)) != CRM_EOF) {
		if (rc == CRM_BADINPUT)
			crm_die(CRM_EXIT_BADINPUT, "-:%s", crm_reader_error(r));
		if (rc)
			crm_cli_fail(rc, crm_reader_error(r));
		const int fields[] = { CRM_F_ID, CRM_F_EMAIL, CRM_F_PHONE, CRM_F_EXT_ID };
		for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
			const char *v = crm_party_get(p, fields[i]);
			if (v && *v && (fields[i] != CRM_F_ID || crm_party_id(p)))
				add_value(v);
		}
		crm_party_free(p);
	}
	crm_reader_free(r);
	fclose(tmp);
	free(mem);
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

/* A JSON document made by the library, on its line; out of memory is exit 4. */
static void
put_doc(char *doc)
{
	if (!doc)
		crm_die(CRM_EXIT_STORE, "out of memory");
	puts(doc);
	free(doc);
}

/* The report of a finished erasure, one JSON line; 1 when residue was found or not verified. */
static int
put_report(const struct crm_erasure *e, int resumed)
{
	put_doc(crm_erasure_report(e, resumed));
	return !e->verified || (e->residue && e->residue[0]);
}

/* This run holds the erasure lock for what it does (see take_lock()). */
static int holding;

/*
 * Erasures that a full disk, a reader or a kill left unfinished: every
 * GDPR command finishes them first.  With report (--finish), their
 * reports go to standard output, and a program erasing or finishing in
 * this store is waited for; else a line each on standard error, and one
 * that another program is busy with is left to it.  The count finished;
 * 1 more in *dirty for each with residue or not verified.
 */
static size_t
finish_pending(int report, int *dirty)
{
	int64_t *ids;
	size_t n, done = 0;
	int rc;

	if ((rc = crm_gdpr_pending(store, &ids, &n)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	if (n && !holding && (rc = crm_gdpr_lock(store, report))) {
		free(ids);
		if (rc == CRM_BUSY && !report)
			return 0;       /* its own program finishes it */
		crm_cli_fail(rc, crm_store_errmsg(store));
	}
	for (size_t i = 0; i < n; i++) {
		struct crm_erasure e;
		if ((rc = crm_gdpr_finish(store, ids[i], 1, &e)) == CRM_NOTFOUND) {
			crm_erasure_clear(&e);
			continue;       /* finished meanwhile */
		}
		if (rc) {
			crm_die(crm_status_exit(rc), "the erasure begun %s is still not finished: %s; run "
			        "crm-gdpr-export --finish%s%s", e.started, crm_store_errmsg(store),
			        report ? " again" : "",
			        rc == CRM_BUSY ? " when no other program uses the store" : "");
		}
		done++;
		if (report)
			*dirty += put_report(&e, 1);
		else if (e.verified && !(e.residue && e.residue[0]))
			fprintf(stderr, "%s: finished the erasure begun %s, left unfinished: its files are"
			        " clean\n", crm_progname, e.started);
		else {
			crm_warn("finished the erasure begun %s, left unfinished, but residue of its "
			         "subject is in the store's files: its entry in crm-gdpr-export --audit "
			         "says where", e.started);
			++*dirty;
		}
		crm_erasure_clear(&e);
	}
	if (!holding)
		crm_gdpr_unlock(store);
	free(ids);
	return done;
}

/* The store, with any unfinished erasure finished first (unless a dry run). */
static int no_finish;

static crm_store_t *
open_store(void)
{
	int dirty = 0;

	store = crm_cli_store(&common, CRM_STORE_NOCREATE);
	if (!no_finish) {
		finish_pending(0, &dirty);
	} else {
		/* A dry run writes nothing: it only says that one waits. */
		int64_t *ids;
		size_t n;
		int rc = crm_gdpr_pending(store, &ids, &n);
		if (rc)
			crm_cli_fail(rc, crm_store_errmsg(store));
		free(ids);
		if (n)
			crm_warn("an erasure waits to be finished: run crm-gdpr-export --finish");
	}
	return store;
}

/*
 * The erasure lock, for what this run changes (an erasure, a lift), then
 * its write transaction, in that order as every program takes them; and
 * the erasures another program left unfinished meanwhile, finished first.
 */
static void
take_lock(void)
{
	int rc, dirty = 0;

	if ((rc = crm_gdpr_lock(store, 1)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	holding = 1;
	finish_pending(0, &dirty);
	crm_cli_begin_once(store);
}

static int
do_erase(crm_subject_t *sj, const char *action, const char *request_id, const char *reason,
         int flags, int dry_run)
{
	long counts[CRM_ERASE_NCOUNTS];
	char msg[512], cj[512], subj[65];
	int64_t pending;
	int rc;

	if (!dry_run && !holding)
		take_lock();
	crm_cli_begin_once(store);
	subj[0] = '\0';
	if ((rc = crm_gdpr_erase(store, sj, request_id, reason,
	                         flags | (dry_run ? CRM_ERASE_DRY_RUN : 0), counts, &pending, msg,
	                         sizeof msg)) ||
	    (!dry_run && (rc = crm_subject_audit_hash(store, sj, subj)))) {
		crm_store_rollback(store);
		crm_cli_fail(rc, crm_store_errmsg(store));
	}
	crm_erase_counts_json(counts, cj, sizeof cj);
	if (!counts[CRM_ERASE_PARTIES]) {
		/* Erased by another program between the lookup and the transaction. */
		crm_store_rollback(store);
		crm_warn("no party matches the subject any more: nothing to erase");
		return CRM_EXIT_NOMATCH;
	}
	if (dry_run) {
		/* The plan: what would go, counted; nothing written, the ledger untouched. */
		crm_store_rollback(store);
		put_doc(crm_erasure_plan(sj, cj));
		return 0;
	}
	/* The deletions and what is left to do, in one commit: all of it or none. */
	if ((rc = crm_audit_append(store, "crm-gdpr-export", action, request_id, subj[0] ? subj : NULL,
	                           cj)) ||
	    (rc = crm_store_commit(store))) {
		crm_store_rollback(store);
		crm_cli_fail(rc, crm_store_errmsg(store));
	}
	struct crm_erasure e;
	if ((rc = crm_gdpr_finish(store, pending, 0, &e))) {
		/* Erased and committed, suppressed, but not finished: say so in the report too. */
		put_doc(crm_erasure_unfinished(cj, request_id, crm_store_errmsg(store)));
		crm_die(crm_status_exit(rc), "the erasure is committed, and its identifiers suppressed,"
		        " but it is not finished: %s; run crm-gdpr-export --finish%s", crm_store_errmsg(store),
		        rc == CRM_BUSY ? " when no other program uses the store" : "");
	}
	int dirty = put_report(&e, 0);
	crm_erasure_clear(&e);
	if (dirty) {
		crm_warn("residue of the subject found in the store's files: see the report");
		return CRM_EXIT_STORE;
	}
	return 0;
}

/* Every export leaves its trace in the audit trail, without the person in it. */
static void
audit_access(crm_subject_t *sj, const char *action, const char *request_id, size_t nparties)
{
	char subj[65], counts[64];
	int rc;

	snprintf(counts, sizeof counts, "{\"parties\":%zu}", nparties);
	crm_cli_begin_once(store);
	if ((rc = crm_subject_audit_hash(store, sj, subj)) ||
	    (rc = crm_audit_append(store, "crm-gdpr-export", action, request_id, subj[0] ? subj : NULL,
	                           counts)) ||
	    (rc = crm_store_commit(store)))
		crm_cli_fail(rc, crm_store_errmsg(store));
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
	crm_printer_free(pr);
	return n ? 0 : CRM_EXIT_NOMATCH;
}

int
main(int argc, char **argv)
{
	const char *output = NULL, *reg = NULL, *request_id = NULL, *reason = NULL;
	int c, rc, from_stdin = 0, erase = 0, keep = 0, dry_run = 0, audit = 0, verify = 0;
	int redact = 0, replay = 0, finish = 0;
	const char *unsuppress = NULL, *portable = NULL, *weights = NULL;
	char msg[512], regbuf[4096];

	crm_cli_init(argv[0]);
	while ((c = getopt_long(argc, argv, "ho:", options, NULL)) != -1) {
		if (crm_cli_common(c, optarg, &common))
			continue;
		switch (c) {
		case 'h':
			usage(stdout, 0);
		case 'o':
			output = optarg;
			break;
		case OPT_SUBJECT:
			add_value(optarg);
			break;
		case OPT_SUBJECT_STDIN:
			from_stdin = 1;
			break;
		case OPT_REGISTER:
			reg = optarg;
			break;
		case OPT_REQUEST_ID:
			request_id = optarg;
			break;
		case OPT_WEIGHTS:
			weights = optarg;
			break;
		case OPT_ERASE:
			erase = 1;
			break;
		case OPT_REASON:
			reason = optarg;
			break;
		case OPT_KEEP_ACCOUNTING:
			keep = 1;
			break;
		case OPT_REDACT:
			redact = 1;
			break;
		case OPT_REPLAY:
			replay = 1;
			break;
		case OPT_FINISH:
			finish = 1;
			break;
		case OPT_UNSUPPRESS:
			unsuppress = optarg;
			break;
		case OPT_PORTABLE:
			portable = optarg;
			break;
		case OPT_DRY_RUN:
			dry_run = 1;
			break;
		case OPT_AUDIT:
			audit = 1;
			break;
		case OPT_VERIFY_AUDIT:
			verify = 1;
			break;
		default:
			usage(stderr, CRM_EXIT_USAGE);
		}
	}
	if (optind < argc)
		crm_die(CRM_EXIT_USAGE, "unexpected operand '%s'; give identifiers with --subject",
		        argv[optind]);
	no_finish = dry_run;
	static const char *const texts[] = { "--reason", "--request-id" };
	for (int i = 0; i < 2; i++) {
		const char *t = i ? request_id : reason;
		if (t && !crm_utf8_valid(t))
			crm_die(CRM_EXIT_USAGE, "%s: not valid UTF-8", texts[i]);
	}
	if (audit + verify + erase + replay + finish + (unsuppress != NULL) + (portable != NULL) > 1)
		crm_die(CRM_EXIT_USAGE, "--erase, --replay, --finish, --unsuppress, --portable, --audit"
		        " and --verify-audit do not go together");
	if (finish) {
		if (nvalues || from_stdin || output || reg || request_id || reason || keep || dry_run ||
		    redact || weights)
			crm_die(CRM_EXIT_USAGE, "--finish takes no subject and no other option");
		int dirty = 0;
		store = crm_cli_store(&common, CRM_STORE_NOCREATE);
		size_t n = finish_pending(1, &dirty);
		if (!n)
			crm_warn("no erasure waits to be finished");
		crm_store_close(store);
		crm_close_stdout();
		if (dirty)
			crm_warn("residue found after an erasure: see the report");
		return !n ? CRM_EXIT_NOMATCH : dirty ? CRM_EXIT_STORE : 0;
	}
	if (weights && (replay || unsuppress || audit || verify))
		crm_die(CRM_EXIT_USAGE, "--weights goes with an export");
	if (replay || unsuppress) {
		if (nvalues || from_stdin || output)
			crm_die(CRM_EXIT_USAGE, "%s takes no subject", replay ? "--replay" : "--unsuppress");
		if (unsuppress && !reason)
			crm_die(CRM_EXIT_USAGE, "--unsuppress needs a --reason (it is audited)");
		if (unsuppress && (dry_run || keep || redact))
			crm_die(CRM_EXIT_USAGE, "--unsuppress takes --reason and --request-id only");
		open_store();
		crm_subject_t *sj;
		if ((rc = crm_subject_new(&sj)))
			crm_cli_fail(rc, NULL);
		if (replay) {
			const int64_t *ids;
			if (!dry_run)
				take_lock();
			if ((rc = crm_gdpr_replay(store, sj)))
				crm_cli_fail(rc, crm_store_errmsg(store));
			if (crm_subject_parties(sj, &ids) == 0) {
				printf("{\"replayed\":0,\"erased\":null}\n");
				crm_warn("no party in the store is in the suppression ledger: nothing to erase");
				rc = 0;
			} else {
				rc = do_erase(sj, "replay", request_id,
				              reason ? reason : "erased again after a restore",
				              CRM_ERASE_REPLAY | (keep ? CRM_ERASE_KEEP_ACCOUNTING : 0) |
				              (redact ? CRM_ERASE_REDACT : 0), dry_run);
			}
		} else {
			long removed = 0;
			char subj[65];
			take_lock();
			/* Audited first: a lift that the disk stops is never one without its entry. */
			if ((rc = crm_ledger_remove(store, unsuppress, 0, &removed, subj))) {
				crm_store_rollback(store);
				crm_cli_fail(rc, crm_store_errmsg(store));
			}
			snprintf(msg, sizeof msg, "{\"removed\":%ld}", removed);
			if ((rc = crm_audit_append(store, "crm-gdpr-export", "unsuppress", request_id,
			                           subj[0] ? subj : NULL, msg)) || (rc = crm_store_commit(store)))
				crm_cli_fail(rc, crm_store_errmsg(store));
			long gone = 0;
			/* In a write transaction, so that no import reads the ledger half-rewritten. */
			if (removed)
				crm_cli_begin_once(store);
			if (removed && ((rc = crm_ledger_remove(store, unsuppress, 1, &gone, subj)) ||
			                (rc = crm_store_commit(store))))
				crm_die(crm_status_exit(rc), "the lift is in the audit trail, but the ledger "
				        "could not be changed: %s; run the same --unsuppress again",
				        crm_store_errmsg(store));
			if (!removed)
				crm_warn("not in the suppression ledger: nothing to lift");
			else
				fprintf(stderr, "%s: lifted: %ld entr%s of the suppression ledger\n", crm_progname,
				        removed, removed == 1 ? "y" : "ies");
			rc = removed ? 0 : CRM_EXIT_NOMATCH;
		}
		crm_subject_free(sj);
		crm_store_close(store);
		crm_close_stdout();
		return rc;
	}
	if (audit || verify) {
		if (nvalues || from_stdin || output || dry_run || keep || reason)
			crm_die(CRM_EXIT_USAGE, "%s takes no subject", audit ? "--audit" : "--verify-audit");
		open_store();
		if (audit)
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
	if (!erase && (reason || keep || dry_run || redact))
		crm_die(CRM_EXIT_USAGE, "--reason, --keep-accounting, --redact-mentions and --dry-run "
		        "go with --erase");
	if (erase && !reason)
		crm_die(CRM_EXIT_USAGE, "--erase needs a --reason (kept in the suppression ledger)");
	if (erase && output)
		crm_die(CRM_EXIT_USAGE, "-o goes with an export, not --erase");
	if (portable && (erase || output || reg))
		crm_die(CRM_EXIT_USAGE, "--portable writes its own files: no --erase, -o or --register");
	if (weights && (portable || erase))
		crm_die(CRM_EXIT_USAGE, "--weights goes with an export");
	/* The scores of the export, with the weights crm-find would use; checked first. */
	char wbuf[4096];
	struct crm_score_opts so = { 0 };
	if (!portable && !erase) {
		so.weights = crm_cli_config(weights, "CRM_WEIGHTS", "weights.json", wbuf, sizeof wbuf);
		if ((rc = crm_score_check(&so, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
	}
	if (from_stdin) {
		read_stdin_subjects();
		if (!nvalues)
			crm_die(CRM_EXIT_NOMATCH, "--subject-stdin: standard input named no subject, so"
			        " nothing was done");
	}
	if (!nvalues)
		crm_die(CRM_EXIT_USAGE, "no subject: give --subject VALUE or --subject-stdin");

	/* An existing file or one of the store's is refused now, before any work. */
	FILE *out = stdout;
	char tmp[PATH_MAX];
	if (output)
		out = crm_cli_output_open(output, common.db, -1, tmp, sizeof tmp);
	open_store();
	crm_subject_t *sj;
	if ((rc = crm_subject_new(&sj)))
		crm_cli_fail(rc, NULL);
	/*
	 * An erasure looks its subject up inside its own write transaction:
	 * a party added meanwhile, under one of the identifiers, goes too.
	 */
	if (erase && !dry_run)
		take_lock();
	for (size_t i = 0; i < nvalues; i++)
		if ((rc = crm_subject_find(store, sj, values[i])))
			crm_cli_fail(rc, crm_store_errmsg(store));
	if ((rc = crm_subject_weights(sj, so.weights)))
		crm_cli_fail(rc, NULL);
	const int64_t *ids;
	size_t nparties = crm_subject_parties(sj, &ids);

	if (portable) {
		if (!nparties)
			crm_die(CRM_EXIT_NOMATCH, "no party matches the subject: nothing to export");
		if ((rc = crm_gdpr_portable(store, sj, portable, request_id, msg, sizeof msg)))
			crm_die(crm_status_exit(rc), "%s", msg);
		audit_access(sj, "portable", request_id, nparties);
		fprintf(stderr, "%s: %s: parties, events and their manifest written\n", crm_progname,
		        portable);
		rc = 0;
	} else if (erase) {
		if (!nparties) {
			crm_store_rollback(store);
			crm_warn("no party matches the subject: nothing to erase");
			rc = CRM_EXIT_NOMATCH;
		} else {
			rc = do_erase(sj, "erase", request_id, reason, (keep ? CRM_ERASE_KEEP_ACCOUNTING : 0) |
			              (redact ? CRM_ERASE_REDACT : 0), dry_run);
		}
	} else {
		int missing = 0;
		const char *path = register_path(reg, regbuf, sizeof regbuf);
		if ((rc = crm_gdpr_export(store, sj, request_id, path, out, &missing, msg, sizeof msg))) {
			/* The temporary file is removed at exit. */
			crm_die(crm_status_exit(rc), "%s", rc == CRM_BADINPUT || rc == CRM_USAGE ? msg :
			        crm_store_errmsg(store));
		}
		if (missing == 1)
			crm_warn("no processing register (%s): the Art. 15 sections say \"not configured\"",
			         path ? path : "no HOME");
		else if (missing == 2)
			crm_warn("%s: some Art. 15 sections are missing and say \"not configured\"", path);
		if (output)
			crm_cli_output_commit(out, tmp, output, -1);
		audit_access(sj, "export", request_id, nparties);
		if (!nparties)
			crm_warn("no party matches the subject: the document lists none");
		rc = nparties ? 0 : CRM_EXIT_NOMATCH;
	}
	crm_subject_free(sj);
	crm_store_close(store);
	for (size_t i = 0; i < nvalues; i++)
		free(values[i]);
	free(values);
	crm_close_stdout();
	return rc;
}
