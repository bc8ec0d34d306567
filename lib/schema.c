/* SPDX-License-Identifier: MIT */
/* schema.c: the store's schema: its migrations, and the user_version that counts them. */
#include <sqlite3.h>
#include <stdio.h>

#include "crm-private.h"

/*
 * Migrations: migration i brings the schema from version i to i + 1.
 * Never edit one that has shipped; add a new one.
 */
static const char *const migrations[] = {
	/* 0 -> 1: parties, tags, full-text index. */
	"CREATE TABLE party ("
	" id INTEGER PRIMARY KEY,"
	" type TEXT NOT NULL CHECK (type IN ('person', 'organization')),"
	" kind TEXT NOT NULL,"
	" name TEXT, first_name TEXT, last_name TEXT,"
	" email TEXT, phone TEXT, org TEXT,"
	" org_id INTEGER REFERENCES party (id) ON DELETE SET NULL,"
	" title TEXT, city TEXT, postcode TEXT, country TEXT, birthdate TEXT,"
	" gender TEXT, notes TEXT, ext_id TEXT,"
	" created TEXT NOT NULL, updated TEXT NOT NULL,"
	" attrs TEXT, email_norm TEXT, phone_norm TEXT);"
	"CREATE INDEX party_email ON party (email_norm) WHERE email_norm IS NOT NULL;"
	"CREATE INDEX party_ext ON party (ext_id) WHERE ext_id IS NOT NULL;"
	"CREATE INDEX party_phone ON party (phone_norm) WHERE phone_norm IS NOT NULL;"
	"CREATE INDEX party_org ON party (org_id) WHERE org_id IS NOT NULL;"
	"CREATE INDEX party_orgname ON party (lower(name)) WHERE type = 'organization';"
	"CREATE TABLE party_tag ("
	" party_id INTEGER NOT NULL REFERENCES party (id) ON DELETE CASCADE,"
	" tag TEXT NOT NULL, PRIMARY KEY (party_id, tag)) WITHOUT ROWID;"
	"CREATE INDEX party_tag_tag ON party_tag (tag);"
	"CREATE VIRTUAL TABLE party_fts USING fts5 ("
	" name, first_name, last_name, email, org, city, notes,"
	" content = 'party', content_rowid = 'id',"
	" tokenize = 'unicode61 remove_diacritics 2');"
	/* Terms wait in 16 MiB of memory before a segment is written. */
	"INSERT INTO party_fts (party_fts, rank) VALUES ('hashsize', 16777216);"
	/*
	 * The full-text index is fed by the store layer at commit time (see
	 * store_fts_flush()): one statement for a whole transaction, since
	 * FTS5 flushes its pending terms at every statement savepoint.
	 * Deletes go through this trigger; flush before deleting.
	 */
	"CREATE TRIGGER party_fts_ad AFTER DELETE ON party BEGIN"
	" INSERT INTO party_fts (party_fts, rowid, name, first_name, last_name, email, org,"
	" city, notes) VALUES ('delete', old.id, old.name, old.first_name, old.last_name,"
	" old.email, old.org, old.city, old.notes); END;",
	/* 1 -> 2: events. Amounts in ten-thousandths of the currency unit. */
	"CREATE TABLE event ("
	" id INTEGER PRIMARY KEY,"
	" party_id INTEGER NOT NULL REFERENCES party (id) ON DELETE CASCADE,"
	" at TEXT NOT NULL, channel TEXT, type TEXT NOT NULL,"
	" direction TEXT CHECK (direction IN ('in', 'out')),"
	" subject TEXT, body TEXT, amount INTEGER, currency TEXT, campaign TEXT, ref TEXT,"
	" attrs TEXT, created TEXT NOT NULL);"
	"CREATE INDEX event_party_at ON event (party_id, at);"
	"CREATE UNIQUE INDEX event_ref ON event (party_id, ref) WHERE ref IS NOT NULL;"
	"CREATE INDEX event_at ON event (at);",
	/* 2 -> 3: facts per party, derived from its events (see store_facts_flush). */
	"CREATE TABLE party_fact ("
	" party_id INTEGER PRIMARY KEY REFERENCES party (id) ON DELETE CASCADE,"
	" last_activity TEXT, last_inbound TEXT, first_purchase TEXT, last_purchase TEXT,"
	" purchases INTEGER NOT NULL DEFAULT 0, revenue INTEGER, revenue_currency TEXT);"
	"INSERT INTO party_fact (party_id, last_activity, last_inbound, first_purchase,"
	" last_purchase, purchases, revenue, revenue_currency) " FACTS_SELECT
	" FROM event GROUP BY party_id;",
	/* 3 -> 4: tasks are events of type task, with a due date, an assignee, a status. */
	"ALTER TABLE event ADD COLUMN due TEXT;"
	"ALTER TABLE event ADD COLUMN assignee TEXT;"
	"ALTER TABLE event ADD COLUMN status TEXT CHECK (status IN ('open', 'done'));"
	"CREATE INDEX event_open_task ON event (due) WHERE type = 'task' AND status = 'open';"
	"ALTER TABLE party_fact ADD COLUMN open_tasks INTEGER NOT NULL DEFAULT 0;",
	/*
	 * 4 -> 5: how many purchases and refunds have an amount, so that the
	 * facts of new events merge with the stored ones (mixed currencies).
	 */
	"ALTER TABLE party_fact ADD COLUMN money_events INTEGER NOT NULL DEFAULT 0;"
	"UPDATE party_fact SET money_events = (SELECT count(*) FROM event e"
	" WHERE e.party_id = party_fact.party_id AND e.type IN ('purchase', 'refund')"
	" AND e.currency IS NOT NULL);",
	/*
	 * 5 -> 6: the audit trail: append-only, hash-chained, no personal
	 * data (see audit.c); an index of the events that hold text.
	 */
	"CREATE TABLE audit ("
	" id INTEGER PRIMARY KEY, at TEXT NOT NULL, actor TEXT NOT NULL, program TEXT NOT NULL,"
	" action TEXT NOT NULL, request_id TEXT, subject TEXT, counts TEXT,"
	" prev TEXT NOT NULL, hash TEXT NOT NULL);"
	"CREATE INDEX audit_subject ON audit (subject) WHERE subject IS NOT NULL;"
	"CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN"
	" SELECT raise(ABORT, 'the audit trail is append-only'); END;"
	"CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN"
	" SELECT raise(ABORT, 'the audit trail is append-only'); END;"
	/* The events that hold text, for the search of mentions of a person. */
	"CREATE INDEX event_text ON event (party_id) WHERE subject IS NOT NULL OR body IS NOT NULL;",
	/*
	 * 6 -> 7: saved segments: rules in crm-find's term language (a JSON
	 * array), members pinned in or out, or frozen at a date.
	 */
	"CREATE TABLE segment ("
	" name TEXT PRIMARY KEY, rules TEXT NOT NULL, description TEXT,"
	" created TEXT NOT NULL, updated TEXT NOT NULL, frozen_at TEXT);"
	"CREATE TABLE segment_member ("
	" segment TEXT NOT NULL REFERENCES segment (name) ON DELETE CASCADE,"
	" party_id INTEGER NOT NULL REFERENCES party (id) ON DELETE CASCADE,"
	" pin TEXT NOT NULL CHECK (pin IN ('in', 'out', 'frozen')),"
	" PRIMARY KEY (segment, pin, party_id)) WITHOUT ROWID;"
	"CREATE INDEX segment_member_party ON segment_member (party_id);",
	/*
	 * 7 -> 8: the purchases of each party in time order, with amount and
	 * currency, for scores (RFM, churn) and reports: read without touching
	 * the table.
	 */
	"CREATE INDEX event_purchase ON event (party_id, at, amount, currency)"
	" WHERE type = 'purchase';",
	/*
	 * 8 -> 9: the refunds likewise, for the revenue of reports; the
	 * events of campaigns by campaign, type and party, for their report.
	 */
	"CREATE INDEX event_refund ON event (party_id, at, amount, currency)"
	" WHERE type = 'refund';"
	"CREATE INDEX event_campaign ON event (campaign, type, party_id, at)"
	" WHERE campaign IS NOT NULL;",
	/*
	 * 9 -> 10: a party's e-mails and phones beyond the first (the
	 * attributes emails and phones), normalised, so that matching, terms
	 * and the GDPR find them as they find the first.
	 */
	"CREATE TABLE party_ident ("
	" kind TEXT NOT NULL CHECK (kind IN ('email', 'phone')), norm TEXT NOT NULL,"
	" party_id INTEGER NOT NULL REFERENCES party (id) ON DELETE CASCADE,"
	" PRIMARY KEY (kind, norm, party_id)) WITHOUT ROWID;"
	"CREATE INDEX party_ident_party ON party_ident (party_id);"
	"INSERT OR IGNORE INTO party_ident (kind, norm, party_id)"
	" SELECT 'email', lower(trim(j.value)), p.id FROM party p, json_each(p.attrs, '$.emails') j"
	" WHERE p.attrs LIKE '%\"emails\"%' AND json_valid(p.attrs)"
	" AND json_type(p.attrs, '$.emails') IN ('array', 'text') AND j.type = 'text'"
	" AND trim(j.value) <> '';",
	/*
	 * A ref is unique per party and type, not per party: a shop's refund
	 * keeps the number of the order it refunds.  The old index is
	 * stricter, so the new one always builds on an existing store.
	 */
	"DROP INDEX IF EXISTS event_ref;"
	"CREATE UNIQUE INDEX event_ref ON event (party_id, type, ref) WHERE ref IS NOT NULL;",
	/*
	 * 11 -> 12: no surrounding white space in stored values (the input
	 * takes it off since): the scalar fields of parties but the notes, their
	 * tags, the keys and string values of attributes, and the campaign,
	 * ref and assignee of events; a value of white space alone becomes
	 * absent.  The parties changed get their match keys (email_norm,
	 * phone_norm, party_ident), their organization link and their
	 * full-text entries again, and their updated time.  An event's ref
	 * that its party already has trimmed stays as it was; a tag the party
	 * already has trimmed goes.  Nothing else can collide: e-mails and
	 * phones were matched without their white space already.
	 */
	"DROP TABLE IF EXISTS temp.crm_trim_old;"
	"CREATE TEMP TABLE crm_trim_old AS SELECT id, name, first_name, last_name, email, org, city,"
	" notes FROM party WHERE name <> crm_trim(name) OR first_name <> crm_trim(first_name)"
	" OR last_name <> crm_trim(last_name) OR email <> crm_trim(email)"
	" OR phone <> crm_trim(phone) OR org <> crm_trim(org) OR title <> crm_trim(title)"
	" OR city <> crm_trim(city) OR postcode <> crm_trim(postcode)"
	" OR country <> crm_trim(country) OR birthdate <> crm_trim(birthdate)"
	" OR gender <> crm_trim(gender) OR ext_id <> crm_trim(ext_id)"
	" OR crm_trim_attrs(attrs) <> attrs"
	" OR id IN (SELECT party_id FROM party_tag WHERE tag <> crm_trim(tag));"
	"INSERT INTO party_fts (party_fts, rowid, name, first_name, last_name, email, org, city,"
	" notes) SELECT 'delete', id, name, first_name, last_name, email, org, city, notes"
	" FROM temp.crm_trim_old;"
	"UPDATE party SET name = nullif(crm_trim(name), ''),"
	" first_name = nullif(crm_trim(first_name), ''), last_name = nullif(crm_trim(last_name), ''),"
	" email = nullif(crm_trim(email), ''), phone = nullif(crm_trim(phone), ''),"
	" org = nullif(crm_trim(org), ''), title = nullif(crm_trim(title), ''),"
	" city = nullif(crm_trim(city), ''), postcode = nullif(crm_trim(postcode), ''),"
	" country = nullif(crm_trim(country), ''), birthdate = nullif(crm_trim(birthdate), ''),"
	" gender = nullif(crm_trim(gender), ''), ext_id = nullif(crm_trim(ext_id), ''),"
	" attrs = crm_trim_attrs(attrs), updated = strftime('%Y-%m-%dT%H:%M:%SZ', 'now')"
	" WHERE id IN (SELECT id FROM temp.crm_trim_old);"
	"UPDATE party SET email_norm = crm_norm_email(email), phone_norm = crm_norm_phone(phone, country)"
	" WHERE id IN (SELECT id FROM temp.crm_trim_old);"
	"INSERT OR IGNORE INTO party_tag (party_id, tag) SELECT party_id, crm_trim(tag) FROM party_tag"
	" WHERE tag <> crm_trim(tag) AND crm_trim(tag) <> '';"
	"DELETE FROM party_tag WHERE tag <> crm_trim(tag);"
	"DELETE FROM party_ident WHERE party_id IN (SELECT id FROM temp.crm_trim_old);"
	"INSERT OR IGNORE INTO party_ident (kind, norm, party_id)"
	" SELECT 'email', crm_norm_email(j.value), p.id FROM party p, json_each(p.attrs, '$.emails') j"
	" WHERE p.id IN (SELECT id FROM temp.crm_trim_old) AND json_valid(p.attrs)"
	" AND json_type(p.attrs, '$.emails') IN ('array', 'text') AND j.type = 'text'"
	" AND crm_norm_email(j.value) IS NOT NULL;"
	"INSERT OR IGNORE INTO party_ident (kind, norm, party_id)"
	" SELECT 'phone', crm_norm_phone(j.value, p.country), p.id"
	" FROM party p, json_each(p.attrs, '$.phones') j"
	" WHERE p.id IN (SELECT id FROM temp.crm_trim_old) AND json_valid(p.attrs)"
	" AND json_type(p.attrs, '$.phones') IN ('array', 'text') AND j.type = 'text'"
	" AND crm_norm_phone(j.value, p.country) IS NOT NULL;"
	"UPDATE party SET org_id = (SELECT o.id FROM party o WHERE o.type = 'organization'"
	" AND lower(o.name) = lower(party.org) ORDER BY o.id LIMIT 1)"
	" WHERE type = 'person' AND org IS NOT NULL AND org_id IS NULL"
	" AND (id IN (SELECT id FROM temp.crm_trim_old) OR lower(org) IN (SELECT lower(name)"
	" FROM party WHERE type = 'organization' AND id IN (SELECT id FROM temp.crm_trim_old)));"
	"INSERT INTO party_fts (rowid, name, first_name, last_name, email, org, city, notes)"
	" SELECT id, name, first_name, last_name, email, org, city, notes FROM party"
	" WHERE id IN (SELECT id FROM temp.crm_trim_old);"
	"DROP TABLE temp.crm_trim_old;"
	"UPDATE OR IGNORE event SET ref = crm_trim(ref)"
	" WHERE ref <> crm_trim(ref) AND crm_trim(ref) <> '';"
	"UPDATE event SET ref = NULL WHERE crm_trim(ref) = '';"
	"UPDATE event SET campaign = nullif(crm_trim(campaign), ''),"
	" assignee = nullif(crm_trim(assignee), ''), attrs = crm_trim_attrs(attrs)"
	" WHERE campaign <> crm_trim(campaign) OR assignee <> crm_trim(assignee)"
	" OR crm_trim_attrs(attrs) <> attrs;",
	/*
	 * 12 -> 13: a party's id is never given again, once its party is
	 * erased or deleted: an old export, a mailer's list or a file of ids
	 * that names it must not name a stranger.  party_seq keeps the highest
	 * id ever deleted; a new party takes the next id above it and above
	 * every stored one.  A store made before knows only its stored ids.
	 */
	"CREATE TABLE IF NOT EXISTS party_seq (n INTEGER NOT NULL);"
	"INSERT INTO party_seq SELECT coalesce(max(id), 0) FROM party"
	" WHERE NOT EXISTS (SELECT 1 FROM party_seq);"
	"CREATE TRIGGER IF NOT EXISTS party_seq_ad AFTER DELETE ON party"
	" WHEN old.id > (SELECT n FROM party_seq) BEGIN"
	" UPDATE party_seq SET n = old.id; END;",
	/*
	 * 13 -> 14: one match key for the spellings of an e-mail address:
	 * mailto: taken off, characters in one form (NFC), the domain in its
	 * ASCII form (xn--); the stored addresses stay as given.
	 */
	"UPDATE party SET email_norm = crm_norm_email(email)"
	" WHERE email IS NOT NULL AND email_norm IS NOT crm_norm_email(email);"
	"DROP TABLE IF EXISTS temp.crm_renorm;"
	"CREATE TEMP TABLE crm_renorm AS SELECT DISTINCT p.id FROM party p,"
	" json_each(p.attrs, '$.emails') j WHERE p.attrs LIKE '%\"emails\"%' AND json_valid(p.attrs)"
	" AND json_type(p.attrs, '$.emails') IN ('array', 'text') AND j.type = 'text';"
	"DELETE FROM party_ident WHERE kind = 'email' AND party_id IN (SELECT id FROM temp.crm_renorm);"
	"INSERT OR IGNORE INTO party_ident (kind, norm, party_id)"
	" SELECT 'email', crm_norm_email(j.value), p.id FROM party p, json_each(p.attrs, '$.emails') j"
	" WHERE p.id IN (SELECT id FROM temp.crm_renorm) AND j.type = 'text'"
	" AND crm_norm_email(j.value) IS NOT NULL;"
	"DROP TABLE temp.crm_renorm;",
	/*
	 * 14 -> 15: an erasure commits its deletions together with what is
	 * left to do (the ledger entries, the purge of the files, their
	 * verification), which the next GDPR command finishes if this one
	 * could not: the keyed hashes of the identifiers (JSON array), the
	 * ledger's value, the counts, and what the verification looks for,
	 * enciphered under the store's key (hex), never in the clear.
	 */
	"CREATE TABLE IF NOT EXISTS gdpr_pending ("
	" id INTEGER PRIMARY KEY,"
	" started TEXT NOT NULL,"
	" action TEXT NOT NULL,"
	" request_id TEXT,"
	" keys TEXT NOT NULL,"
	" value TEXT NOT NULL,"
	" counts TEXT NOT NULL,"
	" nonce TEXT NOT NULL,"
	" sealed TEXT NOT NULL);",
	/*
	 * 15 -> 16: facts about the store itself: the check of its key (an
	 * HMAC of a fixed text), so that another key file is refused.
	 */
	"CREATE TABLE IF NOT EXISTS crm_meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);",
};

