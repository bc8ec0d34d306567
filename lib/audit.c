/* SPDX-License-Identifier: MIT */
/*
 * audit.c: the keyed hashes that stand for a person (HMAC-SHA-256 with a
 * secret kept in a file beside the store, never in it) and the audit
 * trail: an append-only, hash-chained table that holds no personal data.
 */
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <pwd.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm-private.h"

#define KEYLEN 32

static void hex(const unsigned char *b, size_t n, char *out);

/*
 * OpenSSL's libcrypto, loaded when a hash is first needed: loading it
 * costs every process most of a millisecond, and readers never hash.
 */
static struct {
	void *lib;
	unsigned char *(*hmac)(const EVP_MD *, const void *, int, const unsigned char *, size_t,
	                       unsigned char *, unsigned int *);
	const EVP_MD *(*sha256)(void);
	EVP_MD_CTX *(*ctx_new)(void);
	void (*ctx_free)(EVP_MD_CTX *);
	int (*init)(EVP_MD_CTX *, const EVP_MD *, ENGINE *);
	int (*update)(EVP_MD_CTX *, const void *, size_t);
	int (*final)(EVP_MD_CTX *, unsigned char *, unsigned int *);
} ossl;

static int
crypto_load(void)
{
	static const char *const names[] = { "libcrypto.so.3", "libcrypto.so" };
	void *lib = NULL;

	if (ossl.lib)
		return CRM_OK;
	for (size_t i = 0; !lib && i < sizeof names / sizeof names[0]; i++)
		lib = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
	if (!lib)
		return CRM_STORE;
	*(void **)&ossl.hmac = dlsym(lib, "HMAC");
	*(void **)&ossl.sha256 = dlsym(lib, "EVP_sha256");
	*(void **)&ossl.ctx_new = dlsym(lib, "EVP_MD_CTX_new");
	*(void **)&ossl.ctx_free = dlsym(lib, "EVP_MD_CTX_free");
	*(void **)&ossl.init = dlsym(lib, "EVP_DigestInit_ex");
	*(void **)&ossl.update = dlsym(lib, "EVP_DigestUpdate");
	*(void **)&ossl.final = dlsym(lib, "EVP_DigestFinal_ex");
	if (!ossl.hmac || !ossl.sha256 || !ossl.ctx_new || !ossl.ctx_free || !ossl.init ||
	    !ossl.update || !ossl.final) {
		dlclose(lib);
		return CRM_STORE;
	}
	ossl.lib = lib;
	return CRM_OK;
}

void *
sha256_begin(void)
{
	EVP_MD_CTX *c;

	if (crypto_load() || !(c = ossl.ctx_new()))
		return NULL;
	if (ossl.init(c, ossl.sha256(), NULL) != 1) {
		ossl.ctx_free(c);
		return NULL;
	}
	return c;
}

void
sha256_add(void *c, const void *p, size_t n)
{
	ossl.update(c, p, n);
}

int
sha256_end(void *c, char out[65])
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int n = 0;
	int ok = ossl.final(c, md, &n) == 1 && n == 32;

	ossl.ctx_free(c);
	if (!ok)
		return CRM_STORE;
	hex(md, n, out);
	return CRM_OK;
}

static void
hex(const unsigned char *b, size_t n, char *out)
{
	static const char digits[] = "0123456789abcdef";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[b[i] >> 4];
		out[2 * i + 1] = digits[b[i] & 15];
	}
	out[2 * n] = '\0';
}

/* Whether erasures wait to be finished in the store (their hashes made with its key). */
static int
erasures_waiting(crm_store_t *s)
{
	sqlite3_stmt *st;
	int waiting = 0;

	if (sqlite3_prepare_v2(store_db(s), "SELECT EXISTS (SELECT 1 FROM gdpr_pending)", -1, &st,
	                       NULL) == SQLITE_OK) {
		waiting = sqlite3_step(st) == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
	}
	return waiting;
}

