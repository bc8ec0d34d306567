/* SPDX-License-Identifier: MIT */
/* event.c: events (interactions, campaign events, purchases): the record, its type, its checks. */
#include <ctype.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"

static const char *const event_fields[CRM_E_NFIELDS] = {
	"id", "party_id", "at", "channel", "type", "direction", "subject", "body",
	"amount", "currency", "campaign", "ref", "due", "assignee", "status", "attrs",
};

static const char *const channels[] = {
	"email", "phone", "sms", "web", "visit", "meeting", "mail", "social", "other", NULL
};

/* Types whose direction goes without saying. */
static const struct { const char *type, *dir; } type_dir[] = {
	{ "sent", "out" }, { "delivered", "out" }, { "opened", "in" }, { "clicked", "in" },
	{ "bounced", "in" }, { "unsubscribed", "in" }, { "replied", "in" },
	{ "purchase", "in" }, { "refund", "out" }, { "ticket", "in" },
};

/* The types the toolkit knows: its reports, facts and scores count them. */
static const char *const known_types[] = {
	"call", "note", "meeting", "visit", "sent", "delivered", "opened", "clicked", "bounced",
	"unsubscribed", "replied", "purchase", "refund", "ticket", "task", NULL
};

/*
 * Other systems' words for them (mailing services, shops), folded: lower
 * case, without spaces, dashes, underscores, dots and slashes.  See the
 * table in crm-log(1).
 */
static const struct { const char *from, *to; } type_aliases[] = {
	/* Mailchimp, Brevo (Sendinblue), Mailjet, HubSpot, SendGrid */
	{ "send", "sent" }, { "sends", "sent" }, { "request", "sent" }, { "requests", "sent" },
	{ "processed", "sent" },
	{ "delivery", "delivered" }, { "deliveries", "delivered" },
	{ "open", "opened" }, { "opens", "opened" }, { "uniqueopened", "opened" },
	{ "uniqueopen", "opened" }, { "uniqueopens", "opened" }, { "firstopening", "opened" },
	{ "proxyopen", "opened" },
	{ "click", "clicked" }, { "clicks", "clicked" }, { "uniqueclick", "clicked" },
	{ "uniqueclicks", "clicked" },
	{ "bounce", "bounced" }, { "bounces", "bounced" }, { "hardbounce", "bounced" },
	{ "softbounce", "bounced" }, { "hardbounces", "bounced" }, { "softbounces", "bounced" },
	{ "blocked", "bounced" }, { "invalidemail", "bounced" },
	{ "unsub", "unsubscribed" }, { "unsubs", "unsubscribed" }, { "unsubscribe", "unsubscribed" },
	{ "unsubscribes", "unsubscribed" }, { "optout", "unsubscribed" },
	{ "spam", "unsubscribed" }, { "spamreport", "unsubscribed" }, { "abuse", "unsubscribed" },
	{ "complaint", "unsubscribed" },
	{ "reply", "replied" }, { "replies", "replied" },
	/* Shopify and other shops */
	{ "order", "purchase" }, { "orders", "purchase" }, { "purchases", "purchase" },
	{ "orderscreate", "purchase" }, { "orderspaid", "purchase" }, { "placedorder", "purchase" },
	{ "orderplaced", "purchase" }, { "sale", "purchase" },
	{ "refunds", "refund" }, { "refunded", "refund" }, { "refundscreate", "refund" },
	/* plurals of the toolkit's own */
	{ "calls", "call" }, { "phonecall", "call" }, { "notes", "note" }, { "meetings", "meeting" },
	{ "visits", "visit" }, { "tickets", "ticket" }, { "tasks", "task" },
};

/*
 * Whether t is one of known_types as written there: the common words
 * looked up by their first letter, then the whole list.
 */
