/* SPDX-License-Identifier: MIT */
/*
 * csv.c: CSV and TSV records through libcsv: the cells of a row, the
 * delimiter of the header line, the header into columns (fields,
 * attributes, event fields, --map), a row into a record, and the lines
 * that are no records (preambles, footers).
 */
#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

static int
nospace(unsigned char c)
{
	(void)c;
	return 0;
}

static void
cb_cell(void *s, size_t len, void *data)
{
	crm_reader_t *r = data;

	if (r->ncells == r->offcap) {
		size_t cap = r->offcap ? r->offcap * 2 : 32;
		size_t *o = realloc(r->off, cap * sizeof *o);
		if (!o) {
			snprintf(r->cell_err, sizeof r->cell_err, "out of memory");
			return;
		}
		r->off = o;
		r->offcap = cap;
	}
	r->off[r->ncells++] = r->cells.len;
	if (s && len && memchr(s, '\0', len) && !r->cell_err[0])
		snprintf(r->cell_err, sizeof r->cell_err, "NUL byte in field %zu%s", r->ncells,
		         enc_hint((const unsigned char *)""));
	if (r->delim == '\t' && s && len) {
		/*
		 * TSV: \t, \n, \r and \\ stand for a TAB, a LF, a CR and a
		 * backslash; a field in double quotes, from its first byte to its
		 * last, is read without them, its doubled quotes made one.
		 */
		const char *c = s, *e = c + len;
		int quoted = len >= 2 && *c == '"' && e[-1] == '"';
		if (quoted)
			c++, e--;
		for (; c < e; c++) {
			char x = *c;
			if (quoted && x == '"' && c + 1 < e && c[1] == '"')
				c++;
			else if (x == '\\' && c + 1 < e && c[1] && strchr("tnr\\", c[1])) {
				c++;
				x = *c == 't' ? '\t' : *c == 'n' ? '\n' : *c == 'r' ? '\r' : '\\';
			}
			buf_addc(&r->cells, x);
		}
		if (buf_addc(&r->cells, '\0'))
			snprintf(r->cell_err, sizeof r->cell_err, "out of memory");
		return;
	}
	if (buf_add(&r->cells, s ? s : "", s ? len : 0) || buf_addc(&r->cells, '\0'))
		snprintf(r->cell_err, sizeof r->cell_err, "out of memory");
}

static void
cb_row(int c, void *data)
{
	(void)c;
	((crm_reader_t *)data)->rec_ready = 1;
}

/*
 * Read fields parted by d: CSV's quoting, or none for TSV (0xff, the
 * quote then, is no byte of UTF-8).
 */
static void
set_delim(crm_reader_t *r, int d)
{
	r->delim = d;
	csv_set_delim(&r->csv, (unsigned char)d);
	csv_set_quote(&r->csv, d == '\t' ? 0xff : '"');
}

static void
csv_restart(crm_reader_t *r)
{
	if (r->csv_on)
		csv_free(&r->csv);
	csv_init(&r->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL);
	csv_set_space_func(&r->csv, nospace);
	if (!r->delim)
		r->delim = r->format == CRM_IN_TSV ? '\t' : ',';
	set_delim(r, r->delim);
	/* libcsv grows a field by this much at a time: large steps, few copies. */
	csv_set_blk_size(&r->csv, 1 << 18);
	r->csv_on = 1;
}

/*
 * The delimiter of a header line: of comma, semicolon and TAB, the one
 * found most often outside double quotes; a comma on a tie or none.
 */
static int
sniff_delim(const char *s, size_t n)
{
	size_t comma = 0, semi = 0, tab = 0;
	int in = 0;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '"')
			in = !in;
		else if (!in)
			comma += s[i] == ',', semi += s[i] == ';', tab += s[i] == '\t';
	}
	if (comma >= semi && comma >= tab)
		return ',';
	return tab >= semi ? '\t' : ';';
}

static void
clear_cells(crm_reader_t *r)
{
	r->ncells = 0;
	buf_reset(&r->cells);
	r->cell_err[0] = '\0';
	r->rec_ready = 0;
}

static const char *
col_label(crm_reader_t *r, size_t i)
{
	return i < r->ncols ? r->cols[i].name : "?";
}

