# SPDX-License-Identifier: MIT
# t-output.sh: every file the programs write (--rejects of crm-add and
# crm-log --import, crm-gdpr-export -o and --portable, crm-report --html)
# is made the same way: never through a symbolic link, never over an
# existing file unless --force says so, never one of the store's files,
# mode 0600, written whole under a temporary name; the messages of a full
# disk and of JSON that is not an object.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1
umask 000

sum() { sha256sum "$1" | cut -d' ' -f1; }
# Files beside PATH with a temporary name (PATH.XXXXXX) left behind.
leftovers() { find "$(dirname "$1")" -maxdepth 1 -name "$(basename "$1").??????" | wc -l | tr -d ' '; }

crm-add -q --name 'Ann Output' --email ann.output@example.org --ext-id ANN-1
crm-add -q --name 'Gus Gone' --email gus.gone@example.org
crm-gdpr-export --erase --subject gus.gone@example.org --reason 'Art. 17 request' >/dev/null 2>&1
printf 'name,email\nBen Row,ben.row@example.org\nBad Row,bad@\n' >in.csv
printf 'email,type,at\nann.output@example.org,call,2026-01-02T10:00:00Z\nnobody,call,2026-01-02T10:00:00Z\n' >ev.csv
ok "the store's key exists" test -s "$CRM_DB.key"
ok "the store's suppression ledger exists" test -s "$CRM_DB.suppress"

# One command line for each program and output option; $1 is the path.
write_rejects_add() { crm-add -q "${@:2}" --rejects "$1" in.csv; }
write_rejects_log() { crm-log -q --import "${@:2}" --rejects "$1" ev.csv; }
write_export() { crm-gdpr-export --subject ann.output@example.org --register /nonexistent -o "$1"; }
write_html() { crm-report "${@:2}" --html "$1" summary; }
ways="write_rejects_add write_rejects_log write_export write_html"
# Those with --force.
forced="write_rejects_add write_rejects_log write_html"

