/* SPDX-License-Identifier: MIT */
/* print.c: the record printer, with jsonl, json, csv, tsv and table backends. */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "crm-private.h"

#define TABLE_SAMPLE 200        /* rows read to size the table's columns */
#define TABLE_MAXW 40           /* widest table column, in cells */

struct pcol {
	int field;              /* a field, or -1 for attrs.KEY */
	char *attr;             /* the KEY of attrs.KEY */
	char *label;
	int seen;               /* attrs.KEY: a record printed had the key */
};

struct crm_printer {
	int events;             /* prints events (1) or plain rows (2), not parties */
	struct strv names;      /* the columns of plain rows */
	FILE *fp;
	int format, flags;
	struct pcol *cols;
	size_t ncols;
	long rows;
	/* table */
	char **held;            /* TABLE_SAMPLE * ncols cells */
	size_t nheld;
	size_t *width;
	int sized;
	struct buf absent;      /* see crm_printer_absent() */
};

int
crm_format_lookup(const char *name)
{
	static const char *const names[] = { "auto", "jsonl", "json", "csv", "tsv", "table", "vcard" };

	for (int i = 0; i < 7; i++)
		if (!strcmp(name, names[i]))
			return i;
	if (!strcmp(name, "ndjson"))
		return CRM_OUT_JSONL;
	return -1;
}

static int
add_col(crm_printer_t *pr, const char *name, char *msg, size_t len)
{
	struct pcol *c;
	int f = -1;

	if (!strncmp(name, "attrs.", 6) && name[6] && pr->events != 2) {
		f = -1;
	} else if (pr->events == 2) {
		for (f = 0; f < (int)pr->names.n && strcmp(pr->names.v[f], name); f++)
			;
		if (f == (int)pr->names.n) {
			msgf(msg, len, "unknown field '%s'", name);
			return CRM_USAGE;
		}
	} else if ((f = pr->events ? crm_event_field_lookup(name) : crm_field_lookup(name, 0)) < 0) {
		msgf(msg, len, "unknown field '%s'", name);
		return CRM_USAGE;
	}
	c = realloc(pr->cols, (pr->ncols + 1) * sizeof *c);
	if (!c)
		return CRM_NOMEM;
	pr->cols = c;
	c = &pr->cols[pr->ncols];
	c->field = f;
	c->seen = 0;
	c->attr = f < 0 ? strdup(name + 6) : NULL;
	c->label = strdup(name);
	if (!c->label || (f < 0 && !c->attr)) {
		free(c->attr);
		free(c->label);
		return CRM_NOMEM;
	}
	pr->ncols++;
	return CRM_OK;
}

static int
add_list(crm_printer_t *pr, const char *list, char *msg, size_t len)
{
	char *copy = strdup(list), *save = NULL, *t;
	int rc = CRM_OK;

	if (!copy)
		return CRM_NOMEM;
	for (t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save)) {
		while (*t == ' ')
			t++;
		if (!*t)
			continue;
		rc = add_col(pr, t, msg, len);
	}
	free(copy);
	return rc;
}

/* The columns of the scores a run computes (CRM_SCORE_*). */
static int
add_scores(crm_printer_t *pr, int which, char *msg, size_t len)
{
	int rc = CRM_OK;

	if (which & CRM_SCORE_RFM)
		rc = add_list(pr, "rfm_r,rfm_f,rfm_m,rfm,rfm_segment", msg, len);
	if (!rc && (which & CRM_SCORE_CHURN))
		rc = add_list(pr, "days_since_purchase,usual_gap,churn_risk,churned", msg, len);
	if (!rc && (which & CRM_SCORE_PROPENSITY))
		rc = add_list(pr, "propensity", msg, len);
	if (!rc && (which & CRM_SCORE_EXPLAIN))
		rc = add_list(pr, "explain", msg, len);
	return rc;
}

int
crm_printer_scores(const crm_printer_t *pr)
{
	int which = 0;

	for (size_t i = 0; i < pr->ncols; i++)
		which |= crm_score_of_field(pr->cols[i].field);
	return which;
}

uint64_t
crm_printer_fields(const crm_printer_t *pr)
{
	uint64_t m = 0;

	for (size_t i = 0; i < pr->ncols; i++)
		m |= pr->cols[i].field < 0 ? 1ULL << CRM_F_ATTRS : 1ULL << pr->cols[i].field;
	return m;
}

