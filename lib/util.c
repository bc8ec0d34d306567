/* SPDX-License-Identifier: MIT */
/* util.c: strings, buffers, UTF-8, folding, normalised keys, dates. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <idn2.h>
#include <uninorm.h>
#include <strings.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

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
buf_addc(struct buf *b, char c)
{
	return buf_add(b, &c, 1);
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

/* Unicode white space at s: its length in bytes, 0 when none. */
static size_t
space_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == ' ' || *u == '\t' || *u == '\n' || *u == '\r' || *u == '\v' || *u == '\f')
		return 1;
	if (u[0] == 0xc2 && u[1] == 0xa0)
		return 2;                                       /* U+00A0 */
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;                                       /* U+3000 */
	if (u[0] == 0xef && u[1] == 0xbb && u[2] == 0xbf)
		return 3;                                       /* U+FEFF */
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8b || u[2] == 0xaf))
		return 3;                                       /* U+2000..200B, 202F */
	return 0;
}

/* Trim what is_space() finds at either end; returns start, *n its length. */
static __attribute__((noinline)) const char *
trim_slow(const char *s, size_t *n, size_t (*is_space)(const char *))
{
	size_t k, len;

	while ((k = is_space(s)))
		s += k;
	len = strlen(s);
	for (;;) {
		size_t cut = 0;
		for (size_t back = 1; back <= 3 && back <= len; back++)
			if (is_space(s + len - back) == back) {
				cut = back;
				break;
			}
		if (!cut)
			break;
		len -= cut;
	}
	*n = len;
	return s;
}

/*
 * The same, the common case first: a printable ASCII byte at either end
 * is no white space, nor the first or the last byte of any; but after
 * E2 80, which trim_slow() takes with any byte up to 8B for U+2000 to
 * U+200B.
 */
static inline const char *
trim_with(const char *s, size_t *n, size_t (*is_space)(const char *))
{
	const unsigned char *u = (const unsigned char *)s;

	if (u[0] > ' ' && u[0] < 0x80) {
		size_t len = strlen(s);
		if (u[len - 1] > ' ' && u[len - 1] < 0x80 && (len < 2 || u[len - 2] != 0x80)) {
			*n = len;
			return s;
		}
	}
	return trim_slow(s, n, is_space);
}

/* Trim Unicode white space and U+200B; returns start, *n its length. */
static const char *
trim(const char *s, size_t *n)
{
	return trim_with(s, n, space_len);
}

/*
 * Unicode White_Space at s: its length in bytes, 0 when none: U+0009..000D,
 * U+0020, U+0085, U+00A0, U+1680, U+2000..200A, U+2028, U+2029, U+202F,
 * U+205F, U+3000.
 */
static size_t
white_len(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	if (*u == ' ' || (*u >= '\t' && *u <= '\r'))
		return 1;
	if (u[0] == 0xc2 && (u[1] == 0x85 || u[1] == 0xa0))
		return 2;
	if (u[0] == 0xe1 && u[1] == 0x9a && u[2] == 0x80)
		return 3;                                       /* U+1680 */
	if (u[0] == 0xe2 && u[1] == 0x80 && (u[2] <= 0x8a || u[2] == 0xa8 || u[2] == 0xa9 ||
	                                     u[2] == 0xaf))
		return 3;                                       /* U+2000..200A, 2028, 2029, 202F */
	if (u[0] == 0xe2 && u[1] == 0x81 && u[2] == 0x9f)
		return 3;                                       /* U+205F */
	if (u[0] == 0xe3 && u[1] == 0x80 && u[2] == 0x80)
		return 3;                                       /* U+3000 */
	return 0;
}

const char *
white_trim(const char *s, size_t *n)
{
	return trim_with(s, n, white_len);
}

int
attrs_set(json_t **attrs, const char *key, const char *value)
{
	size_t kn, vn = 0;

	if (utf8_check(key, strlen(key)) >= 0 || (value && utf8_check(value, strlen(value)) >= 0))
		return CRM_BADINPUT;
	key = white_trim(key, &kn);
	if (value && (value = white_trim(value, &vn), !vn))
		return CRM_OK;          /* white space alone, or nothing: no value */
	char *k = strndup(key, kn);
	json_t *j = value ? json_stringn(value, vn) : json_null();
	int rc = k && j ? CRM_OK : CRM_NOMEM;
	if (!rc && !*attrs && !(*attrs = json_object()))
		rc = CRM_NOMEM;
	if (!rc) {
		rc = json_object_set_new(*attrs, k, j) ? CRM_NOMEM : CRM_OK;
		j = NULL;
	}
	json_decref(j);
	free(k);
	return rc;
}

