/* SPDX-License-Identifier: MIT */
/* event-sql.c: the event's rows in the store: one added, a load staged, listings. */
#include <inttypes.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crm-private.h"

/* ------------------------------------------------------------------ */
/* Rows. */

static const char event_columns[] =
	"e.id, e.party_id, e.at, e.channel, e.type, e.direction, e.subject, e.body, "
	"e.amount, e.currency, e.campaign, e.ref, e.due, e.assignee, e.status, e.attrs";

static int
event_from_row(sqlite3_stmt *st, crm_event_t **out)
{
	crm_event_t *e = crm_event_new();
	const char *t;
	json_error_t je;

	if (!e)
		return CRM_NOMEM;
	e->id = sqlite3_column_int64(st, 0);
	e->party_id = sqlite3_column_int64(st, 1);
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		if (f == CRM_E_AMOUNT)
			continue;
		const unsigned char *v = sqlite3_column_text(st, f);
		if (v && !(e->v[f] = strdup((const char *)v)))
			goto nomem;
	}
	if (sqlite3_column_type(st, CRM_E_AMOUNT) != SQLITE_NULL) {
		char a[32];
		e->has_amount = 1;
		e->amount = sqlite3_column_int64(st, CRM_E_AMOUNT);
		amount_format(e->amount, a);
		if (!(e->v[CRM_E_AMOUNT] = strdup(a)))
			goto nomem;
	}
	if ((t = (const char *)sqlite3_column_text(st, CRM_E_ATTRS)) &&
	    !(e->attrs = crm_json_load(t, strlen(t), 0, &je)))
		goto nomem;
	*out = e;
	return CRM_OK;
nomem:
	crm_event_free(e);
	return CRM_NOMEM;
}

