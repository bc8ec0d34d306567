/* SPDX-License-Identifier: MIT */
/*
 * fields.c: the names of the fields of a party, the headers other
 * systems give them, which are scores; the trim of attributes.  What
 * every layer of the library and every program may ask.
 */
#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

static const char *const field_names[CRM_NFIELDS] = {
	"id", "type", "kind", "name", "first_name", "last_name", "email",
	"phone", "org", "org_id", "title", "city", "postcode", "country",
	"birthdate", "gender", "notes", "ext_id", "created", "updated",
	"tags", "attrs", "last_activity", "last_inbound", "first_purchase",
	"last_purchase", "purchases", "revenue", "revenue_currency", "open_tasks",
	"rfm_r", "rfm_f", "rfm_m", "rfm", "rfm_segment", "days_since_purchase",
	"usual_gap", "churn_risk", "churned", "propensity", "explain",
};

/* Header synonyms, in the folded form of fold_header(). */
static const struct { const char *from; int to; } synonyms[] = {
	{ "company", CRM_F_ORG }, { "organization", CRM_F_ORG },
	{ "organisation", CRM_F_ORG }, { "company_name", CRM_F_ORG },
	{ "account", CRM_F_ORG }, { "account_name", CRM_F_ORG },
	{ "employer", CRM_F_ORG }, { "societe", CRM_F_ORG },
	{ "mobile", CRM_F_PHONE }, { "mobile_phone", CRM_F_PHONE },
	{ "cell", CRM_F_PHONE }, { "cell_phone", CRM_F_PHONE },
	{ "telephone", CRM_F_PHONE }, { "tel", CRM_F_PHONE },
	{ "phone_number", CRM_F_PHONE }, { "telephone_number", CRM_F_PHONE },
	{ "e_mail", CRM_F_EMAIL }, { "mail", CRM_F_EMAIL },
	{ "email_address", CRM_F_EMAIL }, { "e_mail_address", CRM_F_EMAIL },
	{ "courriel", CRM_F_EMAIL },
	{ "firstname", CRM_F_FIRST_NAME }, { "given_name", CRM_F_FIRST_NAME },
	{ "forename", CRM_F_FIRST_NAME }, { "prenom", CRM_F_FIRST_NAME },
	{ "lastname", CRM_F_LAST_NAME }, { "surname", CRM_F_LAST_NAME },
	{ "family_name", CRM_F_LAST_NAME }, { "nom", CRM_F_LAST_NAME },
	{ "full_name", CRM_F_NAME }, { "display_name", CRM_F_NAME },
	{ "fullname", CRM_F_NAME },
	{ "job_title", CRM_F_TITLE }, { "position", CRM_F_TITLE },
	{ "jobtitle", CRM_F_TITLE }, { "fonction", CRM_F_TITLE },
	{ "town", CRM_F_CITY }, { "ville", CRM_F_CITY },
	{ "zip", CRM_F_POSTCODE }, { "zipcode", CRM_F_POSTCODE },
	{ "zip_code", CRM_F_POSTCODE }, { "postal_code", CRM_F_POSTCODE },
	{ "postalcode", CRM_F_POSTCODE }, { "code_postal", CRM_F_POSTCODE },
	{ "pays", CRM_F_COUNTRY },
	{ "birthday", CRM_F_BIRTHDATE }, { "date_of_birth", CRM_F_BIRTHDATE },
	{ "dob", CRM_F_BIRTHDATE }, { "birth_date", CRM_F_BIRTHDATE },
	{ "sex", CRM_F_GENDER },
	{ "note", CRM_F_NOTES }, { "comments", CRM_F_NOTES },
	{ "comment", CRM_F_NOTES }, { "description", CRM_F_NOTES },
	{ "external_id", CRM_F_EXT_ID }, { "extid", CRM_F_EXT_ID },
	{ "tag", CRM_F_TAGS }, { "labels", CRM_F_TAGS }, { "groups", CRM_F_TAGS },
	{ "party_type", CRM_F_TYPE }, { "contact_type", CRM_F_KIND },
	/* The columns of Google Contacts and Outlook exports (see crm-add(1)). */
	{ "organization_name", CRM_F_ORG }, { "organization_1_name", CRM_F_ORG },
	{ "organization_title", CRM_F_TITLE }, { "organization_1_title", CRM_F_TITLE },
	{ "e_mail_1_value", CRM_F_EMAIL }, { "phone_1_value", CRM_F_PHONE },
	{ "address_1_city", CRM_F_CITY }, { "address_1_postal_code", CRM_F_POSTCODE },
	{ "address_1_country", CRM_F_COUNTRY },
	{ "business_city", CRM_F_CITY }, { "home_city", CRM_F_CITY },
	{ "business_postal_code", CRM_F_POSTCODE }, { "home_postal_code", CRM_F_POSTCODE },
	{ "business_country_region", CRM_F_COUNTRY }, { "home_country_region", CRM_F_COUNTRY },
	{ "business_country", CRM_F_COUNTRY }, { "home_country", CRM_F_COUNTRY },
	{ "business_country/region", CRM_F_COUNTRY }, { "home_country/region", CRM_F_COUNTRY },
	{ "group_membership", CRM_F_TAGS }, { "categories", CRM_F_TAGS },
	{ "adresse_de_messagerie", CRM_F_EMAIL }, { "prénom", CRM_F_FIRST_NAME },
	{ "société", CRM_F_ORG }, { "ville_(bureau)", CRM_F_CITY },
	{ "code_postal_(bureau)", CRM_F_POSTCODE }, { "pays/région_(bureau)", CRM_F_COUNTRY },
	{ "catégories", CRM_F_TAGS }, { "anniversaire", CRM_F_BIRTHDATE },
	/* Salesforce (Data Loader in capitals, the API's CamelCase) and HubSpot. */
	{ "mailingcity", CRM_F_CITY }, { "mailing_city", CRM_F_CITY },
	{ "mailingpostalcode", CRM_F_POSTCODE }, { "mailing_postal_code", CRM_F_POSTCODE },
	{ "mailingcountry", CRM_F_COUNTRY }, { "mailing_country", CRM_F_COUNTRY },
	{ "mobilephone", CRM_F_PHONE }, { "country/region", CRM_F_COUNTRY },
	{ "record_id", CRM_F_EXT_ID },
};