char *
white_trim_dup(const char *s)
{
	size_t n;
	const char *t = white_trim(s, &n);

	return strndup(t, n);
}

char *
norm_email_legacy(const char *s)
{
	size_t n;
	const char *t = trim(s, &n);
	char *r;

	if (!n || !(r = malloc(n + 1)))
		return NULL;
	for (size_t i = 0; i < n; i++)
		r[i] = (char)tolower((unsigned char)t[i]);
	r[n] = '\0';
	return r;
}

char *
norm_email(const char *s)
{
	size_t n, len;
	const char *t = trim(s, &n);
	char *r, *at;

	/* A link's address is the address: mailto:jean@example.org. */
	if (n > 7 && ((unsigned char)*t | 0x20) == 'm' && !strncasecmp(t, "mailto:", 7))
		t += 7, n -= 7;
	if (!n)
		return NULL;
	/* ASCII without xn--, the common case: lower case is all there is to it. */
	size_t k;
	unsigned char high = 0;
	for (k = 0; k < n; k++)
		high |= (unsigned char)t[k];
	int plain = high < 0x80;
	for (const char *d = memchr(t, '-', n); plain && d;
	     d = memchr(d + 1, '-', n - (size_t)(d + 1 - t)))
		plain = !(d - t >= 2 && d + 1 < t + n && d[1] == '-' &&
		          ((unsigned char)d[-1] | 0x20) == 'n' &&
		          ((unsigned char)d[-2] | 0x20) == 'x');
	if (plain) {
		if (!(r = malloc(n + 1)))
			return NULL;
		for (k = 0; k < n; k++)
			r[k] = (char)tolower((unsigned char)t[k]);
		r[n] = '\0';
		return r;
	}
	/* One spelling of each character (NFC): é typed or composed is é. */
	r = (char *)u8_normalize(UNINORM_NFC, (const uint8_t *)t, n, NULL, &len);
	if (!r)
		return NULL;
	char *z = realloc(r, len + 1);
	if (!z) {
		free(r);
		return NULL;
	}
	r = z;
	r[len] = '\0';
	for (size_t i = 0; i < len; i++)
		r[i] = (char)tolower((unsigned char)r[i]);
	/* A domain in Unicode and in its ASCII form (xn--) is one domain. */
	if ((at = strrchr(r, '@')) && at[1]) {
		char *ascii = NULL;
		int bad = 0;
		for (const char *d = at + 1; *d; d++)
			bad |= (unsigned char)*d >= 0x80 || !strncmp(d, "xn--", 4);
		if (bad && idn2_to_ascii_8z(at + 1, &ascii, IDN2_NFC_INPUT | IDN2_NONTRANSITIONAL) ==
		           IDN2_OK) {
			size_t local = (size_t)(at - r) + 1;
			char *out = malloc(local + strlen(ascii) + 1);
			if (!out) {
				idn2_free(ascii);
				free(r);
				return NULL;
			}
			memcpy(out, r, local);
			memcpy(out + local, ascii, strlen(ascii) + 1);
			for (char *d = out + local; *d; d++)
				*d = (char)tolower((unsigned char)*d);
			idn2_free(ascii);
			free(r);
			r = out;
		}
	}
	return r;
}

int
email_valid(const char *s)
{
	size_t n;
	const char *t = trim(s, &n);
	const char *at = NULL;

	if (!n || n > 254)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)t[i];
		if (c <= ' ' || c == 0x7f || c == ',' || c == ';' || c == '<' || c == '>' ||
		    c == '(' || c == ')' || c == '[' || c == ']' || c == '\\' || c == '"')
			return 0;
		if (c == '@') {
			if (at)
				return 0;
			at = t + i;
		}
	}
	if (!at || at == t || at == t + n - 1)
		return 0;
	const char *d = at + 1, *end = t + n;
	if (*d == '.' || *d == '-' || end[-1] == '.' || end[-1] == '-' || at[-1] == '.' || *t == '.')
		return 0;
	int dot = 0;
	for (const char *p = t; p < end; p++) {
		if (*p == '.' && p + 1 < end && p[1] == '.')
			return 0;
		if (p > at && *p == '.')
			dot = 1;
	}
	return dot;
}