/*
 * What a column of an event file holds: party_id names the party; event
 * fields (and their synonyms) come first, so that "type" is the event's;
 * then the party fields that name or describe the party; the rest are the
 * event's attributes.  The event's own id is never read.
 */
static int
event_column(crm_reader_t *r, struct col *c, const char *key, int mapped)
{
	if (!strcmp(key, "party_id")) {
		c->kind = COL_PARTY_ID;
		return CRM_OK;
	}
	if (!strncmp(key, "attrs.", 6) && key[6]) {
		char *k = strdup(key + 6);
		if (!k)
			return CRM_NOMEM;
		free(c->name);
		c->name = k;
		c->kind = COL_ATTR;
		return CRM_OK;
	}
	int ef = mapped ? crm_event_field_lookup(key) : event_field_synonym(key);
	int f = ef < 0 ? crm_field_lookup(key, !mapped) : -1;
	if (ef == CRM_E_ID || (f >= 0 && !event_party_field(f))) {
		c->kind = COL_IGNORE;
	} else if (ef == CRM_E_ATTRS) {
		c->kind = COL_ATTRS_JSON;
	} else if (ef >= 0) {
		c->kind = COL_EVENT;
		c->field = ef;
	} else if (f >= 0) {
		c->kind = COL_FIELD;
		c->field = f;
	} else {
		c->kind = COL_ATTR;
		return note_unknown(r, c->name);
	}
	for (size_t j = 0; j < (size_t)(c - r->cols); j++)
		if (r->cols[j].kind == c->kind && r->cols[j].field == c->field &&
		    (c->kind == COL_EVENT || c->kind == COL_FIELD))
			c->kind = COL_IGNORE;       /* the first column for a field wins */
	return CRM_OK;
}

