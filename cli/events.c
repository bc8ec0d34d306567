/* SPDX-License-Identifier: MIT */
/*
 * events.c: crm-log's writing of events: one event for a party, the
 * promotion of buyers to customers, the notices of types not known, and
 * --import (the fields given as options checked first, each record's
 * party resolved or created, the staged events written and printed).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-cli.h"

/*
 * The leads and prospects with a purchase among the events of this run
 * become customers, in the same transaction, with an entry of their own
 * in the audit trail; unless --no-promote.
 */
int
crm_cli_log_promote(struct crm_cli_log *l, int dry_run)
{
	long n = 0;
	int rc;

	if (l->no_promote || !l->nlogged)
		return CRM_OK;
	if ((rc = crm_event_promote(l->store, &n)) || !n || dry_run)
		return rc;
	return crm_audit_append(l->store, "crm-log", "promote", NULL, NULL,
	                        crm_cli_counts(CRM_COUNTS({ "customers", n })));
}

void
crm_cli_log_one(struct crm_cli_log *l, int64_t party, const char *name, long line)
{
	char msg[512];
	int result, rc;
	crm_event_t *stored = NULL;

	crm_cli_begin_once(l->store);
	rc = crm_event_add(l->store, l->event, party, &result, l->printer ? &stored : NULL, msg,
	                   sizeof msg);
	if (rc) {
		crm_store_rollback(l->store);
		if (line > 0)
			crm_die(crm_status_exit(rc), "%s:%ld: %s", name, line, msg);
		crm_cli_fail(rc, msg);
	}
	if (result == CRM_CREATED)
		l->nlogged++;
	else
		l->nunchanged++;
	if (stored) {
		if (crm_printer_event(l->printer, stored))
			crm_die(CRM_EXIT_STORE, "output:");
		crm_event_free(stored);
	}
}

/* Types neither known nor mapped, said once each per input. */
static char **told;
static size_t ntold;

void
crm_cli_type_notice(const crm_event_t *e, const char *name)
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

/* Abandon the whole import: nothing of it stays in the store. */
static void __attribute__((noreturn))
abort_import(struct crm_cli_log *l, int status, const char *name, long line, const char *msg)
{
	crm_cli_bulk_abort(l->store, status, name, line, msg);
}

static void
reject(struct crm_cli_log *l, const char *name, long line, const char *msg, const char *raw,
       size_t len, const char *header)
{
	if (!l->rejects)
		abort_import(l, CRM_BADINPUT, name, line, msg);
	crm_cli_reject(l->rejects, name, line, msg, raw, len, header);
	l->nrejected++;
}

static void
import_one(struct crm_cli_log *l, crm_party_t *p, crm_event_t *e, const char *name, long line,
           const char *raw, size_t len, const char *header)
{
	char msg[512];
	int64_t id;
	int result, rc;

	crm_cli_begin_once(l->store);
	rc = crm_party_resolve(l->store, p, &id);
	if (rc == CRM_NOTFOUND) {
		const char *email = crm_party_get(p, CRM_F_EMAIL), *ext = crm_party_get(p, CRM_F_EXT_ID);
		if (!l->create_missing || (!email && !ext)) {
			if (email)
				snprintf(msg, sizeof msg, "no party with e-mail %s%s", email,
				         l->create_missing ? "" : " (--create-missing creates it)");
			else if (ext)
				snprintf(msg, sizeof msg, "no party with ext_id %s%s", ext,
				         l->create_missing ? "" : " (--create-missing creates it)");
			else
				snprintf(msg, sizeof msg, "no party %lld", (long long)crm_party_id(p));
			reject(l, name, line, msg, raw, len, header);
			return;
		}
		/* A party the store has never seen: a lead, unless the record says. */
		crm_party_set_id(p, 0);
		rc = crm_party_upsert(l->store, p, CRM_KEY_AUTO, CRM_ON_MERGE, &result, NULL,
		                      msg, sizeof msg);
		if (rc == CRM_BADINPUT) {
			reject(l, name, line, msg, raw, len, header);
			return;
		}
		if (rc)
			abort_import(l, rc, name, line, msg);
		id = crm_party_id(p);
		l->nparties++;
	} else if (rc) {
		abort_import(l, rc, name, line, crm_store_errmsg(l->store));
	}
	if ((rc = crm_event_stage(l->store, e, id)))
		abort_import(l, rc, name, line, crm_store_errmsg(l->store));
}

