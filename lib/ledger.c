/* SPDX-License-Identifier: MIT */
/*
 * ledger.c: the suppression ledger, keyed hashes of erased persons'
 * identifiers in a GDBM file beside the store (PATH.suppress), which
 * imports consult; and the erasure lock (PATH.gdpr-lock) that lets one
 * program at a time change it.
 */
#include <errno.h>
#include <fcntl.h>
#include <gdbm.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-private.h"

/* ------------------------------------------------------------------ */
/* The erasure lock: one program at a time erases or writes the ledger. */

int
crm_gdpr_lock(crm_store_t *s, int wait)
{
	int *slot = store_gdpr_lock_slot(s);
	char path[4200];
	long waited = 0, limit = wait ? store_busy_ms(s) : 0;

	if (*slot >= 0)
		return CRM_OK;
	snprintf(path, sizeof path, "%s.gdpr-lock", store_file(s));
	int fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 && errno == ELOOP) {
		store_seterr(s, "%s: a symbolic link, not the store's erasure lock: move it away", path);
		return CRM_STORE;
	}
	if (fd < 0) {
		store_seterr(s, "%s: %s", path, strerror(errno));
		return CRM_IO;
	}
	/* An empty regular file of its own, never another file linked there. */
	struct stat st;
	if (fstat(fd, &st) || !S_ISREG(st.st_mode) || st.st_nlink != 1 || st.st_size) {
		store_seterr(s, "%s: not the store's erasure lock (an empty file of its own): move it away",
		             path);
		close(fd);
		return CRM_STORE;
	}
	fchmod(fd, 0600);
	/* Held by the descriptor: a killed holder lets go at once. */
	while (flock(fd, LOCK_EX | LOCK_NB)) {
		if (errno != EWOULDBLOCK && errno != EINTR) {
			store_seterr(s, "%s: %s", path, strerror(errno));
			close(fd);
			return CRM_IO;
		}
		if (waited >= limit) {
			store_seterr(s, "another program is erasing, finishing an erasure or lifting a "
			             "suppression in this store: try again");
			close(fd);
			return CRM_BUSY;
		}
		struct timespec ts = { 0, 50 * 1000000L };
		nanosleep(&ts, NULL);
		waited += 50;
	}
	*slot = fd;
	return CRM_OK;
}

void
crm_gdpr_unlock(crm_store_t *s)
{
	int *slot = store_gdpr_lock_slot(s);

	if (*slot >= 0)
		close(*slot);
	*slot = -1;
}

/* ------------------------------------------------------------------ */
/* The suppression ledger: keyed hashes in a GDBM file beside the store. */

void
ledger_path(crm_store_t *s, char *buf, size_t len)
{
	snprintf(buf, len, "%s.suppress", store_file(s));
}

void *
ledger_open(crm_store_t *s, int write)
{
	char path[4200];
	GDBM_FILE db;

	ledger_path(s, path, sizeof path);
	if (!write && access(path, F_OK))
		return NULL;
	/*
	 * Written without a memory map: a write into one on a full disk kills
	 * the process (SIGBUS) where a write(2) returns an error.
	 */
	db = gdbm_open(path, 0, write ? GDBM_WRCREAT | GDBM_NOLOCK | GDBM_NOMMAP :
	               GDBM_READER | GDBM_NOLOCK,
	               0600, NULL);
	if (!db)
		store_seterr(s, "%s: %s", path, gdbm_strerror(gdbm_errno));
	else if (write)
		chmod(path, 0600);
	return db;
}

/* Close the ledger a transaction opened for reading (at its end). */
void
ledger_release(crm_store_t *s)
{
	void **slot = store_ledger_slot(s);

	if (*slot && *slot != (void *)s)
		gdbm_close(*slot);
	*slot = NULL;
	*store_pending_slot(s) = -1;
}

/* Whether erasures wait to be finished (see crm_gdpr_finish()): once a transaction. */
static int
pending_known(crm_store_t *s, int *pending)
{
	int *slot = store_pending_slot(s);

	if (*slot < 0) {
		sqlite3_stmt *st;
		int rc = sqlite3_prepare_v2(store_db(s), "SELECT EXISTS (SELECT 1 FROM gdpr_pending)",
		                            -1, &st, NULL);
		if (rc != SQLITE_OK)
			return store_status(s, rc);
		rc = sqlite3_step(st);
		*slot = rc == SQLITE_ROW && sqlite3_column_int(st, 0);
		sqlite3_finalize(st);
		if (rc != SQLITE_ROW)
			return store_status(s, rc);
	}
	*pending = *slot;
	return CRM_OK;
}

