/* SPDX-License-Identifier: MIT */
/*
 * cli.c: what the programs share: the one place that reports to the user
 * (messages and exit codes), shared options, stdin detection, stdout.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-private.h"

const char *crm_progname = "crm";

void
crm_cli_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;

	crm_progname = s ? s + 1 : argv0 ? argv0 : "crm";
}

static void
vwarn(const char *fmt, va_list ap)
{
	int e = errno;
	size_t n = strlen(fmt);

	fflush(stdout);
	fprintf(stderr, "%s: ", crm_progname);
	vfprintf(stderr, fmt, ap);
	if (n && fmt[n - 1] == ':')
		fprintf(stderr, " %s", strerror(e));
	fputc('\n', stderr);
}

void
crm_warn(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
}

void
crm_die(int code, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vwarn(fmt, ap);
	va_end(ap);
	exit(code);
}

void
crm_cli_fail(int status, const char *what)
{
	crm_die(crm_status_exit(status), "%s", what && *what ? what : crm_status_str(status));
}

int
crm_cli_common(int opt, const char *arg, struct crm_common *c)
{
	switch (opt) {
	case CRM_OPT_DB:
		c->db = arg;
		return 1;
	case CRM_OPT_FORMAT:
		if ((c->format = crm_format_lookup(arg)) < 0)
			crm_die(CRM_EXIT_USAGE, "unknown format '%s' (jsonl, json, csv, tsv, table, vcard)",
			        arg);
		return 1;
	case CRM_OPT_FIELDS:
		c->fields = arg;
		return 1;
	case CRM_OPT_INFORMAT:
		if (!strcmp(arg, "csv"))
			c->informat = CRM_IN_CSV;
		else if (!strcmp(arg, "jsonl") || !strcmp(arg, "json"))
			c->informat = CRM_IN_JSONL;
		else if (!strcmp(arg, "auto"))
			c->informat = CRM_IN_AUTO;
		else if (!strcmp(arg, "vcard") || !strcmp(arg, "vcf"))
			c->informat = CRM_IN_VCARD;
		else
			crm_die(CRM_EXIT_USAGE, "unknown input format '%s' (csv, jsonl, vcard, auto)", arg);
		return 1;
	case CRM_OPT_NO_STDIN:
		c->no_stdin = 1;
		return 1;
	case CRM_OPT_CSV_RAW:
		c->print_flags |= CRM_PRINT_CSV_RAW;
		return 1;
	case CRM_OPT_VERSION:
		printf("%s (crm toolkit) %s\n", crm_progname, CRM_VERSION);
		crm_close_stdout();
		exit(0);
	}
	return 0;
}

crm_store_t *
crm_cli_store(const struct crm_common *c, int flags)
{
	crm_store_t *s;
	int rc = crm_store_open(c->db, flags, &s);

	if (rc) {
		crm_warn("%s", crm_store_errmsg(s));
		crm_store_close(s);
		exit(crm_status_exit(rc));
	}
	return s;
}

int
crm_stdin_is_stream(void)
{
	struct stat st, null;

	if (isatty(0) || fstat(0, &st))
		return 0;
	if (S_ISCHR(st.st_mode)) {
		return 0;       /* /dev/null and other devices carry no records */
	}
	if (!stat("/dev/null", &null) && st.st_dev == null.st_dev && st.st_ino == null.st_ino)
		return 0;
	return S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISREG(st.st_mode);
}

int
crm_isatty(int fd)
{
	return isatty(fd);
}

void
crm_close_stdout(void)
{
	if (fflush(stdout) || ferror(stdout) || fclose(stdout)) {
		if (errno == EPIPE)
			exit(0);
		crm_die(CRM_EXIT_STORE, "write error:");
	}
}

void
crm_cli_begin_once(crm_store_t *s)
{
	int rc;

	if (store_in_tx(s, NULL))
		return;
	if ((rc = crm_store_begin(s)))
		crm_cli_fail(rc, crm_store_errmsg(s));
}

long
crm_cli_number(const char *opt, const char *arg)
{
	char *end;
	long n;

	errno = 0;
	n = strtol(arg, &end, 10);
	if (errno || *end || !*arg || n < 0)
		crm_die(CRM_EXIT_USAGE, "%s wants a number, not '%s'", opt, arg);
	return n;
}

int
crm_cli_outformat(const struct crm_common *c)
{
	return c->format == CRM_OUT_AUTO && isatty(1) ? CRM_OUT_TABLE : c->format;
}

