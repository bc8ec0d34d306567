# SPDX-License-Identifier: MIT
# t-examples.sh: every example of the documentation does what its page says,
# at a terminal and with the empty pipe that cron gives a job.
#
# The commands come from the pages themselves (tests/examples.pl extract): the
# man pages' literal displays that show a "$ " prompt, and the code blocks of
# README.md's "A five-minute tour", each page in its order (a tour builds on
# itself), each page on a fresh sample store built below.  Before each example
# the store and files of the terminal run are copied for the empty-pipe run,
# so both runs of an example see the same data.  Each example runs
#   - at a terminal (script(1) of util-linux gives it a pty): it must exit 0,
#     or the status the page gives ("$ echo $?", or the list below), and print
#     what the page shows (tests/examples.pl doc: numbers, ids and times
#     masked; JSON lines of a page found in the table a terminal gets);
#   - with an empty pipe on standard input, stdout still a pty: either the
#     same result (a program that reads no stdin there), or exit 1, nothing on
#     stdout and the empty stream said on stderr.  Never another result.
# Pipelines run under bash -o pipefail (dash has no pipefail), so that a
# program that refuses the empty stream is not hidden by the one after it.
. "$(dirname "$0")/lib.sh"
exec </dev/null
top=$(cd "$here/.." && pwd)
if ! command -v script >/dev/null || ! script -qec true /dev/null >/dev/null 2>&1; then
	echo "1..0 # SKIP script(1) of util-linux is needed to give the examples a terminal"
	exit 0
fi

# Examples that cannot run here, with the reason.
skip_reason() {
	case "$1|$2" in
	"README.md|export CRM_DB=/tmp/tour/crm.db")
		echo "the tour's store is the sample store of the test, with the events its questions need" ;;
	"README.md|CRM_NO_STDIN=1" | "README.md|0 "*)
		echo "a crontab's lines, not commands (t-cron.sh runs them)" ;;
	esac
}

# Examples run in another form, with the reason: paths outside the test's
# directory, or a step the page does by hand.  Prints the command to run.
rewrite() {
	case "$1|$2" in
	*"|export CRM_DB=/srv/crm/crm.db CRM_ACTOR="*)  # the store is the page's sample store
		echo "export ${2#export CRM_DB=/srv/crm/crm.db }" ;;
	*"|export CRM_REGISTER=/etc/crm/register.json")   # the register of examples/
		echo 'export CRM_REGISTER=$PWD/examples/register.json' ;;
	*"|export CRM_WEIGHTS=/etc/crm/weights.json")   # weights the test writes
		echo 'export CRM_WEIGHTS=$HOME/marketing/weights.json' ;;
	*"|cp /backup/2026-11-24/crm.db /srv/crm/crm.db")  # the backup: the sample store as built
		echo 'cp "$HOME/backup/crm.db" "$CRM_DB"' ;;
	*"|crm-gdpr-export --db /tmp/copy.db --verify-audit")  # a copy altered by hand
		echo 'cp "$CRM_DB" "$TMPDIR/copy.db" && sqlite3 "$TMPDIR/copy.db" "DROP TRIGGER audit_no_update; UPDATE audit SET actor = '"'x'"' WHERE id = 3" && crm-gdpr-export --db "$TMPDIR/copy.db" --verify-audit' ;;
	"README.md|grep -v '^#' bad.csv | crm-add -q"*)   # fixing them, as the comment says
		echo "sed -i 's/bob@,/bob@example.org,/; s/pierre@,/pierre@example.org,/' bad.csv && $2" ;;
	"crm.7|vi bad.csv")   # the correction crm-add(1) makes with sed
		echo "sed -i 's/pierre@,/pierre@radium.test,/' bad.csv" ;;
	*) printf '%s\n' "$2" ;;
	esac
}

