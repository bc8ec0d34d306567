# SPDX-License-Identifier: MIT
# t-gdpr.sh: crm-gdpr-export: finding a subject by any spelling, the
# Art. 15 document, verified erasure, the suppression ledger, the audit trail.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

# A store: the subject in two parties sharing a phone, others around.
cat >people.csv <<'EOF'
first_name,last_name,email,phone,country,ext_id,notes,tags
Zoé,Quennehen,Zoe.Quennehen@Example.org,06 12 34 56 78,FR,SHOP-77,Prefers afternoons; allergic to xylophones,vip
Z.,Quennehen,zq@work.example,+33 6 12 34 56 78,FR,,second account,
Ann,Other,ann@example.org,,FR,,Met Zoe.Quennehen@Example.org at the fair,
Bob,Else,bob@example.org,+44 20 7946 0000,GB,,,
EOF
crm-add -q people.csv 2>/dev/null
crm-log -q --contact ann@example.org --type note --body 'called zoe.quennehen@example.org about the fair' --at 2026-01-02T10:00:00Z
crm-log -q --contact SHOP-77 --type purchase --amount 42.50 --ref inv-1 --at 2026-02-01T10:00:00Z
crm-log -q --contact SHOP-77 --type call --subject 'Quennehen callback about xylophones' --at 2026-02-03T10:00:00Z
crm-log -q --contact SHOP-77 --task 'Send the catalogue' --due 2026-03-01
# Access: every spelling finds the party; the phone finds both.
for v in ZOE.QUENNEHEN@example.org ' zoe.quennehen@example.org ' SHOP-77 1; do
	run crm-gdpr-export --subject "$v" --register /nonexistent
	is "'$v' finds the subject's party" "$(jq -r '[.parties[].id] | sort | join(",")' "$T/out" 2>/dev/null)" 1
done
for v in '+33 6 12 34 56 78' '0612345678' '06.12.34.56.78' '+33612345678'; do
	run crm-gdpr-export --subject "$v" --register /nonexistent
	is "'$v' finds both parties with that phone" "$(jq -r '[.parties[].id] | sort | join(",")' "$T/out" 2>/dev/null)" 1,2
done
run crm-gdpr-export --subject zoe.quennehen@example.org --register /nonexistent
is "the export exits 0" "$rc" 0
is "the document is one JSON object" "$(jq -r type "$T/out")" object
is "every Art. 15 section is there" \
	"$(jq -r '.register | keys | sort | join(" ")' "$T/out")" \
	'automated_decisions categories controller purposes recipients retention rights source supervisory_authority'
is "each says not configured without a register" \
	"$(jq -r '[.register[] | .status] | unique | join(",")' "$T/out")" 'not configured'
like "stderr says the register is missing" "$(cat "$T/err")" 'no processing register'
is "its events" "$(jq -r '[.events[].type] | join(",")' "$T/out")" 'purchase,call'
is "its tasks" "$(jq -r '[.tasks[].subject] | join(",")' "$T/out")" 'Send the catalogue'
is "its facts" "$(jq -r '[.parties[] | .purchases] | add' "$T/out")" 1
is "mentions in others' notes and events, for review" \
	"$(jq -c '[.mentions[] | {party_id, field}] | sort_by(.field)' "$T/out")" \
	'[{"party_id":3,"field":"body"},{"party_id":3,"field":"notes"}]'
for k in segments scores consents audit; do
	is "section $k present" "$(jq "has(\"$k\")" "$T/out")" true
done
is "the subject's scores, computed, with their inputs" \
	"$(jq -c '.scores | [.stored, (.parties | map([.id, .rfm, .explain.churn.gap_from, .explain.rfm.customers]))]' "$T/out")" \
	'[false,[[1,"111","default",1]]]'
