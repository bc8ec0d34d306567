# SPDX-License-Identifier: MIT
# t-shapes.sh: the shapes of input the record reader tells apart by
# itself: lists of ids, e-mails or ext_ids one a line (crm-find --ids,
# jq -r .email), TSV, CSV parted by semicolons, JSON arrays; read by
# every program that reads parties or records.
. "$(dirname "$0")/lib.sh"
exec </dev/null
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

ids() { paste -sd, "$T/out"; }
summary() { grep -E '[0-9]+ read, ' "$T/err"; }

crm-add -q --name 'Ann Lee' --email ann@example.org --ext-id CRM-A1 --city Paris --tag vip >/dev/null
crm-add -q --name 'Bob Stone' --email bob@example.org --city Lyon >/dev/null
crm-add -q --name 'Cid Ray' --email cid@example.org --ext-id 'CRM-C3' --city Paris >/dev/null
crm-log -q --contact ann@example.org --type note --subject 'first call' >/dev/null
crm-log -q --contact bob@example.org --type note --subject 'met at fair' >/dev/null
crm-log -q --contact cid@example.org --type note --subject 'sent brochure' >/dev/null

# --- Lists: one id, e-mail or ext_id a line --------------------------------
run sh -c 'crm-find --ids | crm-find --ids'
is "crm-find --ids | crm-find --ids: exit 0" "$rc" 0
is "crm-find --ids | crm-find --ids: the same ids" "$(ids)" "1,2,3"
run sh -c 'crm-find city=Paris --ids | crm-find --ids name~ann'
is "a list of ids restricts a search" "$(ids)" "1"
run sh -c 'crm-find city=Paris | jq -r .email | crm-log --list --fields party_id,subject --format csv'
is "jq -r .email | crm-log --list: exit 0" "$rc" 0
is "jq -r .email | crm-log --list: those parties' events" "$(cat "$T/out")" \
	"$(printf 'party_id,subject\n3,sent brochure\n1,first call')"
run sh -c 'printf "3\nbob@example.org\n\n  CRM-A1  \n" | crm-find --ids'
is "ids, e-mails and ext_ids mixed, each by its shape" "$(ids)" "1,2,3"
run sh -c 'printf "nobody@example.org\n2\n999\n" | crm-find --ids'
is "crm-find: parties not in the store are skipped" "$(ids)" "2"
run sh -c 'printf "nobody@example.org\nbob@example.org\n" | crm-log --list'
is "crm-log: a party not in the store is refused, exit 3" "$rc" 3
is "crm-log: the line of the party not in the store" "$(cat "$T/err")" "crm-log: -:1: no such party"
run sh -c 'printf "1\n3\n" | crm-log --type sent --campaign spring --ref spring -q'
is "crm-log logs an event for each party of a list" "$(crm-log --list --campaign spring --fields party_id --format csv | sort | paste -sd, -)" "1,3,party_id"
run sh -c 'printf "email\nann@example.org\ncid@example.org\n" | crm-find --ids'
is "a one-column CSV whose header is a field is still CSV" "$(ids)" "1,3"
run sh -c 'printf "Subscribers\nann@example.org\nbob@example.org\n" | crm-find --ids'
is "a list's heading of another shape than its e-mails is no party" "$(ids)" "1,2"
run sh -c 'printf "Subscribers\nann@example.org\n" | crm-add --tag sub'
is "crm-add: a list's heading is named on stderr, not read" "$(cat "$T/err")" \
	"$(printf "crm-add: -: skipped, not records: line 1 'Subscribers' (a header)\ncrm-add: 1 read, 0 created, 1 updated, 0 unchanged, 0 rejected")"
run sh -c 'crm-find --ids city=Lyon | crm-add --tag seen -q'
is "crm-find --ids | crm-add with flags: exit 0" "$rc" 0
is "crm-find --ids | crm-add with flags: the party updated" "$(crm-find tag:seen --ids)" "2"
is "crm-find --ids | crm-add with flags: no party created" "$(crm-find --count)" 3
run sh -c 'printf "1\n2\n" | crm-report by kind --format csv'
is "a list of ids is crm-report's population" "$(cat "$T/out")" "$(printf 'kind,parties,share\nlead,2,1.0000')"
crm-segment --save lyon city=Lyon >/dev/null 2>&1
run sh -c 'printf "cid@example.org\n" | crm-segment --include lyon'
is "a list of e-mails pins parties in a segment" "$(crm-segment lyon --ids | paste -sd, -)" "2,3"
run sh -c 'printf "CRM-C3\n" | crm-gdpr-export --subject-stdin --register /nonexistent'
is "crm-gdpr-export --subject-stdin: an ext_id a line" "$(jq -r '.parties[].email' "$T/out")" "cid@example.org"
run sh -c 'printf "email\nbob@example.org\n" | crm-gdpr-export --subject-stdin --register /nonexistent'
is "crm-gdpr-export --subject-stdin: a one-column CSV" "$(jq -r '.parties[].email' "$T/out")" "bob@example.org"
run sh -c 'crm-find email=ann@example.org --format tsv | crm-gdpr-export --subject-stdin --register /nonexistent'
is "crm-gdpr-export --subject-stdin: TSV records" "$(jq -r '.parties[].email' "$T/out")" "ann@example.org"
run sh -c 'crm-find email=ann@example.org --format json | crm-gdpr-export --subject-stdin --register /nonexistent'
is "crm-gdpr-export --subject-stdin: a JSON array" "$(jq -r '.parties[].email' "$T/out")" "ann@example.org"

