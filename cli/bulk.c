/* SPDX-License-Identifier: MIT */
/*
 * bulk.c: the one way crm-add and crm-log --import go through their
 * inputs and end their one transaction: standard input or the files in
 * turn ("-" is standard input), an empty stream said, a file that cannot
 * be opened abandoning everything; then the audit entry, the commit (or
 * the rollback of a dry run) and the end of the progress meter.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include "crm-cli.h"

/* Abandon the whole run: nothing of it stays in the store. */
void
crm_cli_bulk_abort(crm_store_t *s, int status, const char *name, long line, const char *msg)
{
	char buf[1024];

	crm_store_rollback(s);
	crm_cli_progress(-1, NULL);
	if (name && line > 0)
		snprintf(buf, sizeof buf, "%s:%ld: %s", name, line, msg);
	else if (name)
		snprintf(buf, sizeof buf, "%s: %s", name, msg);
	else
		snprintf(buf, sizeof buf, "%s", msg);
	crm_cli_fail(status, buf);
}

void
crm_cli_bulk_inputs(const struct crm_bulk *b)
{
	long before;

	if (b->nfiles == 0) {
		before = b->seen(b->ctx);
		b->read(stdin, "-", b->ctx);
		if (b->seen(b->ctx) == before)
			crm_cli_empty_stream();
		return;
	}
	for (int i = 0; i < b->nfiles; i++) {
		if (!strcmp(b->files[i], "-")) {
			/* Standard input named by -: an empty stream all the same. */
			before = b->seen(b->ctx);
			b->read(stdin, "-", b->ctx);
			if (b->seen(b->ctx) == before)
				crm_cli_empty_stream();
			continue;
		}
		FILE *fp = fopen(b->files[i], "r");
		if (!fp)
			crm_cli_bulk_abort(b->store, CRM_IO, b->files[i], 0, strerror(errno));
		b->read(fp, b->files[i], b->ctx);
		fclose(fp);
	}
}

void
crm_cli_bulk_end(crm_store_t *s, int dry_run, const char *program, const char *action,
                 const char *counts)
{
	int rc;

	/* The audit trail: counts only, never the records. */
	if (!dry_run && counts && (rc = crm_audit_append(s, program, action, NULL, NULL, counts)))
		crm_cli_bulk_abort(s, rc, "audit trail", 0, crm_store_errmsg(s));
	rc = dry_run ? crm_store_rollback(s) : crm_store_commit(s);
	crm_cli_progress(-1, NULL);
	if (rc)
		crm_cli_fail(rc, crm_store_errmsg(s));
}