static int
type_exact(const char *t)
{
	const char *w = NULL;

	switch (*t) {
	case 'o': w = "opened"; break;
	case 'p': w = "purchase"; break;
	case 'c': w = t[1] == 'a' ? "call" : "clicked"; break;
	case 's': w = "sent"; break;
	case 'd': w = "delivered"; break;
	case 'n': w = "note"; break;
	case 't': w = t[1] == 'a' ? "task" : "ticket"; break;
	}
	if (w && !strcmp(t, w))
		return 1;
	for (int i = 0; known_types[i]; i++)
		if (*t == *known_types[i] && !strcmp(t, known_types[i]))
			return 1;
	return 0;
}

/* A type folded for the table above: lower-case letters and digits only. */
static void
fold_type(const char *t, char *out, size_t len)
{
	size_t n = 0;

	for (; *t && n + 1 < len; t++)
		if (isalnum((unsigned char)*t))
			out[n++] = (char)tolower((unsigned char)*t);
	out[n] = '\0';
}

int
event_type_map(crm_event_t *e)
{
	char f[48];
	const char *t = e->v[CRM_E_TYPE];

	if (!t || strlen(t) >= sizeof f)
		return CRM_OK;
	/* The common case first: a type as the toolkit writes it. */
	if (type_exact(t))
		return CRM_OK;
	for (int i = 0; known_types[i]; i++)
		if (!strcasecmp(t, known_types[i]))
			return strcmp(t, known_types[i]) ? crm_event_set(e, CRM_E_TYPE, known_types[i]) :
			       CRM_OK;          /* Opened is opened */
	fold_type(t, f, sizeof f);
	for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++)
		if (!strcmp(f, type_aliases[i].from)) {
			int rc;
			/* The word of the file stays, as the attribute source_type. */
			if ((!e->attrs || !json_object_get(e->attrs, "source_type")) &&
			    (rc = crm_event_set_attr(e, "source_type", t)))
				return rc;
			return crm_event_set(e, CRM_E_TYPE, type_aliases[i].to);
		}
	return CRM_OK;
}

int
crm_event_type_map(crm_event_t *e)
{
	return event_type_map(e);
}

/* Edit distance (Levenshtein) of two short words; large for long ones. */
static size_t
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[48];

	if (la >= 47 || lb >= 47)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];
		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);
			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* Whether w (folded) is nearer to f than *best: a prefix, or a letter or two away. */
static void
nearer(const char *f, const char *w, const char *to, size_t *best, const char **nearest)
{
	size_t n = strlen(f), lw = strlen(w), d = distance(f, w), m = lw < n ? lw : n;

	if (m >= 3 && !strncmp(f, w, m) && d > 1)
		d = 1;
	if (d <= 2 && d * 3 <= n && d < *best) {
		*best = d;
		*nearest = to;
	}
}

int
crm_event_type_known(const char *type, const char **nearest)
{
	char f[48];
	size_t best = 99;

	if (nearest)
		*nearest = NULL;
	if (type_exact(type))
		return 1;
	if (!nearest)
		return 0;
	fold_type(type, f, sizeof f);
	for (int i = 0; known_types[i]; i++)
		nearer(f, known_types[i], known_types[i], &best, nearest);
	for (size_t i = 0; i < sizeof type_aliases / sizeof type_aliases[0]; i++)
		nearer(f, type_aliases[i].from, type_aliases[i].to, &best, nearest);
	return 0;
}

const char *
crm_event_field_name(int f)
{
	return f >= 0 && f < CRM_E_NFIELDS ? event_fields[f] : "?";
}

int
crm_event_field_lookup(const char *name)
{
	for (int i = 0; i < CRM_E_NFIELDS; i++)
		if (!strcmp(name, event_fields[i]))
			return i;
	return -1;
}