# Examples whose documented output comes from the page's own data, which the
# sample store does not copy number for number: their output is compared in
# shape (tests/examples.pl doc --loose: the first line as it is, then words
# and numbers masked), with the reason.
loose_reason() {
	case "$1|$2" in
	"crm-find.1|crm-find --scores "*) echo "scores of the page's customers" ;;
	"crm-gdpr-export.1|jq -c '.scores."*) echo "scores of the page's person" ;;
	"crm-gdpr-export.1|crm-gdpr-export --audit --format table "*) echo "the page's audit trail" ;;
	"crm-report.1|crm-report "*" --as-of 2026-06-30"*) echo "the page's year of sales" ;;
	"crm-report.1|crm-find country=FR | crm-report churn "*) echo "the page's year of sales" ;;
	"crm-report.1|crm-report by kind tasks "*) echo "the page's tasks" ;;
	"crm-segment.1|crm-segment lapsed --fields "* | "crm-segment.1|crm-segment at-risk --fields "* | \
	"crm-segment.1|crm-find segment:vip -segment:lapsed "* | "crm-segment.1|crm-segment --rfm "* | \
	"crm-segment.1|crm-segment leaving --as-of "* | "crm-segment.1|crm-segment --attrition "*)
		echo "the page's customers and their purchases" ;;
	esac
}

# Examples whose documented numbers (counts, ids, line numbers) come from
# the page's own data: their numbers are masked, the rest compared as it is.
numbers_reason() {
	case "$1|$2" in
	"README.md|crm-add contacts.csv") echo "the page's file is longer" ;;
	"crm-add.1|crm-add --dry-run --on-conflict error contacts.csv"*) echo "ids of the page's store" ;;
	"crm-gdpr-export.1|jq -c '[.parties[].id]'"* | "crm-gdpr-export.1|crm-gdpr-export --replay --dry-run"*)
		echo "ids of the page's store" ;;
	"crm-gdpr-export.1|crm-gdpr-export --erase "*) echo "the page's person and her events" ;;
	"crm-log.1|crm-log --import events.csv"*) echo "the events of the page's store" ;;
	"crm-report.1|crm-report campaign spring "*) echo "the page's campaign" ;;
	"crm-segment.1|"*) echo "the page's five customers" ;;
	esac
}

# The exit status of examples whose page says it in words, not "$ echo $?".
want_status() {
	case "$1|$2" in
	*"|crm-add -q outlook-export.csv") echo 3 ;;      # invalid UTF-8: bad input
	*"|crm-add --dry-run --on-conflict error"*) echo 3 ;;
	*"|crm-add --email zoe.quennehen@example.org"*) echo 3 ;;  # suppressed
	*"|crm-add --email elodie@example.org --name Élodie") echo 3 ;;
	*'| grep -cxF "$(tail -1 ~/dpo/audit-hashes.txt)"') echo 1 ;;  # "0": grep found none
	*) echo 0 ;;
	esac
}

# Examples that fail because of a known gap, with the reason (TAP "# TODO").
todo_reason() {
	case "$1|$2" in
	esac
}

# The sample store and files of a page, in the directory $1 (the store is
# $1/work/crm.db, the working directory $1/work, HOME $1/home).
fixture() {
	local lane=$1 page=$2
	mkdir -p "$lane/work" "$lane/home/dpo" "$lane/home/marketing" "$lane/home/backup" "$lane/tmp"
	cat >"$lane/env" <<-EOF
	export HOME='$lane/home' XDG_DATA_HOME='$lane/home/.local/share'
	export CRM_DB='$lane/work/crm.db' TMPDIR='$lane/tmp'
	cd '$lane/work'
	EOF
	# (not in an "||": set -e would be ignored there)
	(set -e; . "$lane/env"; CRM_ACTOR=sales; export CRM_ACTOR; sample "$page") \
		</dev/null >"$T/fixture.log" 2>&1
	[ $? = 0 ] || { echo "Bail out! the sample store of $page: $(tail -3 "$T/fixture.log")"; exit 1; }
}

