/* SPDX-License-Identifier: MIT */
/*
 * fuzz-terms.c: libFuzzer harness of the term language of crm-find(1):
 * the input, cut at NUL bytes, is the terms; they are compiled over a
 * small store made once, and the query, when it compiles, is run.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm.h"

static crm_store_t *store;
static char dir[] = "/tmp/crm-fuzz-terms.XXXXXX";

/* The store goes at exit, with its directory. */
static void
cleanup(void)
{
	static const char *const files[] = { "crm.db", "crm.db-wal", "crm.db-shm", "crm.db-journal" };
	char f[128];

	crm_store_close(store);
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(f, sizeof f, "%s/%s", dir, files[i]);
		unlink(f);
	}
	rmdir(dir);
}

static void
setup(void)
{
	char db[64], msg[256];
	crm_party_t *p;
	int result;

	if (!mkdtemp(dir))
		abort();
	atexit(cleanup);
	snprintf(db, sizeof db, "%s/crm.db", dir);
	if (crm_store_open(db, 0, &store) || crm_store_begin(store))
		abort();
	static const char *const names[] = { "Ann", "Bob", "Cid" };
	for (int i = 0; i < 3; i++) {
		if (!(p = crm_party_new()) || crm_party_set(p, CRM_F_NAME, names[i]) ||
		    crm_party_set(p, CRM_F_CITY, i ? "Paris" : "Lyon") || crm_party_add_tag(p, "vip") ||
		    crm_party_upsert(store, p, CRM_KEY_AUTO, CRM_ON_MERGE, &result, NULL, msg, sizeof msg))
			abort();
		crm_party_free(p);
	}
	if (crm_store_commit(store))
		abort();
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1), *terms[64], msg[512];
	int n = 0;
	crm_query_t *q;
	crm_party_t *p;

	if (!store)
		setup();
	if (!text)
		return 0;
	memcpy(text, data, size);
	text[size] = '\0';
	/* Terms apart at NUL bytes, as argv gives them. */
	for (char *t = text; t <= text + size && n < 64; t += strlen(t) + 1)
		terms[n++] = t;
	if (crm_query_compile(store, n, terms, &q, msg, sizeof msg) == CRM_OK) {
		for (int i = 0; i < 10 && crm_query_next(q, &p) == CRM_OK; i++)
			crm_party_free(p);
		crm_query_close(q);
	}
	free(text);
	return 0;
}
