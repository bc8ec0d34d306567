/* SPDX-License-Identifier: MIT */
/*
 * subject.c: a data subject: the parties found by any spelling of an
 * identifier (e-mail, phone, national number, id, ext_id), or by the
 * suppression ledger's keyed hashes (a replay); the identifiers, tokens
 * and words of those parties.  Its SQL is in gdpr-sql.c.
 */
#include <gdbm.h>
#include <unistd.h>

#include "crm-private.h"
#include "gdpr-private.h"

void
crm_subject_free(crm_subject_t *sj)
{
	if (!sj)
		return;
	for (size_t i = 0; i < sj->nidents; i++)
		free(sj->idents[i].value);
	free(sj->idents);
	free(sj->ids);
	strv_clear(&sj->tokens);
	strv_clear(&sj->words);
	strv_clear(&sj->given);
	free(sj->weights);
	free(sj);
}

int
crm_subject_weights(crm_subject_t *sj, const char *path)
{
	free(sj->weights);
	sj->weights = NULL;
	return path && !(sj->weights = strdup(path)) ? CRM_NOMEM : CRM_OK;
}

size_t
crm_subject_parties(const crm_subject_t *sj, const int64_t **ids)
{
	*ids = sj->ids;
	return sj->nids;
}

static int
add_ident(crm_subject_t *sj, const char *kind, const char *value)
{
	if (!value || !*value)
		return CRM_OK;
	for (size_t i = 0; i < sj->nidents; i++)
		if (!strcmp(sj->idents[i].kind, kind) && !strcmp(sj->idents[i].value, value))
			return CRM_OK;
	if (sj->nidents == sj->capidents) {
		size_t cap = sj->capidents ? 2 * sj->capidents : 8;
		struct ident *p = realloc(sj->idents, cap * sizeof *p);
		if (!p)
			return CRM_NOMEM;
		sj->idents = p;
		sj->capidents = cap;
	}
	struct ident *d = &sj->idents[sj->nidents];
	snprintf(d->kind, sizeof d->kind, "%s", kind);
	if (!(d->value = strdup(value)))
		return CRM_NOMEM;
	sj->nidents++;
	return CRM_OK;
}

static int
add_word(crm_subject_t *sj, const char *t)
{
	if (!t || strlen(t) < 4 || strv_has(&sj->words, t) || strv_has(&sj->tokens, t))
		return CRM_OK;
	return strv_push(&sj->words, t);
}

int
crm_subject_new(crm_subject_t **out)
{
	*out = calloc(1, sizeof **out);
	return *out ? CRM_OK : CRM_NOMEM;
}

int
crm_subject_find(crm_store_t *s, crm_subject_t *sj, const char *value)
{
	char *v = strdup(value), *n = NULL;
	int rc = CRM_OK;

	if (!v)
		return CRM_NOMEM;
	/* Surrounding blanks never count. */
	char *b = v, *e = v + strlen(v);
	while (*b && isspace((unsigned char)*b))
		b++;
	while (e > b && isspace((unsigned char)e[-1]))
		*--e = '\0';
	if (!*b) {
		free(v);
		return CRM_OK;
	}
	if ((rc = strv_push(&sj->given, b)))
		goto done;
	if (strchr(b, '@')) {
		if ((n = norm_email(b)) && !(rc = add_ident(sj, "email", n)))
			rc = gdpr_ids_where(s, sj, GDPR_BY_EMAIL, n);
		goto done;
	}
	size_t nd = 0;
	for (const char *p = b; *p; p++)
		nd += isdigit((unsigned char)*p) != 0;
	if (nd == strlen(b) && nd < 19 && *b != '0')    /* an id; 06... is a phone */
		rc = gdpr_ids_where(s, sj, GDPR_BY_ID, b);
	if (!rc)
		rc = gdpr_ids_where(s, sj, GDPR_BY_EXT_ID, b);
	if (!rc && phone_like(b) && (n = norm_phone(b, NULL))) {
		rc = gdpr_ids_where(s, sj, GDPR_BY_PHONE, n);
		if (!rc && n[0] != '+' && n[0] == '0' && strlen(n) >= 8)
			rc = gdpr_national(s, sj, b, n + 1);
	}
done:
	free(n);
	free(v);
	return rc;
}