/* A printer without columns yet. */
static crm_printer_t *
printer_new(FILE *fp, int format, int flags, int events)
{
	crm_printer_t *pr = calloc(1, sizeof *pr);

	if (!pr)
		return NULL;
	if (format == CRM_OUT_AUTO)
		format = isatty(fileno(fp)) ? CRM_OUT_TABLE : CRM_OUT_JSONL;
	pr->events = events;
	pr->fp = fp;
	pr->format = format;
	pr->flags = flags;
	return pr;
}

/* Finish opening: column widths for the table, or free on failure. */
static int
printer_done(crm_printer_t *pr, int rc, crm_printer_t **out)
{
	if (!rc && !(pr->width = calloc(pr->ncols ? pr->ncols : 1, sizeof *pr->width)))
		rc = CRM_NOMEM;
	if (rc) {
		crm_printer_close(pr);
		return rc;
	}
	*out = pr;
	return CRM_OK;
}

int
crm_printer_open(FILE *fp, int format, const char *fields, char *const *attr_keys, int flags,
                 crm_printer_t **out, char *msg, size_t len)
{
	crm_printer_t *pr = printer_new(fp, format, flags, 0);
	int rc = CRM_OK;

	*out = NULL;
	if (!pr)
		return CRM_NOMEM;
	if (pr->format == CRM_OUT_VCARD && fields && *fields) {
		msgf(msg, len, "--format vcard writes its own properties: no --fields");
		return printer_done(pr, CRM_USAGE, out);
	}
	format = pr->format;
	if (fields && *fields) {
		rc = add_list(pr, fields, msg, len);
	} else if (format == CRM_OUT_TABLE) {
		rc = add_list(pr, "id,kind,name,email,phone,org,city,tags", msg, len);
		rc = rc ? rc : add_scores(pr, flags >> 4, msg, len);
	} else {
		int expand = attr_keys && *attr_keys && format != CRM_OUT_JSONL && format != CRM_OUT_JSON;
		for (int f = 0; f <= CRM_F_ATTRS && !rc; f++)
			if (!(f == CRM_F_ATTRS && expand))
				rc = add_col(pr, crm_field_name(f), msg, len);
		for (size_t i = 0; !rc && expand && attr_keys[i]; i++) {
			size_t n = strlen(attr_keys[i]) + 7;
			char *full = malloc(n);
			if (!full) {
				rc = CRM_NOMEM;
				break;
			}
			snprintf(full, n, "attrs.%s", attr_keys[i]);
			rc = add_col(pr, full, msg, len);
			free(full);
		}
		rc = rc ? rc : add_scores(pr, flags >> 4, msg, len);
	}
	return printer_done(pr, rc, out);
}

void
crm_printer_close(crm_printer_t *pr)
{
	if (!pr)
		return;
	for (size_t i = 0; i < pr->ncols; i++) {
		free(pr->cols[i].attr);
		free(pr->cols[i].label);
	}
	for (size_t i = 0; i < pr->nheld * pr->ncols; i++)
		free(pr->held[i]);
	free(pr->held);
	free(pr->cols);
	free(pr->width);
	buf_free(&pr->absent);
	strv_clear(&pr->names);
	free(pr);
}

