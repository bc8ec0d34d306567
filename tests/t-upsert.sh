# SPDX-License-Identifier: MIT
# t-upsert.sh: crm-add matching stored parties: --key, --on-conflict, the
# summary counts, duplicates inside one file, re-adding a file.
. "$(dirname "$0")/lib.sh"
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

count() { crm-find --count </dev/null; }
summary() { grep -E '[0-9]+ read, ' "$T/err" | sed 's/^crm-add: //'; }
get() { crm-find "$1" </dev/null | jq -c "$2"; }
fresh() { rm -f "$CRM_DB" "$CRM_DB-wal" "$CRM_DB-shm"; }

# --- The default key: id, else e-mail, else ext_id ----------------------------
crm-add -q --name 'Ann Lee' --email ann@example.org --phone '+33 1 23 45 67 89' --city Paris \
	--title CTO --tag a --set shoe=38
id=$(crm-find --ids email=ann@example.org)
run crm-add --email '  ANN@Example.ORG ' --city Lyon
is "e-mail differing in case and spaces: the same party" "$(jq .id "$T/out")" "$id"
is "e-mail differing in case and spaces: one party stored" "$(count)" 1
run crm-find email=ann@example.org
is "lookup by e-mail ignores case and spaces too" "$(jq .id "$T/out")" "$id"
run crm-find 'email=ANN@EXAMPLE.ORG'
is "lookup by an upper-case e-mail" "$(jq .id "$T/out")" "$id"

printf 'id,city\n%s,Nice\n' "$id" >"$T/byid.csv"
ok "default key: id first" crm-add "$T/byid.csv"
is "default key: the record with an id updates that party" "$(get "id=$id" .city)" '"Nice"'
is "default key: id: summary" "$(summary)" "1 read, 0 created, 1 updated, 0 unchanged, 0 rejected"
printf 'id,name,email\n%s,Other,other@example.org\n' "$id" >"$T/idwins.csv"
ok "default key: id wins over e-mail" crm-add -q "$T/idwins.csv"
is "default key: id wins over e-mail: no new party" "$(count)" 1
is "default key: id wins over e-mail: the e-mail changed" "$(get "id=$id" .email)" '"other@example.org"'
crm-add -q --email ann@example.org --name 'Ann Lee'
is "a new e-mail is a new party" "$(count)" 2
fresh

crm-add -q --name 'Ext Erin' --ext-id SF-1
run crm-add --ext-id SF-1 --city Brest
is "default key: ext_id when there is no id and no e-mail" "$(count)" 1
is "default key: ext_id: updated" "$(get ext_id=SF-1 .city)" '"Brest"'
crm-add -q --name 'Phone Pat' --phone '+33 6 00 00 00 01'
crm-add -q --name 'Phone Pat' --phone '+33 6 00 00 00 01'
is "default key: the phone does not match" "$(count)" 3
fresh

crm-add -q --name 'Nb Sp' --email nbsp@example.org
run crm-add --email "$(printf '\302\240NBSP@example.org\342\200\257')" --city Laval
is "e-mails differing by surrounding no-break spaces: the same party" "$(jq -r .city "$T/out")/$(count)" "Laval/1"
fresh

# --- --key ------------------------------------------------------------------------
crm-add -q --name 'Kay One' --email kay@example.org --ext-id K1 --phone '+33 1 23 45 67 89'
id=$(crm-find --ids email=kay@example.org)
run crm-add --key email --email KAY@example.org --city Caen
is "--key email: matched" "$(jq .id "$T/out")/$(count)" "$id/1"
exits 3 "--key email without an e-mail: exit 3" crm-add --key email --name 'No Mail'
like "--key email without an e-mail: message" "$(cat "$T/err")" "no email to match on"
run crm-add --key ext_id --ext-id K1 --email kay2@example.org
is "--key ext_id: matched although the e-mail differs" "$(jq .id "$T/out")/$(count)" "$id/1"
run crm-add --key ext-id --ext-id K1 --title Boss
is "--key ext-id is --key ext_id" "$(jq .id "$T/out")/$(count)" "$id/1"
exits 3 "--key ext_id without an ext_id: exit 3" crm-add --key ext_id --name 'No Ext'
like "--key ext_id without an ext_id: message" "$(cat "$T/err")" "no ext_id to match on"
run crm-add --key phone --phone '01 23 45 67 89' --country FR --name 'Kay Renamed'
is "--key phone: a national number with its country matches the international one" "$(jq .id "$T/out")/$(count)" "$id/1"
run crm-add --key phone --phone '0033 1 23 45 67 89'
is "--key phone: 00 prefix matches" "$(jq .id "$T/out")/$(count)" "$id/1"
exits 3 "--key phone without a phone: exit 3" crm-add --key phone --name 'No Phone'
printf 'id,city\n%s,Rouen\n' "$id" >"$T/id.csv"
run crm-add --key id "$T/id.csv"
is "--key id: matched" "$(get "id=$id" .city)" '"Rouen"'
printf 'id,city\n99999,Rouen\n' >"$T/noid.csv"
before=$(store_dump)
exits 3 "--key id with an unknown id: exit 3" crm-add --key id "$T/noid.csv"
like "--key id with an unknown id: message with file and line" "$(cat "$T/err")" "noid.csv:2: no party with id 99999"
is "--key id with an unknown id: nothing written" "$(store_dump)" "$before"
exits 3 "--key id without an id: exit 3" crm-add --key id --name 'No Id'
fresh

