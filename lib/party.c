/* SPDX-License-Identifier: MIT */
/* party.c: the party record: its fields, tags, attributes, checks, other keys. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"

crm_party_t *
crm_party_new(void)
{
	return calloc(1, sizeof(crm_party_t));
}

void
crm_party_free(crm_party_t *p)
{
	if (!p)
		return;
	for (int i = 0; i < CRM_NFIELDS; i++)
		free(p->v[i]);
	strv_clear(&p->tags);
	strv_clear(&p->untags);
	json_decref(p->attrs);
	crm_event_free(p->ev);
	free(p);
}

int64_t
crm_party_id(const crm_party_t *p)
{
	return p->id;
}

void
crm_party_set_id(crm_party_t *p, int64_t id)
{
	p->id = id > 0 ? id : 0;
}

const char *
crm_party_get(const crm_party_t *p, int field)
{
	if (field == CRM_F_ID) {
		if (!p->id)
			return NULL;
		snprintf(((crm_party_t *)p)->idbuf, sizeof p->idbuf, "%" PRId64, p->id);
		return p->idbuf;
	}
	if (field < 0 || field >= CRM_NFIELDS)
		return NULL;
	return p->v[field];
}

int
crm_party_set(crm_party_t *p, int field, const char *value)
{
	char *v = NULL;
	size_t n = 0;

	if (field < 0 || field >= CRM_NFIELDS || field == CRM_F_TAGS || field == CRM_F_ATTRS ||
	    CRM_FIELD_IS_FACT(field))
		return CRM_USAGE;
	/* Surrounding white space goes, but from the free text of the notes. */
	if (value && field != CRM_F_NOTES)
		value = white_trim(value, &n);
	else if (value)
		n = strlen(value);
	if (value && n && !(v = strdup_n(value, n)))
		return CRM_NOMEM;
	free(p->v[field]);
	p->v[field] = v;
	return CRM_OK;
}

/* Add a tag to v, its surrounding white space taken off; none when nothing is left. */
static int
tag_push(struct strv *v, const char *tag)
{
	char *t = white_trim_dup(tag);
	int rc = CRM_OK;

	if (!t)
		return CRM_NOMEM;
	if (*t && !strv_has(v, t))
		rc = strv_push(v, t);
	free(t);
	return rc;
}

int
crm_party_add_tag(crm_party_t *p, const char *tag)
{
	return tag_push(&p->tags, tag);
}

int
crm_party_remove_tag(crm_party_t *p, const char *tag)
{
	return tag_push(&p->untags, tag);
}

int
crm_party_set_attr(crm_party_t *p, const char *key, const char *value)
{
	return attrs_set(&p->attrs, key, value);
}

int
crm_party_overlay(crm_party_t *dst, const crm_party_t *src)
{
	const char *k;
	json_t *v;
	int rc;

	dst->utf8_ok &= src->utf8_ok;
	for (int f = CRM_F_ID + 1; f < CRM_F_TAGS; f++)
		if (src->v[f] && (rc = crm_party_set(dst, f, src->v[f])))
			return rc;
	for (size_t i = 0; i < src->tags.n; i++)
		if ((rc = crm_party_add_tag(dst, src->tags.v[i])))
			return rc;
	for (size_t i = 0; i < src->untags.n; i++) {
		for (size_t j = 0; j < dst->tags.n; j++)
			if (!strcmp(dst->tags.v[j], src->untags.v[i])) {
				free(dst->tags.v[j]);
				dst->tags.v[j] = dst->tags.v[--dst->tags.n];
				break;
			}
		if ((rc = crm_party_remove_tag(dst, src->untags.v[i])))
			return rc;
	}
	if (src->attrs) {
		if (!dst->attrs && !(dst->attrs = json_object()))
			return CRM_NOMEM;
		/* Copies, not references: src may be shared with another thread. */
		json_object_foreach(src->attrs, k, v)
			if (json_object_set_new(dst->attrs, k, json_deep_copy(v)))
				return CRM_NOMEM;
	}
	return CRM_OK;
}

static const char *const kinds[] = {
	"customer", "prospect", "lead", "partner", "supplier", "employee", "other", NULL
};

