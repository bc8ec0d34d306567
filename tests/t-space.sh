# SPDX-License-Identifier: MIT
# t-space.sh: white space around values is taken off on every input path
# (flags, CSV, JSON Lines, vCards, crm-log's flags and --import), from every
# scalar field but notes, subjects and bodies, from tags and attributes; a
# value of white space alone is no value; a store of the schema before has
# its values trimmed when first opened, its match keys and index in step.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

nbsp=$(printf '\302\240')        # U+00A0
ideo=$(printf '\343\200\200')    # U+3000
lsep=$(printf '\342\200\250')    # U+2028
nel=$(printf '\302\205')         # U+0085
zwsp=$(printf '\342\200\213')    # U+200B, a format character, no white space

# --- crm-add's flags ----------------------------------------------------------
run crm-add --first-name "  Jérôme$nbsp" --last-name "${ideo}Roux " --email '  jerome@example.org  ' \
	--city 'Paris ' --country "	FR$lsep" --phone ' 06 12 34 56 78 ' --org "${nel}Acme" \
	--tag ' vip ' --tag "${nbsp}fair" --set ' source = salon ' --notes '  as given  ' --ext-id ' X-1 '
is "flags: exit 0" "$rc" 0
is "flags: every field trimmed but the notes" \
	"$(jq -c '[.first_name, .last_name, .name, .email, .city, .country, .phone, .org, .ext_id, .notes]' "$T/out")" \
	'["Jérôme","Roux","Jérôme Roux","jerome@example.org","Paris","FR","06 12 34 56 78","Acme","X-1","  as given  "]'
is "flags: tags and attributes trimmed" "$(jq -c '[.tags, .attrs]' "$T/out")" '[["fair","vip"],{"source":"salon"}]'
is "stored so" "$(sqlite3 "$CRM_DB" "SELECT city || '|' || email || '|' || country FROM party")" 'Paris|jerome@example.org|FR'
run crm-add --email jerome@example.org --city "$zwsp" --title "Boss$zwsp"
is "a format character is no white space: kept" "$(jq -c '[.city, .title]' "$T/out")" "[\"$zwsp\",\"Boss$zwsp\"]"
crm-add -q --email jerome@example.org --city Paris
before=$(store_dump)
run crm-add --email jerome@example.org --city '   ' --title "$nbsp$ideo" --tag ' '
is "white space alone is no value: nothing changes" "$(jq -c '[.city, .title, .tags]' "$T/out")" \
	"[\"Paris\",\"Boss$zwsp\",[\"fair\",\"vip\"]]"
is "not even the updated time" "$(store_dump)" "$before"
crm-add -q --email jerome@example.org --set plan=gold --set size=m
run crm-add --email jerome@example.org --set 'plan=  ' --set " size $nbsp= $ideo"
is "--set KEY= with white space alone removes the attribute" "$(jq -c .attrs "$T/out")" '{"source":"salon"}'
printf 'email,source\njerome@example.org,"  "\n' >blank.csv
ok "CSV: a cell of white space alone" crm-add -q blank.csv
is "CSV: is no value, as an empty cell" "$(crm-find email=jerome@example.org | jq -c .attrs)" '{"source":"salon"}'

# --- CSV: the duplicate row with a padded address -------------------------------
printf 'email,name,city,tags\njerome@example.org,Jérôme Roux,Paris,vip\n"  jerome@example.org  ",Jérôme Roux,"Paris ","vip ; fair"\n' >dup.csv
ok "CSV: a padded duplicate row" crm-add -q dup.csv
is "CSV: the clean stored address stays clean" "$(sqlite3 "$CRM_DB" 'SELECT email FROM party')" 'jerome@example.org'
printf 'email,city\nzoe@example.org,Paris\nyan@example.org, Paris \nxia@example.org,Paris%s\n' "$nbsp" >cities.csv
ok "CSV: cities with and without white space" crm-add -q cities.csv
is "CSV: one city in a report" "$(crm-report by city --format csv | sed 1d | cut -d, -f1,2)" 'Paris,4'
is "CSV: and in a search" "$(crm-find --count city=Paris)" 4
printf 'email,attrs.Plan ,Source\nwil@example.org, gold , fair \n' >attrs.csv
ok "CSV: attribute columns" crm-add -q attrs.csv 2>/dev/null
is "CSV: attribute names and values trimmed" "$(crm-find email=wil@example.org | jq -c .attrs)" '{"Plan":"gold","Source":"fair"}'
printf 'Name,E-mail 1 - Value,Email\nAl Ash,al@example.org,"  "\n' >two.csv
ok "CSV: a blank named e-mail column after another" crm-add -q two.csv
is "CSV: the other column's address stays the e-mail" "$(crm-find name='Al Ash' | jq -c '[.email, .attrs]')" '["al@example.org",{}]'

