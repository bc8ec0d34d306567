# SPDX-License-Identifier: MIT
# t-bad.sh: bad input of every kind.  Each bad file is refused as a whole
# (exit 3, "FILE:LINE: reason" with the physical line, nothing written,
# nothing on stdout); with --rejects the good rows go in and the bad ones
# go, verbatim, to the rejects file.
. "$(dirname "$0")/lib.sh"
exec </dev/null
# Commands run outside `run` write their stderr to $T/stray: it is shown as
# TAP comments when the script exits, and a sanitizer report in it fails the
# last test.  (The trap also does what the one of lib.sh did.)
exec 2>"$T/stray"
trap 'sed "s/^/# stderr: /" "$T/stray"; rm -rf "$T"' EXIT
# File names in messages are short from here; CRM_BIN may be relative.
PATH=$(cd "$CRM_BIN" && pwd):$PATH
cd "$T" || exit 1

# A store with something in it, so that "unchanged" means something.
crm-add -q --name 'Stored Sam' --email sam@example.org --tag old

# refused DESC FILE LINE REGEX [OPTION...]: crm-add refuses FILE as a whole,
# naming FILE:LINE and a reason matching REGEX.
refused() {
	local d=$1 f=$2 line=$3 re=$4 before
	shift 4
	before=$(store_dump)
	run crm-add "$@" "$f"
	is "$d: exit 3" "$rc" 3
	like "$d: '$f:$line: ...'" "$(cat "$T/err")" "^crm-add: $f:$line: $re"
	is "$d: one line on stderr" "$(wc -l <"$T/err" | tr -d ' ')" 1
	is "$d: nothing on stdout" "$(cat "$T/out")" ""
	is "$d: the store is unchanged" "$(store_dump)" "$before"
}

# CSV: a header, a record of three physical lines, a good record, then the
# bad one on line 6, then a good one.
csv() {
	printf 'name,email,notes,birthdate,kind,id\n'
	printf 'Good One,good1@example.org,"three\nline\nnote",,,\n'
	printf 'Stored Sam,sam@example.org,now updated,,,\n'
	printf '%b\n' "$1"
	printf 'Good Three,good3@example.org,after,,,\n'
}
csv 'Ren\0351 Latin,rene@example.org,x,,,' >latin1.csv
refused "CSV: a Latin-1 byte" latin1.csv 6 "invalid UTF-8 in field 'name' \(Latin-1"
csv 'Nul\0000Byte,nul@example.org,x,,,' >nul.csv
refused "CSV: a raw NUL byte" nul.csv 6 "NUL byte"
csv '"Open Quote,open@example.org,x,,,' >unterminated.csv
refused "CSV: an unterminated quote" unterminated.csv 6 "unterminated quoted field"
csv '"Mal"formed,mal@example.org,x,,,' >malformed2.csv
refused "CSV: text after a closing quote" malformed2.csv 6 "malformed quoted field"
csv 'Too Many,many@example.org,x,,,,extra' >many.csv
refused "CSV: a row with too many fields" many.csv 6 "expected 6 fields, found 7"
csv 'Too Few,few@example.org,x' >few.csv
refused "CSV: a row with too few fields" few.csv 6 "expected 6 fields, found 3"
csv 'Bad Mail,bob@,x,,,' >email.csv
refused "CSV: a bad e-mail" email.csv 6 "invalid e-mail 'bob@'"
csv 'Bad Date,date@example.org,x,1990-02-30,,' >date.csv
refused "CSV: a bad birthdate" date.csv 6 "invalid birthdate '1990-02-30'"
csv 'Slash Date,date@example.org,x,31/12/1990,,' >date2.csv
run crm-add -q --db "$T/slash.db" date2.csv
is "CSV: a slash date is not guessed: kept as text" \
	"$(crm-find --db "$T/slash.db" email=date@example.org --fields birthdate,attrs | jq -c .)" \
	'{"birthdate":null,"attrs":{"birthdate_text":"31/12/1990"}}'
