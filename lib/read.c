/* SPDX-License-Identifier: MIT */
/*
 * read.c: the record reader.  CSV through libcsv and JSON Lines through
 * Jansson, one physical line at a time, so that memory stays bounded and
 * every record knows the line it started on and its verbatim bytes; a
 * JSON array element by element, and lists of ids, e-mails or ext_ids
 * one a line.
 */
#include <csv.h>
#include <ctype.h>
#include <errno.h>
#include <iconv.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"

#define MAXREC (16 << 20)       /* longest record or line, in bytes */
#define MAXDEPTH 32             /* deepest JSON nesting of a record */
#define IBUF 65536

#define RING 256                /* records read ahead by the reading thread */
#define RING_BYTES (64 << 20)   /* and at most about this many bytes of them */

/* A record read ahead, with what the accessors tell about it. */
struct slot {
	crm_party_t *p;
	int rc;
	int fatal;
	long line;
	struct buf raw;
	char *err;
	char *unknown;
	char *skipped;
};

static int json_depth(const char *s, size_t n, int max);

/* What a CSV column holds. */
enum { COL_FIELD, COL_ATTR, COL_ATTRS_JSON, COL_IGNORE, COL_PARTY_ID, COL_EVENT, COL_MORE,
       COL_UNSUB, COL_SHOP };

/* The columns of a shop's orders read aside (COL_SHOP's field). */
enum { SHOP_REFUNDED, SHOP_CANCELLED, SHOP_NCOLS };

struct col {
	int kind;
	int field;
	int own;                /* COL_FIELD: the field's own name, or --map's */
	char *name;             /* header text, or the attribute key */
};

struct crm_reader {
	FILE *fp;
	char *name;
	int format;
	char err[600];

	unsigned char ibuf[IBUF];
	size_t ipos, ilen;
	int eof, started;

	/* Input in another encoding, decoded into ibuf (see fill()). */
	iconv_t cd;             /* (iconv_t)-1 when the input is UTF-8 */
	char *enc;              /* its name, for messages */
	unsigned char rbuf[IBUF];
	size_t rlen;
	int raw_eof;
	long bad_line;          /* the line where decoding failed, or 0 */

	struct buf line;        /* the current physical line */
	int line_long;          /* it was longer than MAXREC */
	size_t line_lost_quotes; /* quotes in the part of a long line not kept */
	long lineno;            /* physical lines read */
	long rec_line;          /* where the current record started */
	struct buf raw;         /* the current record, verbatim */
	struct buf header;

	/* vCard: the physical line read ahead, to see whether the next one folds into it */
	struct buf vpend;
	int vpend_on;
	long vpend_line;
	int lone_cr;            /* the last line read ended in a CR alone */

	/* CSV */
	struct csv_parser csv;
	int csv_on;
	struct buf cells;       /* cell bytes, each NUL-terminated */
	size_t *off;
	size_t ncells, offcap;
	int rec_ready;
	char cell_err[300];     /* first problem seen in a cell */
	struct col *cols;
	size_t ncols;
	int have_header;
	int job_title;          /* the header has a "Job Title" */
	int delim;              /* ',', ';' or TAB: from the header line, or TSV's */

	/*
	 * A JSON array (1), or JSON objects over several lines one after the
	 * other, as jq prints them (2): where its reading stands, and its
	 * elements so far.
	 */
	int jarray;
	int jstate;             /* 0 outside an array, 1 after '[', 2 after an element, 3 after ',' */
	long jelems;

	/* a list, one id, e-mail or ext_id a line: its first line is a header */
	int lines_header;
	const struct crm_preset *preset;  /* --from NAME */
	int shop;               /* a shop's orders (Shopify): one purchase an order */
	char *shop_col[SHOP_NCOLS];     /* this row's values of the COL_SHOP columns */
	char *shop_last;        /* the order of the row before */
	crm_party_t *pending;   /* a refund to hand out after its order */
	int refund_now;         /* the record in hand is such a refund */

	/* --map */
	struct strv map_from, map_to;
	unsigned long long map_seen;    /* bit m: a JSON record had the key map_from.v[m] */
	long nrecords;          /* records read, good or bad */

	/* unknown columns or keys, and how many were already reported */
	struct strv unknown;
	size_t unknown_told;
	struct buf unknown_list;
	/* lines that are no records (preambles, footers), and how many were reported */
	struct strv skipped;
	size_t skipped_told;
	struct buf skipped_list;
	int blank_before;       /* a blank line came before the record in hand */
	int had_bom;            /* the input began with a UTF-8 byte-order mark */
	int in_footer;          /* lines after the records are being skipped */

	/* read-ahead: a thread fills ring[], the caller takes from it */
	int fatal;              /* the last error ends the input */
	int party_id_seen;      /* this JSON record has a party_id */
	int use_party_id;       /* a party_id names the party (crm_reader_party_id()) */
	int events;             /* event records (crm_reader_events()) */
	int map_events;         /* --map may name event fields */
	crm_event_t *ev_over;   /* event fields laid over every event record */
	int async;
	pthread_t thread;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	struct slot ring[RING];
	size_t head, count;
	int stop, ended;
	int prod_waits, cons_waits;
	size_t queued;          /* raw bytes of the records in the ring */
	crm_check_fn *check;
	void *check_ctx;
	struct slot cur;        /* the record last handed out */
};

static int
fail(crm_reader_t *r, long line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
fail(crm_reader_t *r, long line, const char *fmt, ...)
{
	va_list ap;
	int n = snprintf(r->err, sizeof r->err, "%ld: ", line);

	va_start(ap, fmt);
	vsnprintf(r->err + n, sizeof r->err - (size_t)n, fmt, ap);
	va_end(ap);
	return CRM_BADINPUT;
}

/* A read error: the message names the system error; CRM_IO. */
static int
io_fail(crm_reader_t *r)
{
	/* Bytes that are not of the encoding end the input: bad input, not a read error. */
	if (r->cd != (iconv_t)-1 && r->bad_line) {
		r->fatal = 1;
		r->rec_line = r->bad_line;
		return fail(r, r->bad_line, "not valid %s%s", r->enc,
		            strncasecmp(r->enc, "UTF-", 4) ? "; is --encoding right?" : "");
	}
	snprintf(r->err, sizeof r->err, "%ld: read error: %s", r->lineno, strerror(errno));
	return CRM_IO;
}

const char *
crm_reader_error(const crm_reader_t *r)
{
	if (r->async)
		return r->cur.err ? r->cur.err : "";
	return r->err;
}

int
crm_reader_fatal(const crm_reader_t *r)
{
	return r->async ? r->cur.fatal : r->fatal;
}

long
crm_reader_line(const crm_reader_t *r)
{
	return r->async ? r->cur.line : r->rec_line;
}

const char *
crm_reader_raw(const crm_reader_t *r, size_t *len)
{
	const struct buf *b = r->async ? &r->cur.raw : &r->raw;

	*len = b->len;
	return b->p ? b->p : "";
}

const char *
crm_reader_header(const crm_reader_t *r)
{
	return r->header.len ? r->header.p : NULL;
}

int
crm_reader_format(const crm_reader_t *r)
{
	return r->format;
}

static const char *unknown_sync(crm_reader_t *w);

const char *
crm_reader_unknown(const crm_reader_t *r)
{
	if (r->async)
		return r->cur.unknown;
	return unknown_sync((crm_reader_t *)r);
}

/* The notes added since the last call, joined by sep into out; NULL for none. */
static const char *
news(const struct strv *notes, size_t *told, struct buf *out, const char *sep)
{
	if (*told == notes->n)
		return NULL;
	buf_reset(out);
	for (size_t i = *told; i < notes->n; i++) {
		if (i > *told)
			buf_adds(out, sep);
		buf_adds(out, notes->v[i]);
	}
	*told = notes->n;
	return out->p;
}

static const char *
unknown_sync(crm_reader_t *w)
{
	return news(&w->unknown, &w->unknown_told, &w->unknown_list, ", ");
}

/* The lines skipped since the last call, "; "-separated; NULL for none. */
static const char *
skipped_sync(crm_reader_t *w)
{
	return news(&w->skipped, &w->skipped_told, &w->skipped_list, "; ");
}

const char *
crm_reader_skipped(const crm_reader_t *r)
{
	if (r->async)
		return r->cur.skipped;
	return skipped_sync((crm_reader_t *)r);
}

/* A line that is no record: said once, with its number and its text. */
static int
note_skipped(crm_reader_t *r, long line, const char *text, const char *why)
{
	char q[96], m[200];

	if (r->skipped.n > 1000)
		return CRM_OK;
	snprintf(m, sizeof m, "line %ld '%s' (%s)", line, quoted(text, q, sizeof q), why);
	return strv_push(&r->skipped, m);
}

static int
note_unknown(crm_reader_t *r, const char *key)
{
	if (strv_has(&r->unknown, key) || r->unknown.n > 1000)
		return CRM_OK;
	return strv_push(&r->unknown, key);
}

static int
parse_map(crm_reader_t *r, const char *map)
{
	char *copy = strdup(map), *save = NULL, *item;

	if (!copy)
		return CRM_NOMEM;
	for (item = strtok_r(copy, ",", &save); item; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (!eq || eq == item) {
			snprintf(r->err, sizeof r->err, "bad --map item '%s' (want From=to)", item);
			free(copy);
			return CRM_USAGE;
		}
		*eq = '\0';
		const char *to = eq + 1;
		if (*to && strcmp(to, "-") && crm_field_lookup(to, 0) < 0 && strncmp(to, "attrs.", 6) &&
		    (!r->map_events || crm_event_field_lookup(to) < 0)) {
			snprintf(r->err, sizeof r->err, "--map: unknown field '%s'", to);
			free(copy);
			return CRM_USAGE;
		}
		if (strv_push(&r->map_from, item) || strv_push(&r->map_to, to)) {
			free(copy);
			return CRM_NOMEM;
		}
	}
	free(copy);
	return CRM_OK;
}

int
crm_map_check(const char *map, int events, char *msg, size_t len)
{
	/* A reader is large: on the heap, not the stack. */
	crm_reader_t *r = calloc(1, sizeof *r);
	int rc;

	if (!r) {
		msgf(msg, len, "%s", crm_status_str(CRM_NOMEM));
		return CRM_NOMEM;
	}
	r->map_events = events;
	rc = parse_map(r, map);
	if (rc)
		msgf(msg, len, "%s", r->err[0] ? r->err : crm_status_str(rc));
	strv_clear(&r->map_from);
	strv_clear(&r->map_to);
	free(r);
	return rc;
}

int
crm_reader_open(FILE *fp, const char *name, int format, const char *map, crm_reader_t **out)
{
	crm_reader_t *r = calloc(1, sizeof *r);
	int rc;

	*out = r;
	if (!r)
		return CRM_NOMEM;
	r->cd = (iconv_t)-1;
	r->fp = fp;
	r->format = format;
	if (!(r->name = strdup(name ? name : "-")))
		return CRM_NOMEM;
	r->map_events = 1;      /* checked by crm_map_check(): events or not, later */
	if (map && (rc = parse_map(r, map)))
		return rc;
	return CRM_OK;
}

static void
slot_clear(struct slot *sl)
{
	crm_party_free(sl->p);
	sl->p = NULL;
	free(sl->err);
	sl->err = NULL;
	free(sl->unknown);
	sl->unknown = NULL;
	free(sl->skipped);
	sl->skipped = NULL;
}

void
crm_reader_free(crm_reader_t *r)
{
	if (!r)
		return;
	if (r->async) {
		pthread_mutex_lock(&r->mu);
		r->stop = 1;
		pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		pthread_join(r->thread, NULL);
		for (size_t i = 0; i < RING; i++) {
			slot_clear(&r->ring[i]);
			buf_free(&r->ring[i].raw);
		}
		slot_clear(&r->cur);
		buf_free(&r->cur.raw);
		pthread_mutex_destroy(&r->mu);
		pthread_cond_destroy(&r->cv);
	}
	if (r->csv_on)
		csv_free(&r->csv);
	for (size_t i = 0; i < r->ncols; i++)
		free(r->cols[i].name);
	free(r->cols);
	free(r->off);
	buf_free(&r->cells);
	buf_free(&r->line);
	buf_free(&r->raw);
	buf_free(&r->header);
	buf_free(&r->vpend);
	buf_free(&r->unknown_list);
	buf_free(&r->skipped_list);
	strv_clear(&r->skipped);
	strv_clear(&r->map_from);
	strv_clear(&r->map_to);
	strv_clear(&r->unknown);
	crm_event_free(r->ev_over);
	for (int i = 0; i < SHOP_NCOLS; i++)
		free(r->shop_col[i]);
	free(r->shop_last);
	crm_party_free(r->pending);
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->enc);
	free(r->name);
	free(r);
}