int
crm_event_add(crm_store_t *s, const crm_event_t *e, int64_t party_id, int *result,
              crm_event_t **stored, char *msg, size_t len)
{
	sqlite3_stmt *st = store_stmt(s, "event.insert",
		"INSERT INTO event (party_id, at, channel, type, direction, subject, body, amount, "
		"currency, campaign, ref, due, assignee, status, attrs, created) VALUES (?1, ?2, ?3, "
		"?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16) "
		"ON CONFLICT (party_id, type, ref) WHERE ref IS NOT NULL DO NOTHING");
	char *attrs = NULL, now[21];
	int rc;
	long long base;

	if (!st) {
		msgf(msg, len, "%s", crm_store_errmsg(s));
		return CRM_STORE;
	}
	if (!store_in_tx(s, &base)) {
		msgf(msg, len, "write outside a transaction");
		return CRM_STORE;
	}
	if (e->attrs && json_object_size(e->attrs) &&
	    !(attrs = crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	now_iso(now);
	sqlite3_bind_int64(st, 1, party_id);
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		if (f == CRM_E_AMOUNT) {
			if (e->has_amount)
				sqlite3_bind_int64(st, f, e->amount);
			else
				sqlite3_bind_null(st, f);
		} else if (e->v[f]) {
			sqlite3_bind_text(st, f, e->v[f], -1, SQLITE_STATIC);
		} else {
			sqlite3_bind_null(st, f);
		}
	}
	if (attrs)
		sqlite3_bind_text(st, CRM_E_ATTRS, attrs, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, CRM_E_ATTRS);
	sqlite3_bind_text(st, CRM_E_NFIELDS, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(attrs);
	if (rc != SQLITE_DONE) {
		rc = store_status(s, rc);
		msgf(msg, len, "%s", crm_store_errmsg(s));
		return rc;
	}
	int64_t id;
	if (sqlite3_changes(store_db(s)) == 0) {
		/* The same reference for the same party and type: already there. */
		sqlite3_stmt *f = store_stmt(s, "event.by_ref",
			"SELECT id FROM event WHERE party_id = ?1 AND type = ?3 AND ref = ?2");
		if (!f) {
			msgf(msg, len, "%s", crm_store_errmsg(s));
			return CRM_STORE;
		}
		sqlite3_bind_int64(f, 1, party_id);
		sqlite3_bind_text(f, 2, e->v[CRM_E_REF], -1, SQLITE_STATIC);
		sqlite3_bind_text(f, 3, e->v[CRM_E_TYPE], -1, SQLITE_STATIC);
		rc = sqlite3_step(f);
		id = sqlite3_column_int64(f, 0);
		sqlite3_reset(f);
		if (rc != SQLITE_ROW)
			return store_status(s, rc);
		*result = CRM_UNCHANGED;
	} else {
		id = sqlite3_last_insert_rowid(store_db(s));
		*result = CRM_CREATED;
		store_events_added(s);
	}
	if (stored && *result == CRM_CREATED) {
		/* As checked, with its ids: what the store now holds. */
		if (!(*stored = crm_event_copy(e)))
			return CRM_NOMEM;
		(*stored)->id = id;
		(*stored)->party_id = party_id;
		return CRM_OK;
	}
	if (stored) {
		crm_event_query_t *q;
		if ((rc = crm_event_query_open(s, &q)))
			return rc;
		q->one = id;
		rc = crm_event_query_next(q, stored);
		crm_event_query_close(q);
		if (rc == CRM_EOF)
			rc = CRM_STORE;
		return rc;
	}
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Bulk: events staged in a temporary table, then written in one statement. */

/*
 * The indexes of the event table that a large load drops and builds again
 * (by sorting, much faster than row by row).  They must be the schema's
 * own: keep them in step with the migrations in schema.c.
 */
static const char *const event_indexes[][2] = {
	{ "event_party_at", "CREATE INDEX event_party_at ON event (party_id, at)" },
	{ "event_at", "CREATE INDEX event_at ON event (at)" },
	{ "event_purchase", "CREATE INDEX event_purchase ON event (party_id, at, amount, currency)"
	  " WHERE type = 'purchase'" },
	{ "event_refund", "CREATE INDEX event_refund ON event (party_id, at, amount, currency)"
	  " WHERE type = 'refund'" },
	{ "event_campaign", "CREATE INDEX event_campaign ON event (campaign, type, party_id, at)"
	  " WHERE campaign IS NOT NULL" },
	{ "event_open_task", "CREATE INDEX event_open_task ON event (due) "
	                     "WHERE type = 'task' AND status = 'open'" },
	{ "event_text", "CREATE INDEX event_text ON event (party_id) "
	                "WHERE subject IS NOT NULL OR body IS NOT NULL" },
};

int
crm_event_stage(crm_store_t *s, const crm_event_t *e, int64_t party_id)
{
	sqlite3 *db = store_db(s);
	sqlite3_stmt *st;
	char *attrs = NULL;
	long *staged = store_staged(s);
	int rc;

	if (!store_in_tx(s, NULL))
		return CRM_STORE;
	if (!*staged) {
		rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS event_stage (party_id INTEGER, at TEXT,"
		    " channel TEXT, type TEXT, direction TEXT, subject TEXT, body TEXT, amount INTEGER,"
		    " currency TEXT, campaign TEXT, ref TEXT, due TEXT, assignee TEXT, status TEXT,"
		    " attrs TEXT)", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return store_status(s, rc);
	}
	if (!(st = store_stmt(s, "event.stage",
		"INSERT INTO temp.event_stage VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11,"
		" ?12, ?13, ?14, ?15)")))
		return CRM_STORE;
	if (e->attrs && json_object_size(e->attrs) &&
	    !(attrs = crm_json_dumps(e->attrs, JSON_COMPACT | JSON_PRESERVE_ORDER)))
		return CRM_NOMEM;
	sqlite3_bind_int64(st, 1, party_id);
	for (int f = CRM_E_AT; f < CRM_E_ATTRS; f++) {
		if (f == CRM_E_AMOUNT && e->has_amount)
			sqlite3_bind_int64(st, f, e->amount);
		else if (f != CRM_E_AMOUNT && e->v[f])
			sqlite3_bind_text(st, f, e->v[f], -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(st, f);
	}
	if (attrs)
		sqlite3_bind_text(st, CRM_E_ATTRS, attrs, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(st, CRM_E_ATTRS);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	free(attrs);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	(*staged)++;
	return CRM_OK;
}

int
crm_event_stage_differ(crm_store_t *s, long *n, char *example, size_t len)
{
	sqlite3_stmt *st;
	int64_t base;
	int rc;

	*n = 0;
	if (len)
		example[0] = '\0';
	if (!*store_staged(s) || (rc = store_event_base(s, &base)) || !base)
		return CRM_OK;
	rc = sqlite3_prepare_v2(store_db(s),
		"SELECT count(*), min(s.type || ' ' || s.ref) FROM temp.event_stage s"
		" JOIN event e ON e.party_id = s.party_id AND e.type = s.type AND e.ref = s.ref"
		/* Only events with an amount are looked up: the others are most of a load. */
		" WHERE s.amount IS NOT NULL AND s.ref IS NOT NULL"
		" AND (e.amount IS NOT s.amount OR e.currency IS NOT s.currency)",
		-1, &st, NULL);
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	if ((rc = sqlite3_step(st)) == SQLITE_ROW) {
		*n = (long)sqlite3_column_int64(st, 0);
		if (*n && len)
			snprintf(example, len, "%s", (const char *)sqlite3_column_text(st, 1));
		rc = SQLITE_DONE;
	}
	sqlite3_finalize(st);
	return rc == SQLITE_DONE ? CRM_OK : store_status(s, rc);
}

/*
 * Write the staged events in party and time order, so that the indexes on
 * party grow in order; a load larger than the events already stored drops
 * the other indexes first and builds them again after.
 */
int
crm_event_stage_flush(crm_store_t *s, long *logged, long *already, int64_t *first)
{
	sqlite3 *db = store_db(s);
	int64_t base;
	int rc, rebuild;
	char now[21];
	long *staged = store_staged(s);

	*logged = *already = 0;
	if ((rc = store_event_base(s, &base)))
		return rc;
	*first = base + 1;
	if (!*staged)
		return CRM_OK;
	rebuild = *staged > base;
	for (size_t i = 0; rebuild && i < sizeof event_indexes / sizeof event_indexes[0]; i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "DROP INDEX IF EXISTS %s", event_indexes[i][0]);
		if ((rc = sqlite3_exec(db, sql, NULL, NULL, NULL)) != SQLITE_OK)
			return store_status(s, rc);
	}
	sqlite3_stmt *st = NULL;
	rc = sqlite3_prepare_v2(db,
		"INSERT INTO event (party_id, at, channel, type, direction, subject, body, amount,"
		" currency, campaign, ref, due, assignee, status, attrs, created)"
		" SELECT party_id, at, channel, type, direction, subject, body, amount, currency,"
		" campaign, ref, due, assignee, status, attrs, ?1 FROM temp.event_stage"
		" ORDER BY party_id, at"
		" ON CONFLICT (party_id, type, ref) WHERE ref IS NOT NULL DO NOTHING", -1, &st, NULL);
	if (rc == SQLITE_OK) {
		now_iso(now);
		sqlite3_bind_text(st, 1, now, -1, SQLITE_STATIC);
		rc = sqlite3_step(st);
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			rc = SQLITE_OK;
	}
	if (rc != SQLITE_OK)
		return store_status(s, rc);
	*logged = (long)sqlite3_changes64(db);
	*already = *staged - *logged;
	for (size_t i = 0; rebuild && i < sizeof event_indexes / sizeof event_indexes[0]; i++)
		if ((rc = sqlite3_exec(db, event_indexes[i][1], NULL, NULL, NULL)) != SQLITE_OK)
			return store_status(s, rc);
	if ((rc = sqlite3_exec(db, "DROP TABLE temp.event_stage", NULL, NULL, NULL)) != SQLITE_OK)
		return store_status(s, rc);
	*staged = 0;
	if (*logged)
		store_events_added(s);
	return CRM_OK;
}

int
crm_event_promote(crm_store_t *s, long *n)
{
	/*
	 * The same parties either way: by the events of the transaction (a
	 * scan of their rows), or, when they are four times as many as the
	 * parties or more, by the leads' and prospects' own purchases (a scan
	 * of the parties, each lead's purchases through event_purchase).
	 */
	sqlite3_stmt *top = store_stmt(s, "event.party_top",
		"SELECT coalesce(max(id), 0) FROM party");
	sqlite3_stmt *st;
	int64_t events;
	sqlite3_int64 parties = 0;
	char now[21];
	int rc;

	*n = 0;
	if (!top)
		return CRM_STORE;
	if (!store_in_tx(s, NULL)) {
		store_seterr(s, "write outside a transaction");
		return CRM_STORE;
	}
	if ((rc = store_event_base(s, &events)))
		return rc;
	events -= store_tx_event_base(s);
	rc = sqlite3_step(top);
	if (rc == SQLITE_ROW)
		parties = sqlite3_column_int64(top, 0);
	sqlite3_reset(top);
	if (rc != SQLITE_ROW)
		return store_status(s, rc);
	if (events / 4 >= parties)
		st = store_stmt(s, "event.promote_by_party",
			"UPDATE party SET kind = 'customer', updated = ?2"
			" WHERE kind IN ('lead', 'prospect') AND EXISTS (SELECT 1 FROM event"
			" WHERE party_id = party.id AND type = 'purchase' AND id > ?1)");
	else
		st = store_stmt(s, "event.promote",
			"UPDATE party SET kind = 'customer', updated = ?2"
			" WHERE kind IN ('lead', 'prospect')"
			" AND id IN (SELECT party_id FROM event WHERE id > ?1 AND type = 'purchase')");
	if (!st)
		return CRM_STORE;
	now_iso(now);
	sqlite3_bind_int64(st, 1, store_tx_event_base(s));
	sqlite3_bind_text(st, 2, now, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	*n = (long)sqlite3_changes(store_db(s));
	return CRM_OK;
}

/* ------------------------------------------------------------------ */
/* Listing: the rows. */

void
crm_event_query_close(crm_event_query_t *q)
{
	if (!q)
		return;
	for (int i = 0; i < CRM_E_NFIELDS; i++)
		free(q->eq[i]);
	sqlite3_finalize(q->st);
	sqlite3_finalize(q->ins);
	free(q);
}

int
crm_task_set_status(crm_store_t *s, int64_t id, int done)
{
	sqlite3_stmt *st = store_stmt(s, "task.status",
		"UPDATE event SET status = ?2 WHERE id = ?1 AND type = 'task' "
		"RETURNING party_id");
	int rc;
	int64_t party;

	if (!st)
		return CRM_STORE;
	sqlite3_bind_int64(st, 1, id);
	sqlite3_bind_text(st, 2, done ? "done" : "open", -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	party = rc == SQLITE_ROW ? sqlite3_column_int64(st, 0) : 0;
	while (rc == SQLITE_ROW)
		rc = sqlite3_step(st);
	sqlite3_reset(st);
	if (rc != SQLITE_DONE)
		return store_status(s, rc);
	if (!party)
		return CRM_NOTFOUND;
	return store_facts_touch(s, party);
}

int
crm_event_query_restrict(crm_event_query_t *q, int64_t party_id)
{
	sqlite3 *db = store_db(q->s);
	int rc;

	if (!q->ins) {
		rc = sqlite3_exec(db, "CREATE TEMP TABLE IF NOT EXISTS crm_evsel (id INTEGER PRIMARY KEY);"
		                      "DELETE FROM temp.crm_evsel", NULL, NULL, NULL);
		if (rc != SQLITE_OK)
			return store_status(q->s, rc);
		rc = sqlite3_prepare_v2(db, "INSERT OR IGNORE INTO temp.crm_evsel (id) VALUES (?)", -1,
		                        &q->ins, NULL);
		if (rc != SQLITE_OK)
			return store_status(q->s, rc);
		q->restricted = 1;
	}
	if (party_id < 0)
		return CRM_OK;          /* turn the restriction on, with nobody yet */
	if (!q->nparties++)
		q->first_party = party_id;
	else if (q->first_party == party_id)
		q->nparties--;
	sqlite3_bind_int64(q->ins, 1, party_id);
	rc = sqlite3_step(q->ins);
	sqlite3_reset(q->ins);
	return rc == SQLITE_DONE ? CRM_OK : store_status(q->s, rc);
}

int
crm_event_query_next(crm_event_query_t *q, crm_event_t **out)
{
	int rc;

	if (!q->st) {
		struct buf sql = {0};
		buf_adds(&sql, "SELECT ");
		buf_adds(&sql, event_columns);
		buf_adds(&sql, " FROM event e WHERE 1");
		if (q->one)
			buf_adds(&sql, " AND e.id = ?1");
		if (q->after >= 0)
			buf_adds(&sql, " AND e.id > ?35");
		/* One party: an equality, so that its (party_id, at) index is used. */
		if (q->restricted && q->nparties == 1)
			buf_adds(&sql, " AND e.party_id = ?33");
		else if (q->restricted)
			buf_adds(&sql, " AND e.party_id IN (SELECT id FROM temp.crm_evsel)");
		for (int f = 0; f < CRM_E_NFIELDS; f++)
			if (q->eq[f]) {
				char t[64];
				snprintf(t, sizeof t, " AND e.%s = ?%d", crm_event_field_name(f), 10 + f);
				buf_adds(&sql, t);
			}
		if (q->since[0])
			buf_adds(&sql, " AND e.at >= ?30");
		if (q->until[0])
			buf_adds(&sql, " AND e.at < ?31");
		if (q->tasks)
			buf_adds(&sql, " AND e.type = 'task' AND e.status = 'open'");
		if (q->due_before[0])
			buf_adds(&sql, " AND e.due < ?34");
		if (q->after >= 0)
			buf_adds(&sql, " ORDER BY e.id");
		else if (q->tasks)
			buf_adds(&sql, " ORDER BY e.due IS NULL, e.due, e.at, e.id");
		else
			buf_adds(&sql, q->oldest_first ? " ORDER BY e.at, e.id" : " ORDER BY e.at DESC, e.id DESC");
		if (q->limit >= 0)
			buf_adds(&sql, " LIMIT ?32");
		if (!sql.p || sql.err) {
			buf_free(&sql);
			return CRM_NOMEM;
		}
		rc = sqlite3_prepare_v2(store_db(q->s), sql.p, -1, &q->st, NULL);
		buf_free(&sql);
		if (rc != SQLITE_OK)
			return store_status(q->s, rc);
		if (q->one)
			sqlite3_bind_int64(q->st, 1, q->one);
		for (int f = 0; f < CRM_E_NFIELDS; f++)
			if (q->eq[f])
				sqlite3_bind_text(q->st, 10 + f, q->eq[f], -1, SQLITE_STATIC);
		if (q->since[0])
			sqlite3_bind_text(q->st, 30, q->since, -1, SQLITE_STATIC);
		if (q->until[0])
			sqlite3_bind_text(q->st, 31, q->until, -1, SQLITE_STATIC);
		if (q->limit >= 0)
			sqlite3_bind_int64(q->st, 32, q->limit);
		if (q->restricted && q->nparties == 1)
			sqlite3_bind_int64(q->st, 33, q->first_party);
		if (q->due_before[0])
			sqlite3_bind_text(q->st, 34, q->due_before, -1, SQLITE_STATIC);
		if (q->after >= 0)
			sqlite3_bind_int64(q->st, 35, q->after);
	}
	rc = sqlite3_step(q->st);
	if (rc == SQLITE_ROW)
		return event_from_row(q->st, out);
	if (rc == SQLITE_DONE)
		return CRM_EOF;
	return store_status(q->s, rc);
}
