/* SPDX-License-Identifier: MIT */
/* norm.c: white space trimmed, and the match keys of e-mails and phones. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <idn2.h>
#include <uninorm.h>

#include "crm-private.h"

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

const char *
crm_white_trim(const char *s, size_t *n)
{
	return white_trim(s, n);
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