/* Identifiers and tokens of the parties found, read from the store. */
int
subject_gather(crm_store_t *s, crm_subject_t *sj)
{
	for (size_t i = 0; i < sj->nids; i++) {
		crm_party_t *p;
		int rc = crm_party_load(s, sj->ids[i], &p);
		if (rc == CRM_NOTFOUND)
			continue;
		if (rc)
			return rc;
		char *e = p->v[CRM_F_EMAIL] ? norm_email(p->v[CRM_F_EMAIL]) : NULL;
		char *ph = p->v[CRM_F_PHONE] ? norm_phone(p->v[CRM_F_PHONE], p->v[CRM_F_COUNTRY]) : NULL;
		rc = add_ident(sj, "email", e);
		if (!rc)
			rc = add_ident(sj, "phone", ph);
		if (!rc)
			rc = add_ident(sj, "ext_id", p->v[CRM_F_EXT_ID]);
		/*
		 * E-mails and phones are the person's wherever their bytes are; an
		 * ext_id, often a short number, is checked like a name: as a whole
		 * word, when no other party has it.
		 */
		static const int ident[] = { CRM_F_EMAIL, CRM_F_PHONE };
		static const int names[] = { CRM_F_EXT_ID, CRM_F_NAME, CRM_F_FIRST_NAME, CRM_F_LAST_NAME };
		for (size_t k = 0; !rc && k < sizeof ident / sizeof ident[0]; k++)
			rc = add_token(sj, p->v[ident[k]]);
		for (size_t k = 0; !rc && k < sizeof names / sizeof names[0]; k++)
			rc = add_word(sj, p->v[names[k]]);
		if (!rc)
			rc = add_token(sj, e);
		if (!rc)
			rc = add_token(sj, ph);
		/* The other e-mails and phones (attributes emails, phones): the same. */
		static const char *const more[] = { "email", "phone" };
		for (int k = 0; !rc && k < 2; k++) {
			struct strv v = {0};
			rc = party_idents(p, more[k], &v);
			for (size_t j = 0; !rc && j < v.n; j++)
				if (!(rc = add_ident(sj, more[k], v.v[j])))
					rc = add_token(sj, v.v[j]);
			strv_clear(&v);
			/* As stored, too: Ann@Work.example, 01 22 22 22 22. */
			json_t *a = p->attrs ? json_object_get(p->attrs, k ? "phones" : "emails") : NULL;
			for (size_t j = 0; !rc && json_is_array(a) && j < json_array_size(a); j++)
				if (json_is_string(json_array_get(a, j)))
					rc = add_token(sj, json_string_value(json_array_get(a, j)));
			if (!rc && json_is_string(a))
				rc = add_token(sj, json_string_value(a));
		}
		/* Words of the notes, long enough to be the person's own. */
		if (!rc && p->v[CRM_F_NOTES]) {
			char *copy = strdup(p->v[CRM_F_NOTES]), *save = NULL, *w;
			if (!copy)
				rc = CRM_NOMEM;
			for (w = copy ? strtok_r(copy, " \t\r\n.,;:!?()[]{}\"'", &save) : NULL; w && !rc;
			     w = strtok_r(NULL, " \t\r\n.,;:!?()[]{}\"'", &save))
				if (strlen(w) >= 8)
					rc = add_word(sj, w);
			free(copy);
		}
		free(e);
		free(ph);
		crm_party_free(p);
		if (rc)
			return rc;
	}
	return CRM_OK;
}

int
crm_subject_audit_hash(crm_store_t *s, const crm_subject_t *sj, char out[65])
{
	/* The first identifier stands for the subject in the audit trail. */
	out[0] = '\0';
	if (!sj->nidents)
		return CRM_OK;
	return crm_subject_hash(s, sj->idents[0].kind, sj->idents[0].value, out);
}

size_t
crm_subject_tokens(const crm_subject_t *sj)
{
	return sj->tokens.n;
}

/* ------------------------------------------------------------------ */
/* Replay: the parties the suppression ledger names. */

struct replay {
	crm_store_t *s;
	crm_subject_t *sj;
	GDBM_FILE db;
};

/* A party whose identifier is in the ledger is the subject's. */
static int
replay_one(void *ctx, int64_t id, const char *const vals[4])
{
	static const char *const kinds[4] = { "email", "phone", "ext_id", "email" };
	struct replay *r = ctx;
	char h[65];
	int rc;

	for (int i = 0; i < 4; i++) {
		const char *v = vals[i];
		char *legacy = NULL;
		/* Entries made before schema 14 hash the e-mail as it was matched then. */
		if (i == 3 && v && !(v = legacy = norm_email_legacy(v)))
			continue;
		if (!v || !*v) {
			free(legacy);
			continue;
		}
		rc = crm_subject_hash(r->s, kinds[i], v, h);
		free(legacy);
		if (rc)
			return rc;
		datum k = { h, 64 };
		if (gdbm_exists(r->db, k))
			return add_id(r->sj, id);
	}
	return CRM_OK;
}

int
crm_gdpr_replay(crm_store_t *s, crm_subject_t *sj)
{
	char path[4200];
	struct replay r = { s, sj, NULL };
	int rc;

	ledger_path(s, path, sizeof path);
	if (access(path, F_OK))
		return CRM_OK;          /* nothing was ever erased */
	if (!(r.db = ledger_open(s, 0)))
		return CRM_STORE;
	if (!(rc = ledger_key_ok(s, r.db, 0)))
		rc = gdpr_identifiers(s, replay_one, &r);
	gdbm_close(r.db);
	return rc;
}
