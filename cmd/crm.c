/* SPDX-License-Identifier: MIT */
/* crm: run crm-NAME, as git runs git-NAME. */
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm-cli.h"

static const char *const commands[][2] = {
	{ "add", "create or update parties, one from flags or many from CSV/JSONL" },
	{ "find", "select parties by fields, tags and full text" },
	{ "log", "record events for parties, and list the timeline" },
	{ "segment", "saved segments of the base, nested and pinned; crm-find's terms" },
	{ "gdpr-export", "a person's data under the GDPR: access, portability, verified erasure" },
	{ "report", "the numbers a manager asks for: tables, terminal charts, an HTML page" },
};

static void __attribute__((noreturn))
usage(FILE *fp, int code)
{
	fputs("usage: crm COMMAND [ARG...]\n"
	      "       crm --help | --version\n"
	      "Run crm-COMMAND with the ARGs.  Commands:\n", fp);
	for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
		fprintf(fp, "  %-8s %s\n", commands[i][0], commands[i][1]);
	fputs("See crm(7) for the toolkit, crm-COMMAND(1) for each command.\n", fp);
	exit(code);
}

int
main(int argc, char **argv)
{
	char path[PATH_MAX + 256], self[PATH_MAX], prog[128];
	ssize_t n;

	crm_cli_init(argv[0]);
	if (argc < 2)
		usage(stderr, CRM_EXIT_USAGE);
	if (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help") || !strcmp(argv[1], "help"))
		usage(stdout, 0);
	if (!strcmp(argv[1], "--version")) {
		printf("crm (crm toolkit) %s\n", CRM_VERSION);
		crm_close_stdout();
		return 0;
	}
	if (argv[1][0] == '-' || strchr(argv[1], '/') || strlen(argv[1]) > 64)
		usage(stderr, CRM_EXIT_USAGE);
	snprintf(prog, sizeof prog, "crm-%s", argv[1]);
	argv[1] = prog;
	/* Prefer the crm-NAME beside this program, then $PATH. */
	if ((n = readlink("/proc/self/exe", self, sizeof self - 1)) > 0) {
		self[n] = '\0';
		char *slash = strrchr(self, '/');
		if (slash) {
			*slash = '\0';
			snprintf(path, sizeof path, "%s/%s", self, prog);
			if (access(path, X_OK) == 0)
				execv(path, argv + 1);
		}
	}
	execvp(prog, argv + 1);
	if (errno == ENOENT)
		crm_die(CRM_EXIT_USAGE, "'%s' is not a crm command; see crm --help", argv[1] + 4);
	crm_die(CRM_EXIT_STORE, "%s:", prog);
}