const char *
crm_printer_absent(crm_printer_t *pr)
{
	buf_reset(&pr->absent);
	for (size_t i = 0; pr->rows && pr->events != 2 && i < pr->ncols; i++)
		if (pr->cols[i].field < 0 && !pr->cols[i].seen) {
			buf_adds(&pr->absent, pr->absent.len ? ", " : "");
			buf_adds(&pr->absent, pr->cols[i].label);
		}
	return pr->absent.len && !pr->absent.err ? pr->absent.p : NULL;
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void
put_json_string(FILE *fp, const char *s)
{
	putc('"', fp);
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		switch (*u) {
		case '"': fputs("\\\"", fp); break;
		case '\\': fputs("\\\\", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\t': fputs("\\t", fp); break;
		case '\r': fputs("\\r", fp); break;
		default:
			if (*u < 0x20)
				fprintf(fp, "\\u%04x", *u);
			else
				putc(*u, fp);
		}
	}
	putc('"', fp);
}

/* One column's value as JSON. */
static int
party_json(FILE *fp, const crm_party_t *p, const struct pcol *c)
{
	json_t *v = NULL;
	const char *s;

	switch (c->field) {
	case -1:
		v = p->attrs ? json_object_get(p->attrs, c->attr) : NULL;
		break;
	case CRM_F_ID:
		if (p->id)
			fprintf(fp, "%lld", (long long)p->id);
		else
			fputs("null", fp);
		return CRM_OK;
	case CRM_F_ORG_ID:
		fputs(p->v[c->field] ? p->v[c->field] : "null", fp);
		return CRM_OK;
	case CRM_F_TAGS:
		putc('[', fp);
		for (size_t i = 0; i < p->tags.n; i++) {
			if (i)
				putc(',', fp);
			put_json_string(fp, p->tags.v[i]);
		}
		putc(']', fp);
		return CRM_OK;
	case CRM_F_ATTRS:
		if (!p->attrs || !json_object_size(p->attrs)) {
			fputs("{}", fp);
			return CRM_OK;
		}
		v = p->attrs;
		break;
	case CRM_F_PURCHASES:
	case CRM_F_REVENUE:
	case CRM_F_OPEN_TASKS:
	case CRM_F_RFM_R:
	case CRM_F_RFM_F:
	case CRM_F_RFM_M:
	case CRM_F_DAYS_SINCE_PURCHASE:
	case CRM_F_USUAL_GAP:
	case CRM_F_CHURNED:
	case CRM_F_PROPENSITY:
	case CRM_F_EXPLAIN:
		/* numbers, true or false, and an object */
		fputs(p->v[c->field] ? p->v[c->field] : "null", fp);
		return CRM_OK;
	default:
		if ((s = p->v[c->field]))
			put_json_string(fp, s);
		else
			fputs("null", fp);
		return CRM_OK;
	}
	if (!v) {
		fputs("null", fp);
		return CRM_OK;
	}
	char *t = crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	if (!t)
		return CRM_NOMEM;
	fputs(t, fp);
	free(t);
	return CRM_OK;
}

/* The text of one column for CSV, TSV and table; caller frees. */
static char *
party_text(const crm_party_t *p, const struct pcol *c)
{
	if (c->field == CRM_F_TAGS) {
		struct buf b = {0};
		buf_add(&b, "", 0);
		for (size_t i = 0; i < p->tags.n; i++) {
			if (i)
				buf_addc(&b, ';');
			buf_adds(&b, p->tags.v[i]);
		}
		return b.p;
	}
	if (c->field == CRM_F_ATTRS) {
		if (!p->attrs || !json_object_size(p->attrs))
			return strdup("");
		return crm_json_dumps(p->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER);
	}
	if (c->field < 0) {
		json_t *v = p->attrs ? json_object_get(p->attrs, c->attr) : NULL;
		if (!v || json_is_null(v))
			return strdup("");
		if (crm_json_number(v))
			return strdup(crm_json_number(v));
		if (json_is_string(v))
			return strdup(json_string_value(v));
		return crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	}
	const char *s = crm_party_get(p, c->field);
	return strdup(s ? s : "");
}

/* An attribute value as JSON text, or "null". */
static int
attr_json(FILE *fp, json_t *attrs, const char *key)
{
	json_t *v = attrs ? json_object_get(attrs, key) : NULL;
	char *t;

	if (!v) {
		fputs("null", fp);
		return CRM_OK;
	}
	if (!(t = crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	fputs(t, fp);
	free(t);
	return CRM_OK;
}

static int
event_json(FILE *fp, const crm_event_t *e, const struct pcol *c)
{
	switch (c->field) {
	case -1:
		return attr_json(fp, e->attrs, c->attr);
	case CRM_E_ID:
		fprintf(fp, "%lld", (long long)e->id);
		return CRM_OK;
	case CRM_E_PARTY_ID:
		fprintf(fp, "%lld", (long long)e->party_id);
		return CRM_OK;
	case CRM_E_AMOUNT:
		fputs(e->has_amount ? e->v[CRM_E_AMOUNT] : "null", fp);
		return CRM_OK;
	case CRM_E_ATTRS:
		if (!e->attrs || !json_object_size(e->attrs)) {
			fputs("{}", fp);
			return CRM_OK;
		}
		{
			char *t = crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER);
			if (!t)
				return CRM_NOMEM;
			fputs(t, fp);
			free(t);
		}
		return CRM_OK;
	default:
		if (e->v[c->field])
			put_json_string(fp, e->v[c->field]);
		else
			fputs("null", fp);
		return CRM_OK;
	}
}

static char *
event_text(const crm_event_t *e, const struct pcol *c)
{
	char b[32];

	switch (c->field) {
	case CRM_E_ID:
	case CRM_E_PARTY_ID:
		snprintf(b, sizeof b, "%lld", (long long)(c->field == CRM_E_ID ? e->id : e->party_id));
		return strdup(b);
	case CRM_E_ATTRS:
		if (!e->attrs || !json_object_size(e->attrs))
			return strdup("");
		return crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER);
	case -1: {
		json_t *v = e->attrs ? json_object_get(e->attrs, c->attr) : NULL;
		if (!v || json_is_null(v))
			return strdup("");
		if (crm_json_number(v))
			return strdup(crm_json_number(v));
		if (json_is_string(v))
			return strdup(json_string_value(v));
		return crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_PRESERVE_ORDER);
	}
	default:
		return strdup(e->v[c->field] ? e->v[c->field] : "");
	}
}

