# SPDX-License-Identifier: MIT
# t-report.sh: crm-report: each report's numbers against a small shop whose
# right answers are worked out by hand below (as of the end of 2026-06-30,
# UTC), empty periods, zero denominators, a population from stdin, the
# formats, the terminal charts and the HTML page.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1
TZ=UTC
export TZ

cat >parties.jsonl <<'EOF'
{"type":"organization","name":"Acme","kind":"customer","city":"Lyon","email":"buy@acme.example","created":"2025-01-15T00:00:00Z"}
{"name":"Ann","email":"ann@x.org","kind":"customer","city":"Lyon","tags":["vip"],"birthdate":"1990-03-01","created":"2026-01-10T00:00:00Z","attrs":{"plan":"gold"}}
{"name":"Bob","email":"bob@x.org","kind":"customer","city":"Paris","birthdate":"2001-07-01","created":"2026-02-05T00:00:00Z","attrs":{"plan":"free"}}
{"name":"Cid","email":"cid@x.org","kind":"prospect","city":"Paris","tags":["vip"],"created":"2026-06-01T00:00:00Z"}
{"name":"Dee","email":"dee@x.org","kind":"lead","birthdate":"--05-12","created":"2026-06-15T00:00:00Z"}
{"name":"Eve","email":"eve@x.org","kind":"customer","city":"Nice","birthdate":"1960-06-30","created":"2025-11-20T00:00:00Z"}
EOF
cat >events.jsonl <<'EOF'
{"email":"ann@x.org","type":"purchase","at":"2026-01-20T00:00:00Z","amount":"100"}
{"email":"ann@x.org","type":"purchase","at":"2026-03-05T00:00:00Z","amount":"50"}
{"email":"ann@x.org","type":"purchase","at":"2026-05-10T00:00:00Z","amount":"30"}
{"email":"ann@x.org","type":"refund","at":"2026-05-12T00:00:00Z","amount":"10"}
{"email":"bob@x.org","type":"note","at":"2026-01-30T00:00:00Z","subject":"Met at the fair"}
{"email":"bob@x.org","type":"purchase","at":"2026-02-14T00:00:00Z","amount":"80"}
{"email":"bob@x.org","type":"purchase","at":"2026-06-02T00:00:00Z","amount":"20"}
{"email":"eve@x.org","type":"purchase","at":"2025-12-01T00:00:00Z","amount":"200"}
{"email":"eve@x.org","type":"purchase","at":"2026-01-03T00:00:00Z","amount":"40"}
{"email":"eve@x.org","type":"call","channel":"phone","direction":"out","at":"2026-06-10T00:00:00Z"}
{"email":"buy@acme.example","type":"purchase","at":"2026-04-01T00:00:00Z","amount":"1000","currency":"USD"}
{"email":"ann@x.org","type":"sent","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"bob@x.org","type":"sent","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"cid@x.org","type":"sent","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"dee@x.org","type":"sent","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"ann@x.org","type":"delivered","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"bob@x.org","type":"delivered","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"cid@x.org","type":"delivered","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"dee@x.org","type":"bounced","channel":"email","campaign":"spring","at":"2026-04-01T00:00:00Z"}
{"email":"ann@x.org","type":"opened","channel":"email","campaign":"spring","at":"2026-04-02T00:00:00Z"}
{"email":"ann@x.org","type":"opened","channel":"email","campaign":"spring","at":"2026-04-03T00:00:00Z"}
{"email":"bob@x.org","type":"opened","channel":"email","campaign":"spring","at":"2026-04-03T00:00:00Z"}
{"email":"ann@x.org","type":"clicked","channel":"email","campaign":"spring","at":"2026-04-03T00:00:00Z"}
{"email":"cid@x.org","type":"unsubscribed","channel":"email","campaign":"spring","at":"2026-04-05T00:00:00Z"}
{"email":"bob@x.org","type":"replied","channel":"email","campaign":"spring","at":"2026-04-06T00:00:00Z"}
{"email":"eve@x.org","type":"sent","channel":"email","campaign":"empty","at":"2026-05-01T00:00:00Z"}
{"email":"ann@x.org","type":"task","subject":"Call","due":"2026-06-15","assignee":"sam","at":"2026-06-01T00:00:00Z"}
{"email":"bob@x.org","type":"task","subject":"Visit","due":"2026-07-10","assignee":"sam","at":"2026-06-01T00:00:00Z"}
{"email":"cid@x.org","type":"task","subject":"Quote","due":"2026-06-01","assignee":"lea","status":"done","at":"2026-05-20T00:00:00Z"}
{"email":"dee@x.org","type":"task","subject":"Intro","due":"2026-06-20","at":"2026-06-16T00:00:00Z"}
EOF
crm-add -q parties.jsonl 2>/dev/null
crm-log -q --import events.jsonl 2>/dev/null
R() { crm-report --as-of 2026-06-30 "$@"; }

# summary: 5 people and 1 organization; kinds; parties created in each of
# the 12 months to June (Acme in January 2025 is before them); events per
# channel (the 15 e-mails of the campaigns, 10 without a channel: 8
# purchases, a refund and a note, one call); the three open tasks, two
# overdue (due 06-15 and 06-20); June's revenue in euros (Bob's 20) against
# May's (Ann's 30 less her refund of 10): no change.
run R summary --format csv
is "summary" "$(cat "$T/out")" "section,item,value
parties,person,5
parties,organization,1
kind,customer,4
kind,lead,1
kind,prospect,1
new parties,2025-07,0
new parties,2025-08,0
new parties,2025-09,0
new parties,2025-10,0
new parties,2025-11,1
new parties,2025-12,0
new parties,2026-01,1
new parties,2026-02,1
new parties,2026-03,0
new parties,2026-04,0
new parties,2026-05,0
new parties,2026-06,2
events,email,15
events,(none),10
events,phone,1
tasks,open,3
tasks,overdue,2
revenue,EUR 2026-06 (to date),20.00
revenue,EUR 2026-05,20.00
revenue change,2026-06 on the period before,0.0000"

# by: shares of the 6 parties; ages at 06-30 (Bob turns 25 the next day,
# Eve 66 that day; Dee's birthday has no year); a party in each of its tags
run R by kind --format csv
is "by kind" "$(cat "$T/out")" "kind,parties,share
customer,4,0.6667
lead,1,0.1667
prospect,1,0.1667"
run R by age_band --format csv
is "by age_band" "$(cat "$T/out")" "age_band,parties,share
,3,0.5000
18-24,1,0.1667
35-44,1,0.1667
65+,1,0.1667"
run R by tags --format csv
is "by tags" "$(cat "$T/out")" "tags,parties,share
,4,0.6667
vip,2,0.3333"
run R by city,kind --format csv
is "by two fields" "$(cat "$T/out")" "city,kind,parties,share
Lyon,customer,2,0.3333
,lead,1,0.1667
Nice,customer,1,0.1667
Paris,customer,1,0.1667
Paris,prospect,1,0.1667"
# RFM as of 06-30 over the four customers: R Eve 1, Acme 2, Ann 3, Bob 4;
# F Acme 1, Bob and Eve 2, Ann 4; M (euros) Acme 1, Bob 2, Ann 3, Eve 4.
run R by rfm_segment --format csv
is "by a score column" "$(cat "$T/out")" "rfm_segment,parties,share
,2,0.3333
at-risk,1,0.1667
hibernating,1,0.1667
loyal,1,0.1667
potential-loyalists,1,0.1667"
run R by attrs.plan --format csv
is "by an attribute" "$(cat "$T/out")" "attrs.plan,parties,share
,4,0.6667
free,1,0.1667
gold,1,0.1667"
exits 2 "by an unknown field: exit 2" R by colour
exits 2 "by three fields: exit 2" R by city,kind,tags
exits 2 "by without a field: exit 2" R by

# the population from stdin
run sh -c 'crm-find tag:vip | crm-report --as-of 2026-06-30 by kind --format csv'
is "a population from stdin" "$(cat "$T/out")" "kind,parties,share
customer,1,0.5000
prospect,1,0.5000"
run sh -c ': | crm-report --as-of 2026-06-30 by kind --format csv'
is "an empty stream: no report" "$(cat "$T/out")" ""
is "and exit 1" "$rc" 1
like "and it is said" "$(cat "$T/err")" 'standard input named no party'
run sh -c ': | crm-report --as-of 2026-06-30 by kind --html "$1"' sh "$T/empty.html"
is "an empty stream: no page" "$rc/$(test -e "$T/empty.html" && echo page)" "1/"
is "and no temporary file beside it" "$(ls "$T" | grep -c '^empty\.html')" 0

# campaign: unique parties and totals per type; delivery 3/4, opens 2 of 3
# delivered, clicks 1 of 2 openers, bounces 1/4; "empty" reported no
# delivery (no rate) and no open (no click-to-open), so opens count against sends
run R campaign --format csv
is "campaigns" "$(cat "$T/out")" "campaign,sent,sent_total,delivered,delivered_total,opened,opened_total,clicked,clicked_total,bounced,bounced_total,unsubscribed,unsubscribed_total,replied,replied_total,delivery_rate,open_rate,click_to_open,bounce_rate
empty,1,1,0,0,0,0,0,0,0,0,0,0,0,0,,0.0000,,0.0000
spring,4,4,3,3,2,3,1,1,1,1,1,1,1,1,0.7500,0.6667,0.5000,0.2500"
run R campaign spring --format jsonl
is "one campaign, as JSON" "$(jq -c '[.campaign, .opened_total, .open_rate]' "$T/out")" '["spring",3,0.6667]'
# A campaign that no event names is nothing matched, not a table of zeros.
exits 1 "campaign NAME that does not exist: exit 1" R campaign sprnig --format csv
is "no table" "$(cat "$T/out")" ''
is "one line naming it" "$(cat "$T/err")" \
	"crm-report: no campaign 'sprnig': no event names it (crm-report campaign lists them)"
exits 1 "a name in another case is no campaign: exit 1" R campaign Spring --format csv
is "naming the one there is" "$(cat "$T/err")" \
	"crm-report: no campaign 'Spring' (there is 'spring': names are compared exactly)"
run sh -c 'crm-find name=Eve | crm-report --as-of 2026-06-30 campaign spring --format csv'
is "a campaign there, none of it in the population: its row of zeros, exit 0" "$rc:$(sed 1d "$T/out")" \
	'0:spring,0,0,0,0,0,0,0,0,0,0,0,0,0,0,,,,'
run R campaign spring --until 2026-03-01 --format csv
is "nor in the span: its zeros" "$(sed 1d "$T/out" | cut -d, -f1-3)" 'spring,0,0'

# A field that no party has is said on standard error, once; never silent.
run R by attrs.plna --format csv
is "by attrs.KEY that no party has: its null group, exit 0" "$rc:$(cat "$T/out")" "0:attrs.plna,parties,share
,6,1.0000"
is "said on standard error" "$(cat "$T/err")" \
	'crm-report: by attrs.plna: no party has it; all are in its null group'
run R by attrs.plan,attrs.plna --format csv
is "the second field of by too" "$(cat "$T/err")" \
	'crm-report: by attrs.plna: no party has it; all are in its null group'
run R by attrs.plan --format csv
is "a field some party has: nothing said" "$(cat "$T/err")" ''
run sh -c 'crm-find name=Cid | crm-report --as-of 2026-06-30 by attrs.plan --format csv'
is "one that no party read has" "$(cat "$T/err")" \
	'crm-report: by attrs.plan: no party of the records read has it; all are in its null group'
run crm-find --fields name,attrs.plna,attrs.plan,attrs.nokey --format csv
is "crm-find --fields attrs.KEY that no party has: printed empty" "$(sed -n 2p "$T/out")" 'Acme,,,'
is "and named once, after the output" "$(cat "$T/err")" \
	'crm-find: --fields: no party printed has attrs.plna, attrs.nokey'
run crm-find --fields name,attrs.plan --format jsonl
is "an attribute some party printed has: nothing said" "$(cat "$T/err")" ''
run crm-log --list --fields type,attrs.nokey
is "crm-log --list --fields attrs.KEY that no event has" "$(cat "$T/err")" \
	'crm-log: --fields: no event listed has attrs.nokey'

# churn per month: active in a month = bought in it.  Eve is new in
# December; Ann new in January, Eve stays; in February both are lost and
# Bob is new; Ann comes back in March (she bought in January), Bob lost;
# April: Ann lost, Acme new; May: Acme lost, Ann back; June: Ann lost, Bob back.
run R churn --format csv
is "churn per month" "$(cat "$T/out")" "period,active_start,lost,won_back,new,active_end,attrition,retention
2025-07,0,0,0,0,0,,
2025-08,0,0,0,0,0,,
2025-09,0,0,0,0,0,,
2025-10,0,0,0,0,0,,
2025-11,0,0,0,0,0,,
2025-12,0,0,0,1,1,,
2026-01,1,0,0,1,2,0.0000,1.0000
2026-02,2,2,0,1,1,1.0000,0.0000
2026-03,1,1,1,0,1,1.0000,0.0000
2026-04,1,1,0,1,1,1.0000,0.0000
2026-05,1,1,1,0,1,1.0000,0.0000
2026-06,1,1,1,0,1,1.0000,0.0000"
# per quarter since 2025-10: Q4 Eve new; Q1 2026 Eve stays (January), Ann
# and Bob new; Q2: Ann and Bob stay, Eve lost, Acme new
run R churn --period quarter --since 2025-10-01 --format csv
is "churn per quarter" "$(cat "$T/out")" "period,active_start,lost,won_back,new,active_end,attrition,retention
2025-Q4,0,0,0,1,1,,
2026-Q1,1,0,0,2,3,0.0000,1.0000
2026-Q2,3,1,0,1,3,0.3333,0.6667"
run sh -c 'crm-find city=Paris | crm-report --as-of 2026-06-30 --since 2026-02-01 churn --format csv'
is "churn of a population" "$(cat "$T/out")" "period,active_start,lost,won_back,new,active_end,attrition,retention
2026-02,0,0,0,1,1,,
2026-03,1,1,0,0,0,1.0000,0.0000
2026-04,0,0,0,0,0,,
2026-05,0,0,0,0,0,,
2026-06,0,0,1,0,1,,"

# funnel of the 5 people: 5 at lead or beyond, 4 at prospect or beyond, 3
# customers; sales cycle from the earlier of creation and first event to
# the first purchase: Ann 10 days, Eve 11, Bob 15 (his note of 01-30 is
# before his creation); quartiles between ranks: 10.5 and 13.0
run R funnel --format csv
is "funnel and sales cycle" "$(cat "$T/out")" "stage,parties,conversion,of_leads
lead,5,,1.0000
prospect,4,0.8000,0.8000
customer,3,0.7500,0.6000

customers,min,q1,median,q3,max
3,10.0,10.5,11.0,13.0,15.0"
run crm-report --as-of 2024-12-31 funnel --format csv
is "funnel of nobody: no rate, no cycle" "$(cat "$T/out")" "stage,parties,conversion,of_leads
lead,0,,
prospect,0,,
customer,0,,

customers,min,q1,median,q3,max
0,,,,,"

# revenue in euros per month, empty months too; May is 30 less the refund
run R revenue --format csv
is "revenue per month" "$(cat "$T/out")" "period,revenue,orders,average_basket,refunds
2025-07,0.00,0,,0.00
2025-08,0.00,0,,0.00
2025-09,0.00,0,,0.00
2025-10,0.00,0,,0.00
2025-11,0.00,0,,0.00
2025-12,200.00,1,200.00,0.00
2026-01,140.00,2,70.00,0.00
2026-02,80.00,1,80.00,0.00
2026-03,50.00,1,50.00,0.00
2026-04,0.00,0,,0.00
2026-05,20.00,1,30.00,10.00
2026-06,20.00,1,20.00,0.00"
run R revenue --period quarter --since 2026-01-01 --format csv
is "revenue per quarter" "$(cat "$T/out")" "period,revenue,orders,average_basket,refunds
2026-Q1,270.00,4,67.50,0.00
2026-Q2,40.00,2,25.00,10.00"
run R revenue --period year --since 2026-01-01 --currency usd --format csv
is "revenue in dollars" "$(cat "$T/out")" "period,revenue,orders,average_basket,refunds
2026,1000.00,1,1000.00,0.00"
run R revenue --by city --since 2025-12-01 --format csv
is "revenue by city" "$(cat "$T/out")" "period,city,revenue,orders,average_basket,refunds
2025-12,Nice,200.00,1,200.00,0.00
2026-01,Lyon,100.00,1,100.00,0.00
2026-01,Nice,40.00,1,40.00,0.00
2026-02,Paris,80.00,1,80.00,0.00
2026-03,Lyon,50.00,1,50.00,0.00
2026-05,Lyon,20.00,1,30.00,10.00
2026-06,Paris,20.00,1,20.00,0.00"
run R revenue --by attrs.plan --since 2026-05-01 --format csv
is "revenue by an attribute" "$(cat "$T/out")" "period,attrs.plan,revenue,orders,average_basket,refunds
2026-05,gold,20.00,1,30.00,10.00
2026-06,free,20.00,1,20.00,0.00"
exits 2 "--by without revenue: exit 2" R by kind --by city

# cohorts by month of first purchase: Eve (December) back in January;
# Ann (January) in March and May; Bob (February) in June; Acme (April);
# months after June are not known yet; empty cohorts have no shares
run R cohort --since 2025-12-01 --format csv
is "cohorts" "$(cat "$T/out")" "cohort,customers,m0,m1,m2,m3,m4,m5,m6,m7,m8,m9,m10,m11
2025-12,1,1.0000,1.0000,0.0000,0.0000,0.0000,0.0000,0.0000,,,,,
2026-01,1,1.0000,0.0000,1.0000,0.0000,1.0000,0.0000,,,,,,
2026-02,1,1.0000,0.0000,0.0000,0.0000,1.0000,,,,,,,
2026-03,0,,,,,,,,,,,,
2026-04,1,1.0000,0.0000,0.0000,,,,,,,,,
2026-05,0,,,,,,,,,,,,
2026-06,0,,,,,,,,,,,,"

# tasks: Cid's is done; Dee's has no assignee
run R tasks --format csv
is "tasks per assignee" "$(cat "$T/out")" "assignee,open,overdue,oldest_due
sam,2,1,2026-06-15
,1,1,2026-06-20"

# activity in the second quarter: the 15 campaign e-mails, 4 purchases
# and refunds without a channel, one call
run R activity --period quarter --since 2026-04-01 --format csv
is "activity" "$(cat "$T/out")" "period,channel,events
2026-Q2,email,15
2026-Q2,(none),4
2026-Q2,phone,1"

# formats: several reports in one run
run R by kind tasks --format jsonl
is "jsonl: each row names its report" "$(jq -r .report "$T/out" | uniq | paste -sd, -)" 'by:kind,tasks'
run R by kind tasks --format json
is "json: one object of arrays" "$(jq -c '[keys, (."by:kind" | length)]' "$T/out")" '[["by:kind","tasks"],3]'
run R by kind by city
is "a pipe gets JSON Lines, each row naming its report" "$(jq -r .report "$T/out" | uniq | paste -sd, -)" 'by:kind,by:city'
exits 2 "--fields that a table lacks: exit 2" R by kind tasks --fields kind
is "before anything is printed" "$(cat "$T/out")" ''
exits 2 "--chart with --format: exit 2" R by kind --chart --format csv
exits 2 "--title without --html: exit 2" R by kind --title x
run R churn --chart --ascii
is "a chart's label is its period" "$(sed -n 3p "$T/out" | cut -c1-8)" '2025-07 '
run R funnel --chart --ascii
is "a table without a chart is printed once" "$(grep -c '^Sales cycle' "$T/out")" 1
run R by kind --format table
is "table: a title, then aligned columns" "$(head -2 "$T/out")" "Parties by kind
kind      parties  share"
run R by kind --fields kind,share --format csv
is "--fields" "$(head -1 "$T/out")" 'kind,share'
exits 2 "an unknown report: exit 2" R forecast
exits 2 "a bad period: exit 2" R churn --period week
exits 2 "--since after --as-of: exit 2" R churn --since 2027-01-01
exits 4 "no store: exit 4" crm-report --db "$T/none.db" summary

# terminal charts: bars against the largest value, in blocks or in ASCII
run env LC_ALL=C crm-report --as-of 2026-06-30 by kind --chart
is "ASCII when the locale is not UTF-8" "$(sed -n 2p "$T/out")" "customer $(printf '%040d' 0 | tr 0 '#') 4"
is "a bar per row, to scale" "$(sed -n 3p "$T/out")" "lead     ########## 1"
run env LC_ALL=C.UTF-8 crm-report --as-of 2026-06-30 revenue --chart
like "a sparkline over the periods" "$(sed -n 2p "$T/out")" '^revenue ▁▁▁▁▁█▆▄▃▁▂▂$'
like "Unicode bars" "$(grep '^2025-12' "$T/out")" '^2025-12 █{40} 200\.00$'
run env LC_ALL=C.UTF-8 crm-report --as-of 2026-06-30 by kind --chart --ascii
like "--ascii" "$(sed -n 2p "$T/out")" '^customer #{40} 4$'
exits 2 "--ascii without --chart: exit 2" R by kind --ascii

# the HTML page: self-contained, titled and dated, a chart and a table each
ok "--html" R summary by kind revenue cohort funnel campaign --html page.html --title 'Shop <report>'
is "0600" "$(stat -c %a page.html)" 600
like "titled, escaped" "$(grep -o '<title>[^<]*</title>' page.html | head -1)" '<title>Shop &lt;report&gt;</title>'
like "dated" "$(cat page.html)" 'Made by crm-report on [0-9-]+T[0-9:]+Z, as of 2026-06-30'
is "no address to fetch anything from" "$(grep -cE 'https?:|src=|href=|@import|url\(' page.html)" 0
like "a policy that forbids any request" "$(cat page.html)" "Content-Security-Policy\" content=\"default-src 'none'"
is "a table per report table" "$(grep -c '<table>' page.html)" 7
is "the bars of by kind" "$(sed -n '/Parties by kind<\/h2>/,/<\/svg>/p' page.html | grep -o '<rect class="bar"' | wc -l)" 3
exits 2 "--html with --format: exit 2" R by kind --html p2.html --format csv

# What a second reader found, kept fixed.
exits 2 "a field name of 250 characters: exit 2" R by "attrs.$(printf 'k%.0s' $(seq 250))" --chart
exits 2 "an empty field name: exit 2" R by kind,
run R campaign spring campaign empty --format json
is "two campaigns are two tables" "$(jq -c keys "$T/out")" '["campaign:empty","campaign:spring"]'
run R by kind by kind --format json
is "the same report twice: keys stay apart" "$(jq -c keys "$T/out")" '["by:kind","by:kind#2"]'
run R by 'attrs.a"b' summary --format json
is "a key with a quote is valid JSON" "$(jq -c 'keys | length' "$T/out")" 2
exits 2 "--fields report: exit 2" R tasks activity --fields report --format json
is "and nothing printed" "$(cat "$T/out")" ''
exits 2 "--since after --until in the same period: exit 2" R campaign --since 2026-04-20 --until 2026-04-02
exits 2 "cohorts over more than 240 months: exit 2" R cohort --since 2000-01-01 --period year
like "says why" "$(cat "$T/err")" 'more than 240 months'
ok "a report without periods takes an old --since" R campaign --since 2005-01-01 --format csv
run R summary --as-of 2025-12-31 --format csv
is "parties created after as-of are not counted" "$(grep '^parties' "$T/out" | paste -sd' ' -)" 'parties,organization,1 parties,person,1'
run sh -c 'crm-find city=Paris --fields name | crm-report --as-of 2026-06-30 by kind'
like "records with no key to a party (names alone): said" "$(cat "$T/err")" 'names no party \(no id, email or ext_id\)'
is "records with no key to a party: no report, exit 3" "$rc/$(cat "$T/out")" "3/"
run sh -c 'printf "{\"email\":\"nobody@x.org\"}\n" | crm-report --as-of 2026-06-30 by kind'
like "records that name no stored party: said" "$(cat "$T/err")" 'no party in the store is named'
is "records that name no stored party: no report, exit 1" "$rc/$(cat "$T/out")" "1/"
printf '{"name":"Long","email":"long@x.org","city":"%s","created":"2026-01-01T00:00:00Z"}\n' \
	"$(printf 'Saint-Rémy-de-Provence-sur-la-Mer-%.0s' 1 2 3)" | crm-add -q
run env LC_ALL=C.UTF-8 crm-report --as-of 2026-06-30 by city --chart
like "a long label is cut, with an ellipsis" "$(grep '^Saint' "$T/out")" '^Saint-Rémy-de-Provence-sur-la…'
crm-log -q --contact cid@x.org --task 'Last call' --due 2026-06-30 --assignee lea
run env TZ=America/Los_Angeles crm-report --as-of 2026-06-30 tasks --format csv
is "due today, west of UTC: not overdue" "$(grep '^lea' "$T/out")" 'lea,1,0,2026-06-30'
run env TZ=America/Los_Angeles crm-report --as-of 2026-06-30 by age_band --format csv
is "ages on the local day of as-of, west of UTC (Bob is 25 the next day)" "$(grep '^18-24' "$T/out")" '18-24,1,0.1429'

# A shop whose files never say a kind: each new party is a lead, whatever
# the input (flags, CSV, JSON Lines, a vCard, Mailchimp's export), and its
# first purchase makes it a customer, so the funnel is not all converted.
F() { "$@" --db "$T/funnel.db"; }
F crm-add -q --name 'Flag Fay' --email fay@y.example
printf 'name,email\nCsv Cora,cora@y.example\n' >f.csv
printf '{"name":"Json Jo","email":"jo@y.example"}\n' >f.jsonl
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Card Cai\r\nEMAIL:cai@y.example\r\nEND:VCARD\r\n' >f.vcf
printf '"Email Address","First Name","Last Name","MEMBER_RATING","OPTIN_TIME","TAGS"\n"mo@y.example","Mo","Chimp","2","2024-01-02 10:00:00",""\n' >f-mc.csv
F crm-add -q f.csv f.jsonl f.vcf 2>/dev/null
F crm-add -q --from mailchimp f-mc.csv 2>/dev/null
is "new parties without a kind are leads, from every input" \
	"$(F crm-find --format csv --fields email,kind --sort email | sed 1d | paste -sd' ' -)" \
	'cai@y.example,lead cora@y.example,lead fay@y.example,lead jo@y.example,lead mo@y.example,lead'
F crm-add -q --email jo@y.example --kind prospect
is "the funnel of leads only: nobody converted" "$(F crm-report funnel --format csv | sed -n 2,4p | paste -sd' ' -)" \
	'lead,5,,1.0000 prospect,1,0.2000,0.2000 customer,0,0.0000,0.0000'
printf 'email,type,amount,at,ref\nfay@y.example,purchase,20,2026-06-01T00:00:00Z,o-1\njo@y.example,purchase,35,2026-06-02T00:00:00Z,o-2\ncora@y.example,refund,5,2026-06-03T00:00:00Z,r-1\ncai@y.example,note,,2026-06-03T00:00:00Z,n-1\n' >f-orders.csv
ok "purchases imported" F crm-log -q --import f-orders.csv
is "a purchase makes a lead or a prospect a customer; a refund or a note does not" \
	"$(F crm-find --format csv --fields email,kind --sort email | sed 1d | paste -sd' ' -)" \
	'cai@y.example,lead cora@y.example,lead fay@y.example,customer jo@y.example,customer mo@y.example,lead'
is "the funnel follows the sales" "$(F crm-report funnel --format csv | sed -n 2,4p | paste -sd' ' -)" \
	'lead,5,,1.0000 prospect,2,0.4000,0.4000 customer,2,1.0000,0.4000'

# The page in a real browser: the charts are drawn (the bars' blue is on the
# screenshot, and not once the SVG is taken out), and no request leaves it.
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -n "$browser" ]; then
	shoot() {
		rm -f "$2" net.json
		"$browser" --headless --no-sandbox --disable-gpu --disable-dev-shm-usage --hide-scrollbars \
			--disable-background-networking --disable-component-update --disable-sync \
			--disable-default-apps --no-first-run --disable-domain-reliability \
			--window-size=1000,4000 --screenshot="$T/$2" --log-net-log="$T/net.json" \
			"file://$T/$1" >/dev/null 2>&1
	}
	# Pixels of the bars' colour (#1f6feb) in a PNG, with Python's zlib.
	blue() {
		python3 - "$1" <<'PY'
import struct, sys, zlib
d = open(sys.argv[1], 'rb').read()
pos, idat, w, h, ct = 8, b'', 0, 0, 0
while pos < len(d):
    n, t = struct.unpack('>I4s', d[pos:pos + 8]); c = d[pos + 8:pos + 8 + n]; pos += 12 + n
    if t == b'IHDR': w, h, bd, ct = struct.unpack('>IIBB', c[:10])
    elif t == b'IDAT': idat += c
bpp = 4 if ct == 6 else 3
raw, prev, count, i = zlib.decompress(idat), bytearray(w * bpp), 0, 0
for y in range(h):
    f = raw[i]; line = bytearray(raw[i + 1:i + 1 + w * bpp]); i += 1 + w * bpp
    for x in range(len(line)):
        a = line[x - bpp] if x >= bpp else 0; b = prev[x]; cc = prev[x - bpp] if x >= bpp else 0
        if f == 1: line[x] = (line[x] + a) & 255
        elif f == 2: line[x] = (line[x] + b) & 255
        elif f == 3: line[x] = (line[x] + (a + b) // 2) & 255
        elif f == 4:
            p = a + b - cc; pa, pb, pc = abs(p - a), abs(p - b), abs(p - cc)
            line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else cc)) & 255
    for x in range(0, len(line), bpp):
        if abs(line[x] - 31) < 12 and abs(line[x + 1] - 111) < 12 and abs(line[x + 2] - 235) < 12: count += 1
    prev = line