static int
set_header(crm_reader_t *r)
{
	/* Whether a "Job Title" column is there, or Salesforce's AccountId (see below). */
	r->job_title = 0;
	int salesforce = 0, told = 0, shop_cols = 0;
	for (size_t i = 0; i < r->ncells; i++) {
		char fk[64];
		fold_header(cell(r, i), fk, sizeof fk);
		r->job_title |= !strcmp(fk, "job_title");
		salesforce |= !strcmp(fk, "accountid") || !strcmp(fk, "account_id") ||
		              !strncmp(fk, "mailing", 7);
		told |= r->preset && !strcmp(fk, r->preset->column);
		shop_cols |= (!strcmp(fk, "financial_status") ? 1 : 0) |
		             (!strcmp(fk, "lineitem_name") ? 2 : 0) | (!strcmp(fk, "name") ? 4 : 0);
	}
	/* Shopify's orders, by their header: read as such without --from. */
	if (r->events && !r->preset && shop_cols == 7) {
		r->preset = &crm_event_presets[0];
		told = 1;
	}
	r->shop = r->events && r->preset && !strcmp(r->preset->name, "shopify");
	if (r->use_party_id && !r->events) {
		int has_id = 0, has_pid = 0;
		const char *ev = NULL;
		for (size_t i = 0; i < r->ncells; i++) {
			has_id |= !strcasecmp(cell(r, i), "id");
			has_pid |= !strcasecmp(cell(r, i), "party_id");
			if (!ev && event_only_key(cell(r, i)))
				ev = cell(r, i);
		}
		if (has_id && !has_pid && ev)
			return reader_fail(r, r->rec_line, "records of events (column '%s') without party_id: their"
			            " id is the event's, which names no party", ev);
	}
	/* --from NAME: the header must be that export's. */
	if (r->preset && !told)
		return reader_fail(r, r->rec_line, "not a %s export: no column '%s' in the header",
		            r->preset->name, r->preset->label);
	if (r->preset && !strcmp(r->preset->name, "salesforce"))
		salesforce = 1;
	char msg[300];

	if (r->cell_err[0])
		return reader_fail(r, r->rec_line, "header: %s", r->cell_err);
	/* A --map column that the header does not have: a usage error, said. */
	for (size_t m = 0; m < r->map_from.n; m++) {
		size_t i;
		for (i = 0; i < r->ncells; i++) {
			const char *x = cell(r, i);
			size_t n = strlen(r->map_from.v[m]);
			while (*x == ' ')
				x++;
			if (!strncasecmp(x, r->map_from.v[m], n) && strspn(x + n, " ") == strlen(x + n))
				break;
		}
		if (i < r->ncells)
			continue;
		struct buf h = {0};
		for (i = 0; i < r->ncells && h.len < 300; i++) {
			const char *x = cell(r, i);
			size_t n;
			while (*x == ' ')
				x++;
			for (n = strlen(x); n && x[n - 1] == ' '; n--)
				;
			buf_adds(&h, i ? ", " : "");
			if (n)
				buf_add(&h, x, n);
			else
				buf_adds(&h, "''");
		}
		if (i < r->ncells)
			buf_adds(&h, ", ...");
		snprintf(r->err, sizeof r->err, "%ld: --map: no column '%s' in the header (%s)",
		         r->rec_line, r->map_from.v[m], h.p && !h.err ? h.p : "");
		buf_free(&h);
		return CRM_USAGE;
	}
	if (!(r->cols = calloc(r->ncells, sizeof *r->cols)))
		return CRM_NOMEM;
	r->ncols = r->ncells;
	for (size_t i = 0; i < r->ncells; i++) {
		const char *h = cell(r, i);
		struct col *c = &r->cols[i];
		const char *to = NULL;
		long bad = utf8_check(h, cell_len(r, i));

		if (bad >= 0)
			return reader_fail(r, r->rec_line, "header: invalid UTF-8 in column %zu%s", i + 1,
			            enc_hint((const unsigned char *)h + bad));
		while (*h == ' ')
			h++;
		if (*h)
			c->name = strdup(h);
		else {
			snprintf(msg, sizeof msg, "column%zu", i + 1);
			c->name = strdup(msg);
		}
		if (!c->name)
			return CRM_NOMEM;
		size_t n = strlen(c->name);
		while (n && c->name[n - 1] == ' ')
			c->name[--n] = '\0';
		for (size_t m = 0; m < r->map_from.n; m++)
			if (!strcasecmp(r->map_from.v[m], c->name))
				to = r->map_to.v[m];
		const char *key = to ? to : c->name;
		if (to && (!*to || !strcmp(to, "-"))) {
			c->kind = COL_IGNORE;
			continue;
		}
		if (r->shop && !to) {
			if (shop_column(c))
				return CRM_NOMEM;
			continue;
		}
		if (r->events) {
			int rc = event_column(r, c, key, to != NULL);
			if (rc)
				return rc;
			continue;
		}
		if (!strncmp(key, "attrs.", 6) && key[6]) {
			c->kind = COL_ATTR;
			char *k = strdup(key + 6);
			if (!k)
				return CRM_NOMEM;
			free(c->name);
			c->name = k;
			continue;
		}
		if (r->use_party_id && !strcmp(key, "party_id")) {
			c->kind = COL_PARTY_ID;     /* an event's party: it names the party */
			continue;
		}
		/*
		 * Mailchimp: the time of an unsubscription (or of a cleaning) makes
		 * the tag unsubscribed (cleaned) and the attribute unsubscribed_at
		 * (cleaned_at); nothing in any list adds a subscription.
		 */
		if (!to && (!strcasecmp(key, "UNSUB_TIME") || !strcasecmp(key, "CLEAN_TIME"))) {
			c->kind = COL_UNSUB;
			c->field = toupper((unsigned char)*key) == 'U';
			continue;
		}
		int more = to ? -1 : more_ident(key);
		/* With a "Job Title" (Outlook), "Title" is the courtesy title: an attribute. */
		char fk[64];
		fold_header(key, fk, sizeof fk);
		if (!to && !strcmp(fk, "title") && r->job_title) {
			c->kind = COL_ATTR;
			continue;
		}
		/* Salesforce's record Id (0035g00000AbCdE) is its id there: the ext_id here. */
		if (!to && salesforce && !strcmp(fk, "id") && !r->events) {
			c->kind = COL_FIELD;
			c->field = CRM_F_EXT_ID;
			continue;
		}
		if (more != -1) {
			c->kind = more == -2 ? COL_IGNORE : COL_MORE;
			c->field = more;
			continue;
		}
		int f = crm_field_lookup(key, 1);
		int own = to || (f >= 0 && !strcmp(fk, crm_field_name(f)));
		/*
		 * Two columns for one field: when one of them is the field's own
		 * name (email and " email ", Email and E-mail, email and Email
		 * Address) a value would be lost: refused, --map says which is
		 * which.  Two other names of one field (an export's Business City
		 * and Home City): the first is the field, the next an attribute.
		 */
		for (size_t j = 0; f >= 0 && j < i; j++)
			if (r->cols[j].kind == COL_FIELD && r->cols[j].field == f && !own &&
			    !r->cols[j].own)
				f = -1;
			else if ((r->cols[j].kind == COL_FIELD && r->cols[j].field == f) ||
			         (r->cols[j].kind == COL_ATTRS_JSON && f == CRM_F_ATTRS))
				return reader_fail(r, r->rec_line, "header: columns %zu '%s' and %zu '%s' are both"
				            " the field %s: one value would be lost (say which is which"
				            " with --map)", j + 1, cell(r, j), i + 1, cell(r, i),
				            crm_field_name(f));
		if (f == CRM_F_ATTRS) {
			c->kind = COL_ATTRS_JSON;
		} else if (f >= 0) {
			c->kind = COL_FIELD;
			c->field = f;
			c->own = own;
		} else {
			c->kind = COL_ATTR;
			if (note_unknown(r, c->name))
				return CRM_NOMEM;
		}
	}
	/* Two columns for one attribute: the same. */
	for (size_t i = 0; i < r->ncols; i++)
		for (size_t j = 0; j < i && r->cols[i].kind == COL_ATTR; j++)
			if (r->cols[j].kind == COL_ATTR && !strcmp(r->cols[j].name, r->cols[i].name))
				return reader_fail(r, r->rec_line, "header: columns %zu '%s' and %zu '%s' are both"
				            " the attribute '%s': one value would be lost (say which is"
				            " which with --map)", j + 1, cell(r, j), i + 1, cell(r, i),
				            r->cols[i].name);
	r->have_header = 1;
	return CRM_OK;
}

