/* SPDX-License-Identifier: MIT */
/*
 * cli.c: what the programs share: the one place that reports to the user
 * (messages and exit codes), shared options, stdin detection, stdout.
 */
#include <errno.h>
#include <ctype.h>
#include <fcntl.h>
#include <getopt.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "crm-cli.h"

const char *crm_progname = "crm";

void
crm_cli_init(const char *argv0)
{
	const char *s = argv0 ? strrchr(argv0, '/') : NULL;

	crm_progname = s ? s + 1 : argv0 ? argv0 : "crm";
	crm_cli_settings();
}

void
crm_cli_settings(void)
{
	static char db[PATH_MAX];
	struct crm_settings set = { NULL, getenv("CRM_CURRENCY"), getenv("CRM_ACTOR"), -1 };
	const char *e, *bt = getenv("CRM_BUSY_TIMEOUT");
	char *end;

	/* The store: $CRM_DB, else $XDG_DATA_HOME/crm/crm.db, else ~/.local/share/crm/crm.db. */
	if ((e = getenv("CRM_DB")) && *e)
		set.db = e;
	else if ((e = getenv("XDG_DATA_HOME")) && *e == '/' &&
	         snprintf(db, sizeof db, "%s/crm/crm.db", e) < (int)sizeof db)
		set.db = db;
	else if ((e = getenv("HOME")) && *e &&
	         snprintf(db, sizeof db, "%s/.local/share/crm/crm.db", e) < (int)sizeof db)
		set.db = db;
	/* A bad $CRM_BUSY_TIMEOUT is the default, as it always was. */
	if (bt && *bt) {
		long ms = strtol(bt, &end, 10);
		if (!*end && ms >= 0)
			set.busy_ms = ms;
	}
	if (set.actor && !*set.actor)
		set.actor = NULL;
	crm_settings_set(&set);
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

/* --stdin was given: read standard input whatever CRM_NO_STDIN says. */
static int stdin_on;

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
		else if (!strcmp(arg, "tsv"))
			c->informat = CRM_IN_TSV;
		else if (!strcmp(arg, "lines"))
			c->informat = CRM_IN_LINES;
		else
			crm_die(CRM_EXIT_USAGE,
			        "unknown input format '%s' (csv, tsv, jsonl, vcard, lines, auto)", arg);
		return 1;
	case CRM_OPT_NO_STDIN:
		if (c->stdin_on)
			crm_die(CRM_EXIT_USAGE, "--stdin and --no-stdin do not go together");
		c->no_stdin = 1;
		return 1;
	case CRM_OPT_STDIN:
		if (c->no_stdin)
			crm_die(CRM_EXIT_USAGE, "--stdin and --no-stdin do not go together");
		c->stdin_on = stdin_on = 1;
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

/*
 * Process pid's parent and command name, from /proc; 0 when unknown.
 */
static long
parent_of(long pid, char *comm, size_t len)
{
	char path[64], buf[512];
	long ppid = 0;
	FILE *fp;

	snprintf(path, sizeof path, "/proc/%ld/stat", pid);
	if (!(fp = fopen(path, "r")))
		return 0;
	size_t n = fread(buf, 1, sizeof buf - 1, fp);
	fclose(fp);
	buf[n] = '\0';
	/* pid (comm) state ppid ...: comm may hold spaces and parentheses. */
	char *open = strchr(buf, '('), *close = strrchr(buf, ')');
	if (!open || !close || close < open || sscanf(close + 1, " %*c %ld", &ppid) != 1)
		return 0;
	snprintf(comm, len, "%.*s", (int)(close - open - 1), open + 1);
	return ppid;
}

static int
is_shell(const char *comm)
{
	static const char *const shells[] = { "sh", "dash", "bash", "zsh", "ksh", "mksh", "ash",
	                                      "yash", "busybox", "fish", "tcsh", "csh", "posh" };
	for (size_t i = 0; i < sizeof shells / sizeof shells[0]; i++)
		if (!strcmp(comm, shells[i]))
			return 1;
	return 0;
}

/*
 * With CRM_NO_STDIN, whether standard input is, all the same, something
 * another program of the job made for this one (a pipe, or a file given
 * with <), which must not be ignored: taking the whole base instead would
 * be a wrong answer.  It is when it is a file, or records are already
 * waiting there, or a writer still holds the pipe open, or the first
 * process above this one that does not have it as its standard input is
 * a shell (which made the pipe or the redirection).  The empty pipe that cron gives a job was made
 * by cron, which is no shell.
 * Without /proc, anything that is a stream is refused.
 */
static int
inner_pipe(void)
{
	struct pollfd pf = { .fd = 0, .events = POLLIN };
	struct stat st, pst;
	char path[64], comm[64], c;
	long pid = (long)getppid();

	if (isatty(0) || fstat(0, &st) ||
	    !(S_ISFIFO(st.st_mode) || S_ISSOCK(st.st_mode) || S_ISREG(st.st_mode)))
		return 0;
	if (S_ISREG(st.st_mode))
		return 1;               /* a file given with <: no scheduler gives one */
	if (poll(&pf, 1, 0) == 0)
		return 1;               /* a writer, and nothing written yet */
	if ((pf.revents & POLLIN) && read(0, &c, 1) == 1)
		return 1;               /* one byte of a stdin that is ignored anyway */
	if (access("/proc/self/stat", R_OK))
		return 1;
	/*
	 * Up the processes that hold it too (the job's shell, wrappers such
	 * as flock(1)), to the first that does not: a shell made it, in a
	 * pipeline or with <; another program (cron) gave it to the job.
	 */
	for (int depth = 0; pid > 1 && depth < 64; depth++) {
		long ppid = parent_of(pid, comm, sizeof comm);
		if (!ppid)
			return 1;       /* unknown ancestry */
		snprintf(path, sizeof path, "/proc/%ld/fd/0", pid);
		if (stat(path, &pst) || pst.st_dev != st.st_dev || pst.st_ino != st.st_ino)
			return is_shell(comm);
		pid = ppid;
	}
	return 0;
}

int
crm_stdin_is_stream(void)
{
	struct stat st, null;
	const char *off = getenv("CRM_NO_STDIN");

	if (stdin_on)
		return 1;               /* --stdin: even /dev/null is read, as an empty stream */
	if (off && *off && strcmp(off, "0")) {
		if (inner_pipe())
			crm_die(CRM_EXIT_USAGE, "standard input is a pipe from another program, but"
			        " CRM_NO_STDIN is set: give --stdin to read it, or --no-stdin to ignore it");
		return 0;
	}
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

	if (crm_store_in_tx(s))
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
	if (errno || *end || !isdigit((unsigned char)*arg) || n < 0)
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
	const char *d = getenv("TMPDIR");
	char path[PATH_MAX];
	FILE *fp = NULL;
	int fd;

	/* An unlinked file, 0600 whatever the umask: it has no name to open it by. */
	if (!d || *d != '/')
		d = "/tmp";
	if (snprintf(path, sizeof path, "%s/crm-spool.XXXXXX", d) >= (int)sizeof path)
		snprintf(path, sizeof path, "/tmp/crm-spool.XXXXXX");
	if ((fd = mkstemp(path)) >= 0) {
		unlink(path);
		if (fcntl(fd, F_SETFD, FD_CLOEXEC) || fchmod(fd, 0600) || !(fp = fdopen(fd, "w+")))
			close(fd);
	}
	if (!fp)
		crm_die(CRM_EXIT_STORE, "temporary file %s:", path);
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
	crm_white_trim(eq + 1, &n);
	return n ? eq + 1 : NULL;       /* empty, or white space alone: remove */
}

void
crm_cli_set_failed(int status, const char *key)
{
	if (status)
		crm_die(status == CRM_BADINPUT ? CRM_EXIT_USAGE : crm_status_exit(status), "--set %s: %s", key,
		        status == CRM_BADINPUT ? "invalid UTF-8" : crm_status_str(status));
}

/* ------------------------------------------------------------------ */
/* Bulk input: the rejects file, progress, dry runs. */

/* The rejects file, under its temporary name until crm_cli_rejects_close(). */
static char rejects_tmp[PATH_MAX];
static const char *rejects_path;
static int rejects_replace;

void
crm_cli_input_files(int n, char **files)
{
	for (int i = 0; i < n; i++) {
		struct stat st;
		if (!strcmp(files[i], "-"))
			continue;
		if (access(files[i], R_OK))
			crm_die(CRM_EXIT_USAGE, "%s:", files[i]);
		if (stat(files[i], &st) == 0 && S_ISDIR(st.st_mode))
			crm_die(CRM_EXIT_USAGE, "%s: is a directory", files[i]);
	}
}

FILE *
crm_cli_rejects_open(const char *path, const char *db, int replace, int nfiles, char **files,
                     int uses_stdin)
{
	struct stat rs, is;

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
	rejects_path = path;
	rejects_replace = replace;
	return crm_cli_output_open(path, db, replace, rejects_tmp, sizeof rejects_tmp);
}

void
crm_cli_rejects_close(FILE *fp)
{
	crm_cli_output_commit(fp, rejects_tmp, rejects_path, rejects_replace);
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
		size_t i = 0;
		if (header && *raw == '#') {
			/* A CSV record beginning with '#' (an order #1001): its first cell
			 * quoted, so that removing the comment lines leaves it. */
			putc('"', fp);
			for (; i < len && raw[i] != ',' && raw[i] != '\n' && raw[i] != '\r'; i++) {
				if (raw[i] == '"')
					putc('"', fp);
				putc(raw[i], fp);
			}
			putc('"', fp);
		}
		fwrite(raw + i, 1, len - i, fp);
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

long
crm_cli_each_record(FILE *fp, int informat, void (*fn)(crm_party_t *p, long line, void *ctx),
                    void *ctx)
{
	crm_reader_t *r;
	crm_party_t *p;
	long n = 0;
	int rc;

	if ((rc = crm_reader_open(fp, "-", informat, NULL, &r)))
		crm_cli_fail(rc, NULL);
	crm_reader_party_id(r, 1);
	while ((rc = crm_reader_next(r, &p)) != CRM_EOF) {
		if (rc == CRM_BADINPUT)
			crm_die(CRM_EXIT_BADINPUT, "-:%s", crm_reader_error(r));
		if (rc)
			crm_cli_fail(rc, crm_reader_error(r));
		n++;
		fn(p, crm_reader_line(r), ctx);
	}
	crm_reader_close(r);
	return n;
}

struct each_party {
	crm_store_t *s;
	int skip_missing;
	void (*fn)(int64_t id, long line, void *ctx);
	void *ctx;
};

/* One record of crm_cli_stdin_parties(): its party, resolved; p freed. */
static void
each_party(crm_party_t *p, long line, void *ctx)
{
	struct each_party *e = ctx;
	int64_t id;
	int rc;

	/* A record without any key to a party is no party: never a silent nothing. */
	const char *type = crm_party_get(p, CRM_F_TYPE);
	if (!crm_party_id(p) && !crm_party_get(p, CRM_F_EMAIL) && !crm_party_get(p, CRM_F_EXT_ID) &&
	    !(crm_party_get(p, CRM_F_NAME) && type && !strcmp(type, "organization")))
		crm_die(CRM_EXIT_BADINPUT, "-:%ld: the record names no party (no id, email or ext_id)",
		        line);
	rc = crm_party_resolve(e->s, p, &id);
	crm_party_free(p);
	if (rc == CRM_NOTFOUND && e->skip_missing)
		return;
	if (rc == CRM_NOTFOUND)
		crm_die(CRM_EXIT_BADINPUT, "-:%ld: no such party", line);
	if (rc)
		crm_cli_fail(rc, crm_store_errmsg(e->s));
	e->fn(id, line, e->ctx);
}

long
crm_cli_stdin_parties(crm_store_t *s, int informat, int skip_missing,
                      void (*fn)(int64_t id, long line, void *ctx), void *ctx)
{
	struct each_party e = { s, skip_missing, fn, ctx };

	return crm_cli_each_record(stdin, informat, each_party, &e);
}

void
crm_cli_empty_stream(void)
{
	crm_die(CRM_EXIT_NOMATCH, "the stream on standard input named no party, so nothing was done"
	        " (--no-stdin ignores standard input; in a crontab, CRM_NO_STDIN=1)");
}


/* Whether argument a takes the next one as its value, in opts. */
static int
takes_value(const char *a, const struct option *opts)
{
	if (a[0] != '-' || a[1] != '-' || strchr(a, '='))
		return 0;
	for (const struct option *o = opts; o->name; o++)
		if (!strcmp(a + 2, o->name))
			return o->has_arg == required_argument;
	return 0;
}

char **
crm_cli_args(int argc, char **argv, const struct option *opts, int *nargs)
{
	char **args = calloc((size_t)argc + 1, sizeof *args);
	int n = 0;

	if (!args)
		crm_die(CRM_EXIT_STORE, "out of memory");
	args[n++] = argv[0];
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--")) {
			while (i < argc)
				args[n++] = argv[i++];
			break;
		}
		if (takes_value(argv[i], opts) && i + 1 < argc) {
			args[n++] = argv[i++];
			args[n++] = argv[i];
		} else if (!crm_is_dash_term(argv[i])) {
			args[n++] = argv[i];
		}
	}
	*nargs = n;
	return args;
}

