/* SPDX-License-Identifier: MIT */
/*
 * render.c: what crm-report shows of a report's tables: the printer's
 * formats, the terminal charts (bars, series, shaded matrices) and one
 * self-contained HTML page with SVG charts.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "crm-cli.h"

static void table(const crm_report_t *t, int fmt, const char *fields, int print_flags, int multi,
                  int first, int titled);

/* A JSON string, escaped. */
static void
put_key(const char *s)
{
	putchar('"');
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		if (*u == '"' || *u == '\\')
			printf("\\%c", *u);
		else if (*u < 0x20)
			printf("\\u%04x", *u);
		else
			putchar(*u);
	}
	putchar('"');
}

/* ------------------------------------------------------------------ */
/* Records. */

/* s made safe for the terminal (see crm_term_clean()), in one of two buffers. */
static const char *
safe(const char *s)
{
	static char buf[2][512];
	static int k;

	k = !k;
	snprintf(buf[k], sizeof buf[k], "%s", s ? s : "");
	return crm_term_clean(buf[k]);
}

void
crm_cli_report_table(const crm_report_t *t, int fmt, const struct crm_common *common, int multi,
                     int first)
{
	table(t, fmt, common->fields, common->print_flags, multi, first, 0);
}

/* A table; titled: its title was said before (a chart's table). */
static void
table(const crm_report_t *t, int fmt, const char *fields, int print_flags, int multi, int first,
      int titled)
{
	crm_printer_t *pr;
	char msg[512], cols[4096];
	size_t nc = crm_report_ncols(t), off = 0;
	unsigned long long raw = crm_report_numeric(t);
	int tag = multi && (fmt == CRM_OUT_JSONL);
	int rc;

	cols[0] = '\0';
	if (tag)
		off += (size_t)snprintf(cols, sizeof cols, "report,");
	for (size_t i = 0; i < nc && off < sizeof cols; i++)
		off += (size_t)snprintf(cols + off, sizeof cols - off, "%s%s", i ? "," : "",
		                        crm_report_col(t, i));
	if (fmt == CRM_OUT_TABLE && !titled)
		printf("%s%s\n", first ? "" : "\n", safe(crm_report_title(t)));
	else if ((fmt == CRM_OUT_CSV || fmt == CRM_OUT_TSV) && !first)
		putchar('\n');
	else if (fmt == CRM_OUT_JSON && multi) {
		/* Keys stay apart: a second table of the same name gets #2, and so on. */
		static char **used;
		static size_t nused;
		size_t same = 1;
		for (size_t i = 0; i < nused; i++)
			same += !strcmp(used[i], crm_report_name(t));
		char **u = realloc(used, (nused + 1) * sizeof *u);
		if (!u || !(u[nused] = strdup(crm_report_name(t))))
			crm_die(CRM_EXIT_STORE, "out of memory");
		used = u;
		nused++;
		fputs(first ? "{" : ",", stdout);
		if (same > 1) {
			char k[512];
			snprintf(k, sizeof k, "%s#%zu", crm_report_name(t), same);
			put_key(k);
		} else {
			put_key(crm_report_name(t));
		}
		putchar(':');
	}
	fflush(stdout);
	if ((rc = crm_printer_open_rows(stdout, fmt, cols, fields, print_flags, &pr,
	                                msg, sizeof msg)))
		crm_die(crm_status_exit(rc), "%s", msg);
	const char **v = calloc(nc + 1, sizeof *v);
	if (!v)
		crm_die(CRM_EXIT_STORE, "out of memory");
	if (tag) {
		v[0] = crm_report_name(t);
		raw <<= 1;
	}
	for (size_t r = 0; r < crm_report_nrows(t); r++) {
		for (size_t i = 0; i < nc; i++)
			v[i + (size_t)tag] = crm_report_cell(t, r, i);
		if (crm_printer_row(pr, v, raw))
			crm_die(CRM_EXIT_STORE, "write error:");
	}
	/* An empty table still says what its columns are. */
	if (crm_printer_finish(pr))
		crm_die(CRM_EXIT_STORE, "write error:");
	if (fmt == CRM_OUT_TABLE && !crm_report_nrows(t))
		puts("(no rows)");
	crm_printer_close(pr);
	free(v);
}