print(count)
PY
	}
	# What the page asked for, less the browser's own services.
	requests() {
		grep -o '"url":"[^"]*"' "$T/net.json" | grep -vE 'google|gvt1|gstatic' | sort -u
	}
	R by kind revenue --html chart.html 2>/dev/null
	sed 's/<svg.*<\/svg>//' chart.html >nochart.html
	printf '<html><body><img src="http://192.0.2.1/pixel.png"></body></html>' >fetch.html
	shoot chart.html chart.png
	is "the browser rendered the page" "$(test -s chart.png && echo yes)" yes
	n=$(blue chart.png)
	like "the charts are drawn ($n bar pixels)" "$n" '^[0-9]{4,}$'
	is "no request left the page" "$(requests)" ''
	shoot nochart.html nochart.png
	is "without the SVG, no bar is drawn" "$(blue nochart.png)" 0
	shoot fetch.html fetch.png
	like "a page that fetches is seen fetching" "$(requests)" '192\.0\.2\.1'
elif [ -n "${CI:-}" ]; then
	_report 1 "chromium is installed (make deps installs it)"
else
	skip "the HTML page drawn in a browser" "chromium is not installed (make deps installs it)"
fi

# Charts and tables show no control from the data: C1's CSI and the bidi override become '?'.
CRM_DB=$T/evil.db crm-add -q --no-stdin --name Evil --email evil@x.org --city "$(printf 'Ev\302\23331mil\342\200\256X')"
for f in --chart '--format table'; do
	run env CRM_DB="$T/evil.db" crm-report by city --no-stdin $f
	is "crm-report by city $f: no CSI, no bidi override" "$(od -An -c "$T/out" | grep -c '233\|342 200 256')" 0
	like "crm-report by city $f: shown as ?" "$(cat "$T/out")" 'Ev\?31mil\?X'
done

finish