char **
crm_cli_operands(int argc, char **argv, char **args, int nargs, int optind_, int *n)
{
	char **all = calloc((size_t)argc + 1, sizeof *all);
	int k = 0, dashdash = 0;

	if (!all)
		crm_die(CRM_EXIT_STORE, "out of memory");
	for (int i = 1; i < argc; i++) {
		int keep = 0, given = 0;
		if (!dashdash && !strcmp(argv[i], "--")) {
			dashdash = 1;
			continue;
		}
		/* Was argv[i] handed to getopt?  If so, it is an operand only past optind. */
		for (int j = 1; j < nargs; j++)
			if (args[j] == argv[i]) {
				given = 1;
				keep = j >= optind_;
			}
		if (keep || !given)
			all[k++] = argv[i];
	}
	*n = k;
	return all;
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

/* Temporary output files not yet given their names, removed at exit. */
static char pending[8][PATH_MAX];

static void
remove_pending(void)
{
	for (size_t i = 0; i < sizeof pending / sizeof pending[0]; i++)
		if (*pending[i])
			unlink(pending[i]);
}

static void
set_pending(const char *tmp, int on)
{
	static int registered;

	if (!registered++)
		atexit(remove_pending);
	for (size_t i = 0; i < sizeof pending / sizeof pending[0]; i++)
		if (on ? !*pending[i] : !strcmp(pending[i], tmp)) {
			snprintf(pending[i], sizeof pending[i], "%s", on ? tmp : "");
			return;
		}
}

FILE *
crm_cli_output_open(const char *path, const char *db, int replace, char *tmp, size_t len)
{
	char what[64];
	FILE *fp;
	int rc;

	if (crm_store_owns(db, path, what, sizeof what))
		crm_die(CRM_EXIT_USAGE, "%s: is %s; not written", path, what);
	if ((rc = crm_file_create(path, replace > 0, tmp, len, &fp))) {
		if (errno == EEXIST)
			crm_die(CRM_EXIT_USAGE, "%s: exists; not overwritten%s", path,
			        replace < 0 ? "" : " (--force replaces it)");
		if (errno == ENAMETOOLONG)
			crm_die(CRM_EXIT_USAGE, "%s: path too long", path);
		crm_die(CRM_EXIT_STORE, "%s:", path);
	}
	set_pending(tmp, 1);
	return fp;
}

void
crm_cli_output_commit(FILE *fp, const char *tmp, const char *path, int replace)
{
	int rc = crm_file_commit(fp, tmp, path, replace > 0), e = errno;

	set_pending(tmp, 0);
	errno = e;
	if (rc == CRM_USAGE)
		crm_die(CRM_EXIT_USAGE, "%s: exists; not overwritten", path);
	if (rc && errno == ENOSPC)
		crm_die(CRM_EXIT_STORE, "%s: the disk is full (no space left on the device)", path);
	if (rc)
		crm_die(CRM_EXIT_STORE, "%s: write error:", path);
}

const char *
crm_cli_counts(char *text)
{
	static char buf[512];

	if (!text)
		crm_die(CRM_EXIT_STORE, "out of memory");
	int n = snprintf(buf, sizeof buf, "%s", text);
	free(text);
	if (n < 0 || (size_t)n >= sizeof buf)
		crm_die(CRM_EXIT_STORE, "audit counts too long");
	return buf;
}
