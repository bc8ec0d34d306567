/* SPDX-License-Identifier: MIT */
/*
 * source.c: the reader's bytes in: the input buffer, filled from the
 * file or decoded from another encoding by iconv; the byte-order marks;
 * physical lines, however they end.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

/* A read error: the message names the system error; CRM_IO. */
int
reader_io_fail(crm_reader_t *r)
{
	/* Bytes that are not of the encoding end the input: bad input, not a read error. */
	if (r->cd != (iconv_t)-1 && r->bad_line) {
		r->fatal = 1;
		r->rec_line = r->bad_line;
		return reader_fail(r, r->bad_line, "not valid %s%s", r->enc,
		            strncasecmp(r->enc, "UTF-", 4) ? "; is --encoding right?" : "");
	}
	snprintf(r->err, sizeof r->err, "%ld: read error: %s", r->lineno, strerror(errno));
	return CRM_IO;
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
reader_fill_decoded(crm_reader_t *r)
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

int
reader_fill(crm_reader_t *r)
{
	if (r->eof)
		return 0;
	if (r->cd != (iconv_t)-1)
		return reader_fill_decoded(r);
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
reader_line1(crm_reader_t *r, int cr_ends)
{
	buf_reset(&r->line);
	r->line_long = 0;
	r->line_lost_quotes = 0;
	for (;;) {
		if (r->ipos == r->ilen) {
			int n = reader_fill(r);
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
				if (r->ipos == r->ilen && reader_fill(r) < 0)
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
 * A line as reader_line1() reads it; with cr_ends 2 (vCard), CR CR LF, as
 * the iPhone ends the lines of its vCards, is one line end, not two.
 */
int
reader_line(crm_reader_t *r, int cr_ends)
{
	for (;;) {
		int lone_cr = r->lone_cr;
		int got = reader_line1(r, cr_ends);
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

/* Strip a UTF-8 byte-order mark; refuse other encodings' marks. */
int
check_bom(crm_reader_t *r)
{
	unsigned char *s;
	size_t n;

	if (r->ilen - r->ipos < 4 && reader_fill(r) < 0)
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
		return rc == CRM_USAGE ? reader_fail(r, 1, "%s input, which this system cannot decode", enc) : rc;
	/* What was read so far is still raw: it goes through the decoder. */
	memcpy(r->rbuf, s + bom, n - bom);
	r->rlen = n - bom;
	r->ipos = r->ilen = 0;
	return reader_fill(r) < 0 ? reader_fail(r, 1, "not valid %s", enc) : CRM_OK;
}

/* Name the likely encoding of a byte that is not UTF-8. */
const char *
enc_hint(const unsigned char *s)
{
	if (*s == 0)
		return " (UTF-16 without a byte-order mark? read it with --encoding utf-16le or utf-16be)";
	if (*s >= 0x80 && *s <= 0x9f)
		return " (Windows-1252? read it with --encoding cp1252)";
	return " (Latin-1 or Windows-1252? read it with --encoding cp1252 or latin1)";
}