/*
 * Whether key is the store's: its check (an HMAC of a fixed text) is kept
 * in the store from the first write that uses it.  Another key would make
 * the ledger's and the unfinished erasures' hashes no one's: refused.
 */
static int
key_matches(crm_store_t *s, const unsigned char key[KEYLEN], const char *path)
{
	unsigned char md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	char check[2 * EVP_MAX_MD_SIZE + 1];
	sqlite3_stmt *st;
	int rc;

	if (crypto_load() || !ossl.hmac(ossl.sha256(), key, KEYLEN,
	                                (const unsigned char *)"crm key check", 13, md, &mdlen)) {
		store_seterr(s, "HMAC-SHA-256: OpenSSL's libcrypto (libcrypto.so.3) cannot be loaded");
		return CRM_STORE;
	}
	hex(md, mdlen, check);
	if ((rc = sqlite3_prepare_v2(store_db(s), "SELECT value FROM crm_meta WHERE name = 'key_check'",
	                             -1, &st, NULL)) != SQLITE_OK)
		return store_status(s, rc);
	rc = sqlite3_step(st);
	int known = rc == SQLITE_ROW, same = known && sqlite3_column_text(st, 0) &&
	            !strcmp((const char *)sqlite3_column_text(st, 0), check);
	sqlite3_finalize(st);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_status(s, rc);
	if (known && !same) {
		/*
		 * The erasures waiting in this store hashed with the old key; the
		 * ledger keeps its own check (see ledger.c).  With none waiting,
		 * nothing here was made with the old one: this key is the store's.
		 */
		if (erasures_waiting(s)) {
			store_seterr(s, "%s is not the key the erasures waiting in this store were made with:"
			             " restore that key from its backup", path);
			return CRM_STORE;
		}
	}
	if (!same && store_in_tx(s, NULL)) {
		if ((rc = sqlite3_prepare_v2(store_db(s), "INSERT OR REPLACE INTO crm_meta (name, value)"
		                             " VALUES ('key_check', ?1)", -1, &st, NULL)) != SQLITE_OK)
			return store_status(s, rc);
		sqlite3_bind_text(st, 1, check, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc != SQLITE_DONE)
			return store_status(s, rc);
	}
	return CRM_OK;
}

/* The secret of the store's keyed hashes, read or made on first use. */
static int
load_key(crm_store_t *s, unsigned char key[KEYLEN])
{
	char path[4200], text[2 * KEYLEN + 2];
	unsigned char fresh[KEYLEN];
	ssize_t n;
	int fd;

	if (store_key_cached(s, key))
		return CRM_OK;
	snprintf(path, sizeof path, "%s.key", store_file(s));
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0 && errno == ENOENT) {
		char ledger[4200];
		snprintf(ledger, sizeof ledger, "%s.suppress", store_file(s));
		if (!access(ledger, F_OK)) {
			/* A new key would make every entry of the ledger unreadable. */
			store_seterr(s, "%s is missing, but the suppression ledger %s exists: restore the "
			             "key from its backup", path, ledger);
			return CRM_STORE;
		}
		/* Nor may an erasure's unfinished part be left with hashes no one can match. */
		if (erasures_waiting(s)) {
			store_seterr(s, "%s is missing, but an erasure waits to be finished with it: restore "
			             "the key from its backup", path);
			return CRM_STORE;
		}
		if (getrandom(fresh, sizeof fresh, 0) != (ssize_t)sizeof fresh) {
			store_seterr(s, "no random bytes for the key: %s", strerror(errno));
			return CRM_IO;
		}
		hex(fresh, sizeof fresh, text);
		text[2 * KEYLEN] = '\n';
		fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
		if (fd >= 0) {
			if (fchmod(fd, 0600) || write(fd, text, 2 * KEYLEN + 1) != 2 * KEYLEN + 1 ||
			    fsync(fd) || sync_parent_dir(path)) {
				store_seterr(s, "%s: %s", path, strerror(errno));
				close(fd);
				unlink(path);
				return CRM_IO;
			}
			close(fd);
		} else if (errno != EEXIST) {
			store_seterr(s, "%s: %s", path, strerror(errno));
			return CRM_IO;
		}
		/* Made here, or by another program at the same moment: read it. */
		fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	}
	if (fd < 0) {
		store_seterr(s, "%s: %s", path, strerror(errno));
		return CRM_IO;
	}
	n = read(fd, text, sizeof text);
	close(fd);
	if (n < 2 * KEYLEN) {
		store_seterr(s, "%s: not a key file", path);
		return CRM_STORE;
	}
	for (int i = 0; i < KEYLEN; i++) {
		unsigned v = 0;
		for (int k = 0; k < 2; k++) {
			char c = text[2 * i + k];
			int d = c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
			if (d < 0) {
				store_seterr(s, "%s: not a key file", path);
				return CRM_STORE;
			}
			v = v * 16 + (unsigned)d;
		}
		key[i] = (unsigned char)v;
	}
	int kc = key_matches(s, key, path);
	if (kc)
		return kc;
	store_key_cache(s, key);
	return CRM_OK;
}