/* Whether the CSV columns name an event's party: then "id" is the event's. */
static int
has_party_id(crm_reader_t *r)
{
	for (size_t i = 0; i < r->ncols; i++)
		if (r->cols[i].kind == COL_PARTY_ID)
			return 1;
	return 0;
}

static int
csv_record(crm_reader_t *r, crm_party_t **out)
{
	char q[96];
	crm_party_t *p;
	int rc;

	if (r->cell_err[0])
		return reader_fail(r, r->rec_line, "%s", r->cell_err);
	if (r->ncells != r->ncols)
		return reader_fail(r, r->rec_line, "expected %zu fields, found %zu", r->ncols, r->ncells);
	for (size_t i = 0; i < r->ncells; i++) {
		long bad = utf8_check(cell(r, i), cell_len(r, i));
		if (bad >= 0)
			return reader_fail(r, r->rec_line, "invalid UTF-8 in field '%s'%s", col_label(r, i),
			            enc_hint((const unsigned char *)cell(r, i) + bad));
	}
	if (!(p = crm_party_new()))
		return CRM_NOMEM;
	if (r->events && !(p->ev = crm_event_new())) {
		crm_party_free(p);
		return CRM_NOMEM;
	}
	json_t **attrs = r->events ? &p->ev->attrs : &p->attrs;
	for (int i = 0; i < SHOP_NCOLS; i++) {
		free(r->shop_col[i]);
		r->shop_col[i] = NULL;
	}
	for (size_t i = 0; i < r->ncells; i++) {
		const char *v = cell(r, i);
		struct col *c = &r->cols[i];
		size_t vn;
		/* Empty, or white space alone: no value (a printable ASCII byte first is one). */
		if (!*v || c->kind == COL_IGNORE ||
		    (((unsigned char)*v <= ' ' || (unsigned char)*v >= 0x80) &&
		     (white_trim(v, &vn), !vn)))
			continue;
		rc = CRM_OK;
		if (c->kind == COL_SHOP) {
			free(r->shop_col[c->field]);
			if (!(r->shop_col[c->field] = strdup(v)))
				rc = CRM_NOMEM;
		} else if (c->kind == COL_EVENT) {
			rc = crm_event_set(p->ev, c->field, v);
		} else if (c->kind == COL_ATTR) {
			rc = r->events ? crm_event_set_attr(p->ev, c->name, v) :
			                 crm_party_set_attr(p, c->name, v);
		} else if (c->kind == COL_ATTRS_JSON) {
			json_error_t je;
			json_t *o = json_depth(v, strlen(v), MAXDEPTH) > MAXDEPTH ? NULL :
			            crm_json_load(v, strlen(v), JSON_REJECT_DUPLICATES, &je);
			if (!o || !json_is_object(o)) {
				json_decref(o);
				crm_party_free(p);
				return reader_fail(r, r->rec_line, "field 'attrs' is not a JSON object");
			}
			const char *k;
			json_t *x;
			if (!*attrs)
				*attrs = json_object();
			json_object_foreach(o, k, x)
				if (*attrs && !json_object_get(*attrs, k))
					json_object_set(*attrs, k, x);
			json_decref(o);
		} else if (c->kind == COL_PARTY_ID || c->field == CRM_F_ID) {
			int64_t id;
			if (c->kind != COL_PARTY_ID && (r->events || has_party_id(r)))
				continue;       /* the event's own id: not the party's */
			if (!parse_id(v, &id)) {
				crm_party_free(p);
				return reader_fail(r, r->rec_line, "invalid %s '%s'", c->name, quoted(v, q, sizeof q));
			}
			if (c->kind == COL_PARTY_ID || !has_party_id(r))
				p->id = id;
		} else if (c->kind == COL_MORE) {
			rc = add_more(p, c->field, v);
		} else if (c->kind == COL_UNSUB) {
			rc = crm_party_add_tag(p, c->field ? "unsubscribed" : "cleaned");
			if (!rc)
				rc = crm_party_set_attr(p, c->field ? "unsubscribed_at" : "cleaned_at", v);
		} else if (c->field == CRM_F_BIRTHDATE && strchr(v, '/')) {
			/*
			 * 3/1/1990 is March or January: read in the order of the export
			 * --from names, else not guessed, kept as text in
			 * attrs.birthdate_text; 0/0/00, Outlook's no date, is none.
			 */
			char iso[11];
			if (preset_date(r, v, iso))
				rc = crm_party_set(p, CRM_F_BIRTHDATE, iso);
			else if (strspn(v, "0/ ") != strlen(v) &&
			         !(rc = crm_party_set_attr(p, "birthdate_text", v)))
				rc = note_unknown(r, "birthdate_text");
		} else if (c->field == CRM_F_TAGS) {
			rc = add_tags(p, v);
		} else if ((c->field == CRM_F_EMAIL || c->field == CRM_F_PHONE) && p->v[c->field]) {
			/* The named column is the first; what came before it is one more. */
			char *earlier = p->v[c->field];
			p->v[c->field] = NULL;
			rc = crm_party_set(p, c->field, v);
			if (!rc)
				rc = attr_push(p, c->field == CRM_F_EMAIL ? "emails" : "phones", earlier);
			free(earlier);
		} else if (c->field == CRM_F_ORG_ID || c->field == CRM_F_UPDATED ||
		           CRM_FIELD_IS_FACT(c->field)) {
			continue;               /* derived by the store */
		} else if (c->field == CRM_F_CREATED) {
			rc = set_created(p, v);
		} else {
			rc = crm_party_set(p, c->field, v);
		}
		if (rc) {
			crm_party_free(p);
			return rc;
		}
	}
	p->utf8_ok = 1;
	*out = p;
	return CRM_OK;
}

