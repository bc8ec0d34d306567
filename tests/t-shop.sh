# SPDX-License-Identifier: MIT
# t-shop.sh: a shop's orders as the shop exports them: Shopify's orders CSV
# (one row a line item, the totals on an order's first row, its refund),
# times with offsets, the ref unique per party and type, re-imports.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

# Shopify's orders export, its columns as it names them, in its order.
header='Name,Email,Financial Status,Paid at,Fulfillment Status,Fulfilled at,Accepts Marketing,Currency,Subtotal,Shipping,Taxes,Total,Discount Code,Discount Amount,Shipping Method,Created at,Lineitem quantity,Lineitem name,Lineitem price,Lineitem compare at price,Lineitem sku,Lineitem requires shipping,Lineitem taxable,Lineitem fulfillment status,Billing Name,Billing Street,Billing Address1,Billing Address2,Billing Company,Billing City,Billing Zip,Billing Province,Billing Country,Billing Phone,Shipping Name,Shipping Street,Shipping Address1,Shipping Address2,Shipping Company,Shipping City,Shipping Zip,Shipping Province,Shipping Country,Shipping Phone,Notes,Note Attributes,Cancelled at,Payment Method,Payment Reference,Refunded Amount,Vendor,Outstanding Balance,Employee,Location,Device ID,Id,Tags,Risk Level,Source,Lineitem discount,Tax 1 Name,Tax 1 Value,Tax 2 Name,Tax 2 Value,Tax 3 Name,Tax 3 Value,Tax 4 Name,Tax 4 Value,Tax 5 Name,Tax 5 Value,Phone,Receipt Number,Duties,Billing Province Name,Shipping Province Name,Payment ID,Payment Terms Name,Next Payment Due At,Payment References'

# One row: "Column=value" arguments, the other cells empty, quoted as CSV.
row() {
	awk -v header="$header" 'BEGIN {
		n = split(header, h, ",")
		for (i = 1; i < ARGC; i++) {
			k = substr(ARGV[i], 1, index(ARGV[i], "=") - 1)
			v[k] = substr(ARGV[i], index(ARGV[i], "=") + 1)
		}
		for (i = 1; i <= n; i++) {
			c = h[i] in v ? v[h[i]] : ""
			if (c ~ /[",]/) { gsub(/"/, "\"\"", c); c = "\"" c "\"" }
			printf "%s%s", c, i < n ? "," : "\n"
		}
		exit
	}' "$@"
}

