# SPDX-License-Identifier: MIT
# t-vcard.sh: crm-find --format vcard writes vCard 4.0 (RFC 6350): CRLF,
# lines folded at 75 octets without cutting a character, text escaped,
# every field that vCard has a property for, the others under X-CRM-;
# crm-add reads vCard 2.1, 3.0 and 4.0 as phones and address books write
# them, and a round trip gives the same parties.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

long="Met at the fair in Lille, then again in Köln; she wants a quote for 12 seats — ééééééééééééé, and more."
printf '%s\n' \
	"{\"name\":\"Zoë Müller\",\"first_name\":\"Zoë\",\"last_name\":\"Müller\",\"email\":\"zoe@example.org\",\"phone\":\"+33 6 12 34 56 78\",\"org\":\"Acme; Inc, Paris\",\"title\":\"CTO\",\"city\":\"Köln\",\"postcode\":\"50667\",\"country\":\"DE\",\"birthdate\":\"1990-03-01\",\"gender\":\"female\",\"notes\":\"$long\\nSecond line\",\"tags\":[\"vip\",\"a,b\"],\"attrs\":{\"plan\":\"gold\",\"seats\":12},\"ext_id\":\"SF-1\"}" \
	'{"type":"organization","name":"Acme","kind":"partner"}' \
	'{"email":"anon@example.org","birthdate":"--05-12","gender":"nonbinary"}' >people.jsonl
crm-add -q people.jsonl
ok "--format vcard" crm-find --format vcard
cp "$T/out" all.vcf
is "three cards" "$(grep -c '^BEGIN:VCARD' all.vcf)/$(grep -c '^END:VCARD' all.vcf)" "3/3"
is "version 4.0 after BEGIN" "$(grep -A1 '^BEGIN:VCARD' all.vcf | grep -c '^VERSION:4.0')" 3
is "every line ends in CRLF" "$(grep -vc $'\r$' all.vcf)" 0
is "no line over 75 octets" "$(tr -d '\r' <all.vcf | awk 'length($0) > 75' | LC_ALL=C wc -l | tr -d ' ')" 0
is "every physical line is UTF-8 (no character cut by folding)" \
	"$(tr -d '\r' <all.vcf | while IFS= read -r l; do printf '%s\n' "$l" | iconv -f UTF-8 -t UTF-8 >/dev/null 2>&1 || echo bad; done | wc -l | tr -d ' ')" 0
# Unfolded: a CRLF followed by a space joins the lines.
unfold() { tr -d '\r' <all.vcf | awk 'NR > 1 && /^ / { printf "%s", substr($0, 2); next } NR > 1 { print "" } { printf "%s", $0 } END { print "" }'; }
unfold >flat.vcf
is "FN" "$(grep -m1 '^FN:' flat.vcf)" 'FN:Zoë Müller'
is "N: family; given" "$(grep -m1 '^N:' flat.vcf)" 'N:Müller;Zoë;;;'
is "text escaped: semicolon and comma" "$(grep '^ORG:' flat.vcf | head -1)" 'ORG:Acme\; Inc\, Paris'
is "a note: commas, line breaks escaped, folded and unfolded whole" "$(grep '^NOTE:' flat.vcf)" \
	"NOTE:$(printf '%s' "$long" | sed 's/,/\\,/g; s/;/\\;/g')\\nSecond line"
is "the address: locality, postal code, country" "$(grep '^ADR:' flat.vcf)" 'ADR:;;;Köln;;50667;DE'
is "BDAY" "$(grep '^BDAY:' flat.vcf | paste -sd' ' -)" 'BDAY:19900301 BDAY:--0512'
is "GENDER" "$(grep '^GENDER:' flat.vcf | paste -sd' ' -)" 'GENDER:F GENDER:O;nonbinary'
is "tags as categories, a comma in a tag escaped" "$(grep '^CATEGORIES:' flat.vcf)" 'CATEGORIES:a\,b,vip'
is "an organization" "$(grep -c '^KIND:org' flat.vcf)" 1
is "FN from the e-mail when there is no name" "$(grep -c '^FN:anon@example.org' flat.vcf)" 1
is "the kind, ext_id and attributes under X-CRM-" \
	"$(grep '^X-CRM-' flat.vcf | head -3 | paste -sd' ' -)" 'X-CRM-KIND:lead X-CRM-EXT-ID:SF-1 X-CRM-ATTRS:{"plan":"gold"\,"seats":12}'
