/* SPDX-License-Identifier: MIT */
/*
 * map.c: --map From=to,...: its items read and checked, for a reader
 * (crm_reader_open()) or alone (crm_map_check()).  The header's columns
 * are matched in csv.c, the keys of JSON records in jsonl.c.
 */
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"
#include "read-private.h"

int
parse_map(crm_reader_t *r, const char *map)
{
	char *copy = strdup(map), *save = NULL, *item;

	if (!copy)
		return CRM_NOMEM;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq || eq == item) {
			snprintf(r->err, sizeof r->err, "bad --map item '%s' (want From=to)", item);
			free(copy);
			return CRM_USAGE;
		}
		*eq = '\0';
		const char *to = eq + 1;
		if (*to && strcmp(to, "-") && crm_field_lookup(to, 0) < 0 && strncmp(to, "attrs.", 6) &&
		    (!r->map_events || crm_event_field_lookup(to) < 0)) {
			snprintf(r->err, sizeof r->err, "--map: unknown field '%s'", to);
			free(copy);
			return CRM_USAGE;
		}
		if (strv_push(&r->map_from, item) || strv_push(&r->map_to, to)) {
			free(copy);
			return CRM_NOMEM;
		}
	}
	free(copy);
	return CRM_OK;
}

int
crm_map_check(const char *map, int events, char *msg, size_t len)
{
	/* A reader is large: on the heap, not the stack. */
	crm_reader_t *r = calloc(1, sizeof *r);
	int rc;

	if (!r) {
		msgf(msg, len, "%s", crm_status_str(CRM_NOMEM));
		return CRM_NOMEM;
	}
	r->map_events = events;
	rc = parse_map(r, map);
	if (rc)
		msgf(msg, len, "%s", r->err[0] ? r->err : crm_status_str(rc));
	strv_clear(&r->map_from);
	strv_clear(&r->map_to);
	free(r);
	return rc;
}
