# SPDX-License-Identifier: MIT
# t-pipe.sh: pipes between the programs, and with jq, mlr and sqlite3;
# the front command crm.
. "$(dirname "$0")/lib.sh"
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT

# skip DESC REASON: a TAP skip, counted as a test.
skip() {
	tests=$((tests + 1))
	echo "ok $tests - $1 # SKIP $2"
}
ids() { crm-find --ids "$@" | paste -sd' ' -; }

cat >"$T/people.csv" <<'EOF'
name,email,city,kind,tags,notes,attrs.score
Élodie Durand,elodie@example.fr,Paris,customer,vip;paris,"likes ""jazz"", and tea
second line",15
Bob Martin,bob@example.org,Lyon,lead,newsletter,,9
Acme SA,contact@acme.example,Paris,partner,,"=SUM(A1:A9)",
Zoë Dupont,zoe@example.org,Nantes,prospect,vip,	tab first,7
Дмитрий Иванов,dima@example.ru,Москва,supplier,,"comma, and ; semicolon",
EOF
crm-add -q "$T/people.csv"

# --- Between the programs ------------------------------------------------------------
others=$(sqlite3 "$CRM_DB" "SELECT * FROM party WHERE city <> 'Paris' ORDER BY id")
run sh -c 'crm-find city=Paris | crm-add --tag x -q'
is "crm-find ... | crm-add --tag x -q: exit 0" "$rc" 0
is "crm-find ... | crm-add --tag x -q: prints nothing" "$(cat "$T/out")$(cat "$T/err")" ""
is "the selection is tagged" "$(ids tag:x)" "1 3"
is "the selection keeps its other tags" "$(crm-find id=1 | jq -c .tags)" '["paris","vip","x"]'
is "the selection keeps its other fields" "$(crm-find id=1 | jq -c '[.name, .notes, .attrs, .created]')" \
	"$(sqlite3 -json "$CRM_DB" "SELECT name, notes, json(attrs) AS attrs, created FROM party WHERE id = 1" | jq -c '.[0] | [.name, .notes, (.attrs | fromjson), .created]')"
is "the parties outside the selection are untouched" \
	"$(sqlite3 "$CRM_DB" "SELECT * FROM party WHERE city <> 'Paris' ORDER BY id")" "$others"
run sh -c 'crm-find city=Paris | crm-add --untag x'
like "crm-find | crm-add --untag: the summary counts the records piped" "$(cat "$T/err")" "2 read, 0 created, 2 updated, 0 unchanged, 0 rejected"
is "crm-find | crm-add --untag x: the tag is gone" "$(ids tag:x)" ""
run sh -c 'crm-find --format csv --csv-raw tag:vip OR kind:partner | crm-add --tag csvpipe -q'
is "crm-find --format csv --csv-raw | crm-add: exit 0" "$rc" 0
is "crm-find --format csv --csv-raw | crm-add: the selection is tagged" "$(ids tag:csvpipe)" "1 3 4"
is "crm-find --format csv --csv-raw | crm-add: the formula and the tab stay as they were" \
	"$(crm-find id=3 | jq -c .notes)/$(crm-find id=4 | jq -c .notes)" '"=SUM(A1:A9)"/"\ttab first"'
before=$(store_dump)
run sh -c 'crm-find --format csv --csv-raw | crm-add'
like "crm-find --format csv --csv-raw | crm-add: all unchanged" "$(cat "$T/err")" "5 read, 0 created, 0 updated, 5 unchanged, 0 rejected"
is "crm-find --format csv --csv-raw | crm-add: the store is as it was" "$(store_dump)" "$before"

printf 'name,email\nNew Nina,nina@example.org\nBob Martin,bob@example.org\n' >"$T/new.csv"
run sh -c 'crm-add "$1" | crm-find --ids' sh "$T/new.csv"
is "crm-add output piped into crm-find: exactly those parties" "$(paste -sd' ' - <"$T/out")" "2 6"
run sh -c 'crm-add --format csv "$1" | crm-find --ids' sh "$T/new.csv"
is "crm-add --format csv output piped into crm-find" "$(paste -sd' ' - <"$T/out")" "2 6"
run sh -c 'crm-add -q "$1" | crm-find --count' sh "$T/new.csv"
is "crm-add -q | crm-find: an empty pipe, no count, exit 1" "$rc/$(cat "$T/out")" "1/"
run sh -c 'crm-find kind:lead | crm-find tag:newsletter | crm-find city=Lyon --fields name'
is "three crm-find in a row" "$(jq -r .name "$T/out")" "Bob Martin"

# --- jq ----------------------------------------------------------------------------------
run sh -c 'crm-find | jq -c .'
is "crm-find | jq: every line parses" "$rc/$(wc -l <"$T/out" | tr -d ' ')" "0/6"
is "crm-find | jq: the same number of records as --count" "$(crm-find | jq -s length)" "$(crm-find --count)"
run sh -c 'crm-find --format json | jq -e "type == \"array\" and length == 6"'
is "crm-find --format json | jq: one array" "$rc" 0
run sh -c 'crm-find | jq -c "select(.attrs.score != null) | {email, score: .attrs.score}" | crm-find --ids'
is "crm-find | jq | crm-find: records cut down by jq still identify their party" "$(paste -sd' ' - <"$T/out")" "1 2 4"
run sh -c 'crm-find tag:vip | jq -c ".city = \"Rennes\"" | crm-add -q'
is "crm-find | jq edit | crm-add: the edit is stored" "$(crm-find city=Rennes --ids | paste -sd' ' -)" "1 4"

