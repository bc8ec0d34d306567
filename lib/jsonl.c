/* SPDX-License-Identifier: MIT */
/*
 * jsonl.c: JSON records through Jansson: JSON Lines one a line, or an
 * object over several lines; a JSON array element by element; the keys
 * of a record into a party or an event; other systems' API records
 * (HubSpot, Salesforce) made flat.
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

/* Nesting depth of a JSON text, strings skipped; stops past max. */
int
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
		return reader_fail(r, r->rec_line, "field 'attrs' must be an object");
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
			return reader_fail(r, r->rec_line, "invalid party_id");
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
			return reader_fail(r, r->rec_line, "field '%s' must be a string", crm_event_field_name(ef));
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
			return reader_fail(r, r->rec_line, "invalid party_id");
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
			return reader_fail(r, r->rec_line, "invalid id");
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
			return reader_fail(r, r->rec_line, "field 'tags' must be an array of strings");
		p->tags_given = 1;
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *t = json_array_get(v, i);
			if (!json_is_string(t) || crm_json_number(t))
				return reader_fail(r, r->rec_line, "field 'tags' must be an array of strings");
			if (*json_string_value(t) && crm_party_add_tag(p, json_string_value(t)))
				return CRM_NOMEM;
		}
		return CRM_OK;
	case CRM_F_ATTRS:
		return merge_attrs(r, &p->attrs, v);
	default:
		if (!json_scalar_text(v, nb, sizeof nb, &s))
			return reader_fail(r, r->rec_line, "field '%s' must be a string", crm_field_name(f));
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

int
jsonl_next(crm_reader_t *r, crm_party_t **out)
{
	json_error_t je;
	json_t *o;
	int got, rc;

	do {
		got = reader_line(r, 1);  /* a lone CR ends a line too: JSON has none in strings */
		if (got < 0)
			return reader_io_fail(r);
		if (got == 0)
			return CRM_EOF;
	} while (!r->line_long && blank(r->line.p, r->line.len));
	r->rec_line = r->lineno;
	buf_reset(&r->raw);
	if (r->line_long)
		return reader_fail(r, r->rec_line, "line longer than %d bytes", MAXREC);
	if ((rc = buf_add(&r->raw, r->line.p, r->line.len)))
		return rc;
	long bad = utf8_check(r->line.p, r->line.len);
	if (bad >= 0) {
		if (r->line.p[bad] == '\0')
			return reader_fail(r, r->rec_line, "NUL byte at column %ld%s", bad + 1,
			            enc_hint((const unsigned char *)""));
		return reader_fail(r, r->rec_line, "invalid UTF-8 at column %ld%s", bad + 1,
		            enc_hint((const unsigned char *)r->line.p + bad));
	}
	if (json_depth(r->line.p, r->line.len, MAXDEPTH) > MAXDEPTH)
		return reader_fail(r, r->rec_line, "JSON nested deeper than %d levels", MAXDEPTH);
	o = crm_json_load(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	/*
	 * An object that the end of its line leaves open goes on over the next
	 * lines ({"a":1,\n "b":2}), as a pretty printer writes it.
	 */
	while (!o && (size_t)je.position >= r->raw.len && r->raw.p[0] == '{') {
		got = reader_line(r, 1);
		if (got < 0)
			return reader_io_fail(r);
		if (got == 0)
			return reader_fail(r, r->rec_line, "a JSON object from this line is not closed at the end");
		if (r->line_long || r->raw.len + r->line.len >= MAXREC)
			return reader_fail(r, r->rec_line, "a JSON object longer than %d bytes", MAXREC);
		if ((bad = utf8_check(r->line.p, r->line.len)) >= 0)
			return reader_fail(r, r->lineno, "invalid UTF-8 at column %ld%s", bad + 1,
			            enc_hint((const unsigned char *)r->line.p + bad));
		if ((rc = buf_addc(&r->raw, '\n')) || (rc = buf_add(&r->raw, r->line.p, r->line.len)))
			return rc;
		if (json_depth(r->raw.p, r->raw.len, MAXDEPTH) > MAXDEPTH)
			return reader_fail(r, r->rec_line, "JSON nested deeper than %d levels", MAXDEPTH);
		o = crm_json_load(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	}
	char why[JSON_ERROR_TEXT_LENGTH + 64];
	if (!o)
		return reader_fail(r, r->rec_line, "invalid JSON at column %d: %s", je.column,
		            json_why(&je, why, sizeof why));
	if (!json_is_object(o)) {
		const char *kind = json_kind(o, 0);
		json_decref(o);
		return reader_fail(r, r->rec_line, "%s, not an object: each line is one record, a JSON object",
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
		int n = reader_fill(r);
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
	return reader_fail(r, r->rec_line, "%s", what);
}

/*
 * The next element of a top-level JSON array, read byte by byte up to its
 * end (strings and nesting followed), so that memory holds one element
 * at a time however long the array; each element is a record, and its
 * bytes, line ends made spaces, its verbatim text (a JSON Lines line).
 * Or the next of JSON values one after the other (r->jarray 2).
 */
int
jarray_next(crm_reader_t *r, crm_party_t **out)
{
	int c;

	for (;;) {
		while ((c = peek_byte(r)) == ' ' || c == '\t' || c == '\r' || c == '\n')
			take_byte(r);
		if (c == -2)
			return reader_io_fail(r);
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
			return reader_io_fail(r);
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
		return reader_fail(r, r->rec_line, "element of the JSON array longer than %d bytes", MAXREC);
	long bad = utf8_check(r->raw.p, r->raw.len);
	if (bad >= 0)
		return reader_fail(r, r->rec_line, "invalid UTF-8%s",
		            enc_hint((const unsigned char *)r->raw.p + bad));
	if (json_depth(r->raw.p, r->raw.len, MAXDEPTH) > MAXDEPTH)
		return reader_fail(r, r->rec_line, "JSON nested deeper than %d levels", MAXDEPTH);
	json_error_t je;
	json_t *o = json_loadb(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	char why[JSON_ERROR_TEXT_LENGTH + 64];
	if (!o)
		return reader_fail(r, r->rec_line, "invalid JSON: %s", json_why(&je, why, sizeof why));
	if (!json_is_object(o)) {
		const char *kind = json_kind(o, 0), *kinds = json_kind(o, 1);
		json_decref(o);
		if (nth)
			return reader_fail(r, r->rec_line, "%s, not an object: each record is a JSON object", kind);
		/* The first element says what the array holds: not records. */
		r->fatal = 1;
		r->eof = 1;
		r->ipos = r->ilen;
		return reader_fail(r, r->rec_line, "%s, not an object (a JSON array of %s is not records)", kind,
		            kinds);
	}
	/* Read again, its numbers kept as written (see crm_json_load()). */
	json_decref(o);
	if (!(o = crm_json_load(r->raw.p, r->raw.len, JSON_REJECT_DUPLICATES, &je)))
		return reader_fail(r, r->rec_line, "invalid JSON: %s", je.text);
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
			return reader_fail(r, r->rec_line, "keys '%s' and '%s' are both the field %s: one value"
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
				rc = reader_fail(r, r->rec_line, "an event record (key '%s') without party_id: its"
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