/* Decode the input from enc (an encoding iconv knows) into UTF-8. */
static int
set_encoding(crm_reader_t *r, const char *enc)
{
	if (r->cd != (iconv_t)-1)
		iconv_close(r->cd);
	free(r->enc);
	r->enc = NULL;
	if ((r->cd = iconv_open("UTF-8", enc)) == (iconv_t)-1) {
		snprintf(r->err, sizeof r->err, "unknown encoding '%s' (iconv -l lists them)", enc);
		return CRM_USAGE;
	}
	return (r->enc = strdup(enc)) ? CRM_OK : CRM_NOMEM;
}

int
crm_encoding_check(const char *enc)
{
	iconv_t cd = iconv_open("UTF-8", enc);

	if (cd == (iconv_t)-1)
		return CRM_USAGE;
	iconv_close(cd);
	return CRM_OK;
}

int
crm_reader_encoding(crm_reader_t *r, const char *enc)
{
	/* UTF-8 needs no decoding: its byte-order mark is skipped as ever. */
	if (!strcasecmp(enc, "utf-8") || !strcasecmp(enc, "utf8"))
		return CRM_OK;
	return set_encoding(r, enc);
}

/*
 * Decode more of the input into ibuf.  A byte sequence that is not of
 * the encoding stops the input, with the line where it was met.
 */
static int
fill_decoded(crm_reader_t *r)
{
	for (;;) {
		if (!r->raw_eof && r->rlen < sizeof r->rbuf) {
			size_t n = fread(r->rbuf + r->rlen, 1, sizeof r->rbuf - r->rlen, r->fp);
			r->rlen += n;
			if (!n) {
				if (ferror(r->fp))
					return -1;
				r->raw_eof = 1;
			}
		}
		char *in = (char *)r->rbuf, *out = (char *)r->ibuf;
		size_t inleft = r->rlen, outleft = IBUF;
		size_t k = iconv(r->cd, &in, &inleft, &out, &outleft);
		int e = errno;
		memmove(r->rbuf, in, inleft);
		r->rlen = inleft;
		r->ilen = IBUF - outleft;
		r->ipos = 0;
		if (k == (size_t)-1 && (e == EILSEQ || (e == EINVAL && r->raw_eof))) {
			/*
			 * What was decoded is read first; then the error, on the line
			 * after those the decoded part ends.
			 */
			if (!r->bad_line) {
				r->bad_line = r->lineno + 1;
				for (size_t i = 0; i < r->ilen; i++)
					r->bad_line += r->ibuf[i] == '\n' ||
					               (r->ibuf[i] == '\r' && (i + 1 == r->ilen || r->ibuf[i + 1] != '\n'));
			}
			if (r->ilen)
				return (int)r->ilen;
			r->eof = 1;
			errno = EILSEQ;
			return -1;
		}
		if (r->ilen)
			return (int)r->ilen;
		if (r->raw_eof && !r->rlen) {
			r->eof = 1;
			return 0;
		}
	}
}

static int
fill(crm_reader_t *r)
{
	if (r->eof)
		return 0;
	if (r->cd != (iconv_t)-1)
		return fill_decoded(r);
	r->ilen = fread(r->ibuf, 1, IBUF, r->fp);
	r->ipos = 0;
	if (r->ilen == 0) {
		r->eof = 1;
		if (ferror(r->fp))
			return -1;
	}
	return (int)r->ilen;
}

/*
 * Read one physical line with its terminator into r->line.  Lines end at
 * LF, CRLF, or (for CSV) a lone CR.  Returns 1, 0 at the end, -1 on error.
 */
static int
read_line1(crm_reader_t *r, int cr_ends)
{
	buf_reset(&r->line);
	r->line_long = 0;
	r->line_lost_quotes = 0;
	for (;;) {
		if (r->ipos == r->ilen) {
			int n = fill(r);
			if (n < 0)
				return -1;
			if (n == 0)
				break;
		}
		unsigned char *s = r->ibuf + r->ipos, *e = r->ibuf + r->ilen;
		unsigned char *nl = memchr(s, '\n', (size_t)(e - s));
		unsigned char *cr = cr_ends ? memchr(s, '\r', (size_t)((nl ? nl : e) - s)) : NULL;
		unsigned char *end = NULL;
		if (cr) {
			if (cr + 1 < e) {
				end = cr[1] == '\n' ? cr + 2 : cr + 1;
			} else {
				/* CR at the end of the buffer: look at the next byte. */
				size_t k = (size_t)(cr + 1 - s);
				if (!r->line_long && buf_add(&r->line, s, k))
					return -1;
				r->ipos += k;
				if (r->ipos == r->ilen && fill(r) < 0)
					return -1;
				if (r->ipos < r->ilen && r->ibuf[r->ipos] == '\n') {
					if (!r->line_long && buf_addc(&r->line, '\n'))
						return -1;
					r->ipos++;
				}
				r->lineno++;
				return 1;
			}
		} else if (nl) {
			end = nl + 1;
		}
		size_t k = (size_t)((end ? end : e) - s);
		if (r->line.len + k > MAXREC)
			r->line_long = 1;
		if (!r->line_long && buf_add(&r->line, s, k))
			return -1;
		if (r->line_long)
			for (size_t i = 0; i < k; i++)
				r->line_lost_quotes += s[i] == '"';
		r->ipos += k;
		if (end) {
			r->lineno++;
			return 1;
		}
	}
	if (r->line.len || r->line_long) {
		r->lineno++;
		return 1;
	}
	return 0;
}

/*
 * A line as read_line1() reads it; with cr_ends 2 (vCard), CR CR LF, as
 * the iPhone ends the lines of its vCards, is one line end, not two.
 */
static int
read_line(crm_reader_t *r, int cr_ends)
{
	for (;;) {
		int lone_cr = r->lone_cr;
		int got = read_line1(r, cr_ends);
		r->lone_cr = got == 1 && r->line.len && r->line.p[r->line.len - 1] == '\r';
		if (got == 1 && cr_ends == 2 && lone_cr && r->line.len == 2 &&
		    !memcmp(r->line.p, "\r\n", 2)) {
			r->lineno--;
			r->lone_cr = 0;
			continue;
		}
		return got;
	}
}

static int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

/* Strip a UTF-8 byte-order mark; refuse other encodings' marks. */
static int
check_bom(crm_reader_t *r)
{
	unsigned char *s;
	size_t n;

	if (r->ilen - r->ipos < 4 && fill(r) < 0)
		return CRM_IO;
	s = r->ibuf + r->ipos;
	n = r->ilen - r->ipos;
	if (n >= 3 && s[0] == 0xef && s[1] == 0xbb && s[2] == 0xbf) {
		r->ipos += 3;
		r->had_bom = 1;
		return CRM_OK;
	}
	/* UTF-16 and UTF-32 with a byte-order mark are decoded; the mark goes. */
	const char *enc = NULL;
	size_t bom = 0;
	if (n >= 4 && !memcmp(s, "\xff\xfe\0\0", 4))
		enc = "UTF-32LE", bom = 4;
	else if (n >= 4 && !memcmp(s, "\0\0\xfe\xff", 4))
		enc = "UTF-32BE", bom = 4;
	else if (n >= 2 && s[0] == 0xff && s[1] == 0xfe)
		enc = "UTF-16LE", bom = 2;
	else if (n >= 2 && s[0] == 0xfe && s[1] == 0xff)
		enc = "UTF-16BE", bom = 2;
	if (!enc || r->cd != (iconv_t)-1)
		return CRM_OK;
	int rc = set_encoding(r, enc);
	if (rc)
		return rc == CRM_USAGE ? fail(r, 1, "%s input, which this system cannot decode", enc) : rc;
	/* What was read so far is still raw: it goes through the decoder. */
	memcpy(r->rbuf, s + bom, n - bom);
	r->rlen = n - bom;
	r->ipos = r->ilen = 0;
	return fill(r) < 0 ? fail(r, 1, "not valid %s", enc) : CRM_OK;
}

/* Name the likely encoding of a byte that is not UTF-8. */
static const char *
enc_hint(const unsigned char *s)
{
	if (*s == 0)
		return " (UTF-16 without a byte-order mark? read it with --encoding utf-16le or utf-16be)";
	if (*s >= 0x80 && *s <= 0x9f)
		return " (Windows-1252? read it with --encoding cp1252)";
	return " (Latin-1 or Windows-1252? read it with --encoding cp1252 or latin1)";
}

/* ------------------------------------------------------------------ */
/* CSV */

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

static const char *
cell(crm_reader_t *r, size_t i)
{
	return r->cells.p + r->off[i];
}

