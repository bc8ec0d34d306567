/* SPDX-License-Identifier: MIT */
/*
 * unit.c: tests of the library's pure functions, over libcrm.a: times
 * and periods, amounts, the currency rule, e-mail and phone keys,
 * folding, statuses, field names, terms.  TAP on standard output; the
 * store of the term tests is made in the directory given as argument.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

static int tests, failed;

static void
check(int ok, const char *what, const char *got, const char *want)
{
	tests++;
	printf("%s %d - %s\n", ok ? "ok" : "not ok", tests, what);
	if (!ok) {
		failed++;
		printf("#   got:  %s\n#   want: %s\n", got ? got : "(null)", want ? want : "(null)");
	}
}

static void
is_str(const char *what, const char *got, const char *want)
{
	check(got == want || (got && want && !strcmp(got, want)), what, got, want);
}

static void
is_int(const char *what, long long got, long long want)
{
	char g[32], w[32];

	snprintf(g, sizeof g, "%lld", got);
	snprintf(w, sizeof w, "%lld", want);
	check(got == want, what, g, w);
}

static void
times(void)
{
	char out[21], msg[256];

	is_int("a leap day is a date", date_valid("2024-02-29", 0), 1);
	is_int("the 29th of February of a common year is not", date_valid("2023-02-29", 0), 0);
	is_int("a yearly date --02-29 is", date_valid("--02-29", 0), 1);
	is_int("a timestamp is not a date", date_valid("2026-03-01T10:00:00Z", 0), 0);
	is_int("a timestamp with an offset is a timestamp", date_valid("2026-03-01T10:00:00+02:00", 1), 1);
	is_int("hour 24 is not", date_valid("2026-03-01T24:00:00Z", 1), 0);
	is_int("an offset parses", time_parse("2026-03-01T10:00:00+02:00", 0, out, msg, sizeof msg), CRM_OK);
	is_str("and is taken off, to UTC", out, "2026-03-01T08:00:00Z");
	is_int("a date parses", time_parse("2026-12-31", 0, out, msg, sizeof msg), CRM_OK);
	is_int("a month 13 is refused", time_parse("2026-13-01", 0, out, msg, sizeof msg), CRM_BADINPUT);
	is_int("seconds of the epoch", iso_seconds("1970-01-02T00:00:01Z"), 86401);
	is_int("seconds across a leap year", iso_seconds("2024-03-01T00:00:00Z") - iso_seconds("2024-02-28T00:00:00Z"),
	       2 * 86400);
	iso_of((time_t)951782400, out);
	is_str("and back", out, "2000-02-29T00:00:00Z");
	long n = 0;
	char unit = 0;
	is_int("a length: 3 months", length_parse("3 months", &n, &unit), 1);
	is_int("3", n, 3);
	is_int("of months", unit, 'm');
	is_int("2w is two weeks", length_parse("2w", &n, &unit) && n == 2 && unit == 'w', 1);
	is_int("a length without a unit is none", length_parse("3", &n, &unit), 0);
	is_int("a decimal prefix", dec_prefix("2026-03"), 2026);
	is_int("a negative one", dec_prefix("-12x"), -12);
}

static void
money(void)
{
	long long v = 0;
	char out[32], cur[4], msg[256];

	is_int("12.5 is an amount", amount_parse("12.5", &v), 1);
	is_int("kept exactly, in ten-thousandths", v, 125000);
	amount_format(v, out);
	is_str("written with 2 decimals", out, "12.50");
	is_int("4 decimals are kept", amount_parse("0.0001", &v) && v == 1, 1);
	is_int("5 decimals are refused", amount_parse("0.00001", &v), 0);
	is_int("an exponent is refused", amount_parse("1e3", &v), 0);
	is_int("a negative amount", amount_parse("-3.25", &v) && v == -32500, 1);
	amount_format(-32500, out);
	is_str("written back", out, "-3.25");
	struct crm_settings set = { NULL, NULL, NULL, -1 };
	crm_settings_set(&set);
	is_int("no currency anywhere: the rule gives", crm_currency(NULL, cur, msg, sizeof msg), CRM_OK);
	is_str("EUR", cur, "EUR");
	is_int("an option in lower case", crm_currency("usd", cur, msg, sizeof msg), CRM_OK);
	is_str("in capitals", cur, "USD");
	set.currency = "gbp";
	crm_settings_set(&set);
	is_int("the settings' currency", crm_currency(NULL, cur, msg, sizeof msg) == CRM_OK &&
	       !strcmp(cur, "GBP"), 1);
	is_int("the option before it", crm_currency("CHF", cur, msg, sizeof msg) == CRM_OK &&
	       !strcmp(cur, "CHF"), 1);
	set.currency = "EURO";
	crm_settings_set(&set);
	is_int("a bad setting is a usage error", crm_currency(NULL, cur, msg, sizeof msg), CRM_USAGE);
	is_str("that names CRM_CURRENCY", msg, "CRM_CURRENCY: an ISO 4217 code such as EUR, not 'EURO'");
	set.currency = "";
	crm_settings_set(&set);
	is_int("an empty one is EUR", crm_currency(NULL, cur, msg, sizeof msg) == CRM_OK &&
	       !strcmp(cur, "EUR"), 1);
	is_int("a bad option is named as such", crm_currency("E1R", cur, msg, sizeof msg), CRM_USAGE);
	is_str("--currency", msg, "--currency: an ISO 4217 code such as EUR, not 'E1R'");
}

static void
keys(void)
{
	char *k;

	is_str("an e-mail key: mailto: off, lower case",
	       (k = norm_email("Mailto:Jean@Example.COM")), "jean@example.com");
	free(k);
	is_str("an IDN domain in its ASCII form", (k = norm_email("ana@ex\xc3\xa4mple.com")),
	       "ana@xn--exmple-cua.com");
	free(k);
	is_str("NFD and NFC are one key", (k = norm_email("re\xcc\x81ne@example.org")),
	       "r\xc3\xa9ne@example.org");
	free(k);
	is_str("a French mobile in national form", (k = norm_phone("06 12 34 56 78", "FR")), "+33612345678");
	free(k);
	is_str("an international one", (k = norm_phone("+44 20 7946 0000", NULL)), "+442079460000");
	free(k);
	is_str("folding takes accents and case off", (k = crm_fold("\xc3\x89LODIE")), "elodie");
	free(k);
	is_int("a valid e-mail", email_valid("ann@example.org"), 1);
	is_int("an invalid one", email_valid("ann@"), 0);
	is_int("UTF-8", crm_utf8_valid("caf\xc3\xa9"), 1);
	is_int("not UTF-8", crm_utf8_valid("caf\xe9"), 0);
	size_t n;
	const char *t = crm_white_trim("\xc2\xa0 x y \t", &n);
	is_int("white space trimmed, no-break space too", n == 3 && !strncmp(t, "x y", 3), 1);
	is_int("-has:phone is a dash term", crm_is_dash_term("-has:phone"), 1);
	is_int("-q is an option", crm_is_dash_term("-q"), 0);
	is_int("-tag:vip is a dash term", crm_is_dash_term("-tag:vip"), 1);
}

static void
statuses(void)
{
	static const int exits[][2] = {
		{ CRM_OK, 0 }, { CRM_NOMATCH, 1 }, { CRM_NOTFOUND, 1 }, { CRM_USAGE, 2 },
		{ CRM_BADINPUT, 3 }, { CRM_CONFLICT, 3 }, { CRM_STORE, 4 }, { CRM_IO, 4 },
		{ CRM_NOMEM, 4 }, { CRM_BUSY, 5 },
	};
	for (size_t i = 0; i < sizeof exits / sizeof exits[0]; i++) {
		char what[64];
		snprintf(what, sizeof what, "status %d exits %d", exits[i][0], exits[i][1]);
		is_int(what, crm_status_exit(exits[i][0]), exits[i][1]);
		snprintf(what, sizeof what, "status %d has words", exits[i][0]);
		is_int(what, crm_status_str(exits[i][0]) && *crm_status_str(exits[i][0]), 1);
	}
	is_int("a field by its name", crm_field_lookup("email", 0), CRM_F_EMAIL);
	is_int("by a header of another system", crm_field_lookup("E-mail Address", 1), CRM_F_EMAIL);
	is_int("Company is the org", crm_field_lookup("Company", 1), CRM_F_ORG);
	is_int("no synonyms when not asked", crm_field_lookup("Company", 0), -1);
	is_str("and a name", crm_field_name(CRM_F_POSTCODE), "postcode");
	is_int("rfm is a score", crm_score_of_field(CRM_F_RFM), CRM_SCORE_RFM);
	is_int("email is not", crm_score_of_field(CRM_F_EMAIL), 0);
}

/* Terms, compiled and run over three parties. */
static void
terms(const char *dir)
{
	char db[4200], msg[256];
	crm_store_t *s;
	int result;

	snprintf(db, sizeof db, "%s/unit.db", dir);
	if (crm_store_open(db, 0, &s) || crm_store_begin(s)) {
		check(0, "a store for the terms", crm_store_errmsg(s), "open");
		return;
	}
	static const char *const rows[][3] = {
		{ "Ann", "Paris", "vip" }, { "Bob", "Lyon", "vip" }, { "Cid", "Paris", NULL },
	};
	for (int i = 0; i < 3; i++) {
		crm_party_t *p = crm_party_new();
		crm_party_set(p, CRM_F_NAME, rows[i][0]);
		crm_party_set(p, CRM_F_CITY, rows[i][1]);
		if (rows[i][2])
			crm_party_add_tag(p, rows[i][2]);
		crm_party_upsert(s, p, CRM_KEY_AUTO, CRM_ON_MERGE, &result, NULL, msg, sizeof msg);
		crm_party_free(p);
	}
	crm_store_commit(s);
	static const struct { const char *terms; int status; long count; } cases[] = {
		{ "city=Paris", CRM_OK, 2 },
		{ "tag:vip city=Paris", CRM_OK, 1 },
		{ "tag:vip OR city=Paris", CRM_OK, 3 },
		{ "-tag:vip", CRM_OK, 1 },
		{ "city~paris", CRM_OK, 2 },
		{ "name~an", CRM_OK, 1 },
		{ "nosuchfield=1", CRM_USAGE, -1 },
		{ "city=Paris OR", CRM_USAGE, -1 },
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[128], *argv[8], *save = NULL, what[160];
		int n = 0;
		snprintf(buf, sizeof buf, "%s", cases[i].terms);
		for (char *w = strtok_r(buf, " ", &save); w && n < 8; w = strtok_r(NULL, " ", &save))
			argv[n++] = w;
		crm_query_t *q = NULL;
		int rc = crm_query_compile(s, n, argv, &q, msg, sizeof msg);
		snprintf(what, sizeof what, "'%s' compiles to status %d", cases[i].terms, cases[i].status);
		is_int(what, rc, cases[i].status);
		if (!rc && cases[i].count >= 0) {
			long got = 0;
			crm_party_t *p;
			while (crm_query_next(q, &p) == CRM_OK) {
				got++;
				crm_party_free(p);
			}
			snprintf(what, sizeof what, "'%s' finds %ld", cases[i].terms, cases[i].count);
			is_int(what, got, cases[i].count);
		}
		crm_query_close(q);
	}
	crm_store_close(s);
}

static void
counts(void)
{
	char *t = CRM_COUNTS({ "read", 3 }, { "created", 0 }, { "big", 9007199254740993LL });
	is_str("audit counts: a JSON object in the order given", t,
	       "{\"read\":3,\"created\":0,\"big\":9007199254740993}");
	free(t);
	t = CRM_COUNTS({ "a\"b", -1 });
	is_str("a key is escaped as JSON", t, "{\"a\\\"b\":-1}");
	free(t);
	t = crm_audit_counts(NULL, 0);
	is_str("no count: an empty object", t, "{}");
	free(t);
}

int
main(int argc, char **argv)
{
	times();
	money();
	keys();
	statuses();
	counts();
	if (argc > 1)
		terms(argv[1]);
	printf("1..%d\n", tests);
	return failed != 0;
}
