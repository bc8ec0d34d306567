# SPDX-License-Identifier: MIT
# t-durable.sh: nothing half-done.  An erasure stopped by a full disk, a
# kill or a reader, at each of its steps, leaves the store and the ledger
# agreeing, and the next GDPR command finishes it; an import killed at
# any point leaves all of its records or none.  Faults come from
# tests/fault.c, loaded with LD_PRELOAD.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

fault_setup

parties() { sqlite3 "$CRM_DB" 'SELECT count(*) FROM party'; }
sane_store() {
	is "$1: integrity" "$(sqlite3 "$CRM_DB" 'PRAGMA integrity_check')" ok
	ok "$1: full-text index whole" sqlite3 "$CRM_DB" "INSERT INTO party_fts (party_fts) VALUES ('integrity-check')"
}
# hits FILE...: how many of the files hold the bytes of Ann's e-mail or name
hits() {
	local n=0 f
	for f in "$@"; do
		[ -e "$f" ] && grep -aqiE 'ann@example\.org|Lovelace' "$f" && n=$((n + 1))
	done
	echo "$n"
}
people() {
	cat >people.csv <<'EOF'
first_name,last_name,email,phone,country,notes
Ann,Lovelace,ann@example.org,+33 6 12 34 56 78,FR,Prefers afternoons
Bob,Babbage,bob@example.org,,GB,Engines
Cid,Hopper,cid@example.org,,US,
EOF
	rm -f "$CRM_DB" "$CRM_DB"-* "$CRM_DB".*
	crm-add -q people.csv
	crm-log -q --contact ann@example.org --type call --subject 'Ann Lovelace called' --at 2026-01-02T10:00:00Z
}

# --- A full disk when the ledger is first made: committed, suppressed, finished later.
people
faulty enospc .suppress.new 1 crm-gdpr-export --erase --subject ann@example.org --reason 'Art. 17 request'
is "disk full at the ledger: exit 4" "$rc" 4
like "the message says the erasure is committed but not finished, and what to run" "$(cat err)" \
	'committed.*not finished.*the disk is full.*run crm-gdpr-export --finish'
is "the report says it is not finished" "$(jq -c '[.finished, .erased.parties]' out)" '[false,1]'
is "the party is gone" "$(crm-find --count ann@example.org 2>/dev/null)" 0
is "the erasure is recorded as unfinished" "$(pending)" 1
is "no ledger, not even half a one" "$(ls "$CRM_DB".suppress* 2>/dev/null)" ""
run sqlite3 "$CRM_DB" 'SELECT * FROM gdpr_pending'
is "the record holds no identifier or name in the clear" "$(grep -ciE 'ann|lovelace|33612345678|afternoons' out)" 0
printf 'email\nann@example.org\n' >again.csv
exits 3 "crm-add refuses the person before the ledger exists" crm-add again.csv
like "as suppressed" "$(cat err)" 'again.csv:2: suppressed: the email of a person erased'
printf 'phone,country\n06 12 34 56 78,FR\n' >again-phone.csv
exits 3 "and by the phone, in another spelling" crm-add again-phone.csv
exits 0 "--finish finishes it" crm-gdpr-export --finish
is "its report: an erasure, finished late, verified clean" "$(jq -c '[.action, .finished_late, .verification.clean, .erased.parties, .erased.identifiers_suppressed]' out)" '["erase",true,true,1,2]'
like "with the time of its commit" "$(jq -r .started out)" '^[0-9]{4}-[0-9]{2}-[0-9]{2}T'
is "nothing waits any more" "$(pending)" 0
ok "the ledger exists now" test -s "$CRM_DB.suppress"
is "no temporary ledger is left" "$(ls "$CRM_DB".suppress.new 2>/dev/null)" ""
exits 3 "crm-add refuses the person, from the ledger" crm-add again.csv
exits 1 "--finish again: nothing waits" crm-gdpr-export --finish
like "and says so" "$(cat err)" 'no erasure waits to be finished'
run crm-gdpr-export --audit --format tsv --fields action,counts
is "the audit trail has the erasure, then its finish" "$(cut -f1 out | tail -2 | tr '\n' ' ')" "erase finish "
like "which says it was verified clean" "$(tail -1 out)" '^finish.\{"erasure_started":"[^"]+","verified":true,"clean":true\}$'
is "no raw byte of Ann in any file" "$(hits "$CRM_DB" "$CRM_DB-wal" "$CRM_DB.suppress")" 0
sane_store "after the finish"