void
crm_cli_log_import_flush(struct crm_cli_log *l)
{
	crm_event_query_t *query;
	int64_t first;
	crm_event_t *e;
	int rc;

	if (!l->nread)
		return;
	crm_cli_begin_once(l->store);
	char ex[160];
	long ndiffer;
	if ((rc = crm_event_stage_differ(l->store, &ndiffer, ex, sizeof ex)))
		abort_import(l, rc, "store", 0, crm_store_errmsg(l->store));
	if (ndiffer)
		crm_warn("%ld record%s already there differ%s in amount or currency from the stored "
		         "event%s, kept as %s (such as %s)", ndiffer, ndiffer == 1 ? "" : "s",
		         ndiffer == 1 ? "s" : "", ndiffer == 1 ? "" : "s", ndiffer == 1 ? "it is" :
		         "they are", ex);
	if ((rc = crm_event_stage_flush(l->store, &l->nlogged, &l->nunchanged, &first)))
		abort_import(l, rc, "store", 0, crm_store_errmsg(l->store));
	if (!l->printer || !l->nlogged)
		return;
	if ((rc = crm_event_query_open(l->store, &query)))
		abort_import(l, rc, "store", 0, crm_status_str(rc));
	crm_event_query_after(query, first - 1);
	while ((rc = crm_event_query_next(query, &e)) == CRM_OK) {
		if (crm_printer_event(l->printer, e))
			abort_import(l, CRM_IO, "output", 0, "write error");
		crm_event_free(e);
	}
	if (rc != CRM_EOF)
		abort_import(l, rc, "store", 0, crm_store_errmsg(l->store));
	crm_event_query_close(query);
}

void
crm_cli_log_import_read(FILE *fp, const char *name, void *ctx)
{
	struct crm_cli_log *l = ctx;
	const struct crm_cli_bulk_opts *b = l->bulk;
	crm_reader_t *r;
	crm_party_t *p;
	crm_event_t *e;
	const char *unknown;
	size_t len;
	int rc;

	if ((rc = crm_reader_open(fp, name, l->informat, b->map, &r)) ||
	    (b->encoding && (rc = crm_reader_encoding(r, b->encoding))) ||
	    (rc = crm_reader_events(r, l->event)) || (b->from && (rc = crm_reader_from(r, b->from))) ||
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
				abort_import(l, rc, name, crm_reader_line(r), m);
			l->nread++;
			reject(l, name, crm_reader_line(r), m, raw, len, crm_reader_header(r));
			continue;
		}
		if (rc == CRM_USAGE) {         /* such as a --map column the header lacks */
			const char *m = crm_reader_error(r), *colon = strchr(m, ':');
			abort_import(l, rc, name, crm_reader_line(r), colon ? colon + 2 : m);
		}
		if (rc)
			abort_import(l, rc, name, 0, rc == CRM_IO ? crm_reader_error(r) :
			             crm_status_str(rc));
		l->nread++;
		crm_cli_type_notice(e, name);
		import_one(l, p, e, name, crm_reader_line(r), raw, len, crm_reader_header(r));
		crm_party_free(p);
		crm_event_free(e);
		crm_cli_progress(l->nread, NULL);
	}
	told_clear();
	crm_reader_close(r);
}

long
crm_cli_log_import_seen(void *ctx)
{
	const struct crm_cli_log *l = ctx;

	return l->nread + l->nrejected;
}

void
crm_cli_log_import_check(const crm_event_t *event)
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

void
crm_cli_log_task(int64_t id, const char *due, void *ctx)
{
	struct crm_cli_log *l = ctx;
	char msg[512];
	int field, rc;

	if (crm_event_set(l->event, CRM_E_DUE, due))
		crm_die(CRM_EXIT_STORE, "out of memory");
	if ((rc = crm_event_check(l->event, &field, msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	crm_cli_log_one(l, id, "-", 0);
}

void
crm_cli_log_end(struct crm_cli_log *l, int dry_run)
{
	int rc;

	if ((rc = crm_cli_log_promote(l, dry_run))) {
		crm_store_rollback(l->store);
		crm_cli_fail(rc, crm_store_errmsg(l->store));
	}
	if (!dry_run && l->nlogged) {
		const char *counts = crm_cli_counts(CRM_COUNTS({ "logged", l->nlogged },
		                                               { "already_there", l->nunchanged }));
		if ((rc = crm_audit_append(l->store, "crm-log", "log", NULL, NULL, counts))) {
			crm_store_rollback(l->store);
			crm_cli_fail(rc, crm_store_errmsg(l->store));
		}
	}
	rc = dry_run ? crm_store_rollback(l->store) : crm_store_commit(l->store);
	if (rc)
		crm_cli_fail(rc, crm_store_errmsg(l->store));
}
