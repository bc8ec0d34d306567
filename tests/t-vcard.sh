# SPDX-License-Identifier: MIT
# t-vcard.sh: crm-find --format vcard writes vCard 4.0 (RFC 6350): CRLF,
# lines folded at 75 octets without cutting a character, text escaped,
# every field that vCard has a property for, the others under X-CRM-.
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
	"$(grep '^X-CRM-' flat.vcf | head -3 | paste -sd' ' -)" 'X-CRM-KIND:customer X-CRM-EXT-ID:SF-1 X-CRM-ATTRS:{"plan":"gold"\,"seats":12}'
is "a stable UID per party" "$(grep -c '^UID:urn:crm:party:[0-9]*$' flat.vcf)" 3
run sh -c 'crm-find tag:vip --format vcard | grep -c "^BEGIN:VCARD"'
is "a search as an address book" "$(cat "$T/out")" 1
exits 2 "--fields with vcard: exit 2" crm-find --format vcard --fields name
exits 2 "events are no vCards: exit 2" crm-log --list --format vcard
exits 2 "reports are no vCards: exit 2" crm-report by kind --format vcard
finish