/* Canonical spelling of an enumerated value, or NULL. */
static const char *
canon(const char *const *set, const char *v)
{
	for (size_t i = 0; set[i]; i++)
		if (!strcasecmp(set[i], v))
			return set[i];
	return NULL;
}

static int
phone_valid(const char *s)
{
	int digits = 0;

	if (!strncasecmp(s, "tel:", 4))
		s += 4;                 /* RFC 3966's URI, as vCard 4.0 writes it */
	for (const char *p = s; *p; p++) {
		if (*p >= '0' && *p <= '9')
			digits++;
		else if (p[0] == (char)0xc2 && p[1] == (char)0xa0)
			p++;                    /* no-break space */
		else if ((*p | 0x20) == 'e' && !strncasecmp(p, "extension", 9))
			p += 8;
		else if ((*p | 0x20) == 'e' && !strncasecmp(p, "ext", 3))
			p += 2;
		else if (!strchr(" +-().,/;=#\t", *p) && *p != 'x' && *p != 'X')
			return 0;
	}
	return digits >= 3 && digits <= 20;
}

static int
tag_valid(const char *t)
{
	if (!*t || strlen(t) > 200 || strchr(t, ';') || has_control(t) || strpbrk(t, "\t\r\n"))
		return 0;
	return !isspace((unsigned char)t[0]) && !isspace((unsigned char)t[strlen(t) - 1]);
}

#define MAXFIELD (1 << 20)