/* A plain row: its values, and which of them are JSON text to print as is. */
struct row {
	const char *const *v;
	unsigned long long raw;
};

static int
put_col_json(const crm_printer_t *pr, const void *rec, const struct pcol *c)
{
	if (pr->events == 2) {
		const struct row *r = rec;
		const char *v = c->field >= 0 ? r->v[c->field] : NULL;
		if (!v)
			fputs("null", pr->fp);
		else if (c->field < 64 && (r->raw >> c->field & 1))
			fputs(v, pr->fp);
		else
			put_json_string(pr->fp, v);
		return CRM_OK;
	}
	return pr->events ? event_json(pr->fp, rec, c) : party_json(pr->fp, rec, c);
}

static char *
col_text(const crm_printer_t *pr, const void *rec, const struct pcol *c)
{
	if (pr->events == 2) {
		const struct row *r = rec;
		return strdup(c->field >= 0 && r->v[c->field] ? r->v[c->field] : "");
	}
	return pr->events ? event_text(rec, c) : party_text(rec, c);
}

/* Whether a cell is a plain number or phone number, safe in a spreadsheet. */
static int
plain_number(const char *s)
{
	int digits = 0;

	if (*s == '+' || *s == '-')
		s++;
	for (; *s; s++) {
		if (*s >= '0' && *s <= '9')
			digits++;
		else if (!strchr(" ().-", *s))
			return 0;
	}
	return digits > 0;
}

/*
 * Whether a spreadsheet would take the cell for a formula: it starts,
 * after any spaces, with = + - @ TAB or CR, and is no plain number or
 * phone number.
 */
static int
formula_like(const crm_printer_t *pr, const char *s)
{
	if (pr->flags & CRM_PRINT_CSV_RAW)
		return 0;
	while (*s == ' ')
		s++;
	return *s && strchr("=+-@\t\r", *s) && !plain_number(s);
}

static void
put_csv(crm_printer_t *pr, const char *s)
{
	FILE *fp = pr->fp;
	int guard = formula_like(pr, s);
	int q = guard || strpbrk(s, ",\"\r\n") || *s == ' ' || (*s && s[strlen(s) - 1] == ' ');

	if (!q) {
		fputs(s, fp);
		return;
	}
	putc('"', fp);
	if (guard)
		putc('\'', fp);
	for (; *s; s++) {
		if (*s == '"')
			putc('"', fp);
		putc(*s, fp);
	}
	putc('"', fp);
}

static void
put_tsv(crm_printer_t *pr, const char *s)
{
	FILE *fp = pr->fp;

	if (formula_like(pr, s))
		putc('\'', fp);
	for (; *s; s++) {
		switch (*s) {
		case '\t': fputs("\\t", fp); break;
		case '\n': fputs("\\n", fp); break;
		case '\r': fputs("\\r", fp); break;
		case '\\': fputs("\\\\", fp); break;
		default: putc(*s, fp);
		}
	}
}

/* Terminal cells of one code point. */
static int
cp_width(unsigned cp)
{
	if ((cp >= 0x300 && cp <= 0x36f) || (cp >= 0x200b && cp <= 0x200f))
		return 0;
	if ((cp >= 0x1100 && cp <= 0x115f) || (cp >= 0x2e80 && cp <= 0xa4cf) ||
	    (cp >= 0xac00 && cp <= 0xd7a3) || (cp >= 0xf900 && cp <= 0xfaff) ||
	    (cp >= 0xfe30 && cp <= 0xfe4f) || (cp >= 0xff00 && cp <= 0xff60) ||
	    (cp >= 0xffe0 && cp <= 0xffe6) || (cp >= 0x1f300 && cp <= 0x1f64f) ||
	    (cp >= 0x1f900 && cp <= 0x1f9ff) || (cp >= 0x20000 && cp <= 0x3fffd))
		return 2;
	return 1;
}