/* Exit 2 when a table lacks a column that --fields names. */
void
crm_cli_report_fields(const crm_report_t *t, const char *fields)
{
	char *copy = strdup(fields), *save = NULL;

	if (!copy)
		crm_die(CRM_EXIT_STORE, "out of memory");
	for (char *f = strtok_r(copy, ",", &save); f; f = strtok_r(NULL, ",", &save)) {
		size_t i;
		while (*f == ' ')
			f++;
		for (i = 0; i < crm_report_ncols(t) && strcmp(crm_report_col(t, i), f); i++)
			;
		if (*f && i == crm_report_ncols(t))
			crm_die(CRM_EXIT_USAGE, "--fields: %s has no column '%s'", crm_report_name(t), f);
	}
	free(copy);
}

/* ------------------------------------------------------------------ */
/* Terminal charts. */

static int utf8;

static double
cell_num(const crm_report_t *t, size_t r, int col)
{
	const char *c = col >= 0 ? crm_report_cell(t, r, (size_t)col) : NULL;
	return c ? strtod(c, NULL) : 0;
}

/* The label of a row: its text columns from label on, before the value, joined. */
static void
row_label(const crm_report_t *t, size_t r, int label, int value, char *out, size_t n)
{
	unsigned long long num = crm_report_numeric(t);
	size_t off = 0;

	out[0] = '\0';
	for (int i = label; i < value && i >= 0 && (i == label || !(num >> i & 1)); i++) {
		const char *c = crm_report_cell(t, r, (size_t)i);
		off += (size_t)snprintf(out + off, off < n ? n - off : 0, "%s%s", i > label ? " " : "",
		                        c ? c : "(none)");
		if (off >= n)
			break;
	}
	if (label >= value || label < 0)
		snprintf(out, n, "%s", crm_report_cell(t, r, 0) ? crm_report_cell(t, r, 0) : "(none)");
	crm_term_clean(out);
	/* Never end in the middle of a UTF-8 sequence. */
	size_t l = strlen(out);
	if (l + 1 >= n)
		while (l && ((unsigned char)out[l - 1] & 0xc0) == 0x80)
			out[--l] = '\0';
	if (l && (unsigned char)out[l - 1] >= 0xc0)
		out[--l] = '\0';
}

/*
 * The largest value the bar of row r is drawn against: of the whole table,
 * or of the rows of its section when the label is not the first column
 * (the summary's counts and amounts are not on one scale).
 */
static double
scale(const crm_report_t *t, size_t r, int label, int value)
{
	const char *sec = label > 0 ? crm_report_cell(t, r, 0) : NULL;
	double max = 0;

	for (size_t i = 0; i < crm_report_nrows(t); i++) {
		const char *s = label > 0 ? crm_report_cell(t, i, 0) : NULL;
		if (label > 0 && (!s || !sec || strcmp(s, sec)))
			continue;
		const char *c = crm_report_cell(t, i, (size_t)value);
		double v = c ? strtod(c, NULL) : 0;
		max = v > max ? v : max;
	}
	return max;
}

static void
bar(double v, double max, int cells)
{
	static const char *const eighths[] = { "", "▏", "▎", "▍", "▌", "▋", "▊", "▉" };
	double w = max > 0 ? v / max * cells : 0;
	int full = (int)w, part = (int)((w - full) * 8);

	if (w < 0)
		full = part = 0;
	for (int i = 0; i < full; i++)
		fputs(utf8 ? "█" : "#", stdout);
	if (utf8 && full < cells)
		fputs(eighths[part], stdout);
}

