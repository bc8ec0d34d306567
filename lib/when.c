/* SPDX-License-Identifier: MIT */
/* when.c: times and lengths of time: now, dates checked, ISO 8601 parsed. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "crm-private.h"

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

long
dec_prefix(const char *s)
{
	long v = 0;
	int neg = *s == '-';

	for (s += neg; *s >= '0' && *s <= '9'; s++)
		v = v < 100000000000L ? v * 10 + (*s - '0') : v;
	return neg ? -v : v;
}
