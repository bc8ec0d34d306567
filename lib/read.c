/* SPDX-License-Identifier: MIT */
/*
 * read.c: the record reader (see read-private.h for its files): open and
 * free; what it tells of the record in hand; the choice of the format and
 * the next record of it, checked; the thread that reads ahead of the
 * caller.
 */
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

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

const char *
crm_reader_unknown(const crm_reader_t *r)
{
	if (r->async)
		return r->cur.unknown;
	return unknown_sync((crm_reader_t *)r);
}

const char *
crm_reader_skipped(const crm_reader_t *r)
{
	if (r->async)
		return r->cur.skipped;
	return skipped_sync((crm_reader_t *)r);
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

void
crm_reader_close(crm_reader_t *r)
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
			reader_fail(r, r->rec_line, "%s", msg);
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
				int got = r->ipos == r->ilen ? reader_fill(r) : 1;
				if (got < 0 && r->bad_line) {
					r->rec_line = 1;
					return reader_io_fail(r);
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
