/* SPDX-License-Identifier: MIT */
/* party-sql.c: the party's rows in the store: lookups, the upsert, tags, other keys. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

/* ------------------------------------------------------------------ */
/* Rows. */

const char party_columns[] =
	"p.id, p.type, p.kind, p.name, p.first_name, p.last_name, p.email, "
	"p.phone, p.org, p.org_id, p.title, p.city, p.postcode, p.country, "
	"p.birthdate, p.gender, p.notes, p.ext_id, p.created, p.updated, "
	"(SELECT group_concat(tag, char(31)) FROM party_tag t WHERE t.party_id = p.id), "
	"p.attrs, f.last_activity, f.last_inbound, f.first_purchase, f.last_purchase, "
	"coalesce(f.purchases, 0), f.revenue, f.revenue_currency, coalesce(f.open_tasks, 0)";

/* The same, one expression per field, for queries that need only some. */
const char *const party_column_expr[CRM_F_OPEN_TASKS + 1] = {
	"p.id", "p.type", "p.kind", "p.name", "p.first_name", "p.last_name", "p.email",
	"p.phone", "p.org", "p.org_id", "p.title", "p.city", "p.postcode", "p.country",
	"p.birthdate", "p.gender", "p.notes", "p.ext_id", "p.created", "p.updated",
	"(SELECT group_concat(tag, char(31)) FROM party_tag t WHERE t.party_id = p.id)",
	"p.attrs", "f.last_activity", "f.last_inbound", "f.first_purchase", "f.last_purchase",
	"coalesce(f.purchases, 0)", "f.revenue", "f.revenue_currency", "coalesce(f.open_tasks, 0)",
};

/* The FROM clause that party_columns needs. */
const char party_from[] = "party p LEFT JOIN party_fact f ON f.party_id = p.id";

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

int
party_from_row(sqlite3_stmt *st, crm_party_t **out)
{
	crm_party_t *p = crm_party_new();
	const char *t;
	json_error_t je;

	if (!p)
		return CRM_NOMEM;
	p->id = sqlite3_column_int64(st, CRM_F_ID);
	for (int f = CRM_F_ID + 1; f < CRM_F_TAGS; f++) {
		const unsigned char *v = sqlite3_column_text(st, f);
		if (v && !(p->v[f] = strdup((const char *)v)))
			goto nomem;
	}
	if ((t = (const char *)sqlite3_column_text(st, CRM_F_TAGS))) {
		const char *s = t;
		for (;;) {
			const char *e = strchr(s, '\x1f');
			size_t n = e ? (size_t)(e - s) : strlen(s);
			char *tag = strndup(s, n);
			if (!tag || strv_push(&p->tags, tag)) {
				free(tag);
				goto nomem;
			}
			free(tag);
			if (!e)
				break;
			s = e + 1;
		}
		qsort(p->tags.v, p->tags.n, sizeof *p->tags.v, cmp_str);
	}
	if ((t = (const char *)sqlite3_column_text(st, CRM_F_ATTRS))) {
		p->attrs = crm_json_load(t, strlen(t), JSON_DECODE_ANY, &je);
		if (!p->attrs)
			goto nomem;
	}
	/* Facts, then the scores when the query computed them. */
	int ncols = sqlite3_column_count(st);
	for (int f = CRM_F_ATTRS + 1; f < CRM_NFIELDS && f < ncols; f++) {
		char a[32];
		if (sqlite3_column_type(st, f) == SQLITE_NULL)
			continue;
		if (f == CRM_F_REVENUE)
			amount_format(sqlite3_column_int64(st, f), a);
		else if (!CRM_FIELD_IS_SCORE(f))
			snprintf(a, sizeof a, "%s", (const char *)sqlite3_column_text(st, f));
		if (!(p->v[f] = strdup(CRM_FIELD_IS_SCORE(f) ?
		                       (const char *)sqlite3_column_text(st, f) : a)))
			goto nomem;
	}
	*out = p;
	return CRM_OK;
nomem:
	crm_party_free(p);
	return CRM_NOMEM;
}