is "a stable UID per party" "$(grep -c '^UID:urn:crm:party:[0-9]*$' flat.vcf)" 3
run sh -c 'crm-find tag:vip --format vcard | grep -c "^BEGIN:VCARD"'
is "a search as an address book" "$(cat "$T/out")" 1
exits 2 "--fields with vcard: exit 2" crm-find --format vcard --fields name
exits 2 "events are no vCards: exit 2" crm-log --list --format vcard
exits 2 "reports are no vCards: exit 2" crm-report by kind --format vcard

# The round trip: out, into an empty store, the same parties.
ok "crm-add reads them back" crm-add -q --db "$T/back.db" all.vcf
same() { crm-find --db "$1" | jq -c 'del(.id, .created, .updated, .org_id)'; }
is "the same parties" "$(same "$T/back.db")" "$(same "$CRM_DB")"
ok "again: nothing new" crm-add --db "$T/back.db" all.vcf
like "all unchanged" "$(cat "$T/err")" '3 read, 0 created, 0 updated, 3 unchanged'

# vCard 2.1 from an old phone: quoted-printable with soft line breaks, a
# CHARSET, several e-mails and phones, a photo that is not kept.
printf 'BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=ISO-8859-1;ENCODING=QUOTED-PRINTABLE:M=FCller;J=F6rg\r\nFN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:J=C3=B6rg M=C3=BCller\r\nNOTE;ENCODING=QUOTED-PRINTABLE:Met at the fair in K=C3=B6ln, a long note that =\r\ngoes on=0D=0Aand on\r\nTEL;CELL:+49 171 1234567\r\nTEL;WORK;VOICE:+49 221 555\r\nEMAIL;INTERNET;PREF:joerg@example.de\r\nEMAIL;INTERNET:j.mueller@work.example\r\nPHOTO;ENCODING=BASE64;TYPE=JPEG:/9j/4AAQSkZJRgABAQAAAQABAAD\r\n AAAAAAAAAAAAAAAAAAA\r\n\r\nBDAY:19750412\r\nEND:VCARD\r\n' >v21.vcf
run crm-add --dry-run v21.vcf
is "2.1: quoted-printable in UTF-8" "$(jq -r .name "$T/out")" 'Jörg Müller'
is "2.1: quoted-printable in ISO-8859-1" "$(jq -r '[.last_name, .first_name] | join(",")' "$T/out")" 'Müller,Jörg'
is "2.1: a soft line break, and a CRLF inside" "$(jq -r .notes "$T/out")" "$(printf 'Met at the fair in Köln, a long note that goes on\r\nand on')"
is "the first e-mail and phone are the party's" "$(jq -r '[.email, .phone] | join(" ")' "$T/out")" 'joerg@example.de +49 171 1234567'
is "the others in attrs.emails and attrs.phones" "$(jq -c '[.attrs.emails, .attrs.phones]' "$T/out")" '[["j.mueller@work.example"],["+49 221 555"]]'
is "no photo kept" "$(jq -c '.attrs | has("photo")' "$T/out")" false
is "BDAY as a date" "$(jq -r .birthdate "$T/out")" 1975-04-12

# vCard 3.0 from an address book: item groups, labels, a folded line.
printf 'BEGIN:VCARD\nVERSION:3.0\nPRODID:-//Apple Inc.//iPhone OS 17//EN\nN:Ødegård;Søren;;;\nFN:Søren Ødegård\nORG:Nordic Fish AS;Sales\nitem1.EMAIL;type=INTERNET;type=pref:soren@nordic.example\nitem1.X-ABLabel:_$!<Work>!$_\nitem2.TEL;type=CELL:+47 912 34 567\nitem3.ADR;type=WORK:;;Bryggen 1;Bergen;;5003;Norway\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-08-23\nCATEGORIES:Suppliers,Fish\\, fresh\nURL:https://nordic.example\nNOTE:First line\\nSecond line\, with a comma\nEND:VCARD\n' >v30.vcf
run crm-add --dry-run v30.vcf
is "3.0: names" "$(jq -r '[.name, .first_name, .last_name, .org] | join("|")' "$T/out")" 'Søren Ødegård|Søren|Ødegård|Nordic Fish AS'
is "3.0: grouped properties" "$(jq -r '[.email, .phone, .city, .postcode, .country] | join("|")' "$T/out")" 'soren@nordic.example|+47 912 34 567|Bergen|5003|Norway'
is "3.0: categories as tags, an escaped comma kept" "$(jq -c .tags "$T/out")" '["Fish, fresh","Suppliers"]'
is "3.0: escaped text" "$(jq -r .notes "$T/out")" "$(printf 'First line\nSecond line, with a comma')"
is "3.0: other properties as attributes" "$(jq -r .attrs.url "$T/out")" 'https://nordic.example'

