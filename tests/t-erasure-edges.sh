# SPDX-License-Identifier: MIT
# t-erasure-edges.sh: an erased person must stay refused, and an erasure's
# report and messages must be right, when the key, the store's name or
# another program changes things under it.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

fault_setup
CRM_BUSY_TIMEOUT=20000
export CRM_BUSY_TIMEOUT

people() {
	cat >people.csv <<'EOF'
first_name,last_name,email,phone,country,notes,ext_id
Ann,Lovelace,ann@example.org,+33 6 12 34 56 78,FR,Prefers afternoons,A-77123
Bob,Babbage,bob@example.org,,GB,Engines,
Cid,Hopper,cid@example.org,,US,,
EOF
	rm -f "$CRM_DB" "$CRM_DB"-* "$CRM_DB".*
	crm-add -q people.csv
}
newkey() { head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n'; echo; }
printf 'email\nann@example.org\n' >ann.csv
printf 'email\ncid@example.org\n' >cid.csv

# --- A key that is not the one the erasure used (a wrong backup
# restored): --finish sees it and keeps the record, but crm-add hashes
# with the new key, matches nothing, and takes the person back.
people
faulty enospc .suppress.new 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "wrong key: the erasure waits" "$rc:$(pending)" "4:1"
cp "$CRM_DB.key" good.key
newkey >"$CRM_DB.key"
run crm-add ann.csv
ok "wrong key, erasure waiting: crm-add does not take Ann back" test "$rc" != 0
is "wrong key, erasure waiting: Ann is not in the store" \
	"$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party WHERE email_norm = 'ann@example.org'")" 0
cp good.key "$CRM_DB.key"
sqlite3 "$CRM_DB" "DELETE FROM party WHERE email_norm = 'ann@example.org'"
crm-gdpr-export --finish >/dev/null 2>&1
crm-gdpr-export --erase --subject cid@example.org --reason r >/dev/null 2>&1
newkey >"$CRM_DB.key"
run crm-add cid.csv
ok "wrong key, ledger written: crm-add does not take Cid back" test "$rc" != 0
run crm-gdpr-export --erase --subject bob@example.org --reason r
ok "wrong key, ledger written: an erasure does not add entries under another key" test "$rc" != 0

# --- The store opened by another name (a symbolic link, as a sysadmin
# makes from the default place to /srv): the ledger, the key and the
# erasure lock are looked for beside the link, so none applies.
people
mkdir -p srv
mv "$CRM_DB" srv/crm.db
ln -s "$T/srv/crm.db" "$CRM_DB"
crm-gdpr-export --db "$T/srv/crm.db" --erase --subject ann@example.org --reason r >/dev/null 2>&1
exits 3 "symlinked store: Ann is refused by the real name" crm-add --db "$T/srv/crm.db" ann.csv
run crm-add ann.csv
ok "symlinked store: Ann is not taken back through the link" test "$rc" != 0
ok "symlinked store: no second key is made beside the link" test ! -e "$CRM_DB.key"
rm -f "$CRM_DB"

# --- A party that takes the subject's e-mail and phone while the
# erasure waits for the erasure lock (after its lookup, before its
# transaction) is left: the erasure erases only what it found before.
people
touch "$CRM_DB.gdpr-lock"
flock "$CRM_DB.gdpr-lock" sleep 2 &
fl=$!
sleep 0.3
crm-gdpr-export --erase --subject ann@example.org --reason r >e.out 2>e.err &
pe=$!
sleep 0.5
printf 'first_name,email,emails,phone,country\nAnnie,annie@example.net,ann@example.org,+33 6 12 34 56 78,FR\n' >a2.csv
crm-add -q a2.csv 2>/dev/null
wait "$pe"
re=$?
wait "$fl"
is "lookup then lock: no party holds Ann's e-mail or phone after her erasure" \
	"$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party WHERE attrs LIKE '%ann@example.org%' OR phone_norm = '+33612345678'")" 0
is "lookup then lock: the erasure erased both parties, clean" "$re:$(jq -c .erased.parties e.out)" "0:2"

# --- An --unsuppress that waited for the lock while an erasure of the
# same person was killed after its commit: the person is still
# suppressed (the record waits), yet it says "not in the suppression
# ledger", exits 1, and the next GDPR command suppresses her again.
people
crm-gdpr-export --erase --subject cid@example.org --reason old >/dev/null 2>&1
faulty enospc .suppress 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "unsuppress: the erasure waits" "$(pending)" 1
flock "$CRM_DB.gdpr-lock" sleep 1.5 &
fl=$!
sleep 0.3
run crm-gdpr-export --unsuppress ann@example.org --reason 'asked to be contacted again'
ru=$rc
like "unsuppress: it does not say Ann is not suppressed while her erasure waits" "$(cat err)" '^$|lifted|waits'
wait "$fl"
crm-gdpr-export --finish >/dev/null 2>&1
run crm-add ann.csv
is "unsuppress: lifted (0, Ann accepted) rather than 'nothing to lift' (1, Ann still refused)" "$ru:$rc" "0:0"

# --- No byte of the person left, yet residue reported (exit 4): a
# telephone number of four digits (an extension) is looked for like an
# e-mail, and found in every date; a word of the notes that the audit
# trail's own entries hold ("accounting" of "accounting_kept").
people
printf 'name,email,phone\nZed Quux,zed@example.org,2026\n' >zed.csv
crm-add -q zed.csv
run crm-gdpr-export --erase --subject zed@example.org --reason r
is "a four-digit phone: clean, exit 0" "$rc:$(jq -c .verification.clean out)" "0:true"
ok "and Zed's name, e-mail and phone are gone" sh -c "! grep -aqE 'zed@example|Quux|,2026' '$CRM_DB'"
printf 'name,email,notes\nYan Quill,yan@example.org,Handles accounting for the firm\n' >yan.csv
crm-add -q yan.csv
run crm-gdpr-export --erase --subject yan@example.org --reason r
is "a word of the notes that the audit trail holds: clean, exit 0" "$rc:$(jq -c .verification.clean out)" "0:true"

# --- An --unsuppress whose audit entry cannot be committed (a full
# disk): it exits 4, as if nothing were done, but the ledger entry is
# gone already: the person is taken back with no trace in the audit.
people
crm-gdpr-export --erase --subject cid@example.org --reason old >/dev/null 2>&1
faulty enospc .db-wal 1 crm-gdpr-export --unsuppress cid@example.org --reason 'asked back'
ru=$rc
run crm-add -q cid.csv
is "unsuppress on a full disk: exit 4 leaves Cid suppressed (or an exit 0 is audited)" \
	"$ru:$rc:$(sqlite3 "$CRM_DB" "SELECT count(*) FROM audit WHERE action = 'unsuppress'")" "4:3:0"

# --- An erasure that waited for the lock while another erasure was left
# unfinished holds the lock, yet finishes only its own, and says nothing
# of the other, which waits for the next GDPR command.
people
crm-gdpr-export --erase --subject cid@example.org --reason old >/dev/null 2>&1
faulty enospc .suppress 1 crm-gdpr-export --erase --subject ann@example.org --reason r
flock "$CRM_DB.gdpr-lock" sleep 1 &
fl=$!
sleep 0.3
run crm-gdpr-export --erase --subject bob@example.org --reason r
wait "$fl"
is "an erasure with the lock in hand finishes the one left waiting too (or says it waits)" \
	"$rc:$(pending)" "0:0"
finish