printf '{"propensity":{"opens":{"weight":"ten"}}}' >bad-weights.json
exits 3 "a bad weights file: exit 3" crm-gdpr-export --subject SHOP-77 --weights bad-weights.json -o w.json
is "before any output" "$(ls w.json 2>/dev/null; cat "$T/out")" ''
exits 2 "--weights with --erase: exit 2" crm-gdpr-export --subject SHOP-77 --erase --reason x --weights bad-weights.json
ok "with the example register" crm-gdpr-export --subject SHOP-77 --register "$here/../examples/register.json"
is "the register's sections" "$(jq -r '.register.supervisory_authority | test("CNIL")' "$T/out")" true
is "nothing on stderr then" "$(cat "$T/err")" ''
printf '{"purposes": [' >bad-register.json
exits 3 "a register that is not JSON: exit 3" crm-gdpr-export --subject SHOP-77 --register bad-register.json
like "says where" "$(cat "$T/err")" 'bad-register\.json:1:'
is "and writes no part of a document" "$(cat "$T/out")" ''
exits 4 "-o with no store: exit 4" crm-gdpr-export --db "$T/none.db" --subject SHOP-77 -o never.json
is "leaves no empty file behind" "$(ls never.json 2>/dev/null)" ''

# -o: 0600, never over an existing file.
ok "-o FILE" crm-gdpr-export --subject SHOP-77 -o export.json --register /nonexistent
is "written 0600" "$(stat -c %a export.json)" 600
is "stdout is empty" "$(cat "$T/out")" ''
echo keep >exists.json
exits 2 "-o over an existing file: exit 2" crm-gdpr-export --subject SHOP-77 -o exists.json
is "the file was not touched" "$(cat exists.json)" keep
exits 1 "nobody matches: exit 1" crm-gdpr-export --subject nobody@example.org --register /nonexistent
exits 2 "no subject: exit 2" crm-gdpr-export
exits 2 "an operand: exit 2" crm-gdpr-export zoe@example.org

# Identifiers on standard input: plain lines, or records from crm-find.
run sh -c 'printf "SHOP-77\n+33 6 12 34 56 78\n" | crm-gdpr-export --subject-stdin --register /nonexistent'
is "--subject-stdin, one per line" "$(jq '.parties | length' "$T/out")" 2
run sh -c 'crm-find email=zoe.quennehen@example.org | crm-gdpr-export --subject-stdin --register /nonexistent'
is "crm-find | crm-gdpr-export: the party, and those sharing its phone" "$(jq '.parties | length' "$T/out")" 2

# The audit trail: each export left an entry, with no personal data.
run crm-gdpr-export --audit --format jsonl
like "exports are audited" "$(jq -r .action "$T/out" | sort -u | paste -sd, -)" 'export'
is "no identifier in the trail" "$(grep -ci -e quennehen -e shop-77 -e 0612345678 "$T/out")" 0
ok "--verify-audit on a sound trail" crm-gdpr-export --verify-audit
run sqlite3 "$CRM_DB" "UPDATE audit SET actor = 'x' WHERE id = 1"
like "the trail refuses an UPDATE" "$rc $(cat "$T/err")" '^[1-9][0-9]* .*append-only'
run sqlite3 "$CRM_DB" "DELETE FROM audit WHERE id = 1"
like "and a DELETE" "$rc $(cat "$T/err")" '^[1-9][0-9]* .*append-only'

# Portability: files the toolkit reads back into an empty store.
ok "--portable DIR" crm-gdpr-export --portable port --subject SHOP-77 --subject '06 12 34 56 78'
is "the files" "$(ls port | paste -sd' ' -)" 'events.csv events.jsonl manifest.json parties.csv parties.jsonl'
is "each 0600, the directory 0700" "$(stat -c %a port port/* | sort -u | paste -sd' ' -)" '600 700'
is "the manifest's checksums are right" \
	"$(jq -r '.files[] | .sha256 + "  port/" + .name' port/manifest.json | sha256sum -c --quiet && echo good)" good
ok "crm-add reads the parties back" crm-add --db p1.db -q port/parties.jsonl
ok "crm-log reads the events back" crm-log --db p1.db --import -q port/events.jsonl
is "the same parties" "$(crm-find --db p1.db --fields email,name,phone,ext_id,notes | jq -c . | sort)" \
	"$(crm-find --fields email,name,phone,ext_id,notes last_name=Quennehen | jq -c . | sort)"