int
csv_next(crm_reader_t *r, crm_party_t **out)
{
	int rc;

	if (!r->csv_on)
		csv_restart(r);
	for (;;) {
		if (r->rec_ready) {
			int header = !r->have_header;
			/*
			 * Lines that are no records: before the header, a single cell
			 * that ends in ':' or is a sentence (LinkedIn's notes); after
			 * a blank line among the records, single cells (a report's
			 * totals, copyright and disclaimer lines).  Said, not read.
			 */
			if (r->ncells == 1 && !r->map_from.n) {
				const char *c0 = cell(r, 0);
				size_t l0 = strlen(c0);
				int pre = header && r->rec_line <= 20 && l0 &&
				          (c0[l0 - 1] == ':' || l0 > 40);
				int foot = !header && r->ncols >= 2 && (r->blank_before || r->in_footer);
				if (pre || foot) {
					r->in_footer |= foot;
					rc = note_skipped(r, r->rec_line, c0, pre ? "before the header" :
					                  "after the records");
					clear_cells(r);
					r->blank_before = 0;
					if (rc)
						return rc;
					continue;
				}
			}
			r->blank_before = 0;
			if (header) {
				if ((rc = buf_add(&r->header, r->raw.p, r->raw.len)))
					return rc;
				rc = set_header(r);
				clear_cells(r);
				if (rc) {
					/* Rows cannot be read without their header. */
					r->fatal = 1;
					r->eof = 1;
					r->ipos = r->ilen;
					return rc;
				}
				continue;
			}
			int more = 0;
			if (r->shop && (rc = shop_line_item(r, &more)))
				return rc;
			if (more) {
				clear_cells(r);
				continue;       /* one more line item of the order before */
			}
			rc = csv_record(r, out);
			clear_cells(r);
			if (rc == CRM_OK && r->shop && (rc = shop_order(r, out)) == CRM_OK && !*out)
				continue;       /* a voided order */
			return rc;
		}
		int at_start = r->csv.pstate == 0;
		int got = reader_line(r, 1);
		if (got < 0)
			return reader_io_fail(r);
		if (got == 0) {
			if (csv_fini(&r->csv, cb_cell, cb_row, r) != 0) {
				csv_restart(r);
				clear_cells(r);
				return reader_fail(r, r->rec_line, "unterminated quoted field");
			}
			if (r->rec_ready)
				continue;
			return CRM_EOF;
		}
		if (at_start) {
			if (blank(r->line.p ? r->line.p : "", r->line.len) && !r->line_long) {
				r->blank_before = 1;
				continue;
			}
			r->rec_line = r->lineno;
			buf_reset(&r->raw);
			/* Till the header is read, each line says its delimiter (CSV, not TSV). */
			if (!r->have_header && r->format != CRM_IN_TSV)
				set_delim(r, sniff_delim(r->line.p, r->line.len));
		}
		if (r->line_long || r->raw.len + r->line.len > MAXREC) {
			/*
			 * Skip the rest of the record, following its quotes: an odd
			 * count means the record goes on past this line.
			 */
			long at = r->rec_line;
			size_t q = r->line_lost_quotes;
			for (size_t i = 0; i < r->raw.len; i++)
				q += r->raw.p[i] == '"';
			for (size_t i = 0; i < r->line.len; i++)
				q += r->line.p[i] == '"';
			while (q % 2) {
				if ((got = reader_line(r, 1)) < 0)
					return reader_io_fail(r);
				if (got == 0)
					break;
				q += r->line_lost_quotes;
				for (size_t i = 0; i < r->line.len; i++)
					q += r->line.p[i] == '"';
			}
			csv_restart(r);
			clear_cells(r);
			buf_reset(&r->raw);
			return reader_fail(r, at, "record longer than %d bytes (unterminated quote?); "
			            "not kept in the rejects file", MAXREC);
		}
		if ((rc = buf_add(&r->raw, r->line.p, r->line.len)))
			return rc;
		if (r->delim == '\t' && memchr(r->line.p, 0xff, r->line.len)) {
			/* TSV's no-quote byte: not UTF-8, said as the cells' check would. */
			csv_restart(r);
			clear_cells(r);
			return reader_fail(r, r->rec_line, "invalid UTF-8%s", enc_hint((const unsigned char *)"\xff"));
		}
		size_t n = 0, m;
		/*
		 * A quote inside an unquoted field (41°24'12.2"N) is a character
		 * of it: read past it without strict mode, and on.  A closing quote
		 * followed by text is still an error.
		 */
		while ((m = csv_parse(&r->csv, r->line.p + n, r->line.len - n, cb_cell, cb_row,
		                      r)) != r->line.len - n &&
		       r->csv.pstate == 2 /* FIELD_BEGUN */ && !r->csv.quoted &&
		       r->line.p[n + m] == '"') {
			int opts = csv_get_opts(&r->csv);
			n += m;
			csv_set_opts(&r->csv, (unsigned char)(opts & ~CSV_STRICT));
			r->csv.status = 0;
			m = csv_parse(&r->csv, r->line.p + n, 1, cb_cell, cb_row, r);
			csv_set_opts(&r->csv, (unsigned char)opts);
			if (m != 1)
				break;
			n += m;
		}
		n += m;
		if (n != r->line.len) {
			long at = r->rec_line;
			/* Finish reading a record whose quotes went wrong. */
			csv_restart(r);
			clear_cells(r);
			return reader_fail(r, at, "malformed quoted field (a quote inside a field must be doubled)");
		}
	}
}
