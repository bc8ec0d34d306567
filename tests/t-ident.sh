# SPDX-License-Identifier: MIT
# t-ident.sh: a party's e-mails and phones beyond the first (the attributes
# emails and phones, from vCards or any record) are identifiers as much as
# the first: matching, crm-find's terms, the GDPR's access, erasure and
# suppression consider them.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Ann Two\nEMAIL:ann@home.example\nEMAIL:Ann@Work.example\nTEL:+33 6 11 11 11 11\nTEL:+33 1 22 22 22 22\nEND:VCARD\n' >ann.vcf
ok "a card with two e-mails and two phones" crm-add -q ann.vcf
names() { jq -r .name | paste -sd, -; }
is "crm-find finds the second e-mail, in any case" "$(crm-find email=ann@WORK.example | names)" 'Ann Two'
is "and the second phone, in any spelling" "$(crm-find 'phone=+33 (0)1 22 22 22 22' | names)" 'Ann Two'
is "email!= leaves it out" "$(crm-find --count 'email!=ann@work.example')" 0
printf '%s\n' '{"name":"Bob","email":"bob@example.org","attrs":{"emails":["robert@example.org"],"phones":["+44 20 7946 0000"]}}' >bob.jsonl
ok "any record's attributes emails and phones count too" crm-add -q bob.jsonl
is "found by them" "$(crm-find email=robert@example.org 'phone=+44 20 7946 0000' | names)" 'Bob'

# Matching: a record naming the party by its second e-mail updates it, and
# the first e-mail stays the first.
run sh -c 'echo "{\"email\":\"ann@work.example\",\"city\":\"Lyon\"}" | crm-add'
like "the second e-mail matches the party" "$(cat "$T/err")" '1 read, 0 created, 1 updated'
is "the first stays first" "$(crm-find email=ann@home.example --fields email,city | jq -c .)" \
	'{"email":"ann@home.example","city":"Lyon"}'
is "one Ann" "$(crm-find --count Ann)" 1
# An e-mail taken out of the attributes is no longer the party's.
run sh -c 'echo "{\"email\":\"bob@example.org\",\"attrs\":{\"emails\":null}}" | crm-add -q'
is "a removed e-mail finds nobody" "$(crm-find --count email=robert@example.org)" 0
is "the phone still does" "$(crm-find --count 'phone=+44 20 7946 0000')" 1

# The GDPR: access, erasure and suppression by the second e-mail and phone.
run crm-gdpr-export --subject ann@work.example --register /nonexistent
is "access by the second e-mail" "$(jq -r '[.parties[].name] | join(",")' "$T/out")" 'Ann Two'
run crm-gdpr-export --subject '+33 1 22 22 22 22' --register /nonexistent
is "access by the second phone" "$(jq -r '[.parties[].name] | join(",")' "$T/out")" 'Ann Two'
run crm-gdpr-export --erase --subject ann@home.example --reason 'Art. 17 request'
is "erased, and nothing left on disk" "$(jq -r .verification.clean "$T/out")" true
is "its other identifiers gone from the index" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party_ident WHERE norm LIKE '%work.example' OR norm LIKE '%122222222'")" 0
exits 3 "the second e-mail cannot bring the person back" sh -c 'echo "{\"name\":\"Ann\",\"email\":\"ann@work.example\"}" | crm-add'
like "suppressed" "$(cat "$T/err")" 'suppressed: the email'
exits 3 "nor the second phone, even as another party's other phone" \
	sh -c 'echo "{\"name\":\"Cy\",\"email\":\"cy@example.org\",\"attrs\":{\"phones\":[\"+33 1 22 22 22 22\"]}}" | crm-add'
like "suppressed" "$(cat "$T/err")" 'suppressed: the phone'

# What a second reader found, kept fixed.
printf '%s\n' '{"name":"Fr","email":"fr@example.org","country":"FR","attrs":{"phones":["06 12 34 56 78"]}}' '{"name":"Other","email":"other@example.org","country":"FR"}' | crm-add -q --db merge.db
ok "erase Fr" crm-gdpr-export --db merge.db --erase --subject fr@example.org --reason test
exits 3 "the erased other phone cannot come back through a merge" \
	sh -c 'echo "{\"email\":\"other@example.org\",\"attrs\":{\"phones\":[\"06 12 34 56 78\"]}}" | crm-add --db merge.db'
