/* SPDX-License-Identifier: MIT */
/* store.c: the SQLite store: path, open, pragmas, transactions, facts, full-text upkeep. */
#include <errno.h>
#include <fcntl.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <limits.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-private.h"

#define BUSY_TIMEOUT_MS 30000
#define NCACHE 48

struct crm_store {
	sqlite3 *db;
	char file[4096];        /* the store's path */
	unsigned char key[32];  /* the secret of keyed hashes, once read */
	int has_key;
	char err[512];
	int schema;
	struct {
		const char *key;
		sqlite3_stmt *st;
	} cache[NCACHE];
	int ncache;
	int in_tx;              /* inside crm_store_begin() */
	sqlite3_int64 fts_base; /* rows above this id are not yet indexed */
	int fts_dirty;          /* rows wait for the full-text index */
	int has_orgs;           /* the store holds an organization */
	int facts_ready;        /* temp.fact_touched exists */
	int facts_dirty;        /* parties wait for their facts */
	sqlite3_int64 event_base; /* events above this id were added in this transaction */
	int events_added;
	long staged;            /* events in temp.event_stage (see event-sql.c) */
	int party_auto;         /* see store_party_auto_id(): 1, 0, -1 not known */
	void *ledger;           /* the suppression ledger, open for this transaction */
	int pending;            /* erasures wait to be finished: -1 unknown */
	int gdpr_lock;          /* the erasure lock's descriptor, -1 when not held */
	void (*tx_end)(crm_store_t *); /* called at the end of each transaction */
};

sqlite3 *
store_db(crm_store_t *s)
{
	return s->db;
}

const char *
crm_store_errmsg(const crm_store_t *s)
{
	return s && s->err[0] ? s->err : "store error";
}

int
crm_store_schema(const crm_store_t *s)
{
	return s->schema;
}

void
store_seterr(crm_store_t *s, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(s->err, sizeof s->err, fmt, ap);
	va_end(ap);
}

/* Whether rc says the disk is full: SQLITE_FULL, or an I/O error of ENOSPC. */
static int
disk_full(crm_store_t *s, int rc)
{
	return (rc & 0xff) == SQLITE_FULL ||
	       ((rc & 0xff) == SQLITE_IOERR && sqlite3_system_errno(s->db) == ENOSPC);
}

int
store_status(crm_store_t *s, int rc)
{
	int prim = rc & 0xff;

	if (prim == SQLITE_BUSY || prim == SQLITE_LOCKED)
		store_seterr(s, "store busy: another program is writing to it (%s); try again",
		             sqlite3_errmsg(s->db));
	else if (disk_full(s, rc))
		store_seterr(s, "%s: the disk is full (no space left on the device)", s->file);
	else if (prim == SQLITE_IOERR && sqlite3_system_errno(s->db) == EDQUOT)
		store_seterr(s, "%s: disk quota exceeded", s->file);
	else
		store_seterr(s, "%s", sqlite3_errmsg(s->db));
	switch (prim) {
	case SQLITE_OK: case SQLITE_DONE: case SQLITE_ROW:
		return CRM_OK;
	case SQLITE_BUSY: case SQLITE_LOCKED:
		return CRM_BUSY;
	case SQLITE_NOMEM:
		return CRM_NOMEM;
	case SQLITE_IOERR: case SQLITE_FULL: case SQLITE_CANTOPEN: case SQLITE_PERM:
	case SQLITE_READONLY:
		return CRM_IO;
	default:
		return CRM_STORE;
	}
}

/* A prepared statement, cached under key for the life of the store. */
sqlite3_stmt *
store_stmt(crm_store_t *s, const char *key, const char *sql)
{
	for (int i = 0; i < s->ncache; i++)
		if (s->cache[i].key == key || !strcmp(s->cache[i].key, key))
			return s->cache[i].st;
	if (s->ncache == NCACHE) {
		store_seterr(s, "statement cache full");
		return NULL;
	}
	sqlite3_stmt *st;
	if (sqlite3_prepare_v3(s->db, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL) != SQLITE_OK) {
		store_seterr(s, "%s", sqlite3_errmsg(s->db));
		return NULL;
	}
	s->cache[s->ncache].key = key;
	s->cache[s->ncache].st = st;
	s->ncache++;
	return st;
}