is "the same events" "$(crm-log --db p1.db --list --reverse --fields at,type,amount,subject,due,status | jq -c .)" \
	"$(crm-log --list --reverse --contact SHOP-77 --fields at,type,amount,subject,due,status | jq -c .)"
ok "the CSV files too" sh -c 'crm-add --db p2.db -q port/parties.csv && crm-log --db p2.db --import -q port/events.csv'
is "the same events from CSV" "$(crm-log --db p2.db --list --reverse --fields at,type,amount | jq -c .)" \
	"$(crm-log --db p1.db --list --reverse --fields at,type,amount | jq -c .)"
exits 2 "--portable into a directory that has them: exit 2" crm-gdpr-export --portable port --subject SHOP-77
exits 2 "--portable with -o: exit 2" crm-gdpr-export --portable port2 -o x.json --subject SHOP-77

# Erasure: a dry run changes no byte.
cp "$CRM_DB" before.db
sum() { cat "$CRM_DB" "$CRM_DB-wal" 2>/dev/null | md5sum; ls "$T" | grep -c suppress; }
before=$(sum)
ok "--erase --dry-run" crm-gdpr-export --erase --dry-run --subject SHOP-77 --reason 'Art. 17 request'
is "the plan names the party" "$(jq -c '.parties | sort' "$T/out")" '[1]'
is "the plan counts the events" "$(jq .would_erase.events "$T/out")" 3
is "a dry run leaves the files as they were" "$(sum)" "$before"
exits 2 "--erase without --reason: exit 2" crm-gdpr-export --erase --subject SHOP-77

# Erasure, keeping the accounting.
# Erasing by e-mail leaves the phone in the second party: residue, said.
cp "$CRM_DB" half.db
exits 4 "residue: exit 4" crm-gdpr-export --db half.db --erase --subject zoe.quennehen@example.org --reason test
like "the report says where, not what" "$(jq -r '.verification.residue[0]' "$T/out")" '^half\.db: token [0-9]+ of [0-9]+ found [0-9]+ times$'
# Without --redact-mentions, another party's note naming the subject is residue too.
cp "$CRM_DB" mention.db
exits 4 "a mention left in another's notes: exit 4" crm-gdpr-export --db mention.db --erase \
	--subject zoe.quennehen@example.org --subject '06 12 34 56 78' --reason test
ok "--erase" crm-gdpr-export --erase --subject zoe.quennehen@example.org --subject '06 12 34 56 78' \
	--reason 'Art. 17 request' --request-id REQ-1 --keep-accounting --redact-mentions
is "the report: parties" "$(jq .erased.parties "$T/out")" 2
is "the report: the purchase kept" "$(jq .erased.accounting_kept "$T/out")" 1
is "the report: verified clean" "$(jq .verification.clean "$T/out")" true
is "the report: mentions redacted" "$(jq .erased.mentions_redacted "$T/out")" 2
is "Ann's note now" "$(crm-find --fields notes email=ann@example.org | jq -r .notes)" 'Met [erased] at the fair'
is "no party of the subject left" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party WHERE last_name = 'Quennehen' OR email LIKE '%quennehen%'")" 0
is "the purchase stays, without identity" \
	"$(sqlite3 "$CRM_DB" "SELECT p.name IS NULL AND p.email IS NULL, e.amount, e.ref FROM event e JOIN party p ON p.id = e.party_id WHERE e.type = 'purchase'")" \
	'1|425000|inv-1'
is "integrity" "$(sqlite3 "$CRM_DB" 'PRAGMA integrity_check')" ok
for f in "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-journal" "$CRM_DB.suppress"; do
	[ -e "$f" ] || continue
	is "no byte of the subject in $(basename "$f")" \
		"$(grep -a -c -i -e quennehen -e 'SHOP-77' -e 'xylophones' -e '612345678' "$f")" 0