{
	echo "$header"
	# Two line items; the totals on the first row only.
	row 'Name=#1001' 'Email=lea@example.org' 'Financial Status=paid' 'Paid at=2024-02-16 16:53:10 +0100' \
		'Currency=EUR' 'Subtotal=54.90' 'Shipping=5.00' 'Taxes=9.98' 'Total=59.90' \
		'Created at=2024-02-16 16:53:00 +0100' 'Lineitem quantity=1' 'Lineitem name=Teapot' \
		'Lineitem price=39.90' 'Billing Name=Léa Martin' 'Billing City=Lyon' 'Billing Country=FR' \
		'Refunded Amount=0.00' 'Id=5550001001' 'Source=web' 'Payment Method=Shopify Payments'
	row 'Name=#1001' 'Email=lea@example.org' 'Created at=2024-02-16 16:53:00 +0100' \
		'Lineitem quantity=1' 'Lineitem name=Mug, "large"' 'Lineitem price=15.00'
	# Refunded in full, cancelled the next day.
	row 'Name=#1002' 'Email=tom@example.org' 'Financial Status=refunded' 'Paid at=2024-02-17 09:05:12 +0100' \
		'Currency=EUR' 'Total=120.00' 'Created at=2024-02-17 09:05:00 +0100' 'Lineitem quantity=2' \
		'Lineitem name=Kettle' 'Lineitem price=60.00' 'Billing Name=Tom Price' \
		'Cancelled at=2024-02-18 10:00:00 +0100' 'Refunded Amount=120.00' 'Id=5550001002' \
		'Notes=Gift wrap'
	# Three line items, partly refunded, on the night clocks go forward.
	row 'Name=#1003' 'Email=lea@example.org' 'Financial Status=partially_refunded' \
		'Paid at=2024-03-31 23:31:00 +0200' 'Currency=EUR' 'Total=45.50' \
		'Created at=2024-03-31 23:30:00 +0200' 'Lineitem quantity=1' 'Lineitem name=Cup' \
		'Lineitem price=15.50' 'Billing Name=Léa Martin' 'Refunded Amount=15.50' 'Id=5550001003'
	row 'Name=#1003' 'Email=lea@example.org' 'Created at=2024-03-31 23:30:00 +0200' \
		'Lineitem quantity=1' 'Lineitem name=Saucer' 'Lineitem price=15.00'
	row 'Name=#1003' 'Email=lea@example.org' 'Created at=2024-03-31 23:30:00 +0200' \
		'Lineitem quantity=1' 'Lineitem name=Spoon' 'Lineitem price=15.00'
	# Voided: no purchase.
	row 'Name=#1004' 'Email=sam@example.org' 'Financial Status=voided' 'Currency=EUR' 'Total=10.00' \
		'Created at=2024-04-02 08:00:00 +0200' 'Lineitem quantity=1' 'Lineitem name=Tea' \
		'Billing Name=Sam Okafor' 'Id=5550001004'
	# A shop west of Greenwich, in dollars.
	row 'Name=#1005' 'Email=ana@example.org' 'Financial Status=paid' 'Paid at=2024-11-03 01:30:00 -0500' \
		'Currency=USD' 'Total=80.00' 'Created at=2024-11-03 01:30:00 -0500' 'Lineitem quantity=1' \
		'Lineitem name=Tray' 'Billing Name=Ana Díaz' 'Billing Country=US' 'Id=5550001005'
} >orders_export.csv

events() {
	sqlite3 "$CRM_DB" "SELECT p.name, e.type, e.ref, e.at, e.amount, e.currency FROM event e JOIN party p ON p.id = e.party_id ORDER BY e.ref, e.type"
}

ok "Shopify's orders, known by their header" \
	crm-log --import --create-missing --channel web orders_export.csv
is "one purchase an order, with its total; a refund for each refunded one" "$(events)" \
	"Léa Martin|purchase|#1001|2024-02-16T15:53:00Z|599000|EUR
Tom Price|purchase|#1002|2024-02-17T08:05:00Z|1200000|EUR
Tom Price|refund|#1002|2024-02-18T09:00:00Z|1200000|EUR
Léa Martin|purchase|#1003|2024-03-31T21:30:00Z|455000|EUR
Léa Martin|refund|#1003|2024-03-31T21:30:00Z|155000|EUR
Ana Díaz|purchase|#1005|2024-11-03T06:30:00Z|800000|USD"
like "the summary: the orders and refunds read, the line items not" "$(tail -1 "$T/err")" \
	'6 read, 6 logged, 0 already there, 0 rejected; 3 parties created'
like "the voided order is said, not read" "$(cat "$T/err")" \
	"orders_export.csv: skipped, not records: line 8 '#1004' \(a voided order, no purchase\)"
is "no column is announced as an attribute" "$(grep -c 'kept as event attributes' "$T/err")" 0
is "the parties are named by Billing Name, never by the order number" \
	"$(crm-find --fields name,email --format csv | sed 1d | sort | paste -sd';' -)" \
	'Ana Díaz,ana@example.org;Léa Martin,lea@example.org;Tom Price,tom@example.org'
is "the financial status kept, the other columns not" \
	"$(sqlite3 "$CRM_DB" "SELECT DISTINCT attrs FROM event WHERE ref = '#1002'")" '{"financial_status":"refunded"}'
is "the order's notes are the purchase's body, not the refund's" \
	"$(sqlite3 "$CRM_DB" "SELECT type || ':' || coalesce(body, '') FROM event WHERE ref = '#1002' ORDER BY type" | paste -sd' ' -)" \
	'purchase:Gift wrap refund:'