sample() {
	cp -r "$top/examples" .
	# Sixty parties of every kind; README's copy of the file has two bad rows.
	awk -v page="$1" 'BEGIN {
		split("Paris Lyon Marseille Lille Nantes Bordeaux", c, " ")
		split("Jean Chloé Hugo Léa Karim Zoé Nils Inès", f, " ")
		split("Martin Dubois Lefèvre Nguyen Haddad Müller Dupont", l, " ")
		split("martin dubois lefevre nguyen haddad muller dupont", a, " ")
		split("customer prospect lead partner", k, " ")
		print "First Name,Last Name,E-mail,Mobile,Company,City,Country,Kind,Tags,Birthdate,Score,Created,Notes"
		for (i = 1; i <= 60; i++) {
			printf "%s,%s,%s%d@example.org,%s,Company %d,%s,%s,%s,%s,%d-0%d-1%d,%s,%s,\"Met at the %d fair\"\n",
			    f[1 + i % 8], l[1 + i % 7], a[1 + i % 7], i,
			    (i % 3 ? "+33 6 12 " sprintf("%02d %02d %02d", i, i % 60, i % 30) : ""),
			    i % 10, c[1 + i % 6], (i % 5 ? "FR" : "BE"), k[1 + i % 4],
			    (i % 9 == 0 ? "vip" : i % 7 == 0 ? "unsubscribed" : i % 4 == 0 ? "fair" : ""),
			    1950 + i % 55, 1 + i % 9, i % 10, (i % 2 ? "4." i % 10 : ""),
			    (i % 3 == 1 ? "" : i % 3 == 2 ? sprintf("2026-01-1%d", i % 10) : sprintf("2025-%02d-1%d", 1 + i % 12, i % 10)), 2000 + i % 25
			if (page == "README.md" && i == 42) print "Bob,Bad,bob@,,,Paris,FR,lead,,,,,"
		}
		if (page == "README.md") print "Pierre,Bad,pierre@,,,Lyon,FR,lead,,,,,"
	}' >contacts.csv
	[ "$1" = README.md ] && grep -v '^[A-Za-z]*,Bad,' contacts.csv >clean.csv || cp contacts.csv clean.csv
	crm-add -q clean.csv
	crm-add -q <<-'EOF'
	{"type":"organization","name":"Analytical Engines","attrs":{"employees":300}}
	{"first_name":"Ada","last_name":"Byron","created":"2025-01-15","email":"ada@example.org","org":"Analytical Engines","city":"Paris","country":"FR","kind":"customer","tags":["vip"],"birthdate":"1990-12-10","attrs":{"source":"fair"}}
	{"first_name":"Bob","last_name":"Martin","created":"2025-01-15","email":"bob@example.org","city":"Lyon","country":"FR","kind":"customer","birthdate":"1960-05-01"}
	{"first_name":"Chloé","last_name":"Petit","created":"2025-01-15","email":"chloe@example.org","city":"Paris","country":"FR","kind":"customer","tags":["vip"],"birthdate":"2000-03-04"}
	{"first_name":"Dan","last_name":"Roy","created":"2025-01-15","email":"dan@example.org","org":"Analytical Engines","city":"Paris","country":"BE","kind":"customer","birthdate":"1970-07-07"}
	{"first_name":"Eve","last_name":"Durand","created":"2026-01-10","email":"eve@example.org","city":"Lille","country":"FR","kind":"customer"}
	{"name":"Ann Lee","email":"ann@example.org","ext_id":"S-2","city":"Paris","kind":"customer","phone":"+33 6 11 22 33 44"}
	{"first_name":"Zoé","last_name":"Quennehen","email":"zoe.quennehen@example.org","tags":["newsletter"],"phone":"06 12 34 56 78","kind":"customer","notes":"wrote from zoe.quennehen@example.org"}
	{"first_name":"Z.","last_name":"Quennehen","ext_id":"Q-2","phone":"+33 6 12 34 56 78","kind":"lead"}
	{"first_name":"Inès","last_name":"Roux","email":"ines@example.org","city":"Lyon","kind":"customer","tags":["vip"],"created":"2024-06-01"}
	{"name":"Léa Mercier","email":"lea@example.org","kind":"partner","city":"Paris","notes":"knows zoe.quennehen@example.org"}
	EOF
	# Purchases over a year before 2026-06-30 and lately, campaigns and tasks.
	{
		d=$(date -u -d '-20 days' +%Y-%m-%dT10:00:00Z)
		for m in 2025-07 2025-09 2025-11 2026-01 2026-03 2026-05; do
			printf '{"email":"ada@example.org","type":"purchase","at":"%s-10T10:00:00Z","amount":"%s","currency":"EUR"}\n' "$m" 300.00
			printf '{"email":"chloe@example.org","type":"purchase","at":"%s-12T10:00:00Z","amount":"%s","currency":"EUR"}\n' "$m" 45.00
		done
		printf '{"email":"bob@example.org","type":"purchase","at":"2025-05-01T10:00:00Z","amount":"1340.00","currency":"EUR"}\n'
		printf '{"email":"eve@example.org","type":"purchase","at":"2026-05-20T10:00:00Z","amount":"60.00","currency":"EUR"}\n'
		printf '{"email":"dan@example.org","type":"purchase","at":"2025-01-10T10:00:00Z","amount":"20.00","currency":"EUR"}\n'
		printf '{"email":"dan@example.org","type":"purchase","at":"%s","amount":"20.00","currency":"EUR"}\n' \
			"$(date -u -d '-40 days' +%Y-%m-%dT10:00:00Z)"
		printf '{"email":"ada@example.org","type":"purchase","at":"%s","amount":"80.00","currency":"EUR"}\n' "$d"
		printf '{"email":"zoe.quennehen@example.org","type":"purchase","at":"2025-02-01T10:00:00Z","amount":"20.00","currency":"EUR"}\n'
		printf '{"email":"zoe.quennehen@example.org","type":"note","at":"2025-02-02T10:00:00Z","body":"asked to write to zoe.quennehen@example.org"}\n'
		for p in ada chloe ines bob eve; do
			printf '{"email":"%s@example.org","type":"sent","channel":"email","campaign":"noel","at":"2025-12-01T08:00:00Z"}\n' "$p"
			printf '{"email":"%s@example.org","type":"sent","channel":"email","campaign":"spring","at":"2026-04-01T08:00:00Z"}\n' "$p"
		done
		for p in ada chloe bob; do
			printf '{"email":"%s@example.org","type":"opened","channel":"email","campaign":"noel","at":"2025-12-02T08:00:00Z"}\n' "$p"
			printf '{"email":"%s@example.org","type":"opened","channel":"email","campaign":"spring","at":"2026-04-02T08:00:00Z"}\n' "$p"
		done
		for m in 2026-01 2026-02 2026-03; do   # a VIP at risk: bought much, not of late
			printf '{"email":"ines@example.org","type":"purchase","at":"%s-05T10:00:00Z","amount":"500.00","currency":"EUR"}\n' "$m"
		done
		printf '{"ext_id":"Q-2","type":"call","at":"2025-02-03T10:00:00Z","subject":"called"}\n'
		printf '{"email":"ada@example.org","type":"opened","channel":"email","campaign":"noel-2026","at":"%s"}\n' "$d"
		printf '{"email":"lea@example.org","type":"note","at":"2025-03-02T10:00:00Z","body":"introduced zoe.quennehen@example.org"}\n'
		printf '{"email":"chloe@example.org","type":"clicked","channel":"email","campaign":"noel","at":"2025-12-02T09:00:00Z"}\n'
	} | crm-log --import -q
	crm-log -q --contact bob@example.org --task 'Send the catalogue' --assignee sam --due 2026-06-20
	crm-log -q --contact dan@example.org --task 'Call back' --assignee sam --due 2026-06-25
	case $1 in crm-find.1 | crm-report.1)   # the segments these pages use
		crm-segment --save vip tag:vip OR 'revenue>=1000'
		crm-segment --save lapsed 'last_activity<180d'
		crm-segment --save paris city=Paris
		crm-segment --save at-risk segment:vip segment:lapsed ;;
	esac
	# Shopify's orders: four orders of three new customers (one of two line
	# items), two of them refunded: 6 events.
	printf '%s\n' 'Name,Email,Financial Status,Paid at,Currency,Total,Created at,Lineitem name,Billing Name,Refunded Amount' \
		'#1001,liv@shop.example,paid,2026-11-20 16:53:10 +0100,EUR,59.90,2026-11-20 16:53:00 +0100,Teapot,Liv Moe,0.00' \
		'#1001,liv@shop.example,,,,,2026-11-20 16:53:00 +0100,Mug,,' \
		'#1002,tom@shop.example,refunded,2026-11-21 09:05:12 +0100,EUR,20.00,2026-11-21 09:05:00 +0100,Cup,Tom Roy,20.00' \
		'#1003,ana@shop.example,paid,2026-11-22 10:00:00 +0100,EUR,35.00,2026-11-22 10:00:00 +0100,Pot,Ana Sol,0.00' \
		'#1005,ana@shop.example,partially_refunded,2026-11-24 10:00:00 +0100,EUR,30.00,2026-11-24 10:00:00 +0100,Bowl,Ana Sol,10.00' \
		>orders_export.csv
	if [ "$1" = README.md ]; then
		awk 'BEGIN { split("martin dubois lefevre nguyen haddad muller dupont", a, " ")
			print "Order ID,Order Date,E-mail,Total,Currency"
			for (n = 1; n <= 120; n++) {   # two orders each, one of them bad
				i = 1 + n % 60
				printf "%d,2026-%02d-%02d 10:00,%s%d@example.org,%s,EUR\n", 1000 + n,
				    1 + n % 8, 1 + n % 27, a[1 + i % 7], i, (n == 16 ? "\"12,50\"" : i * 10 + 0.5)
			}
		}' >orders.csv
		printf '%s\n' '{"email":"martin7@example.org","event":"opened","timestamp":"2026-04-02T08:14:09Z"}' \
			'{"email":"new@example.org","event":"opened","timestamp":"2026-04-02T09:00:00Z"}' >opens.jsonl
		return
	fi
	# Files the pages read.
	printf 'Order ID,Order Date,E-mail,Total,Currency,Items\n%s\n%s\n%s\n' \
		'1041,2026-11-20 09:12,ann@example.org,149.90,EUR,3' \
		'1042,2026-11-20 10:40,bob@example.org,"12,50",EUR,1' \
		'1043,2026-11-21 11:00,ada@example.org,20.00,EUR,1' >orders.csv
	printf 'email\nada@example.org\nchloe@example.org\nbob@example.org\n' >opens.csv
	printf '%s\n' '{"email":"ann@example.org","event":"opened","timestamp":"2026-04-02T08:14:09Z","message_id":"m-77a1"}' \
		'{"email":"bob@example.org","event":"opened","timestamp":"2026-04-02T08:20:00Z","message_id":"m-77a2"}' \
		'{"email":"new@example.org","event":"opened","timestamp":"2026-04-03T08:00:00Z","message_id":"m-77a3"}' >spring.jsonl
	printf 'Call ID,Start Time,Caller,Duration,Direction\nc-9001,2026-11-24 09:15,ann@example.org,124,in\n' >calls.csv
	printf 'Order ID,Order Date,E-mail,Total,Currency\n2001,2026-11-22 10:00,ann@example.org,9.90,EUR\n' >orders-1252.csv
	printf 'First Name,Last Name,E-mail,Source\nMarie,Curie,marie@radium.test,fair\nPierre,Curie,pierre@,fair\nIrène,Curie,irene@radium.test,fair\n' >contacts.csv.new
	# crm(7)'s tour promotes its leads
	[ "$1" != crm.7 ] || printf 'First Name,Last Name,E-mail,Source,Kind\nMarie,Curie,marie@radium.test,fair,lead\nPierre,Curie,pierre@,fair,lead\n' >contacts.csv.new
	printf 'Contact ID,Name,Email,Owner\nC-1,Ida Tarbell,ida@example.org,sam\n' >export.csv
	printf 'First Name,Last Name,E-mail\nMáire,Neill,maire@example.org\nSeán,O\222Brien,sean@example.org\n' >outlook-export.csv
	printf '\377\376' >contacts-utf16.csv
	printf 'name,email\nUte Vogel,ute@example.org\n' | iconv -f UTF-8 -t UTF-16LE >>contacts-utf16.csv
	printf '[{"fullName":"Kai Lind","mail":"kai@example.org"}]\n' >people.json
	printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:Rosa Park\r\nN:Park;Rosa;;;\r\nEMAIL:rosa@example.org\r\nEND:VCARD\r\n' >contacts.vcf
	printf 'BEGIN:VCARD\r\nVERSION:2.1\r\nN:Lamy;Paul;;;\r\nTEL;CELL:+33 6 99 88 77 66\r\nEND:VCARD\r\n' >Contacts.vcf
	printf 'Notes:\n"When exporting your connection data, you may notice that some of the email addresses are missing."\n\nFirst Name,Last Name,URL,Email Address,Company,Position,Connected On\nLin,Ho,https://www.linkedin.com/in/linho,lin@example.org,Acme,CTO,01 Feb 2026\nMo,Sy,https://www.linkedin.com/in/mosy,,Acme,CEO,02 Feb 2026\n' >Connections.csv
	printf 'zoe.quennehen@example.org\n' >req-014.txt
	printf 'zoe.quennehen@example.org\n+33 6 12 34 56 78\n' >req-015.txt
	echo '{"propensity":{"tags":{"vip":10}}}' >"$HOME/marketing/weights.json"
	# crm-add(1) loads contacts.csv into this store: its own, with one bad row.
	mv contacts.csv.new contacts.csv
	cp "$CRM_DB" "$HOME/backup/crm.db"   # the backup that crm-gdpr-export(1) restores
}

