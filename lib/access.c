/* SPDX-License-Identifier: MIT */
/*
 * access.c: the data subject's documents: everything about them as one
 * JSON document (access, Art. 15), and the files they take elsewhere
 * (portability, Art. 20).  What they read of the store beyond the
 * records, segments, scores and audit trail is in gdpr-sql.c.
 */
#include <errno.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "crm-private.h"
#include "gdpr-private.h"

/* ------------------------------------------------------------------ */
/* Access (Art. 15): one JSON document. */

static const char *const art15[] = {
	"purposes", "categories", "recipients", "retention", "source",
	"automated_decisions", "rights", "supervisory_authority",
};

/* The register, read before anything is written: NULL when there is none. */
static int
load_register(const char *path, json_t **reg, int *missing, char *msg, size_t len)
{
	json_error_t je;

	*reg = NULL;
	*missing = 1;
	if (!path || access(path, F_OK))
		return CRM_OK;
	if (!(*reg = json_load_file(path, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je)) ||
	    !json_is_object(*reg)) {
		char why[JSON_ERROR_TEXT_LENGTH + 64];
		if (*reg)
			msgf(msg, len, "%s: not an object: the register is one JSON object", path);
		else
			msgf(msg, len, "%s:%d: %s", path, je.line, json_why(&je, why, sizeof why));
		json_decref(*reg);
		*reg = NULL;
		return CRM_BADINPUT;
	}
	*missing = 0;
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* The document: each value built with Jansson, written as it is made. */

/* Write a value compact (v: stolen; NULL: out of memory). */
static int
put_value(FILE *out, json_t *v)
{
	char *t = v ? crm_json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;

	json_decref(v);
	if (!t)
		return CRM_NOMEM;
	fputs(t, out);
	free(t);
	return CRM_OK;
}

/* A key of the document's object after sep, for a value that follows (the printer's). */
static int
put_key(FILE *out, const char *sep, const char *key)
{
	fputs(sep, out);
	if (put_value(out, json_string(key)))
		return CRM_NOMEM;
	putc(':', out);
	return CRM_OK;
}

/* A member of the document's object after sep: its key, then v (stolen). */
static int
put_member(FILE *out, const char *sep, const char *key, json_t *v)
{
	if (!v || put_key(out, sep, key)) {
		json_decref(v);
		return CRM_NOMEM;
	}
	return put_value(out, v);
}

/* A string, or null when there is none or it is no UTF-8. */
static json_t *
jtext(const char *v)
{
	json_t *j = v ? json_string(v) : NULL;

	return j ? j : json_null();
}

/* Append v (stolen) to the array a: CRM_OK, CRM_NOMEM. */
static int
push(json_t *a, json_t *v)
{
	return v && !json_array_append_new(a, v) ? CRM_OK : CRM_NOMEM;
}

/* The register's sections, or each marked "not configured" (NULL: out of memory). */
static json_t *
register_json(json_t *reg, int *missing)
{
	json_t *o = json_object();
	int bad = !o;

	for (size_t i = 0; !bad && i <= sizeof art15 / sizeof art15[0]; i++) {
		const char *k = i < sizeof art15 / sizeof art15[0] ? art15[i] : "controller";
		json_t *v = reg ? json_object_get(reg, k) : NULL;
		if (!v && reg && i < sizeof art15 / sizeof art15[0])
			*missing = 2;   /* configured, but this section is missing */
		bad = json_object_set_new(o, k, v ? json_incref(v) :
		                          json_pack("{s:s}", "status", "not configured"));
	}
	if (bad) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
pin_of(void *ctx, const char *segment, int64_t id, const char *pin)
{
	return push(ctx, json_pack("{s:o,s:I,s:o}", "segment", jtext(segment), "party_id",
	                           (json_int_t)id, "pin", jtext(pin)));
}

/*
 * The saved segments the subject's parties are members of now, and the
 * pins that name them (in, out, or in a snapshot).
 */
static int
put_segments(crm_store_t *s, crm_subject_t *sj, FILE *out)
{
	crm_segment_iter_t *it;
	const char *const *v;
	struct strv names = {0};
	char msg[256];
	json_t *members = json_array(), *pins = json_array();
	int rc;

	if (!members || !pins)
		rc = CRM_NOMEM;
	else if (!(rc = crm_segment_open(s, NULL, &it))) {
		while ((rc = crm_segment_next(it, &v)) == CRM_OK)
			if (strv_push(&names, v[0])) {
				rc = CRM_NOMEM;
				break;
			}
		crm_segment_close(it);
		rc = rc == CRM_EOF ? CRM_OK : rc;
	}
	for (size_t i = 0; !rc && i < names.n && sj->nids; i++) {
		char term[80], *t[1] = { term };
		crm_query_t *q;
		crm_party_t *p;
		snprintf(term, sizeof term, "segment:%s", names.v[i]);
		if (crm_query_compile(s, 1, t, &q, msg, sizeof msg))
			continue;       /* a segment that no longer compiles has no members */
		rc = crm_query_restrict_begin(q);
		for (size_t k = 0; !rc && k < sj->nids; k++)
			rc = crm_query_restrict_add(q, sj->ids[k]);
		while (!rc && (rc = crm_query_next(q, &p)) == CRM_OK) {
			rc = push(members, json_pack("{s:o,s:I}", "segment", jtext(names.v[i]),
			                             "party_id", (json_int_t)crm_party_id(p)));
			crm_party_free(p);
		}
		crm_query_close(q);
		if (rc == CRM_EOF)
			rc = CRM_OK;
	}
	strv_clear(&names);
	if (!rc)
		rc = gdpr_pins(s, sj->ids, sj->nids, pin_of, pins);
	if (rc) {
		json_decref(members);
		json_decref(pins);
		return rc;
	}
	return put_value(out, json_pack("{s:o,s:o}", "members", members, "pins", pins));
}

static int
is_subject(const crm_subject_t *sj, int64_t id)
{
	for (size_t k = 0; k < sj->nids; k++)
		if (sj->ids[k] == id)
			return 1;
	return 0;
}

/* The mentions found so far, of which identifier. */
struct mentions {
	json_t *a;
	const crm_subject_t *sj;
	const char *kind;
};

static int
note_mention(void *ctx, int64_t id)
{
	struct mentions *m = ctx;

	if (is_subject(m->sj, id))
		return CRM_OK;
	return push(m->a, json_pack("{s:I,s:s,s:s}", "party_id", (json_int_t)id, "field", "notes",
	                            "identifier", m->kind));
}

static int
event_mention(void *ctx, int64_t event, int64_t party, const char *field)
{
	struct mentions *m = ctx;

	if (is_subject(m->sj, party))
		return CRM_OK;
	return push(m->a, json_pack("{s:I,s:I,s:s,s:s}", "event_id", (json_int_t)event, "party_id",
	                            (json_int_t)party, "field", field, "identifier", m->kind));
}

/* Other parties' notes and other events that name an identifier: for review. */
static int
put_mentions(crm_store_t *s, crm_subject_t *sj, FILE *out)
{
	struct mentions m = { json_array(), sj, NULL };
	int rc = m.a ? CRM_OK : CRM_NOMEM;

	for (size_t i = 0; !rc && i < sj->nidents; i++) {
		const char *v = sj->idents[i].value;
		if (strlen(v) < 4)
			continue;
		m.kind = sj->idents[i].kind;
		/* Parties by their notes; events of other parties by their subject and body. */
		if (!(rc = gdpr_note_mentions(s, v, note_mention, &m)))
			rc = gdpr_event_mentions(s, v, event_mention, &m);
	}
	if (rc) {
		json_decref(m.a);
		return rc;
	}
	return put_value(out, m.a);
}

/* The audit trail's entries about the subject, by their keyed hashes. */
static int
put_audit(crm_store_t *s, crm_subject_t *sj, FILE *out)
{
	json_t *a = json_array();
	char subj[65];
	int rc = a ? CRM_OK : CRM_NOMEM;

	for (size_t i = 0; !rc && i < sj->nidents; i++) {
		crm_audit_iter_t *it = NULL;
		const char *const *v;
		if ((rc = crm_subject_hash(s, sj->idents[i].kind, sj->idents[i].value, subj)) ||
		    (rc = crm_audit_open(s, subj, &it))) {
			crm_audit_close(it);
			break;
		}
		while ((rc = crm_audit_next(it, &v)) == CRM_OK) {
			/* The counts are the JSON object the entry holds. */
			json_t *c = v[7] ? crm_json_load(v[7], strlen(v[7]), JSON_DECODE_ANY, NULL) : NULL;
			if ((rc = push(a, json_pack("{s:I,s:o,s:o,s:o,s:o,s:o}", "id",
			                            (json_int_t)(v[0] ? strtoll(v[0], NULL, 10) : 0), "at", jtext(v[1]),
			                            "program", jtext(v[3]), "action", jtext(v[4]),
			                            "request_id", jtext(v[5]), "counts",
			                            c ? c : json_null()))))
				break;
		}
		crm_audit_close(it);
		if (rc == CRM_EOF)
			rc = CRM_OK;
	}
	if (rc) {
		json_decref(a);
		return rc;
	}
	return put_value(out, a);
}

static int
cmp_id(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	return (x > y) - (x < y);
}

/*
 * The subject's scores (profiling, Art. 15(1)(h)): computed now over the
 * whole base, as crm-find --scores --explain would, with what went into
 * each; they are never stored.
 */
static int
put_scores(crm_store_t *s, crm_subject_t *sj, FILE *out, const char *now, char *msg, size_t len)
{
	struct strv terms = {0};
	crm_query_t *q = NULL;
	crm_printer_t *pr = NULL;
	crm_party_t *p;
	char t[40];
	int rc;

	if ((rc = put_key(out, ",\n", "scores")))
		return rc;
	putc('{', out);
	if ((rc = put_member(out, "", "computed", json_string(now))) ||
	    (rc = put_member(out, ",", "stored", json_false())) ||
	    (rc = put_member(out, ",", "formulas", json_string("crm-segment(1), SCORES"))) ||
	    (rc = put_key(out, ",", "parties")))
		return rc;
	for (size_t i = 0; i < sj->nids && !rc; i++) {
		snprintf(t, sizeof t, "id=%lld", (long long)sj->ids[i]);
		if ((i && strv_push(&terms, "OR")) || strv_push(&terms, t))
			rc = CRM_NOMEM;
	}
	if (!sj->nids && strv_push(&terms, "id=0"))
		rc = CRM_NOMEM;
	struct crm_score_opts o = { .weights = sj->weights };
	if (!rc && !(rc = crm_query_compile(s, (int)terms.n, terms.v, &q, msg, len)) &&
	    !(rc = crm_query_scores(q, CRM_SCORE_RFM | CRM_SCORE_CHURN | CRM_SCORE_PROPENSITY |
	                            CRM_SCORE_EXPLAIN, &o, msg, len)) &&
	    !(rc = crm_printer_open(out, CRM_OUT_JSON, "id,rfm_r,rfm_f,rfm_m,rfm,rfm_segment,"
	                            "days_since_purchase,usual_gap,churn_risk,churned,propensity,explain",
	                            NULL, 0, &pr, msg, len))) {
		crm_query_fields(q, 1ULL << CRM_F_ID);
		int64_t *ids = malloc((sj->nids ? sj->nids : 1) * sizeof *ids);
		if (!ids) {
			rc = CRM_NOMEM;
			goto done;
		}
		if (sj->nids) {
			memcpy(ids, sj->ids, sj->nids * sizeof *ids);
			qsort(ids, sj->nids, sizeof *ids, cmp_id);
		}
		query_score_focus(q, ids, sj->nids);
		while ((rc = crm_query_next(q, &p)) == CRM_OK) {
			rc = crm_printer_party(pr, p);
			crm_party_free(p);
			if (rc)
				break;
		}
		if (rc == CRM_EOF)
			rc = crm_printer_finish(pr);
		free(ids);
	}
done:
	if (!rc)
		fputs("}", out);
	crm_printer_close(pr);
	crm_query_close(q);
	strv_clear(&terms);
	return rc;
}

int
crm_gdpr_export(crm_store_t *s, crm_subject_t *sj, const char *request_id,
                const char *register_path, FILE *out, int *register_missing,
                char *msg, size_t len)
{
	crm_printer_t *pr = NULL;
	crm_event_query_t *q = NULL;
	char now[21];
	json_t *reg, *asked;
	int rc;

	if ((rc = load_register(register_path, &reg, register_missing, msg, len)))
		return rc;
	if ((rc = subject_gather(s, sj))) {
		json_decref(reg);
		return rc;
	}
	now_iso(now);
	/* What was asked, and what it found. */
	rc = (asked = json_array()) ? CRM_OK : CRM_NOMEM;
	for (size_t i = 0; !rc && i < sj->given.n; i++)
		rc = push(asked, jtext(sj->given.v[i]));
	if (rc) {
		json_decref(asked);
		json_decref(reg);
		return rc;
	}
	putc('{', out);
	if ((rc = put_member(out, "", "document", json_string("crm-gdpr-export"))) ||
	    (rc = put_member(out, ",", "version", json_integer(1))) ||
	    (rc = put_member(out, ",", "generated", json_string(now))) ||
	    (rc = put_member(out, ",", "request_id", jtext(request_id))) ||
	    (rc = put_member(out, ",", "subject", json_pack("{s:o,s:I}", "asked", asked,
	                                                    "parties_found", (json_int_t)sj->nids))) ||
	    (rc = put_key(out, ",\n", "parties"))) {
		json_decref(reg);
		return rc;
	}
	if ((rc = crm_printer_open(out, CRM_OUT_JSON,
	        "id,type,kind,name,first_name,last_name,email,phone,org,org_id,title,city,postcode,"
	        "country,birthdate,gender,notes,ext_id,created,updated,tags,attrs,last_activity,"
	        "last_inbound,first_purchase,last_purchase,purchases,revenue,revenue_currency,open_tasks",
	        NULL, 0, &pr, msg, len))) {
		json_decref(reg);
		return rc;
	}
	for (size_t i = 0; i < sj->nids && !rc; i++) {
		crm_party_t *p;
		if ((rc = crm_party_load(s, sj->ids[i], &p)))
			break;
		rc = crm_printer_party(pr, p);
		crm_party_free(p);
	}
	if (!rc)
		rc = crm_printer_finish(pr);
	crm_printer_close(pr);
	pr = NULL;
	for (int tasks = 0; tasks < 2 && !rc; tasks++) {
		if ((rc = put_key(out, ",\n", tasks ? "tasks" : "events")) ||
		    (rc = crm_printer_open_events(out, CRM_OUT_JSON, NULL, 0, &pr, msg, len)))
			break;
		if (!(rc = crm_event_query_open(s, &q)) && !(rc = crm_event_query_restrict(q, -1))) {
			for (size_t i = 0; i < sj->nids && !rc; i++)
				rc = crm_event_query_restrict(q, sj->ids[i]);
			crm_event_query_order(q, 1, -1);
			crm_event_t *e;
			while (!rc && (rc = crm_event_query_next(q, &e)) == CRM_OK) {
				const char *t = crm_event_get(e, CRM_E_TYPE);
				if ((t && !strcmp(t, "task")) == tasks)
					rc = crm_printer_event(pr, e);
				crm_event_free(e);
			}
			if (rc == CRM_EOF)
				rc = CRM_OK;
		}
		crm_event_query_close(q);
		q = NULL;
		if (!rc)
			rc = crm_printer_finish(pr);
		crm_printer_close(pr);
		pr = NULL;
	}
	if (!rc && !(rc = put_key(out, ",\n", "segments")) && !(rc = put_segments(s, sj, out)) &&
	    !(rc = put_scores(s, sj, out, now, msg, len)) &&
	    !(rc = put_member(out, ",\n", "consents", json_pack("{s:s}", "status",
	                      "not recorded: this store keeps no consent ledger"))) &&
	    !(rc = put_key(out, ",\n", "audit")) && !(rc = put_audit(s, sj, out)) &&
	    !(rc = put_key(out, ",\n", "mentions")) && !(rc = put_mentions(s, sj, out)))
		rc = put_member(out, ",\n", "register", register_json(reg, register_missing));
	json_decref(reg);
	if (rc)
		return rc;
	fputs("}\n", out);
	return ferror(out) ? CRM_IO : CRM_OK;
}

/* Portability (Art. 20): files the toolkit itself imports again. */

/* SHA-256 of a file, in hex; its size. */
static int
file_sha256(const char *path, char out[65], long long *size)
{
	unsigned char buf[65536];
	ssize_t r;
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	void *c;

	*size = 0;
	if (fd < 0)
		return CRM_IO;
	if (!(c = sha256_begin())) {
		close(fd);
		return CRM_STORE;
	}
	while ((r = read(fd, buf, sizeof buf)) > 0) {
		sha256_add(c, buf, (size_t)r);
		*size += r;
	}
	close(fd);
	if (sha256_end(c, out))
		return CRM_STORE;
	return r < 0 ? CRM_IO : CRM_OK;
}

/*
 * A file of the portable copy under a temporary name (crm_file_create()),
 * never one of the store's files; CRM_USAGE or CRM_IO with msg.
 */
static int
create_0600(crm_store_t *s, const char *dir, const char *name, char *tmp, size_t tlen,
            FILE **fp, char *msg, size_t len)
{
	char path[4200], what[64];
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if (crm_store_owns(store_file(s), path, what, sizeof what)) {
		msgf(msg, len, "%s: is %s; not written", path, what);
		return CRM_USAGE;
	}
	if ((rc = crm_file_create(path, 0, tmp, tlen, fp)))
		msgf(msg, len, "%s: %s%s", path, errno == EEXIST ? "exists; not overwritten" :
		     strerror(errno), errno == EEXIST ? " (give a new or empty directory)" : "");
	return rc;
}

/* Give a temporary file its name; CRM_USAGE or CRM_IO with msg. */
static int
commit_file(FILE *fp, const char *tmp, const char *dir, const char *name, char *msg, size_t len)
{
	char path[4200];
	int rc;

	snprintf(path, sizeof path, "%s/%s", dir, name);
	if ((rc = crm_file_commit(fp, tmp, path, 0)))
		msgf(msg, len, "%s: %s%s", path, errno == EEXIST ? "exists; not overwritten" :
		     errno == ENOSPC ? "the disk is full (no space left on the device)" :
		     strerror(errno), errno == EEXIST ? " (give a new or empty directory)" : "");
	return rc;
}

/* The party fields a person provided: what crm-add reads back. */
#define PORTABLE_PARTY "type,kind,name,first_name,last_name,email,phone,org,title,city,postcode," \
	"country,birthdate,gender,notes,ext_id,created,tags,attrs"
#define PORTABLE_EVENT "email,ext_id,at,channel,type,direction,subject,body,amount,currency," \
	"campaign,ref,due,assignee,status,attrs"

int
crm_gdpr_portable(crm_store_t *s, crm_subject_t *sj, const char *dir, const char *request_id,
                  char *msg, size_t len)
{
	static const char *const names[] = { "parties.jsonl", "parties.csv", "events.jsonl",
	                                     "events.csv" };
	char path[4200], tmp[5][4200] = { "" };
	FILE *fp[4] = { NULL };
	int named[4] = { 0 };
	crm_printer_t *pr[4] = { NULL };
	int rc = CRM_OK;
	long nparties = 0, nevents = 0;

	if (!mkdir(dir, 0700)) {
		chmod(dir, 0700);       /* whatever the umask */
	} else if (errno != EEXIST) {
		msgf(msg, len, "%s: %s", dir, strerror(errno));
		return CRM_IO;
	}
	/* The identifiers, for the audit entry's keyed hash. */
	if ((rc = subject_gather(s, sj)))
		return rc;
	/* Each file under a temporary name, given its own once all are written. */
	for (int i = 0; i < 4; i++)
		if ((rc = create_0600(s, dir, names[i], tmp[i], sizeof tmp[i], &fp[i], msg, len)))
			goto out;
	if ((rc = crm_printer_open(fp[0], CRM_OUT_JSONL, PORTABLE_PARTY, NULL, 0, &pr[0], msg, len)) ||
	    (rc = crm_printer_open(fp[1], CRM_OUT_CSV, PORTABLE_PARTY, NULL, CRM_PRINT_CSV_RAW, &pr[1],
	                           msg, len)) ||
	    (rc = crm_printer_open_rows(fp[2], CRM_OUT_JSONL, PORTABLE_EVENT, NULL, 0, &pr[2], msg,
	                                len)) ||
	    (rc = crm_printer_open_rows(fp[3], CRM_OUT_CSV, PORTABLE_EVENT, NULL, CRM_PRINT_CSV_RAW,
	                                &pr[3], msg, len)))
		goto out;
	for (size_t i = 0; i < sj->nids && !rc; i++) {
		crm_party_t *p;
		crm_event_query_t *q = NULL;
		crm_event_t *e;
		if ((rc = crm_party_load(s, sj->ids[i], &p)))
			break;
		rc = crm_printer_party(pr[0], p);
		if (!rc)
			rc = crm_printer_party(pr[1], p);
		nparties++;
		/* Each event names its party as crm-log --import reads it back. */
		if (!rc && !(rc = crm_event_query_open(s, &q)) && !(rc = crm_event_query_restrict(q, sj->ids[i]))) {
			crm_event_query_order(q, 1, -1);
			while (!rc && (rc = crm_event_query_next(q, &e)) == CRM_OK) {
				char *attrs = e->attrs && json_object_size(e->attrs) ?
				              crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER) : NULL;
				const char *v[16] = { p->v[CRM_F_EMAIL], p->v[CRM_F_EXT_ID] };
				for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++)
					v[2 + f - CRM_E_AT] = e->v[f];
				v[15] = attrs;
				/* The amount is a JSON number, the attributes an object. */
				unsigned long long raw = 1ULL << (2 + CRM_E_AMOUNT - CRM_E_AT) | 1ULL << 15;
				rc = crm_printer_row(pr[2], v, raw);
				if (!rc)
					rc = crm_printer_row(pr[3], v, 0);
				free(attrs);
				crm_event_free(e);
				nevents++;
			}
			if (rc == CRM_EOF)
				rc = CRM_OK;
		}
		crm_event_query_close(q);
		crm_party_free(p);
	}
	for (int i = 0; i < 4 && !rc; i++)
		rc = crm_printer_finish(pr[i]);
out:
	for (int i = 0; i < 4; i++) {
		crm_printer_close(pr[i]);
		if (fp[i] && !rc)
			named[i] = !(rc = commit_file(fp[i], tmp[i], dir, names[i], msg, len));
		else if (fp[i])
			crm_file_discard(fp[i], tmp[i]);
	}
	if (rc)
		goto unmake;
	/* The manifest: what each file is, its size and checksum, how to read it back. */
	json_t *m = json_pack("{s:s,s:i,s:s?,s:{s:I,s:I},s:[],s:s}", "document", "crm-portable",
	                      "version", 1, "request_id", request_id, "counts", "parties",
	                      (json_int_t)nparties, "events", (json_int_t)nevents, "files",
	                      "import", "crm-add parties.jsonl && crm-log --import events.jsonl");
	char now[21];
	now_iso(now);
	if (m)
		json_object_set_new(m, "generated", json_string(now));
	for (int i = 0; i < 4 && m && !rc; i++) {
		char sum[65];
		long long size;
		snprintf(path, sizeof path, "%s/%s", dir, names[i]);
		if ((rc = file_sha256(path, sum, &size)))
			break;
		json_array_append_new(json_object_get(m, "files"),
		                      json_pack("{s:s,s:I,s:s}", "name", names[i], "bytes",
		                                (json_int_t)size, "sha256", sum));
	}
	if (!m) {
		rc = CRM_NOMEM;
		goto unmake;
	}
	FILE *mf = NULL;
	if (!rc)
		rc = create_0600(s, dir, "manifest.json", tmp[4], sizeof tmp[4], &mf, msg, len);
	if (!rc && (json_dumpf(m, mf, JSON_INDENT(2) | JSON_PRESERVE_ORDER) ||
	            fputc('\n', mf) == EOF)) {
		msgf(msg, len, "%s/manifest.json: %s", dir, strerror(errno));
		rc = CRM_IO;
	}
	if (mf && !rc)
		rc = commit_file(mf, tmp[4], dir, "manifest.json", msg, len);
	else if (mf)
		crm_file_discard(mf, tmp[4]);
	json_decref(m);
unmake:
	/* Nothing half made: on failure the files already given their names go too. */
	for (int i = 0; i < 4 && rc; i++)
		if (named[i]) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]);
			unlink(path);
		}
	return rc;
}