done
is "the full-text index finds nothing" "$(crm-find --count quennehen)" 0
is "others are untouched" "$(crm-find --count email=ann@example.org OR email=bob@example.org)" 2
is "the ledger is 0600" "$(stat -c %a "$CRM_DB.suppress")" 600
is "the key is 0600, beside the store" "$(stat -c %a "$CRM_DB.key")" 600
is "the store holds no key" "$(grep -c -a -F "$(cat "$CRM_DB.key")" "$CRM_DB")" 0
run crm-gdpr-export --audit --format jsonl
is "the erasure is audited, with its request id" "$(jq -r 'select(.action == "erase") | .request_id' "$T/out")" REQ-1
is "the audit keeps counts, no reason" "$(grep -c 'Art. 17' "$T/out")" 0

# No resurrection.
exits 3 "re-adding the subject: refused" crm-add --email ZOE.quennehen@example.org --name Zoe
like "as suppressed" "$(cat "$T/err")" 'suppressed'
printf 'email,name\nzoe.quennehen@example.org,Zoe\nnew@example.org,New\n' >again.csv
ok "with --rejects the others go in" crm-add -q --rejects rej.csv again.csv
like "the subject is a rejected row" "$(cat rej.csv)" 'suppressed'
is "the other went in" "$(crm-find --count email=new@example.org)" 1
printf 'phone,name,country\n06 12 34 56 78,Zed,FR\n' >phone.csv
exits 3 "the phone too, in another spelling" crm-add phone.csv
printf 'email,type,at\nzoe.quennehen@example.org,note,2026-05-01T00:00:00Z\n' >ev.csv
exits 3 "crm-log --create-missing refuses it too" crm-log --import --create-missing ev.csv
like "as suppressed" "$(cat "$T/err")" 'suppressed'

exits 3 "the phone as +33 (0)6 ..." crm-add --name Zed --phone '+33 (0)6 12 34 56 78'
exits 3 "a stored party given the suppressed phone by an update" crm-add --email bob@example.org --phone '+33612345678'
is "Bob kept his own phone" "$(crm-find --fields phone email=bob@example.org | jq -r .phone)" '+44 20 7946 0000'
crm-add -q --email carl@example.org --phone '06 12 34 56 78' 2>/dev/null
exits 3 "a national phone that a new country makes the suppressed one" crm-add --email carl@example.org --country FR

# Edge cases of erasure: a subject with no word to look for; other people's text left alone.
d=$T/edge.db
crm-add -q --db "$d" --name Bo 2>/dev/null
crm-add -q --db "$d" --name 'Joann Roe' --email joann@example.org --notes 'Customer since March 2024; wrote to joann@example.org' 2>/dev/null
crm-add -q --db "$d" --name 'Ann Lee' --email ann@example.org --ext-id 2024 2>/dev/null
ok "erasing a party with nothing distinctive" crm-gdpr-export --db "$d" --erase --subject 1 --reason t
is "reported clean" "$(jq .verification.clean "$T/out")" true
ok "erasing ann@ with --redact-mentions" crm-gdpr-export --db "$d" --erase --subject ann@example.org \
	--reason t --redact-mentions --request-id 'R"1\'
is "the report is JSON, the request id escaped" "$(jq -r .request_id "$T/out")" 'R"1\'
is "joann@ is not ann@, and 2024 is not an ext_id here" \
	"$(crm-find --db "$d" --fields notes email=joann@example.org | jq -r .notes)" \
	'Customer since March 2024; wrote to joann@example.org'
is "verified clean all the same" "$(jq .verification.clean "$T/out")" true
mv "$d.key" "$d.key.saved"
exits 4 "a ledger whose key is gone: refused" crm-gdpr-export --db "$d" --erase --subject joann@example.org --reason t
like "says to restore the key" "$(cat "$T/err")" 'restore the key'
is "no new key was made" "$(ls "$d.key" 2>/dev/null)" ''
mv "$d.key.saved" "$d.key"
mkdir -m 755 shared
ok "--portable into an existing directory" crm-gdpr-export --db "$d" --portable shared --subject joann@example.org
is "its mode is left alone" "$(stat -c %a shared)" 755

