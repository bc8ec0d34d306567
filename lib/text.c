/* SPDX-License-Identifier: MIT */
/* text.c: strings, string vectors, buffers, messages, UTF-8, folding. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

int
strv_push(struct strv *sv, const char *s)
{
	if (sv->n == sv->cap) {
		size_t cap = sv->cap ? sv->cap * 2 : 4;
		char **v = realloc(sv->v, cap * sizeof *v);
		if (!v)
			return CRM_NOMEM;
		sv->v = v;
		sv->cap = cap;
	}
	if (!(sv->v[sv->n] = strdup(s)))
		return CRM_NOMEM;
	sv->n++;
	return CRM_OK;
}

int
strv_has(const struct strv *sv, const char *s)
{
	for (size_t i = 0; i < sv->n; i++)
		if (strcmp(sv->v[i], s) == 0)
			return 1;
	return 0;
}

void
strv_clear(struct strv *sv)
{
	for (size_t i = 0; i < sv->n; i++)
		free(sv->v[i]);
	free(sv->v);
	sv->v = NULL;
	sv->n = sv->cap = 0;
}

int
buf_add(struct buf *b, const void *s, size_t n)
{
	if (b->err)
		return CRM_NOMEM;
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 256;
		while (cap < b->len + n + 1)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p) {
			b->err = 1;
			return CRM_NOMEM;
		}
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = '\0';
	return CRM_OK;
}

int
buf_adds(struct buf *b, const char *s)
{
	return buf_add(b, s, strlen(s));
}

void
buf_reset(struct buf *b)
{
	b->len = 0;
	b->err = 0;
	if (b->p)
		b->p[0] = '\0';
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
	b->err = 0;
}

void
msgf(char *msg, size_t len, const char *fmt, ...)
{
	va_list ap;

	if (!msg || !len)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, len, fmt, ap);
	va_end(ap);
}

const char *
quoted(const char *s, char *buf, size_t len)
{
	size_t o = 0;

	for (; *s && o + 5 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (o >= 60) {
			memcpy(buf + o, "...", 3);
			o += 3;
			break;
		}
		if (c < 0x20 || c == 0x7f) {
			o += (size_t)snprintf(buf + o, len - o, "\\x%02x", c);
		} else {
			buf[o++] = (char)c;
		}
	}
	buf[o] = '\0';
	return buf;
}

/* Decode one UTF-8 sequence; returns its length, 0 when invalid. */
static size_t
utf8_dec(const unsigned char *s, size_t n, unsigned *cp)
{
	unsigned c = s[0];
	size_t k;
	unsigned min;

	if (c < 0x80) {
		*cp = c;
		return 1;
	} else if (c >= 0xc2 && c <= 0xdf) {
		k = 2; *cp = c & 0x1f; min = 0x80;
	} else if (c >= 0xe0 && c <= 0xef) {
		k = 3; *cp = c & 0x0f; min = 0x800;
	} else if (c >= 0xf0 && c <= 0xf4) {
		k = 4; *cp = c & 0x07; min = 0x10000;
	} else {
		return 0;
	}
	if (n < k)
		return 0;
	for (size_t i = 1; i < k; i++) {
		if ((s[i] & 0xc0) != 0x80)
			return 0;
		*cp = (*cp << 6) | (s[i] & 0x3f);
	}
	if (*cp < min || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
		return 0;
	return k;
}

long
utf8_check(const char *s, size_t len)
{
	const unsigned char *u = (const unsigned char *)s;
	size_t i = 0;
	unsigned cp;

	while (i < len) {
		if (u[i] == 0)
			return (long)i;
		if (u[i] < 0x80) {
			i++;
			continue;
		}
		size_t k = utf8_dec(u + i, len - i, &cp);
		if (!k)
			return (long)i;
		i += k;
	}
	return -1;
}

int
has_control(const char *s)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++)
		if ((*u < 0x20 && *u != '\t' && *u != '\n' && *u != '\r') || *u == 0x7f)
			return 1;
	return 0;
}

/* Base letters of U+00C0..U+017F; '.' keeps the letter, '*' is special. */
static const char latin[] =
	"aaaaaa*ceeeeiiii" "dnooooo.ouuuuy**" "aaaaaa*ceeeeiiii" "dnooooo.ouuuuy*y"
	"aaaaaaccccccccdd" "ddeeeeeeeeeegggg" "gggghhhhiiiiiiii" "ii**jjkkklllllll"
	"lllnnnnnnnnnoooo" "oo**rrrrrrssssss" "ssttttttuuuuuuuu" "uuuuwwyyyzzzzzzs";