for w in $ways; do
	# A new file: written, 0600 under umask 000, no temporary file left.
	rm -f out.new
	run $w out.new
	is "$w: a new file: exit 0" "$rc" 0
	is "$w: a new file: mode 0600 under umask 000" "$(stat -c %a out.new 2>&1)" 600
	ok "$w: a new file: not empty" test -s out.new
	is "$w: a new file: no temporary file left" "$(leftovers out.new)" 0

	# A symbolic link at the path: refused, its target whole, its mode kept.
	echo 'precious' >target.txt
	chmod 644 target.txt
	ln -sf target.txt link.out
	before=$(sum target.txt)
	run $w link.out
	is "$w: a symbolic link at the path: exit 2" "$rc" 2
	like "$w: a symbolic link at the path: said" "$(cat "$T/err")" "link.out: exists; not overwritten"
	is "$w: a symbolic link: its target untouched" "$(sum target.txt)" "$before"
	is "$w: a symbolic link: its target's mode unchanged" "$(stat -c %a target.txt)" 644
	is "$w: a symbolic link: still a link" "$(test -L link.out && echo link)" link
	is "$w: a symbolic link: no temporary file left" "$(leftovers link.out)" 0
	# A dangling link: the file it names is not made.
	ln -sf made-through-link.txt dangling.out
	run $w dangling.out
	is "$w: a dangling symbolic link: exit 2" "$rc" 2
	is "$w: a dangling symbolic link: nothing made through it" "$(test -e made-through-link.txt && echo made)" ""

	# An existing file: refused, untouched.
	echo 'old contents' >old.out
	chmod 640 old.out
	before=$(sum old.out)
	run $w old.out
	is "$w: an existing file: exit 2" "$rc" 2
	like "$w: an existing file: said" "$(cat "$T/err")" "old.out: exists; not overwritten"
	is "$w: an existing file: untouched" "$(sum old.out)" "$before"
	is "$w: an existing file: mode unchanged" "$(stat -c %a old.out)" 640
	is "$w: an existing file: no temporary file left" "$(leftovers old.out)" 0

	# Each of the store's files: refused, by name or by inode, untouched.
	ln -f "$CRM_DB.key" keylink
	for f in "$CRM_DB:the store" "$CRM_DB.key:the store's key" \
		"$CRM_DB.suppress:the store's suppression ledger" "$T/./crm.db:the store" \
		"keylink:the store's key" "$CRM_DB-journal:the store's rollback journal" \
		"$CRM_DB-wal:the store's write-ahead log" "$CRM_DB-shm:the store's shared-memory index"; do
		p=${f%%:*} what=${f#*:}
		if [ -e "$p" ]; then before=$(sum "$p"); else before=absent; fi
		run $w "$p"
		is "$w: $(basename "$p") ($what): exit 2" "$rc" 2
		like "$w: $(basename "$p"): the message names it" "$(cat "$T/err")" "$(basename "$p"): is $what; not written"
		if [ -e "$p" ]; then after=$(sum "$p"); else after=absent; fi
		is "$w: $(basename "$p"): untouched" "$after" "$before"
		is "$w: $(basename "$p"): no temporary file left" "$(leftovers "$p")" 0
	done
	is "$w: the store still reads" "$(crm-find --count 2>&1)" "$(crm-find --count 2>/dev/null)"
done

# With --force an existing file is replaced whole, and a link replaced, not followed.
for w in $forced; do
	echo 'old contents' >old.out
	chmod 644 old.out
	run $w old.out --force
	is "$w --force: an existing file: exit 0" "$rc" 0
	is "$w --force: an existing file: replaced" "$(grep -c 'old contents' old.out)" 0
	is "$w --force: an existing file: now 0600" "$(stat -c %a old.out)" 600
	echo 'precious' >target.txt
	chmod 644 target.txt
	before=$(sum target.txt)
	ln -sf target.txt link.out
	run $w link.out --force
	is "$w --force: a symbolic link: exit 0" "$rc" 0
	is "$w --force: a symbolic link: its target untouched" "$(sum target.txt)" "$before"
	is "$w --force: a symbolic link: its target's mode unchanged" "$(stat -c %a target.txt)" 644
	is "$w --force: a symbolic link: replaced by a file" "$(test -L link.out || test -f link.out && echo file)" file
	before=$(sum "$CRM_DB.key")
	run $w "$CRM_DB.key" --force
	is "$w --force: the store's key: still refused, exit 2" "$rc" 2
	is "$w --force: the store's key: untouched" "$(sum "$CRM_DB.key")" "$before"
done
exits 2 "crm-add --force without --rejects: exit 2" crm-add --force --name X
exits 2 "crm-log --force without --rejects: exit 2" crm-log --import --force ev.csv

# While another program holds the store, its -wal and -shm exist: refused by inode.
( echo 'BEGIN; SELECT count(*) FROM sqlite_schema;'; sleep 30 ) | sqlite3 "$CRM_DB" >/dev/null &
holder=$!
for _ in $(seq 50); do [ -e "$CRM_DB-shm" ] && break; sleep 0.1; done
ok "a reader holds the store: its -shm exists" test -e "$CRM_DB-shm"
for sfx in -wal -shm; do
	[ -e "$CRM_DB$sfx" ] || continue
	ln -f "$CRM_DB$sfx" "alias$sfx"
	before=$(sum "$CRM_DB$sfx")
	run crm-add -q --rejects "alias$sfx" in.csv
	is "--rejects, a hard link to the store's $sfx: exit 2" "$rc" 2
	is "--rejects, a hard link to the store's $sfx: untouched" "$(sum "$CRM_DB$sfx")" "$before"
	rm -f "alias$sfx"
done
kill "$holder" 2>/dev/null
wait "$holder" 2>/dev/null

# A failure after the file was begun leaves nothing, not even its temporary file.
run crm-report --html late.html no-such-report
is "crm-report --html with a bad report: exit 2" "$rc" 2
is "crm-report --html with a bad report: no page, no temporary file" "$(ls late.html* 2>/dev/null | wc -l | tr -d ' ')" 0
run crm-gdpr-export --subject ann.output@example.org --db "$T/none.db" -o late.json
is "crm-gdpr-export -o with no store: exit 4" "$rc" 4
is "crm-gdpr-export -o with no store: no file, no temporary file" "$(ls late.json* 2>/dev/null | wc -l | tr -d ' ')" 0
printf '{"name":"Cat Line","email":"cat@example.org"}\n{"name": 3' >broken.jsonl
run crm-add -q --rejects late.rej broken.jsonl --input-format jsonl
ls late.rej* >/dev/null 2>&1 && left=yes || left=no
if [ "$rc" = 0 ]; then is "--rejects with a bad last line: written" "$left" yes
else is "--rejects, crm-add failed (exit $rc): no file, no temporary file" "$left" no; fi

# --portable: every file 0600; a directory with one of them, or a link, refused.
run crm-gdpr-export --subject ann.output@example.org --portable port
is "--portable: exit 0" "$rc" 0
is "--portable: each file 0600 under umask 000" "$(stat -c %a port/* | sort -u | paste -sd, -)" 600
is "--portable: the four files and the manifest, nothing else" "$(ls port | paste -sd, -)" \
	"events.csv,events.jsonl,manifest.json,parties.csv,parties.jsonl"
mkdir port2
echo 'precious' >target.txt
chmod 644 target.txt
before=$(sum target.txt)
ln -s ../target.txt port2/events.csv
run crm-gdpr-export --subject ann.output@example.org --portable port2
is "--portable, a symbolic link in the directory: exit 2" "$rc" 2
like "--portable, a symbolic link in the directory: said" "$(cat "$T/err")" "port2/events.csv: exists; not overwritten"
is "--portable, a symbolic link: its target untouched" "$(sum target.txt)" "$before"
is "--portable, a symbolic link: its target's mode unchanged" "$(stat -c %a target.txt)" 644
is "--portable, refused: nothing else made, no temporary file" "$(ls port2 | paste -sd, -)" events.csv
# The store's directory as --portable with a store named like one of its files.
mkdir side
crm-add -q --db side/parties.jsonl --name 'Dee Side' --email dee@example.org
before=$(sum side/parties.jsonl)
run crm-gdpr-export --db side/parties.jsonl --subject dee@example.org --portable side
is "--portable over the store itself: exit 2" "$rc" 2
like "--portable over the store itself: said" "$(cat "$T/err")" "parties.jsonl: (is the store|exists)"
is "--portable over the store itself: the store untouched" "$(sum side/parties.jsonl)" "$before"
is "--portable over the store itself: no file made" "$(ls side | grep -vc '^parties\.jsonl')" 0

# --rejects before anything: a dry run refuses the store's files too.
before=$(sum "$CRM_DB.key")
exits 2 "--rejects the key with --dry-run: exit 2" crm-add -q --dry-run --rejects "$CRM_DB.key" in.csv
is "--rejects the key with --dry-run: untouched" "$(sum "$CRM_DB.key")" "$before"
# A store that does not exist yet: its file-to-be is refused, and no store is made.
exits 2 "--rejects naming a store not yet made: exit 2" crm-add -q --db new/x.db --rejects new/x.db in.csv
is "--rejects naming a store not yet made: no store made" "$(test -e new/x.db && echo made)" ""

# Spooled output: an unlinked file, nothing left in the temporary directory.
mkdir spool
TMPDIR=$T/spool run crm-add --name 'Eve Spool' --email eve.spool@example.org
is "spooled output: exit 0" "$rc" 0
is "spooled output: printed" "$(jq -r .name "$T/out")" "Eve Spool"
is "spooled output: no file left in TMPDIR" "$(ls -A spool | wc -l | tr -d ' ')" 0

# While it runs, the spool is an unlinked file of mode 0600.
mkfifo slow.csv
crm-add slow.csv >/dev/null 2>&1 &
adder=$!
spool=
for _ in $(seq 100); do
	spool=$(for fd in /proc/$adder/fd/*; do l=$(readlink "$fd") && case $l in *crm-spool*) echo "$fd $l";; esac; done 2>/dev/null | head -1)
	[ -n "$spool" ] && break
	sleep 0.1
done
like "the spool of a running crm-add: unlinked" "$spool" "crm-spool\.[A-Za-z0-9]{6} \(deleted\)$"
is "the spool of a running crm-add: mode 0600 under umask 000" "$(stat -L -c %a "${spool%% *}" 2>&1)" 600
printf 'name,email\nFay Fifo,fay.fifo@example.org\n' >slow.csv
wait "$adder"
is "the spooled crm-add ends well" "$?" 0

# --- messages -----------------------------------------------------------------------
echo '[1]' >arr.jsonl
run crm-add --input-format jsonl arr.jsonl
is "a JSONL line that is an array: exit 3" "$rc" 3
like "a JSONL line that is an array: not an object" "$(cat "$T/err")" "arr.jsonl:1: a number, not an object"
run sh -c 'echo "\"x\"" | crm-add --input-format jsonl'
like "a JSONL line that is a string: not an object" "$(cat "$T/err")" "-:1: a string, not an object"
is "a JSONL line that is a string: not 'invalid JSON'" "$(grep -c 'invalid JSON' "$T/err")" 0
run sh -c 'echo "[{\"name\":\"x\"},3]" | crm-add'
like "a JSON array's second element a number: not an object" "$(cat "$T/err")" "a number, not an object"
printf '{"name":"Nul \\u0000 Byte"}\n' >nul.jsonl
run crm-add nul.jsonl
is "\\u0000 in JSON: exit 3" "$rc" 3
is "\\u0000 in JSON: no flag name of the JSON library" "$(grep -c 'JSON_' "$T/err")" 0
like "\\u0000 in JSON: said plainly" "$(cat "$T/err")" 'NUL character\) is not allowed'
printf '[{"name":"Nul \\u0000 Byte"}]\n' >nul2.json
run crm-add nul2.json
is "\\u0000 in a JSON array: no flag name" "$(grep -c 'JSON_' "$T/err")" 0
printf '\377\376\0\0n\0\0\0a\0\0\0m\0\0\0e\0\0\0\n\0\0\0\377\377\377\177\n\0\0\0' >u32.csv
run crm-add u32.csv
is "malformed UTF-32: exit 3" "$rc" 3
like "malformed UTF-32: says UTF-32" "$(cat "$T/err")" "u32.csv:2: not valid UTF-32LE"

# A full disk says so (a small file system of its own; root only).
mkdir full
if [ "$(id -u)" = 0 ] && mount -t tmpfs -o size=512k tmpfs full 2>/dev/null; then
	awk 'BEGIN { print "name,email,notes"; for (i = 0; i < 4000; i++) printf "P%d,p%d@example.org,%0200d\n", i, i, 0 }' >big.csv
	run crm-add -q --db full/crm.db big.csv
	is "a full disk: exit 4" "$rc" 4
	like "a full disk: says the disk is full, naming the store" "$(cat "$T/err")" "full/crm.db: the disk is full \\(no space left on the device\\)"
	is "a full disk: not 'disk I/O error'" "$(grep -c 'disk I/O error' "$T/err")" 0
	umount full
	# An output file on a full disk: said, and nothing left there.
	mount -t tmpfs -o size=256k tmpfs full
	awk 'BEGIN { print "name,email,notes"; for (i = 0; i < 3000; i++) printf "P%d,bad%d@,%0200d\n", i, i, 0 }' >bad.csv
	run crm-add -q --dry-run --rejects full/bad.rej bad.csv
	is "--rejects on a full disk: exit 4" "$rc" 4
	like "--rejects on a full disk: says the disk is full" "$(cat "$T/err")" "full/bad.rej: the disk is full \\(no space left on the device\\)"
	is "--rejects on a full disk: no file, no temporary file" "$(ls -A full | wc -l | tr -d ' ')" 0
	umount full
else
	echo "ok $((tests + 1)) # skip a full disk needs root and tmpfs"; tests=$((tests + 1))
fi

finish
