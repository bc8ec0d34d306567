#!/bin/sh
# SPDX-License-Identifier: MIT
# tests/demo.sh BUILD: a short tour on a sample store of its own.
set -eu
# Standard input is no record stream here, whatever ran this script.
exec </dev/null
bin=$(cd "${1:-build}" && pwd)
PATH=$bin:$PATH
demo=$bin/demo
rm -rf "$demo"
mkdir -p "$demo"
CRM_DB=$demo/crm.db
export CRM_DB PATH
cd "$demo"

# A few hundred invented parties.
awk 'BEGIN {
	split("Paris Lyon Marseille Lille Nantes Bordeaux", c, " ")
	split("Élodie Jean Chloé Hugo Léa Karim Zoé Nils", f, " ")
	split("Martin Dubois Lefèvre Nguyen Haddad Müller", l, " ")
	split("martin dubois lefevre nguyen haddad muller", a, " ")
	split("customer prospect lead partner", k, " ")
	print "First Name,Last Name,E-mail,Mobile,Company,City,Kind,Tags,Notes"
	for (i = 1; i <= 300; i++) {
		printf "%s,%s,%s%d@example.org,+33 6 12 %02d %02d %02d,Company %d,%s,%s,%s,\"Met at the %d fair\"\n",
		    f[1 + i % 8], l[1 + i % 6], a[1 + i % 6], i, i % 100, i % 60, i % 30,
		    i % 40, c[1 + i % 6], k[1 + i % 4], (i % 9 == 0 ? "vip" : ""), 2000 + i % 25
	}}' > "$demo/sample.csv"

step() { printf '\n$ %s\n' "$*"; sh -c "$*" || true; }

echo "The demo store is $CRM_DB (it never touches yours)."
step "crm-add -q sample.csv; crm-find --count"
step "crm-find tag:vip city=Paris --format table"
step "crm-find elodie city~PARÍS --fields id,name,email,city"
step "crm-find kind:lead | crm-add --kind prospect --tag contacted -q; crm-find --count tag:contacted"
step "crm-find --sort -id --limit 3 --format csv --fields name,email,kind"
step "crm-find tag:vip | jq -r .email | head -n 3"
step "crm-find tag:vip | crm-log --channel email --type sent --campaign demo --ref demo -q; crm-log --list --campaign demo --limit 3 --format table"
step "crm-log --contact martin24@example.org --type purchase --amount 49.90 --ref order-1 -q; crm-find --fields name,purchases,revenue email=martin24@example.org"
step "crm-add -q --name 'Nina New' --email ' nina@example.org ' --city 'Paris '; crm-find --fields name,email,city,kind email=nina@example.org"
step "crm-log --contact nina@example.org --type purchase --amount 25 --ref order-2 -q; crm-find --fields name,kind email=nina@example.org; crm-report funnel --format table"
step "crm-find kind:prospect --limit 10 | crm-log --task 'Call back' --spread 10d --assignee sales -q; crm-log --tasks --limit 5 --format table"
step "printf 'name,email\nBob,bob@\n' | crm-add; echo exit=\$?"
printf '\nSee man crm (7) for more: MANPATH=man man crm\n'