int
crm_store_path(const char *path, char *buf, size_t len)
{
	const char *e = crm_settings()->db;
	int n;

	if (path && *path)
		n = snprintf(buf, len, "%s", path);
	else if (e && *e)
		n = snprintf(buf, len, "%s", e);
	else
		return CRM_USAGE;
	if (n < 0 || (size_t)n >= len)
		return CRM_USAGE;
	return CRM_OK;
}

/* Where path's file is or would be: its directory in dir, its name returned. */
static const char *
dir_of(const char *path, char *dir, size_t len)
{
	const char *slash = strrchr(path, '/');

	if (!slash)
		snprintf(dir, len, ".");
	else if (slash == path)
		snprintf(dir, len, "/");
	else
		snprintf(dir, len, "%.*s", (int)(slash - path), path);
	return slash ? slash + 1 : path;
}

/* Whether a and b are the same file, or would be once made. */
static int
same_file(const char *a, const char *b)
{
	struct stat sa, sb;
	char da[4096], db[4096];

	if (!stat(a, &sa) && !stat(b, &sb))
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	const char *na = dir_of(a, da, sizeof da), *nb = dir_of(b, db, sizeof db);
	if (!*na || strcmp(na, nb))
		return 0;
	int ea = stat(da, &sa), eb = stat(db, &sb);
	if (ea && eb)
		return !strcmp(da, db);     /* a directory not made yet: by its name */
	return !ea && !eb && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

int
crm_store_owns(const char *db, const char *path, char *what, size_t len)
{
	static const struct { const char *sfx, *what; } files[] = {
		{ "", "the store" }, { "-wal", "the store's write-ahead log" },
		{ "-shm", "the store's shared-memory index" },
		{ "-journal", "the store's rollback journal" }, { ".key", "the store's key" },
		{ ".suppress", "the store's suppression ledger" },
		{ ".suppress.new", "the store's suppression ledger being made" },
		{ ".gdpr-lock", "the store's erasure lock" },
	};
	char file[4096], f[4200];

	if (crm_store_path(db, file, sizeof file))
		return 0;
	for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
		snprintf(f, sizeof f, "%s%s", file, files[i].sfx);
		if (same_file(f, path)) {
			snprintf(what, len, "%s", files[i].what);
			return 1;
		}
	}
	return 0;
}

/* mkdir -p for the store's directory; directories it makes are 0700. */
static int
make_dirs(char *dir)
{
	struct stat st;

	if (!*dir || stat(dir, &st) == 0)
		return 0;
	char *slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		int rc = make_dirs(dir);
		*slash = '/';
		if (rc)
			return rc;
	}
	if (mkdir(dir, 0700)) {
		if (errno == EEXIST)
			return 0;
		return -1;
	}
	return chmod(dir, 0700);       /* the umask may have taken bits away */
}

static int
exec(crm_store_t *s, const char *sql)
{
	char *err = NULL;
	int rc = sqlite3_exec(s->db, sql, NULL, NULL, &err);

	if (rc != SQLITE_OK) {
		int st = store_status(s, rc);
		if (err && st != CRM_BUSY && !disk_full(s, rc) && (rc & 0xff) != SQLITE_IOERR)
			store_seterr(s, "%s", err);
		sqlite3_free(err);
		return st;
	}
	return CRM_OK;
}

static int
query_int64(crm_store_t *s, const char *sql, sqlite3_int64 *out)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(s->db, sql, -1, &st, NULL);

	if (rc != SQLITE_OK)
		return store_status(s, rc);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*out = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW ? CRM_OK : store_status(s, rc);
}

static int
pragma_int(crm_store_t *s, const char *sql, int *out)
{
	sqlite3_int64 v = 0;
	int rc = query_int64(s, sql, &v);

	*out = (int)v;
	return rc;
}