FILE *
crm_cli_spool(void)
{
	FILE *fp = tmpfile();

	if (!fp)
		crm_die(CRM_EXIT_STORE, "temporary file:");
	return fp;
}

void
crm_cli_unspool(FILE *fp)
{
	char buf[65536];
	size_t n;

	rewind(fp);
	while ((n = fread(buf, 1, sizeof buf, fp)) > 0)
		if (fwrite(buf, 1, n, stdout) != n)
			break;
	fclose(fp);
}

const char *
crm_cli_keyvalue(char *arg)
{
	char *eq = strchr(arg, '=');

	if (!eq || eq == arg)
		crm_die(CRM_EXIT_USAGE, "--set wants KEY=VALUE, not '%s'", arg);
	*eq = '\0';
	size_t n;
	white_trim(eq + 1, &n);
	return n ? eq + 1 : NULL;       /* empty, or white space alone: remove */
}

void
crm_cli_set_failed(int status, const char *key)
{
	if (status)
		crm_die(crm_status_exit(status), "--set %s: %s", key,
		        status == CRM_BADINPUT ? "invalid UTF-8" : crm_status_str(status));
}

/* ------------------------------------------------------------------ */
/* Bulk input: the rejects file, progress, dry runs. */

/* Whether two paths name the same file, whether or not it exists yet. */
static int
same_path(const char *a, const char *b)
{
	struct stat sa, sb;
	char da[4096], db[4096], ra[PATH_MAX], rb[PATH_MAX];

	if (stat(a, &sa) == 0 && stat(b, &sb) == 0)
		return sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
	const char *ba = strrchr(a, '/'), *bb = strrchr(b, '/');
	snprintf(da, sizeof da, "%.*s", ba ? (int)(ba - a) : 1, ba ? a : ".");
	snprintf(db, sizeof db, "%.*s", bb ? (int)(bb - b) : 1, bb ? b : ".");
	if (ba == a)
		snprintf(da, sizeof da, "/");
	if (bb == b)
		snprintf(db, sizeof db, "/");
	if (!realpath(da, ra) || !realpath(db, rb))
		return 0;
	return !strcmp(ra, rb) && !strcmp(ba ? ba + 1 : a, bb ? bb + 1 : b);
}

FILE *
crm_cli_rejects_open(const char *path, const char *db, int nfiles, char **files, int uses_stdin)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	struct stat rs, is;
	char store[4096], comp[4200];
	int fd;
	FILE *fp;

	for (int i = 0; i < nfiles; i++)
		uses_stdin |= !strcmp(files[i], "-");
	if (stat(path, &rs) == 0) {
		for (int i = 0; i < nfiles; i++)
			if (stat(files[i], &is) == 0 && is.st_dev == rs.st_dev && is.st_ino == rs.st_ino)
				crm_die(CRM_EXIT_USAGE, "--rejects %s is an input file", path);
		if (uses_stdin && fstat(0, &is) == 0 && is.st_dev == rs.st_dev &&
		    is.st_ino == rs.st_ino)
			crm_die(CRM_EXIT_USAGE, "--rejects %s is standard input", path);
	}
	if (crm_store_path(db, store, sizeof store) == CRM_OK)
		for (int i = 0; i < 4; i++) {
			snprintf(comp, sizeof comp, "%s%s", store, sfx[i]);
			if (same_path(comp, path))
				crm_die(CRM_EXIT_USAGE, "--rejects %s is the store", path);
		}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
	if (fd < 0 || fchmod(fd, 0600))
		crm_die(CRM_EXIT_STORE, "%s:", path);
	if (!(fp = fdopen(fd, "w")))
		crm_die(CRM_EXIT_STORE, "%s:", path);
	return fp;
}

void
crm_cli_reject(FILE *fp, const char *file, long line, const char *msg, const char *raw,
               size_t len, const char *header)
{
	static char *section;   /* the input whose rejects are being written */

	if (!section || strcmp(section, file)) {
		/* Each input's rejects start with its own CSV header. */
		if (section)
			fprintf(fp, "# %s\n", file);
		if (header) {
			fputs(header, fp);
			if (header[strlen(header) - 1] != '\n')
				putc('\n', fp);   /* a header that ended in CR alone */
		}
		free(section);
		section = strdup(file);
	}
	if (line > 0)
		fprintf(fp, "# %s:%ld: %s\n", file, line, msg);
	else
		fprintf(fp, "# %s: %s\n", file, msg);
	if (raw && len) {
		fwrite(raw, 1, len, fp);
		if (raw[len - 1] != '\n')
			putc('\n', fp);
	}
}