void
crm_cli_report_chart(const crm_report_t *t, int first, int use_utf8)
{
	int kind, label, value;
	size_t n = crm_report_nrows(t);
	char lab[256];

	utf8 = use_utf8;
	crm_report_chart(t, &kind, &label, &value);
	printf("%s%s\n", first ? "" : "\n", safe(crm_report_title(t)));
	if (kind == CRM_CHART_NONE || !n || value < 0) {
		table(t, CRM_OUT_TABLE, NULL, 0, 0, 1, 1);
		return;
	}
	if (kind == CRM_CHART_MATRIX) {
		/* A cell per share, shaded: cohorts down, months since across. */
		static const char *const shade_u[] = { "···", "░░░", "▒▒▒", "▓▓▓", "███" };
		static const char *const shade_a[] = { "...", "---", "===", "+++", "###" };
		printf("%-10s %9s  ", crm_report_col(t, 0), crm_report_col(t, 1));
		for (size_t c = (size_t)value; c < crm_report_ncols(t); c++)
			printf("%-4.4s", crm_report_col(t, c));
		putchar('\n');
		for (size_t r = 0; r < n; r++) {
			printf("%-10s %9s  ", crm_report_cell(t, r, 0), crm_report_cell(t, r, 1));
			for (size_t c = (size_t)value; c < crm_report_ncols(t); c++) {
				const char *v = crm_report_cell(t, r, c);
				int k = v ? (int)ceil(strtod(v, NULL) * 4) : 0;
				k = k < 0 ? 0 : k > 4 ? 4 : k;
				/* Blank: no month yet; dots: none came back; then quarters of the cohort. */
				fputs(v ? (utf8 ? shade_u[k] : shade_a[k]) : "   ", stdout);
				putchar(' ');
			}
			putchar('\n');
		}
		return;
	}
	double max = 0;
	size_t lw = 0;
	for (size_t r = 0; r < n; r++) {
		double v = cell_num(t, r, value);
		max = v > max ? v : max;
		row_label(t, r, label, value, lab, sizeof lab);
		crm_text_fit(lab, 30, utf8 ? "…" : "~");
		lw = crm_text_width(lab) > lw ? crm_text_width(lab) : lw;
	}
	if (kind == CRM_CHART_SERIES) {
		static const char *const spark_u[] = { "▁", "▂", "▃", "▄", "▅", "▆", "▇", "█" };
		static const char spark_a[] = " .:-=+*#";
		printf("%-*s ", (int)lw, safe(crm_report_col(t, (size_t)value)));
		for (size_t r = 0; r < n; r++) {
			const char *c = crm_report_cell(t, r, (size_t)value);
			int k = max > 0 && c ? (int)(strtod(c, NULL) / max * 7 + 0.5) : 0;
			k = k < 0 ? 0 : k > 7 ? 7 : k;
			if (!c)
				fputs(" ", stdout);
			else if (utf8)
				fputs(spark_u[k], stdout);
			else
				putchar(spark_a[k]);
		}
		putchar('\n');
	}
	for (size_t r = 0; r < n; r++) {
		const char *c = crm_report_cell(t, r, (size_t)value);
		row_label(t, r, label, value, lab, sizeof lab);
		crm_text_fit(lab, 30, utf8 ? "…" : "~");
		/* Pad by display width, not bytes. */
		fputs(lab, stdout);
		for (size_t w = crm_text_width(lab); w < lw + 1; w++)
			putchar(' ');
		bar(cell_num(t, r, value), scale(t, r, label, value), 40);
		printf(" %s\n", c ? c : "-");
	}
}

/* ------------------------------------------------------------------ */
/* HTML. */

static void
html_text(FILE *fp, const char *s)
{
	for (; s && *s; s++) {
		switch (*s) {
		case '<': fputs("&lt;", fp); break;
		case '>': fputs("&gt;", fp); break;
		case '&': fputs("&amp;", fp); break;
		case '"': fputs("&quot;", fp); break;
		default: putc(*s, fp);
		}
	}
}