#define SCHEMA_VERSION ((int)(sizeof migrations / sizeof migrations[0]))

const int schema_version = SCHEMA_VERSION;

/* The schema version of the store (PRAGMA user_version): an SQLite status. */
static int
user_version(sqlite3 *db, int *v)
{
	sqlite3_stmt *st;
	int rc = sqlite3_prepare_v2(db, "PRAGMA user_version", -1, &st, NULL);

	if (rc != SQLITE_OK)
		return rc;
	*v = 0;
	rc = sqlite3_step(st);
	if (rc == SQLITE_ROW)
		*v = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return rc == SQLITE_ROW || rc == SQLITE_DONE ? SQLITE_OK : rc;
}

int
schema_migrate(sqlite3 *db, int *version, char **err)
{
	int v, rc;

	*err = NULL;
	if ((rc = user_version(db, &v)))
		return rc;
	*version = v;
	if (v >= SCHEMA_VERSION)
		return SQLITE_OK;
	if ((rc = sqlite3_exec(db, "BEGIN IMMEDIATE", NULL, NULL, err)))
		return rc;
	/* Another process may have migrated while we waited for the lock. */
	if ((rc = user_version(db, &v)))
		return rc;
	for (; v < SCHEMA_VERSION; v++) {
		char sql[64];
		if ((rc = sqlite3_exec(db, migrations[v], NULL, NULL, err)))
			return rc;
		snprintf(sql, sizeof sql, "PRAGMA user_version = %d", v + 1);
		if ((rc = sqlite3_exec(db, sql, NULL, NULL, err)))
			return rc;
	}
	if ((rc = sqlite3_exec(db, "COMMIT", NULL, NULL, err)))
		return rc;
	*version = SCHEMA_VERSION;
	return SQLITE_OK;
}