/* Country calling codes for national numbers, by ISO code or name. */
static const struct { const char *c, *n, *cc; int trunk; } calling[] = {
	{ "fr", "france", "33", 1 }, { "be", "belgium", "32", 1 },
	{ "ch", "switzerland", "41", 1 }, { "de", "germany", "49", 1 },
	{ "gb", "united kingdom", "44", 1 }, { "uk", "uk", "44", 1 },
	{ "es", "spain", "34", 0 }, { "it", "italy", "39", 0 },
	{ "nl", "netherlands", "31", 1 }, { "lu", "luxembourg", "352", 0 },
	{ "pt", "portugal", "351", 0 }, { "ie", "ireland", "353", 1 },
	{ "at", "austria", "43", 1 }, { "se", "sweden", "46", 1 },
	{ "us", "united states", "1", 0 }, { "ca", "canada", "1", 0 },
	{ "ma", "morocco", "212", 1 },
};

char *
norm_phone(const char *s, const char *country)
{
	struct buf b = {0};
	const char *p = s;
	int intl = 0;

	while (space_len(p))
		p += space_len(p);
	if (!strncasecmp(p, "tel:", 4))
		p += 4;
	if (*p == '+')
		intl = 1;
	for (; *p; p++) {
		if (intl && !strncmp(p, "(0)", 3)) {
			p += 2;                 /* +33 (0)6 ...: the trunk 0 is not dialled */
		} else if (*p >= '0' && *p <= '9') {
			if (buf_addc(&b, *p))
				goto fail;
		} else if (*p == 'x' || *p == 'X' || *p == ';' || *p == ',' || *p == '#') {
			break;                  /* an extension: the main number is matched */
		}
	}
	if (!b.len) {
		buf_free(&b);
		return NULL;
	}
	char *digits = b.p, *r;
	if (intl) {
		r = malloc(b.len + 2);
		if (!r)
			goto fail;
		r[0] = '+';
		memcpy(r + 1, digits, b.len + 1);
	} else if (digits[0] == '0' && digits[1] == '0') {
		r = malloc(b.len);
		if (!r)
			goto fail;
		r[0] = '+';
		memcpy(r + 1, digits + 2, b.len - 1);
	} else {
		const char *cc = NULL;
		int trunk = 0;
		if (country && *country) {
			for (size_t i = 0; i < sizeof calling / sizeof calling[0]; i++)
				if (!strcasecmp(country, calling[i].c) || !strcasecmp(country, calling[i].n)) {
					cc = calling[i].cc;
					trunk = calling[i].trunk;
					break;
				}
		}
		const char *rest = digits;
		if (cc && trunk && digits[0] == '0')
			rest = digits + 1;
		else if (cc && trunk)
			cc = NULL;              /* no trunk prefix: leave as it is */
		if (cc && !trunk && !strcmp(cc, "1") && digits[0] == '1' && b.len == 11)
			rest = digits + 1;
		if (cc) {
			size_t n = strlen(cc) + strlen(rest) + 2;
			if (!(r = malloc(n)))
				goto fail;
			snprintf(r, n, "+%s%s", cc, rest);
		} else {
			return digits;
		}
	}
	buf_free(&b);
	return r;
fail:
	buf_free(&b);
	return NULL;
}

void
now_iso(char buf[21])
{
	static time_t last = -1;
	static char text[21];
	time_t t = time(NULL);

	if (t != last) {
		struct tm tm;
		gmtime_r(&t, &tm);
		strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
		last = t;
	}
	memcpy(buf, text, sizeof text);
}