like "CSV: and said once on stderr" "$(cat "$T/err")" 'kept as attributes: birthdate_text'
csv 'Bad Kind,kind@example.org,x,,friend,' >kind.csv
refused "CSV: a bad kind" kind.csv 6 "invalid kind 'friend'"
csv 'Bad Id,id@example.org,x,,,abc' >id.csv
refused "CSV: a bad id" id.csv 6 "invalid id 'abc'"
csv 'Bad Id,id@example.org,x,,,-4' >id2.csv
refused "CSV: a negative id" id2.csv 6 "invalid id '-4'"
csv 'Ctl Char,ctl@example.org,bell\a,,,' >ctl.csv
refused "CSV: a control character" ctl.csv 6 "control character in notes"
printf 'name,e\351mail\nA,a@example.org\n' >header.csv
refused "CSV: a Latin-1 byte in the header" header.csv 1 "header: invalid UTF-8 in column 2"
printf 'name,email\r\n"A\r\nb",a@example.org\r\nOK,ok@example.org\r\n"Bad\r\nMail",bob@\r\n' >crlf.csv
refused "CSV with CRLF: the line of a record after a multi-line one" crlf.csv 5 "invalid e-mail 'bob@'"
printf 'name,email\r\n\r\nA,a@example.org\r\n\r\n\r\nB,bob@\r\n' >blank.csv
refused "CSV: blank lines are counted" blank.csv 6 "invalid e-mail 'bob@'"

printf '\n\nname,email\nA,a@example.org\nB,bob@\n' >lead.csv
refused "CSV: blank lines before the header are counted" lead.csv 5 "invalid e-mail 'bob@'"
printf 'name,email,phone\nA,a@example.org,call me maybe\n' >phone.csv
refused "CSV: a bad phone" phone.csv 2 "invalid phone 'call me maybe'"
printf 'name,email\nGood Gil,gil@example.org\n' >good.csv
before=$(store_dump)
run crm-add good.csv email.csv
is "a good file, then a bad one: exit 3" "$rc" 3
is "a good file, then a bad one: nothing of either is written" "$(store_dump)" "$before"
like "a good file, then a bad one: the bad file named" "$(cat "$T/err")" "^crm-add: email.csv:6: "

