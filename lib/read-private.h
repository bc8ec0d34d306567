/* SPDX-License-Identifier: MIT */
/*
 * read-private.h: what the files of the record reader share, and the
 * programs and the rest of the library do not see.  The reader reads CSV
 * through libcsv and JSON Lines through Jansson, one physical line at a
 * time, so that memory stays bounded and every record knows the line it
 * started on and its verbatim bytes; a JSON array element by element, and
 * lists of ids, e-mails or ext_ids one a line.  Its files, each using
 * only those after it in this list (tests/layers.sh):
 *
 *   read.c         the reader: open and free, what it tells of the record
 *                  in hand, the choice of the format, next() and the check
 *                  of each record, the read-ahead thread and its ring
 *   csv.c          CSV and TSV: cells, the delimiter, the header into
 *                  columns, a row into a record
 *   preset.c       other systems' exports (--from): their columns, dates,
 *                  more e-mails and phones; a shop's orders and line items
 *   vcard.c        vCard 2.1, 3.0 and 4.0
 *   lines.c        lists: one id, e-mail or ext_id a line
 *   jsonl.c        JSON Lines, JSON arrays and objects over several lines,
 *                  other systems' API records
 *   source.c       bytes in: the buffer, encodings (iconv), byte-order
 *                  marks, physical lines
 *   map.c          --map: its items, crm_map_check()
 *   read-common.c  what the formats share: the errors and notes, and the
 *                  values read alike (ids, tags, created, attribute lists)
 */
#ifndef CRM_READ_PRIVATE_H
#define CRM_READ_PRIVATE_H

#include <csv.h>
#include <iconv.h>
#include <pthread.h>

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

	/* Input in another encoding, decoded into ibuf (see reader_fill()). */
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

/*
 * read-common.c.  reader_fail(): r->err is "LINE: what", CRM_BADINPUT.  The notes of
 * unknown columns or keys and of lines that are no records, and the
 * ones not yet told (*_sync()).  The values every format reads alike.
 */
int reader_fail(crm_reader_t *r, long line, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
const char *unknown_sync(crm_reader_t *w);
const char *skipped_sync(crm_reader_t *w);
int note_skipped(crm_reader_t *r, long line, const char *text, const char *why);
int note_unknown(crm_reader_t *r, const char *key);
int event_only_key(const char *k);
int parse_id(const char *v, int64_t *id);
int add_tags(crm_party_t *p, const char *v);
int set_created(crm_party_t *p, const char *v);
int attr_push(crm_party_t *p, const char *key, const char *v);

/* map.c: --map's items into r->map_from and r->map_to (CRM_USAGE, said in r->err). */
int parse_map(crm_reader_t *r, const char *map);

/* source.c: a read error (or bytes not of the encoding); the buffer; a physical line. */
int reader_io_fail(crm_reader_t *r);
int reader_fill(crm_reader_t *r);
int reader_line(crm_reader_t *r, int cr_ends);
int check_bom(crm_reader_t *r);
const char *enc_hint(const unsigned char *s);

/* jsonl.c: JSON's nesting depth; a record of JSON Lines, of a JSON array. */
int json_depth(const char *s, size_t n, int max);
int jsonl_next(crm_reader_t *r, crm_party_t **out);
int jarray_next(crm_reader_t *r, crm_party_t **out);

/* lines.c: whether the input is a list (see sniff_lines()); an item of it. */
int sniff_lines(const crm_reader_t *r, int *named);
int lines_next(crm_reader_t *r, crm_party_t **out);

/* vcard.c */
int vcard_next(crm_reader_t *r, crm_party_t **out);

/* preset.c: the columns, dates and more e-mails of exports; a shop's orders. */
int shop_column(struct col *c);
int preset_date(const crm_reader_t *r, const char *v, char out[11]);
int more_ident(const char *name);
int add_more(crm_party_t *p, int field, const char *v);
int shop_line_item(crm_reader_t *r, int *more);
int shop_order(crm_reader_t *r, crm_party_t **out);

/* csv.c: a CSV or TSV record, the header read first. */
int csv_next(crm_reader_t *r, crm_party_t **out);

/* On the path of every record, line or cell: inline. */
static inline void
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

static inline int
blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t' && s[i] != '\r' && s[i] != '\n')
			return 0;
	return 1;
}

static inline const char *
cell(crm_reader_t *r, size_t i)
{
	return r->cells.p + r->off[i];
}

static inline size_t
cell_len(crm_reader_t *r, size_t i)
{
	size_t end = i + 1 < r->ncells ? r->off[i + 1] - 1 : r->cells.len - 1;
	return end - r->off[i];
}

/* Party fields that an event record may give, for a party it creates. */
static inline int
event_party_field(int f)
{
	return f >= 0 && f != CRM_F_ID && f != CRM_F_ORG_ID && f != CRM_F_CREATED &&
	       f != CRM_F_UPDATED && f != CRM_F_ATTRS && !CRM_FIELD_IS_FACT(f);
}

/* A line without the white space around it. */
static inline const char *
trim(const char *s, size_t n, size_t *len)
{
	while (n && (*s == ' ' || *s == '\t' || *s == '\r' || *s == '\n'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\r' || s[n - 1] == '\n'))
		n--;
	*len = n;
	return s;
}

#endif /* CRM_READ_PRIVATE_H */