is "the channel given is every event's" "$(sqlite3 "$CRM_DB" 'SELECT DISTINCT channel FROM event')" web
is "revenue: purchases less refunds, exact" \
	"$(crm-find --fields email,revenue,purchases --format csv email=lea@example.org OR email=tom@example.org | sed 1d | sort | paste -sd';' -)" \
	'lea@example.org,89.90,2;tom@example.org,0.00,1'

before=$(sqlite3 "$CRM_DB" 'SELECT * FROM event ORDER BY id')
ok "the same export again" crm-log --import --channel web orders_export.csv -q
ok "and again, named with --from shopify" crm-log --import --from shopify --channel web orders_export.csv
like "nothing added the second time" "$(tail -1 "$T/err")" '6 read, 0 logged, 6 already there, 0 rejected; 0 parties created'
is "the events as they were" "$(sqlite3 "$CRM_DB" 'SELECT * FROM event ORDER BY id')" "$before"

# A later export: #1003 refunded again since, its Refunded Amount grown.
sed 's/^\(#1003,.*\),15\.50,/\1,25.50,/' orders_export.csv >later.csv
is "the later export differs in that refund only" "$(diff orders_export.csv later.csv | grep -c '^>')" 1
ok "a later export with a refund grown" crm-log --import -q later.csv
is "the refund already there is kept, and that is said" "$(tail -1 "$T/err")" \
	"crm-log: 1 record already there differs in amount or currency from the stored event, kept as it is (such as refund #1003)"
is "the store unchanged" "$(sqlite3 "$CRM_DB" 'SELECT * FROM event ORDER BY id')" "$before"

ok "--type purchase laid over the orders leaves the refunds refunds" \
	crm-log --db "$T/typed.db" --import --create-missing --type purchase -q orders_export.csv
is "two refunds there too" "$(sqlite3 "$T/typed.db" "SELECT count(*) FROM event WHERE type = 'refund'")" 2

# Another system's file named as Shopify's: refused by its header.
printf 'Order ID,Email,Total\n7,lea@example.org,5\n' >other.csv
exits 3 "--from shopify on a file that is not Shopify's" crm-log --import --from shopify -q other.csv
is "says which column is missing" "$(cat "$T/err")" \
	"crm-log: other.csv:1: not a shopify export: no column 'Financial Status' in the header"
exits 2 "--from an unknown export" crm-log --import --from woo other.csv
is "names the list" "$(cat "$T/err")" "crm-log: --from: unknown export 'woo' (crm-log --from list)"
ok "--from list" crm-log --from list
like "lists Shopify" "$(cat "$T/out")" '^shopify +Shopify orders'
exits 2 "--from without --import" crm-log --from shopify --contact lea@example.org --type note
exits 2 "crm-add does not take an export of orders" crm-add --from shopify orders_export.csv
is "and says which does" "$(cat "$T/err")" \
	'crm-add: --from: shopify is an export of events: crm-log --import --from shopify'

# A bad refund is refused with its order, once.
{
	echo "$header"
	row 'Name=#2001' 'Email=lea@example.org' 'Financial Status=refunded' 'Currency=EUR' 'Total=9.00' \
		'Created at=2024-05-01 10:00:00 +0200' 'Refunded Amount=9,00' 'Billing Name=Léa Martin'
	row 'Name=#2002' 'Email=lea@example.org' 'Financial Status=paid' 'Currency=EUR' 'Total=9.00' \
		'Created at=2024-05-01 10:00:00 +2500' 'Refunded Amount=1.00' 'Billing Name=Léa Martin'
	row 'Name=#2003' 'Email=lea@example.org' 'Financial Status=paid' 'Currency=EUR' 'Total=7.00' \
		'Created at=2024-05-02 10:00:00 +0200' 'Billing Name=Léa Martin'
	# Not UTF-8 on its first row: refused, and its second row with it.
	row 'Name=#2004' 'Email=lea@example.org' 'Financial Status=paid' 'Currency=EUR' 'Total=8.00' \
		'Created at=2024-05-03 10:00:00 +0200' 'Lineitem name=Th@BAD@' 'Billing Name=Léa Martin' |
		sed 's/@BAD@/\xe9/'
	row 'Name=#2004' 'Email=lea@example.org' 'Lineitem name=Mug'
} >bad_orders.csv
ok "bad orders set aside" crm-log --import --rejects rej.csv bad_orders.csv
like "the summary" "$(tail -1 "$T/err")" '4 read, 1 logged, 0 already there, 3 rejected'
is "each bad order once, with its line and why" "$(grep -a '^#' rej.csv | head -2)" \
	"# bad_orders.csv:2: invalid Refunded Amount '9,00' (a decimal such as 12.50)
