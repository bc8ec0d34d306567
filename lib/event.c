/* SPDX-License-Identifier: MIT */
/* event.c: events (interactions, campaign events, purchases): record, checks, SQL. */
#include <ctype.h>
#include <inttypes.h>
#include <sqlite3.h>
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
/* Rows. */

static const char event_columns[] =
	"e.id, e.party_id, e.at, e.channel, e.type, e.direction, e.subject, e.body, "
	"e.amount, e.currency, e.campaign, e.ref, e.due, e.assignee, e.status, e.attrs";

static int
event_from_row(sqlite3_stmt *st, crm_event_t **out)
{
	crm_event_t *e = crm_event_new();
	const char *t;
	json_error_t je;

	if (!e)
		return CRM_NOMEM;
	e->id = sqlite3_column_int64(st, 0);
	e->party_id = sqlite3_column_int64(st, 1);
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		if (f == CRM_E_AMOUNT)
			continue;
		const unsigned char *v = sqlite3_column_text(st, f);
		if (v && !(e->v[f] = strdup((const char *)v)))
			goto nomem;
	}
	if (sqlite3_column_type(st, CRM_E_AMOUNT) != SQLITE_NULL) {
		char a[32];
		e->has_amount = 1;
		e->amount = sqlite3_column_int64(st, CRM_E_AMOUNT);
		amount_format(e->amount, a);
		if (!(e->v[CRM_E_AMOUNT] = strdup(a)))
			goto nomem;
	}
	if ((t = (const char *)sqlite3_column_text(st, CRM_E_ATTRS)) &&
	    !(e->attrs = crm_json_load(t, strlen(t), 0, &je)))
		goto nomem;
	*out = e;
	return CRM_OK;
nomem:
	crm_event_free(e);
	return CRM_NOMEM;
}