# Forced: --input-format lines.
run sh -c 'printf "ann@example.org\n" | crm-find --input-format lines --ids'
is "--input-format lines: read as a list" "$(ids)" "1"
run sh -c 'printf "email\nann@example.org\n" | crm-find --input-format lines --ids'
is "--input-format lines: a field name on the first line is its header" "$(ids)" "1"
run sh -c 'printf "email\nann@example.org\nBob Stone, Lyon\n" | crm-find --input-format lines --ids'
is "--input-format lines: a line of two words is bad input, exit 3" "$rc" 3
like "--input-format lines: what is wrong said" "$(cat "$T/err")" "-:3: not an id, an e-mail or an ext_id: 'Bob Stone, Lyon'"
printf 'ann@example.org\n' >"$T/list.txt"
run crm-log --import --type note --input-format lines "$T/list.txt"
is "crm-log --import: a list names no events, exit 3" "$rc" 3
like "crm-log --import: a list is refused" "$(cat "$T/err")" "not events"
run crm-find --input-format xml
is "--input-format: an unknown format, exit 2" "$rc" 2
like "--input-format: the formats named" "$(cat "$T/err")" "csv, tsv, jsonl, vcard, lines, auto"

# --- TSV ---------------------------------------------------------------------
printf 'name\temail\tcity\tnotes\nDee Fox\tdee@example.org\tLille\tmet in Lille, twice\nEd Moe\ted@example.org\tNantes\tline one\\nline two\n' >"$T/a.tsv"
rm -f "$CRM_DB"*
ok "TSV: crm-add reads it" crm-add -q "$T/a.tsv"
is "TSV: two parties" "$(crm-find --count)" 2
is "TSV: fields in their columns" "$(crm-find email=dee@example.org --fields city,notes --format csv | tail -1)" 'Lille,"met in Lille, twice"'
is "TSV: \\n is a line feed" "$(crm-find email=ed@example.org | jq -r .notes)" "$(printf 'line one\nline two')"
printf 'name\tnotes, comments, remarks\nFay Lin\tx, y, z\n' >"$T/b.tsv"
run crm-add --input-format tsv "$T/b.tsv"
is "--input-format tsv: TABs part the fields whatever the commas" "$(jq -r '.attrs["notes, comments, remarks"]' "$T/out")" "x, y, z"

# crm-find --format tsv reads back into crm-add.
crm-add -q --name 'Gil "G" Oz' --email gil@example.org --notes "$(printf 'a\tb\nc \\ d')" \
	--tag one --tag two --set score=4.5 >/dev/null
f=name,email,city,notes,tags,attrs.score
crm-find --format tsv --fields "$f" >"$T/all.tsv"
run crm-add -q --db "$T/copy.db" "$T/all.tsv"
is "TSV round trip: exit 0" "$rc" 0
is "TSV round trip: the same records" "$(crm-find --db "$T/copy.db" --format jsonl --fields "$f")" \
	"$(crm-find --format jsonl --fields "$f")"
run sh -c 'crm-find --format tsv | crm-find --ids email=gil@example.org'
is "TSV restricts a search" "$(ids)" "$(crm-find --ids email=gil@example.org)"

# --- Semicolons: a French spreadsheet, in Windows-1252 -----------------------
printf 'Pr\351nom;Nom;Courriel;Ville\nH\351l\350ne;Durand;helene@example.org;Paris, 15e\nJos\351;Martin;jose@example.org;Lyon\n' >"$T/fr.csv"
rm -f "$CRM_DB"*
run crm-add --encoding cp1252 "$T/fr.csv"
is "semicolons: exit 0" "$rc" 0
is "semicolons: the header is no line skipped" "$(grep -c skipped "$T/err")" 0
is "semicolons: both records read" "$(summary)" "crm-add: 2 read, 2 created, 0 updated, 0 unchanged, 0 rejected"
is "semicolons: fields in their columns" "$(crm-find email=helene@example.org --fields first_name,last_name,city --format csv | tail -1)" 'Hélène,Durand,"Paris, 15e"'
# A note before the header, as LinkedIn writes, and a semicolon header.
printf 'Notes:\n"When exporting your connection data, you may notice that some addresses are missing."\n\nFirst Name;Last Name;Email Address;Company\nIva;Roy;iva@example.org;Acme, Inc.\n' >"$T/notes.csv"
run crm-add "$T/notes.csv"
is "notes before a semicolon header: exit 0" "$rc" 0
like "notes before a semicolon header: skipped" "$(cat "$T/err")" "line 1 'Notes:' \(before the header\); line 2 "
is "notes before a semicolon header: the record read" "$(crm-find email=iva@example.org | jq -r .org)" "Acme, Inc."
# Report totals after the records, tab-separated.
printf 'Name\tEmail\nJon Ash\tjon@example.org\n\nGrand Totals (1 record)\n' >"$T/report.tsv"
run crm-add "$T/report.tsv"
is "totals after TSV records: exit 0" "$rc" 0
like "totals after TSV records: skipped" "$(cat "$T/err")" "after the records"