printf '%s\n' '{"name":"Jo","email":"jo@example.org"}' '{"name":"Bo","email":"bo@example.org","attrs":{"emails":["xjo@example.org"]}}' | crm-add -q --db super.db
run crm-gdpr-export --db super.db --erase --subject jo@example.org --reason test
is "another party's other e-mail that holds the subject's is no residue" "$(jq -r .verification.clean "$T/out")" true
printf '%s\n' '{"name":"Ka","email":"ka@example.org","attrs":{"emails":["kb@example.org"]}}' | crm-add -q --db keep.db
printf '%s\n' '{"email":"kb@example.org","attrs":{"emails":["ka@example.org"]}}' | crm-add -q --db keep.db
is "the other e-mail a record named the party by stays among the others" \
	"$(crm-find --db keep.db --count email=kb@example.org)/$(crm-find --db keep.db email=ka@example.org --fields email | jq -r .email)" '1/ka@example.org'
printf 'name,attrs.emails,E-mail 2 Address,email\nAnn,x@example.org,y@example.org,a@example.org\n' >str.csv
ok "an attribute emails that is one string takes more" crm-add -q --db str.db str.csv
is "all three found" "$(for e in x y a; do crm-find --db str.db --count email=$e@example.org; done | paste -sd, -)" '1,1,1'

# A restored copy from before the erasure: --replay finds the party by its other e-mail.
sqlite3 "$CRM_DB" "SELECT 1" >/dev/null
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Dee Three\nEMAIL:dee@home.example\nEMAIL:dee@work.example\nEND:VCARD\n' >dee.vcf
cp "$CRM_DB" before.db
crm-add -q --db before.db dee.vcf
cp before.db restored.db
ok "erase Dee" crm-gdpr-export --db before.db --erase --subject dee@home.example --reason 'Art. 17'
cp before.db.key restored.db.key && cp before.db.suppress restored.db.suppress
# In the copy, her first address is one the ledger never saw: only the other one tells.
sqlite3 restored.db "UPDATE party SET email = 'dee@new.example', email_norm = 'dee@new.example' WHERE email_norm = 'dee@home.example'"
ok "--replay on a restored copy" crm-gdpr-export --db restored.db --replay
is "Dee is erased again, found by her other address" "$(crm-find --db restored.db --count email=dee@new.example)" 0

# A store from before: its attributes emails are indexed when it is opened.
cp "$CRM_DB" old.db
sqlite3 old.db "DROP TABLE party_ident; PRAGMA user_version = 9; UPDATE party SET attrs = '{\"emails\":[\"  Bobby@Example.org \"]}' WHERE email = 'bob@example.org'"
is "a schema-9 store: found by its other e-mail once migrated" "$(crm-find --db old.db email=bobby@example.org | names)" 'Bob'

# One mailbox, one party: mailto:, NFC and NFD, a domain in Unicode or xn--.
export CRM_DB=$T/spell.db
crm-add -q --no-stdin --name Jean --email jean@example.com
run crm-add --no-stdin --email mailto:jean@example.com --city Lyon
is "mailto: names the stored party" "$(jq -c '[.id, .email, .city]' "$T/out")" '[1,"jean@example.com","Lyon"]'
nfd=$(printf 're\314\201ne@example.org') nfc=$(printf 'r\303\251ne@example.org')
crm-add -q --no-stdin --name Rene --email "$nfd"
run crm-add --no-stdin --email "$nfc" --city Nice
is "an NFC spelling names the party stored in NFD, whose address stays" "$(jq -c '[.id, .email == $e]' --arg e "$nfd" "$T/out")" '[2,true]'
crm-add -q --no-stdin --name Idn --email 'ana@exämple.com'
run crm-add --no-stdin --email 'ana@xn--exmple-cua.com' --city Metz
is "a domain in its xn-- form names the party stored in Unicode" "$(jq -c .id "$T/out")" 3
is "three parties, not six" "$(crm-find --no-stdin --count)" 3
is "crm-find email= finds each spelling" \
	"$(for e in mailto:JEAN@example.com "$nfc" 'ana@XN--EXMPLE-CUA.COM'; do crm-find --no-stdin --ids email="$e"; done | paste -sd' ' -)" "1 2 3"
crm-gdpr-export --erase --subject "$nfc" --reason test >/dev/null 2>&1
run crm-add --no-stdin --email "$nfd" --name Again
is "erased under one spelling, refused under the other" "$rc" 3
like "as suppressed" "$(cat "$T/err")" suppressed
# A store of schema 13 had NFD keys: opened again, its keys are one spelling.
crm-add -q --no-stdin --name Zoe --email "$(printf 'zo\303\253@example.org')"
sqlite3 "$CRM_DB" "UPDATE party SET email_norm = '$(printf 'zoe\314\210@example.org')' WHERE name = 'Zoe'; PRAGMA user_version = 13"
is "migrated: the NFD key is NFC again" "$(crm-find --no-stdin --ids email="$(printf 'zo\303\253@example.org')")" 4

finish