static void
html_svg(FILE *fp, const crm_report_t *t)
{
	int kind, label, value;
	size_t n = crm_report_nrows(t);
	char lab[256];

	crm_report_chart(t, &kind, &label, &value);
	if (kind == CRM_CHART_NONE || !n || value < 0)
		return;
	if (kind == CRM_CHART_MATRIX) {
		size_t nc = crm_report_ncols(t) - (size_t)value;
		fprintf(fp, "<svg class=\"chart\" role=\"img\" width=\"%zu\" height=\"%zu\" "
		        "viewBox=\"0 0 %zu %zu\"><title>", 120 + nc * 36, 24 + n * 22, 120 + nc * 36,
		        24 + n * 22);
		html_text(fp, crm_report_title(t));
		fputs("</title>", fp);
		for (size_t c = 0; c < nc; c++) {
			fprintf(fp, "<text x=\"%zu\" y=\"16\" class=\"axis\">", 120 + c * 36 + 4);
			html_text(fp, crm_report_col(t, (size_t)value + c));
			fputs("</text>", fp);
		}
		for (size_t r = 0; r < n; r++) {
			fprintf(fp, "<text x=\"0\" y=\"%zu\">", 24 + r * 22 + 15);
			html_text(fp, crm_report_cell(t, r, 0));
			fputs("</text>", fp);
			for (size_t c = 0; c < nc; c++) {
				const char *v = crm_report_cell(t, r, (size_t)value + c);
				if (!v)
					continue;
				double d = strtod(v, NULL);
				fprintf(fp, "<rect class=\"cell\" x=\"%zu\" y=\"%zu\" width=\"34\" height=\"20\" "
				        "fill=\"#1f6feb\" fill-opacity=\"%.3f\"><title>%s</title></rect>",
				        120 + c * 36, 24 + r * 22, 0.08 + 0.92 * (d < 0 ? 0 : d > 1 ? 1 : d), v);
			}
		}
		fputs("</svg>\n", fp);
		return;
	}
	size_t h = n * 22 + 8;
	fprintf(fp, "<svg class=\"chart\" role=\"img\" width=\"720\" height=\"%zu\" "
	        "viewBox=\"0 0 720 %zu\"><title>", h, h);
	html_text(fp, crm_report_title(t));
	fputs("</title>", fp);
	for (size_t r = 0; r < n; r++) {
		const char *c = crm_report_cell(t, r, (size_t)value);
		double v = c ? strtod(c, NULL) : 0, m = scale(t, r, label, value);
		double w = m > 0 && v > 0 ? v / m * 440 : 0;
		row_label(t, r, label, value, lab, sizeof lab);
		fprintf(fp, "<text x=\"206\" y=\"%zu\" text-anchor=\"end\">", r * 22 + 18);
		html_text(fp, lab);
		fprintf(fp, "</text><rect class=\"bar\" x=\"212\" y=\"%zu\" width=\"%.1f\" height=\"16\" "
		        "fill=\"#1f6feb\"><title>", r * 22 + 5, w < 1 && v > 0 ? 1.0 : w);
		html_text(fp, c ? c : "null");
		fprintf(fp, "</title></rect><text x=\"%.1f\" y=\"%zu\">", 216 + w, r * 22 + 18);
		html_text(fp, c ? c : "-");
		fputs("</text>", fp);
	}
	fputs("</svg>\n", fp);
}

static void
html_table(FILE *fp, const crm_report_t *t)
{
	size_t nc = crm_report_ncols(t);
	unsigned long long num = crm_report_numeric(t);

	fputs("<table><thead><tr>", fp);
	for (size_t i = 0; i < nc; i++) {
		fputs(num >> i & 1 ? "<th class=\"n\">" : "<th>", fp);
		html_text(fp, crm_report_col(t, i));
		fputs("</th>", fp);
	}
	fputs("</tr></thead><tbody>\n", fp);
	for (size_t r = 0; r < crm_report_nrows(t); r++) {
		fputs("<tr>", fp);
		for (size_t i = 0; i < nc; i++) {
			const char *c = crm_report_cell(t, r, i);
			fputs(num >> i & 1 ? "<td class=\"n\">" : "<td>", fp);
			html_text(fp, c ? c : "");
			fputs("</td>", fp);
		}
		fputs("</tr>\n", fp);
	}
	fputs("</tbody></table>\n", fp);
}

void
crm_cli_report_html(FILE *fp, const char *title, crm_report_t **reps, int nreps, const char *as_of)
{
	char now[32];
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	strftime(now, sizeof now, "%Y-%m-%dT%H:%M:%SZ", &tm);
	fputs("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
	      "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
	      "style-src 'unsafe-inline'\">\n"
	      "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n<title>", fp);
	html_text(fp, title);
	fputs("</title>\n<style>\n"
	      "body{font:14px/1.4 system-ui,sans-serif;margin:2em auto;max-width:960px;color:#1b1f24}\n"
	      "h1{font-size:1.6em}h2{font-size:1.2em;margin-top:2em;border-bottom:1px solid #d0d7de}\n"
	      "table{border-collapse:collapse;margin:1em 0}th,td{padding:2px 10px;"
	      "border-bottom:1px solid #eaeef2;text-align:left}.n{text-align:right}\n"
	      "svg text{font:12px system-ui,sans-serif;fill:#1b1f24}.axis{fill:#57606a}\n"
	      "@media print{h2{break-before:auto}section{break-inside:avoid}}\n"
	      "</style></head><body>\n<h1>", fp);
	html_text(fp, title);
	fprintf(fp, "</h1>\n<p>Made by crm-report on %s, as of %s.</p>\n", now, as_of ? as_of : "now");
	for (int i = 0; i < nreps; i++)
		for (crm_report_t *r = reps[i]; r; r = crm_report_next(r)) {
			fputs("<section><h2>", fp);
			html_text(fp, crm_report_title(r));
			fputs("</h2>\n", fp);
			html_svg(fp, r);
			html_table(fp, r);
			fputs("</section>\n", fp);
		}
	fputs("</body></html>\n", fp);
}