# --- JSON arrays -----------------------------------------------------------
rm -f "$CRM_DB"*
printf '{"name":"Kim Poe","email":"kim@example.org","tags":["a"]}\n{"name":"Lou Ng","email":"lou@example.org"}\n' | jq -s . >"$T/arr.json"
run crm-add "$T/arr.json"
is "jq -s . output: exit 0" "$rc" 0
is "jq -s . output: both records" "$(summary)" "crm-add: 2 read, 2 created, 0 updated, 0 unchanged, 0 rejected"
is "jq -s . output: fields" "$(crm-find email=kim@example.org | jq -c .tags)" '["a"]'
run sh -c 'crm-find --format json | crm-find --ids email=lou@example.org'
is "crm-find --format json restricts a search" "$(ids)" "2"
run sh -c 'crm-find --format json | crm-add -q --db "$1"' sh "$T/arr.db"
is "crm-find --format json into crm-add: exit 0" "$rc" 0
is "crm-find --format json into crm-add: copied" "$(crm-find --db "$T/arr.db" --count)" 2
before=$(store_dump)
printf '[1, 2, 3]\n' >"$T/nums.json"
run crm-add "$T/nums.json"
is "a JSON array of numbers: exit 3" "$rc" 3
like "a JSON array of numbers: said" "$(cat "$T/err")" "a JSON array of numbers is not records"
run sh -c 'printf "[\"ann@example.org\"]" | crm-find --ids'
like "a JSON array of strings: said" "$(cat "$T/err")" "a JSON array of strings is not records"
printf '[{"name":"Max Ito","email":"max@example.org"},\n {"name":"Ned"' >"$T/cut.json"
run crm-add "$T/cut.json"
is "an unterminated JSON array: exit 3" "$rc" 3
like "an unterminated JSON array: said" "$(cat "$T/err")" "unterminated JSON array"
is "bad arrays: nothing written" "$(store_dump)" "$before"
printf '[\n  {"name": "Oli Day",\n   "email": "oli@"},\n  {"name": "Pam Sue", "email": "pam@example.org"}\n]\n' >"$T/bad.json"
run crm-add -q --rejects "$T/rej.jsonl" "$T/bad.json"
is "a bad element set aside: exit 0" "$rc" 0
like "a bad element set aside: its line" "$(grep '^#' "$T/rej.jsonl")" "bad.json:2: "
is "a bad element set aside: one line of JSON" "$(grep -v '^#' "$T/rej.jsonl" | jq -c .)" '{"name":"Oli Day","email":"oli@"}'

# Objects over several lines one after the other, as jq prints them.
run sh -c 'crm-find | jq "select(.email == \"pam@example.org\")" | crm-find --ids'
is "jq's objects over several lines: exit 0" "$rc" 0
is "jq's objects over several lines restrict a search" "$(ids)" "$(crm-find --ids email=pam@example.org)"
printf '{\n  "name": "Quy Tan",\n  "email": "quy@"\n}\n{\n  "name": "Rae Ode",\n  "email": "rae@example.org"\n}\n' >"$T/pretty.json"
run crm-add -q --rejects "$T/rej2.jsonl" "$T/pretty.json"
is "jq's objects into crm-add: the good one written" "$(crm-find --count email=rae@example.org)" 1
is "jq's objects into crm-add: the bad one set aside on one line" "$(grep -v '^#' "$T/rej2.jsonl" | jq -c .)" '{"name":"Quy Tan","email":"quy@"}'
printf '{\n  "name": "Sal Vu",\n' >"$T/cut2.json"
run crm-add "$T/cut2.json"
is "an object without its end: exit 3" "$rc" 3
like "an object without its end: the line where it begins" "$(cat "$T/err")" "cut2.json:1: unterminated JSON object"

# Event records in a JSON array and in TSV, for crm-log --import.
printf '[{"email":"pam@example.org","type":"purchase","amount":"12.50","at":"2026-03-01T10:00:00Z","ref":"o-1"}]' >"$T/ev.json"
printf 'email\ttype\tsubject\tat\npam@example.org\tnote\tcalled back\t2026-03-02T10:00:00Z\n' >"$T/ev.tsv"
ok "crm-log --import: a JSON array of events" crm-log --import -q "$T/ev.json"
ok "crm-log --import: TSV events" crm-log --import -q "$T/ev.tsv"
is "crm-log --import: both logged" "$(crm-log --list --contact pam@example.org --fields type,subject --format csv | sort | paste -sd'|' -)" \
	"note,called back|purchase,|type,subject"

finish