/* Statement ids of the party layer. */
enum {
	S_BY_ID, S_BY_EMAIL, S_BY_EXT, S_BY_PHONE, S_LOAD, S_INSERT, S_UPDATE,
	S_TAG_DEL, S_TAG_ADD, S_ORG, S_FTS_OLD, S_IDENT_DEL, S_IDENT_ADD, S_BY_IDENT,
	S_INSERT_AUTO, S_NSTMT
};

static const char *const party_sql[S_NSTMT] = {
	[S_BY_ID] = "SELECT id FROM party WHERE id = ?1",
	[S_BY_EMAIL] = "SELECT id FROM party WHERE email_norm = ?1 ORDER BY id LIMIT 1",
	[S_BY_EXT] = "SELECT id FROM party WHERE ext_id = ?1 ORDER BY id LIMIT 1",
	[S_BY_PHONE] = "SELECT id FROM party WHERE phone_norm = ?1 ORDER BY id LIMIT 1",
	/* The others (attributes emails, phones) when the first finds nobody. */
	[S_BY_IDENT] = "SELECT party_id FROM party_ident WHERE kind = ?2 AND norm = ?1"
	               " ORDER BY party_id LIMIT 1",
	[S_IDENT_DEL] = "DELETE FROM party_ident WHERE party_id = ?1",
	[S_IDENT_ADD] = "INSERT OR IGNORE INTO party_ident (kind, norm, party_id) VALUES (?1, ?2, ?3)",
	[S_LOAD] = NULL, /* built from party_columns */
	[S_INSERT] =
		"INSERT INTO party (id, type, kind, name, first_name, last_name, email, "
		"phone, org, org_id, title, city, postcode, country, birthdate, gender, "
		"notes, ext_id, created, updated, attrs, email_norm, phone_norm) "
		"VALUES (" PARTY_NEXT_ID ", ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		"?16, ?17, ?18, ?19, ?20, ?22, ?23, ?24)",
	/* The same, when SQLite's next rowid is PARTY_NEXT_ID (see store_party_auto_id()). */
	[S_INSERT_AUTO] =
		"INSERT INTO party (id, type, kind, name, first_name, last_name, email, "
		"phone, org, org_id, title, city, postcode, country, birthdate, gender, "
		"notes, ext_id, created, updated, attrs, email_norm, phone_norm) "
		"VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, "
		"?16, ?17, ?18, ?19, ?20, ?22, ?23, ?24)",
	[S_UPDATE] =
		"UPDATE party SET type = ?2, kind = ?3, name = ?4, first_name = ?5, "
		"last_name = ?6, email = ?7, phone = ?8, org = ?9, org_id = ?10, "
		"title = ?11, city = ?12, postcode = ?13, country = ?14, birthdate = ?15, "
		"gender = ?16, notes = ?17, ext_id = ?18, created = ?19, updated = ?20, "
		"attrs = ?22, email_norm = ?23, phone_norm = ?24 WHERE id = ?1",
	[S_TAG_DEL] = "DELETE FROM party_tag WHERE party_id = ?1",
	[S_TAG_ADD] = "INSERT OR IGNORE INTO party_tag (party_id, tag) VALUES (?1, ?2)",
	[S_FTS_OLD] = "INSERT OR IGNORE INTO temp.fts_old SELECT id, name, first_name, last_name, "
	              "email, org, city, notes FROM party WHERE id = ?1",
	[S_ORG] = "SELECT id FROM party WHERE type = 'organization' AND lower(name) = lower(?1) "
	          "ORDER BY id LIMIT 1",
};

static sqlite3_stmt *
stmt(crm_store_t *s, int id)
{
	static const char *const keys[S_NSTMT] = {
		"party.by_id", "party.by_email", "party.by_ext", "party.by_phone",
		"party.load", "party.insert", "party.update", "party.tag_del",
		"party.tag_add", "party.org", "party.fts_old", "party.ident_del", "party.ident_add",
		"party.by_ident", "party.insert_auto",
	};
	static char load_sql[2048];

	if (id == S_LOAD) {
		if (!load_sql[0])
			snprintf(load_sql, sizeof load_sql, "SELECT %s FROM %s WHERE p.id = ?1",
			         party_columns, party_from);
		return store_stmt(s, keys[id], load_sql);
	}
	return store_stmt(s, keys[id], party_sql[id]);
}