# Lifting a suppression: explicit, with a reason, audited.
exits 2 "--unsuppress without --reason: exit 2" crm-gdpr-export --unsuppress new@example.org
exits 1 "an identifier not in the ledger: exit 1" crm-gdpr-export --unsuppress new@example.org --reason x
cp "$CRM_DB.suppress" ledger.before
ok "--unsuppress" crm-gdpr-export --unsuppress ZOE.Quennehen@example.org --reason 'asked to join again' --request-id REQ-2
ok "the e-mail can come back" crm-add -q --email zoe.quennehen@example.org --name Zoe
exits 3 "the phone is still suppressed" crm-add phone.csv
run crm-gdpr-export --audit --format jsonl
is "the lifting is audited" "$(jq -r 'select(.action == "unsuppress" and .request_id == "REQ-2") | .counts.removed' "$T/out")" 1
is "an attempt too" "$(jq -r 'select(.action == "unsuppress" and .request_id == null) | .counts.removed' "$T/out")" 0
h=$(jq -r 'select(.action == "unsuppress" and .request_id == "REQ-2") | .subject' "$T/out")
is "the ledger held the e-mail's keyed hash" "$(grep -a -c "$h" ledger.before)" 1
is "and, reorganised, holds no byte of it now" "$(grep -a -c "$h" "$CRM_DB.suppress")" 0
is "the lifting names the person as the erasure did" \
	"$(jq -r 'select(.action == "unsuppress" and .request_id == "REQ-2") | .subject' "$T/out")" \
	"$(jq -r 'select(.action == "erase" and .request_id == "REQ-1") | .subject' "$T/out")"
is "writes by crm-add and crm-log are audited, with counts" \
	"$(jq -r 'select(.program != "crm-gdpr-export") | .program + ":" + .action' "$T/out" | sort -u | paste -sd' ' -)" \
	'crm-add:write crm-log:log crm-log:promote'

# A backup restored brings the subject back; --replay erases it again.
cp before.db "$CRM_DB"
rm -f "$CRM_DB-wal" "$CRM_DB-shm"
is "the restored store has the subject" "$(crm-find --count email=zoe.quennehen@example.org)" 1
ok "--replay --dry-run" crm-gdpr-export --replay --dry-run --redact-mentions
is "the plan names the parties" "$(jq -c '.parties | sort' "$T/out")" '[1,2]'
ok "--replay" crm-gdpr-export --replay --redact-mentions --request-id RESTORE-1
is "verified clean" "$(jq .verification.clean "$T/out")" true
is "the subject is gone again" "$(crm-find --count email=zoe.quennehen@example.org OR last_name=Quennehen)" 0
for f in "$CRM_DB" "$CRM_DB-wal"; do
	[ -e "$f" ] || continue
	is "no byte of the subject in $(basename "$f") after the replay" \
		"$(grep -a -c -i -e quennehen -e 'SHOP-77' -e 'xylophones' "$f")" 0
done
before=$(sum)
ok "--replay again" crm-gdpr-export --replay
is "changes nothing" "$(jq -c . "$T/out")" '{"replayed":0,"erased":null}'

# The audit trail catches a hand-edited entry.
ok "the trail is sound" crm-gdpr-export --verify-audit
cp "$CRM_DB" tampered.db
sqlite3 tampered.db "DROP TRIGGER audit_no_update; UPDATE audit SET counts = '{\"parties\":0}' WHERE action = 'replay'"
exits 4 "a changed entry: exit 4" crm-gdpr-export --db tampered.db --verify-audit
like "names the entry" "$(cat "$T/err")" 'audit entry [0-9]+: its hash does not match'
cp "$CRM_DB" cut.db
sqlite3 cut.db "DROP TRIGGER audit_no_delete; DELETE FROM audit WHERE id = 1"
exits 4 "a removed entry: exit 4" crm-gdpr-export --db cut.db --verify-audit
like "names the next one" "$(cat "$T/err")" 'does not follow'

finish
