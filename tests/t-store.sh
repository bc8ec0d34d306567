# SPDX-License-Identifier: MIT
# t-store.sh: the store: where it is, its modes, its pragmas, concurrent
# writers, a missing store, a store newer than the program.
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

# --- Where the store is: --db, $CRM_DB, $XDG_DATA_HOME, ~/.local/share ----------
XDG_DATA_HOME=$T/xdg/data
export XDG_DATA_HOME
xdg_db=$XDG_DATA_HOME/crm/crm.db
home_db=$HOME/.local/share/crm/crm.db
umask 022
run env -u CRM_DB crm-add -q --name 'Xdg Xena'
is "no \$CRM_DB: exit 0" "$rc" 0
ok "no \$CRM_DB: the store is \$XDG_DATA_HOME/crm/crm.db" test -f "$xdg_db"
is "umask 022: the new store is mode 0600" "$(stat -c %a "$xdg_db")" 600
is "umask 022: its new directory is mode 0700" "$(stat -c %a "$(dirname "$xdg_db")")" 700
is "umask 022: the directories above it that it made are mode 0700" \
	"$(stat -c %a "$T/xdg")/$(stat -c %a "$T/xdg/data")" 700/700
ok "no \$CRM_DB: nothing in ~/.local/share" test ! -e "$home_db"
ok "no \$CRM_DB: nothing at \$CRM_DB" test ! -e "$CRM_DB"

umask 000
run env -u CRM_DB XDG_DATA_HOME="$T/x0" crm-add -q --name 'Zero Umask'
is "umask 000: exit 0" "$rc" 0
is "umask 000: the new store is mode 0600" "$(stat -c %a "$T/x0/crm/crm.db")" 600
is "umask 000: its new directory is mode 0700" "$(stat -c %a "$T/x0/crm")" 700
is "umask 000: the top directory it made is mode 0700" "$(stat -c %a "$T/x0")" 700
run crm-add -q --db "$T/d0/sub/my.db" --name 'Db Zero'
is "umask 000, --db in new directories: the store is mode 0600" "$(stat -c %a "$T/d0/sub/my.db")" 600
is "umask 000, --db in new directories: they are mode 0700" "$(stat -c %a "$T/d0")/$(stat -c %a "$T/d0/sub")" 700/700
umask 022

run env -u CRM_DB -u XDG_DATA_HOME crm-add -q --name 'Home Hana'
is "no \$CRM_DB nor \$XDG_DATA_HOME: ~/.local/share/crm/crm.db" \
	"$(sqlite3 "$home_db" 'SELECT name FROM party ORDER BY id' | paste -sd, -)" "Home Hana"
run env -u CRM_DB XDG_DATA_HOME=relative/dir crm-add -q --name 'Rel Rita'
ok "a relative \$XDG_DATA_HOME is ignored" test ! -e relative/dir
is "a relative \$XDG_DATA_HOME: ~/.local/share is used" \
	"$(sqlite3 "$home_db" 'SELECT count(*) FROM party')" 2

# Precedence: --db over $CRM_DB over $XDG_DATA_HOME.
crm-add -q --name 'In Crm Db'
crm-add -q --db "$T/opt.db" --name 'In Opt Db'
is "\$CRM_DB over \$XDG_DATA_HOME" "$(crm-find --fields name | jq -r .name)" "In Crm Db"
is "--db over \$CRM_DB" "$(crm-find --db "$T/opt.db" --fields name | jq -r .name)" "In Opt Db"
is "--db over \$CRM_DB: nothing went to \$CRM_DB" "$(crm-find --count)" 1
is "unset \$CRM_DB: \$XDG_DATA_HOME again" "$(env -u CRM_DB crm-find --fields name | jq -r .name)" "Xdg Xena"
is "an empty \$CRM_DB counts as unset" "$(CRM_DB= crm-find --fields name | jq -r .name)" "Xdg Xena"
is "--db=PATH" "$(crm-find --db="$T/opt.db" --count)" 1
is "crm-add --db and crm-find --db" "$(crm-add --db "$T/opt.db" --name 'Second Opt' | jq .id)" 2

