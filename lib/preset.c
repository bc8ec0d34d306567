/* SPDX-License-Identifier: MIT */
/*
 * preset.c: other systems' exports: the ones --from names, their slash
 * dates, the columns of more e-mails and phones (Google, Outlook), and a
 * shop's orders (Shopify): one purchase an order, its line items skipped,
 * its refund.
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "crm-private.h"
#include "read-private.h"

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
int
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
int
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
int
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

/*
 * A column of Shopify's orders export: Name is the order number, the ref
 * (not the party's name, which is Billing Name); Created at, Total,
 * Currency, Email and Notes as they say; Financial Status an attribute;
 * Refunded Amount and Cancelled at make the refund; the others (line
 * items, addresses, taxes) are ignored.
 */
int
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

/*
 * Whether a row of Shopify's orders is one more line item of the order of
 * the row before (the same Name), and so no record; read before the row
 * is, so that the line items of an order refused are not read either.
 */
int
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
int
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
		return reader_fail(r, r->rec_line, "invalid Refunded Amount '%s' (a decimal such as 12.50)",
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