/* Header synonyms of event fields, in the folded form of fold_header(). */
static const struct { const char *from; int to; } event_synonyms[] = {
	{ "date", CRM_E_AT }, { "time", CRM_E_AT }, { "timestamp", CRM_E_AT },
	{ "datetime", CRM_E_AT }, { "date_time", CRM_E_AT }, { "occurred_at", CRM_E_AT },
	{ "created_at", CRM_E_AT }, { "event_time", CRM_E_AT }, { "event_date", CRM_E_AT },
	{ "order_date", CRM_E_AT }, { "sent_at", CRM_E_AT }, { "start_time", CRM_E_AT },
	{ "event", CRM_E_TYPE }, { "event_type", CRM_E_TYPE }, { "activity_type", CRM_E_TYPE },
	{ "medium", CRM_E_CHANNEL },
	{ "reference", CRM_E_REF }, { "order_id", CRM_E_REF }, { "order_number", CRM_E_REF },
	{ "order_no", CRM_E_REF }, { "transaction_id", CRM_E_REF },
	{ "invoice_number", CRM_E_REF }, { "call_id", CRM_E_REF },
	{ "total", CRM_E_AMOUNT }, { "order_total", CRM_E_AMOUNT }, { "montant", CRM_E_AMOUNT },
	{ "currency_code", CRM_E_CURRENCY }, { "devise", CRM_E_CURRENCY },
	{ "campaign_name", CRM_E_CAMPAIGN },
	{ "note", CRM_E_BODY }, { "notes", CRM_E_BODY }, { "comment", CRM_E_BODY },
	{ "comments", CRM_E_BODY }, { "description", CRM_E_BODY }, { "message", CRM_E_BODY },
	{ "due_date", CRM_E_DUE }, { "deadline", CRM_E_DUE },
	{ "owner", CRM_E_ASSIGNEE }, { "assigned_to", CRM_E_ASSIGNEE },
};

int
event_field_synonym(const char *name)
{
	char f[64];
	int i = crm_event_field_lookup(name);

	if (i >= 0 || strlen(name) >= sizeof f - 2)
		return i;
	fold_header(name, f, sizeof f);
	if ((i = crm_event_field_lookup(f)) >= 0)
		return i;
	for (size_t k = 0; k < sizeof event_synonyms / sizeof event_synonyms[0]; k++)
		if (!strcmp(f, event_synonyms[k].from))
			return event_synonyms[k].to;
	return -1;
}

crm_event_t *
crm_event_new(void)
{
	return calloc(1, sizeof(crm_event_t));
}

void
crm_event_free(crm_event_t *e)
{
	if (!e)
		return;
	for (int i = 0; i < CRM_E_NFIELDS; i++)
		free(e->v[i]);
	json_decref(e->attrs);
	free(e);
}

int64_t
crm_event_id(const crm_event_t *e)
{
	return e->id;
}

int64_t
crm_event_party(const crm_event_t *e)
{
	return e->party_id;
}

const char *
crm_event_get(const crm_event_t *e, int field)
{
	return field > CRM_E_PARTY_ID && field < CRM_E_ATTRS ? e->v[field] : NULL;
}

int
crm_event_set(crm_event_t *e, int field, const char *value)
{
	char *v = NULL;
	size_t n = 0;

	if (field <= CRM_E_PARTY_ID || field >= CRM_E_ATTRS)
		return CRM_USAGE;
	/* Surrounding white space goes, but from the free text of subjects and bodies. */
	if (value && field != CRM_E_SUBJECT && field != CRM_E_BODY)
		value = white_trim(value, &n);
	else if (value)
		n = strlen(value);
	if (value && n && !(v = strdup_n(value, n)))
		return CRM_NOMEM;
	free(e->v[field]);
	e->v[field] = v;
	return CRM_OK;
}

int
crm_event_set_attr(crm_event_t *e, const char *key, const char *value)
{
	return attrs_set(&e->attrs, key, value);
}

crm_event_t *
crm_event_copy(const crm_event_t *e)
{
	crm_event_t *c = crm_event_new();

	if (!c)
		return NULL;
	*c = *e;
	c->attrs = e->attrs ? json_deep_copy(e->attrs) : NULL;
	for (int i = 0; i < CRM_E_NFIELDS; i++)
		if (e->v[i] && !(c->v[i] = strdup(e->v[i]))) {
			while (++i < CRM_E_NFIELDS)
				c->v[i] = NULL;
			crm_event_free(c);
			return NULL;
		}
	return c;
}