static size_t
cell_len(crm_reader_t *r, size_t i)
{
	size_t end = i + 1 < r->ncells ? r->off[i + 1] - 1 : r->cells.len - 1;
	return end - r->off[i];
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

/* Party fields that an event record may give, for a party it creates. */
static int
event_party_field(int f)
{
	return f >= 0 && f != CRM_F_ID && f != CRM_F_ORG_ID && f != CRM_F_CREATED &&
	       f != CRM_F_UPDATED && f != CRM_F_ATTRS && !CRM_FIELD_IS_FACT(f);
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

/*
 * A column of Shopify's orders export: Name is the order number, the ref
 * (not the party's name, which is Billing Name); Created at, Total,
 * Currency, Email and Notes as they say; Financial Status an attribute;
 * Refunded Amount and Cancelled at make the refund; the others (line
 * items, addresses, taxes) are ignored.
 */
static int
shop_column(struct col *c)
{
	static const struct { const char *h; int kind, field; } m[] = {
		{ "name", COL_EVENT, CRM_E_REF }, { "created_at", COL_EVENT, CRM_E_AT },
		{ "total", COL_EVENT, CRM_E_AMOUNT }, { "currency", COL_EVENT, CRM_E_CURRENCY },
		{ "notes", COL_EVENT, CRM_E_BODY }, { "email", COL_FIELD, CRM_F_EMAIL },
		{ "billing_name", COL_FIELD, CRM_F_NAME }, { "financial_status", COL_ATTR, 0 },
		{ "refunded_amount", COL_SHOP, SHOP_REFUNDED },
		{ "cancelled_at", COL_SHOP, SHOP_CANCELLED },
	};
	char fk[64];

	fold_header(c->name, fk, sizeof fk);
	c->kind = COL_IGNORE;
	for (size_t i = 0; i < sizeof m / sizeof m[0]; i++)
		if (!strcmp(fk, m[i].h)) {
			c->kind = m[i].kind;
			c->field = m[i].field;
			if (c->kind == COL_ATTR) {
				free(c->name);
				if (!(c->name = strdup(m[i].h)))
					return CRM_NOMEM;
			}
		}
	return CRM_OK;
}

static int more_ident(const char *name);

/*
 * Columns only an event has: in a stream of parties without party_id,
 * they say that an id column is the event's own, which names no party.
 */
static int
event_only_key(const char *k)
{
	static const char *const keys[] = { "at", "amount", "channel", "direction", "campaign",
	                                    "due", "assignee" };
	for (size_t i = 0; i < sizeof keys / sizeof keys[0]; i++)
		if (!strcasecmp(k, keys[i]))
			return 1;
	return 0;
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
			return fail(r, r->rec_line, "records of events (column '%s') without party_id: their"
			            " id is the event's, which names no party", ev);
	}
	/* --from NAME: the header must be that export's. */
	if (r->preset && !told)
		return fail(r, r->rec_line, "not a %s export: no column '%s' in the header",
		            r->preset->name, r->preset->label);
	if (r->preset && !strcmp(r->preset->name, "salesforce"))
		salesforce = 1;
	char msg[300];

	if (r->cell_err[0])
		return fail(r, r->rec_line, "header: %s", r->cell_err);
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
			return fail(r, r->rec_line, "header: invalid UTF-8 in column %zu%s", i + 1,
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
				return fail(r, r->rec_line, "header: columns %zu '%s' and %zu '%s' are both"
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
				return fail(r, r->rec_line, "header: columns %zu '%s' and %zu '%s' are both"
				            " the attribute '%s': one value would be lost (say which is"
				            " which with --map)", j + 1, cell(r, j), i + 1, cell(r, i),
				            r->cols[i].name);
	r->have_header = 1;
	return CRM_OK;
}

static int
parse_id(const char *v, int64_t *id)
{
	char *end, digits[24];
	size_t len;

	/* Surrounding white space is no part of an id, as of any scalar. */
	v = white_trim(v, &len);
	if (!len || len >= sizeof digits || !isdigit((unsigned char)*v))
		return 0;
	memcpy(digits, v, len);
	digits[len] = '\0';
	errno = 0;
	long long n = strtoll(digits, &end, 10);
	if (errno || *end || n <= 0)
		return 0;
	*id = n;
	return 1;
}

static int
add_tags(crm_party_t *p, const char *v)
{
	const char *s = v;

	p->tags_given = 1;
	while (*s) {
		/* Tags part at ';', or at ':::' as Google's labels do, or at '","' as Mailchimp's. */
		const char *e = strchr(s, ';'), *g = strstr(s, ":::");
		const char *mc = *v == '"' ? strstr(s, "\",\"") : NULL;
		size_t sl = 1;
		if (mc && (!e || mc < e) && (!g || mc < g)) {
			e = mc + 1;
			g = NULL;
		}
		if (g && (!e || g < e)) {
			e = g;
			sl = 3;
		}
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (*v == '"' && n && *s == '"') {
			s++;
			n--;
		}
		if (*v == '"' && n && s[n - 1] == '"')
			n--;
		/* "* myContacts", "* starred": Google's own labels, not the user's. */
		if (n && !(n > 2 && s[0] == '*' && s[1] == ' ')) {
			char *t = strndup(s, n);
			if (!t || crm_party_add_tag(p, t)) {
				free(t);
				return CRM_NOMEM;
			}
			free(t);
		}
		if (!e)
			break;
		s = e + sl;
	}
	return CRM_OK;
}

static int attr_push(crm_party_t *p, const char *key, const char *v);

/*
 * A party's created time: kept as given when crm-records(5) takes it so,
 * else read as times are (2024-02-16 16:53:00 +0100) and written in UTC;
 * a value that is no time is kept for the check to refuse.
 */
static int
set_created(crm_party_t *p, const char *v)
{
	char t[21], m[300];

	if (date_valid(v, 1) || strlen(v) < 11 || !isdigit((unsigned char)*v) ||
	    time_parse(v, 0, t, m, sizeof m))
		return crm_party_set(p, CRM_F_CREATED, v);
	return crm_party_set(p, CRM_F_CREATED, t);
}

/*
 * The exports crm-add knows by name (--from): a column that tells one
 * (folded header), and the order of day and month in its slash dates.
 */
const struct crm_preset crm_presets[] = {
	{ "google", "Google Contacts, CSV (current and older)", "e_mail_1_value",
	  "E-mail 1 - Value", 0 },
	{ "outlook", "Outlook, CSV with English column names", "e_mail_address", "E-mail Address",
	  'm' },
	{ "outlook-fr", "Outlook, CSV with French column names", "adresse_de_messagerie",
	  "Adresse de messagerie", 'd' },
	{ "outlook-com", "Outlook.com, CSV", "e_mail_address", "E-mail Address", 'm' },
	{ "hubspot", "HubSpot, CSV export or API JSON Lines", "record_id", "Record ID", 'm' },
	{ "salesforce", "Salesforce, Data Loader or report CSV, or REST JSON Lines", "id", "Id",
	  'm' },
	{ "mailchimp", "Mailchimp audience, subscribed, unsubscribed or cleaned, CSV",
	  "email_address", "Email Address", 0 },
	{ "linkedin", "LinkedIn Connections, CSV", "connected_on", "Connected On", 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

/* The exports of events that crm-log --import --from names. */
const struct crm_preset crm_event_presets[] = {
	{ "shopify", "Shopify orders, CSV: one purchase an order, its refund", "financial_status",
	  "Financial Status", 0 },
	{ NULL, NULL, NULL, NULL, 0 },
};

int
crm_reader_from(crm_reader_t *r, const char *name)
{
	const struct crm_preset *ps = r->events ? crm_event_presets : crm_presets;

	for (int i = 0; ps[i].name; i++)
		if (!strcasecmp(name, ps[i].name)) {
			r->preset = &ps[i];
			return CRM_OK;
		}
	snprintf(r->err, sizeof r->err, "--from: unknown export '%s' (%s --from list)", name,
	         r->events ? "crm-log --import" : "crm-add");
	return CRM_USAGE;
}

/* A slash date in the order of the export named by --from: YYYY-MM-DD, or 0. */
static int
preset_date(const crm_reader_t *r, const char *v, char out[11])
{
	int a, b, y;
	char tail;

	if (!r->preset || !r->preset->date_order ||
	    sscanf(v, "%d/%d/%d%c", &a, &b, &y, &tail) != 3 || y < 1000 || y > 9999)
		return 0;
	int m = r->preset->date_order == 'm' ? a : b, d = r->preset->date_order == 'm' ? b : a;
	char t[32];
	if (m < 1 || m > 12 || d < 1 || d > 31)
		return 0;
	snprintf(t, sizeof t, "%04d-%02d-%02d", y, m, d);
	memcpy(out, t, 11);
	return date_valid(out, 0);
}

/*
 * Headers of other systems' exports that hold one more e-mail or phone of
 * the party: Google's "E-mail 2 - Value", "Phone 1 - Value", Outlook's
 * "E-mail 2 Address", "Mobile Phone", "Business Phone", and the like.
 * CRM_F_EMAIL or CRM_F_PHONE; -1 for another header; -2 for their labels
 * and types, which are not kept.
 */
static int
more_ident(const char *name)
{
	static const char *const phones[] = {
		"mobile_phone", "home_phone", "home_phone_2", "business_phone", "business_phone_2",
		"other_phone", "primary_phone", "company_main_phone", "car_phone", "assistant's_phone",
		"work_phone", "phone_2", "phone_3", "secondary_phone", "téléphone_mobile",
		"téléphone_(bureau)", "téléphone_(domicile)", "téléphone_2_(bureau)", NULL
	};
	static const char *const emails[] = {
		"e_mail_2_address", "e_mail_3_address", "email_2", "email_3", "secondary_email",
		"other_email", "work_email", "personal_email", "adresse_de_messagerie_2",
		"adresse_de_messagerie_3", NULL
	};
	char f[128];
	int n;

	fold_header(name, f, sizeof f);
	for (int i = 0; phones[i]; i++)
		if (!strcmp(f, phones[i]))
			return CRM_F_PHONE;
	for (int i = 0; emails[i]; i++)
		if (!strcmp(f, emails[i]))
			return CRM_F_EMAIL;
	/* e_mail_N_value, phone_N_value; their _label and _type go. */
	const char *rest = !strncmp(f, "e_mail_", 7) ? f + 7 : !strncmp(f, "email_", 6) ? f + 6 :
	                   !strncmp(f, "phone_", 6) ? f + 6 : NULL;
	if (!strcmp(f, "e_mail_type") || !strcmp(f, "e_mail_display_name") ||
	    !strcmp(f, "e_mail_2_type") || !strcmp(f, "e_mail_2_display_name") ||
	    !strcmp(f, "e_mail_3_type") || !strcmp(f, "e_mail_3_display_name"))
		return -2;
	/* Google's "Address 1 - Label", "Website 2 - Type": labels of other values, not kept. */
	size_t fl = strlen(f);
	const char *us = fl > 6 ? strrchr(f, '_') : NULL;
	if (us && (!strcmp(us, "_label") || !strcmp(us, "_type")) && us > f &&
	    isdigit((unsigned char)us[-1])) {
		static const char *const google[] = {
			"address_", "website_", "relation_", "event_", "im_", "custom_field_",
			"organization_", "external_id_", NULL
		};
		for (int i = 0; google[i]; i++)
			if (!strncmp(f, google[i], strlen(google[i])) &&
			    isdigit((unsigned char)f[strlen(google[i])]) &&
			    (size_t)(us - f) == strlen(google[i]) + strspn(f + strlen(google[i]), "0123456789"))
				return -2;
	}
	if (rest && isdigit((unsigned char)*rest) && (n = (int)strspn(rest, "0123456789")) &&
	    rest[n] == '_') {
		int ph = f[0] == 'p';
		if (!strcmp(rest + n, "_value"))
			return ph ? CRM_F_PHONE : CRM_F_EMAIL;
		if (!strcmp(rest + n, "_label") || !strcmp(rest + n, "_type"))
			return -2;
	}
	return -1;
}

/*
 * One more e-mail or phone (or several, "a ::: b" as Google writes them):
 * the first of the record is the party's; the others go to the attributes
 * emails and phones.
 */
static int
add_more(crm_party_t *p, int field, const char *v)
{
	const char *s = v;

	while (*s) {
		const char *e = strstr(s, ":::");
		size_t n = e ? (size_t)(e - s) : strlen(s);
		while (n && isspace((unsigned char)*s)) {
			s++;
			n--;
		}
		while (n && isspace((unsigned char)s[n - 1]))
			n--;
		if (n) {
			char *t = strndup(s, n);
			int rc;
			if (!t)
				return CRM_NOMEM;
			rc = !p->v[field] ? crm_party_set(p, field, t) :
			     attr_push(p, field == CRM_F_EMAIL ? "emails" : "phones", t);
			free(t);
			if (rc)
				return rc;
		}
		if (!e)
			break;
		s = e + 3;
	}
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
		return fail(r, r->rec_line, "%s", r->cell_err);
	if (r->ncells != r->ncols)
		return fail(r, r->rec_line, "expected %zu fields, found %zu", r->ncols, r->ncells);
	for (size_t i = 0; i < r->ncells; i++) {
		long bad = utf8_check(cell(r, i), cell_len(r, i));
		if (bad >= 0)
			return fail(r, r->rec_line, "invalid UTF-8 in field '%s'%s", col_label(r, i),
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
				return fail(r, r->rec_line, "field 'attrs' is not a JSON object");
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
				return fail(r, r->rec_line, "invalid %s '%s'", c->name, quoted(v, q, sizeof q));
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

/*
 * Whether a row of Shopify's orders is one more line item of the order of
 * the row before (the same Name), and so no record; read before the row
 * is, so that the line items of an order refused are not read either.
 */
static int
shop_line_item(crm_reader_t *r, int *more)
{
	const char *name = NULL;

	*more = 0;
	for (size_t i = 0; i < r->ncols && i < r->ncells; i++)
		if (r->cols[i].kind == COL_EVENT && r->cols[i].field == CRM_E_REF)
			name = cell(r, i);
	if (!name || !*name)
		return CRM_OK;
	if (r->shop_last && !strcmp(name, r->shop_last)) {
		*more = 1;
		return CRM_OK;
	}
	free(r->shop_last);
	return (r->shop_last = strdup(name)) ? CRM_OK : CRM_NOMEM;
}

/*
 * A row of Shopify's orders that is the first of its order: its purchase,
 * with its total.  A voided order is no purchase: said, not read (*out is
 * then NULL).  A Refunded Amount above zero makes a refund of the order,
 * handed out next, at Cancelled at or the order's time.
 */
static int
shop_order(crm_reader_t *r, crm_party_t **out)
{
	crm_party_t *p = *out;
	crm_event_t *e = p->ev;
	const char *ref = e->v[CRM_E_REF], *v;
	char q[96];
	long long cents;
	int rc;

	json_t *st = e->attrs ? json_object_get(e->attrs, "financial_status") : NULL;
	if (st && json_is_string(st) && !strcasecmp(json_string_value(st), "voided")) {
		rc = note_skipped(r, r->rec_line, ref ? ref : "", "a voided order, no purchase");
		crm_party_free(p);
		*out = NULL;
		return rc;
	}
	if (!e->v[CRM_E_TYPE] && (rc = crm_event_set(e, CRM_E_TYPE, "purchase")))
		return rc;
	if (!(v = r->shop_col[SHOP_REFUNDED]))
		return CRM_OK;
	if (!amount_parse(v, &cents) || cents < 0) {
		crm_party_free(p);
		*out = NULL;
		return fail(r, r->rec_line, "invalid Refunded Amount '%s' (a decimal such as 12.50)",
		            quoted(v, q, sizeof q));
	}
	if (!cents)
		return CRM_OK;
	crm_party_t *rp = crm_party_new();
	if (!rp || crm_party_overlay(rp, p) || !(rp->ev = crm_event_copy(e)) ||
	    crm_event_set(rp->ev, CRM_E_TYPE, "refund") ||
	    crm_event_set(rp->ev, CRM_E_AMOUNT, v) || crm_event_set(rp->ev, CRM_E_BODY, NULL) ||
	    (r->shop_col[SHOP_CANCELLED] &&
	     crm_event_set(rp->ev, CRM_E_AT, r->shop_col[SHOP_CANCELLED]))) {
		crm_party_free(rp);
		return CRM_NOMEM;
	}
	rp->id = p->id;
	rp->utf8_ok = p->utf8_ok;
	crm_party_free(r->pending);
	r->pending = rp;
	return CRM_OK;
}

static int
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
		int got = read_line(r, 1);
		if (got < 0)
			return io_fail(r);
		if (got == 0) {
			if (csv_fini(&r->csv, cb_cell, cb_row, r) != 0) {
				csv_restart(r);
				clear_cells(r);
				return fail(r, r->rec_line, "unterminated quoted field");
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
				if ((got = read_line(r, 1)) < 0)
					return io_fail(r);
				if (got == 0)
					break;
				q += r->line_lost_quotes;
				for (size_t i = 0; i < r->line.len; i++)
					q += r->line.p[i] == '"';
			}
			csv_restart(r);
			clear_cells(r);
			buf_reset(&r->raw);
			return fail(r, at, "record longer than %d bytes (unterminated quote?); "
			            "not kept in the rejects file", MAXREC);
		}
		if ((rc = buf_add(&r->raw, r->line.p, r->line.len)))
			return rc;
		if (r->delim == '\t' && memchr(r->line.p, 0xff, r->line.len)) {
			/* TSV's no-quote byte: not UTF-8, said as the cells' check would. */
			csv_restart(r);
			clear_cells(r);
			return fail(r, r->rec_line, "invalid UTF-8%s", enc_hint((const unsigned char *)"\xff"));
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
			return fail(r, at, "malformed quoted field (a quote inside a field must be doubled)");
		}
	}
}

/* ------------------------------------------------------------------ */
/* JSON Lines */

/* Nesting depth of a JSON text, strings skipped; stops past max. */
static int
json_depth(const char *s, size_t n, int max)
{
	int d = 0, top = 0, in = 0;

	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (in) {
			if (c == '\\')
				i++;
			else if (c == '"')
				in = 0;
		} else if (c == '"') {
			in = 1;
		} else if (c == '{' || c == '[') {
			if (++d > top && (top = d) > max)
				return top;
		} else if (c == '}' || c == ']') {
			d--;
		}
	}
	return top;
}

static int
json_scalar_text(json_t *v, char *buf, size_t len, const char **out)
{
	if (crm_json_number(v)) {
		*out = crm_json_number(v);      /* a number as written */
	} else if (json_is_string(v)) {
		*out = json_string_value(v);
	} else if (json_is_integer(v)) {
		snprintf(buf, len, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		*out = buf;
	} else if (json_is_real(v)) {
		snprintf(buf, len, "%.15g", json_real_value(v));
		*out = buf;
	} else if (json_is_boolean(v)) {
		*out = json_is_true(v) ? "true" : "false";
	} else {
		return 0;
	}
	return 1;
}

static int jsonl_field(crm_reader_t *r, crm_party_t *p, const char *key, json_t *v);

/* A JSON string's text, or a number's as written. */
static const char *
jstr(const json_t *v)
{
	const char *n = crm_json_number(v);
	return n ? n : json_string_value(v);
}

/* An attrs object of a record, laid into a party's or an event's attributes. */
static int
merge_attrs(crm_reader_t *r, json_t **dst, json_t *v)
{
	const char *k;
	json_t *x;

	if (!json_is_object(v))
		return fail(r, r->rec_line, "field 'attrs' must be an object");
	if (!*dst && !(*dst = json_object()))
		return CRM_NOMEM;
	json_object_foreach(v, k, x)
		if (json_object_set(*dst, k, x))
			return CRM_NOMEM;
	return CRM_OK;
}

/* A key of an event record read as in a party record. */
static int
party_key(crm_reader_t *r, crm_party_t *p, const char *key, json_t *v)
{
	r->events = 0;
	int rc = jsonl_field(r, p, key, v);
	r->events = 1;
	return rc;
}

/* A key of an event record: see event_column() for the order of lookups. */
static int
jsonl_event_field(crm_reader_t *r, crm_party_t *p, const char *key, json_t *v)
{
	char nb[64];
	const char *s, *to = NULL;
	crm_event_t *e = p->ev;

	if (!strcmp(key, "party_id")) {
		if (json_is_null(v))
			return CRM_OK;
		if (json_is_integer(v) && json_integer_value(v) > 0)
			p->id = json_integer_value(v);
		else if (!json_is_string(v) || !parse_id(jstr(v), &p->id))
			return fail(r, r->rec_line, "invalid party_id");
		return CRM_OK;
	}
	for (size_t m = 0; m < r->map_from.n; m++)
		if (!strcasecmp(r->map_from.v[m], key)) {
			to = r->map_to.v[m];
			r->map_seen |= m < 64 ? 1ULL << m : 0;
		}
	if (to && (!*to || !strcmp(to, "-")))
		return CRM_OK;
	const char *name = to ? to : key;
	if (!strncmp(name, "attrs.", 6) && name[6]) {
		if (!e->attrs && !(e->attrs = json_object()))
			return CRM_NOMEM;
		return json_object_set(e->attrs, name + 6, v) ? CRM_NOMEM : CRM_OK;
	}
	int ef = to ? crm_event_field_lookup(to) : event_field_synonym(key);
	int f = ef < 0 ? crm_field_lookup(name, !to) : -1;
	if (ef == CRM_E_ID || (f >= 0 && !event_party_field(f)))
		return CRM_OK;
	if (ef == CRM_E_ATTRS)
		return json_is_null(v) ? CRM_OK : merge_attrs(r, &e->attrs, v);
	if (ef >= 0) {
		if (json_is_null(v))
			return CRM_OK;
		if (!json_scalar_text(v, nb, sizeof nb, &s))
			return fail(r, r->rec_line, "field '%s' must be a string", crm_event_field_name(ef));
		if (*s && !e->v[ef])
			return crm_event_set(e, ef, s);
		return CRM_OK;
	}
	if (f >= 0)
		return party_key(r, p, crm_field_name(f), v);
	if (note_unknown(r, key))
		return CRM_NOMEM;
	if (!e->attrs && !(e->attrs = json_object()))
		return CRM_NOMEM;
	return json_object_set(e->attrs, key, v) ? CRM_NOMEM : CRM_OK;
}

static int
jsonl_field(crm_reader_t *r, crm_party_t *p, const char *key, json_t *v)
{
	char nb[64];
	const char *s;
	int rc = CRM_OK;

	if (r->events)
		return jsonl_event_field(r, p, key, v);
	if (!strncmp(key, "attrs.", 6) && key[6]) {
		if (!p->attrs && !(p->attrs = json_object()))
			return CRM_NOMEM;
		return json_object_set(p->attrs, key + 6, v) ? CRM_NOMEM : CRM_OK;
	}
	if ((r->use_party_id || r->events) && !strcmp(key, "party_id")) {
		/* An event record: its party_id names the party, not its id. */
		if (json_is_null(v))
			return CRM_OK;
		if (json_is_integer(v) && json_integer_value(v) > 0)
			p->id = json_integer_value(v);
		else if (!json_is_string(v) || !parse_id(jstr(v), &p->id))
			return fail(r, r->rec_line, "invalid party_id");
		r->party_id_seen = 1;
		return CRM_OK;
	}
	int f = crm_field_lookup(key, 1);
	for (size_t m = 0; m < r->map_from.n; m++)
		if (!strcasecmp(r->map_from.v[m], key)) {
			const char *to = r->map_to.v[m];
			r->map_seen |= m < 64 ? 1ULL << m : 0;
			if (!*to || !strcmp(to, "-"))
				return CRM_OK;
			if (!strncmp(to, "attrs.", 6))
				return jsonl_field(r, p, to, v);
			f = crm_field_lookup(to, 0);
		}
	if (json_is_null(v) && f != -1)
		return CRM_OK;
	switch (f) {
	case -1:
		if (note_unknown(r, key))
			return CRM_NOMEM;
		if (!p->attrs && !(p->attrs = json_object()))
			return CRM_NOMEM;
		return json_object_set(p->attrs, key, v) ? CRM_NOMEM : CRM_OK;
	case CRM_F_ID: {
		int64_t id;
		if (r->party_id_seen)
			return CRM_OK;          /* the event's own id: not the party's */
		if (json_is_integer(v) && json_integer_value(v) > 0)
			id = json_integer_value(v);
		else if (!json_is_string(v) || !parse_id(jstr(v), &id))
			return fail(r, r->rec_line, "invalid id");
		if (!r->party_id_seen)
			p->id = id;
		return CRM_OK;
	}
	case CRM_F_ORG_ID: case CRM_F_UPDATED:
	case CRM_F_LAST_ACTIVITY: case CRM_F_LAST_INBOUND: case CRM_F_FIRST_PURCHASE:
	case CRM_F_LAST_PURCHASE: case CRM_F_PURCHASES: case CRM_F_REVENUE:
	case CRM_F_REVENUE_CURRENCY: case CRM_F_OPEN_TASKS:
		return CRM_OK;          /* derived by the store */
	case CRM_F_RFM_R: case CRM_F_RFM_F: case CRM_F_RFM_M: case CRM_F_RFM:
	case CRM_F_RFM_SEGMENT: case CRM_F_DAYS_SINCE_PURCHASE: case CRM_F_USUAL_GAP:
	case CRM_F_CHURN_RISK: case CRM_F_CHURNED: case CRM_F_PROPENSITY: case CRM_F_EXPLAIN:
		return CRM_OK;          /* computed by a run, never stored */
	case CRM_F_TAGS:
		if (json_is_string(v) && !crm_json_number(v))
			return add_tags(p, json_string_value(v));
		if (!json_is_array(v))
			return fail(r, r->rec_line, "field 'tags' must be an array of strings");
		p->tags_given = 1;
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *t = json_array_get(v, i);
			if (!json_is_string(t) || crm_json_number(t))
				return fail(r, r->rec_line, "field 'tags' must be an array of strings");
			if (*json_string_value(t) && crm_party_add_tag(p, json_string_value(t)))
				return CRM_NOMEM;
		}
		return CRM_OK;
	case CRM_F_ATTRS:
		return merge_attrs(r, &p->attrs, v);
	default:
		if (!json_scalar_text(v, nb, sizeof nb, &s))
			return fail(r, r->rec_line, "field '%s' must be a string", crm_field_name(f));
		if (*s && !p->v[f])
			rc = f == CRM_F_CREATED ? set_created(p, s) : crm_party_set(p, f, s);
		return rc;
	}
}

/*
 * The records of other systems' APIs, made flat (a new reference; NULL
 * when out of memory): HubSpot's, whose fields are under "properties" and
 * whose "id" is HubSpot's; Salesforce's REST records, with "attributes",
 * an "Id" of Salesforce's, the account as {"Name": ...} and the mailing
 * address as an object.
 */
static json_t *
jsonl_shape(json_t *o)
{
	json_t *props = json_object_get(o, "properties");
	json_t *attrs = json_object_get(o, "attributes");
	const char *k;
	json_t *v, *n;

	if (json_is_object(props) && !json_object_get(o, "email") && !json_object_get(o, "name")) {
		if (!(n = json_deep_copy(props)))
			goto nomem;
		json_t *id = json_object_get(o, "id");
		if (id && !json_object_get(n, "ext_id") && json_object_set(n, "ext_id", id))
			goto nomem2;
		json_object_del(n, "hs_object_id");
		json_decref(o);
		return n;
	}
	if (json_is_object(attrs) && json_is_string(json_object_get(attrs, "type"))) {
		if (!(n = json_object()))
			goto nomem;
		json_object_foreach(o, k, v) {
			json_t *name = json_is_object(v) ? json_object_get(v, "Name") : NULL;
			if (!strcmp(k, "attributes"))
				continue;
			if (!strcmp(k, "Id")) {
				if (json_object_set(n, "ext_id", v))
					goto nomem2;
			} else if (!strcmp(k, "Account") && json_is_string(name)) {
				if (json_object_set(n, "org", name))
					goto nomem2;
			} else if (!strcmp(k, "MailingAddress") && json_is_object(v)) {
				static const char *const parts[][2] = {
					{ "city", "city" }, { "postalCode", "postcode" }, { "country", "country" }
				};
				for (int i = 0; i < 3; i++) {
					json_t *x = json_object_get(v, parts[i][0]);
					if (json_is_string(x) && json_object_set(n, parts[i][1], x))
						goto nomem2;
				}
			} else if (json_is_object(v) && json_object_get(v, "attributes")) {
				json_t *c = json_deep_copy(v);
				if (!c)
					goto nomem2;
				json_object_del(c, "attributes");
				if (json_object_set_new(n, k, c))
					goto nomem2;
			} else if (json_object_set(n, k, v)) {
				goto nomem2;
			}
		}
		json_decref(o);
		return n;
	}
	return o;
nomem2:
	json_decref(n);
nomem:
	json_decref(o);
	return NULL;
}

static int json_record(crm_reader_t *r, json_t *o, crm_party_t **out);
static const char *json_kind(const json_t *v, int plural);
static const char *trim(const char *s, size_t n, size_t *len);

static int
jsonl_next(crm_reader_t *r, crm_party_t **out)
{
	json_error_t je;
	json_t *o;
	int got, rc;

	do {
		got = read_line(r, 1);  /* a lone CR ends a line too: JSON has none in strings */
		if (got < 0)
			return io_fail(r);
		if (got == 0)
			return CRM_EOF;
	} while (!r->line_long && blank(r->line.p, r->line.len));
	r->rec_line = r->lineno;
	buf_reset(&r->raw);
	if (r->line_long)
		return fail(r, r->rec_line, "line longer than %d bytes", MAXREC);
	if ((rc = buf_add(&r->raw, r->line.p, r->line.len)))
		return rc;
	long bad = utf8_check(r->line.p, r->line.len);
	if (bad >= 0) {
		if (r->line.p[bad] == '\0')
			return fail(r, r->rec_line, "NUL byte at column %ld%s", bad + 1,
			            enc_hint((const unsigned char *)""));
		return fail(r, r->rec_line, "invalid UTF-8 at column %ld%s", bad + 1,
		            enc_hint((const unsigned char *)r->line.p + bad));
	}
	if (json_depth(r->line.p, r->line.len, MAXDEPTH) > MAXDEPTH)
		return fail(r, r->rec_line, "JSON nested deeper than %d levels", MAXDEPTH);
	o = crm_json_load(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	/*
	 * An object that the end of its line leaves open goes on over the next
	 * lines ({"a":1,\n "b":2}), as a pretty printer writes it.
	 */
	while (!o && (size_t)je.position >= r->raw.len && r->raw.p[0] == '{') {
		got = read_line(r, 1);
		if (got < 0)
			return io_fail(r);
		if (got == 0)
			return fail(r, r->rec_line, "a JSON object from this line is not closed at the end");
		if (r->line_long || r->raw.len + r->line.len >= MAXREC)
			return fail(r, r->rec_line, "a JSON object longer than %d bytes", MAXREC);
		if ((bad = utf8_check(r->line.p, r->line.len)) >= 0)
			return fail(r, r->lineno, "invalid UTF-8 at column %ld%s", bad + 1,
			            enc_hint((const unsigned char *)r->line.p + bad));
		if ((rc = buf_addc(&r->raw, '\n')) || (rc = buf_add(&r->raw, r->line.p, r->line.len)))
			return rc;
		if (json_depth(r->raw.p, r->raw.len, MAXDEPTH) > MAXDEPTH)
			return fail(r, r->rec_line, "JSON nested deeper than %d levels", MAXDEPTH);
		o = crm_json_load(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	}
	char why[JSON_ERROR_TEXT_LENGTH + 64];
	if (!o)
		return fail(r, r->rec_line, "invalid JSON at column %d: %s", je.column,
		            json_why(&je, why, sizeof why));
	if (!json_is_object(o)) {
		const char *kind = json_kind(o, 0);
		json_decref(o);
		return fail(r, r->rec_line, "%s, not an object: each line is one record, a JSON object",
		            kind);
	}
	return json_record(r, o, out);
}

/* What a JSON value is: "a number", or in the plural "numbers". */
static const char *
json_kind(const json_t *v, int plural)
{
	switch (json_typeof(v)) {
	case JSON_OBJECT: return plural ? "objects" : "an object";
	case JSON_ARRAY: return plural ? "arrays" : "an array";
	case JSON_STRING: return plural ? "strings" : "a string";
	case JSON_INTEGER: case JSON_REAL: return plural ? "numbers" : "a number";
	case JSON_TRUE: case JSON_FALSE: return plural ? "booleans" : "a boolean";
	default: return plural ? "nulls" : "null";
	}
}

/* The next byte of the input, not taken: -1 at the end, -2 on a read error. */
static int
peek_byte(crm_reader_t *r)
{
	if (r->ipos == r->ilen) {
		int n = fill(r);
		if (n < 0)
			return -2;
		if (n == 0)
			return -1;
	}
	return r->ibuf[r->ipos];
}

/* Take the byte peek_byte() saw; r->lineno counts the LFs taken. */
static void
take_byte(crm_reader_t *r)
{
	if (r->ibuf[r->ipos++] == '\n')
		r->lineno++;
}

/* A JSON array's error that ends the input, at line (0: the current one). */
static int
jarray_fatal(crm_reader_t *r, long line, const char *what)
{
	r->fatal = 1;
	r->eof = 1;
	r->ipos = r->ilen;
	r->rec_line = line ? line : r->lineno + 1;
	buf_reset(&r->raw);
	return fail(r, r->rec_line, "%s", what);
}

/*
 * The next element of a top-level JSON array, read byte by byte up to its
 * end (strings and nesting followed), so that memory holds one element
 * at a time however long the array; each element is a record, and its
 * bytes, line ends made spaces, its verbatim text (a JSON Lines line).
 * Or the next of JSON values one after the other (r->jarray 2).
 */
static int
jarray_next(crm_reader_t *r, crm_party_t **out)
{
	int c;

	for (;;) {
		while ((c = peek_byte(r)) == ' ' || c == '\t' || c == '\r' || c == '\n')
			take_byte(r);
		if (c == -2)
			return io_fail(r);
		if (r->jarray == 2) {           /* values one after the other */
			if (c == -1)
				return CRM_EOF;
			r->jelems = 1;          /* no value says the others are not records */
			break;
		}
		if (r->jstate == 0) {           /* outside: the end, or another array */
			if (c == -1)
				return CRM_EOF;
			if (c != '[')
				return jarray_fatal(r, 0, "text after the JSON array");
			take_byte(r);
			r->jstate = 1;
			r->jelems = 0;
			continue;
		}
		if (c == -1)
			return jarray_fatal(r, 0, "unterminated JSON array (no ']')");
		if (r->jstate == 2) {           /* after an element */
			if (c != ',' && c != ']')
				return jarray_fatal(r, 0, "expected ',' or ']' after an element of the "
				                    "JSON array");
			take_byte(r);
			r->jstate = c == ',' ? 3 : 0;
			continue;
		}
		if (c == ']') {
			if (r->jstate == 3)
				return jarray_fatal(r, 0, "',' before ']' in the JSON array");
			take_byte(r);
			r->jstate = 0;
			continue;
		}
		break;
	}
	/* An element: up to its closing brace, bracket or quote, or a scalar's end. */
	int depth = 0, in = 0, esc = 0, big = 0;
	r->rec_line = r->lineno + 1;
	buf_reset(&r->raw);
	for (;;) {
		c = peek_byte(r);
		if (c == -2)
			return io_fail(r);
		if (c == -1 && (in || depth || !r->raw.len))
			return jarray_fatal(r, r->raw.len ? r->rec_line : 0,
			                    r->jarray == 2 ? "unterminated JSON object (no '}')" :
			                    "unterminated JSON array (no ']')");
		if (!in && !depth && r->raw.len && (c == -1 || (c && strchr(",] \t\r\n", c))))
			break;                  /* the end of a number, true, false or null */
		take_byte(r);
		if (r->raw.len >= MAXREC)
			big = 1;
		else if (buf_addc(&r->raw, !in && (c == '\n' || c == '\r') ? ' ' : (char)c))
			return CRM_NOMEM;
		if (in) {
			if (esc)
				esc = 0;
			else if (c == '\\')
				esc = 1;
			else if (c == '"') {
				in = 0;
				if (!depth)
					break;
			}
			continue;
		}
		if (c == '"')
			in = 1;
		else if (c == '{' || c == '[')
			depth++;
		else if ((c == '}' || c == ']') && --depth <= 0)
			break;
	}
	r->jstate = 2;
	long nth = r->jelems++;
	if (big)
		return fail(r, r->rec_line, "element of the JSON array longer than %d bytes", MAXREC);
	long bad = utf8_check(r->raw.p, r->raw.len);
	if (bad >= 0)
		return fail(r, r->rec_line, "invalid UTF-8%s",
		            enc_hint((const unsigned char *)r->raw.p + bad));
	if (json_depth(r->raw.p, r->raw.len, MAXDEPTH) > MAXDEPTH)
		return fail(r, r->rec_line, "JSON nested deeper than %d levels", MAXDEPTH);
	json_error_t je;
	json_t *o = json_loadb(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	char why[JSON_ERROR_TEXT_LENGTH + 64];
	if (!o)
		return fail(r, r->rec_line, "invalid JSON: %s", json_why(&je, why, sizeof why));
	if (!json_is_object(o)) {
		const char *kind = json_kind(o, 0), *kinds = json_kind(o, 1);
		json_decref(o);
		if (nth)
			return fail(r, r->rec_line, "%s, not an object: each record is a JSON object", kind);
		/* The first element says what the array holds: not records. */
		r->fatal = 1;
		r->eof = 1;
		r->ipos = r->ilen;
		return fail(r, r->rec_line, "%s, not an object (a JSON array of %s is not records)", kind,
		            kinds);
	}
	/* Read again, its numbers kept as written (see crm_json_load()). */
	json_decref(o);
	if (!(o = crm_json_load(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES, &je)))
		return fail(r, r->rec_line, "invalid JSON: %s", je.text);
	return json_record(r, o, out);
}

/*
 * Two keys of a record for one field ("email" and "E-mail", "email" and
 * "Email Address"), with two values: one would be lost.  Refused when
 * one of the keys is the field's own name or --map's; two other names of
 * one field (MailingCity beside Salesforce's MailingAddress) are read as
 * in CSV, the first wins.
 */
static int
json_same_field(crm_reader_t *r, json_t *o)
{
	const char *key[CRM_NFIELDS] = {0}, *val[CRM_NFIELDS] = {0};
	int own[CRM_NFIELDS] = {0};
	char nb[CRM_NFIELDS][64], fk[64];
	const char *k, *s;
	json_t *v;

	json_object_foreach(o, k, v) {
		const char *to = NULL;
		int f;
		if (json_is_null(v) || !strncmp(k, "attrs.", 6) ||
		    ((r->use_party_id || r->events) && !strcmp(k, "party_id")))
			continue;
		for (size_t m = 0; m < r->map_from.n; m++)
			if (!strcasecmp(r->map_from.v[m], k))
				to = r->map_to.v[m];
		if (to && (!*to || !strcmp(to, "-") || !strncmp(to, "attrs.", 6)))
			continue;
		f = to ? crm_field_lookup(to, 0) : crm_field_lookup(k, 1);
		if (f < 0 || f == CRM_F_TAGS || f == CRM_F_ATTRS ||
		    !json_scalar_text(v, nb[f], sizeof nb[f], &s) || !*s)
			continue;
		fold_header(k, fk, sizeof fk);
		int mine = to || !strcmp(fk, crm_field_name(f));
		if (!key[f]) {
			key[f] = k;
			val[f] = s;
			own[f] = mine;
		} else if ((mine || own[f]) && strcmp(val[f], s)) {
			return fail(r, r->rec_line, "keys '%s' and '%s' are both the field %s: one value"
			            " would be lost (say which is which with --map)", key[f], k,
			            crm_field_name(f));
		}
	}
	return CRM_OK;
}

/* A record's JSON object (taken) into a party. */
static int
json_record(crm_reader_t *r, json_t *o, crm_party_t **out)
{
	int rc;

	if (!r->events && !(o = jsonl_shape(o)))
		return CRM_NOMEM;
	crm_party_t *p = crm_party_new();
	const char *k;
	json_t *v;
	if (!p || (r->events && !(p->ev = crm_event_new()))) {
		crm_party_free(p);
		json_decref(o);
		return CRM_NOMEM;
	}
	r->party_id_seen = r->use_party_id && json_object_get(o, "party_id") &&
	                   !json_is_null(json_object_get(o, "party_id"));
	if (r->use_party_id && !r->events && json_object_get(o, "id") &&
	    !json_object_get(o, "party_id")) {
		json_object_foreach(o, k, v)
			if (event_only_key(k)) {
				/* The message first: k is o's. */
				rc = fail(r, r->rec_line, "an event record (key '%s') without party_id: its"
				          " id is the event's, which names no party", k);
				json_decref(o);
				crm_party_free(p);
				return rc;
			}
	}
	if (!r->events && (rc = json_same_field(r, o))) {
		json_decref(o);
		crm_party_free(p);
		return rc;
	}
	json_object_foreach(o, k, v) {
		if ((rc = jsonl_field(r, p, k, v))) {
			json_decref(o);
			crm_party_free(p);
			return rc;
		}
	}
	json_decref(o);
	p->utf8_ok = 1;
	*out = p;
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* vCard 2.1, 3.0 and 4.0 (see crm-add(1), "vCard input"). */

/* Strip the line end of a physical line. */
static size_t
chomp(const char *s, size_t n)
{
	while (n && (s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	return n;
}

/* Whether a logical line's parameters say quoted-printable. */
static int
vcard_qp(const char *s, size_t n)
{
	const char *colon = memchr(s, ':', n);
	size_t m = colon ? (size_t)(colon - s) : n;

	for (size_t i = 0; i + 16 <= m; i++)
		if (!strncasecmp(s + i, "QUOTED-PRINTABLE", 16))
			return 1;
	return 0;
}

/*
 * The next logical line into out, unfolded: a physical line that starts
 * with a space or a tab continues the one before (the fold may cut a
 * UTF-8 character: bytes are joined before any check); in a
 * quoted-printable value, a line that ends in '=' goes on in the next.
 * 1, 0 at the end, -1 on a read error; *line is where it started.
 */
static int
vcard_line(crm_reader_t *r, struct buf *out, long *line)
{
	int got;

	buf_reset(out);
	if (!r->vpend_on) {
		if ((got = read_line(r, 2)) <= 0)
			return got;
		buf_reset(&r->vpend);
		if (r->line_long)
			return fail(r, r->lineno, "line longer than %d bytes", MAXREC) ? -2 : -2;
		if (buf_add(&r->vpend, r->line.p, chomp(r->line.p, r->line.len)))
			return -1;
		r->vpend_line = r->lineno;
	}
	r->vpend_on = 0;
	*line = r->vpend_line;
	if (buf_add(out, r->vpend.p ? r->vpend.p : "", r->vpend.len))
		return -1;
	for (;;) {
		if ((got = read_line(r, 2)) < 0)
			return -1;
		if (got == 0)
			break;
		if (r->line_long)
			return fail(r, r->lineno, "line longer than %d bytes", MAXREC) ? -2 : -2;
		size_t n = chomp(r->line.p, r->line.len);
		if (n && (r->line.p[0] == ' ' || r->line.p[0] == '\t')) {
			if (out->len + n > MAXREC + 1)
				return fail(r, *line, "line longer than %d bytes", MAXREC) ? -2 : -2;
			if (buf_add(out, r->line.p + 1, n - 1))
				return -1;
			continue;
		}
		if (out->len && out->p[out->len - 1] == '=' && vcard_qp(out->p, out->len)) {
			out->len--;     /* a soft line break */
			if (buf_add(out, r->line.p, n))
				return -1;
			continue;
		}
		buf_reset(&r->vpend);
		if (buf_add(&r->vpend, r->line.p, n))
			return -1;
		r->vpend_on = 1;
		r->vpend_line = r->lineno;
		break;
	}
	if (!out->p && buf_add(out, "", 0))
		return -1;
	if (out->len > MAXREC)
		return fail(r, *line, "line longer than %d bytes", MAXREC) ? -2 : -2;
	if (memchr(out->p, '\0', out->len))
		return fail(r, *line, "NUL byte%s", enc_hint((const unsigned char *)"")) ? -2 : -2;
	return 1;
}

/* Split a structured value on unescaped sep; unescape each part (\n, \, \; \\). */
static int
vcard_split(const char *v, char sep, struct strv *parts, int unescape)
{
	struct buf b = {0};

	buf_add(&b, "", 0);
	for (const char *s = v;; s++) {
		if (!*s || *s == sep) {
			if (strv_push(parts, b.p ? b.p : "")) {
				buf_free(&b);
				return CRM_NOMEM;
			}
			buf_reset(&b);
			buf_add(&b, "", 0);
			if (!*s)
				break;
			continue;
		}
		if (*s == '\\' && s[1] && unescape) {
			s++;
			buf_addc(&b, *s == 'n' || *s == 'N' ? '\n' : *s);
			continue;
		}
		if (*s == '\\' && s[1]) {
			buf_addc(&b, *s++);
		}
		buf_addc(&b, *s);
	}
	buf_free(&b);
	return CRM_OK;
}

/* A birthday: 1990-03-01, 19900301, --0512, --05-12, with a time or not. */
static int
vcard_bday(const char *v, char out[11])
{
	char d[16];
	size_t n = 0;

	if (!strncmp(v, "--", 2)) {
		for (const char *s = v + 2; *s && *s != 'T' && n < 4; s++)
			if (isdigit((unsigned char)*s))
				d[n++] = *s;
		if (n != 4)
			return 0;
		snprintf(out, 11, "--%.2s-%.2s", d, d + 2);
		return date_valid(out, 0);
	}
	for (const char *s = v; *s && *s != 'T' && n < 8; s++)
		if (isdigit((unsigned char)*s))
			d[n++] = *s;
	if (n != 8)
		return 0;
	snprintf(out, 11, "%.4s-%.2s-%.2s", d, d + 4, d + 6);
	return date_valid(out, 0);
}

/* Append a string to the attribute key (see attr_list_add()). */
static int
attr_push(crm_party_t *p, const char *key, const char *v)
{
	return attr_list_add(p, key, v);
}

/* One property of a card into the party. */
static int
vcard_prop(crm_reader_t *r, crm_party_t *p, long line, const char *name, char *params, char *value,
           int *have_ext)
{
	char *charset = NULL, q[96];
	const char *omit_year = NULL;
	int qp = 0, b64 = 0, rc = CRM_OK;

	/* Parameters: ENCODING=QUOTED-PRINTABLE (or bare, in 2.1), CHARSET=, ENCODING=b. */
	for (char *save = NULL, *t = strtok_r(params, ";", &save); t; t = strtok_r(NULL, ";", &save)) {
		char *eq = strchr(t, '=');
		const char *val = eq ? eq + 1 : t;
		if (eq)
			*eq = '\0';
		if (!strcasecmp(val, "QUOTED-PRINTABLE"))
			qp = 1;
		else if (!strcasecmp(val, "b") || !strcasecmp(val, "BASE64"))
			b64 = 1;
		else if (eq && !strcasecmp(t, "CHARSET"))
			charset = (char *)val;
		else if (eq && !strcasecmp(t, "X-APPLE-OMIT-YEAR"))
			omit_year = val;
	}
	if (!strcasecmp(name, "PHOTO") || !strcasecmp(name, "LOGO") || !strcasecmp(name, "SOUND") ||
	    !strcasecmp(name, "KEY") || b64)
		return CRM_OK;  /* pictures and binary data are not kept */
	if (qp) {
		char *o = value;
		for (char *s = value; *s; s++) {
			int h, l;
			if (*s == '=' && (h = hexval(s[1])) >= 0 && (l = hexval(s[2])) >= 0) {
				*o++ = (char)(h * 16 + l);
				s += 2;
			} else {
				*o++ = *s;
			}
		}
		*o = '\0';
	}
	char *conv = NULL;
	if (charset && strcasecmp(charset, "UTF-8") && strcasecmp(charset, "UTF8")) {
		iconv_t cd = iconv_open("UTF-8", charset);
		if (cd == (iconv_t)-1)
			return fail(r, line, "%s: unknown CHARSET '%s'", name, quoted(charset, q, sizeof q));
		size_t inl = strlen(value), outl = inl * 4 + 1;
		char *in = value, *out = conv = malloc(outl);
		if (!conv) {
			iconv_close(cd);
			return CRM_NOMEM;
		}
		if (iconv(cd, &in, &inl, &out, &outl) == (size_t)-1) {
			iconv_close(cd);
			free(conv);
			return fail(r, line, "%s: not valid %s", name, quoted(charset, q, sizeof q));
		}
		*out = '\0';
		iconv_close(cd);
		value = conv;
	}
	long bad = utf8_check(value, strlen(value));
	if (bad >= 0) {
		free(conv);
		return fail(r, line, "invalid UTF-8 in %s%s", name,
		            enc_hint((const unsigned char *)value + bad));
	}
	struct strv parts = {0};
	char bd[11];
	if (!strcasecmp(name, "N") || !strcasecmp(name, "ADR") || !strcasecmp(name, "ORG") ||
	    !strcasecmp(name, "GENDER"))
		rc = vcard_split(value, ';', &parts, 1);
	else if (!strcasecmp(name, "CATEGORIES"))
		rc = vcard_split(value, ',', &parts, 1);
	else
		rc = vcard_split(value, '\0', &parts, 1);
	const char *v0 = parts.n ? parts.v[0] : "";
#define PART(i) (parts.n > (i) && *parts.v[i] ? parts.v[i] : NULL)
	if (rc)
		;
	else if (!strcasecmp(name, "FN"))
		rc = crm_party_set(p, CRM_F_NAME, v0);
	else if (!strcasecmp(name, "N")) {
		if (PART(0) && !p->v[CRM_F_LAST_NAME])
			rc = crm_party_set(p, CRM_F_LAST_NAME, PART(0));
		if (!rc && PART(1) && !p->v[CRM_F_FIRST_NAME])
			rc = crm_party_set(p, CRM_F_FIRST_NAME, PART(1));
	} else if (!strcasecmp(name, "ORG")) {
		if (PART(0) && !p->v[CRM_F_ORG])
			rc = crm_party_set(p, CRM_F_ORG, PART(0));
	} else if (!strcasecmp(name, "TITLE")) {
		rc = crm_party_set(p, CRM_F_TITLE, v0);
	} else if (!strcasecmp(name, "EMAIL") || !strcasecmp(name, "TEL")) {
		int f = toupper((unsigned char)*name) == 'E' ? CRM_F_EMAIL : CRM_F_PHONE;
		const char *v = v0;
		if (f == CRM_F_PHONE && !strncasecmp(v, "tel:", 4))
			v += 4;
		/* The first is the party's; the others are kept in attrs.emails or attrs.phones. */
		if (!*v)
			;
		else if (!p->v[f])
			rc = crm_party_set(p, f, v);
		else
			rc = attr_push(p, f == CRM_F_EMAIL ? "emails" : "phones", v);
	} else if (!strcasecmp(name, "ADR")) {
		if (!p->v[CRM_F_CITY] && !p->v[CRM_F_POSTCODE] && !p->v[CRM_F_COUNTRY]) {
			if (PART(3))
				rc = crm_party_set(p, CRM_F_CITY, PART(3));
			if (!rc && PART(5))
				rc = crm_party_set(p, CRM_F_POSTCODE, PART(5));
			if (!rc && PART(6))
				rc = crm_party_set(p, CRM_F_COUNTRY, PART(6));
		}
	} else if (!strcasecmp(name, "BDAY")) {
		/* A birthday this cannot read is kept as text in attrs.bday. */
		int ok = vcard_bday(v0, bd);
		/* An iPhone writes a birthday without a year as year 1604 (X-APPLE-OMIT-YEAR). */
		if (ok && omit_year && !strncmp(bd, omit_year, 4) && strlen(omit_year) == 4) {
			memmove(bd + 2, bd + 5, 6);
			bd[0] = bd[1] = '-';
		}
		rc = ok ? crm_party_set(p, CRM_F_BIRTHDATE, bd) : crm_party_set_attr(p, "bday", v0);
	} else if (!strcasecmp(name, "GENDER")) {
		const char *g = !strcasecmp(v0, "M") ? "male" : !strcasecmp(v0, "F") ? "female" :
		                PART(1) ? PART(1) : NULL;
		if (g)
			rc = crm_party_set(p, CRM_F_GENDER, g);
	} else if (!strcasecmp(name, "NOTE")) {
		rc = crm_party_set(p, CRM_F_NOTES, v0);
	} else if (!strcasecmp(name, "CATEGORIES")) {
		for (size_t i = 0; !rc && i < parts.n; i++)
			if (*parts.v[i])
				rc = crm_party_add_tag(p, parts.v[i]);
	} else if (!strcasecmp(name, "KIND")) {
		if (!strcasecmp(v0, "org") || !strcasecmp(v0, "organization"))
			rc = crm_party_set(p, CRM_F_TYPE, "organization");
	} else if (!strcasecmp(name, "X-CRM-KIND")) {
		rc = crm_party_set(p, CRM_F_KIND, v0);
	} else if (!strcasecmp(name, "X-CRM-EXT-ID")) {
		rc = crm_party_set(p, CRM_F_EXT_ID, v0);
		*have_ext = 1;
	} else if (!strcasecmp(name, "UID")) {
		/* A phone's or a server's id is an ext_id; this toolkit's own is not. */
		if (!*have_ext && strncmp(v0, "urn:crm:party:", 14))
			rc = crm_party_set(p, CRM_F_EXT_ID, v0);
	} else if (!strcasecmp(name, "X-CRM-ATTRS")) {
		json_error_t je;
		json_t *o = json_depth(v0, strlen(v0), MAXDEPTH) > MAXDEPTH ? NULL :
		            crm_json_load(v0, strlen(v0), JSON_REJECT_DUPLICATES, &je);
		const char *k;
		json_t *jv;
		if (!json_is_object(o)) {
			json_decref(o);
			rc = fail(r, line, "X-CRM-ATTRS: not a JSON object");
		} else {
			if (!p->attrs)
				p->attrs = json_object();
			json_object_foreach(o, k, jv)
				json_object_set(p->attrs, k, jv);
			json_decref(o);
		}
	} else if (!strcasecmp(name, "VERSION") || !strcasecmp(name, "PRODID") ||
	           !strcasecmp(name, "REV") || !strncasecmp(name, "X-AB", 4)) {
		;
	} else {
		/* Anything else as an attribute, named in lower case: url, nickname, x-... */
		char key[64];
		size_t i;
		for (i = 0; name[i] && i < sizeof key - 1; i++)
			key[i] = (char)tolower((unsigned char)name[i]);
		key[i] = '\0';
		if (!p->attrs || !json_object_get(p->attrs, key))
			rc = crm_party_set_attr(p, key, v0);
	}
#undef PART
	strv_clear(&parts);
	free(conv);
	return rc;
}

static int
vcard_next(crm_reader_t *r, crm_party_t **out)
{
	struct buf l = {0};
	crm_party_t *p = NULL;
	long line = 0;
	int got, rc = CRM_OK, have_ext = 0;

	if (r->events) {
		r->fatal = 1;   /* nothing of the input can be read: it ends here */
		r->eof = 1;
		r->rec_line = 1;
		return fail(r, 1, "vCards hold parties, not events");
	}
	/* Up to BEGIN:VCARD, past blank lines. */
	for (;;) {
		if ((got = vcard_line(r, &l, &line)) <= 0) {
			buf_free(&l);
			return got == 0 ? CRM_EOF : got == -2 ? CRM_BADINPUT : io_fail(r);
		}
		if (!blank(l.p, l.len))
			break;
	}
	r->rec_line = line;
	buf_reset(&r->raw);
	if (strcasecmp(l.p, "BEGIN:VCARD")) {
		buf_free(&l);
		return fail(r, line, "expected BEGIN:VCARD");
	}
	if (!(p = crm_party_new())) {
		buf_free(&l);
		return CRM_NOMEM;
	}
	buf_adds(&r->raw, "BEGIN:VCARD\r\n");
	int bad = CRM_OK;
	for (;;) {
		if ((got = vcard_line(r, &l, &line)) <= 0) {
			rc = got == 0 ? fail(r, r->rec_line, "no END:VCARD") : got == -2 ? CRM_BADINPUT :
			     io_fail(r);
			break;
		}
		buf_add(&r->raw, l.p, l.len);
		buf_adds(&r->raw, "\r\n");
		if (!strcasecmp(l.p, "END:VCARD")) {
			rc = bad;
			break;
		}
		/* After a bad property, the rest of the card goes with it (one reject). */
		if (bad || blank(l.p, l.len))
			continue;
		/* group.NAME;PARAMS:VALUE, the colon outside double quotes */
		char *s = l.p, *colon = NULL;
		int inq = 0;
		for (char *c = s; *c; c++) {
			if (*c == '"')
				inq = !inq;
			else if (*c == ':' && !inq) {
				colon = c;
				break;
			}
		}
		if (!colon) {
			char q[96];
			r->rec_line = line;
			bad = fail(r, line, "not a vCard property: %s", quoted(s, q, sizeof q));
			continue;
		}
		*colon = '\0';
		char *params = strchr(s, ';');
		if (params)
			*params++ = '\0';
		char *dot = strrchr(s, '.');
		const char *name = dot ? dot + 1 : s;
		if (!strcasecmp(name, "BEGIN")) {
			r->rec_line = line;
			bad = fail(r, line, "a vCard inside a vCard");
			continue;
		}
		if ((rc = vcard_prop(r, p, line, name, params ? params : (char *)"", colon + 1, &have_ext))) {
			if (rc != CRM_BADINPUT)
				break;
			r->rec_line = line;     /* the line of the property at fault */
			bad = rc;
			rc = CRM_OK;
		}
	}
	buf_free(&l);
	if (r->raw.err)
		rc = CRM_NOMEM;
	if (rc) {
		crm_party_free(p);
		if (rc == CRM_BADINPUT && !r->err[0])
			fail(r, r->rec_line, "bad vCard");
		return rc;
	}
	/*
	 * What a vCard needs but the party did not have: an organization's
	 * ORG is its own name, and an FN that is only the e-mail or the ext_id
	 * names no one.
	 */
	const char *nm = p->v[CRM_F_NAME];
	if (nm && p->v[CRM_F_TYPE] && !strcmp(p->v[CRM_F_TYPE], "organization") && p->v[CRM_F_ORG] &&
	    !strcmp(p->v[CRM_F_ORG], nm))
		crm_party_set(p, CRM_F_ORG, NULL);
	if (nm && ((p->v[CRM_F_EMAIL] && !strcasecmp(p->v[CRM_F_EMAIL], nm)) ||
	           (p->v[CRM_F_PHONE] && !strcmp(p->v[CRM_F_PHONE], nm)) ||
	           (p->v[CRM_F_ORG] && !strcmp(p->v[CRM_F_ORG], nm) && !p->v[CRM_F_FIRST_NAME] &&
	            !p->v[CRM_F_LAST_NAME] && strcmp(p->v[CRM_F_TYPE] ? p->v[CRM_F_TYPE] : "", "organization")) ||
	           (p->v[CRM_F_EXT_ID] && !strcmp(p->v[CRM_F_EXT_ID], nm)) || !strcmp(nm, "?")))
		crm_party_set(p, CRM_F_NAME, NULL);
	p->utf8_ok = 1;
	*out = p;
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Lists: one id, e-mail or ext_id a line (crm-find --ids, jq -r .email). */

#define MAXTOKEN 512

/*
 * What one item of a list is, by its shape: 'i' digits (an id), '@' an
 * e-mail, 'x' anything else (an ext_id); 0 for no item: blank, or with
 * white space, a comma, a semicolon, a quote, a brace or a bracket.
 */
static int
token_kind(const char *s, size_t n)
{
	int digits = 1, at = 0;

	if (!n || n > MAXTOKEN)
		return 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c <= ' ' || c == 0x7f || strchr(",;\"{}[]", c))
			return 0;
		digits &= isdigit(c) != 0;
		at |= c == '@';
	}
	return digits ? 'i' : at ? '@' : 'x';
}

/* A line without the white space around it. */
static const char *
trim(const char *s, size_t n, size_t *len)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*len = n;
	return s;
}

/*
 * Whether the input read so far (up to 64 KiB) is a list: every line
 * that is not blank one item.  -1: it is not; 0: a list; 1: a list whose
 * first line is a field name, a CSV header (email, id, ext_id); 2: a list
 * whose first line, of another shape than all the others (ids or
 * e-mails), is their heading.  *named: the first line is a field name,
 * list or not.
 */
static int
sniff_lines(const crm_reader_t *r, int *named)
{
	const char *s = (const char *)r->ibuf + r->ipos, *e = (const char *)r->ibuf + r->ilen;
	char first[MAXTOKEN + 1];
	int n = 0, kind0 = 0, others = 0, list = 1;

	*named = 0;
	while (s < e) {
		const char *nl = memchr(s, '\n', (size_t)(e - s)), *le = nl ? nl : e;
		size_t tl;
		const char *t = trim(s, (size_t)(le - s), &tl);
		s = nl ? nl + 1 : e;
		if (!tl)
			continue;
		int k = token_kind(t, tl);
		if (n++ == 0) {
			memcpy(first, t, k ? tl : 0);
			first[k ? tl : 0] = '\0';
			kind0 = k;
			*named = k == 'x' && (crm_field_lookup(first, 1) >= 0 || !strcmp(first, "party_id"));
		}
		if (!k) {
			list = 0;
			break;
		}
		if (n > 1)
			others |= k == 'i' ? 1 : k == '@' ? 2 : 4;
	}
	if (!n || !list)
		return -1;
	if (*named)
		return 1;
	return kind0 == 'x' && (others == 1 || others == 2) ? 2 : 0;
}

static int
lines_next(crm_reader_t *r, crm_party_t **out)
{
	char q[96];
	int got, rc = CRM_OK;

	if (r->events) {
		r->fatal = 1;
		r->eof = 1;
		r->rec_line = 1;
		return fail(r, 1, "a list of ids, e-mails or ext_ids names parties, not events");
	}
	for (;;) {
		if ((got = read_line(r, 1)) < 0)
			return io_fail(r);
		if (got == 0)
			return CRM_EOF;
		r->rec_line = r->lineno;
		buf_reset(&r->raw);
		if (r->line_long)
			return fail(r, r->rec_line, "line longer than %d bytes", MAXREC);
		size_t tl;
		const char *t = trim(r->line.p, r->line.len, &tl);
		if (!tl)
			continue;
		if ((rc = buf_add(&r->raw, r->line.p, r->line.len)))
			return rc;
		char *tok = strndup(t, tl);
		if (!tok)
			return CRM_NOMEM;
		/* Unicode white space around an item goes too (U+00A0, U+3000). */
		const char *w = white_trim(tok, &tl);
		memmove(tok, w, tl);
		tok[tl] = '\0';
		if (!tl) {
			free(tok);
			continue;
		}
		if (r->lines_header) {
			/* The list's heading: said, not read. */
			r->lines_header = 0;
			rc = note_skipped(r, r->rec_line, tok, "a header");
			free(tok);
			if (rc)
				return rc;
			continue;
		}
		long bad = utf8_check(tok, tl);
		int k = token_kind(tok, tl);
		if (bad >= 0 || !k) {
			rc = bad >= 0 ? fail(r, r->rec_line, "invalid UTF-8%s",
			                     enc_hint((const unsigned char *)tok + bad)) :
			     fail(r, r->rec_line, "not an id, an e-mail or an ext_id: '%s'",
			          quoted(tok, q, sizeof q));
			free(tok);
			return rc;
		}
		crm_party_t *p = crm_party_new();
		int64_t id;
		if (!p)
			rc = CRM_NOMEM;
		else if (k == 'i' && parse_id(tok, &id))
			p->id = id;
		else
			rc = crm_party_set(p, k == '@' ? CRM_F_EMAIL : CRM_F_EXT_ID, tok);
		free(tok);
		if (rc) {
			crm_party_free(p);
			return rc;
		}
		p->utf8_ok = 1;
		*out = p;
		return CRM_OK;
	}
}

static int next_sync(crm_reader_t *r, crm_party_t **out);

void
crm_reader_party_id(crm_reader_t *r, int on)
{
	r->use_party_id = on;
}

void
crm_reader_set_check(crm_reader_t *r, crm_check_fn *fn, void *ctx)
{
	r->check = fn;
	r->check_ctx = ctx;
}

int
crm_reader_events(crm_reader_t *r, const crm_event_t *over)
{
	r->events = 1;
	if (over && !(r->ev_over = crm_event_copy(over)))
		return CRM_NOMEM;
	return CRM_OK;
}

int
crm_reader_next_event(crm_reader_t *r, crm_party_t **party, crm_event_t **event)
{
	int rc = crm_reader_next(r, party);

	*event = NULL;
	if (rc == CRM_OK) {
		*event = (*party)->ev;
		(*party)->ev = NULL;
	}
	return rc;
}

/*
 * Complete and check an event record: the fields laid over it, the event,
 * the party it names.
 */
static int
event_prepare(crm_reader_t *r, crm_party_t *p, char *msg, size_t len)
{
	crm_event_t *e = p->ev, *o = r->ev_over;
	int field, rc;

	for (int f = CRM_E_AT; o && f < CRM_E_ATTRS; f++)
		if (o->v[f] && !(f == CRM_E_TYPE && r->refund_now) &&
		    (rc = crm_event_set(e, f, o->v[f])))
			return rc;
	if (o && o->attrs) {
		const char *k;
		json_t *x;
		if (!e->attrs && !(e->attrs = json_object()))
			return CRM_NOMEM;
		json_object_foreach(o->attrs, k, x)
			if (json_is_null(x) ? (json_object_del(e->attrs, k), 0) :
			    json_object_set(e->attrs, k, x))
				return CRM_NOMEM;
	}
	int dated = e->v[CRM_E_AT] != NULL;
	if ((rc = event_type_map(e)) || (rc = crm_event_check(e, &field, msg, len)))
		return rc;
	if (!e->v[CRM_E_REF] && dated && (rc = event_auto_ref(e)))
		return rc;
	if ((rc = crm_party_check(p, &field, msg, len)))
		return rc;
	if (!p->id && !p->v[CRM_F_EMAIL] && !p->v[CRM_F_EXT_ID]) {
		msgf(msg, len, "no party: an event record names it by party_id, email or ext_id");
		return CRM_BADINPUT;
	}
	return CRM_OK;
}

/* The next record, passed through the check function when there is one. */
static int
next_checked(crm_reader_t *r, crm_party_t **out)
{
	char msg[512];
	int rc;

	/* The refund of the order just read: the same line, the same bytes. */
	r->refund_now = r->pending != NULL;
	if (r->pending) {
		*out = r->pending;
		r->pending = NULL;
		r->err[0] = '\0';
		rc = CRM_OK;
	} else {
		rc = next_sync(r, out);
	}
	r->nrecords += rc == CRM_OK || rc == CRM_BADINPUT;
	/* JSON Lines have no header: a --map key that no record had is said at the end. */
	if (rc == CRM_EOF && r->format == CRM_IN_JSONL && r->nrecords)
		for (size_t m = 0; m < r->map_from.n && m < 64; m++)
			if (!(r->map_seen & 1ULL << m)) {
				snprintf(r->err, sizeof r->err, "%ld: --map: no key '%s' in any record",
				         r->lineno, r->map_from.v[m]);
				r->fatal = 1;
				r->rec_line = r->lineno;
				return CRM_USAGE;
			}
	if (rc != CRM_OK || (!r->check && !r->events))
		return rc;
	msg[0] = '\0';
	if (r->check)
		rc = r->check(*out, r->check_ctx, msg, sizeof msg);
	if (!rc && r->events)
		rc = event_prepare(r, *out, msg, sizeof msg);
	if (rc) {
		crm_party_free(*out);
		*out = NULL;
		if (rc == CRM_BADINPUT)
			fail(r, r->rec_line, "%s", msg);
		/* An order refused is refused once: its refund goes with it. */
		crm_party_free(r->pending);
		r->pending = NULL;
	}
	return rc;
}

/* The reading thread: parse ahead of the caller, RING records at most. */
static void *
read_ahead(void *arg)
{
	crm_reader_t *r = arg;

	for (;;) {
		crm_party_t *p = NULL;
		int rc = next_checked(r, &p);
		const char *unk = unknown_sync(r);
		char *err = rc != CRM_OK && r->err[0] ? strdup(r->err) : NULL;
		char *unknown = unk ? strdup(unk) : NULL;
		const char *skp = skipped_sync(r);
		char *skipped = skp ? strdup(skp) : NULL;

		pthread_mutex_lock(&r->mu);
		/* A full ring waits till it is half empty: few wake-ups. */
		if (r->count == RING || (r->queued > RING_BYTES && r->count)) {
			r->prod_waits = 1;
			while ((r->count > RING / 2 || (r->queued > RING_BYTES / 2 && r->count)) &&
			       !r->stop)
				pthread_cond_wait(&r->cv, &r->mu);
			r->prod_waits = 0;
		}
		if (r->stop) {
			pthread_mutex_unlock(&r->mu);
			crm_party_free(p);
			free(err);
			free(unknown);
			free(skipped);
			return NULL;
		}
		/* The slot is free while count < RING: only this thread fills it. */
		struct slot *sl = &r->ring[(r->head + r->count) % RING];
		pthread_mutex_unlock(&r->mu);
		sl->p = p;
		sl->rc = rc;
		sl->fatal = r->fatal;
		sl->line = r->rec_line;
		sl->err = err;
		sl->unknown = unknown;
		sl->skipped = skipped;
		buf_reset(&sl->raw);
		if (r->raw.len && buf_add(&sl->raw, r->raw.p, r->raw.len))
			sl->rc = CRM_NOMEM;
		pthread_mutex_lock(&r->mu);
		r->count++;
		r->queued += sl->raw.len;
		if (r->cons_waits)
			pthread_cond_broadcast(&r->cv);
		pthread_mutex_unlock(&r->mu);
		if ((rc != CRM_OK && rc != CRM_BADINPUT) || r->fatal)
			return NULL;    /* EOF or an error that ends the input */
	}
}

int
crm_reader_start(crm_reader_t *r)
{
	if (r->async || r->started)
		return CRM_OK;
	if (pthread_mutex_init(&r->mu, NULL))
		return CRM_NOMEM;
	if (pthread_cond_init(&r->cv, NULL)) {
		pthread_mutex_destroy(&r->mu);
		return CRM_NOMEM;
	}
	if (pthread_create(&r->thread, NULL, read_ahead, r)) {
		pthread_cond_destroy(&r->cv);
		pthread_mutex_destroy(&r->mu);
		return CRM_OK;          /* no thread: read in the caller's */
	}
	r->async = 1;
	return CRM_OK;
}

int
crm_reader_next(crm_reader_t *r, crm_party_t **out)
{
	*out = NULL;
	if (!r->async) {
		if (r->fatal)
			return CRM_EOF;
		return next_checked(r, out);
	}
	if (r->ended)
		return CRM_EOF;
	pthread_mutex_lock(&r->mu);
	r->cons_waits = 1;
	while (r->count == 0)
		pthread_cond_wait(&r->cv, &r->mu);
	r->cons_waits = 0;
	pthread_mutex_unlock(&r->mu);
	struct slot *sl = &r->ring[r->head];
	struct buf keep = r->cur.raw;
	slot_clear(&r->cur);
	r->cur = *sl;
	sl->p = NULL;
	sl->err = NULL;
	sl->unknown = NULL;
	sl->skipped = NULL;
	if (keep.cap > (1 << 20))
		buf_free(&keep);        /* keep no giant buffer for the next record */
	sl->raw = keep;             /* the old buffer is reused */
	*out = r->cur.p;
	r->cur.p = NULL;
	int rc = r->cur.rc;
	pthread_mutex_lock(&r->mu);
	r->head = (r->head + 1) % RING;
	r->count--;
	r->queued -= r->cur.raw.len;
	if (r->prod_waits && r->count <= RING / 2 && (r->queued <= RING_BYTES / 2 || !r->count))
		pthread_cond_broadcast(&r->cv);
	pthread_mutex_unlock(&r->mu);
	if ((rc != CRM_OK && rc != CRM_BADINPUT) || r->cur.fatal)
		r->ended = 1;
	return rc;
}

static int
next_sync(crm_reader_t *r, crm_party_t **out)
{
	int rc;

	*out = NULL;
	r->err[0] = '\0';
	if (!r->started) {
		r->started = 1;
		if ((rc = check_bom(r))) {
			r->fatal = 1;
			r->rec_line = 1;
			r->eof = 1;
			r->ipos = r->ilen;
			return rc;
		}
		int named;
		if (r->format == CRM_IN_LINES && (sniff_lines(r, &named) > 0 || named))
			r->lines_header = 1;
		if (r->format == CRM_IN_AUTO || r->format == CRM_IN_JSONL) {
			/* The first byte that is not white space decides. */
			for (;;) {
				int got = r->ipos == r->ilen ? fill(r) : 1;
				if (got < 0 && r->bad_line) {
					r->rec_line = 1;
					return io_fail(r);
				}
				if (got <= 0 && ferror(r->fp))
					return CRM_IO;
				if (got <= 0) {
					/*
					 * Nothing but a byte-order mark or blank lines: 0
					 * records, said (an empty file, or white space on one
					 * line, is 0 records silently).
					 */
					char m[80];
					if (r->lineno > 0 || r->had_bom) {
						snprintf(m, sizeof m, "%s%s%ld blank line%s", r->had_bom ?
						         "a byte-order mark" : "", r->had_bom && r->lineno ?
						         " and " : "", r->lineno, r->lineno == 1 ? "" : "s");
						if (!r->lineno)
							m[strlen("a byte-order mark")] = '\0';
						if ((rc = strv_push(&r->skipped, m)))
							return rc;
					}
					return CRM_EOF;
				}
				unsigned char c = r->ibuf[r->ipos];
				if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
					if (c == '\n' || (c == '\r' && r->ipos + 1 < r->ilen &&
					                   r->ibuf[r->ipos + 1] != '\n'))
						r->lineno++;
					r->ipos++;
					continue;
				}
				size_t avail = r->ilen - r->ipos;
				r->jarray = c == '[';
				if (c == '{') {
					/* A line of a lone '{': an object over several lines (jq .). */
					const unsigned char *nl = memchr(r->ibuf + r->ipos, '\n', avail);
					size_t tl;
					if (nl)
						trim((const char *)r->ibuf + r->ipos + 1,
						     (size_t)(nl - r->ibuf - r->ipos - 1), &tl);
					if (nl && !tl)
						r->jarray = 2;
				}
				if (r->format == CRM_IN_JSONL)
					break;
				int list = r->events ? -1 : sniff_lines(r, &named);
				r->format = c == '{' || c == '[' ? CRM_IN_JSONL :
				            !strncasecmp((const char *)r->ibuf + r->ipos, "BEGIN:VCARD",
				                         avail < 11 ? avail : 11) && avail >= 11 ? CRM_IN_VCARD :
				            list == 0 || list == 2 ? CRM_IN_LINES : CRM_IN_CSV;
				r->lines_header = list == 2;
				break;
			}
		}
	}
	if (r->format == CRM_IN_JSONL)
		rc = r->jarray ? jarray_next(r, out) : jsonl_next(r, out);
	else if (r->format == CRM_IN_VCARD)
		rc = vcard_next(r, out);
	else if (r->format == CRM_IN_LINES)
		rc = lines_next(r, out);
	else
		rc = csv_next(r, out);
	if (rc == CRM_BADINPUT && !r->err[0])
		snprintf(r->err, sizeof r->err, "%ld: bad record", r->rec_line);
	if (rc == CRM_EOF && ferror(r->fp))
		return CRM_IO;
	return rc;
}