/* SQL function crm_fold(text): accent- and case-insensitive form. */
static void
sql_fold(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const unsigned char *t = sqlite3_value_text(argv[0]);
	if (!t) {
		sqlite3_result_null(ctx);
		return;
	}
	char *f = crm_fold((const char *)t);
	if (!f) {
		sqlite3_result_error_nomem(ctx);
		return;
	}
	sqlite3_result_text(ctx, f, -1, free);
}

/* SQL function crm_num(x): x as a number when it is one, else NULL. */
static void
sql_num(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	switch (sqlite3_value_type(argv[0])) {
	case SQLITE_INTEGER: case SQLITE_FLOAT:
		sqlite3_result_value(ctx, argv[0]);
		return;
	case SQLITE_TEXT: {
		const char *t = (const char *)sqlite3_value_text(argv[0]);
		char *end;
		while (*t == ' ')
			t++;
		if (*t && !strpbrk(t, "xXpPnNiI")) {
			double d = strtod(t, &end);
			while (*end == ' ')
				end++;
			if (end != t && !*end) {
				sqlite3_result_double(ctx, d);
				return;
			}
		}
	}
	/* fall through */
	default:
		sqlite3_result_null(ctx);
	}
}

/*
 * SQL function crm_attr(attrs, key): the attribute as text: strings as
 * they are, numbers in decimal, booleans as true and false, arrays and
 * objects as JSON; NULL when absent or null.  Any key works, quotes and
 * backslashes included, unlike a JSON path.
 */
static void
sql_attr(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	const char *key = (const char *)sqlite3_value_text(argv[1]);
	json_t *o, *v;
	json_error_t je;

	if (!t || !key || !(o = crm_json_load(t, strlen(t), 0, &je))) {
		sqlite3_result_null(ctx);
		return;
	}
	v = json_object_get(o, key);
	if (!v || json_is_null(v)) {
		sqlite3_result_null(ctx);
	} else if (crm_json_number(v)) {
		sqlite3_result_text(ctx, crm_json_number(v), -1, SQLITE_TRANSIENT);
	} else if (json_is_string(v)) {
		sqlite3_result_text(ctx, json_string_value(v), (int)json_string_length(v),
		                    SQLITE_TRANSIENT);
	} else if (json_is_true(v) || json_is_false(v)) {
		sqlite3_result_text(ctx, json_is_true(v) ? "true" : "false", -1, SQLITE_STATIC);
	} else {
		char *d = crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
		if (d)
			sqlite3_result_text(ctx, d, -1, free);
		else
			sqlite3_result_error_nomem(ctx);
	}
	json_decref(o);
}

/* SQL function crm_trim(text): without its surrounding white space (see white_trim()). */
static void
sql_trim(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	size_t n;

	if (!t) {
		sqlite3_result_null(ctx);
		return;
	}
	t = white_trim(t, &n);
	sqlite3_result_text(ctx, t, (int)n, SQLITE_TRANSIENT);
}

