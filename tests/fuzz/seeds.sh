#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/fuzz/seeds.sh DIR: the seed corpus of the fuzz harnesses, written
# here (invented records): DIR/fuzz-reader, DIR/fuzz-terms, DIR/fuzz-map.
set -eu
d=${1:-build-fuzz/corpus}
mkdir -p "$d/fuzz-reader" "$d/fuzz-terms" "$d/fuzz-map"
r=$d/fuzz-reader
# First byte: the format (0 auto, 1 CSV, 2 JSON Lines, 3 vCard, 4 TSV, 5 lines),
# plus 0x80 to read events.
printf '\001name,email,city,tags\nAnn,ann@x.org,Lyon,vip;new\n"Bob ""B""",bob@x.org,"Pa\nris",\n' >"$r/csv"
printf '\001Name;E-mail;Ville\nZoé;zoe@x.org;Nantes\n' >"$r/csv-semicolon"
printf '\002{"name":"Ann","email":"ann@x.org","attrs":{"n":1.5,"l":[1,2]},"tags":["a"]}\n{"id":3}\n' >"$r/jsonl"
printf '\000[{"name":"Ann"},\n {"email":"b@x.org"}]\n' >"$r/array"
printf '\000{\n  "name": "Pretty",\n  "email": "p@x.org"\n}\n' >"$r/pretty"
printf '\003BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Ann\r\nEMAIL;TYPE=work:ann@x.org\r\nTEL:+33 6 12\r\n 34 56 78\r\nEND:VCARD\r\n' >"$r/vcard"
printf '\003BEGIN:VCARD\r\nVERSION:2.1\r\nN;CHARSET=UTF-8;ENCODING=QUOTED-PRINTABLE:=C3=89lo;=\r\ndie\r\nEND:VCARD\r\n' >"$r/vcard-qp"
printf '\004name\temail\nAnn\tann@x.org\n' >"$r/tsv"
printf '\0051\n2\nann@x.org\nCRM-3\n' >"$r/lines"
printf '\202{"email":"ann@x.org","type":"purchase","amount":"12.50","at":"2026-01-02T10:00:00+0100","ref":"o-1"}\n' >"$r/events"
printf '\201Name,Email,Financial Status,Total,Created at,Lineitem name,Billing Name,Refunded Amount\n#1,a@x.org,paid,10.00,2026-01-02 10:00:00 +0100,Cup,Ann,0.00\n' >"$r/shop"
printf '\377\376n\000a\000m\000e\000\n\000A\000\n\000' >"$r/utf16"
t=$d/fuzz-terms
printf 'city=Lyon\000OR\000tag:vip' >"$t/or"
printf '%s' '-has:phone' >"$t/neg"
printf 'created>30d\000attrs.n>=1.5\000age:25-34' >"$t/values"
printf 'event:purchase,count>=2,at>2026-01\000-event:opened,campaign=noel' >"$t/events"
printf 'org.attrs.employees>=250\000segment:none' >"$t/org"
printf 'lyon*\000"quoted word"' >"$t/words"
m=$d/fuzz-map
printf 'Nom=name,Courriel=email' >"$m/simple"
printf 'Caller=email,Duration=attrs.duration,Date=at' >"$m/events"
