/* SPDX-License-Identifier: MIT */
/*
 * fuzz-reader.c: libFuzzer harness of the record readers.  The first
 * byte picks the format (auto, CSV, JSON Lines, vCard, TSV, lines) and
 * whether events are read; the rest is the input, read to its end, bad
 * records and all, as crm-add --rejects would.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "crm.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const int formats[] = { CRM_IN_AUTO, CRM_IN_CSV, CRM_IN_JSONL, CRM_IN_VCARD,
	                               CRM_IN_TSV, CRM_IN_LINES };
	crm_reader_t *r;
	crm_party_t *p;
	crm_event_t *e;
	int rc, n = 0;

	if (size < 1)
		return 0;
	int format = formats[data[0] % 6], events = data[0] & 0x80;
	FILE *fp = fmemopen((void *)(data + 1), size - 1 ? size - 1 : 1, "r");
	if (!fp)
		return 0;
	if (size == 1)
		fgetc(fp);      /* fmemopen wants a size: an empty input all the same */
	if (crm_reader_open(fp, "fuzz", format, NULL, &r) == CRM_OK) {
		if (events && format != CRM_IN_VCARD && format != CRM_IN_LINES)
			crm_reader_events(r, NULL);
		/* Bounded: a bad record leaves the reader after it, as documented. */
		while (n++ < 100000) {
			if (events && format != CRM_IN_VCARD && format != CRM_IN_LINES) {
				rc = crm_reader_next_event(r, &p, &e);
				if (rc == CRM_OK) {
					crm_party_free(p);
					crm_event_free(e);
				}
			} else {
				rc = crm_reader_next(r, &p);
				if (rc == CRM_OK)
					crm_party_free(p);
			}
			if (rc == CRM_EOF || rc == CRM_IO || rc == CRM_NOMEM)
				break;
			if (rc == CRM_BADINPUT && crm_reader_fatal(r))
				break;
		}
		crm_reader_close(r);
	}
	fclose(fp);
	return 0;
}
