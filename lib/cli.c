/* SPDX-License-Identifier: MIT */
/*
 * cli.c: what the programs share: the one place that reports to the user
 * (messages and exit codes), shared options, stdin detection, stdout.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
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
			crm_die(CRM_EXIT_USAGE, "unknown format '%s' (jsonl, json, csv, tsv, table)", arg);
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
		else
			crm_die(CRM_EXIT_USAGE, "unknown input format '%s' (csv, jsonl, auto)", arg);
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
	return eq[1] ? eq + 1 : NULL;
}

void
crm_cli_set_failed(int status, const char *key)
{
	if (status)
		crm_die(crm_status_exit(status), "--set %s: %s", key,
		        status == CRM_BADINPUT ? "invalid UTF-8" : crm_status_str(status));
}