int
crm_subject_hash(crm_store_t *s, const char *kind, const char *value, char out[65])
{
	unsigned char key[KEYLEN], md[EVP_MAX_MD_SIZE];
	unsigned int mdlen = 0;
	struct buf b = {0};
	int rc;

	if ((rc = load_key(s, key)))
		return rc;
	buf_adds(&b, kind);
	buf_addc(&b, ':');
	buf_adds(&b, value);
	if (b.err || !b.p) {
		buf_free(&b);
		return CRM_NOMEM;
	}
	if (crypto_load() ||
	    !ossl.hmac(ossl.sha256(), key, KEYLEN, (const unsigned char *)b.p, b.len, md, &mdlen)) {
		buf_free(&b);
		store_seterr(s, "HMAC-SHA-256: OpenSSL's libcrypto (libcrypto.so.3) cannot be loaded");
		return CRM_STORE;
	}
	buf_free(&b);
	hex(md, mdlen, out);
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* The audit trail. */

/* The person running the program: the settings' actor ($CRM_ACTOR), else the login name. */
static void
actor(char *out, size_t len)
{
	const char *a = crm_settings()->actor;
	struct passwd *pw;

	if (a && *a) {
		snprintf(out, len, "%s", a);
		return;
	}
	if ((pw = getpwuid(geteuid())) && pw->pw_name)
		snprintf(out, len, "%s", pw->pw_name);
	else
		snprintf(out, len, "uid %ld", (long)geteuid());
}

/* SHA-256, in hex, of the previous hash and the fields of an entry. */
static void
entry_hash(const char *prev, const char *const f[7], char out[65])
{
	void *c = sha256_begin();

	out[0] = '\0';
	if (!c)
		return;
	sha256_add(c, prev, strlen(prev));
	for (int i = 0; i < 7; i++) {
		/* Each field with its length: no content can move between fields. */
		char len[32];
		int n2 = f[i] ? snprintf(len, sizeof len, ":%zu:", strlen(f[i])) :
		                snprintf(len, sizeof len, ":-:");
		sha256_add(c, len, (size_t)n2);
		if (f[i])
			sha256_add(c, f[i], strlen(f[i]));
	}
	if (sha256_end(c, out))
		out[0] = '\0';
}

#define GENESIS "0000000000000000000000000000000000000000000000000000000000000000"

int
crm_audit_append(crm_store_t *s, const char *program, const char *action,
                 const char *request_id, const char *subject, const char *counts)
{
	sqlite3_stmt *last = store_stmt(s, "audit.last",
		"SELECT hash FROM audit ORDER BY id DESC LIMIT 1");
	sqlite3_stmt *ins = store_stmt(s, "audit.insert",
		"INSERT INTO audit (at, actor, program, action, request_id, subject, counts, prev, hash)"
		" VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	char prev[65], hash[65], at[21], who[256];
	int rc;

	if (!last || !ins)
		return CRM_STORE;
	if (!store_in_tx(s, NULL)) {
		store_seterr(s, "audit entry outside a transaction");
		return CRM_STORE;
	}
	rc = sqlite3_step(last);
	snprintf(prev, sizeof prev, "%s",
	         rc == SQLITE_ROW && sqlite3_column_text(last, 0) ?
	         (const char *)sqlite3_column_text(last, 0) : GENESIS);
	sqlite3_reset(last);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_status(s, rc);
	now_iso(at);
	actor(who, sizeof who);
	const char *f[7] = { at, who, program, action, request_id, subject, counts };
	entry_hash(prev, f, hash);
	for (int i = 0; i < 7; i++)
		if (f[i])
			sqlite3_bind_text(ins, i + 1, f[i], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(ins, i + 1);
	sqlite3_bind_text(ins, 8, prev, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 9, hash, -1, SQLITE_STATIC);
	rc = sqlite3_step(ins);
	sqlite3_reset(ins);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

int
crm_audit_verify(crm_store_t *s, int64_t *bad, long *n, char *msg, size_t len)
{
	sqlite3_stmt *st;
	char prev[65] = GENESIS, hash[65];
	int rc;

	*bad = 0;
	*n = 0;
	rc = sqlite3_prepare_v2(store_db(s),
		"SELECT id, at, actor, program, action, request_id, subject, counts, prev, hash"
		" FROM audit ORDER BY id", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	while ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		const char *f[7];
		for (int i = 0; i < 7; i++)
			f[i] = (const char *)sqlite3_column_text(st, i + 1);
		const char *p = (const char *)sqlite3_column_text(st, 8);
		const char *h = (const char *)sqlite3_column_text(st, 9);
		entry_hash(prev, f, hash);
		(*n)++;
		if (!p || strcmp(p, prev) || !h || strcmp(h, hash)) {
			*bad = sqlite3_column_int64(st, 0);
			msgf(msg, len, "audit entry %lld: %s", (long long)*bad,
			     !p || strcmp(p, prev) ? "does not follow the entry before it "
			     "(an entry removed or inserted)" : "its hash does not match its content "
			     "(the entry was changed)");
			sqlite3_finalize(st);
			return CRM_STORE;
		}
		snprintf(prev, sizeof prev, "%s", h);
	}
	sqlite3_finalize(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	return CRM_OK;
}

struct crm_audit_iter {
	crm_store_t *s;
	sqlite3_stmt *st;
	const char *v[10];
};

int
crm_audit_open(crm_store_t *s, const char *subject, crm_audit_iter_t **out)
{
	crm_audit_iter_t *it = calloc(1, sizeof *it);
	int rc;

	*out = it;
	if (!it)
		return CRM_NOMEM;
	it->s = s;
	rc = sqlite3_prepare_v2(store_db(s),
		"SELECT id, at, actor, program, action, request_id, subject, counts, prev, hash"
		" FROM audit WHERE ?1 IS NULL OR subject = ?1 ORDER BY id", -1, &it->st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	if (subject)
		sqlite3_bind_text(it->st, 1, subject, -1, SQLITE_TRANSIENT);
	return CRM_OK;
}

int
crm_audit_next(crm_audit_iter_t *it, const char *const **values)
{
	int rc = sqlite3_step(it->st);

	if (rc == SQLITE_DONE)
		return CRM_EOF;
	if (rc != SQLITE_ROW)
		return store_status(it->s, rc);
	for (int i = 0; i < 10; i++)
		it->v[i] = (const char *)sqlite3_column_text(it->st, i);
	*values = it->v;
	return CRM_OK;
}

void
crm_audit_close(crm_audit_iter_t *it)
{
	if (!it)
		return;
	sqlite3_finalize(it->st);
	free(it);
}

char *
crm_audit_counts(const struct crm_count *c, size_t n)
{
	json_t *o = json_object();
	char *text = NULL;

	for (size_t i = 0; o && i < n; i++)
		if (json_object_set_new(o, c[i].key, json_integer((json_int_t)c[i].n))) {
			json_decref(o);
			return NULL;
		}
	if (o)
		text = json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER);
	json_decref(o);
	return text;
}