static int
put_utf8(struct buf *b, unsigned cp)
{
	char t[4];
	size_t n;

	if (cp < 0x80) {
		t[0] = (char)cp; n = 1;
	} else if (cp < 0x800) {
		t[0] = (char)(0xc0 | (cp >> 6)); t[1] = (char)(0x80 | (cp & 0x3f)); n = 2;
	} else if (cp < 0x10000) {
		t[0] = (char)(0xe0 | (cp >> 12)); t[1] = (char)(0x80 | ((cp >> 6) & 0x3f));
		t[2] = (char)(0x80 | (cp & 0x3f)); n = 3;
	} else {
		t[0] = (char)(0xf0 | (cp >> 18)); t[1] = (char)(0x80 | ((cp >> 12) & 0x3f));
		t[2] = (char)(0x80 | ((cp >> 6) & 0x3f)); t[3] = (char)(0x80 | (cp & 0x3f)); n = 4;
	}
	return buf_add(b, t, n);
}

char *
crm_fold(const char *s)
{
	struct buf b = {0};
	const unsigned char *u = (const unsigned char *)s;
	size_t n = strlen(s), i = 0;
	unsigned cp;

	if (buf_add(&b, "", 0))
		return NULL;
	while (i < n) {
		size_t k = utf8_dec(u + i, n - i, &cp);
		int rc = CRM_OK;
		if (!k) {                       /* keep stray bytes as they are */
			rc = buf_addc(&b, (char)u[i]);
			i++;
			if (rc)
				goto fail;
			continue;
		}
		i += k;
		if (cp < 0x80) {
			rc = buf_addc(&b, (char)tolower((int)cp));
		} else if (cp >= 0x300 && cp <= 0x36f) {
			continue;               /* combining diacritic */
		} else if (cp >= 0xc0 && cp <= 0x17f) {
			char c = latin[cp - 0xc0];
			if (c == '.') {
				rc = put_utf8(&b, cp);
			} else if (c != '*') {
				rc = buf_addc(&b, c);
			} else {
				const char *sp = "";
				switch (cp) {
				case 0xc6: case 0xe6: sp = "ae"; break;
				case 0xde: case 0xfe: sp = "th"; break;
				case 0xdf: sp = "ss"; break;
				case 0x132: case 0x133: sp = "ij"; break;
				case 0x152: case 0x153: sp = "oe"; break;
				}
				rc = buf_adds(&b, sp);
			}
		} else if (cp >= 0x391 && cp <= 0x3a9 && cp != 0x3a2) {
			rc = put_utf8(&b, cp + 0x20);   /* Greek capitals */
		} else if (cp >= 0x3ac && cp <= 0x3ce) {
			static const unsigned gk[] = { 0x3b1, 0x3b5, 0x3b7, 0x3b9 };
			unsigned base = cp;
			if (cp <= 0x3af)
				base = gk[cp - 0x3ac];
			else if (cp == 0x3cc)
				base = 0x3bf;
			else if (cp == 0x3cd)
				base = 0x3c5;
			else if (cp == 0x3ce)
				base = 0x3c9;
			else if (cp == 0x3c2)
				base = 0x3c3;   /* final sigma */
			rc = put_utf8(&b, base);
		} else if (cp >= 0x410 && cp <= 0x42f) {
			rc = put_utf8(&b, cp + 0x20);   /* Cyrillic capitals */
		} else if (cp >= 0x400 && cp <= 0x40f) {
			rc = put_utf8(&b, cp == 0x401 ? 0x435 : cp + 0x50);
		} else if (cp == 0x451) {
			rc = put_utf8(&b, 0x435);       /* ё -> е */
		} else {
			rc = put_utf8(&b, cp);
		}
		if (rc)
			goto fail;
	}
	return b.p;
fail:
	buf_free(&b);
	return NULL;
}

int
crm_utf8_valid(const char *s)
{
	return utf8_check(s, strlen(s)) < 0;
}

char *
strdup_n(const char *s, size_t n)
{
	char *v = malloc(n + 1);

	if (v) {
		memcpy(v, s, n);
		v[n] = '\0';
	}
	return v;
}

int
hexval(int c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 :
	       c >= 'A' && c <= 'F' ? c - 'A' + 10 : -1;
}