static int
ndig(const char *s, int n)
{
	for (int i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

static int
mday_ok(int y, int m, int d)
{
	static const int md[] = { 31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
	if (m < 1 || m > 12 || d < 1 || d > md[m - 1])
		return 0;
	if (m == 2 && d == 29 && y > 0 && !((y % 4 == 0 && y % 100 != 0) || y % 400 == 0))
		return 0;
	return 1;
}

int
date_valid(const char *s, int ts)
{
	size_t n = strlen(s);

	if (n == 7 && s[0] == '-' && s[1] == '-' && ndig(s + 2, 2) && s[4] == '-' && ndig(s + 5, 2))
		return !ts && mday_ok(0, dec_prefix(s + 2), dec_prefix(s + 5));
	if (n < 10 || !ndig(s, 4) || s[4] != '-' || !ndig(s + 5, 2) || s[7] != '-' || !ndig(s + 8, 2))
		return 0;
	if (!mday_ok(dec_prefix(s), dec_prefix(s + 5), dec_prefix(s + 8)))
		return 0;
	if (n == 10)
		return 1;
	if (!ts)
		return 0;
	/* THH:MM[:SS[.fff]](Z|+HH:MM) */
	const char *p = s + 10;
	if ((*p != 'T' && *p != ' ') || !ndig(p + 1, 2) || p[3] != ':' || !ndig(p + 4, 2))
		return 0;
	if (dec_prefix(p + 1) > 23 || dec_prefix(p + 4) > 59)
		return 0;
	p += 6;
	if (*p == ':') {
		if (!ndig(p + 1, 2) || dec_prefix(p + 1) > 60)
			return 0;
		p += 3;
		if (*p == '.') {
			p++;
			if (*p < '0' || *p > '9')
				return 0;
			while (*p >= '0' && *p <= '9')
				p++;
		}
	}
	if (*p == 'Z' && p[1] == '\0')
		return 1;
	if ((*p == '+' || *p == '-') && ndig(p + 1, 2) && p[3] == ':' && ndig(p + 4, 2) && p[6] == '\0')
		return 1;
	return *p == '\0';
}

/* Days from 1970-01-01 to y-m-d (proleptic Gregorian). */
static long long
days_from_civil(long long y, unsigned m, unsigned d)
{
	y -= m <= 2;
	long long era = (y >= 0 ? y : y - 399) / 400;
	unsigned yoe = (unsigned)(y - era * 400);
	unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
	unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
	return era * 146097 + (long long)doe - 719468;
}

int64_t
iso_seconds(const char *iso)
{
	return days_from_civil(dec_prefix(iso), (unsigned)dec_prefix(iso + 5), (unsigned)dec_prefix(iso + 8)) * 86400LL +
	       dec_prefix(iso + 11) * 3600 + dec_prefix(iso + 14) * 60 + dec_prefix(iso + 17);
}

void
iso_of(time_t t, char out[21])
{
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(out, 21, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

int
time_parse(const char *s, int future, char out[21], char *msg, size_t len)
{
	char q[96];
	const char *p = s;

	while (*p == ' ')
		p++;
	if (!strcmp(p, "now")) {
		now_iso(out);
		return CRM_OK;
	}
	/* Relative: N followed by h, d, w, m (months) or y; +N for the future. */
	if ((*p == '+' || isdigit((unsigned char)*p)) && strlen(p) < 12) {
		char *end;
		int ahead = *p == '+';
		long n = strtol(p + ahead, &end, 10);
		if (end != p + ahead && *end && !end[1] && strchr("hdwmy", *end) && n >= 0 &&
		    n <= 100000) {
			time_t t = time(NULL);
			struct tm tm;
			long sign = (ahead || future) ? 1 : -1;
			gmtime_r(&t, &tm);
			switch (*end) {
			case 'h': t += sign * n * 3600; break;
			case 'd': t += sign * n * 86400; break;
			case 'w': t += sign * n * 7 * 86400; break;
			case 'm': tm.tm_mon += (int)(sign * n); t = timegm(&tm); break;
			case 'y': tm.tm_year += (int)(sign * n); t = timegm(&tm); break;
			}
			gmtime_r(&t, &tm);
			if (tm.tm_year + 1900 < 1000 || tm.tm_year + 1900 > 9999) {
				msgf(msg, len, "time out of range '%s'", quoted(s, q, sizeof q));
				return CRM_BADINPUT;
			}
			iso_of(t, out);
			return CRM_OK;
		}
	}
	size_t n = strlen(p);
	if (n < 10 || !ndig(p, 4) || p[4] != '-' || !ndig(p + 5, 2) || p[7] != '-' || !ndig(p + 8, 2))
		goto bad;
	int y = dec_prefix(p), mo = dec_prefix(p + 5), d = dec_prefix(p + 8), h = 0, mi = 0, se = 0;
	if (!mday_ok(y, mo, d) || y < 1000)
		goto bad;
	const char *r = p + 10;
	int have_off = 0;
	long off = 0;
	if (*r == 'T' || *r == ' ') {
		if (!ndig(r + 1, 2) || r[3] != ':' || !ndig(r + 4, 2))
			goto bad;
		h = dec_prefix(r + 1);
		mi = dec_prefix(r + 4);
		r += 6;
		if (*r == ':') {
			if (!ndig(r + 1, 2))
				goto bad;
			se = dec_prefix(r + 1);
			r += 3;
			if (*r == '.' || *r == ',') {
				r++;
				if (!isdigit((unsigned char)*r))
					goto bad;
				while (isdigit((unsigned char)*r))
					r++;        /* fractions of a second are dropped */
			}
		}
		if (h > 23 || mi > 59 || se > 60)
			goto bad;
		if (se == 60)
			se = 59;                /* a leap second stays in its minute */
	}
	/*
	 * The offset: Z, +hh:mm, +hhmm or +hh (shops write 2024-02-16
	 * 16:53:00 +0100), after a space or not; UTC and GMT are Z.
	 */
	if (*r == ' ' && r > p + 10 && (r[1] == 'Z' || r[1] == '+' || r[1] == '-' ||
	                                !strcmp(r + 1, "UTC") || !strcmp(r + 1, "GMT")))
		r++;
	if ((*r == 'Z' && !r[1]) || (r > p + 10 && (!strcmp(r, "UTC") || !strcmp(r, "GMT")))) {
		have_off = 1;
	} else if ((*r == '+' || *r == '-') && ndig(r + 1, 2)) {
		int oh = (r[1] - '0') * 10 + (r[2] - '0'), om = 0;
		const char *e = r + 3;
		if (*e == ':' && ndig(e + 1, 2)) {
			om = (e[1] - '0') * 10 + (e[2] - '0');
			e += 3;
		} else if (ndig(e, 2)) {
			om = (e[0] - '0') * 10 + (e[1] - '0');
			e += 2;
		}
		if (*e)
			goto bad;
		/* No zone is more than 18 hours from UTC: +2500 is no offset. */
		if (oh > 18 || om > 59 || (oh == 18 && om)) {
			msgf(msg, len, "invalid offset '%s' in time '%s' (-18:00 to +18:00)", r,
			     quoted(s, q, sizeof q));
			return CRM_BADINPUT;
		}
		have_off = 1;
		off = (oh * 60L + om) * 60 * (*r == '-' ? -1 : 1);
	} else if (*r) {
		goto bad;
	}
	if (have_off) {
		long long t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400LL +
		              h * 3600 + mi * 60 + se - off;
		/* UTC must stay within 1000-9999 too, so that times sort as text. */
		if (t < days_from_civil(1000, 1, 1) * 86400LL || t >= days_from_civil(10000, 1, 1) * 86400LL)
			goto bad;
		iso_of((time_t)t, out);
		return CRM_OK;
	}
	/*
	 * Local time, in the TZ zone.  Around a daylight-saving change a wall
	 * time may not exist, or exist twice: both are refused.
	 */
	struct tm a = { .tm_year = y - 1900, .tm_mon = mo - 1, .tm_mday = d, .tm_hour = h,
	                .tm_min = mi, .tm_sec = se };
	struct tm b = a;
	a.tm_isdst = 0;
	b.tm_isdst = 1;
	time_t ta = mktime(&a), tb = mktime(&b);
	int oka = ta != (time_t)-1 && a.tm_hour == h && a.tm_min == mi && a.tm_mday == d && !a.tm_isdst;
	int okb = tb != (time_t)-1 && b.tm_hour == h && b.tm_min == mi && b.tm_mday == d && b.tm_isdst;
	if (oka && okb && ta != tb) {
		msgf(msg, len, "ambiguous local time '%s' (daylight-saving change): give an offset",
		     quoted(s, q, sizeof q));
		return CRM_BADINPUT;
	}
	if (!oka && !okb) {
		msgf(msg, len, "local time '%s' does not exist (daylight-saving change)",
		     quoted(s, q, sizeof q));
		return CRM_BADINPUT;
	}
	struct tm u;
	gmtime_r(oka ? &ta : &tb, &u);
	if (u.tm_year + 1900 < 1000 || u.tm_year + 1900 > 9999)
		goto bad;
	iso_of(oka ? ta : tb, out);
	return CRM_OK;
bad:
	msgf(msg, len, "invalid time '%s' (ISO 8601, such as 2026-03-29T10:00:00+02:00, or 90d)",
	     quoted(s, q, sizeof q));
	return CRM_BADINPUT;
}

int
amount_parse(const char *s, long long *out)
{
	const char *p = s;
	int neg = 0;
	long long v = 0;
	int frac = 0;

	if (*p == '-' || *p == '+')
		neg = *p++ == '-';
	if (!isdigit((unsigned char)*p))
		return 0;
	for (; isdigit((unsigned char)*p); p++) {
		v = v * 10 + (*p - '0');
		if (v >= 100000000000LL)
			return 0;       /* 100 billion: sums of many stay in 64 bits */
	}
	if (*p == '.') {
		p++;
		if (!isdigit((unsigned char)*p))
			return 0;
		for (; isdigit((unsigned char)*p); p++) {
			if (++frac > 4)
				return 0;
			v = v * 10 + (*p - '0');
		}
	}
	if (*p)
		return 0;
	for (; frac < 4; frac++)
		v *= 10;
	*out = neg ? -v : v;
	return 1;
}

void
amount_format(long long v, char out[32])
{
	unsigned long long a = v < 0 ? (unsigned long long)-v : (unsigned long long)v;
	unsigned long long whole = a / 10000, frac = a % 10000;

	if (frac % 100 == 0)
		snprintf(out, 32, "%s%llu.%02llu", v < 0 ? "-" : "", whole, frac / 100);
	else if (frac % 10 == 0)
		snprintf(out, 32, "%s%llu.%03llu", v < 0 ? "-" : "", whole, frac / 10);
	else
		snprintf(out, 32, "%s%llu.%04llu", v < 0 ? "-" : "", whole, frac);
}

int
length_parse(const char *s, long *n, char *unit)
{
	static const struct { const char *word; char unit; } units[] = {
		{ "h", 'h' }, { "hour", 'h' }, { "hours", 'h' },
		{ "d", 'd' }, { "day", 'd' }, { "days", 'd' },
		{ "w", 'w' }, { "week", 'w' }, { "weeks", 'w' },
		{ "m", 'm' }, { "mo", 'm' }, { "month", 'm' }, { "months", 'm' },
		{ "y", 'y' }, { "year", 'y' }, { "years", 'y' },
	};
	const char *p = s;
	long v = 0;

	if (!isdigit((unsigned char)*p))
		return 0;
	for (; isdigit((unsigned char)*p); p++)
		if ((v = v * 10 + (*p - '0')) > 1000000)
			v = 1000000;
	if (*p == ' ')
		p++;
	for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
		if (!strcasecmp(p, units[i].word)) {
			*n = v;
			*unit = units[i].unit;
			return 1;
		}
	return 0;
}

/* ------------------------------------------------------------------ */
/* Numbers kept as written (see crm-private.h). */

/*
 * s with each number outside strings made the string "\u0000LITERAL";
 * *nums counts them; -1 when out of memory or when a string of s holds
 * \u0000 itself (then s is not to be read so).
 */
static int
mark_numbers(const char *s, size_t n, struct buf *out, int *nums)
{
	*nums = 0;
	for (size_t i = 0; i < n;) {
		char c = s[i];
		if (c == '"') {
			size_t j = i + 1;
			while (j < n && s[j] != '"') {
				if (s[j] == '\\') {
					if (j + 5 < n && !strncmp(s + j + 1, "u0000", 5))
						return -1;
					j++;
				}
				j++;
			}
			j = j < n ? j + 1 : n;
			if (buf_add(out, s + i, j - i))
				return -1;
			i = j;
		} else if (c == '-' || (c >= '0' && c <= '9')) {
			size_t j = i;
			while (j < n && strchr("+-.0123456789eE", s[j]) && s[j])
				j++;
			if (buf_adds(out, "\"\\u0000") || buf_add(out, s + i, j - i) || buf_addc(out, '"'))
				return -1;
			(*nums)++;
			i = j;
		} else {
			if (buf_addc(out, c))
				return -1;
			i++;
		}
	}
	return out->err ? -1 : 0;
}

json_t *
crm_json_load(const char *s, size_t n, size_t flags, json_error_t *je)
{
	json_t *o = json_loadb(s, n, flags, je);
	struct buf b = {0};
	int nums;

	/* Invalid JSON is said as Jansson says it; an integer too big for it is read. */
	if (!o && !strstr(je->text, "too big"))
		return NULL;
	if (mark_numbers(s, n, &b, &nums) || !nums) {
		buf_free(&b);
		return o;
	}
	json_error_t je2;
	json_t *x = json_loadb(b.p, b.len, flags | JSON_ALLOW_NUL, &je2);
	buf_free(&b);
	if (!x)
		return o;
	json_decref(o);
	return x;
}

const char *
crm_json_number(const json_t *v)
{
	if (!json_is_string(v) || json_string_length(v) < 2 || json_string_value(v)[0])
		return NULL;
	return json_string_value(v) + 1;
}

char *
crm_json_dumps(const json_t *v, size_t flags)
{
	char *t = json_dumps(v, flags);
	if (!t)
		return NULL;
	/* "\u0000LITERAL" back to LITERAL, in place: a quote that opens a string. */
	char *w = t;
	for (const char *r = t; *r;) {
		if (*r != '"') {
			*w++ = *r++;
			continue;
		}
		if (!strncmp(r, "\"\\u0000", 7)) {
			r += 7;
			while (*r && *r != '"')
				*w++ = *r++;
			if (*r)
				r++;
			continue;
		}
		*w++ = *r++;
		while (*r && *r != '"') {
			if (*r == '\\' && r[1])
				*w++ = *r++;
			*w++ = *r++;
		}
		if (*r)
			*w++ = *r++;
	}
	*w = '\0';
	return t;
}

json_t *
crm_json_plain(json_t *v)
{
	const char *lit = crm_json_number(v);
	const char *k;
	json_t *x, *c;
	size_t i;

	if (lit) {
		json_error_t je;
		c = json_loads(lit, JSON_DECODE_ANY, &je);
		return c ? c : json_string(lit);
	}
	if (json_is_object(v)) {
		if (!(c = json_object()))
			return NULL;
		json_object_foreach(v, k, x) {
			json_t *y = crm_json_plain(x);
			if (!y || json_object_set_new(c, k, y)) {
				json_decref(c);
				return NULL;
			}
		}
		return c;
	}
	if (json_is_array(v)) {
		if (!(c = json_array()))
			return NULL;
		json_array_foreach(v, i, x) {
			json_t *y = crm_json_plain(x);
			if (!y || json_array_append_new(c, y)) {
				json_decref(c);
				return NULL;
			}
		}
		return c;
	}
	return json_incref(v);
}

/* Output files, written whole or not at all. */

int
crm_file_create(const char *path, int replace, char *tmp, size_t len, FILE **fp)
{
	struct stat st;
	int fd, e;

	*fp = NULL;
	if (len)
		*tmp = '\0';
	/* lstat: a symbolic link is a file there, never followed. */
	if (!replace && !lstat(path, &st)) {
		errno = EEXIST;
		return CRM_USAGE;
	}
	if (snprintf(tmp, len, "%s.XXXXXX", path) >= (int)len) {
		if (len)
			*tmp = '\0';
		errno = ENAMETOOLONG;
		return CRM_USAGE;
	}
	/* mkstemp() creates with O_EXCL: never through a link, never an old file. */
	if ((fd = mkstemp(tmp)) < 0) {
		e = errno;
		*tmp = '\0';
		errno = e;
		return CRM_IO;
	}
	if (fcntl(fd, F_SETFD, FD_CLOEXEC) || fchmod(fd, 0600) || !(*fp = fdopen(fd, "w"))) {
		e = errno;
		close(fd);
		unlink(tmp);
		*tmp = '\0';
		errno = e;
		return CRM_IO;
	}
	return CRM_OK;
}

int
crm_file_commit(FILE *fp, const char *tmp, const char *path, int replace)
{
	int e;

	errno = 0;
	if (fflush(fp) || ferror(fp) || fsync(fileno(fp))) {
		e = errno ? errno : EIO;
		fclose(fp);
		goto fail;
	}
	if (fclose(fp)) {
		e = errno;
		goto fail;
	}
	/* link() never replaces: a file made meanwhile at path stays as it is. */
	if (replace ? rename(tmp, path) : link(tmp, path)) {
		e = errno;
		goto fail;
	}
	if (!replace)
		unlink(tmp);
	return CRM_OK;
fail:
	unlink(tmp);
	errno = e;
	return e == EEXIST ? CRM_USAGE : CRM_IO;
}

void
crm_file_discard(FILE *fp, const char *tmp)
{
	int e = errno;

	if (fp)
		fclose(fp);
	if (tmp && *tmp)
		unlink(tmp);
	errno = e;
}

/* ------------------------------------------------------------------ */

const char *
json_why(const json_error_t *je, char *buf, size_t len)
{
	/* "\u0000 is not allowed without JSON_ALLOW_NUL near ...": no flag names. */
	static const char nul[] = "\\u0000 is not allowed";
	const char *t = je->text, *w = strstr(t, " without JSON_"), *after = t + strlen(t);

	if (w)
		for (after = w + 14; *after == '_' || isupper((unsigned char)*after); after++)
			;
	if (!strncmp(t, nul, sizeof nul - 1))
		snprintf(buf, len, "\\u0000 (a NUL character) is not allowed%s",
		         w ? after : t + sizeof nul - 1);
	else if (w)
		snprintf(buf, len, "%.*s%s", (int)(w - t), t, after);
	else
		snprintf(buf, len, "%s", t);
	if (strstr(buf, "JSON_"))
		snprintf(buf, len, "not valid JSON");
	return buf;
}

int
crm_currency(const char *opt, char out[4], char *msg, size_t len)
{
	const char *c = opt, *from = "--currency";

	if (!c) {
		c = crm_settings()->currency;
		from = "CRM_CURRENCY";
		if (!c || !*c)
			c = "EUR";
	}
	if (strlen(c) != 3 || !isalpha((unsigned char)c[0]) || !isalpha((unsigned char)c[1]) ||
	    !isalpha((unsigned char)c[2])) {
		char q[80];
		msgf(msg, len, "%s: an ISO 4217 code such as EUR, not '%s'", from, quoted(c, q, sizeof q));
		return CRM_USAGE;
	}
	for (int i = 0; i < 4; i++)
		out[i] = (char)toupper((unsigned char)c[i]);
	return CRM_OK;
}

int
crm_is_dash_term(const char *a)
{
	if (a[0] != '-' || !isalpha((unsigned char)a[1]))
		return 0;
	return strpbrk(a + 1, ":=<>~") != NULL;
}

const char *
crm_white_trim(const char *s, size_t *n)
{
	return white_trim(s, n);
}

static struct crm_settings settings = { NULL, NULL, NULL, -1 };

void
crm_settings_set(const struct crm_settings *set)
{
	settings = *set;
}

const struct crm_settings *
crm_settings(void)
{
	return &settings;
}

int
crm_utf8_valid(const char *s)
{
	return utf8_check(s, strlen(s)) < 0;
}

/* Whether s looks like a phone number: digits and separators, 6 digits or more. */
int
phone_like(const char *s)
{
	int digits = 0;

	for (; *s; s++) {
		if (isdigit((unsigned char)*s))
			digits++;
		else if (!strchr(" +-().", *s))
			return 0;
	}
	return digits >= 6;
}

long
dec_prefix(const char *s)
{
	long v = 0;
	int neg = *s == '-';

	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v < 100000000000L ? v * 10 + (*s - '0') : v;
	return neg ? -v : v;
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

int
sync_parent_dir(const char *path)
{
	char dir[4200];
	const char *slash = strrchr(path, '/');
	int fd, rc = 0;

	snprintf(dir, sizeof dir, "%.*s", slash ? (int)(slash == path ? 1 : slash - path) : 1,
	         slash ? path : ".");
	if ((fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0)
		return 0;               /* nothing to sync with */
	if (fsync(fd) && errno != EINVAL)
		rc = -1;
	close(fd);
	return rc;
}