# tap STATUS DESC [TODO-REASON] [LINES...]
tap() {
	local st=$1 d=$2 todo=$3; shift 3
	d=$(printf '%s' "$d" | tr '\n' ' ' | sed 's/#/\\#/g')
	tests=$((tests + 1))
	if [ -n "$todo" ]; then
		[ "$st" = 0 ] && echo "ok $tests - $d # TODO $todo" || echo "not ok $tests - $d # TODO $todo"
		return
	fi
	if [ "$st" = 0 ]; then echo "ok $tests - $d"; return; fi
	failed=$((failed + 1))
	echo "not ok $tests - $d"
	for l in "$@"; do printf '#   %s\n' "$l"; done
}

# run LANE PREFIX CMD: CMD at a terminal, after PREFIX; rc, LANE/out, LANE/err
run_in() {
	local lane=$1 prefix=$2
	{ echo ". '$lane/env'"; printf '%s\n' "$3"; } >"$lane/cmd.sh"
	timeout 60 script -qec "${prefix}bash -o pipefail '$lane/cmd.sh' 2>'$lane/err'" /dev/null >"$lane/out" </dev/null
	rc=$?
}

empty_said='standard input named no (party|subject).*nothing was done'
A=$T/a B=$T/b
perl "$here/examples.pl" extract "$top/README.md" "$top"/man/*.[157] >"$T/examples" ||
	{ echo "Bail out! the examples could not be read from the pages"; exit 1; }

example() {
	local page=$1 line=$2 cmd=$3 status=$4 why d
	d="$page:$line: $cmd"
	why=$(skip_reason "$page" "$cmd")
	if [ -n "$why" ]; then
		tests=$((tests + 1)); echo "ok $tests - $(printf '%s' "$d" | sed 's/#/\\#/g') # SKIP $why"
		return
	fi
	local run; run=$(rewrite "$page" "$cmd")
	[ "$run" = "$cmd" ] || d="$d (run as: $run)"
	case $run in
	export\ *)      # the page's environment, for the commands after it
		(. "$A/env" && eval "$run" && export -p) >"$T/env.new" 2>"$T/err"
		rc=$?
		tap "$rc" "$d (its environment)" "" "exit $rc"
		[ "$rc" = 0 ] && { cat "$T/env.new"; grep '^cd ' "$A/env"; } >"$A/env.tmp" && mv "$A/env.tmp" "$A/env"
		return ;;
	esac
	# the terminal's run on A, the empty pipe's on B, a copy of A before it
	rm -rf "$B"; cp -a "$A" "$B"; sed -i "s|$A|$B|g" "$B/env"
	# a file the page shows with "$ cat FILE", before anything made it: the page's data
	case $cmd in
	"cat "*[!\ ]) local f=${cmd#cat }
		[ -e "$A/work/$f" ] || { sed -n 's/^O //p' "$T/exp" >"$A/work/$f"; cp "$A/work/$f" "$B/work/$f"; } ;;
	esac
	[ -z "$status" ] && status=$(want_status "$page" "$cmd")
	local todo loose numbers
	todo=$(todo_reason "$page" "$cmd") loose=$(loose_reason "$page" "$cmd") numbers=
	[ -n "$loose" ] || numbers=$(numbers_reason "$page" "$cmd")
	run_in "$A" "" "$run"
	local rca=$rc diag= ok=0
	if [ -s "$T/exp" ]; then
		diag=$(perl "$here/examples.pl" doc ${loose:+--loose} ${numbers:+--numbers} \
			"$T/exp" "$A/out" "$A/err") || ok=1
		[ -z "$loose" ] || d="$d (its output in shape: $loose)"
		[ -z "$numbers" ] || d="$d (its numbers masked: $numbers)"
	fi
	[ "$rca" = "$status" ] || { ok=1; diag="# exit $rca, the page says $status
$diag"; }
	grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$A/err" && ok=1
	tap "$ok" "$d (terminal)" "$todo" "$diag" "$(sed -n '1,6s/^/stderr: /p' "$A/err")"
	run_in "$B" "printf '' | " "$run"
	local rcb=$rc
	local how=
	if [ "$rcb" = "$rca" ] && { cmp -s "$A/out" "$B/out" ||
		diag=$(perl "$here/examples.pl" same "$A/out" "$B/out"); }; then
		ok=0 how="as at the terminal"
	elif [ "$rcb" = 1 ] && grep -qE "$empty_said" "$B/err" &&
		# nothing on stdout; in a pipeline, what the programs after print on no input
		{ ! [ -s "$B/out" ] || case $run in *"|"*) true ;; *) false ;; esac; }; then
		ok=0 how="the empty stream said, exit 1"
	else
		ok=1; diag="# exit $rcb with an empty pipe, $rca at the terminal
$diag"
	fi
	grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$B/err" && ok=1
	tap "$ok" "$d (empty pipe${how:+: $how})" "$todo" "$diag" "$(sed -n '1,6s/^/stderr: /p' "$B/err")"
}

page= line= cmd= status=
: >"$T/exp"
while IFS= read -r l <&3; do
	case $l in
	"P "*) p=${l#P }
		if [ "$p" != "$page" ]; then
			page=$p; rm -rf "$A"; fixture "$A" "$page"
		fi ;;
	"L "*) line=${l#L } ;;
	"C "*) cmd=${l#C } ;;
	"S "*) status=${l#S } ;;
	"O "* | "E "*) printf '%s\n' "$l" >>"$T/exp" ;;
	"%%") example "$page" "$line" "$cmd" "$status"
		page=$page cmd= status=; : >"$T/exp" ;;
	esac
done 3<"$T/examples"
finish