# --- Duplicates inside one file ------------------------------------------------------
cat >"$T/dups.csv" <<'EOF'
name,email,city,tags
Dup One,dup@example.org,Paris,a
Dup One,DUP@example.org,,b
Dup One,DUP@example.org,,a
Other,other@example.org,,
Dup One, dup@example.org ,Lyon,
EOF
ok "duplicates in one file: exit 0" crm-add "$T/dups.csv"
is "duplicates in one file: one party each" "$(count)" 2
is "duplicates in one file: summary" "$(summary)" "5 read, 2 created, 2 updated, 1 unchanged, 0 rejected"
is "duplicates in one file: tags united, last city wins" "$(get email=dup@example.org '[.tags, .city]')" '[["a","b"],"Lyon"]'
is "duplicates in one file: every record printed with its stored id" \
	"$(jq -r .id "$T/out" | paste -sd ' ' -)" "1 1 1 2 1"
fresh

# --- --on-conflict -----------------------------------------------------------------
base() {
	fresh
	crm-add -q --name 'Ann Lee' --first-name Ann --email ann@example.org --phone '+33 1 23 45 67 89' \
		--city Paris --title CTO --kind lead --tag old --tag keep --set shoe=38 --set hat=M
}
cat >"$T/upd.csv" <<'EOF'
email,city,phone,title,tags,attrs.shoe
ann@example.org,Lyon,,,new,39
EOF

base
sqlite3 "$CRM_DB" "UPDATE party SET created = '2000-01-01T00:00:00Z', updated = '2000-01-01T00:00:00Z'"
ok "merge (the default): exit 0" crm-add "$T/upd.csv"
is "an update moves 'updated', not 'created'" "$(get email=ann@example.org '[.created, .updated != "2000-01-01T00:00:00Z"]')" \
	'["2000-01-01T00:00:00Z",true]'
is "merge: given fields overwrite, empty and absent fields stay, tags united, attrs merged" \
	"$(get email=ann@example.org '[.name, .first_name, .city, .phone, .title, .kind, .tags, .attrs]')" \
	'["Ann Lee","Ann","Lyon","+33 1 23 45 67 89","CTO","lead",["keep","new","old"],{"shoe":"39","hat":"M"}]'
is "merge: summary" "$(summary)" "1 read, 0 created, 1 updated, 0 unchanged, 0 rejected"
sqlite3 "$CRM_DB" "UPDATE party SET updated = '2000-01-01T00:00:00Z'"
ok "merge again: exit 0" crm-add --on-conflict merge "$T/upd.csv"
is "merge again: unchanged" "$(summary)" "1 read, 0 created, 0 updated, 1 unchanged, 0 rejected"
is "an unchanged party keeps its 'updated' time" "$(get email=ann@example.org .updated)" '"2000-01-01T00:00:00Z"'

base
ok "replace: exit 0" crm-add --on-conflict replace "$T/upd.csv"
is "replace: the stored record is replaced by the given fields" \
	"$(get email=ann@example.org '[.name, .first_name, .city, .phone, .title, .tags, .attrs]')" \
	'[null,null,"Lyon",null,null,["new"],{"shoe":"39"}]'
is "replace: summary" "$(summary)" "1 read, 0 created, 1 updated, 0 unchanged, 0 rejected"
base
crm-add -q --on-conflict replace --email ann@example.org --name 'Ann Only'
is "replace without tags or attrs given: tags and attrs cleared" \
	"$(get email=ann@example.org '[.name, .city, .tags, .attrs]')" '["Ann Only",null,[],{}]'