static size_t
next_cp(const unsigned char *s, unsigned *cp)
{
	size_t k = 1;

	if (*s < 0x80) {
		*cp = *s;
	} else if ((*s & 0xe0) == 0xc0 && s[1]) {
		*cp = ((unsigned)(*s & 0x1f) << 6) | (s[1] & 0x3f);
		k = 2;
	} else if ((*s & 0xf0) == 0xe0 && s[1] && s[2]) {
		*cp = ((unsigned)(*s & 0x0f) << 12) | ((unsigned)(s[1] & 0x3f) << 6) | (s[2] & 0x3f);
		k = 3;
	} else if ((*s & 0xf8) == 0xf0 && s[1] && s[2] && s[3]) {
		*cp = ((unsigned)(*s & 0x07) << 18) | ((unsigned)(s[1] & 0x3f) << 12) |
		      ((unsigned)(s[2] & 0x3f) << 6) | (s[3] & 0x3f);
		k = 4;
	} else {
		*cp = '?';
	}
	return k;
}

/*
 * Code points a terminal must never get from data: C0 and C1 controls
 * (ESC, CSI U+009B), DEL, and the bidirectional controls that reorder
 * what follows (U+061C, U+200E, U+200F, U+202A..202E, U+2066..2069).
 */
static int
term_unsafe(unsigned cp)
{
	return cp < 0x20 || cp == 0x7f || (cp >= 0x80 && cp < 0xa0) || cp == 0x61c ||
	       cp == 0x200e || cp == 0x200f || (cp >= 0x202a && cp <= 0x202e) ||
	       (cp >= 0x2066 && cp <= 0x2069);
}

char *
crm_term_clean(char *s)
{
	unsigned char *w = (unsigned char *)s;
	unsigned cp;

	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		size_t k = next_cp(u, &cp);
		if (term_unsafe(cp)) {
			*w++ = '?';
		} else {
			memmove(w, u, k);
			w += k;
		}
		u += k;
	}
	*w = '\0';
	return s;
}

size_t
crm_text_width(const char *s)
{
	size_t w = 0;
	unsigned cp;

	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		u += next_cp(u, &cp);
		w += term_unsafe(cp) ? 1 : (size_t)cp_width(cp);
	}
	return w;
}

char *
crm_text_fit(char *s, size_t w, const char *ellipsis)
{
	size_t used = 0, total = crm_text_width(s), ew = crm_text_width(ellipsis);
	unsigned cp;

	if (total <= w)
		return s;
	for (unsigned char *u = (unsigned char *)s; *u;) {
		size_t k = next_cp(u, &cp);
		size_t cw = term_unsafe(cp) ? 1 : (size_t)cp_width(cp);
		if (used + cw + ew > w) {
			/* The ellipsis takes the place of what does not fit. */
			if ((size_t)(u - (unsigned char *)s) + strlen(ellipsis) <= strlen(s))
				memcpy(u, ellipsis, strlen(ellipsis) + 1);
			else
				*u = '\0';
			return s;
		}
		used += cw;
		u += k;
	}
	return s;
}

/* Print s in exactly w cells: controls shown as '?', cut with an ellipsis. */
static void
put_cell(FILE *fp, const char *s, size_t w, int last)
{
	size_t used = 0, total = crm_text_width(s);
	unsigned cp;

	for (const unsigned char *u = (const unsigned char *)s; *u;) {
		const unsigned char *start = u;
		u += next_cp(u, &cp);
		int cw = term_unsafe(cp) ? 1 : cp_width(cp);
		if (total > w && used + (size_t)cw > w - 1)
			break;
		if (used + (size_t)cw > w)
			break;
		if (term_unsafe(cp))
			putc('?', fp);
		else
			fwrite(start, 1, (size_t)(u - start), fp);
		used += (size_t)cw;
	}
	if (total > w) {
		fputs("\xe2\x80\xa6", fp);
		used++;
	}
	if (!last)
		for (; used < w; used++)
			putc(' ', fp);
}

static void
table_row(crm_printer_t *pr, char **cells)
{
	for (size_t i = 0; i < pr->ncols; i++) {
		if (i)
			fputs("  ", pr->fp);
		put_cell(pr->fp, cells[i], pr->width[i], i + 1 == pr->ncols);
	}
	putc('\n', pr->fp);
}

static void
table_flush(crm_printer_t *pr)
{
	char **hdr = malloc(pr->ncols * sizeof *hdr);

	for (size_t i = 0; i < pr->ncols; i++) {
		size_t w = crm_text_width(pr->cols[i].label);
		for (size_t r = 0; r < pr->nheld; r++) {
			size_t cw = crm_text_width(pr->held[r * pr->ncols + i]);
			if (cw > w)
				w = cw;
		}
		pr->width[i] = w > TABLE_MAXW ? TABLE_MAXW : w;
	}
	if (hdr) {
		for (size_t i = 0; i < pr->ncols; i++)
			hdr[i] = pr->cols[i].label;
		table_row(pr, hdr);
		free(hdr);
	}
	for (size_t r = 0; r < pr->nheld; r++)
		table_row(pr, pr->held + r * pr->ncols);
	for (size_t i = 0; i < pr->nheld * pr->ncols; i++)
		free(pr->held[i]);
	pr->nheld = 0;
	pr->sized = 1;
}

