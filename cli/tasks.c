/* SPDX-License-Identifier: MIT */
/*
 * tasks.c: crm-log --task --spread: the parties gathered first, then a
 * due date each over the working days of the spread, in turn, evenly.
 */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

#include "crm-cli.h"

void
crm_cli_ids_add(struct crm_cli_ids *ids, int64_t id)
{
	if (ids->n == ids->cap) {
		size_t cap = ids->cap ? ids->cap * 2 : 256;
		int64_t *p = realloc(ids->v, cap * sizeof *p);
		if (!p)
			crm_die(CRM_EXIT_STORE, "out of memory");
		ids->v = p;
		ids->cap = cap;
	}
	ids->v[ids->n++] = id;
}

void
crm_cli_spread_start(const char *due, char start[11])
{
	if (due) {
		snprintf(start, 11, "%s", due);
	} else {
		time_t t = time(NULL) + 86400;      /* from tomorrow */
		struct tm d;
		gmtime_r(&t, &d);
		strftime(start, 11, "%Y-%m-%d", &d);
	}
}

void
crm_cli_spread(const char *start, long days, const struct crm_cli_ids *ids,
               void (*fn)(int64_t id, const char *due, void *ctx), void *ctx)
{
	struct tm tm = { 0 };
	char (*dates)[11];
	long w = 0;
	int y, mo, d;

	/* start is YYYY-MM-DD, checked before. */
	if (sscanf(start, "%4d-%2d-%2d", &y, &mo, &d) != 3)
		crm_die(CRM_EXIT_USAGE, "--due wants a date, such as 2026-05-01, not '%s'", start);
	if (!(dates = calloc((size_t)days, sizeof *dates)))
		crm_die(CRM_EXIT_STORE, "out of memory");
	tm.tm_year = y - 1900;
	tm.tm_mon = mo - 1;
	tm.tm_mday = d;
	time_t t = timegm(&tm);
	for (long i = 0; i < days; i++, t += 86400) {
		struct tm dt;
		gmtime_r(&t, &dt);
		if (dt.tm_year + 1900 > 9999)
			crm_die(CRM_EXIT_USAGE, "--spread goes past the year 9999");
		if (dt.tm_wday == 0 || dt.tm_wday == 6)
			continue;
		strftime(dates[w++], sizeof dates[0], "%Y-%m-%d", &dt);
	}
	if (!w) {                       /* a weekend only: use it all the same */
		t = timegm(&tm);
		for (long i = 0; i < days; i++, t += 86400) {
			struct tm dt;
			gmtime_r(&t, &dt);
			if (dt.tm_year + 1900 > 9999)
				crm_die(CRM_EXIT_USAGE, "--spread goes past the year 9999");
			strftime(dates[w++], sizeof dates[0], "%Y-%m-%d", &dt);
		}
	}
	for (size_t i = 0; i < ids->n; i++)
		fn(ids->v[i], dates[(size_t)((double)i * w / ids->n)], ctx);
	free(dates);
}

void
crm_cli_task_mark(crm_store_t *s, int64_t id, int done)
{
	int rc;

	crm_cli_begin_once(s);
	rc = crm_task_set_status(s, id, done);
	if (rc == CRM_NOTFOUND)
		crm_die(CRM_EXIT_NOMATCH, "no task %lld", (long long)id);
	if (!rc)
		rc = crm_audit_append(s, "crm-log", done ? "task-done" : "task-reopen", NULL,
		                      NULL,
		                      crm_cli_counts(CRM_COUNTS({ "tasks", 1 })));
	if (rc || (rc = crm_store_commit(s)))
		crm_cli_fail(rc, crm_store_errmsg(s));
}
