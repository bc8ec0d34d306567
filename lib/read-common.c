/* SPDX-License-Identifier: MIT */
/*
 * read-common.c: what the reader's formats share: the message of a bad
 * record, the notes of unknown columns and skipped lines, and the values
 * that every format reads alike (ids, tags, the created time, the
 * attribute lists of more e-mails and phones).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

int
reader_fail(crm_reader_t *r, long line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof r->err, "%ld: ", line);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
	va_end(ap);
	return CRM_BADINPUT;
}

/* The notes added since the last call, joined by sep into out; NULL for none. */
static const char *
news(const struct strv *notes, size_t *told, struct buf *out, const char *sep)
{
	if (*told == notes->n)
		return NULL;
	buf_reset(out);
	for (size_t i = *told; i < notes->n; i++) {
		if (i > *told)
			buf_adds(out, sep);
		buf_adds(out, notes->v[i]);
	}
	*told = notes->n;
	return out->p;
}

const char *
unknown_sync(crm_reader_t *w)
{
	return news(&w->unknown, &w->unknown_told, &w->unknown_list, ", ");
}

/* The lines skipped since the last call, "; "-separated; NULL for none. */
const char *
skipped_sync(crm_reader_t *w)
{
	return news(&w->skipped, &w->skipped_told, &w->skipped_list, "; ");
}

/* A line that is no record: said once, with its number and its text. */
int
note_skipped(crm_reader_t *r, long line, const char *text, const char *why)
{
	char q[96], m[200];

	if (r->skipped.n > 1000)
		return CRM_OK;
	snprintf(m, sizeof m, "line %ld '%s' (%s)", line, quoted(text, q, sizeof q), why);
	return strv_push(&r->skipped, m);
}

int
note_unknown(crm_reader_t *r, const char *key)
{
	if (strv_has(&r->unknown, key) || r->unknown.n > 1000)
		return CRM_OK;
	return strv_push(&r->unknown, key);
}

/*
 * Columns only an event has: in a stream of parties without party_id,
 * they say that an id column is the event's own, which names no party.
 */
int
event_only_key(const char *k)
{
	static const char *const keys[] = { "at", "amount", "channel", "direction", "campaign",
	                                    "due", "assignee" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcasecmp(k, keys[i]))
			return 1;
	return 0;
}

int
parse_id(const char *v, int64_t *id)
{
	char *end, digits[24];
	size_t len;

	/* Surrounding white space is no part of an id, as of any scalar. */
	v = white_trim(v, &len);
	if (!len || len >= sizeof digits || !isdigit((unsigned char)*v))
		return 0;
	memcpy(digits, v, len);
	digits[len] = '\0';
	errno = 0;
	long long n = strtoll(digits, &end, 10);
	if (errno || *end || n <= 0)
		return 0;
	*id = n;
	return 1;
}

int
add_tags(crm_party_t *p, const char *v)
{
	const char *s = v;

	p->tags_given = 1;
	while (*s) {
		/* Tags part at ';', or at ':::' as Google's labels do, or at '","' as Mailchimp's. */
		const char *e = strchr(s, ';'), *g = strstr(s, ":::");
		const char *mc = *v == '"' ? strstr(s, "\",\"") : NULL;
		size_t sl = 1;
		if (mc && (!e || mc < e) && (!g || mc < g)) {
			e = mc + 1;
			g = NULL;
		}
		if (g && (!e || g < e)) {
			e = g;
			sl = 3;
		}
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (*v == '"' && n && *s == '"') {
			s++;
			n--;
		}
		if (*v == '"' && n && s[n - 1] == '"')
			n--;
		/* "* myContacts", "* starred": Google's own labels, not the user's. */
		if (n && !(n > 2 && s[0] == '*' && s[1] == ' ')) {
			char *t = strndup(s, n);
			if (!t || crm_party_add_tag(p, t)) {
				free(t);
				return CRM_NOMEM;
			}
			free(t);
		}
		if (!e)
			break;
		s = e + sl;
	}
	return CRM_OK;
}

/*
 * A party's created time: kept as given when crm-records(5) takes it so,
 * else read as times are (2024-02-16 16:53:00 +0100) and written in UTC;
 * a value that is no time is kept for the check to refuse.
 */
int
set_created(crm_party_t *p, const char *v)
{
	char t[21], m[300];

	if (date_valid(v, 1) || strlen(v) < 11 || !isdigit((unsigned char)*v) ||
	    time_parse(v, 0, t, m, sizeof m))
		return crm_party_set(p, CRM_F_CREATED, v);
	return crm_party_set(p, CRM_F_CREATED, t);
}

/* Append a string to the attribute key (see attr_list_add()). */
int
attr_push(crm_party_t *p, const char *key, const char *v)
{
	return attr_list_add(p, key, v);
}