/* SQL function crm_trim_attrs(json): the attributes as attrs_trim() leaves them. */
static void
sql_trim_attrs(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	(void)argc;
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	json_t *o;
	json_error_t je;
	char *d;

	if (!t || !(o = crm_json_load(t, strlen(t), 0, &je)) || !json_is_object(o)) {
		if (t)
			json_decref(o);
		sqlite3_result_value(ctx, argv[0]);
		return;
	}
	int changed = 0;
	if (attrs_trim(o, &changed))
		sqlite3_result_error_nomem(ctx);
	else if (!changed)
		sqlite3_result_value(ctx, argv[0]);
	else if (!(d = crm_json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		sqlite3_result_error_nomem(ctx);
	else
		sqlite3_result_text(ctx, d, -1, free);
	json_decref(o);
}

/* SQL functions crm_norm_email(text), crm_norm_phone(text, country): the match keys. */
static void
sql_norm(sqlite3_context *ctx, int argc, sqlite3_value **argv)
{
	const char *t = (const char *)sqlite3_value_text(argv[0]);
	char *n;

	if (!t) {
		sqlite3_result_null(ctx);
		return;
	}
	n = argc == 1 ? norm_email(t) : norm_phone(t, (const char *)sqlite3_value_text(argv[1]));
	if (n)
		sqlite3_result_text(ctx, n, -1, free);
	else
		sqlite3_result_null(ctx);
}

/* Bring the schema to this program's (see schema_migrate()). */
static int
migrate(crm_store_t *s)
{
	char *err = NULL;
	int v = 0, rc = schema_migrate(s->db, &v, &err);

	if (rc == SQLITE_OK && v > schema_version) {
		store_seterr(s, "store schema %d is newer than this program's %d", v, schema_version);
		return CRM_STORE;
	}
	if (rc == SQLITE_OK) {
		s->schema = schema_version;
		return CRM_OK;
	}
	/* What exec() says of a statement that failed. */
	int st = store_status(s, rc);
	if (err && st != CRM_BUSY && !disk_full(s, rc) && (rc & 0xff) != SQLITE_IOERR)
		store_seterr(s, "%s", err);
	sqlite3_free(err);
	{
		char keep[sizeof s->err];
		memcpy(keep, s->err, sizeof keep);
		crm_store_rollback(s);
		memcpy(s->err, keep, sizeof keep);
	}
	return st;
}

/* The update hook: a party deleted, or party_seq changed (see store_party_auto_id()). */
static void
row_changed(void *arg, int op, const char *db, const char *table, sqlite3_int64 rowid)
{
	crm_store_t *s = arg;

	(void)db;
	(void)rowid;
	if (op != SQLITE_INSERT &&
	    (!strcmp(table, "party") ? op == SQLITE_DELETE : !strcmp(table, "party_seq")))
		s->party_auto = -1;
}

int
crm_store_open(const char *path, int flags, crm_store_t **out)
{
	char file[4096], dir[4096];
	crm_store_t *s;
	int rc, fd, v;

	*out = NULL;
	if (!(s = calloc(1, sizeof *s)))
		return CRM_NOMEM;
	s->pending = -1;
	s->gdpr_lock = -1;
	*out = s;
	if (crm_store_path(path, file, sizeof file)) {
		store_seterr(s, "cannot tell where the store is: set --db, CRM_DB or HOME");
		return CRM_USAGE;
	}
	/*
	 * A store named through a symbolic link is the file it points to:
	 * its WAL, key, ledger and lock are beside that file, whatever name
	 * each program uses.
	 */
	struct stat lst;
	char real[PATH_MAX];
	if (!lstat(file, &lst) && S_ISLNK(lst.st_mode) && realpath(file, real) &&
	    strlen(real) < sizeof file)
		memcpy(file, real, strlen(real) + 1);
	snprintf(s->file, sizeof s->file, "%s", file);
	if (!(flags & CRM_STORE_NOCREATE)) {
		snprintf(dir, sizeof dir, "%s", file);
		char *slash = strrchr(dir, '/');
		if (slash && slash != dir) {
			*slash = '\0';
			if (make_dirs(dir)) {
				store_seterr(s, "%s: %s", dir, strerror(errno));
				return CRM_IO;
			}
		}
		/* Create the file ourselves so that it is 0600 whatever the umask. */
		fd = open(file, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (fd >= 0) {
			if (fchmod(fd, 0600)) {
				store_seterr(s, "%s: %s", file, strerror(errno));
				close(fd);
				return CRM_IO;
			}
			close(fd);
		} else if (errno != EEXIST) {
			store_seterr(s, "%s: %s", file, strerror(errno));
			return CRM_IO;
		}
	} else if (access(file, F_OK)) {
		store_seterr(s, "%s: %s (add parties with crm-add first)", file, strerror(errno));
		return CRM_IO;
	}
	/* No memory statistics: they take a global mutex at every allocation. */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	rc = sqlite3_open_v2(file, &s->db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, NULL);
	if (rc != SQLITE_OK) {
		store_seterr(s, "%s: %s", file, s->db ? sqlite3_errmsg(s->db) : "cannot open");
		return CRM_IO;
	}
	sqlite3_extended_result_codes(s->db, 1);
	long busy_ms = crm_settings()->busy_ms;
	if (busy_ms < 0)
		busy_ms = BUSY_TIMEOUT_MS;
	sqlite3_busy_timeout(s->db, (int)(busy_ms > 86400000 ? 86400000 : busy_ms));
	/* The SQL functions of the store, every one deterministic and innocuous. */
	static const struct {
		const char *name;
		int nargs;
		void (*fn)(sqlite3_context *, int, sqlite3_value **);
	} fns[] = {
		{ "crm_fold", 1, sql_fold }, { "crm_attr", 2, sql_attr }, { "crm_num", 1, sql_num },
		{ "crm_trim", 1, sql_trim }, { "crm_trim_attrs", 1, sql_trim_attrs },
		{ "crm_norm_email", 1, sql_norm }, { "crm_norm_phone", 2, sql_norm },
	};
	for (size_t i = 0; i < sizeof fns / sizeof fns[0]; i++)
		sqlite3_create_function(s->db, fns[i].name, fns[i].nargs,
		                        SQLITE_UTF8 | SQLITE_DETERMINISTIC | SQLITE_INNOCUOUS,
		                        NULL, fns[i].fn, NULL, NULL);
	s->party_auto = -1;
	/*
	 * Temporary tables and sorts stay in memory, so that no personal data
	 * goes to a temporary file, except for bulk loads, whose staged rows
	 * and sorts would not fit: those go to unlinked files in the temporary
	 * directory, with their freed pages zeroed (temp.secure_delete).
	 */
	if ((rc = exec(s, "PRAGMA foreign_keys = ON; PRAGMA secure_delete = ON;"
	                  "PRAGMA synchronous = NORMAL;")) ||
	    (rc = exec(s, flags & CRM_STORE_BULK ?
	                  "PRAGMA temp_store = FILE; PRAGMA temp.secure_delete = ON;"
	                  "PRAGMA temp.cache_size = -16384;" :
	                  "PRAGMA temp_store = MEMORY;")))
		goto fail;
	if ((rc = pragma_int(s, "PRAGMA secure_delete", &v)))
		goto fail;
	if (v != 1) {
		store_seterr(s, "%s: secure_delete cannot be turned on", file);
		rc = CRM_STORE;
		goto fail;
	}
	/*
	 * Turning WAL on and migrating a new store can meet another process
	 * doing the same; SQLite then reports "busy" without waiting when
	 * waiting could deadlock.  Try again until the busy timeout is spent.
	 */
	struct timespec t0, t1;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	for (;;) {
		sqlite3_stmt *st;
		rc = sqlite3_prepare_v2(s->db, "PRAGMA journal_mode = WAL", -1, &st, NULL);
		if (rc == SQLITE_OK) {
			rc = sqlite3_step(st);
			sqlite3_finalize(st);
		}
		rc = rc == SQLITE_ROW ? migrate(s) : store_status(s, rc);
		clock_gettime(CLOCK_MONOTONIC, &t1);
		long waited = (t1.tv_sec - t0.tv_sec) * 1000 + (t1.tv_nsec - t0.tv_nsec) / 1000000;
		if (rc != CRM_BUSY || waited >= busy_ms)
			break;
		/* The rest of the wait, at most: each try waits on its own. */
		sqlite3_busy_timeout(s->db, (int)(busy_ms - waited));
		usleep(20000);
	}
	sqlite3_busy_timeout(s->db, (int)(busy_ms > 86400000 ? 86400000 : busy_ms));
	if (rc)
		goto fail;
	return CRM_OK;
fail:
	if (!strstr(s->err, file)) {
		char m[sizeof s->err];
		snprintf(m, sizeof m, "%.200s: %.300s", file, s->err);
		memcpy(s->err, m, sizeof m);
	}
	return rc;
}

void
crm_store_close(crm_store_t *s)
{
	if (!s)
		return;
	for (int i = 0; i < s->ncache; i++)
		sqlite3_finalize(s->cache[i].st);
	if (s->tx_end)
		s->tx_end(s);
	if (s->gdpr_lock >= 0)
		close(s->gdpr_lock);
	sqlite3_close(s->db);
	free(s);
}

#define FTS_COLS "name, first_name, last_name, email, org, city, notes"
#define FTS_SLICE 100000

int
crm_store_begin(crm_store_t *s)
{
	int rc;

	/* Writers get a large page cache (64 MiB); readers start faster without. */
	if ((rc = exec(s, "PRAGMA cache_size = -65536; BEGIN IMMEDIATE")))
		return rc;
	if ((rc = exec(s, "CREATE TEMP TABLE IF NOT EXISTS fts_old (id INTEGER PRIMARY KEY, "
	                  FTS_COLS "); DELETE FROM temp.fts_old")) ||
	    (rc = query_int64(s, "SELECT coalesce(max(id), 0) FROM party", &s->fts_base)) ||
	    (rc = query_int64(s, "SELECT coalesce(max(id), 0) FROM event", &s->event_base)))
		goto fail;
	s->events_added = 0;
	if ((rc = pragma_int(s, "SELECT EXISTS (SELECT 1 FROM party WHERE type = 'organization')",
	                     &s->has_orgs)))
		goto fail;
	s->in_tx = 1;
	s->fts_dirty = 0;
	s->party_auto = -1;
	sqlite3_update_hook(s->db, NULL, NULL);
	return CRM_OK;
fail:
	exec(s, "ROLLBACK");
	return rc;
}

/*
 * Whether a new party may take SQLite's own next rowid, one above the
 * highest stored, for PARTY_NEXT_ID: so unless an id above every stored
 * one was deleted (party_seq), which only a deletion of a party can make
 * so, or the highest id is the largest there is.  Asked of the store
 * once a transaction, and again after a party is deleted or party_seq
 * changes (row_changed() says so).  A party's id never changes.
 */
int
store_party_auto_id(crm_store_t *s, int *yes)
{
	*yes = 0;
	if (!s->in_tx)
		return CRM_OK;
	if (s->party_auto < 0) {
		sqlite3_stmt *st = store_stmt(s, "store.party_auto",
			"SELECT coalesce((SELECT n FROM party_seq) <= m, 1)"
			" AND m < 9223372036854775807"
			" FROM (SELECT coalesce((SELECT max(id) FROM party), 0) AS m)");
		int rc;
		if (!st)
			return CRM_STORE;
		rc = sqlite3_step(st);
		if (rc == SQLITE_ROW)
			s->party_auto = sqlite3_column_int(st, 0) != 0;
		sqlite3_reset(st);
		if (rc != SQLITE_ROW)
			return store_status(s, rc);
		/* Told of deletions from now on; a transaction without new parties is not. */
		if (s->party_auto)
			sqlite3_update_hook(s->db, row_changed, s);
	}
	*yes = s->party_auto;
	return CRM_OK;
}

int
store_in_tx(crm_store_t *s, sqlite3_int64 *fts_base)
{
	if (fts_base)
		*fts_base = s->fts_base;
	return s->in_tx;
}

void
store_mark(crm_store_t *s, int org)
{
	s->fts_dirty = 1;
	if (org)
		s->has_orgs = 1;
}

int
store_has_orgs(crm_store_t *s)
{
	return s->has_orgs;
}

int
store_fts_flush(crm_store_t *s)
{
	sqlite3_stmt *st;
	int rc;

	if (!s->in_tx || !s->fts_dirty)
		return CRM_OK;
	if ((rc = exec(s,
	    "INSERT INTO party_fts (party_fts, rowid, " FTS_COLS ") "
	    "SELECT 'delete', id, " FTS_COLS " FROM temp.fts_old;"
	    "INSERT INTO party_fts (rowid, " FTS_COLS ") "
	    "SELECT id, " FTS_COLS " FROM party WHERE id IN (SELECT id FROM temp.fts_old);"
	    "DELETE FROM temp.fts_old;")))
		return rc;
	/*
	 * New rows, in slices: a statement inside a transaction keeps a
	 * journal of the pages it changes, in memory, so one statement for a
	 * million rows would hold all of them at once.
	 */
	sqlite3_int64 top;
	if ((rc = query_int64(s, "SELECT coalesce(max(id), 0) FROM party", &top)))
		return rc;
	rc = sqlite3_prepare_v2(s->db, "INSERT INTO party_fts (rowid, " FTS_COLS ") "
	                        "SELECT id, " FTS_COLS " FROM party WHERE id > ?1 AND id <= ?2",
	                        -1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	for (sqlite3_int64 from = s->fts_base; from < top; from += FTS_SLICE) {
		sqlite3_bind_int64(st, 1, from);
		sqlite3_bind_int64(st, 2, from + FTS_SLICE);
		rc = sqlite3_step(st);
		sqlite3_reset(st);
		if (rc != SQLITE_DONE) {
			sqlite3_finalize(st);
			return store_status(s, rc);
		}
	}
	sqlite3_finalize(st);
	if ((rc = query_int64(s, "SELECT coalesce(max(id), 0) FROM party", &s->fts_base)))
		return rc;
	s->fts_dirty = 0;
	return CRM_OK;
}

int
store_facts_touch(crm_store_t *s, int64_t party_id)
{
	sqlite3_stmt *st;
	int rc;

	if (!s->facts_ready) {
		if ((rc = exec(s, "CREATE TEMP TABLE IF NOT EXISTS fact_touched (id INTEGER PRIMARY KEY)")))
			return rc;
		s->facts_ready = 1;
	}
	if (!(st = store_stmt(s, "facts.touch", "INSERT OR IGNORE INTO temp.fact_touched VALUES (?1)")))
		return CRM_STORE;
	sqlite3_bind_int64(st, 1, party_id);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	s->facts_dirty = 1;
	return CRM_OK;
}

const char *
store_file(const crm_store_t *s)
{
	return s->file;
}

int
store_key_cached(crm_store_t *s, unsigned char key[32])
{
	if (s->has_key)
		memcpy(key, s->key, sizeof s->key);
	return s->has_key;
}

void
store_key_cache(crm_store_t *s, const unsigned char key[32])
{
	memcpy(s->key, key, sizeof s->key);
	s->has_key = 1;
}

int
crm_store_in_tx(crm_store_t *s)
{
	return store_in_tx(s, NULL);
}

void **
store_ledger_slot(crm_store_t *s)
{
	return &s->ledger;
}

void
store_on_tx_end(crm_store_t *s, void (*fn)(crm_store_t *))
{
	s->tx_end = fn;
}

int *
store_pending_slot(crm_store_t *s)
{
	return &s->pending;
}

int *
store_gdpr_lock_slot(crm_store_t *s)
{
	return &s->gdpr_lock;
}

long
store_busy_ms(const crm_store_t *s)
{
	long ms = crm_settings()->busy_ms;
	(void)s;
	return ms < 0 ? BUSY_TIMEOUT_MS : ms;
}

long *
store_staged(crm_store_t *s)
{
	return &s->staged;
}

void
store_events_added(crm_store_t *s)
{
	s->events_added = 1;
	s->facts_dirty = 1;
}

int
store_event_base(crm_store_t *s, int64_t *base)
{
	sqlite3_int64 v = 0;
	int rc = query_int64(s, "SELECT coalesce(max(id), 0) FROM event", &v);

	*base = v;
	return rc;
}

int64_t
store_tx_event_base(const crm_store_t *s)
{
	return s->event_base;
}

/*
 * Merge the facts of the events added in this transaction (those above
 * event_base: ids only grow) into party_fact.  Adding events only moves
 * maxima, minima and sums; money_events tells a party without amounts from
 * one with amounts in several currencies.  The rowid range is read without
 * an index: through the (party_id, at) index a GROUP BY visits every event.
 */
static int
facts_merge(crm_store_t *s)
{
	sqlite3_stmt *st = store_stmt(s, "facts.merge",
	    "INSERT INTO party_fact (party_id, last_activity, last_inbound, first_purchase,"
	    " last_purchase, purchases, revenue, revenue_currency, open_tasks, money_events) "
	    FACTS_SELECT5 " FROM event NOT INDEXED WHERE id > ?1 GROUP BY party_id"
	    " ON CONFLICT (party_id) DO UPDATE SET"
	    " last_activity = coalesce(max(last_activity, excluded.last_activity), last_activity,"
	    "  excluded.last_activity),"
	    " last_inbound = coalesce(max(last_inbound, excluded.last_inbound), last_inbound,"
	    "  excluded.last_inbound),"
	    " first_purchase = coalesce(min(first_purchase, excluded.first_purchase),"
	    "  first_purchase, excluded.first_purchase),"
	    " last_purchase = coalesce(max(last_purchase, excluded.last_purchase), last_purchase,"
	    "  excluded.last_purchase),"
	    " purchases = purchases + excluded.purchases,"
	    " revenue = CASE WHEN money_events = 0 THEN excluded.revenue"
	    "  WHEN excluded.money_events = 0 THEN revenue"
	    "  WHEN revenue_currency = excluded.revenue_currency THEN revenue + excluded.revenue END,"
	    " revenue_currency = CASE WHEN money_events = 0 THEN excluded.revenue_currency"
	    "  WHEN excluded.money_events = 0 THEN revenue_currency"
	    "  WHEN revenue_currency = excluded.revenue_currency THEN revenue_currency END,"
	    " open_tasks = open_tasks + excluded.open_tasks,"
	    " money_events = money_events + excluded.money_events");
	int rc;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_int64(st, 1, s->event_base);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	s->events_added = 0;
	return CRM_OK;
}

/*
 * Facts of the parties whose events changed other than by new events,
 * computed again from all their events: the last activity, the last
 * inbound event, the first and last purchase, the number of purchases, the
 * revenue (purchases less refunds) when they are all in one currency, and
 * the open tasks.  The facts of new events are merged first.
 */
int
store_facts_flush(crm_store_t *s)
{
	int rc;

	if (!s->in_tx || !s->facts_dirty)
		return CRM_OK;
	if (s->events_added && (rc = facts_merge(s)))
		return rc;
	if (s->facts_ready && (rc = exec(s,
	    "DELETE FROM party_fact WHERE party_id IN (SELECT id FROM temp.fact_touched);"
	    "INSERT INTO party_fact (party_id, last_activity, last_inbound, first_purchase,"
	    " last_purchase, purchases, revenue, revenue_currency, open_tasks, money_events) "
	    FACTS_SELECT5
	    " FROM event WHERE party_id IN (SELECT id FROM temp.fact_touched) GROUP BY party_id;"
	    "DELETE FROM temp.fact_touched;")))
		return rc;
	s->facts_dirty = 0;
	return CRM_OK;
}

int
crm_store_commit(crm_store_t *s)
{
	int rc;

	if (!s->in_tx)
		return CRM_OK;          /* nothing was begun: nothing to commit */
	if ((rc = store_facts_flush(s)) || (rc = store_fts_flush(s))) {
		char keep[sizeof s->err];
		memcpy(keep, s->err, sizeof keep);
		crm_store_rollback(s);
		memcpy(s->err, keep, sizeof keep);
		return rc;
	}
	if ((rc = exec(s, "COMMIT")))
		return rc;
	s->in_tx = 0;
	if (s->tx_end)
		s->tx_end(s);
	return CRM_OK;
}

int
crm_store_rollback(crm_store_t *s)
{
	s->in_tx = 0;
	s->fts_dirty = 0;
	s->facts_dirty = 0;         /* temp.fact_touched rolls back too, */
	s->events_added = 0;
	s->facts_ready = 0;         /* and may go with it, made in the transaction */
	if (s->tx_end)
		s->tx_end(s);
	if (sqlite3_get_autocommit(s->db))
		return CRM_OK;
	return exec(s, "ROLLBACK");
}