# --- A reason or request id that is not UTF-8 is refused before any work.
exits 2 "a --reason that is not UTF-8: exit 2" crm-gdpr-export --erase --subject cid@example.org --reason "$(printf 'caf\351')"
like "named" "$(cat err)" '^crm-gdpr-export: --reason: not valid UTF-8$'
exits 2 "a --request-id that is not UTF-8: exit 2" crm-gdpr-export --subject cid@example.org --request-id "$(printf 'R\377')"

# --- A full disk on the existing ledger: any GDPR command finishes it first.
faulty enospc .suppress 1 crm-gdpr-export --erase --subject bob@example.org --reason 'Art. 17 request'
is "disk full on the ledger: exit 4" "$rc" 4
is "Bob's erasure waits" "$(pending)" 1
run crm-gdpr-export --subject cid@example.org --register /nonexistent
is "an access of someone else works" "$rc" 0
like "after finishing Bob's erasure, said on stderr" "$(cat err)" 'finished the erasure begun .*, left unfinished: its files are clean'
is "the access's document is whole JSON" "$(jq -r '.parties[0].email' out)" cid@example.org
is "nothing waits" "$(pending)" 0
printf 'email\nbob@example.org\n' >bob.csv
exits 3 "Bob is refused from the ledger" crm-add bob.csv

# --- A full disk in the erasure's own transaction: nothing changes.
people
before=$(store_dump)
faulty enospc .db-wal 1 crm-gdpr-export --erase --subject ann@example.org --reason 'Art. 17 request'
is "disk full in the transaction: exit 4" "$rc" 4
like "the message says the disk is full" "$(cat err)" 'the disk is full'
is "the store is unchanged" "$(store_dump)" "$before"
is "nothing recorded as unfinished" "$(pending)" 0
is "no ledger" "$(ls "$CRM_DB".suppress* 2>/dev/null)" ""
exits 0 "crm-add still takes Ann: she was not erased" crm-add again.csv
sane_store "after a full disk"

# --- kill -9 at each step of an erasure.
# 1. In its transaction: nothing happened.
people
before=$(store_dump)
faulty kill .db-wal 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "killed in the transaction" "$rc" 137
is "the store is unchanged" "$(store_dump)" "$before"
is "nothing recorded" "$(pending)" 0
exits 0 "the erasure runs again, whole" crm-gdpr-export --erase --subject ann@example.org --reason r
is "clean" "$(jq .verification.clean out)" true
# 2. Writing the ledger: suppressed already, finished by the next command.
people
faulty kill .suppress.new 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "killed at the ledger" "$rc" 137
is "the erasure waits" "$(pending)" 1
is "Ann is gone" "$(crm-find --count ann@example.org 2>/dev/null)" 0
exits 3 "and refused" crm-add again.csv
run crm-gdpr-export --verify-audit
is "--verify-audit finishes it first" "$rc:$(pending)" 0:0
like "and says so" "$(cat err)" 'finished the erasure begun'
exits 3 "Ann is refused from the ledger" crm-add again.csv
# 3. Emptying the WAL: the old pages with Ann stay in it until the finish.
people
faulty kill "${CRM_DB##*/}" 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "killed at the purge" "$rc" 137
# (Looked at first: any program that closes the store last empties its WAL.)
is "Ann's bytes are still in the store's file" "$(hits "$CRM_DB")" 1
is "the erasure waits" "$(pending)" 1
ok "the ledger was written before" test -s "$CRM_DB.suppress"
exits 0 "--finish purges and verifies" crm-gdpr-export --finish
is "clean" "$(jq -c '[.verification.clean, .verification.residue]' out)" '[true,[]]'
is "no raw byte of Ann in any file" "$(hits "$CRM_DB" "$CRM_DB-wal" "$CRM_DB.suppress")" 0
sane_store "after kills of an erasure"