static int progress_on;
static time_t progress_last;

void
crm_cli_progress_start(int quiet)
{
	progress_on = !quiet && crm_isatty(2);
}

void
crm_cli_progress(long n, const char *what)
{
	time_t now;

	if (!progress_on)
		return;
	if (n < 0) {
		fputs("\r\033[K", stderr);
		return;
	}
	if (what) {
		fprintf(stderr, "\r\033[K%s: %s", crm_progname, what);
		return;
	}
	if ((n & 4095) || (now = time(NULL)) == progress_last)
		return;
	progress_last = now;
	fprintf(stderr, "\r%s: %ld records...", crm_progname, n);
}

static char dry_dir[4096], dry_db[4200];

static void
remove_dry_store(void)
{
	static const char *const sfx[] = { "", "-wal", "-shm", "-journal" };
	char f[4300];

	for (int i = 0; i < 4; i++) {
		snprintf(f, sizeof f, "%s%s", dry_db, sfx[i]);
		unlink(f);
	}
	rmdir(dry_dir);
}

void
crm_cli_dry_run_store(struct crm_common *c)
{
	char path[4096];
	const char *td = getenv("TMPDIR");

	if (crm_store_path(c->db, path, sizeof path) != CRM_OK || !access(path, F_OK))
		return;
	snprintf(dry_dir, sizeof dry_dir, "%s/crm-dry-run.XXXXXX", td && *td ? td : "/tmp");
	if (!mkdtemp(dry_dir))
		crm_die(CRM_EXIT_STORE, "temporary store:");
	snprintf(dry_db, sizeof dry_db, "%s/crm.db", dry_dir);
	c->db = dry_db;
	atexit(remove_dry_store);
}

void
crm_cli_stdin_parties(crm_store_t *s, int informat, int skip_missing,
                      void (*fn)(int64_t id, long line, void *ctx), void *ctx)
{
	crm_reader_t *r;
	crm_party_t *p;
	int64_t id;
	int rc;

	if ((rc = crm_reader_open(stdin, "-", informat, NULL, &r)))
		crm_cli_fail(rc, NULL);
	crm_reader_party_id(r, 1);
	while ((rc = crm_reader_next(r, &p)) != CRM_EOF) {
		if (rc == CRM_BADINPUT)
			crm_die(CRM_EXIT_BADINPUT, "-:%s", crm_reader_error(r));
		if (rc)
			crm_cli_fail(rc, crm_reader_error(r));
		rc = crm_party_resolve(s, p, &id);
		crm_party_free(p);
		if (rc == CRM_NOTFOUND && skip_missing)
			continue;
		if (rc == CRM_NOTFOUND)
			crm_die(CRM_EXIT_BADINPUT, "-:%ld: no such party", crm_reader_line(r));
		if (rc)
			crm_cli_fail(rc, crm_store_errmsg(s));
		fn(id, crm_reader_line(r), ctx);
	}
	crm_reader_free(r);
}

int64_t
crm_cli_contact(crm_store_t *s, const char *who)
{
	crm_party_t *p = crm_party_new();
	int64_t id = 0;
	int rc;

	if (!p)
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (*who && strspn(who, "0123456789") == strlen(who) && strlen(who) < 19) {
		crm_party_set_id(p, strtoll(who, NULL, 10));
		rc = crm_party_set(p, CRM_F_EXT_ID, who);
	} else {
		rc = crm_party_set(p, strchr(who, '@') ? CRM_F_EMAIL : CRM_F_EXT_ID, who);
	}
	if (rc)
		crm_die(CRM_EXIT_STORE, "out of memory");
	rc = crm_party_resolve(s, p, &id);
	crm_party_free(p);
	if (rc == CRM_NOTFOUND)
		crm_die(CRM_EXIT_BADINPUT, "--contact %s: no such party", who);
	if (rc)
		crm_cli_fail(rc, crm_store_errmsg(s));
	return id;
}

const char *
crm_cli_config(const char *opt, const char *env, const char *name, char *buf, size_t len)
{
	const char *e = getenv(env), *x = getenv("XDG_CONFIG_HOME"), *h = getenv("HOME");

	if (opt)
		return opt;
	if (e && *e)
		return e;
	if (x && *x == '/')
		snprintf(buf, len, "%s/crm/%s", x, name);
	else if (h && *h)
		snprintf(buf, len, "%s/.config/crm/%s", h, name);
	else
		return NULL;
	return access(buf, F_OK) == 0 ? buf : NULL;
}