static int
word_ok(const char *s)
{
	if (!islower((unsigned char)*s))
		return 0;
	for (; *s; s++)
		if (!islower((unsigned char)*s) && !isdigit((unsigned char)*s) && *s != '_' && *s != '-')
			return 0;
	return 1;
}

static int
lower_in_place(char *s)
{
	for (; *s; s++)
		*s = (char)tolower((unsigned char)*s);
	return CRM_OK;
}

int
crm_event_check(crm_event_t *e, int *field, char *msg, size_t len)
{
	char q[96], at[21];
	int rc;

	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		const char *v = e->v[f];
		*field = f;
		if (!v)
			continue;
		if (utf8_check(v, strlen(v)) >= 0) {
			msgf(msg, len, "invalid UTF-8 in %s", event_fields[f]);
			return CRM_BADINPUT;
		}
		if (has_control(v) || (f != CRM_E_BODY && f != CRM_E_SUBJECT && strpbrk(v, "\t\r\n"))) {
			msgf(msg, len, "control character in %s '%s'", event_fields[f], quoted(v, q, sizeof q));
			return CRM_BADINPUT;
		}
		if (strlen(v) > (1 << 20)) {
			msgf(msg, len, "%s longer than 1 MiB", event_fields[f]);
			return CRM_BADINPUT;
		}
	}
	*field = CRM_E_AT;
	if ((rc = time_parse(e->v[CRM_E_AT] ? e->v[CRM_E_AT] : "now", 0, at, msg, len)))
		return rc;
	if (!e->v[CRM_E_AT] || strcmp(e->v[CRM_E_AT], at)) {
		free(e->v[CRM_E_AT]);
		if (!(e->v[CRM_E_AT] = strdup(at)))
			return CRM_NOMEM;
	}
	*field = CRM_E_TYPE;
	if (!e->v[CRM_E_TYPE]) {
		msgf(msg, len, "an event needs a type (call, note, sent, opened, purchase, ...)");
		return CRM_BADINPUT;
	}
	lower_in_place(e->v[CRM_E_TYPE]);
	if (!word_ok(e->v[CRM_E_TYPE]) || strlen(e->v[CRM_E_TYPE]) > 40) {
		msgf(msg, len, "invalid type '%s' (a lower-case word)", quoted(e->v[CRM_E_TYPE], q, sizeof q));
		return CRM_BADINPUT;
	}
	*field = CRM_E_CHANNEL;
	if (e->v[CRM_E_CHANNEL]) {
		lower_in_place(e->v[CRM_E_CHANNEL]);
		int i;
		for (i = 0; channels[i] && strcmp(channels[i], e->v[CRM_E_CHANNEL]); i++)
			;
		if (!channels[i]) {
			msgf(msg, len, "invalid channel '%s' (email, phone, sms, web, visit, meeting, "
			     "mail, social, other)", quoted(e->v[CRM_E_CHANNEL], q, sizeof q));
			return CRM_BADINPUT;
		}
	}
	*field = CRM_E_DIRECTION;
	if (e->v[CRM_E_DIRECTION]) {
		lower_in_place(e->v[CRM_E_DIRECTION]);
		if (strcmp(e->v[CRM_E_DIRECTION], "in") && strcmp(e->v[CRM_E_DIRECTION], "out")) {
			msgf(msg, len, "invalid direction '%s' (in or out)",
			     quoted(e->v[CRM_E_DIRECTION], q, sizeof q));
			return CRM_BADINPUT;
		}
	} else {
		for (size_t i = 0; i < sizeof type_dir / sizeof type_dir[0]; i++)
			if (!strcmp(type_dir[i].type, e->v[CRM_E_TYPE]) &&
			    !(e->v[CRM_E_DIRECTION] = strdup(type_dir[i].dir)))
				return CRM_NOMEM;
	}
	*field = CRM_E_AMOUNT;
	e->has_amount = 0;
	if (e->v[CRM_E_AMOUNT]) {
		char canon[32];
		if (!amount_parse(e->v[CRM_E_AMOUNT], &e->amount)) {
			msgf(msg, len, "invalid amount '%s' (a decimal such as 1234.50, at most 4 decimals)",
			     quoted(e->v[CRM_E_AMOUNT], q, sizeof q));
			return CRM_BADINPUT;
		}
		e->has_amount = 1;
		amount_format(e->amount, canon);
		free(e->v[CRM_E_AMOUNT]);
		if (!(e->v[CRM_E_AMOUNT] = strdup(canon)))
			return CRM_NOMEM;
	}
	*field = CRM_E_CURRENCY;
	if (e->v[CRM_E_CURRENCY]) {
		char *c = e->v[CRM_E_CURRENCY];
		for (char *p = c; *p; p++)
			*p = (char)toupper((unsigned char)*p);
		if (strlen(c) != 3 || !isupper((unsigned char)c[0]) || !isupper((unsigned char)c[1]) ||
		    !isupper((unsigned char)c[2])) {
			msgf(msg, len, "invalid currency '%s' (ISO 4217, such as EUR)", quoted(c, q, sizeof q));
			return CRM_BADINPUT;
		}
		if (!e->has_amount) {
			msgf(msg, len, "a currency without an amount");
			return CRM_BADINPUT;
		}
	} else if (e->has_amount) {
		char cur[4];
		int crc = crm_currency(NULL, cur, msg, len);
		if (crc)
			return crc;
		if (!(e->v[CRM_E_CURRENCY] = strdup(cur)))
			return CRM_NOMEM;
	}
	*field = CRM_E_DUE;
	int task = !strcmp(e->v[CRM_E_TYPE], "task");
	if (!task && (e->v[CRM_E_DUE] || e->v[CRM_E_ASSIGNEE] || e->v[CRM_E_STATUS])) {
		msgf(msg, len, "due, assignee and status go with type task");
		return CRM_BADINPUT;
	}
	if (e->v[CRM_E_DUE] && !(strlen(e->v[CRM_E_DUE]) == 10 && date_valid(e->v[CRM_E_DUE], 0))) {
		/* A date stays as given; a time or "+7d" gives its UTC day. */
		char d[21];
		if ((rc = time_parse(e->v[CRM_E_DUE], 1, d, msg, len)))
			return rc;
		d[10] = '\0';          /* a due date is a day */
		free(e->v[CRM_E_DUE]);
		if (!(e->v[CRM_E_DUE] = strdup(d)))
			return CRM_NOMEM;
	}
	*field = CRM_E_STATUS;
	if (task && !e->v[CRM_E_STATUS] && !(e->v[CRM_E_STATUS] = strdup("open")))
		return CRM_NOMEM;
	if (e->v[CRM_E_STATUS]) {
		lower_in_place(e->v[CRM_E_STATUS]);
		if (strcmp(e->v[CRM_E_STATUS], "open") && strcmp(e->v[CRM_E_STATUS], "done")) {
			msgf(msg, len, "invalid status '%s' (open or done)",
			     quoted(e->v[CRM_E_STATUS], q, sizeof q));
			return CRM_BADINPUT;
		}
	}
	*field = CRM_E_ATTRS;
	int trimmed = 0;
	if (e->attrs && attrs_trim(e->attrs, &trimmed))
		return CRM_NOMEM;
	if (e->attrs) {
		const char *k;
		json_t *v;
		json_object_foreach(e->attrs, k, v)
			if (!*k || has_control(k) || strlen(k) > 200) {
				msgf(msg, len, "invalid attribute name '%s'", quoted(k, q, sizeof q));
				return CRM_BADINPUT;
			}
	}
	*field = -1;
	return CRM_OK;
}