static void
delim_header(crm_printer_t *pr)
{
	for (size_t i = 0; i < pr->ncols; i++) {
		if (i)
			putc(pr->format == CRM_OUT_CSV ? ',' : '\t', pr->fp);
		if (pr->format == CRM_OUT_CSV)
			put_csv(pr, pr->cols[i].label);
		else
			put_tsv(pr, pr->cols[i].label);
	}
	putc('\n', pr->fp);
}

static int
print_row(crm_printer_t *pr, const void *p)
{
	FILE *fp = pr->fp;

	/* Which attrs.KEY columns some record has (see crm_printer_absent()). */
	for (size_t i = 0; pr->events != 2 && i < pr->ncols; i++)
		if (pr->cols[i].field < 0 && !pr->cols[i].seen) {
			json_t *a = pr->events ? ((const crm_event_t *)p)->attrs :
			                         ((const crm_party_t *)p)->attrs;
			pr->cols[i].seen = a && json_object_get(a, pr->cols[i].attr);
		}

	if (pr->format == CRM_OUT_JSONL || pr->format == CRM_OUT_JSON) {
		if (pr->format == CRM_OUT_JSON)
			fputs(pr->rows ? ",\n" : "[\n", fp);
		putc('{', fp);
		for (size_t i = 0; i < pr->ncols; i++) {
			if (i)
				putc(',', fp);
			put_json_string(fp, pr->cols[i].label);
			putc(':', fp);
			if (put_col_json(pr, p, &pr->cols[i]))
				return CRM_NOMEM;
		}
		putc('}', fp);
		if (pr->format == CRM_OUT_JSONL)
			putc('\n', fp);
		pr->rows++;
		return ferror(fp) ? CRM_IO : CRM_OK;
	}
	if (pr->format == CRM_OUT_TABLE) {
		char **cells;
		if (!pr->sized) {
			if (!pr->held && !(pr->held = calloc(TABLE_SAMPLE * pr->ncols + 1, sizeof *pr->held)))
				return CRM_NOMEM;
			cells = pr->held + pr->nheld * pr->ncols;
		} else if (!(cells = calloc(pr->ncols + 1, sizeof *cells))) {
			return CRM_NOMEM;
		}
		for (size_t i = 0; i < pr->ncols; i++)
			if (!(cells[i] = col_text(pr, p, &pr->cols[i])))
				cells[i] = strdup("");
		if (!pr->sized) {
			if (++pr->nheld == TABLE_SAMPLE)
				table_flush(pr);
		} else {
			table_row(pr, cells);
			for (size_t i = 0; i < pr->ncols; i++)
				free(cells[i]);
			free(cells);
		}
		pr->rows++;
		return ferror(fp) ? CRM_IO : CRM_OK;
	}
	if (pr->rows == 0)
		delim_header(pr);
	for (size_t i = 0; i < pr->ncols; i++) {
		char *t = col_text(pr, p, &pr->cols[i]);
		if (!t)
			return CRM_NOMEM;
		if (i)
			putc(pr->format == CRM_OUT_CSV ? ',' : '\t', fp);
		if (pr->format == CRM_OUT_CSV)
			put_csv(pr, t);
		else
			put_tsv(pr, t);
		free(t);
	}
	putc('\n', fp);
	pr->rows++;
	return ferror(fp) ? CRM_IO : CRM_OK;
}

/*
 * vCard 4.0 (RFC 6350): text escaped (backslash, comma, semicolon, line
 * breaks), lines of at most 75 octets folded without cutting a UTF-8
 * sequence, CRLF line ends.
 */
struct vline {
	FILE *fp;
	size_t col;
};

static void
vput(struct vline *v, const char *s, int escape)
{
	for (const unsigned char *u = (const unsigned char *)s; *u; u++) {
		char t[3] = { (char)*u, 0, 0 };
		if (escape && (*u == '\\' || *u == ',' || *u == ';')) {
			t[0] = '\\';
			t[1] = (char)*u;
		} else if (escape && *u == '\n') {
			t[0] = '\\';
			t[1] = 'n';
		} else if (escape && *u == '\r') {
			continue;
		}
		size_t n = strlen(t), seq = 1;
		if (*u >= 0xc0)
			while (u[seq] && (u[seq] & 0xc0) == 0x80)
				seq++;
		if (v->col + (*u >= 0xc0 ? seq : n) > 75) {
			fputs("\r\n ", v->fp);
			v->col = 1;
		}
		if (*u >= 0xc0) {
			fwrite(u, 1, seq, v->fp);
			v->col += seq;
			u += seq - 1;
			continue;
		}
		fputs(t, v->fp);
		v->col += n;
	}
}