/* Run a one-column id lookup bound to text. */
static int
lookup_text(crm_store_t *s, int which, const char *v, int64_t *id)
{
	sqlite3_stmt *st = stmt(s, which);
	int rc;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_text(st, 1, v, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW)
		return CRM_OK;
	if (rc == SQLITE_DONE)
		return CRM_NOTFOUND;
	return store_status(s, rc);
}

static int
lookup_id(crm_store_t *s, int64_t want, int64_t *id)
{
	sqlite3_stmt *st = stmt(s, S_BY_ID);
	int rc;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_int64(st, 1, want);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc == SQLITE_ROW) {
		*id = want;
		return CRM_OK;
	}
	return rc == SQLITE_DONE ? CRM_NOTFOUND : store_status(s, rc);
}

/* A party by one of its other e-mails or phones. */
static int
lookup_ident(crm_store_t *s, const char *kind, const char *norm, int64_t *id)
{
	sqlite3_stmt *st = stmt(s, S_BY_IDENT);
	int rc;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_text(st, 1, norm, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, kind, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*id = sqlite3_column_int64(st, 0);
	sqlite3_reset(st);
	return rc == SQLITE_ROW ? CRM_OK : rc == SQLITE_DONE ? CRM_NOTFOUND : store_status(s, rc);
}

static int
lookup_key(crm_store_t *s, const crm_party_t *in, int key, int64_t *id)
{
	char *n;
	int rc;

	switch (key) {
	case CRM_KEY_ID:
		return lookup_id(s, in->id, id);
	case CRM_KEY_EMAIL:
		if (!(n = norm_email(in->v[CRM_F_EMAIL])))
			return CRM_NOTFOUND;
		rc = lookup_text(s, S_BY_EMAIL, n, id);
		if (rc == CRM_NOTFOUND)
			rc = lookup_ident(s, "email", n, id);
		free(n);
		return rc;
	case CRM_KEY_EXT_ID:
		return lookup_text(s, S_BY_EXT, in->v[CRM_F_EXT_ID], id);
	case CRM_KEY_PHONE:
		if (!(n = norm_phone(in->v[CRM_F_PHONE], in->v[CRM_F_COUNTRY])))
			return CRM_NOTFOUND;
		rc = lookup_text(s, S_BY_PHONE, n, id);
		if (rc == CRM_NOTFOUND)
			rc = lookup_ident(s, "phone", n, id);
		free(n);
		return rc;
	}
	return CRM_NOTFOUND;
}

int
crm_party_resolve(crm_store_t *s, const crm_party_t *in, int64_t *id)
{
	int rc = CRM_NOTFOUND;

	if (in->id && (rc = lookup_key(s, in, CRM_KEY_ID, id)) != CRM_NOTFOUND)
		return rc;
	if (in->v[CRM_F_EMAIL] && (rc = lookup_key(s, in, CRM_KEY_EMAIL, id)) != CRM_NOTFOUND)
		return rc;
	if (in->v[CRM_F_EXT_ID] && (rc = lookup_key(s, in, CRM_KEY_EXT_ID, id)) != CRM_NOTFOUND)
		return rc;
	if (in->v[CRM_F_NAME] && !in->v[CRM_F_EMAIL] && !in->v[CRM_F_EXT_ID] && in->v[CRM_F_TYPE] &&
	    !strcmp(in->v[CRM_F_TYPE], "organization") && store_has_orgs(s))
		return lookup_text(s, S_ORG, in->v[CRM_F_NAME], id);
	return CRM_NOTFOUND;
}

int
crm_party_load(crm_store_t *s, int64_t id, crm_party_t **out)
{
	sqlite3_stmt *st = stmt(s, S_LOAD);
	int rc, ret;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_int64(st, 1, id);
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		ret = party_from_row(st, out);
	else if (rc == SQLITE_DONE)
		ret = CRM_NOTFOUND;
	else
		ret = store_status(s, rc);
	sqlite3_reset(st);
	return ret;
}

static int
str_eq(const char *a, const char *b)
{
	if (!a || !b)
		return a == b;
	return !strcmp(a, b);
}

static int
same_tags(const crm_party_t *a, const crm_party_t *b)
{
	if (a->tags.n != b->tags.n)
		return 0;
	for (size_t i = 0; i < a->tags.n; i++)
		if (!strv_has(&b->tags, a->tags.v[i]))
			return 0;
	return 1;
}

static int
same_party(const crm_party_t *a, const crm_party_t *b)
{
	for (int f = CRM_F_ID + 1; f < CRM_F_TAGS; f++)
		if (f != CRM_F_UPDATED && !str_eq(a->v[f], b->v[f]))
			return 0;
	if (!same_tags(a, b))
		return 0;
	json_t *ea = a->attrs && json_object_size(a->attrs) ? a->attrs : NULL;
	json_t *eb = b->attrs && json_object_size(b->attrs) ? b->attrs : NULL;
	if (!ea || !eb)
		return ea == eb;
	return json_equal(ea, eb);
}

/* Copy the scalar fields, tags and attrs of in over p (merge rules). */
static int
merge_into(crm_party_t *p, const crm_party_t *in, int whole)
{
	for (int f = CRM_F_ID + 1; f < CRM_F_TAGS; f++) {
		if (f == CRM_F_ORG_ID || f == CRM_F_UPDATED || f == CRM_F_CREATED)
			continue;
		if (in->v[f]) {
			/* The same address spelt otherwise (mailto:, NFD, xn--): the stored one stays. */
			if (f == CRM_F_EMAIL && p->v[f] && strcmp(p->v[f], in->v[f])) {
				char *a = norm_email(p->v[f]), *b = norm_email(in->v[f]);
				int same = a && b && !strcmp(a, b);
				free(a);
				free(b);
				if (same)
					continue;
			}
			if (replace(&p->v[f], in->v[f]))
				return CRM_NOMEM;
		} else if (whole && f != CRM_F_TYPE && f != CRM_F_KIND) {
			free(p->v[f]);
			p->v[f] = NULL;
		}
	}
	if (whole)
		strv_clear(&p->tags);
	for (size_t i = 0; i < in->tags.n; i++)
		if (!strv_has(&p->tags, in->tags.v[i]) && strv_push(&p->tags, in->tags.v[i]))
			return CRM_NOMEM;
	for (size_t i = 0; i < in->untags.n; i++)
		for (size_t j = 0; j < p->tags.n; j++)
			if (!strcmp(p->tags.v[j], in->untags.v[i])) {
				free(p->tags.v[j]);
				memmove(p->tags.v + j, p->tags.v + j + 1, (p->tags.n - j - 1) * sizeof(char *));
				p->tags.n--;
				break;
			}
	if (whole) {
		json_decref(p->attrs);
		p->attrs = NULL;
	}
	if (in->attrs) {
		const char *k;
		json_t *v;
		if (!p->attrs && !(p->attrs = json_object()))
			return CRM_NOMEM;
		json_object_foreach(in->attrs, k, v) {
			if (json_is_null(v))
				json_object_del(p->attrs, k);
			else if (json_object_set(p->attrs, k, v))
				return CRM_NOMEM;
		}
	}
	if (p->tags.n)
		qsort(p->tags.v, p->tags.n, sizeof *p->tags.v, cmp_str);
	return CRM_OK;
}

/* Fill in what a stored party derives: defaults, display name, org link. */
static int
complete(crm_store_t *s, crm_party_t *p)
{
	if (!p->v[CRM_F_TYPE] && replace(&p->v[CRM_F_TYPE], "person"))
		return CRM_NOMEM;
	if (!p->v[CRM_F_KIND] && replace(&p->v[CRM_F_KIND], "lead"))
		return CRM_NOMEM;
	if (!p->v[CRM_F_NAME] && (p->v[CRM_F_FIRST_NAME] || p->v[CRM_F_LAST_NAME])) {
		const char *a = p->v[CRM_F_FIRST_NAME], *b = p->v[CRM_F_LAST_NAME];
		size_t n = (a ? strlen(a) : 0) + (b ? strlen(b) : 0) + 2;
		char *name = malloc(n);
		if (!name)
			return CRM_NOMEM;
		snprintf(name, n, "%s%s%s", a ? a : "", a && b ? " " : "", b ? b : "");
		p->v[CRM_F_NAME] = name;
	}
	free(p->v[CRM_F_ORG_ID]);
	p->v[CRM_F_ORG_ID] = NULL;
	if (p->v[CRM_F_ORG] && !strcmp(p->v[CRM_F_TYPE], "person") && store_has_orgs(s)) {
		int64_t org;
		int rc = lookup_text(s, S_ORG, p->v[CRM_F_ORG], &org);
		if (rc == CRM_OK) {
			char b[24];
			snprintf(b, sizeof b, "%" PRId64, org);
			if (replace(&p->v[CRM_F_ORG_ID], b))
				return CRM_NOMEM;
		} else if (rc != CRM_NOTFOUND) {
			return rc;
		}
	}
	return CRM_OK;
}

static void
bind_opt(sqlite3_stmt *st, int i, const char *v)
{
	if (v)
		sqlite3_bind_text(st, i, v, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, i);
}

/* The party's other e-mails and phones into party_ident (was: it may have had some). */
static int
idents_sync(crm_store_t *s, const crm_party_t *p, int was)
{
	static const char *const ikinds[] = { "email", "phone" };
	struct strv v[2] = { {0}, {0} };
	int rc = CRM_OK;

	for (int k = 0; k < 2 && !rc; k++)
		rc = party_idents(p, ikinds[k], &v[k]);
	if (!rc && (was || v[0].n || v[1].n)) {
		sqlite3_stmt *d = stmt(s, S_IDENT_DEL), *a = stmt(s, S_IDENT_ADD);
		if (!d || !a) {
			rc = CRM_STORE;
			goto out;
		}
		sqlite3_bind_int64(d, 1, p->id);
		int r = sqlite3_step(d);
		sqlite3_reset(d);
		if (r != SQLITE_DONE) {
			rc = store_status(s, r);
			goto out;
		}
		for (int k = 0; k < 2; k++)
			for (size_t i = 0; i < v[k].n; i++) {
				sqlite3_bind_text(a, 1, ikinds[k], -1, SQLITE_STATIC);
				sqlite3_bind_text(a, 2, v[k].v[i], -1, SQLITE_STATIC);
				sqlite3_bind_int64(a, 3, p->id);
				r = sqlite3_step(a);
				sqlite3_reset(a);
				if (r != SQLITE_DONE) {
					rc = store_status(s, r);
					goto out;
				}
			}
	}
out:
	strv_clear(&v[0]);
	strv_clear(&v[1]);
	return rc;
}

/* Whether two parties have the same other e-mails and phones (attributes). */
static int
idents_equal(const crm_party_t *a, const crm_party_t *b)
{
	static const char *const keys[] = { "emails", "phones" };

	for (int k = 0; k < 2; k++) {
		json_t *x = a->attrs ? json_object_get(a->attrs, keys[k]) : NULL;
		json_t *y = b->attrs ? json_object_get(b->attrs, keys[k]) : NULL;
		if (!json_equal(x, y) && (x || y))
			return 0;
	}
	return 1;
}

/* Insert (id == 0) or update a complete party and its tags. */
static int
write_party(crm_store_t *s, crm_party_t *p)
{
	sqlite3_stmt *st;
	char *attrs = NULL, *en = NULL, *pn = NULL;
	int rc, ret = CRM_OK, was = p->id != 0, auto_id = 0;

	long long base;

	if (!store_in_tx(s, &base)) {
		store_seterr(s, "write outside a transaction");
		return CRM_STORE;
	}
	if (!p->id && (rc = store_party_auto_id(s, &auto_id)))
		return rc;
	if (!(st = stmt(s, p->id ? S_UPDATE : auto_id ? S_INSERT_AUTO : S_INSERT)))
		return CRM_STORE;
	if (p->id && p->id <= base) {
		/* Keep what the full-text index holds, to take it out at commit. */
		sqlite3_stmt *o = stmt(s, S_FTS_OLD);
		if (!o)
			return CRM_STORE;
		sqlite3_bind_int64(o, 1, p->id);
		rc = sqlite3_step(o);
		sqlite3_reset(o);
		if (rc != SQLITE_DONE)
			return store_status(s, rc);
	}
	store_mark(s, !strcmp(p->v[CRM_F_TYPE], "organization"));
	if (p->attrs && json_object_size(p->attrs) &&
	    !(attrs = crm_json_dumps(p->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	if (p->v[CRM_F_EMAIL])
		en = norm_email(p->v[CRM_F_EMAIL]);
	if (p->v[CRM_F_PHONE])
		pn = norm_phone(p->v[CRM_F_PHONE], p->v[CRM_F_COUNTRY]);
	if (p->id)
		sqlite3_bind_int64(st, 1, p->id);
	for (int f = CRM_F_TYPE; f < CRM_F_TAGS; f++) {
		if (f == CRM_F_ORG_ID && p->v[f])
			sqlite3_bind_int64(st, f + 1, strtoll(p->v[f], NULL, 10));
		else
			bind_opt(st, f + 1, p->v[f]);
	}
	bind_opt(st, 22, attrs);
	bind_opt(st, 23, en);
	bind_opt(st, 24, pn);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE) {
		ret = store_status(s, rc);
		goto out;
	}
	if (!p->id) {
		p->id = sqlite3_last_insert_rowid(store_db(s));
	} else {
		sqlite3_stmt *d = stmt(s, S_TAG_DEL);
		if (!d) {
			ret = CRM_STORE;
			goto out;
		}
		sqlite3_bind_int64(d, 1, p->id);
		rc = sqlite3_step(d);
		sqlite3_reset(d);
		if (rc != SQLITE_DONE) {
			ret = store_status(s, rc);
			goto out;
		}
	}
	if (p->tags.n) {
		sqlite3_stmt *a = stmt(s, S_TAG_ADD);
		if (!a) {
			ret = CRM_STORE;
			goto out;
		}
		for (size_t i = 0; i < p->tags.n; i++) {
			sqlite3_bind_int64(a, 1, p->id);
			sqlite3_bind_text(a, 2, p->tags.v[i], -1, SQLITE_STATIC);
			rc = sqlite3_step(a);
			sqlite3_reset(a);
			if (rc != SQLITE_DONE) {
				ret = store_status(s, rc);
				goto out;
			}
		}
	}
	ret = idents_sync(s, p, was);
out:
	free(attrs);
	free(en);
	free(pn);
	return ret;
}

static const char *const key_names[] = { "auto", "id", "email", "ext_id", "phone" };

int
crm_party_upsert(crm_store_t *s, crm_party_t *in, int key, int conflict,
                 int *result, crm_party_t **stored, char *msg, size_t len)
{
	crm_party_t *p = NULL, *old = NULL;
	int64_t id = 0;
	int rc;
	char now[21];

	/* A person erased under the GDPR does not come back with an import. */
	if ((rc = crm_ledger_check(s, in, msg, len)))
		return rc;
	if (key == CRM_KEY_AUTO) {
		rc = crm_party_resolve(s, in, &id);
	} else {
		int has = key == CRM_KEY_ID ? in->id != 0 :
		          key == CRM_KEY_EMAIL ? in->v[CRM_F_EMAIL] != NULL :
		          key == CRM_KEY_EXT_ID ? in->v[CRM_F_EXT_ID] != NULL :
		          in->v[CRM_F_PHONE] != NULL;
		if (!has) {
			msgf(msg, len, "no %s to match on", key_names[key]);
			return CRM_BADINPUT;
		}
		rc = lookup_key(s, in, key, &id);
		if (rc == CRM_NOTFOUND && key == CRM_KEY_ID) {
			msgf(msg, len, "no party with id %" PRId64, in->id);
			return CRM_NOTFOUND;
		}
	}
	if (rc != CRM_OK && rc != CRM_NOTFOUND) {
		msgf(msg, len, "%s", crm_store_errmsg(s));
		return rc;
	}
	now_iso(now);
	if (rc == CRM_NOTFOUND) {
		if (!in->v[CRM_F_NAME] && !in->v[CRM_F_FIRST_NAME] && !in->v[CRM_F_LAST_NAME] &&
		    !in->v[CRM_F_EMAIL] && !in->v[CRM_F_PHONE] && !in->v[CRM_F_ORG] &&
		    !in->v[CRM_F_EXT_ID]) {
			msgf(msg, len, "record has no name, e-mail, phone, org or ext_id");
			return CRM_BADINPUT;
		}
		/* A new party is completed and written in place: no copy. */
		p = in;
		p->id = 0;
		rc = CRM_OK;
		if (!p->v[CRM_F_CREATED])
			rc = replace(&p->v[CRM_F_CREATED], now);
		if (!rc)
			rc = replace(&p->v[CRM_F_UPDATED], now);
		for (size_t i = 0; !rc && i < p->untags.n; i++)
			for (size_t j = 0; j < p->tags.n; j++)
				if (!strcmp(p->tags.v[j], p->untags.v[i])) {
					free(p->tags.v[j]);
					p->tags.v[j] = p->tags.v[--p->tags.n];
					break;
				}
		if (!rc && p->attrs) {
			/* A null attribute means "remove": nothing to remove yet. */
			const char *k;
			json_t *v;
			void *tmp;
			json_object_foreach_safe(p->attrs, tmp, k, v)
				if (json_is_null(v))
					json_object_del(p->attrs, k);
		}
		if (!rc && p->tags.n)
			qsort(p->tags.v, p->tags.n, sizeof *p->tags.v, cmp_str);
		if (rc || (rc = complete(s, p)) || (rc = write_party(s, p))) {
			p->id = 0;
			p = NULL;
			goto fail;
		}
		p = NULL;
		*result = CRM_CREATED;
		goto done;
	}
	if (conflict == CRM_ON_ERROR) {
		msgf(msg, len, "party exists as id %" PRId64, id);
		return CRM_CONFLICT;
	}
	if ((rc = crm_party_load(s, id, &old)))
		goto fail;
	if (conflict == CRM_ON_SKIP) {
		*result = CRM_UNCHANGED;
		p = old;
		old = NULL;
		goto done;
	}
	if ((rc = crm_party_load(s, id, &p)))
		goto fail;
	if (conflict == CRM_ON_REPLACE) {
		free(p->v[CRM_F_NAME]);
		p->v[CRM_F_NAME] = NULL;
	}
	/*
	 * A record that names the party by one of its other e-mails or phones
	 * does not make it the first: the first stays, the other stays other.
	 */
	char *keep[2] = { NULL, NULL };
	static const int idf[2] = { CRM_F_EMAIL, CRM_F_PHONE };
	for (int k = 0; k < 2 && conflict != CRM_ON_REPLACE; k++) {
		/* Only a party with other e-mails (phones) can be named by one (replace: the record is all). */
		if (!in->v[idf[k]] || !p->v[idf[k]] || !p->attrs ||
		    !json_object_get(p->attrs, k ? "phones" : "email" "s"))
			continue;
		struct strv others = {0};
		char *a = k ? norm_phone(in->v[idf[k]], in->v[CRM_F_COUNTRY] ? in->v[CRM_F_COUNTRY] :
		                         p->v[CRM_F_COUNTRY]) : norm_email(in->v[idf[k]]);
		char *b = k ? norm_phone(p->v[idf[k]], p->v[CRM_F_COUNTRY]) : norm_email(p->v[idf[k]]);
		if (a && b && strcmp(a, b) && !party_idents(p, k ? "phone" : "email", &others) &&
		    strv_has(&others, a)) {
			keep[k] = in->v[idf[k]];
			in->v[idf[k]] = NULL;
		}
		strv_clear(&others);
		free(a);
		free(b);
	}
	rc = merge_into(p, in, conflict == CRM_ON_REPLACE);
	for (int k = 0; k < 2; k++)
		if (keep[k])
			in->v[idf[k]] = keep[k];
	if (rc)
		goto fail;
	if ((rc = complete(s, p)))
		goto fail;
	/* The other e-mail (phone) the record named the party by stays among the others. */
	for (int k = 0; k < 2; k++) {
		if (!keep[k])
			continue;
		struct strv others = {0};
		char *a = k ? norm_phone(keep[k], p->v[CRM_F_COUNTRY]) : norm_email(keep[k]);
		if (a && !party_idents(p, k ? "phone" : "email", &others) && !strv_has(&others, a))
			rc = attr_list_add(p, k ? "phones" : "emails", keep[k]);
		strv_clear(&others);
		free(a);
		if (rc)
			goto fail;
	}
	/* The identifiers as merged, when they change: a national phone gains its country. */
	if (!idents_equal(p, old) || !str_eq(p->v[CRM_F_EMAIL], old->v[CRM_F_EMAIL]) ||
	    !str_eq(p->v[CRM_F_PHONE], old->v[CRM_F_PHONE]) ||
	    !str_eq(p->v[CRM_F_COUNTRY], old->v[CRM_F_COUNTRY]) ||
	    !str_eq(p->v[CRM_F_EXT_ID], old->v[CRM_F_EXT_ID])) {
		if ((rc = crm_ledger_check(s, p, msg, len))) {
			crm_party_free(old);
			crm_party_free(p);
			return rc;
		}
	}
	if (same_party(p, old)) {
		*result = CRM_UNCHANGED;
		goto done;
	}
	if ((rc = replace(&p->v[CRM_F_UPDATED], now)) || (rc = write_party(s, p)))
		goto fail;
	*result = CRM_UPDATED;
done:
	crm_party_free(old);
	if (stored)
		*stored = p;
	else
		crm_party_free(p);
	return CRM_OK;
fail:
	if (rc == CRM_STORE || rc == CRM_BUSY)
		msgf(msg, len, "%s", crm_store_errmsg(s));
	else
		msgf(msg, len, "%s", crm_status_str(rc));
	crm_party_free(old);
	crm_party_free(p);
	return rc;
}

int
crm_ledger_check(crm_store_t *s, const crm_party_t *p, char *msg, size_t len)
{
	int rc, active = 0;

	/* Nothing to hash when nothing was ever erased. */
	if ((rc = ledger_active(s, &active, msg, len)) || !active)
		return rc;
	struct strv kv = {0}, vals = {0};
	char *e = p->v[CRM_F_EMAIL] ? norm_email(p->v[CRM_F_EMAIL]) : NULL;
	char *ph = p->v[CRM_F_PHONE] ? norm_phone(p->v[CRM_F_PHONE], p->v[CRM_F_COUNTRY]) : NULL;
	/* Entries made before schema 14 hash the e-mail as it was matched then. */
	char *el = p->v[CRM_F_EMAIL] ? norm_email_legacy(p->v[CRM_F_EMAIL]) : NULL;
	const char *k4[4] = { "email", "phone", "ext_id", "email" };
	const char *v4[4] = { e, ph, p->v[CRM_F_EXT_ID], el && e && strcmp(el, e) ? el : NULL };
	for (int i = 0; i < 4 && !rc; i++)
		if (v4[i] && *v4[i] && (strv_push(&kv, k4[i]) || strv_push(&vals, v4[i])))
			rc = CRM_NOMEM;
	/* The other e-mails and phones of its attributes. */
	static const char *const ikinds[3] = { "email", "phone", "email-legacy" };
	for (int k = 0; !rc && k < 3; k++) {
		struct strv v = {0};
		rc = party_idents(p, ikinds[k], &v);
		for (size_t i = 0; !rc && i < v.n; i++)
			if (strv_push(&kv, k == 1 ? "phone" : "email") || strv_push(&vals, v.v[i]))
				rc = CRM_NOMEM;
		strv_clear(&v);
	}
	size_t which = 0;
	if (!rc && !(rc = ledger_suppressed(s, vals.n, (const char *const *)kv.v,
	                                    (const char *const *)vals.v, &which, msg, len)) &&
	    which < vals.n) {
		msgf(msg, len, "suppressed: the %s of a person erased under the GDPR", kv.v[which]);
		rc = CRM_BADINPUT;
	} else if (rc == CRM_NOMEM) {
		msgf(msg, len, "%s", crm_status_str(rc));
	}
	strv_clear(&kv);
	strv_clear(&vals);
	free(e);
	free(el);
	free(ph);
	return rc;
}