# JSON Lines: a good record, a blank line, a good one, then the bad one on
# line 4, then a good one.
jsonl() {
	printf '{"name":"Good One","email":"good1@example.org","notes":"two\\nlines"}\n\n'
	printf '{"name":"Stored Sam","email":"sam@example.org","notes":"now updated"}\n'
	printf '%s\n' "$1"
	printf '{"name":"Good Three","email":"good3@example.org"}\n'
}
jsonl '{"name":"Trunc","email":"trunc@example.org"' >trunc.jsonl
refused "JSONL: a truncated line" trunc.jsonl 4 "invalid JSON"
deep=$(awk 'BEGIN { for (i = 0; i < 10000; i++) printf "["; for (i = 0; i < 10000; i++) printf "]" }')
jsonl "{\"name\":\"Deep\",\"attrs\":{\"x\":$deep}}" >deep.jsonl
refused "JSONL: a line nested 10 000 deep" deep.jsonl 4 "JSON nested deeper than"
jsonl '{"name":"One"}{"name":"Two"}' >two.jsonl
refused "JSONL: two objects on one line" two.jsonl 4 "invalid JSON"
jsonl '{"name":"Trailing"} x' >trailing.jsonl
refused "JSONL: text after the object" trailing.jsonl 4 "invalid JSON"
jsonl '["name","Array"]' >array.jsonl
refused "JSONL: an array, not an object" array.jsonl 4 "an array, not an object"
jsonl '"just a string"' >string.jsonl
refused "JSONL: a string, not an object" string.jsonl 4 "a string, not an object"
jsonl '{"name":"Dup","email":"dup@example.org","name":"Dup Again"}' >dupkey.jsonl
refused "JSONL: a duplicate key" dupkey.jsonl 4 "invalid JSON.*duplicate"
jsonl '{"name":"Tags","tags":[1,2]}' >tags1.jsonl
refused "JSONL: tags holding numbers" tags1.jsonl 4 "field 'tags' must be an array of strings"
jsonl '{"name":"Tags","tags":{"a":"b"}}' >tags2.jsonl
refused "JSONL: tags as an object" tags2.jsonl 4 "field 'tags' must be an array of strings"
jsonl '{"name":"Tags","tags":true}' >tags3.jsonl
refused "JSONL: tags as a boolean" tags3.jsonl 4 "field 'tags' must be an array of strings"
jsonl '{"name":"Attrs","attrs":[1]}' >attrs.jsonl
refused "JSONL: attrs not an object" attrs.jsonl 4 "field 'attrs' must be an object"
jsonl '{"name":{"first":"Obj"}}' >obj.jsonl
refused "JSONL: an object as a field value" obj.jsonl 4 "field 'name' must be a string"
jsonl "$(printf '{"name":"Ren\351"}')" >latin1.jsonl
refused "JSONL: a Latin-1 byte" latin1.jsonl 4 "invalid UTF-8 at column 13"
jsonl '{"name":"Nul"}' | awk 'NR == 4 { printf "{\"name\":\"N%cl\"}\n", 0; next } { print }' >nul.jsonl
refused "JSONL: a raw NUL byte" nul.jsonl 4 "NUL byte at column 11"
jsonl '{"name":"Bad Mail","email":"bob@"}' >email.jsonl
refused "JSONL: a bad e-mail" email.jsonl 4 "invalid e-mail 'bob@'"
jsonl '{"name":"Bad Id","id":"x1"}' >id.jsonl
refused "JSONL: a bad id" id.jsonl 4 "invalid id"
jsonl '{"name":"Bad Id","id":-1}' >id2.jsonl
refused "JSONL: a negative id" id2.jsonl 4 "invalid id"
jsonl '{"name":"Bad Kind","kind":"friend"}' >kind.jsonl
refused "JSONL: a bad kind" kind.jsonl 4 "invalid kind 'friend'"
jsonl '{"name":"Bad Date","birthdate":"2001-13-01"}' >date.jsonl
refused "JSONL: a bad birthdate" date.jsonl 4 "invalid birthdate '2001-13-01'"
jsonl '{"city":"Nowhere"}' >noname.jsonl
refused "JSONL: a record with nothing to identify it" noname.jsonl 4 "record has no name, e-mail"
jsonl '{"name":"Bad Created","created":"yesterday"}' >created.jsonl
refused "JSONL: a bad created time" created.jsonl 4 "invalid created 'yesterday'"
brackets=$(awk 'BEGIN { for (i = 0; i < 100; i++) printf "[{" }')
printf '{"name":"Back\\\\","notes":"%s","email":"brackets@example.org"}\n' "$brackets" >brackets.jsonl
ok "JSONL: brackets inside strings are no nesting" crm-add -q brackets.jsonl
is "JSONL: brackets inside strings come back" "$(crm-find email=brackets@example.org | jq -r '.name + .notes')" "Back\\$brackets"

