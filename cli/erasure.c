/* SPDX-License-Identifier: MIT */
/*
 * erasure.c: crm-gdpr-export's runs over the library's erasure: the
 * subjects read on standard input, the erasure lock and the write
 * transaction taken in that order, the erasures left unfinished finished
 * first, an erasure done and reported, an access audited.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-cli.h"

/* The identifiers of one record read by crm_cli_stdin_subjects(). */
struct subject_add {
	void (*add)(const char *v, void *ctx);
	void *ctx;
};

static void
subject_ids(crm_party_t *p, long line, void *ctx)
{
	const struct subject_add *a = ctx;
	const int fields[] = { CRM_F_ID, CRM_F_EMAIL, CRM_F_PHONE, CRM_F_EXT_ID };

	(void)line;
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++) {
		const char *v = crm_party_get(p, fields[i]);
		if (v && *v && (fields[i] != CRM_F_ID || crm_party_id(p)))
			a->add(v, a->ctx);
	}
	crm_party_free(p);
}

/*
 * Standard input: a record stream (JSON Lines, a JSON array, or CSV or
 * TSV with a header naming id, email, phone or ext_id, or only a field
 * name), whose parties' identifiers count; or identifiers, one per line.
 */
void
crm_cli_stdin_subjects(void (*add)(const char *v, void *ctx), void *ctx)
{
	struct subject_add a = { add, ctx };
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
			add(line, ctx);
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
	crm_cli_each_record(tmp, CRM_IN_AUTO, subject_ids, &a);
	fclose(tmp);
	free(mem);
}

/* A JSON document made by the library, on its line; out of memory is exit 4. */
void
crm_cli_put_doc(char *doc)
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
	crm_cli_put_doc(crm_erasure_report(e, resumed));
	return !e->verified || (e->residue && e->residue[0]);
}

/* This run holds the erasure lock for what it does (see crm_cli_erasure_lock()). */
static int holding;

/*
 * Erasures that a full disk, a reader or a kill left unfinished: every
 * GDPR command finishes them first.  With report (--finish), their
 * reports go to standard output, and a program erasing or finishing in
 * this store is waited for; else a line each on standard error, and one
 * that another program is busy with is left to it.  The count finished;
 * 1 more in *dirty for each with residue or not verified.
 */
size_t
crm_cli_erasure_finish(crm_store_t *store, int report, int *dirty)
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
crm_store_t *
crm_cli_erasure_store(const struct crm_common *common, int dry_run)
{
	int dirty = 0;

	crm_store_t *store = crm_cli_store(common, CRM_STORE_NOCREATE);

	if (!dry_run) {
		crm_cli_erasure_finish(store, 0, &dirty);
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
void
crm_cli_erasure_lock(crm_store_t *store)
{
	int rc, dirty = 0;

	if ((rc = crm_gdpr_lock(store, 1)))
		crm_cli_fail(rc, crm_store_errmsg(store));
	holding = 1;
	crm_cli_erasure_finish(store, 0, &dirty);
	crm_cli_begin_once(store);
}

int
crm_cli_erase(crm_store_t *store, crm_subject_t *sj, const char *action, const char *request_id,
              const char *reason, int flags, int dry_run)
{
	long counts[CRM_ERASE_NCOUNTS];
	char msg[512], cj[512], subj[65];
	int64_t pending;
	int rc;

	if (!dry_run && !holding)
		crm_cli_erasure_lock(store);
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
		crm_cli_put_doc(crm_erasure_plan(sj, cj));
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
		crm_cli_put_doc(crm_erasure_unfinished(cj, request_id, crm_store_errmsg(store)));
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
void
crm_cli_erasure_audit(crm_store_t *store, crm_subject_t *sj, const char *action,
                      const char *request_id, size_t nparties)
{
	const char *counts = crm_cli_counts(CRM_COUNTS({ "parties", (long long)nparties }));
	char subj[65];
	int rc;

	crm_cli_begin_once(store);
	if ((rc = crm_subject_audit_hash(store, sj, subj)) ||
	    (rc = crm_audit_append(store, "crm-gdpr-export", action, request_id, subj[0] ? subj : NULL,
	                           counts)) ||
	    (rc = crm_store_commit(store)))
		crm_cli_fail(rc, crm_store_errmsg(store));
}

