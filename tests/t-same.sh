# SPDX-License-Identifier: MIT
# t-same.sh: one rule, every program: input operands, the currency of
# amounts, the width of text on a terminal.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

crm-add -q --no-stdin --name Ann --email ann@example.org
mkdir adir

# A directory or an unreadable operand: exit 2, named, in each bulk reader.
exits 2 "crm-add: a directory operand is a usage error" crm-add adir
like "named as a directory" "$(cat err)" '^crm-add: adir: is a directory$'
exits 2 "crm-log --import: the same" crm-log --import adir
like "named the same way" "$(cat err)" '^crm-log: adir: is a directory$'
exits 2 "crm-add: a missing file" crm-add nosuch.csv
like "with the system's reason" "$(cat err)" '^crm-add: nosuch.csv: No such file or directory$'
exits 2 "crm-log --import: the same" crm-log --import nosuch.csv
like "the same reason" "$(cat err)" '^crm-log: nosuch.csv: No such file or directory$'

# The currency: --currency, else $CRM_CURRENCY, else EUR; a bad one is named.
printf 'email,type,amount\nann@example.org,purchase,4\n' >ev.csv
before=$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM event')
CRM_CURRENCY=EURO run crm-log --contact ann@example.org --type purchase --amount 3
is "crm-log: a bad CRM_CURRENCY is a usage error" "$rc" 2
like "that names CRM_CURRENCY" "$(cat err)" "^crm-log: CRM_CURRENCY: an ISO 4217 code such as EUR, not 'EURO'$"
CRM_CURRENCY=EURO run crm-log --import ev.csv
is "crm-log --import: the same, before reading" "$rc" 2
like "named the same way" "$(cat err)" "^crm-log: CRM_CURRENCY: an ISO 4217 code such as EUR, not 'EURO'$"
is "nothing was logged" "$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM event')" "$before"
CRM_CURRENCY=EURO run crm-report revenue
is "crm-report: the same" "$rc" 2
like "named the same way" "$(cat err)" "^crm-report: CRM_CURRENCY: an ISO 4217 code such as EUR, not 'EURO'$"
CRM_CURRENCY=EURO run crm-find --scores --limit 1
is "crm-find: the same" "$rc" 2
like "named the same way" "$(cat err)" "^crm-find: CRM_CURRENCY: an ISO 4217 code such as EUR, not 'EURO'$"
CRM_CURRENCY= run crm-report revenue --currency E1R
is "a bad --currency" "$rc" 2
like "is named as --currency" "$(cat err)" "^crm-report: --currency: an ISO 4217 code such as EUR, not 'E1R'$"
CRM_CURRENCY=usd run crm-log --contact ann@example.org --type purchase --amount 3 --format tsv --fields currency
is "a good CRM_CURRENCY in lower case is the currency of an amount without one" "$(tail -1 out)" USD
CRM_CURRENCY= run crm-log --contact ann@example.org --type purchase --amount 3 --format tsv --fields currency
is "an empty CRM_CURRENCY: EUR" "$(tail -1 out)" EUR

# Width: wide characters take two cells in the chart as in the table.
printf 'name,email,city\nB,b@x.org,東京\nC,c@x.org,東京\nD,d@x.org,Paris\nE,e@x.org,서울특별시\n' >cities.csv
crm-add -q cities.csv
run env LC_ALL=C.UTF-8 crm-report by city --chart
is "the bars of the chart start in one column, wide labels or not" \
	"$(grep -E '^(東京|Paris|서울특별시) ' out | sed 's/█.*//')" "$(printf '東京       \nParis      \n서울특별시 ')"
printf 'name,email,city\nF,f@x.org,東京東京東京東京東京東京東京東京東京東京東京東京東京東京東京東京\n' >long.csv
crm-add -q long.csv
run env LC_ALL=C.UTF-8 crm-report by city --chart
is "a wide label is cut at 30 cells, not 30 characters" \
	"$(grep '^東' out | grep -v '^東京  ' | sed 's/ *█.*//')" "東京東京東京東京東京東京東京…"
finish
