/* SPDX-License-Identifier: MIT */
/* money.c: amounts, kept exactly, and the one currency rule. */
#include <ctype.h>
#include <stdio.h>
#include <string.h>

#include "crm-private.h"

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