# vCard 4.0: a fold that cuts a UTF-8 character in two; a birthday without a year.
printf 'BEGIN:VCARD\r\nVERSION:4.0\r\nFN:Ren\xc3\r\n \xa9e Dupr\xc3\xa9\r\nEMAIL:renee@example.fr\r\nBDAY:--0412\r\nGENDER:F\r\nUID:urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1\r\nEND:VCARD\r\n' >v40.vcf
run crm-add --dry-run v40.vcf
is "4.0: a fold inside a character" "$(jq -r .name "$T/out")" 'Renée Dupré'
is "4.0: a birthday without a year" "$(jq -r .birthdate "$T/out")" '--04-12'
is "4.0: GENDER" "$(jq -r .gender "$T/out")" female
is "4.0: a UID from elsewhere is the ext_id" "$(jq -r .ext_id "$T/out")" 'urn:uuid:4fbe8971-0bc3-424c-9c26-36c3e1eff6b1'
run sh -c 'cat v21.vcf v30.vcf v40.vcf | crm-add --dry-run'
is "several cards on standard input, found by their first line" "$(grep -c '^{' "$T/out")" 3
ok "--input-format vcard" crm-add --dry-run --input-format vcard v40.vcf

# Bad cards: the line, exit 3, nothing written.
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:No End\n' >noend.vcf
exits 3 "no END:VCARD: exit 3" crm-add --db "$T/bad.db" noend.vcf
like "says so" "$(cat "$T/err")" 'noend\.vcf:1: no END:VCARD'
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Ann\nthis is no property\nEND:VCARD\n' >noprop.vcf
exits 3 "a line that is no property: exit 3" crm-add --db "$T/bad.db" noprop.vcf
like "names its line" "$(cat "$T/err")" 'noprop\.vcf:4: not a vCard property'
printf 'BEGIN:VCARD\nFN:Bad\xe9\nEND:VCARD\n' >latin.vcf
exits 3 "a value that is not UTF-8 without a CHARSET: exit 3" crm-add --db "$T/bad.db" latin.vcf
is "nothing written" "$(crm-find --db "$T/bad.db" --count 2>/dev/null)" 0
exits 3 "crm-log reads no vCard: exit 3" crm-log --import v40.vcf
exits 3 "nor with --rejects: the input ends at once" crm-log --import --rejects rj.vcf v40.vcf
like "said once" "$(grep -c 'vCards hold parties' "$T/err")" '^1$'
printf 'BEGIN:VCARD\nFN:Ann\0x\nEND:VCARD\n' >nul.vcf
exits 3 "a NUL byte in a card: exit 3" crm-add --db "$T/bad.db" nul.vcf
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Deep\nX-CRM-ATTRS:%s1%s\nEND:VCARD\n' "$(printf '[%.0s' $(seq 40))" "$(printf ']%.0s' $(seq 40))" >deep.vcf
exits 3 "X-CRM-ATTRS deeper than 32 levels: exit 3" crm-add --db "$T/bad.db" deep.vcf
printf 'BEGIN:VCARD\nVERSION:3.0\nFN:Ivy\nBDAY;X-APPLE-OMIT-YEAR=1604:1604-05-12\nEND:VCARD\n' >apple.vcf
is "an iPhone's birthday without a year" "$(crm-add --dry-run apple.vcf 2>/dev/null | jq -r .birthdate)" '--05-12'

# A gender cannot forge a card: its text is escaped.
printf '%s\n' '{"name":"G2","email":"g2@example.org","gender":"a\nEND:VCARD\nBEGIN:VCARD\nFN:Injected\nEMAIL:inj@example.org"}' '{"phone":"+33 6 00 00 00 01"}' | crm-add -q --db "$T/g.db"
crm-find --db "$T/g.db" --format vcard >g.vcf
ok "read back" crm-add -q --db "$T/g2.db" g.vcf
is "no card forged, the gender whole" "$(crm-find --db "$T/g2.db" --fields name,gender | jq -c .)" \
	"$(crm-find --db "$T/g.db" --fields name,gender | jq -c .)"
cat noprop.vcf v40.vcf >mixed.vcf
run crm-add --db "$T/rej.db" --rejects rej.vcf mixed.vcf
is "with --rejects, a bad card is one reject and the next card is read" "$(grep -c 'rejected' "$T/err"; crm-find --db "$T/rej.db" --fields name | jq -r .name)" "1
Renée Dupré"
like "the summary" "$(cat "$T/err")" '2 read, 1 created, 0 updated, 0 unchanged, 1 rejected'
is "the whole card in the rejects file" "$(grep -c 'END:VCARD' rej.vcf)" 1
finish