/* Whether the keyed hash h is in the ledger db (or NULL) or in an unfinished erasure. */
static int
is_suppressed(crm_store_t *s, GDBM_FILE db, int pending, const char h[65], int *hit)
{
	datum k = { (char *)h, 64 };

	*hit = db && gdbm_exists(db, k);
	if (*hit || !pending)
		return CRM_OK;
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(store_db(s), "SELECT 1 FROM gdpr_pending p, json_each(p.keys) j"
	                            " WHERE j.value = ?1 LIMIT 1", -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	sqlite3_bind_text(st, 1, h, 64, SQLITE_STATIC);
	rc = sqlite3_step(st);
	*hit = rc == SQLITE_ROW;
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

/*
 * The ledger keeps the check of the key its entries were hashed with,
 * under a name no hash has: another key file beside it is refused, as
 * every one of its entries would then be no one's.
 */
static const char check_name[] = "!key-check";

int
ledger_key_ok(crm_store_t *s, void *ledger, int write)
{
	char check[65], path[4200];
	datum k = { (char *)check_name, (int)sizeof check_name - 1 };
	int rc;

	if ((rc = crm_subject_hash(s, "crm", "key check", check)))
		return rc;
	GDBM_FILE db = ledger;
	datum v = gdbm_fetch(db, k);
	if (v.dptr) {
		int same = v.dsize == 64 && !memcmp(v.dptr, check, 64);
		free(v.dptr);
		if (!same) {
			ledger_path(s, path, sizeof path);
			store_seterr(s, "%s.key is not the key the suppression ledger %s was made with: "
			             "restore that key from its backup", store_file(s), path);
			return CRM_STORE;
		}
		return CRM_OK;
	}
	if (write) {
		datum d = { check, 64 };
		if (gdbm_store(db, k, d, GDBM_REPLACE) < 0)
			return CRM_STORE;
	}
	return CRM_OK;
}

int
ledger_active(crm_store_t *s, int *active, char *msg, size_t len)
{
	char path[4200];
	void **slot = store_ledger_slot(s);
	int rc, pending = 0;

	/*
	 * Opened once per transaction: an erasure, which writes the ledger,
	 * does so in a write transaction too, so it cannot change under this
	 * one.  The store itself stands for "no ledger".  An erasure committed
	 * but not finished suppresses its identifiers already.
	 */
	if (!*slot) {
		ledger_path(s, path, sizeof path);
		if (access(path, F_OK))
			*slot = s;
		else if (!(*slot = ledger_open(s, 0))) {
			msgf(msg, len, "%s", crm_store_errmsg(s));
			return CRM_STORE;
		}
		store_on_tx_end(s, ledger_release);
		if (*slot != (void *)s && (rc = ledger_key_ok(s, *slot, 0))) {
			msgf(msg, len, "%s", crm_store_errmsg(s));
			return rc;
		}
	}
	if ((rc = pending_known(s, &pending))) {
		msgf(msg, len, "%s", crm_store_errmsg(s));
		return rc;
	}
	*active = *slot != (void *)s || pending;
	return CRM_OK;
}

int
ledger_suppressed(crm_store_t *s, size_t n, const char *const kinds[], const char *const values[],
                  size_t *which, char *msg, size_t len)
{
	void **slot = store_ledger_slot(s);
	char h[65];
	int rc, active = 0, pending = 0, hit;

	*which = n;
	if ((rc = ledger_active(s, &active, msg, len)) || !active)
		return rc;
	pending = *store_pending_slot(s) > 0;
	GDBM_FILE db = *slot == (void *)s ? NULL : *slot;
	for (size_t i = 0; i < n; i++) {
		if (!values[i] || !*values[i])
			continue;
		if ((rc = crm_subject_hash(s, kinds[i], values[i], h)) ||
		    (rc = is_suppressed(s, db, pending, h, &hit))) {
			msgf(msg, len, "%s", crm_store_errmsg(s));
			return rc;
		}
		if (hit) {
			*which = i;
			return CRM_OK;
		}
	}
	return CRM_OK;
}

/* Write the keyed hashes (a JSON array) into the ledger with the value; an entry made before stays. */
int
ledger_write(crm_store_t *s, const char *keys, const char *value)
{
	json_error_t je;
	json_t *k = json_loads(keys, 0, &je);
	char probe[65];
	int rc;

	if (!json_is_array(k)) {
		json_decref(k);
		store_seterr(s, "an unfinished erasure's record is damaged");
		return CRM_STORE;
	}
	if ((rc = crm_subject_hash(s, "key", "ready", probe))) {
		json_decref(k);
		return rc;
	}
	/*
	 * A new ledger is made under another name and renamed into place
	 * once whole: a full disk or a kill leaves no half-made ledger.
	 */
	char path[4200], tmp[4300];
	ledger_path(s, path, sizeof path);
	int fresh = access(path, F_OK) != 0;
	snprintf(tmp, sizeof tmp, "%s.new", path);
	ledger_release(s);
	GDBM_FILE db;
	if (fresh) {
		unlink(tmp);
		db = gdbm_open(tmp, 0, GDBM_NEWDB | GDBM_NOLOCK | GDBM_NOMMAP, 0600, NULL);
	} else {
		db = gdbm_open(path, 0, GDBM_WRITER | GDBM_NOLOCK | GDBM_NOMMAP, 0600, NULL);
	}
	if (!db)
		rc = CRM_STORE;
	else if ((rc = ledger_key_ok(s, db, 1))) {
		gdbm_close(db);
		if (fresh)
			unlink(tmp);
		json_decref(k);
		return rc;
	}
	for (size_t i = 0; db && i < json_array_size(k) && !rc; i++) {
		const char *h = json_string_value(json_array_get(k, i));
		if (!h || strlen(h) != 64)
			continue;
		datum kd = { (char *)h, 64 }, d = { (char *)value, (int)strlen(value) };
		/* An identifier erased before keeps its first date, request and reason. */
		if (gdbm_store(db, kd, d, GDBM_INSERT) < 0)
			rc = CRM_STORE;
	}
	if (db && !rc && gdbm_sync(db))
		rc = CRM_STORE;
	if (rc) {
		int e = errno;
		store_seterr(s, "suppression ledger %s: %s", path, e == ENOSPC || e == EDQUOT ?
		             "the disk is full (no space left on the device)" : gdbm_strerror(gdbm_errno));
	}
	if (db)
		gdbm_close(db);
	if (fresh && !rc) {
		chmod(tmp, 0600);
		if (rename(tmp, path)) {
			store_seterr(s, "suppression ledger %s: %s", path, strerror(errno));
			rc = CRM_IO;
		} else {
			if (sync_parent_dir(path)) {
				store_seterr(s, "suppression ledger %s: %s", path, strerror(errno));
				rc = CRM_IO;
			}
		}
	}
	if (fresh && rc)
		unlink(tmp);
	json_decref(k);
	return rc;
}

int
crm_ledger_remove(crm_store_t *s, const char *value, int apply, long *removed, char subject[65])
{
	subject[0] = '\0';
	char path[4200], h[65];
	GDBM_FILE db;
	int rc = CRM_OK;

	*removed = 0;
	if ((rc = crm_gdpr_lock(s, 1)))
		return rc;
	ledger_path(s, path, sizeof path);
	if (access(path, F_OK))
		return CRM_OK;
	ledger_release(s);
	if (!(db = ledger_open(s, apply)))
		return CRM_STORE;
	char *e = strchr(value, '@') ? norm_email(value) : NULL;
	char *ph = !e && phone_like(value) ? norm_phone(value, NULL) : NULL;
	const char *kinds[3] = { "email", "phone", "ext_id" };
	const char *vals[3] = { e, ph, value };
	for (int i = 0; i < 3 && !rc; i++) {
		if (!vals[i] || !*vals[i])
			continue;
		if ((rc = crm_subject_hash(s, kinds[i], vals[i], h)))
			break;
		datum k = { h, 64 };
		if ((apply ? gdbm_delete(db, k) == 0 : gdbm_exists(db, k)) && (*removed)++ == 0)
			memcpy(subject, h, 65);   /* the audit entry names it as erasure did */
	}
	/* Rewrite the file, so that the removed entries' bytes do not stay in it. */
	if (!rc && apply && *removed && gdbm_reorganize(db)) {
		store_seterr(s, "suppression ledger: %s", gdbm_strerror(gdbm_errno));
		rc = CRM_STORE;
	}
	if (!rc && apply && gdbm_sync(db)) {
		store_seterr(s, "suppression ledger: %s", gdbm_strerror(gdbm_errno));
		rc = CRM_STORE;
	}
	gdbm_close(db);
	if (apply)
		chmod(path, 0600);
	free(e);
	free(ph);
	return rc;
}