/*
 * A reference made of an imported event's own fields, for records without
 * one, so that importing a file again adds nothing: two 64-bit FNV-1a
 * hashes of its time, channel, type, direction, subject, body, amount,
 * currency and campaign, in canonical form.
 */
int
event_auto_ref(crm_event_t *e)
{
	static const int f[] = { CRM_E_AT, CRM_E_CHANNEL, CRM_E_TYPE, CRM_E_DIRECTION,
	                         CRM_E_SUBJECT, CRM_E_BODY, CRM_E_AMOUNT, CRM_E_CURRENCY,
	                         CRM_E_CAMPAIGN };
	uint64_t h1 = 14695981039346656037ULL, h2 = 0x9e3779b97f4a7c15ULL;
	char ref[40];

	for (size_t i = 0; i < sizeof f / sizeof f[0]; i++) {
		const unsigned char *v = (const unsigned char *)(e->v[f[i]] ? e->v[f[i]] : "");
		/* Each field ends with a byte no UTF-8 text holds; absent differs from empty. */
		for (;; v++) {
			unsigned c = *v ? *v : (e->v[f[i]] ? 0xff : 0xfe);
			h1 = (h1 ^ c) * 1099511628211ULL;
			h2 = (h2 ^ c) * 0x100000001b3ULL + 0x632be59bd9b4e019ULL;
			h2 ^= h2 >> 29;
			if (!*v)
				break;
		}
	}
	snprintf(ref, sizeof ref, "auto:%016llx%016llx", (unsigned long long)h1,
	         (unsigned long long)h2);
	free(e->v[CRM_E_REF]);
	return (e->v[CRM_E_REF] = strdup(ref)) ? CRM_OK : CRM_NOMEM;
}