# --- Pragmas --------------------------------------------------------------------------
is "journal_mode is WAL (on the file)" "$(sqlite3 "$CRM_DB" 'PRAGMA journal_mode')" wal
is "user_version is the schema version" "$(sqlite3 "$CRM_DB" 'PRAGMA user_version')" 16
# secure_delete is per connection: check its effect.  A value replaced by a
# longer one leaves its bytes in the freed cell unless secure_delete is on.
long=$(awk 'BEGIN { while (length(s) < 300) s = s "L"; print s }')
sd_fill() {
	rm -f "$1" "$1-wal" "$1-shm"
	crm-add -q --db "$1" --email sd@example.org --title 'SECRETTITLEMARKER'
	crm-add -q --db "$1" --email other@example.org --title 'keep me'
}
sd_fill "$T/control.db"
sqlite3 "$T/control.db" "PRAGMA secure_delete = 0; UPDATE party SET title = '$long' WHERE email = 'sd@example.org'" >/dev/null
if grep -q SECRETTITLEMARKER "$T/control.db"; then
	sd_fill "$T/sd.db"
	crm-add -q --db "$T/sd.db" --email sd@example.org --title "$long"
	is "secure_delete: the replaced value's bytes are gone from the file" \
		"$(cat "$T"/sd.db* | grep -c SECRETTITLEMARKER)" 0
else
	skip "secure_delete: the replaced value's bytes are gone from the file" \
		"this SQLite wipes freed cells anyway"
fi

# --- Concurrent writers ------------------------------------------------------------------
rm -f "$T"/par.db*
for w in 1 2 3 4 5 6 7 8; do
	awk -v w=$w 'BEGIN { print "name,email,city"; for (i = 1; i <= 50; i++) printf "Writer%d Row%d,w%d.r%d@example.org,City %d\n", w, i, w, i, w }' >"$T/w$w.csv"
done
for w in 1 2 3 4 5 6 7 8; do
	crm-add -q --db "$T/par.db" "$T/w$w.csv" >"$T/w$w.out" 2>"$T/w$w.err" &
	eval "pid$w=\$!"
done
fails=0
for w in 1 2 3 4 5 6 7 8; do
	eval "wait \$pid$w"
	st=$?
	if [ "$st" != 0 ]; then
		fails=$((fails + 1))
		echo "# writer $w: exit $st"
		sed "s/^/# writer $w: /" "$T/w$w.err"
	fi
done
is "eight writers at once on a new store: all exit 0" "$fails" 0
is "eight writers at once: no row lost (400)" "$(crm-find --db "$T/par.db" --count)" 400
is "eight writers at once: each row in the full-text index" "$(crm-find --db "$T/par.db" --count writer3)" 50
is "eight writers at once: 50 from each" \
	"$(crm-find --db "$T/par.db" --format csv --fields city | tail -n +2 | sort | uniq -c | awk '{ print $1 }' | sort -u)" 50
for w in 1 2 3 4 5 6 7 8; do
	crm-add --db "$T/par.db" "$T/w$w.csv" >"$T/w$w.out" 2>"$T/w$w.err" &
	eval "pid$w=\$!"
done
fails=0
for w in 1 2 3 4 5 6 7 8; do
	eval "wait \$pid$w"
	st=$?
	if [ "$st" != 0 ] || ! grep -q '50 read, 0 created, 0 updated, 50 unchanged, 0 rejected' "$T/w$w.err"; then
		fails=$((fails + 1))
		echo "# writer $w, again: exit $st"
		sed "s/^/# writer $w, again: /" "$T/w$w.err"
	fi
done
is "eight writers again at once: each finds its 50 rows unchanged" "$fails" 0
is "eight writers again at once: still 400" "$(crm-find --db "$T/par.db" --count)" 400
if grep -q 'ERROR: \|runtime error' "$T"/w*.err; then bad=1; else bad=0; fi
is "eight writers: sanitizer clean" "$bad" 0

# --- A missing store, a foreign file, a newer schema -------------------------------------
exits 4 "crm-find on a missing store: exit 4" crm-find --db "$T/missing.db"
like "crm-find on a missing store: the message names it" "$(cat "$T/err")" "^crm-find: .*missing\.db"
ok "crm-find on a missing store does not create it" test ! -e "$T/missing.db"
exits 4 "crm-find --count on a missing store: exit 4" crm-find --count --db "$T/missing.db"

