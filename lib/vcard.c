/* SPDX-License-Identifier: MIT */
/*
 * vcard.c: vCard 2.1, 3.0 and 4.0 (see crm-add(1), "vCard input"):
 * logical lines unfolded, properties decoded (quoted-printable, CHARSET)
 * into the party.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

/* Strip the line end of a physical line. */
static size_t
chomp(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* Whether a logical line's parameters say quoted-printable. */
static int
vcard_qp(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t m = colon ? (size_t)(colon - s) : n;

	for (size_t i = 0; i + 16 <= m; i++)
		if (!strncasecmp(s + i, "QUOTED-PRINTABLE", 16))
			return 1;
	return 0;
}

/*
 * The next logical line into out, unfolded: a physical line that starts
 * with a space or a tab continues the one before (the fold may cut a
 * UTF-8 character: bytes are joined before any check); in a
 * quoted-printable value, a line that ends in '=' goes on in the next.
 * 1, 0 at the end, -1 on a read error; *line is where it started.
 */
static int
vcard_line(crm_reader_t *r, struct buf *out, long *line)
{
	int got;

	buf_reset(out);
	if (!r->vpend_on) {
		if ((got = reader_line(r, 2)) <= 0)
			return got;
		buf_reset(&r->vpend);
		if (r->line_long)
			return reader_fail(r, r->lineno, "line longer than %d bytes", MAXREC) ? -2 : -2;
		if (buf_add(&r->vpend, r->line.p, chomp(r->line.p, r->line.len)))
			return -1;
		r->vpend_line = r->lineno;
	}
	r->vpend_on = 0;
	*line = r->vpend_line;
	if (buf_add(out, r->vpend.p ? r->vpend.p : "", r->vpend.len))
		return -1;
	for (;;) {
		if ((got = reader_line(r, 2)) < 0)
			return -1;
		if (got == 0)
			break;
		if (r->line_long)
			return reader_fail(r, r->lineno, "line longer than %d bytes", MAXREC) ? -2 : -2;
		size_t n = chomp(r->line.p, r->line.len);
		if (n && (r->line.p[0] == ' ' || r->line.p[0] == '\t')) {
			if (out->len + n > MAXREC + 1)
				return reader_fail(r, *line, "line longer than %d bytes", MAXREC) ? -2 : -2;
			if (buf_add(out, r->line.p + 1, n - 1))
				return -1;
			continue;
		}
		if (out->len && out->p[out->len - 1] == '=' && vcard_qp(out->p, out->len)) {
			out->len--;     /* a soft line break */
			if (buf_add(out, r->line.p, n))
				return -1;
			continue;
		}
		buf_reset(&r->vpend);
		if (buf_add(&r->vpend, r->line.p, n))
			return -1;
		r->vpend_on = 1;
		r->vpend_line = r->lineno;
		break;
	}
	if (!out->p && buf_add(out, "", 0))
		return -1;
	if (out->len > MAXREC)
		return reader_fail(r, *line, "line longer than %d bytes", MAXREC) ? -2 : -2;
	if (memchr(out->p, '\0', out->len))
		return reader_fail(r, *line, "NUL byte%s", enc_hint((const unsigned char *)"")) ? -2 : -2;
	return 1;
}

/* Split a structured value on unescaped sep; unescape each part (\n, \, \; \\). */
static int
vcard_split(const char *v, char sep, struct strv *parts, int unescape)
{
	struct buf b = {0};

	buf_add(&b, "", 0);
	for (const char *s = v;; s++) {
		if (!*s || *s == sep) {
			if (strv_push(parts, b.p ? b.p : "")) {
				buf_free(&b);
				return CRM_NOMEM;
			}
			buf_reset(&b);
			buf_add(&b, "", 0);
			if (!*s)
				break;
			continue;
		}
		if (*s == '\\' && s[1] && unescape) {
			s++;
			buf_addc(&b, *s == 'n' || *s == 'N' ? '\n' : *s);
			continue;
		}
		if (*s == '\\' && s[1]) {
			buf_addc(&b, *s++);
		}
		buf_addc(&b, *s);
	}
	buf_free(&b);
	return CRM_OK;
}

/* A birthday: 1990-03-01, 19900301, --0512, --05-12, with a time or not. */
static int
vcard_bday(const char *v, char out[11])
{
	char d[16];
	size_t n = 0;

	if (!strncmp(v, "--", 2)) {
		for (const char *s = v + 2; *s && *s != 'T' && n < 4; s++)
			if (isdigit((unsigned char)*s))
				d[n++] = *s;
		if (n != 4)
			return 0;
		snprintf(out, 11, "--%.2s-%.2s", d, d + 2);
		return date_valid(out, 0);
	}
	for (const char *s = v; *s && *s != 'T' && n < 8; s++)
		if (isdigit((unsigned char)*s))
			d[n++] = *s;
	if (n != 8)
		return 0;
	snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	return date_valid(out, 0);
}

/* One property of a card into the party. */
static int
vcard_prop(crm_reader_t *r, crm_party_t *p, long line, const char *name, char *params, char *value,
           int *have_ext)
{
	char *charset = NULL, q[96];
	const char *omit_year = NULL;
	int qp = 0, b64 = 0, rc = CRM_OK;

	/* Parameters: ENCODING=QUOTED-PRINTABLE (or bare, in 2.1), CHARSET=, ENCODING=b. */
	for (char *save = NULL, *t = strtok_r(params, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');
		const char *val = eq ? eq + 1 : t;
		if (eq)
			*eq = '\0';
		if (!strcasecmp(val, "QUOTED-PRINTABLE"))
			qp = 1;
		else if (!strcasecmp(val, "b") || !strcasecmp(val, "BASE64"))
			b64 = 1;
		else if (eq && !strcasecmp(t, "CHARSET"))
			charset = (char *)val;
		else if (eq && !strcasecmp(t, "X-APPLE-OMIT-YEAR"))
			omit_year = val;
	}
	if (!strcasecmp(name, "PHOTO") || !strcasecmp(name, "LOGO") || !strcasecmp(name, "SOUND") ||
	    !strcasecmp(name, "KEY") || b64)
		return CRM_OK;  /* pictures and binary data are not kept */
	if (qp) {
		char *o = value;
		for (char *s = value; *s; s++) {
			int h, l;
			if (*s == '=' && (h = hexval(s[1])) >= 0 && (l = hexval(s[2])) >= 0) {
				*o++ = (char)(h * 16 + l);
				s += 2;
			} else {
				*o++ = *s;
			}
		}
		*o = '\0';
	}
	char *conv = NULL;
	if (charset && strcasecmp(charset, "UTF-8") && strcasecmp(charset, "UTF8")) {
		iconv_t cd = iconv_open("UTF-8", charset);
		if (cd == (iconv_t)-1)
			return reader_fail(r, line, "%s: unknown CHARSET '%s'", name, quoted(charset, q, sizeof q));
		size_t inl = strlen(value), outl = inl * 4 + 1;
		char *in = value, *out = conv = malloc(outl);
		if (!conv) {
			iconv_close(cd);
			return CRM_NOMEM;
		}
		if (iconv(cd, &in, &inl, &out, &outl) == (size_t)-1) {
			iconv_close(cd);
			free(conv);
			return reader_fail(r, line, "%s: not valid %s", name, quoted(charset, q, sizeof q));
		}
		*out = '\0';
		iconv_close(cd);
		value = conv;
	}
	long bad = utf8_check(value, strlen(value));
	if (bad >= 0) {
		free(conv);
		return reader_fail(r, line, "invalid UTF-8 in %s%s", name,
		            enc_hint((const unsigned char *)value + bad));
	}
	struct strv parts = {0};
	char bd[11];
	if (!strcasecmp(name, "N") || !strcasecmp(name, "ADR") || !strcasecmp(name, "ORG") ||
	    !strcasecmp(name, "GENDER"))
		rc = vcard_split(value, ';', &parts, 1);
	else if (!strcasecmp(name, "CATEGORIES"))
		rc = vcard_split(value, ',', &parts, 1);
	else
		rc = vcard_split(value, '\0', &parts, 1);
	const char *v0 = parts.n ? parts.v[0] : "";
#define PART(i) (parts.n > (i) && *parts.v[i] ? parts.v[i] : NULL)
	if (rc)
		;
	else if (!strcasecmp(name, "FN"))
		rc = crm_party_set(p, CRM_F_NAME, v0);
	else if (!strcasecmp(name, "N")) {
		if (PART(0) && !p->v[CRM_F_LAST_NAME])
			rc = crm_party_set(p, CRM_F_LAST_NAME, PART(0));
		if (!rc && PART(1) && !p->v[CRM_F_FIRST_NAME])
			rc = crm_party_set(p, CRM_F_FIRST_NAME, PART(1));
	} else if (!strcasecmp(name, "ORG")) {
		if (PART(0) && !p->v[CRM_F_ORG])
			rc = crm_party_set(p, CRM_F_ORG, PART(0));
	} else if (!strcasecmp(name, "TITLE")) {
		rc = crm_party_set(p, CRM_F_TITLE, v0);
	} else if (!strcasecmp(name, "EMAIL") || !strcasecmp(name, "TEL")) {
		int f = toupper((unsigned char)*name) == 'E' ? CRM_F_EMAIL : CRM_F_PHONE;
		const char *v = v0;
		if (f == CRM_F_PHONE && !strncasecmp(v, "tel:", 4))
			v += 4;
		/* The first is the party's; the others are kept in attrs.emails or attrs.phones. */
		if (!*v)
			;
		else if (!p->v[f])
			rc = crm_party_set(p, f, v);
		else
			rc = attr_push(p, f == CRM_F_EMAIL ? "emails" : "phones", v);
	} else if (!strcasecmp(name, "ADR")) {
		if (!p->v[CRM_F_CITY] && !p->v[CRM_F_POSTCODE] && !p->v[CRM_F_COUNTRY]) {
			if (PART(3))
				rc = crm_party_set(p, CRM_F_CITY, PART(3));
			if (!rc && PART(5))
				rc = crm_party_set(p, CRM_F_POSTCODE, PART(5));
			if (!rc && PART(6))
				rc = crm_party_set(p, CRM_F_COUNTRY, PART(6));
		}
	} else if (!strcasecmp(name, "BDAY")) {
		/* A birthday this cannot read is kept as text in attrs.bday. */
		int ok = vcard_bday(v0, bd);
		/* An iPhone writes a birthday without a year as year 1604 (X-APPLE-OMIT-YEAR). */
		if (ok && omit_year && !strncmp(bd, omit_year, 4) && strlen(omit_year) == 4) {
			memmove(bd + 2, bd + 5, 6);
			bd[0] = bd[1] = '-';
		}
		rc = ok ? crm_party_set(p, CRM_F_BIRTHDATE, bd) : crm_party_set_attr(p, "bday", v0);
	} else if (!strcasecmp(name, "GENDER")) {
		const char *g = !strcasecmp(v0, "M") ? "male" : !strcasecmp(v0, "F") ? "female" :
		                PART(1) ? PART(1) : NULL;
		if (g)
			rc = crm_party_set(p, CRM_F_GENDER, g);
	} else if (!strcasecmp(name, "NOTE")) {
		rc = crm_party_set(p, CRM_F_NOTES, v0);
	} else if (!strcasecmp(name, "CATEGORIES")) {
		for (size_t i = 0; !rc && i < parts.n; i++)
			if (*parts.v[i])
				rc = crm_party_add_tag(p, parts.v[i]);
	} else if (!strcasecmp(name, "KIND")) {
		if (!strcasecmp(v0, "org") || !strcasecmp(v0, "organization"))
			rc = crm_party_set(p, CRM_F_TYPE, "organization");
	} else if (!strcasecmp(name, "X-CRM-KIND")) {
		rc = crm_party_set(p, CRM_F_KIND, v0);
	} else if (!strcasecmp(name, "X-CRM-EXT-ID")) {
		rc = crm_party_set(p, CRM_F_EXT_ID, v0);
		*have_ext = 1;
	} else if (!strcasecmp(name, "UID")) {
		/* A phone's or a server's id is an ext_id; this toolkit's own is not. */
		if (!*have_ext && strncmp(v0, "urn:crm:party:", 14))
			rc = crm_party_set(p, CRM_F_EXT_ID, v0);
	} else if (!strcasecmp(name, "X-CRM-ATTRS")) {
		json_error_t je;
		json_t *o = json_depth(v0, strlen(v0), MAXDEPTH) > MAXDEPTH ? NULL :
		            crm_json_load(v0, strlen(v0), JSON_REJECT_DUPLICATES, &je);
		const char *k;
		json_t *jv;
		if (!json_is_object(o)) {
			json_decref(o);
			rc = reader_fail(r, line, "X-CRM-ATTRS: not a JSON object");
		} else {
			if (!p->attrs)
				p->attrs = json_object();
			json_object_foreach(o, k, jv)
				json_object_set(p->attrs, k, jv);
			json_decref(o);
		}
	} else if (!strcasecmp(name, "VERSION") || !strcasecmp(name, "PRODID") ||
	           !strcasecmp(name, "REV") || !strncasecmp(name, "X-AB", 4)) {
		;
	} else {
		/* Anything else as an attribute, named in lower case: url, nickname, x-... */
		char key[64];
		size_t i;
		for (i = 0; name[i] && i < sizeof key - 1; i++)
			key[i] = (char)tolower((unsigned char)name[i]);
		key[i] = '\0';
		if (!p->attrs || !json_object_get(p->attrs, key))
			rc = crm_party_set_attr(p, key, v0);
	}
#undef PART
	strv_clear(&parts);
	free(conv);
	return rc;
}

int
vcard_next(crm_reader_t *r, crm_party_t **out)
{
	struct buf l = {0};
	crm_party_t *p = NULL;
	long line = 0;
	int got, rc = CRM_OK, have_ext = 0;

	if (r->events) {
		r->fatal = 1;   /* nothing of the input can be read: it ends here */
		r->eof = 1;
		r->rec_line = 1;
		return reader_fail(r, 1, "vCards hold parties, not events");
	}
	/* Up to BEGIN:VCARD, past blank lines. */
	for (;;) {
		if ((got = vcard_line(r, &l, &line)) <= 0) {
			buf_free(&l);
			return got == 0 ? CRM_EOF : got == -2 ? CRM_BADINPUT : reader_io_fail(r);
		}
		if (!blank(l.p, l.len))
			break;
	}
	r->rec_line = line;
	buf_reset(&r->raw);
	if (strcasecmp(l.p, "BEGIN:VCARD")) {
		buf_free(&l);
		return reader_fail(r, line, "expected BEGIN:VCARD");
	}
	if (!(p = crm_party_new())) {
		buf_free(&l);
		return CRM_NOMEM;
	}
	buf_adds(&r->raw, "BEGIN:VCARD\r\n");
	int bad = CRM_OK;
	for (;;) {
		if ((got = vcard_line(r, &l, &line)) <= 0) {
			rc = got == 0 ? reader_fail(r, r->rec_line, "no END:VCARD") : got == -2 ? CRM_BADINPUT :
			     reader_io_fail(r);
			break;
		}
		buf_add(&r->raw, l.p, l.len);
		buf_adds(&r->raw, "\r\n");
		if (!strcasecmp(l.p, "END:VCARD")) {
			rc = bad;
			break;
		}
		/* After a bad property, the rest of the card goes with it (one reject). */
		if (bad || blank(l.p, l.len))
			continue;
		/* group.NAME;PARAMS:VALUE, the colon outside double quotes */
		char *s = l.p, *colon = NULL;
		int inq = 0;
		for (char *c = s; *c; c++) {
			if (*c == '"')
				inq = !inq;
			else if (*c == ':' && !inq) {
				colon = c;
				break;
			}
		}
		if (!colon) {
			char q[96];
			r->rec_line = line;
			bad = reader_fail(r, line, "not a vCard property: %s", quoted(s, q, sizeof q));
			continue;
		}
		*colon = '\0';
		char *params = strchr(s, ';');
		if (params)
			*params++ = '\0';
		char *dot = strrchr(s, '.');
		const char *name = dot ? dot + 1 : s;
		if (!strcasecmp(name, "BEGIN")) {
			r->rec_line = line;
			bad = reader_fail(r, line, "a vCard inside a vCard");
			continue;
		}
		if ((rc = vcard_prop(r, p, line, name, params ? params : (char *)"", colon + 1, &have_ext))) {
			if (rc != CRM_BADINPUT)
				break;
			r->rec_line = line;     /* the line of the property at fault */
			bad = rc;
			rc = CRM_OK;
		}
	}
	buf_free(&l);
	if (r->raw.err)
		rc = CRM_NOMEM;
	if (rc) {
		crm_party_free(p);
		if (rc == CRM_BADINPUT && !r->err[0])
			reader_fail(r, r->rec_line, "bad vCard");
		return rc;
	}
	/*
	 * What a vCard needs but the party did not have: an organization's
	 * ORG is its own name, and an FN that is only the e-mail or the ext_id
	 * names no one.
	 */
	const char *nm = p->v[CRM_F_NAME];
	if (nm && p->v[CRM_F_TYPE] && !strcmp(p->v[CRM_F_TYPE], "organization") && p->v[CRM_F_ORG] &&
	    !strcmp(p->v[CRM_F_ORG], nm))
		crm_party_set(p, CRM_F_ORG, NULL);
	if (nm && ((p->v[CRM_F_EMAIL] && !strcasecmp(p->v[CRM_F_EMAIL], nm)) ||
	           (p->v[CRM_F_PHONE] && !strcmp(p->v[CRM_F_PHONE], nm)) ||
	           (p->v[CRM_F_ORG] && !strcmp(p->v[CRM_F_ORG], nm) && !p->v[CRM_F_FIRST_NAME] &&
	            !p->v[CRM_F_LAST_NAME] && strcmp(p->v[CRM_F_TYPE] ? p->v[CRM_F_TYPE] : "", "organization")) ||
	           (p->v[CRM_F_EXT_ID] && !strcmp(p->v[CRM_F_EXT_ID], nm)) || !strcmp(nm, "?")))
		crm_party_set(p, CRM_F_NAME, NULL);
	p->utf8_ok = 1;
	*out = p;
	return CRM_OK;
}