static void
vprop(FILE *fp, const char *name, const char *value, int escape)
{
	struct vline v = { fp, 0 };

	if (!value || !*value)
		return;
	vput(&v, name, 0);
	vput(&v, ":", 0);
	vput(&v, value, escape);
	fputs("\r\n", fp);
}

static int
vcard_party(FILE *fp, const crm_party_t *p)
{
	const char *name = p->v[CRM_F_NAME], *first = p->v[CRM_F_FIRST_NAME];
	const char *last = p->v[CRM_F_LAST_NAME];
	int org = p->v[CRM_F_TYPE] && !strcmp(p->v[CRM_F_TYPE], "organization");
	struct buf b = {0};
	char id[40];

	fputs("BEGIN:VCARD\r\nVERSION:4.0\r\n", fp);
	snprintf(id, sizeof id, "urn:crm:party:%lld", (long long)p->id);
	vprop(fp, "UID", id, 0);
	vprop(fp, "KIND", org ? "org" : "individual", 0);
	/* FN is required: the name, else first and last, else the e-mail. */
	if (!name || !*name) {
		buf_adds(&b, first ? first : "");
		if (first && last)
			buf_addc(&b, ' ');
		buf_adds(&b, last ? last : "");
		name = b.len ? b.p : p->v[CRM_F_EMAIL] ? p->v[CRM_F_EMAIL] : p->v[CRM_F_PHONE] ?
		       p->v[CRM_F_PHONE] : p->v[CRM_F_ORG] ? p->v[CRM_F_ORG] : p->v[CRM_F_EXT_ID] ?
		       p->v[CRM_F_EXT_ID] : "?";
	}
	vprop(fp, "FN", name, 1);
	if (!org) {
		/* N: family; given; additional; prefixes; suffixes, each escaped. */
		struct vline v = { fp, 0 };
		vput(&v, "N:", 0);
		vput(&v, last ? last : "", 1);
		vput(&v, ";", 0);
		vput(&v, first ? first : "", 1);
		vput(&v, ";;;", 0);
		fputs("\r\n", fp);
	}
	vprop(fp, "ORG", org ? name : p->v[CRM_F_ORG], 1);
	vprop(fp, "TITLE", p->v[CRM_F_TITLE], 1);
	vprop(fp, "EMAIL", p->v[CRM_F_EMAIL], 1);
	vprop(fp, "TEL", p->v[CRM_F_PHONE], 1);
	if (p->v[CRM_F_CITY] || p->v[CRM_F_POSTCODE] || p->v[CRM_F_COUNTRY]) {
		struct vline v = { fp, 0 };
		vput(&v, "ADR:;;;", 0);
		vput(&v, p->v[CRM_F_CITY] ? p->v[CRM_F_CITY] : "", 1);
		vput(&v, ";;", 0);
		vput(&v, p->v[CRM_F_POSTCODE] ? p->v[CRM_F_POSTCODE] : "", 1);
		vput(&v, ";", 0);
		vput(&v, p->v[CRM_F_COUNTRY] ? p->v[CRM_F_COUNTRY] : "", 1);
		fputs("\r\n", fp);
	}
	const char *bd = p->v[CRM_F_BIRTHDATE];
	if (bd && *bd) {
		/* 1990-03-01 as 19900301; a birthday without a year, --05-12, as --0512. */
		char t[16];
		if (!strncmp(bd, "--", 2) && strlen(bd) == 7)
			snprintf(t, sizeof t, "--%.2s%.2s", bd + 2, bd + 5);
		else if (strlen(bd) == 10)
			snprintf(t, sizeof t, "%.4s%.2s%.2s", bd, bd + 5, bd + 8);
		else
			snprintf(t, sizeof t, "%.15s", bd);
		vprop(fp, "BDAY", t, 0);
	}
	const char *g = p->v[CRM_F_GENDER];
	if (g && *g) {
		int m = !strcasecmp(g, "male") || !strcasecmp(g, "m");
		int f = !strcasecmp(g, "female") || !strcasecmp(g, "f");
		struct vline v = { fp, 0 };
		vput(&v, m ? "GENDER:M" : f ? "GENDER:F" : "GENDER:O;", 0);
		if (!m && !f)
			vput(&v, g, 1);         /* the identity text, escaped */
		fputs("\r\n", fp);
	}
	vprop(fp, "NOTE", p->v[CRM_F_NOTES], 1);
	if (p->tags.n) {
		struct vline v = { fp, 0 };
		vput(&v, "CATEGORIES:", 0);
		for (size_t i = 0; i < p->tags.n; i++) {
			if (i)
				vput(&v, ",", 0);
			vput(&v, p->tags.v[i], 1);
		}
		fputs("\r\n", fp);
	}
	if (p->v[CRM_F_UPDATED] && strlen(p->v[CRM_F_UPDATED]) == 20) {
		const char *u = p->v[CRM_F_UPDATED];
		char t[24];
		snprintf(t, sizeof t, "%.4s%.2s%.2sT%.2s%.2s%.2sZ", u, u + 5, u + 8, u + 11, u + 14, u + 17);
		vprop(fp, "REV", t, 0);
	}
	/* What vCard has no property for, under X- names that crm-add reads back. */
	vprop(fp, "X-CRM-KIND", p->v[CRM_F_KIND], 1);
	vprop(fp, "X-CRM-EXT-ID", p->v[CRM_F_EXT_ID], 1);
	if (p->attrs && json_object_size(p->attrs)) {
		char *j = crm_json_dumps(p->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER);
		if (!j) {
			buf_free(&b);
			return CRM_NOMEM;
		}
		vprop(fp, "X-CRM-ATTRS", j, 1);
		free(j);
	}
	fputs("END:VCARD\r\n", fp);
	buf_free(&b);
	return ferror(fp) ? CRM_IO : CRM_OK;
}