# bad_orders.csv:3: invalid offset '+2500' in time '2024-05-01 10:00:00 +2500' (-18:00 to +18:00)"
like "the order not UTF-8 refused" "$(grep -a '^#' rej.csv | sed 1,2d)" \
	"^# bad_orders.csv:5: invalid UTF-8 in field 'Lineitem name'"
is "once, its line items not at all" "$(grep -ac '^# ' rej.csv)" 3
is "the orders' numbers quoted, so that they are no comment lines" "$(grep -av '^#' rej.csv | cut -d, -f1)" \
	'Name
"#2001"
"#2002"
"#2004"'
sed -i -e 's/"9,00"/9.00/' -e 's/+2500/+0200/' -e 's/Th\xe9/The/' rej.csv
grep -v '^#' rej.csv >fixed.csv
ok "corrected, they go in" crm-log --import fixed.csv
like "the three orders and two refunds" "$(tail -1 "$T/err")" '5 read, 5 logged, 0 already there, 0 rejected'

# --- The ref: unique per party and type -----------------------------------------
printf 'Order ID,Email,Date,Total\n#1001,lea@example.org,2024-02-20 12:00:00 +0100,10.00\n' >refund.csv
ok "a refund file naming the order it refunds" crm-log --import --type refund refund.csv
like "is logged, not taken for the purchase" "$(tail -1 "$T/err")" '1 read, 1 logged, 0 already there'
ok "a second purchase with that ref" crm-log --contact lea@example.org --type purchase --ref '#1001' --amount 1
is "is the purchase already there" "$(jq -r .amount "$T/out")" 59.9
is "one purchase and one refund #1001" \
	"$(sqlite3 "$CRM_DB" "SELECT type, count(*) FROM event WHERE ref = '#1001' GROUP BY type" | paste -sd' ' -)" \
	'purchase|1 refund|1'

# A store of schema 10, whose ref was unique per party, migrated when opened.
old=$T/old.db
crm-add -q --db "$old" --no-stdin --name 'Ivy Nolan' --email ivy@example.org 2>/dev/null
crm-log --db "$old" --contact ivy@example.org --type purchase --ref A-9 --amount 30 -q
sqlite3 "$old" "DROP INDEX event_ref; CREATE UNIQUE INDEX event_ref ON event (party_id, ref) WHERE ref IS NOT NULL; PRAGMA user_version = 10"
ok "an old store takes the refund of an order" \
	crm-log --db "$old" --contact ivy@example.org --type refund --ref A-9 --amount 30 -q
is "migrated to the current schema" "$(sqlite3 "$old" 'PRAGMA user_version')" 16
is "its ref index is per party and type" \
	"$(sqlite3 "$old" "SELECT sql FROM sqlite_schema WHERE name = 'event_ref'")" \
	'CREATE UNIQUE INDEX event_ref ON event (party_id, type, ref) WHERE ref IS NOT NULL'
is "both events there" "$(sqlite3 "$old" "SELECT type FROM event ORDER BY id" | paste -sd' ' -)" 'purchase refund'
is "revenue 0" "$(crm-find --db "$old" --fields revenue | jq -r .revenue)" 0
is "the store is sound" "$(sqlite3 "$old" 'PRAGMA integrity_check')" ok

finish