# Sizes: a field may hold 1 MiB, not more; a record may not pass 16 MiB.
awk 'BEGIN { s = "xxxxxxxxxxxxxxxx"; while (length(s) < 1048576) s = s s; print "name,notes"; print "Big Bea," s }' >mib.csv
ok "a field of exactly 1 MiB is accepted" crm-add -q mib.csv
is "a field of exactly 1 MiB comes back whole" "$(crm-find name='Big Bea' | jq -r '.notes | length')" 1048576
awk 'BEGIN { s = "xxxxxxxxxxxxxxxx"; while (length(s) < 1048576) s = s s; print "name,email,notes"; print "Ok Olga,olga@example.org,short"; print "Big Bob,bigbob@example.org," s "x" }' >big.csv
refused "CSV: a field over 1 MiB" big.csv 3 "notes longer than 1048576 bytes"
head -c $((17 << 20)) /dev/zero | tr '\0' y >huge
{ printf 'name,notes\nFirst,ok\n"Huge,'; cat huge; printf '"\nAfter,ok\n'; } >huge.csv
{ printf '{"name":"First"}\n{"name":"Huge","notes":"'; cat huge; printf '"}\n{"name":"After"}\n'; } >huge.jsonl
rm -f huge
before=$(store_dump)
run timeout 120 crm-add huge.csv
is "CSV: a record over 16 MiB: exit 3 (no hang)" "$rc" 3
like "CSV: a record over 16 MiB: the line and the reason" "$(cat "$T/err")" "^crm-add: huge.csv:3: record longer than 16777216 bytes"
is "CSV: a record over 16 MiB: nothing on stdout" "$(cat "$T/out")" ""
is "CSV: a record over 16 MiB: the store is unchanged" "$(store_dump)" "$before"
run timeout 120 crm-add --rejects huge.rej huge.csv
is "CSV: a record over 16 MiB, --rejects: exit 0" "$rc" 0
is "CSV: a record over 16 MiB, --rejects: the records after it are read" \
	"$(crm-find name=After --count)/$(grep -c '^# huge.csv:3: record longer' huge.rej)" 1/1
run timeout 120 crm-add huge.jsonl
is "JSONL: a line over 16 MiB: exit 3 (no hang)" "$rc" 3
like "JSONL: a line over 16 MiB: the line and the reason" "$(cat "$T/err")" "^crm-add: huge.jsonl:2: line longer than 16777216 bytes"
rm -f huge.csv huge.jsonl huge.rej

# --- --rejects ----------------------------------------------------------------------
rm -f "$CRM_DB"*
crm-add -q --name 'Stored Sam' --email sam@example.org --tag old
printf 'name,email,city\r\n' >mixed.csv
printf 'Good One,good1@example.org,Paris\r\n' >>mixed.csv
printf 'Bad Mail,bob@,Lyon\r\n' >>mixed.csv
printf '"Multi\r\nLine",multi@example.org,"Saint-\r\nDenis",extra\r\n' >>mixed.csv
printf 'Stored Sam,sam@example.org,Nantes\r\n' >>mixed.csv
printf 'Stored Sam,sam@example.org,Nantes\r\n' >>mixed.csv
printf 'Ren\351,rene@example.org,Brest\r\n' >>mixed.csv
printf 'Good Two,good2@example.org,Metz\r\n' >>mixed.csv
umask 022
echo stale >mixed.rej
chmod 644 mixed.rej
run crm-add --force --rejects mixed.rej mixed.csv
is "--rejects: exit 0" "$rc" 0
like "--rejects: the summary counts every row" "$(cat "$T/err")" \
	"crm-add: 7 read, 2 created, 1 updated, 1 unchanged, 3 rejected"
sum=$(sed -n 's/.* \([0-9]*\) read, \([0-9]*\) created, \([0-9]*\) updated, \([0-9]*\) unchanged, \([0-9]*\) rejected/\1 = \2 + \3 + \4 + \5/p' "$T/err")
is "--rejects: read = created + updated + unchanged + rejected" "$(echo "$sum" | awk '{ print ($1 == $3 + $5 + $7 + $9) ? "yes" : $0 }')" yes
is "--rejects: the good rows are written" "$(crm-find --count)" 3
is "--rejects: the good rows are printed" "$(jq -r .name "$T/out" | paste -sd, -)" "Good One,Stored Sam,Stored Sam,Good Two"
is "--rejects --force: the rejects file is mode 0600 (umask 022, file existed 0644)" "$(stat -c %a mixed.rej)" 600
printf 'name,email,city\r\n# mixed.csv:3: invalid e-mail %s\nBad Mail,bob@,Lyon\r\n# mixed.csv:4: expected 3 fields, found 4\n"Multi\r\nLine",multi@example.org,"Saint-\r\nDenis",extra\r\n# mixed.csv:9: invalid UTF-8 in field %s (Latin-1 or Windows-1252? read it with --encoding cp1252 or latin1)\nRen\351,rene@example.org,Brest\r\n' \
	"'bob@'" "'name'" >want.rej