cp "$CRM_DB" "$T/new.db"
sqlite3 "$T/new.db" 'PRAGMA user_version = 99'
before=$(sqlite3 "$T/new.db" 'SELECT * FROM party')
exits 4 "crm-find on a store newer than the program: exit 4" crm-find --db "$T/new.db"
like "a newer store: the message says so" "$(cat "$T/err")" "^crm-find: .*new\.db.*schema 99 is newer"
exits 4 "crm-add on a store newer than the program: exit 4" crm-add --db "$T/new.db" --name 'Too New'
like "crm-add on a newer store: the message says so" "$(cat "$T/err")" "schema 99 is newer"
is "a newer store: left as it was" "$(sqlite3 "$T/new.db" 'SELECT * FROM party'; sqlite3 "$T/new.db" 'PRAGMA user_version')" "$before
99"

printf 'this is not a database, only some text that is long enough to look like a header............\n' >"$T/junk.db"
exits 4 "crm-find on a file that is no SQLite database: exit 4" crm-find --db "$T/junk.db"
like "a file that is no database: the message names it" "$(cat "$T/err")" "junk\.db"
exits 4 "crm-add on a file that is no SQLite database: exit 4" crm-add --db "$T/junk.db" --name X
echo file >"$T/plain"
exits 4 "a store under a regular file: exit 4" crm-add --db "$T/plain/crm.db" --name X
like "a store under a regular file: the message names the path" "$(cat "$T/err")" "plain"

# An old store (schema 0, empty) is migrated when opened.
sqlite3 "$T/old.db" 'PRAGMA user_version = 0'
ok "an empty schema-0 store is migrated" crm-add -q --db "$T/old.db" --name 'Migrated Mo'
is "the migrated store has the current schema" "$(sqlite3 "$T/old.db" 'PRAGMA user_version')" 16


# A writer that cannot get the store within CRM_BUSY_TIMEOUT gives up with
# exit 5 (temporary), and writes nothing.
busy=$T/busy.db
crm-add --db "$busy" -q --no-stdin --name Holder 2>>"$T/stray"
# The holder says when it holds the lock, and keeps it until told to let go:
# no guess of how long either takes on a loaded machine.
mkfifo "$T/letgo"
{ printf "BEGIN IMMEDIATE; INSERT INTO party_tag VALUES (1, 'held');\n.shell touch '%s'\n" "$T/held"
  cat "$T/letgo"; } | sqlite3 "$busy" >/dev/null &
holder=$!
exec 7>"$T/letgo"
i=0
while [ ! -e "$T/held" ] && [ $i -lt 600 ]; do sleep 0.05; i=$((i + 1)); done
CRM_BUSY_TIMEOUT=200 exits 5 "store held by another writer: exit 5" crm-add --db "$busy" -q --no-stdin --name Waiter
like "store busy: the message says so" "$(cat "$T/err")" 'store busy: .*try again'
exec 7>&-
wait "$holder"
is "store busy: nothing written by the writer that gave up" \
	"$(crm-find --db "$busy" --count name=Waiter 2>/dev/null)" 0
ok "store free again: the writer succeeds" crm-add --db "$busy" -q --no-stdin --name Waiter

is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0


# Ids are never given twice: not after an erasure, not after a delete.
export CRM_DB=$T/seq.db
for n in a b c; do crm-add -q --no-stdin --name "$n" --email "$n@seq.example"; done
crm-gdpr-export --erase --subject c@seq.example --reason test >/dev/null 2>&1
run crm-add --no-stdin --name d --email d@seq.example
is "the id of an erased party is not given again" "$(jq .id "$T/out")" 4
sqlite3 "$CRM_DB" 'DELETE FROM party WHERE id = 4'
run crm-add --no-stdin --name e --email e@seq.example
is "nor that of a party deleted by hand" "$(jq .id "$T/out")" 5
printf '{"id":4,"name":"Not D"}\n' >"$T/byid.jsonl"
run crm-add --key id "$T/byid.jsonl"
is "a record naming the erased id by --key id is refused" "$rc/$(crm-find --no-stdin --count name='Not D')" "3/0"
# A store of schema 12: the sequence starts at its highest id.
sqlite3 "$CRM_DB" 'DROP TRIGGER party_seq_ad; DROP TABLE party_seq; PRAGMA user_version = 12'
crm-find --no-stdin --count >/dev/null
is "migrated: the sequence starts at the highest stored id" "$(sqlite3 "$CRM_DB" 'SELECT n FROM party_seq')" 5

finish