# --- mlr -----------------------------------------------------------------------------------
if command -v mlr >/dev/null 2>&1; then
	want=$(crm-find --fields id,name,notes,tags,attrs.score | jq -c '{id, name, notes: (.notes // ""), tags: (.tags | join(";")), "attrs.score": (."attrs.score" // "" | tostring)}')
	run sh -c 'crm-find --format csv --csv-raw --fields id,name,notes,tags,attrs.score | mlr --icsv --ojsonl --no-auto-unflatten cat'
	is "crm-find --format csv --csv-raw | mlr: parses" "$rc" 0
	is "crm-find --format csv --csv-raw | mlr: the same values as JSON Lines" \
		"$(jq -c '."attrs.score" |= tostring' "$T/out")" "$want"
	run sh -c 'crm-find --format tsv --csv-raw --fields id,name,notes,tags,attrs.score | mlr --itsv --ojsonl --no-auto-unflatten cat'
	is "crm-find --format tsv --csv-raw | mlr --itsv: the same values as JSON Lines" \
		"$(jq -c '."attrs.score" |= tostring' "$T/out")" "$want"
	run sh -c 'crm-find --format csv | mlr --icsv --ojson filter '\''$city == "Paris"'\'' then cut -f email'
	is "crm-find --format csv | mlr filter" "$(jq -c 'map(.email)' "$T/out")" '["contact@acme.example"]'
	run sh -c 'crm-find --format csv | mlr --icsv --ocsv put '\''$kind = "partner"'\'' | crm-add -q'
	is "crm-find | mlr put | crm-add: exit 0" "$rc" 0
	is "crm-find | mlr put | crm-add: the change is stored" "$(crm-find kind:partner --count)" 6
else
	for d in "csv --csv-raw | mlr: parses" "csv --csv-raw | mlr: the same values" \
		"tsv | mlr --itsv" "csv | mlr filter" "csv | mlr put | crm-add: exit 0" \
		"csv | mlr put | crm-add: stored"; do
		skip "crm-find --format $d" "no mlr"
	done
fi

# --- sqlite3 -------------------------------------------------------------------------------
is "crm-find agrees with sqlite3 on the file" \
	"$(crm-find --fields id,name,email | jq -c .)" \
	"$(sqlite3 -json "$CRM_DB" 'SELECT id, name, email FROM party ORDER BY id' | jq -c '.[]')"
run sh -c 'crm-find --format csv --csv-raw --fields id,name,notes | sqlite3 -csv :memory: ".import /dev/stdin t" "SELECT count(*), sum(length(notes)) FROM t"'
is "crm-find --format csv | sqlite3 .import: every row and every byte" "$(cat "$T/out")" \
	"$(sqlite3 -csv "$CRM_DB" 'SELECT count(*), sum(length(coalesce(notes, ""))) FROM party')"

# --- The front command ----------------------------------------------------------------------
run crm add --name 'Front Fay' --email fay@example.org
is "crm add: exit 0" "$rc" 0
is "crm add: runs crm-add" "$(jq -r .name "$T/out")" "Front Fay"
run crm find email=fay@example.org --fields name
is "crm find: runs crm-find" "$rc/$(cat "$T/out")" '0/{"name":"Front Fay"}'
exits 1 "crm find: the exit code of crm-find (1)" crm find tag:nosuch
exits 2 "crm add: the exit code of crm-add (2)" crm add --name X --kind friend
run sh -c 'crm find tag:vip | crm find --count'
is "crm find: stdin is passed on" "$(cat "$T/out")" 2
run sh -c "printf '' | crm find"
is "crm find: an empty pipe still means nobody" "$rc" 1
run env PATH=/usr/bin:/bin "$CRM_BIN/crm" find --count
is "crm finds crm-find beside itself, not on \$PATH" "$rc/$(cat "$T/out")" "0/7"
exits 2 "crm nosuch: exit 2" crm nosuch
like "crm nosuch: the message names it" "$(cat "$T/err")" "'nosuch' is not a crm command"
exits 2 "crm with no command: exit 2" crm
like "crm with no command: usage on stderr" "$(cat "$T/err")" "usage: crm"
exits 2 "crm ../crm-find is refused" crm ../crm-find
exits 2 "crm -x is refused" crm -x
ok "crm --help: exit 0" crm --help
like "crm --help: lists add" "$(cat "$T/out")" "^  add +create"
like "crm --help: lists find" "$(cat "$T/out")" "^  find +select"
ok "crm --version: exit 0" crm --version
like "crm --version" "$(cat "$T/out")" "^crm \(crm toolkit\) [0-9]+\.[0-9]+"
ok "crm add --help: the help of crm-add" crm add --help
like "crm add --help: usage of crm-add" "$(cat "$T/out")" "^usage: crm-add"


is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