# --- JSON Lines -----------------------------------------------------------------
printf '{"email":" vic@example.org ","name":"\\u3000Vic ","kind":" prospect ","type":" person","tags":[" a ","b\\u00a0"],"attrs":{" k ":" v ","emails":[" v2@example.org "],"n":3},"notes":" kept "}\n' >v.jsonl
ok "JSON Lines: accepted" crm-add -q v.jsonl
is "JSON Lines: fields, tags, attribute keys and strings trimmed, notes kept" \
	"$(crm-find email=vic@example.org | jq -c '[.email, .name, .kind, .type, .tags, .attrs, .notes]')" \
	'["vic@example.org","Vic","prospect","person",["a","b"],{"k":"v","emails":["v2@example.org"],"n":3}," kept "]'
is "JSON Lines: the other address matches" "$(crm-find --count email=v2@example.org)" 1

# --- vCards -----------------------------------------------------------------------
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN: Una Vale \r\nEMAIL: una@example.org \r\nORG:Acme \r\nCATEGORIES: x , y \r\nNOTE: kept \r\nEND:VCARD\r\n' >u.vcf
ok "vCard: accepted" crm-add -q u.vcf
is "vCard: values trimmed, the note kept" "$(crm-find email=una@example.org | jq -c '[.name, .email, .org, .tags, .notes]')" \
	'["Una Vale","una@example.org","Acme",["x","y"]," kept "]'

# --- crm-log's flags and --import ---------------------------------------------------
run crm-log --contact jerome@example.org --type ' call ' --channel ' phone' --campaign ' noel ' \
	--ref "r-1$nbsp" --subject ' Hello ' --body ' there ' --set ' k = v ' --at ' 2026-03-01T10:00:00Z '
is "crm-log flags: exit 0" "$rc" 0
is "crm-log flags: fields trimmed but the subject and body" \
	"$(jq -c '[.type, .channel, .campaign, .ref, .subject, .body, .attrs, .at]' "$T/out")" \
	'["call","phone","noel","r-1"," Hello "," there ",{"k":"v"},"2026-03-01T10:00:00Z"]'
ok "the same ref, unpadded: already there" crm-log -q --contact jerome@example.org --type call --ref r-1
is "one call" "$(sqlite3 "$CRM_DB" "SELECT count(*) FROM event WHERE type = 'call'")" 1
run crm-log --contact jerome@example.org --type purchase --amount ' 12.50 ' --currency ' eur ' -q
is "crm-log flags: an amount and a currency with white space" "$(sqlite3 "$CRM_DB" "SELECT amount, currency FROM event WHERE type = 'purchase'")" '125000|EUR'
printf 'email,type,channel,campaign,ref,amount,currency,subject,at\n jerome@example.org , purchase , web , spring , o-1 , 20 , EUR , as is ,2026-04-01T00:00:00Z\n' >ev.csv
ok "crm-log --import: a padded row" crm-log -q --import ev.csv
is "crm-log --import: fields trimmed but the subject" \
	"$(sqlite3 "$CRM_DB" "SELECT type || '|' || channel || '|' || campaign || '|' || ref || '|' || amount || '|' || currency || '|' || subject FROM event WHERE ref LIKE '%o-1%'")" \
	'purchase|web|spring|o-1|200000|EUR| as is '
printf '{"email":"jerome@example.org","type":"note","ref":" j-1 ","campaign":"\\u00a0spring","body":" kept ","attrs":{" a ":" b "},"at":"2026-04-02T00:00:00Z"}\n' >ev.jsonl
ok "crm-log --import: JSON Lines" crm-log -q --import ev.jsonl
is "crm-log --import: JSON Lines trimmed but the body" \
	"$(crm-log --list --contact jerome@example.org --type note | jq -c '[.ref, .campaign, .body, .attrs]')" \
	'["j-1","spring"," kept ",{"a":"b"}]'

# --- A store of the schema before: its values trimmed when it is first opened ------
rm -f "$CRM_DB"*
crm-add -q --type organization --name Acme
crm-add -q --first-name Jérôme --email jerome@example.org --city Paris --country FR \
	--phone '06 12 34 56 78' --notes ' as given ' --tag vip --set plan=gold --set emails=j2@example.org