# --- A reader that keeps the WAL: exit 5, finished when it is gone.
people
# The reader says when it reads, and reads until told to stop.
mkfifo letgo
{ printf "BEGIN; SELECT count(*) FROM party;\n.shell touch '%s'\n" "$T/reading"; cat letgo; } |
	sqlite3 "$CRM_DB" >/dev/null &
reader=$!
exec 7>letgo
i=0
while [ ! -e reading ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
CRM_BUSY_TIMEOUT=200 run crm-gdpr-export --erase --subject ann@example.org --reason r
is "a reader holds the WAL: exit 5" "$rc" 5
like "the message says to finish when no other program uses the store" "$(cat err)" \
	'not finished: another program is reading the store.*--finish when no other program uses the store'
is "the erasure waits" "$(pending)" 1
exec 7>&-
wait "$reader"
exits 0 "--finish, the reader gone" crm-gdpr-export --finish
is "clean" "$(jq .verification.clean out)" true

# --- An import killed anywhere: all of its records or none.
awk 'BEGIN { print "first_name,last_name,email,city,notes"
	for (i = 1; i <= 3000; i++) printf "F%d,L%d,p%d@example.com,City %d,Note number %d\n", i, i, i, i % 50, i }' >big.csv
people
base=$(parties)
for after in 1 3 10 40 100; do
	faulty kill .db-wal "$after" crm-add -q big.csv
	n=$(parties)
	if [ "$rc" = 137 ]; then
		is "crm-add killed at write $after of the WAL: none of its records" "$n" "$base"
	else
		is "crm-add not killed at write $after: all of its records" "$rc:$n" "0:$((base + 3000))"
	fi
	sane_store "crm-add killed at write $after"
done
is "killed at the first write, it stored nothing" "$(faulty kill .db-wal 1 crm-add -q big.csv; echo "$rc:$(parties)")" "137:$base"
# And at random moments.
for i in 1 2 3; do
	crm-add -q big.csv 2>/dev/null &
	p=$!
	sleep "0.$((RANDOM % 4))$((RANDOM % 10))"
	kill -9 "$p" 2>/dev/null
	wait "$p" 2>/dev/null
	n=$(parties)
	ok "crm-add killed at a random moment ($i): none or all ($n)" test "$n" = "$base" -o "$n" = $((base + 3000))
	sane_store "crm-add killed at a random moment ($i)"
	[ "$n" = "$base" ] || break
done
exits 0 "the import runs again, whole" crm-add -q big.csv
is "every record once" "$(parties)" $((base + 3000))

awk 'BEGIN { print "email,type,at,subject,amount,currency,ref"
	for (i = 1; i <= 3000; i++) printf "p%d@example.com,purchase,2026-01-%02dT10:00:00Z,Order %d,%d.50,EUR,ord-%d\n", i, 1 + i % 28, i, i, i }' >events.csv
events() { sqlite3 "$CRM_DB" 'SELECT count(*) FROM event'; }
ebase=$(events)
for after in 1 5 30; do
	faulty kill .db-wal "$after" crm-log -q --import events.csv
	n=$(events)
	if [ "$rc" = 137 ]; then
		is "crm-log --import killed at write $after: none of its events" "$n" "$ebase"
	else
		is "crm-log --import not killed at write $after: all of them" "$rc:$n" "0:$((ebase + 3000))"
	fi
	sane_store "crm-log --import killed at write $after"
done
exits 0 "the events import runs again, whole" crm-log -q --import events.csv
is "every event once" "$(events)" $((ebase + 3000))
is "the facts follow the events" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party_fact WHERE purchases = 1")" 3000
finish