const char *
crm_field_name(int field)
{
	return field >= 0 && field < CRM_NFIELDS ? field_names[field] : "?";
}

int
crm_field_is_scalar(int field)
{
	return field > CRM_F_ID && field < CRM_F_TAGS && field != CRM_F_ORG_ID;
}

void
fold_header(const char *s, char *out, size_t len)
{
	size_t o = 0;
	int sep = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	for (; *s && o + 2 < len; s++) {
		unsigned char c = (unsigned char)*s;
		if (c == ' ' || c == '-' || c == '_' || c == '.' || c == '\t') {
			sep = o > 0;
			continue;
		}
		if (sep)
			out[o++] = '_';
		sep = 0;
		out[o++] = (char)tolower(c);
	}
	out[o] = '\0';
}

int
crm_field_lookup(const char *name, int syn)
{
	char f[64];

	for (int i = 0; i < CRM_NFIELDS; i++)
		if (!strcmp(name, field_names[i]))
			return i;
	if (!syn || strlen(name) >= sizeof f - 2)
		return -1;
	fold_header(name, f, sizeof f);
	for (int i = 0; i < CRM_NFIELDS; i++)
		if (!strcmp(f, field_names[i]))
			return i;
	for (size_t i = 0; i < sizeof synonyms / sizeof synonyms[0]; i++)
		if (!strcmp(f, synonyms[i].from))
			return synonyms[i].to;
	return -1;
}

int
crm_score_of_field(int f)
{
	switch (f) {
	case CRM_F_RFM_R: case CRM_F_RFM_F: case CRM_F_RFM_M: case CRM_F_RFM: case CRM_F_RFM_SEGMENT:
		return CRM_SCORE_RFM;
	case CRM_F_DAYS_SINCE_PURCHASE: case CRM_F_USUAL_GAP: case CRM_F_CHURN_RISK:
	case CRM_F_CHURNED:
		return CRM_SCORE_CHURN;
	case CRM_F_PROPENSITY:
		return CRM_SCORE_PROPENSITY;
	case CRM_F_EXPLAIN:
		return CRM_SCORE_EXPLAIN;
	}
	return 0;
}

/*
 * Surrounding white space taken off the keys and the string values of
 * attributes (and the strings of their lists): what every input gets,
 * whichever way its attributes came.  CRM_OK, CRM_NOMEM.
 */
int
attrs_trim(json_t *attrs, int *changed)
{
	const char *k;
	json_t *v;
	size_t n;
	int rename = 0;

	if (!json_is_object(attrs))
		return CRM_OK;
	json_object_foreach(attrs, k, v) {
		if (json_is_string(v) && !crm_json_number(v)) {
			const char *t = white_trim(json_string_value(v), &n);
			if (n != json_string_length(v) && (++*changed, json_string_setn(v, t, n)))
				return CRM_NOMEM;
		} else if (json_is_array(v)) {
			size_t i;
			json_t *x;
			json_array_foreach(v, i, x)
				if (json_is_string(x) && !crm_json_number(x)) {
					const char *t = white_trim(json_string_value(x), &n);
					if (n != json_string_length(x) && (++*changed, json_string_setn(x, t, n)))
						return CRM_NOMEM;
				}
		}
		white_trim(k, &n);
		rename |= n != strlen(k);
	}
	if (!rename)
		return CRM_OK;
	/* Names trimmed, in their order: the object made again. */
	json_t *o = json_object();
	if (!o)
		return CRM_NOMEM;
	json_object_foreach(attrs, k, v) {
		const char *t = white_trim(k, &n);
		char *nk = strndup(t, n);
		if (!nk || json_object_set(o, nk, v)) {
			free(nk);
			json_decref(o);
			return CRM_NOMEM;
		}
		free(nk);
	}
	++*changed;
	json_object_clear(attrs);
	int rc = json_object_update(attrs, o) ? CRM_NOMEM : CRM_OK;
	json_decref(o);
	return rc;
}

