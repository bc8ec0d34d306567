/* SPDX-License-Identifier: MIT */
/*
 * lines.c: lists, one id, e-mail or ext_id a line (crm-find --ids,
 * jq -r .email): whether the input is one, and its items.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"
#include "read-private.h"

#define MAXTOKEN 512

/*
 * What one item of a list is, by its shape: 'i' digits (an id), '@' an
 * e-mail, 'x' anything else (an ext_id); 0 for no item: blank, or with
 * white space, a comma, a semicolon, a quote, a brace or a bracket.
 */
static int
token_kind(const char *s, size_t n)
{
	int digits = 1, at = 0;

	if (!n || n > MAXTOKEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr(",;\"{}[]", c))
			return 0;
		digits &= isdigit(c) != 0;
		at |= c == '@';
	}
	return digits ? 'i' : at ? '@' : 'x';
}

/*
 * Whether the input read so far (up to 64 KiB) is a list: every line
 * that is not blank one item.  -1: it is not; 0: a list; 1: a list whose
 * first line is a field name, a CSV header (email, id, ext_id); 2: a list
 * whose first line, of another shape than all the others (ids or
 * e-mails), is their heading.  *named: the first line is a field name,
 * list or not.
 */
int
sniff_lines(const crm_reader_t *r, int *named)
{
	const char *s = (const char *)r->ibuf + r->ipos, *e = (const char *)r->ibuf + r->ilen;
	char first[MAXTOKEN + 1];
	int n = 0, kind0 = 0, others = 0, list = 1;

	*named = 0;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s)), *le = nl ? nl : e;
		size_t tl;
		const char *t = trim(s, (size_t)(le - s), &tl);
		s = nl ? nl + 1 : e;
		if (!tl)
			continue;
		int k = token_kind(t, tl);
		if (n++ == 0) {
			memcpy(first, t, k ? tl : 0);
			first[k ? tl : 0] = '\0';
			kind0 = k;
			*named = k == 'x' && (crm_field_lookup(first, 1) >= 0 || !strcmp(first, "party_id"));
		}
		if (!k) {
			list = 0;
			break;
		}
		if (n > 1)
			others |= k == 'i' ? 1 : k == '@' ? 2 : 4;
	}
	if (!n || !list)
		return -1;
	if (*named)
		return 1;
	return kind0 == 'x' && (others == 1 || others == 2) ? 2 : 0;
}

int
lines_next(crm_reader_t *r, crm_party_t **out)
{
	char q[96];
	int got, rc = CRM_OK;

	if (r->events) {
		r->fatal = 1;
		r->eof = 1;
		r->rec_line = 1;
		return reader_fail(r, 1, "a list of ids, e-mails or ext_ids names parties, not events");
	}
	for (;;) {
		if ((got = reader_line(r, 1)) < 0)
			return reader_io_fail(r);
		if (got == 0)
			return CRM_EOF;
		r->rec_line = r->lineno;
		buf_reset(&r->raw);
		if (r->line_long)
			return reader_fail(r, r->rec_line, "line longer than %d bytes", MAXREC);
		size_t tl;
		const char *t = trim(r->line.p, r->line.len, &tl);
		if (!tl)
			continue;
		if ((rc = buf_add(&r->raw, r->line.p, r->line.len)))
			return rc;
		char *tok = strndup(t, tl);
		if (!tok)
			return CRM_NOMEM;
		/* Unicode white space around an item goes too (U+00A0, U+3000). */
		const char *w = white_trim(tok, &tl);
		memmove(tok, w, tl);
		tok[tl] = '\0';
		if (!tl) {
			free(tok);
			continue;
		}
		if (r->lines_header) {
			/* The list's heading: said, not read. */
			r->lines_header = 0;
			rc = note_skipped(r, r->rec_line, tok, "a header");
			free(tok);
			if (rc)
				return rc;
			continue;
		}
		long bad = utf8_check(tok, tl);
		int k = token_kind(tok, tl);
		if (bad >= 0 || !k) {
			rc = bad >= 0 ? reader_fail(r, r->rec_line, "invalid UTF-8%s",
			                     enc_hint((const unsigned char *)tok + bad)) :
			     reader_fail(r, r->rec_line, "not an id, an e-mail or an ext_id: '%s'",
			          quoted(tok, q, sizeof q));
			free(tok);
			return rc;
		}
		crm_party_t *p = crm_party_new();
		int64_t id;
		if (!p)
			rc = CRM_NOMEM;
		else if (k == 'i' && parse_id(tok, &id))
			p->id = id;
		else
			rc = crm_party_set(p, k == '@' ? CRM_F_EMAIL : CRM_F_EXT_ID, tok);
		free(tok);
		if (rc) {
			crm_party_free(p);
			return rc;
		}
		p->utf8_ok = 1;
		*out = p;
		return CRM_OK;
	}
}