int
crm_printer_party(crm_printer_t *pr, const crm_party_t *p)
{
	if (pr->format == CRM_OUT_VCARD)
		return vcard_party(pr->fp, p);
	return print_row(pr, p);
}

int
crm_printer_event(crm_printer_t *pr, const crm_event_t *e)
{
	return print_row(pr, e);
}

int
crm_printer_open_rows(FILE *fp, int format, const char *columns, const char *fields, int flags,
                      crm_printer_t **out, char *msg, size_t len)
{
	crm_printer_t *pr = printer_new(fp, format, flags, 2);
	char *copy, *save = NULL, *t;
	int rc = CRM_OK;

	*out = NULL;
	if (!pr)
		return CRM_NOMEM;
	if (pr->format == CRM_OUT_VCARD) {
		msgf(msg, len, "--format vcard is for parties");
		return printer_done(pr, CRM_USAGE, out);
	}
	if (!(copy = strdup(columns)))
		return printer_done(pr, CRM_NOMEM, out);
	for (t = strtok_r(copy, ",", &save); t && !rc; t = strtok_r(NULL, ",", &save))
		rc = strv_push(&pr->names, t);
	free(copy);
	if (!rc)
		rc = add_list(pr, fields && *fields ? fields : columns, msg, len);
	return printer_done(pr, rc, out);
}

int
crm_printer_row(crm_printer_t *pr, const char *const *values, unsigned long long raw)
{
	struct row r = { values, raw };

	return print_row(pr, &r);
}

int
crm_printer_open_events(FILE *fp, int format, const char *fields, int flags,
                        crm_printer_t **out, char *msg, size_t len)
{
	crm_printer_t *pr = printer_new(fp, format, flags, 1);
	int rc;

	*out = NULL;
	if (!pr)
		return CRM_NOMEM;
	if (pr->format == CRM_OUT_VCARD) {
		msgf(msg, len, "--format vcard is for parties");
		return printer_done(pr, CRM_USAGE, out);
	}
	if (fields && *fields)
		rc = add_list(pr, fields, msg, len);
	else if (format == CRM_OUT_TABLE)
		rc = add_list(pr, "id,party_id,at,channel,type,direction,subject,amount,currency", msg, len);
	else
		rc = add_list(pr, "id,party_id,at,channel,type,direction,subject,body,amount,currency,"
		                  "campaign,ref,due,assignee,status,attrs", msg, len);
	return printer_done(pr, rc, out);
}

int
crm_printer_finish(crm_printer_t *pr)
{
	if (pr->format == CRM_OUT_JSON)
		fputs(pr->rows ? "\n]\n" : "[]\n", pr->fp);
	if (pr->format == CRM_OUT_TABLE && !pr->sized && pr->rows)
		table_flush(pr);
	if ((pr->format == CRM_OUT_CSV || pr->format == CRM_OUT_TSV) && !pr->rows)
		delim_header(pr);
	return ferror(pr->fp) ? CRM_IO : CRM_OK;
}