crm-add -q --name Clean --email clean@example.org --city Paris --org Acme --tag vip
crm-log -q --contact jerome@example.org --type sent --campaign noel --ref r-1 --at 2026-01-01T00:00:00Z
crm-log -q --contact clean@example.org --type purchase --amount 10 --ref o-1 --at 2026-01-02T00:00:00Z
crm-log -q --contact clean@example.org --type purchase --amount 12 --ref o-2 --at 2026-01-03T00:00:00Z
sqlite3 "$CRM_DB" "
UPDATE party SET name = 'Acme ' WHERE id = 1;
UPDATE party SET first_name = ' Jérôme', name = ' Jérôme', email = '  jerome@example.org ',
  city = 'Paris ', country = ' FR', attrs = '{\" plan \":\" gold\",\"emails\":\" j2@example.org \"}',
  phone_norm = '0612345678', updated = '2020-01-01T00:00:00Z' WHERE id = 2;
UPDATE party SET org = 'Acme', org_id = NULL, updated = '2020-01-01T00:00:00Z' WHERE id = 3;
UPDATE party SET org = 'Acme ' WHERE id = 2;
INSERT INTO party_tag VALUES (2, 'vip' || char(160)), (3, char(12288) || 'new');
DELETE FROM party_tag WHERE party_id = 2 AND tag = 'vip';
UPDATE event SET campaign = ' noel ', ref = ' r-1 ' WHERE ref = 'r-1';
UPDATE event SET ref = 'o-1 ' WHERE ref = 'o-2';
INSERT INTO party_fts (party_fts) VALUES ('rebuild');
PRAGMA user_version = 10;"
before=$(sqlite3 "$CRM_DB" "SELECT count(*) FROM party WHERE name <> trim(name) OR city <> trim(city)")
is "the old store holds padded values" "$before" 2
ok "opened by a program: migrated" crm-find --count
is "now at the current schema" "$(sqlite3 "$CRM_DB" 'PRAGMA user_version')" 16
is "party fields trimmed, notes kept" \
	"$(sqlite3 "$CRM_DB" "SELECT name || '|' || email || '|' || city || '|' || country || '|' || org || '|' || notes FROM party WHERE id = 2")" \
	'Jérôme|jerome@example.org|Paris|FR|Acme| as given '
is "attribute keys and values trimmed" "$(sqlite3 "$CRM_DB" 'SELECT attrs FROM party WHERE id = 2')" \
	'{"plan":"gold","emails":"j2@example.org"}'
is "the organization's name trimmed, its people linked" "$(sqlite3 "$CRM_DB" 'SELECT name FROM party WHERE id = 1; SELECT group_concat(org_id) FROM party WHERE id IN (2, 3)')" 'Acme
1,1'
is "tags trimmed" "$(sqlite3 "$CRM_DB" 'SELECT party_id, tag FROM party_tag ORDER BY 1, 2' | paste -sd' ' -)" '2|vip 3|new 3|vip'
is "the phone's match key follows the trimmed country" "$(crm-find --ids phone=+33612345678)" 2
is "the other e-mail's match key" "$(crm-find --ids email=j2@example.org)" 2
is "one city Paris (and the organization's none)" "$(crm-report by city --format csv | sed 1d | cut -d, -f1,2)" 'Paris,2
,1'
is "the full-text index follows" "$(crm-find --ids jerome)" 2
ok "the full-text index is sound" sqlite3 "$CRM_DB" "INSERT INTO party_fts (party_fts) VALUES ('integrity-check')"
is "the changed parties are updated, the others not" \
	"$(sqlite3 "$CRM_DB" "SELECT id FROM party WHERE updated > '2021' ORDER BY id" | paste -sd' ' -)" '1 2 3'
is "event campaign and ref trimmed" "$(sqlite3 "$CRM_DB" "SELECT campaign || '|' || ref FROM event WHERE type = 'sent'")" 'noel|r-1'
is "a ref its party already has trimmed stays as it was" \
	"$(sqlite3 "$CRM_DB" "SELECT ref FROM event WHERE type = 'purchase' ORDER BY id" | paste -sd'#' -)" 'o-1#o-1 '
is "the migrated store's facts unchanged" "$(crm-find --fields purchases email=clean@example.org | jq .purchases)" 2
finish