if cmp -s mixed.rej want.rej; then same=yes; else same=no; diff want.rej mixed.rej | sed 's/^/# /'; fi
is "--rejects: the header, then each reason and the verbatim record" "$same" yes
sed -e 's/bob@,/bob@example.org,/' -e 's/,extra\r$/\r/' -e 's/Ren\xe9/René/' mixed.rej >fixed.rej
run sh -c "grep -v '^#' fixed.rej | crm-add"
is "--rejects: the fixed rejects re-import: exit 0" "$rc" 0
like "--rejects: the fixed rejects re-import: all created" "$(cat "$T/err")" "3 read, 3 created, 0 updated, 0 unchanged, 0 rejected"
is "--rejects: every row is in the store now" "$(crm-find --count)" 6
is "--rejects: the multi-line record kept its line break" "$(crm-find email=multi@example.org | jq -c .city)" '"Saint-\r\nDenis"'

umask 000
rm -f "$CRM_DB"*
jsonl '{"name":"Bad Mail","email":"bob@"}' >j.jsonl
printf '[1]\n{"name":"Dup","name":"Dup"}\n' >>j.jsonl
run crm-add -q --rejects j.rej j.jsonl
is "--rejects, JSONL: exit 0" "$rc" 0
is "--rejects, JSONL: the rejects file is mode 0600 under umask 000" "$(stat -c %a j.rej)" 600
is "--rejects, JSONL: good rows written" "$(crm-find --count)" 3
is "--rejects, JSONL: no header, each reason and verbatim line" "$(cat j.rej)" \
	"# j.jsonl:4: invalid e-mail 'bob@'
{\"name\":\"Bad Mail\",\"email\":\"bob@\"}
# j.jsonl:6: an array, not an object: each line is one record, a JSON object
[1]
# j.jsonl:7: invalid JSON at column 20: duplicate object key near '\"name\"'"'
{"name":"Dup","name":"Dup"}'
umask 022
run sh -c 'cat j.jsonl | crm-add -q --rejects j2.rej'
is "--rejects, from stdin: the file is named '-'" "$(grep '^#' j2.rej | head -1)" "# -:4: invalid e-mail 'bob@'"
printf 'name,email\nA,a@example.org\n' >clean.csv
run crm-add -q --rejects clean.rej clean.csv
is "--rejects with no bad row: no record in the file" "$(grep -vc '^name,email$' clean.rej)" 0
# A bad header leaves nothing to read the rows by: no row may be lost.
rm -f "$CRM_DB"*
printf 'name,e\351mail\nAnn Row,ann@example.org\nBob Row,bob@example.org\n' >badhead.csv
run crm-add --rejects badhead.rej badhead.csv
stored=$(crm-find --fields name 2>/dev/null | jq -r .name | paste -sd, -)
if [ "$rc" = 3 ] && [ -z "$stored" ]; then lost=none
elif grep -aq '^Ann Row,ann@example.org$' badhead.rej && grep -aq '^Bob Row,bob@example.org$' badhead.rej; then lost=none
else lost="exit $rc, stored '$stored', rejects: $(grep -av '^#' badhead.rej | paste -sd'|' -)"; fi
is "--rejects with a bad CSV header: every row refused or rejected, none taken for a header" "$lost" none
is "--rejects with a bad CSV header: no row read as column names" "$(grep -c 'kept as attributes: Ann Row' "$T/err")" 0

# The rejects file must not clobber an input.
printf 'name,email\nA,a@example.org\nB,bob@\n' >same.csv
cp same.csv same.orig
run crm-add --rejects same.csv same.csv
is "--rejects naming the input file: the input is left whole" "$(cmp -s same.csv same.orig && echo whole)" whole
is "--rejects naming the input file: refused, exit 2" "$rc" 2

exits 4 "--rejects into a directory that does not exist: exit 4" crm-add --rejects nodir/x.rej clean.csv
like "--rejects into a directory that does not exist: message" "$(cat "$T/err")" "nodir/x.rej"


is "no sanitizer report from the commands run outside 'run'" \
	"$(grep -cE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/stray")" 0

finish