base
before=$(store_dump)
ok "skip: exit 0" crm-add --on-conflict skip "$T/upd.csv"
is "skip: the stored party is untouched" "$(store_dump)" "$before"
is "skip: summary counts it unchanged" "$(summary)" "1 read, 0 created, 0 updated, 1 unchanged, 0 rejected"
is "skip: prints the stored party" "$(jq -r .city "$T/out")" "Paris"
printf 'email,name\nann@example.org,Ann Again\nnew@example.org,New Nora\n' >"$T/skip.csv"
ok "skip: new parties are still created" crm-add --on-conflict skip "$T/skip.csv"
is "skip: new parties are still created: summary" "$(summary)" "2 read, 1 created, 0 updated, 1 unchanged, 0 rejected"

base
before=$(store_dump)
exits 3 "error: a match is bad input, exit 3" crm-add --on-conflict error "$T/upd.csv"
like "error: the message names the file, the line and the party" "$(cat "$T/err")" "upd.csv:2: party exists as id 1"
is "error: nothing on stdout" "$(cat "$T/out")" ""
is "error: nothing written" "$(store_dump)" "$before"
printf 'email,name\nfresh@example.org,Fresh Fay\nann@example.org,Ann Again\n' >"$T/err.csv"
before=$(store_dump)
exits 3 "error: a conflict after a good row: exit 3" crm-add --on-conflict error "$T/err.csv"
is "error: a conflict after a good row: the good row is not written either" "$(store_dump)" "$before"
ok "error with --rejects: exit 0" crm-add --on-conflict error --rejects "$T/rej" "$T/err.csv"
is "error with --rejects: summary" "$(summary)" "2 read, 1 created, 0 updated, 0 unchanged, 1 rejected"
is "error with --rejects: the conflicting row is in the rejects file" "$(cat "$T/rej")" \
	"email,name
# $T/err.csv:3: party exists as id 1
ann@example.org,Ann Again"
is "error with --rejects: the new party is stored" "$(get email=fresh@example.org .name)" '"Fresh Fay"'

# --- Summary counts and re-adding a file ----------------------------------------------
fresh
{
	echo 'name,email,city'
	seq 1 300 | awk '{ printf "Person %d,p%d@example.org,City %d\n", $1, $1, $1 % 7 }'
} >"$T/many.csv"
ok "300 rows: exit 0" crm-add -q "$T/many.csv"
is "300 rows: -q prints no summary" "$(cat "$T/err")" ""
is "300 rows: -q prints no records" "$(cat "$T/out")" ""
is "300 rows stored" "$(count)" 300
ok "re-adding the same file: exit 0" crm-add "$T/many.csv"
is "re-adding the same file: all unchanged" "$(summary)" "300 read, 0 created, 0 updated, 300 unchanged, 0 rejected"
is "re-adding the same file: still 300" "$(count)" 300
awk -F, 'NR == 1 || NR % 3 == 0 { print; next } { sub(/City/, "Town"); print }' "$T/many.csv" >"$T/many2.csv"
seq 301 310 | awk '{ printf "Person %d,p%d@example.org,City 1\n", $1, $1 }' >>"$T/many2.csv"
before=$(store_dump)
run crm-add --dry-run "$T/many2.csv"
is "--dry-run on a file: exit 0" "$rc" 0
is "--dry-run on a file: the store is unchanged" "$(store_dump)" "$before"
is "--dry-run on a file: the summary says so" "$(summary)" "dry run, nothing written: 310 read, 10 created, 200 updated, 100 unchanged, 0 rejected"
is "--dry-run on a file: the records it would store are printed" "$(wc -l <"$T/out" | tr -d ' ')" 310
ok "a file of new, changed and unchanged rows" crm-add "$T/many2.csv"
is "the summary counts each kind" "$(summary)" "310 read, 10 created, 200 updated, 100 unchanged, 0 rejected"

# A long import shows no progress when stderr is no terminal.
fresh
awk 'BEGIN { print "name,email"; for (i = 1; i <= 4200; i++) printf "Bulk %d,bulk%d@example.org\n", i, i }' >"$T/bulk.csv"
run crm-add "$T/bulk.csv"
is "4200 rows: exit 0" "$rc" 0
is "4200 rows: stderr holds the summary only" "$(cat "$T/err")" "crm-add: 4200 read, 4200 created, 0 updated, 0 unchanged, 0 rejected"
is "4200 rows: one record out each" "$(wc -l <"$T/out" | tr -d ' ')" 4200


is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