int
crm_event_add(crm_store_t *s, const crm_event_t *e, int64_t party_id, int *result,
              crm_event_t **stored, char *msg, size_t len)
{
	sqlite3_stmt *st = store_stmt(s, "event.insert",
		"INSERT INTO event (party_id, at, channel, type, direction, subject, body, amount, "
		"currency, campaign, ref, due, assignee, status, attrs, created) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
		"ON CONFLICT (party_id, type, ref) WHERE ref IS NOT NULL DO NOTHING");
	char *attrs = NULL, now[21];
	int rc;
	long long base;

	if (!st) {
		msgf(msg, len, "%s", crm_store_errmsg(s));
		return CRM_STORE;
	}
	if (!store_in_tx(s, &base)) {
		msgf(msg, len, "write outside a transaction");
		return CRM_STORE;
	}
	if (e->attrs && json_object_size(e->attrs) &&
	    !(attrs = crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	now_iso(now);
	sqlite3_bind_int64(st, 1, party_id);
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		if (f == CRM_E_AMOUNT) {
			if (e->has_amount)
				sqlite3_bind_int64(st, f, e->amount);
			else
				sqlite3_bind_null(st, f);
		} else if (e->v[f]) {
			sqlite3_bind_text(st, f, e->v[f], -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(st, f);
		}
	}
	if (attrs)
		sqlite3_bind_text(st, CRM_E_ATTRS, attrs, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, CRM_E_ATTRS);
	sqlite3_bind_text(st, CRM_E_NFIELDS, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(attrs);
	if (rc != SQLITE_DONE) {
		rc = store_status(s, rc);
		msgf(msg, len, "%s", crm_store_errmsg(s));
		return rc;
	}
	int64_t id;
	if (sqlite3_changes(store_db(s)) == 0) {
		/* The same reference for the same party and type: already there. */
		sqlite3_stmt *f = store_stmt(s, "event.by_ref",
			"SELECT id FROM event WHERE party_id = ?1 AND type = ?3 AND ref = ?2");
		if (!f) {
			msgf(msg, len, "%s", crm_store_errmsg(s));
			return CRM_STORE;
		}
		sqlite3_bind_int64(f, 1, party_id);
		sqlite3_bind_text(f, 2, e->v[CRM_E_REF], -1, SQLITE_STATIC);
		sqlite3_bind_text(f, 3, e->v[CRM_E_TYPE], -1, SQLITE_STATIC);
		rc = sqlite3_step(f);
		id = sqlite3_column_int64(f, 0);
		sqlite3_reset(f);
		if (rc != SQLITE_ROW)
			return store_status(s, rc);
		*result = CRM_UNCHANGED;
	} else {
		id = sqlite3_last_insert_rowid(store_db(s));
		*result = CRM_CREATED;
		store_events_added(s);
	}
	if (stored && *result == CRM_CREATED) {
		/* As checked, with its ids: what the store now holds. */
		if (!(*stored = crm_event_copy(e)))
			return CRM_NOMEM;
		(*stored)->id = id;
		(*stored)->party_id = party_id;
		return CRM_OK;
	}
	if (stored) {
		crm_event_query_t *q;
		if ((rc = crm_event_query_open(s, &q)))
			return rc;
		q->one = id;
		rc = crm_event_query_next(q, stored);
		crm_event_query_free(q);
		if (rc == CRM_EOF)
			rc = CRM_STORE;
		return rc;
	}
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Bulk: events staged in a temporary table, then written in one statement. */

/*
 * The indexes of the event table that a large load drops and builds again
 * (by sorting, much faster than row by row).  They must be the schema's
 * own: keep them in step with the migrations in store.c.
 */
static const char *const event_indexes[][2] = {
	{ "event_party_at", "CREATE INDEX event_party_at ON event (party_id, at)" },
	{ "event_at", "CREATE INDEX event_at ON event (at)" },
	{ "event_purchase", "CREATE INDEX event_purchase ON event (party_id, at, amount, currency)"
	  " WHERE type = 'purchase'" },
	{ "event_refund", "CREATE INDEX event_refund ON event (party_id, at, amount, currency)"
	  " WHERE type = 'refund'" },
	{ "event_campaign", "CREATE INDEX event_campaign ON event (campaign, type, party_id, at)"
	  " WHERE campaign IS NOT NULL" },
	{ "event_open_task", "CREATE INDEX event_open_task ON event (due) "
	                     "WHERE type = 'task' AND status = 'open'" },
	{ "event_text", "CREATE INDEX event_text ON event (party_id) "
	                "WHERE subject IS NOT NULL OR body IS NOT NULL" },
};

int
crm_event_stage(crm_store_t *s, const crm_event_t *e, int64_t party_id)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	char *attrs = NULL;
	long *staged = store_staged(s);
	int rc;

	if (!store_in_tx(s, NULL))
		return CRM_STORE;
	if (!*staged) {
		rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS event_stage (party_id INTEGER, at TEXT,"
		    " channel TEXT, type TEXT, direction TEXT, subject TEXT, body TEXT, amount INTEGER,"
		    " currency TEXT, campaign TEXT, ref TEXT, due TEXT, assignee TEXT, status TEXT,"
		    " attrs TEXT)", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return store_status(s, rc);
	}
	if (!(st = store_stmt(s, "event.stage",
		"INSERT INTO temp.event_stage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12, ?13, ?14, ?15)")))
		return CRM_STORE;
	if (e->attrs && json_object_size(e->attrs) &&
	    !(attrs = crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	sqlite3_bind_int64(st, 1, party_id);
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		if (f == CRM_E_AMOUNT && e->has_amount)
			sqlite3_bind_int64(st, f, e->amount);
		else if (f != CRM_E_AMOUNT && e->v[f])
			sqlite3_bind_text(st, f, e->v[f], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, f);
	}
	if (attrs)
		sqlite3_bind_text(st, CRM_E_ATTRS, attrs, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, CRM_E_ATTRS);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(attrs);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	(*staged)++;
	return CRM_OK;
}

int
crm_event_stage_differ(crm_store_t *s, long *n, char *example, size_t len)
{
	sqlite3_stmt *st;
	int64_t base;
	int rc;

	*n = 0;
	if (len)
		example[0] = '\0';
	if (!*store_staged(s) || (rc = store_event_base(s, &base)) || !base)
		return CRM_OK;
	rc = sqlite3_prepare_v2(store_db(s),
		"SELECT count(*), min(s.type || ' ' || s.ref) FROM temp.event_stage s"
		" JOIN event e ON e.party_id = s.party_id AND e.type = s.type AND e.ref = s.ref"
		/* Only events with an amount are looked up: the others are most of a load. */
		" WHERE s.amount IS NOT NULL AND s.ref IS NOT NULL"
		" AND (e.amount IS NOT s.amount OR e.currency IS NOT s.currency)",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(st, 0);
		if (*n && len)
			snprintf(example, len, "%s", (const char *)sqlite3_column_text(st, 1));
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

/*
 * Write the staged events in party and time order, so that the indexes on
 * party grow in order; a load larger than the events already stored drops
 * the other indexes first and builds them again after.
 */
int
crm_event_stage_flush(crm_store_t *s, long *logged, long *already, int64_t *first)
{
	sqlite3 *db = store_db(s);
	int64_t base;
	int rc, rebuild;
	char now[21];
	long *staged = store_staged(s);

	*logged = *already = 0;
	if ((rc = store_event_base(s, &base)))
		return rc;
	*first = base + 1;
	if (!*staged)
		return CRM_OK;
	rebuild = *staged > base;
	for (size_t i = 0; rebuild && i < sizeof event_indexes / sizeof event_indexes[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", event_indexes[i][0]);
		if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
			return store_status(s, rc);
	}
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(db,
		"INSERT INTO event (party_id, at, channel, type, direction, subject, body, amount,"
		" currency, campaign, ref, due, assignee, status, attrs, created)"
		" SELECT party_id, at, channel, type, direction, subject, body, amount, currency,"
		" campaign, ref, due, assignee, status, attrs, ?1 FROM temp.event_stage"
		" ORDER BY party_id, at"
		" ON CONFLICT (party_id, type, ref) WHERE ref IS NOT NULL DO NOTHING", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		now_iso(now);
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	*logged = (long)sqlite3_changes64(db);
	*already = *staged - *logged;
	for (size_t i = 0; rebuild && i < sizeof event_indexes / sizeof event_indexes[0]; i++)
		if ((rc = sqlite3_exec(db, event_indexes[i][1], NULL, NULL, NULL)) != SQLITE_OK)
			return store_status(s, rc);
	if ((rc = sqlite3_exec(db, "DROP TABLE temp.event_stage", NULL, NULL, NULL)) != SQLITE_OK)
		return store_status(s, rc);
	*staged = 0;
	if (*logged)
		store_events_added(s);
	return CRM_OK;
}

int
crm_event_promote(crm_store_t *s, long *n)
{
	/*
	 * The same parties either way: by the events of the transaction (a
	 * scan of their rows), or, when they are four times as many as the
	 * parties or more, by the leads' and prospects' own purchases (a scan
	 * of the parties, each lead's purchases through event_purchase).
	 */
	sqlite3_stmt *top = store_stmt(s, "event.party_top",
		"SELECT coalesce(max(id), 0) FROM party");
	sqlite3_stmt *st;
	int64_t events;
	sqlite3_int64 parties = 0;
	char now[21];
	int rc;

	*n = 0;
	if (!top)
		return CRM_STORE;
	if (!store_in_tx(s, NULL)) {
		store_seterr(s, "write outside a transaction");
		return CRM_STORE;
	}
	if ((rc = store_event_base(s, &events)))
		return rc;
	events -= store_tx_event_base(s);
	rc = sqlite3_step(top);
	if (rc == SQLITE_ROW)
		parties = sqlite3_column_int64(top, 0);
	sqlite3_reset(top);
	if (rc != SQLITE_ROW)
		return store_status(s, rc);
	if (events / 4 >= parties)
		st = store_stmt(s, "event.promote_by_party",
			"UPDATE party SET kind = 'customer', updated = ?2"
			" WHERE kind IN ('lead', 'prospect') AND EXISTS (SELECT 1 FROM event"
			" WHERE party_id = party.id AND type = 'purchase' AND id > ?1)");
	else
		st = store_stmt(s, "event.promote",
			"UPDATE party SET kind = 'customer', updated = ?2"
			" WHERE kind IN ('lead', 'prospect')"
			" AND id IN (SELECT party_id FROM event WHERE id > ?1 AND type = 'purchase')");
	if (!st)
		return CRM_STORE;
	now_iso(now);
	sqlite3_bind_int64(st, 1, store_tx_event_base(s));
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	*n = (long)sqlite3_changes(store_db(s));
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Listing. */

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

void
crm_event_query_free(crm_event_query_t *q)
{
	if (!q)
		return;
	for (int i = 0; i < CRM_E_NFIELDS; i++)
		free(q->eq[i]);
	sqlite3_finalize(q->st);
	sqlite3_finalize(q->ins);
	free(q);
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

int
crm_task_set_status(crm_store_t *s, int64_t id, int done)
{
	sqlite3_stmt *st = store_stmt(s, "task.status",
		"UPDATE event SET status = ?2 WHERE id = ?1 AND type = 'task' "
		"RETURNING party_id");
	int rc;
	int64_t party;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, done ? "done" : "open", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	party = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	if (!party)
		return CRM_NOTFOUND;
	return store_facts_touch(s, party);
}

int
crm_event_query_restrict(crm_event_query_t *q, int64_t party_id)
{
	sqlite3 *db = store_db(q->s);
	int rc;

	if (!q->ins) {
		rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_evsel (id INTEGER PRIMARY KEY);"
		                      "DELETE FROM temp.crm_evsel", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return store_status(q->s, rc);
		rc = sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.crm_evsel (id) VALUES (?)", -1,
		                        &q->ins, NULL);
		if (rc != SQLITE_OK)
			return store_status(q->s, rc);
		q->restricted = 1;
	}
	if (party_id < 0)
		return CRM_OK;          /* turn the restriction on, with nobody yet */
	if (!q->nparties++)
		q->first_party = party_id;
	else if (q->first_party == party_id)
		q->nparties--;
	sqlite3_bind_int64(q->ins, 1, party_id);
	rc = sqlite3_step(q->ins);
	sqlite3_reset(q->ins);
	return rc == SQLITE_DONE ? CRM_OK : store_status(q->s, rc);
}

int
crm_event_query_next(crm_event_query_t *q, crm_event_t **out)
{
	int rc;

	if (!q->st) {
		struct buf sql = {0};
		buf_adds(&sql, "SELECT ");
		buf_adds(&sql, event_columns);
		buf_adds(&sql, " FROM event e WHERE 1");
		if (q->one)
			buf_adds(&sql, " AND e.id = ?1");
		if (q->after >= 0)
			buf_adds(&sql, " AND e.id > ?35");
		/* One party: an equality, so that its (party_id, at) index is used. */
		if (q->restricted && q->nparties == 1)
			buf_adds(&sql, " AND e.party_id = ?33");
		else if (q->restricted)
			buf_adds(&sql, " AND e.party_id IN (SELECT id FROM temp.crm_evsel)");
		for (int f = 0; f < CRM_E_NFIELDS; f++)
			if (q->eq[f]) {
				char t[64];
				snprintf(t, sizeof t, " AND e.%s = ?%d", event_fields[f], 10 + f);
				buf_adds(&sql, t);
			}
		if (q->since[0])
			buf_adds(&sql, " AND e.at >= ?30");
		if (q->until[0])
			buf_adds(&sql, " AND e.at < ?31");
		if (q->tasks)
			buf_adds(&sql, " AND e.type = 'task' AND e.status = 'open'");
		if (q->due_before[0])
			buf_adds(&sql, " AND e.due < ?34");
		if (q->after >= 0)
			buf_adds(&sql, " ORDER BY e.id");
		else if (q->tasks)
			buf_adds(&sql, " ORDER BY e.due IS NULL, e.due, e.at, e.id");
		else
			buf_adds(&sql, q->oldest_first ? " ORDER BY e.at, e.id" : " ORDER BY e.at DESC, e.id DESC");
		if (q->limit >= 0)
			buf_adds(&sql, " LIMIT ?32");
		if (!sql.p || sql.err) {
			buf_free(&sql);
			return CRM_NOMEM;
		}
		rc = sqlite3_prepare_v2(store_db(q->s), sql.p, -1, &q->st, NULL);
		buf_free(&sql);
		if (rc != SQLITE_OK)
			return store_status(q->s, rc);
		if (q->one)
			sqlite3_bind_int64(q->st, 1, q->one);
		for (int f = 0; f < CRM_E_NFIELDS; f++)
			if (q->eq[f])
				sqlite3_bind_text(q->st, 10 + f, q->eq[f], -1, SQLITE_STATIC);
		if (q->since[0])
			sqlite3_bind_text(q->st, 30, q->since, -1, SQLITE_STATIC);
		if (q->until[0])
			sqlite3_bind_text(q->st, 31, q->until, -1, SQLITE_STATIC);
		if (q->limit >= 0)
			sqlite3_bind_int64(q->st, 32, q->limit);
		if (q->restricted && q->nparties == 1)
			sqlite3_bind_int64(q->st, 33, q->first_party);
		if (q->due_before[0])
			sqlite3_bind_text(q->st, 34, q->due_before, -1, SQLITE_STATIC);
		if (q->after >= 0)
			sqlite3_bind_int64(q->st, 35, q->after);
	}
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW)
		return event_from_row(q->st, out);
	if (rc == SQLITE_DONE)
		return CRM_EOF;
	return store_status(q->s, rc);
}