/* ------------------------------------------------------------------ */
/* Listing: what to list (see event-sql.c for the rows). */

int
crm_event_query_open(crm_store_t *s, crm_event_query_t **out)
{
	crm_event_query_t *q = calloc(1, sizeof *q);

	*out = q;
	if (!q)
		return CRM_NOMEM;
	q->s = s;
	q->limit = -1;
	q->after = -1;
	return CRM_OK;
}

int
crm_event_query_match(crm_event_query_t *q, int field, const char *value)
{
	char *v;

	if (field != CRM_E_CHANNEL && field != CRM_E_TYPE && field != CRM_E_CAMPAIGN &&
	    field != CRM_E_DIRECTION && field != CRM_E_ASSIGNEE)
		return CRM_USAGE;
	if (!(v = strdup(value)))
		return CRM_NOMEM;
	if (field != CRM_E_CAMPAIGN && field != CRM_E_ASSIGNEE)
		lower_in_place(v);
	free(q->eq[field]);
	q->eq[field] = v;
	return CRM_OK;
}

int
crm_event_query_range(crm_event_query_t *q, const char *since, const char *until,
                      char *msg, size_t len)
{
	int rc;

	if (since && (rc = time_parse(since, 0, q->since, msg, len)))
		return rc == CRM_BADINPUT ? CRM_USAGE : rc;
	if (until && (rc = time_parse(until, 0, q->until, msg, len)))
		return rc == CRM_BADINPUT ? CRM_USAGE : rc;
	return CRM_OK;
}

void
crm_event_query_after(crm_event_query_t *q, int64_t id)
{
	q->after = id;
}

void
crm_event_query_order(crm_event_query_t *q, int oldest_first, long limit)
{
	q->oldest_first = oldest_first;
	q->limit = limit;
}

int
crm_event_query_tasks(crm_event_query_t *q, const char *due_before, char *msg, size_t len)
{
	char d[21];
	int rc;

	q->tasks = 1;
	if (!due_before)
		return CRM_OK;
	if (!strcmp(due_before, "today"))
		rc = time_parse("now", 0, d, msg, len);
	else if (strlen(due_before) == 10 && date_valid(due_before, 0))
		rc = (snprintf(d, sizeof d, "%s", due_before), CRM_OK);    /* a day as given */
	else
		rc = time_parse(due_before, 1, d, msg, len);
	if (rc)
		return rc == CRM_BADINPUT ? CRM_USAGE : rc;
	memcpy(q->due_before, d, 10);
	q->due_before[10] = '\0';
	return CRM_OK;
}