int
crm_party_check(crm_party_t *p, int *field, char *msg, size_t len)
{
	char q[96];
	const char *c;

	for (int f = 0; f < CRM_NFIELDS; f++) {
		const char *v = p->v[f];
		if (!v)
			continue;
		*field = f;
		if (!p->utf8_ok && utf8_check(v, strlen(v)) >= 0) {
			msgf(msg, len, "invalid UTF-8 in %s", crm_field_name(f));
			return CRM_BADINPUT;
		}
		if (has_control(v)) {
			msgf(msg, len, "control character in %s '%s'", crm_field_name(f), quoted(v, q, sizeof q));
			return CRM_BADINPUT;
		}
		if (strlen(v) > MAXFIELD) {
			msgf(msg, len, "%s longer than %d bytes", crm_field_name(f), MAXFIELD);
			return CRM_BADINPUT;
		}
	}
	if (p->v[CRM_F_TYPE]) {
		*field = CRM_F_TYPE;
		const char *v = p->v[CRM_F_TYPE];
		if (!strcasecmp(v, "person") || !strcasecmp(v, "individual"))
			c = "person";
		else if (!strcasecmp(v, "organization") || !strcasecmp(v, "organisation") ||
		         !strcasecmp(v, "org") || !strcasecmp(v, "company"))
			c = "organization";
		else {
			msgf(msg, len, "invalid type '%s' (person or organization)", quoted(v, q, sizeof q));
			return CRM_BADINPUT;
		}
		if (replace(&p->v[CRM_F_TYPE], c))
			return CRM_NOMEM;
	}
	if (p->v[CRM_F_KIND]) {
		*field = CRM_F_KIND;
		if (!(c = canon(kinds, p->v[CRM_F_KIND]))) {
			msgf(msg, len, "invalid kind '%s' (customer, prospect, lead, partner, supplier, employee, other)",
			     quoted(p->v[CRM_F_KIND], q, sizeof q));
			return CRM_BADINPUT;
		}
		if (replace(&p->v[CRM_F_KIND], c))
			return CRM_NOMEM;
	}
	*field = CRM_F_EMAIL;
	if (p->v[CRM_F_EMAIL] && !email_valid(p->v[CRM_F_EMAIL])) {
		msgf(msg, len, "invalid e-mail '%s'", quoted(p->v[CRM_F_EMAIL], q, sizeof q));
		return CRM_BADINPUT;
	}
	*field = CRM_F_PHONE;
	if (p->v[CRM_F_PHONE] && !phone_valid(p->v[CRM_F_PHONE])) {
		msgf(msg, len, "invalid phone '%s'", quoted(p->v[CRM_F_PHONE], q, sizeof q));
		return CRM_BADINPUT;
	}
	*field = CRM_F_BIRTHDATE;
	if (p->v[CRM_F_BIRTHDATE] && !date_valid(p->v[CRM_F_BIRTHDATE], 0)) {
		msgf(msg, len, "invalid birthdate '%s' (YYYY-MM-DD or --MM-DD)",
		     quoted(p->v[CRM_F_BIRTHDATE], q, sizeof q));
		return CRM_BADINPUT;
	}
	*field = CRM_F_CREATED;
	if (p->v[CRM_F_CREATED] && !date_valid(p->v[CRM_F_CREATED], 1)) {
		msgf(msg, len, "invalid created '%s' (ISO 8601)", quoted(p->v[CRM_F_CREATED], q, sizeof q));
		return CRM_BADINPUT;
	}
	*field = CRM_F_TAGS;
	for (size_t i = 0; !p->utf8_ok && i < p->tags.n + p->untags.n; i++) {
		const char *t = i < p->tags.n ? p->tags.v[i] : p->untags.v[i - p->tags.n];
		if (utf8_check(t, strlen(t)) >= 0) {
			msgf(msg, len, "invalid UTF-8 in a tag");
			return CRM_BADINPUT;
		}
	}
	for (size_t i = 0; i < p->tags.n; i++)
		if (!tag_valid(p->tags.v[i])) {
			msgf(msg, len, "invalid tag '%s'", quoted(p->tags.v[i], q, sizeof q));
			return CRM_BADINPUT;
		}
	for (size_t i = 0; i < p->untags.n; i++)
		if (!tag_valid(p->untags.v[i])) {
			msgf(msg, len, "invalid tag '%s'", quoted(p->untags.v[i], q, sizeof q));
			return CRM_BADINPUT;
		}
	*field = CRM_F_ATTRS;
	int trimmed = 0;
	if (p->attrs && attrs_trim(p->attrs, &trimmed))
		return CRM_NOMEM;
	if (p->attrs) {
		const char *k;
		json_t *v;
		json_object_foreach(p->attrs, k, v) {
			if (!*k || has_control(k) || strpbrk(k, "\t\r\n") || strlen(k) > 200 ||
			    (!p->utf8_ok && utf8_check(k, strlen(k)) >= 0)) {
				msgf(msg, len, "invalid attribute name '%s'", quoted(k, q, sizeof q));
				return CRM_BADINPUT;
			}
			if (json_is_string(v) && has_control(json_string_value(v))) {
				msgf(msg, len, "control character in attrs.%s", quoted(k, q, sizeof q));
				return CRM_BADINPUT;
			}
		}
	}
	*field = -1;
	p->utf8_ok = 1;
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Normalised keys, lists of attributes. */

int
party_idents(const crm_party_t *p, const char *kind, struct strv *out)
{
	json_t *a = p->attrs ? json_object_get(p->attrs, strncmp(kind, "email", 5) ? "phones" : "emails") :
	            NULL;
	size_t n = json_is_array(a) ? json_array_size(a) : a ? 1 : 0;

	for (size_t i = 0; i < n; i++) {
		json_t *v = json_is_array(a) ? json_array_get(a, i) : a;
		if (!json_is_string(v) || crm_json_number(v))
			continue;
		char *norm = !strcmp(kind, "email") ? norm_email(json_string_value(v)) :
		             !strcmp(kind, "email-legacy") ? norm_email_legacy(json_string_value(v)) :
		             norm_phone(json_string_value(v), p->v[CRM_F_COUNTRY]);
		int rc = norm && !strv_has(out, norm) ? strv_push(out, norm) : CRM_OK;
		free(norm);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

/* Append a string to the attribute key, made a list if it was one string. */
int
attr_list_add(crm_party_t *p, const char *key, const char *v)
{
	json_t *a;

	if (!p->attrs && !(p->attrs = json_object()))
		return CRM_NOMEM;
	a = json_object_get(p->attrs, key);
	if (json_is_string(a)) {
		json_t *l = json_array();
		if (!l || json_array_append(l, a) || json_object_set_new(p->attrs, key, l))
			return CRM_NOMEM;
		a = l;
	} else if (!json_is_array(a)) {
		if (!(a = json_array()) || json_object_set_new(p->attrs, key, a))
			return CRM_NOMEM;
	}
	return json_array_append_new(a, json_string(v)) ? CRM_NOMEM : CRM_OK;
}
