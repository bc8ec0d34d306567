/* SPDX-License-Identifier: MIT */
/*
 * options.c: the option groups that more than one program takes, each
 * declared once (its table fragment in crm-cli.h) and parsed here: the
 * score options, the bulk writers' options, --contact, and the
 * listing options (--since, --until, --limit).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-cli.h"

int
crm_cli_score_opt(int opt, const char *arg, struct crm_cli_scores *s)
{
	switch (opt) {
	case CRM_OPT_RFM: s->which |= CRM_SCORE_RFM; return 1;
	case CRM_OPT_CHURN: s->which |= CRM_SCORE_CHURN; return 1;
	case CRM_OPT_PROPENSITY: s->which |= CRM_SCORE_PROPENSITY; return 1;
	case CRM_OPT_SCORES: s->which |= CRM_SCORE_RFM | CRM_SCORE_CHURN | CRM_SCORE_PROPENSITY; return 1;
	case CRM_OPT_EXPLAIN: s->which |= CRM_SCORE_EXPLAIN; return 1;
	case CRM_OPT_AS_OF: s->so.as_of = arg; return 1;
	case CRM_OPT_WINDOW: s->so.window = arg; return 1;
	case CRM_OPT_CURRENCY: s->so.currency = arg; return 1;
	case CRM_OPT_WEIGHTS: s->weights = arg; return 1;
	}
	return 0;
}

const struct crm_score_opts *
crm_cli_score_weights(struct crm_cli_scores *s)
{
	s->so.weights = crm_cli_config(s->weights, "CRM_WEIGHTS", "weights.json", s->wbuf,
	                               sizeof s->wbuf);
	return &s->so;
}

/* --from list: the exports known, one a line, then exit 0. */
static void __attribute__((noreturn))
list_presets(int events)
{
	if (events) {
		for (int i = 0; crm_event_presets[i].name; i++)
			printf("%-12s %s\n", crm_event_presets[i].name, crm_event_presets[i].what);
	} else {
		for (int i = 0; crm_presets[i].name; i++)
			printf("%-12s %s%s\n", crm_presets[i].name, crm_presets[i].what,
			       crm_presets[i].date_order == 'm' ? "; dates M/D/YYYY" :
			       crm_presets[i].date_order == 'd' ? "; dates D/M/YYYY" : "");
	}
	crm_close_stdout();
	exit(0);
}

static void
check_from(const char *arg, int events)
{
	int known = 0;

	if (events) {
		for (int i = 0; crm_event_presets[i].name; i++)
			known |= !strcasecmp(arg, crm_event_presets[i].name);
		if (!known)
			crm_die(CRM_EXIT_USAGE, "--from: unknown export '%s' (crm-log --from list)", arg);
		return;
	}
	for (int i = 0; crm_presets[i].name; i++)
		known |= !strcasecmp(arg, crm_presets[i].name);
	for (int i = 0; !known && crm_event_presets[i].name; i++)
		if (!strcasecmp(arg, crm_event_presets[i].name))
			crm_die(CRM_EXIT_USAGE, "--from: %s is an export of events: "
			        "crm-log --import --from %s", arg, crm_event_presets[i].name);
	if (!known)
		crm_die(CRM_EXIT_USAGE, "--from: unknown export '%s' (crm-add --from list)", arg);
}

int
crm_cli_bulk_opt(int opt, char *arg, struct crm_cli_bulk_opts *b)
{
	char msg[512];

	switch (opt) {
	case 'q':
		b->quiet = 1;
		return 1;
	case CRM_OPT_DRY_RUN:
		b->dry_run = 1;
		return 1;
	case CRM_OPT_REJECTS:
		b->rejects = arg;
		return 1;
	case CRM_OPT_FORCE:
		b->force = 1;
		return 1;
	case CRM_OPT_MAP:
		if (crm_map_check(arg, b->events, msg, sizeof msg))
			crm_die(CRM_EXIT_USAGE, "%s", msg);
		b->map = arg;
		return 1;
	case CRM_OPT_ENCODING:
		if (crm_encoding_check(arg))
			crm_die(CRM_EXIT_USAGE, "--encoding: unknown encoding '%s' (iconv -l lists them)",
			        arg);
		b->encoding = arg;
		return 1;
	case CRM_OPT_FROM:
		if (!strcmp(arg, "list"))
			list_presets(b->events);
		check_from(arg, b->events);
		b->from = arg;
		return 1;
	}
	return 0;
}

void
crm_cli_bulk_opts_check(const struct crm_cli_bulk_opts *b)
{
	if (b->force && !b->rejects)
		crm_die(CRM_EXIT_USAGE, "--force goes with --rejects");
}

int
crm_cli_contact_opt(int opt, const char *arg, struct crm_cli_contacts *c)
{
	if (opt != CRM_OPT_CONTACT)
		return 0;
	if (c->n == CRM_CLI_MAX_CONTACTS)
		crm_die(CRM_EXIT_USAGE, "at most 64 --contact; pipe records for more");
	c->v[c->n++] = arg;
	return 1;
}

int
crm_cli_listing_opt(int opt, const char *arg, struct crm_cli_listing *l)
{
	switch (opt) {
	case CRM_OPT_SINCE: l->since = arg; return 1;
	case CRM_OPT_UNTIL: l->until = arg; return 1;
	case CRM_OPT_LIMIT: l->limit = crm_cli_number("--limit", arg); return 1;
	}
	return 0;
}
