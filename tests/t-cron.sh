# SPDX-License-Identifier: MIT
# t-cron.sh: what a scheduled job sees.  cron gives every job an empty pipe
# on standard input: no program takes it for a population (the whole base
# or nobody); each says so and exits 1, and writes nothing.  CRM_NO_STDIN
# and --no-stdin turn standard input off.  Terms that begin with '-' are
# terms for every program that takes terms, never options.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

cat >people.jsonl <<'JSON'
{"name":"Ann","email":"ann@x.org","kind":"customer","city":"Paris","phone":"+33 6 11 22 33 44","tags":["vip"]}
{"name":"Bob","email":"bob@x.org","kind":"lead","city":"Paris"}
{"name":"Cid","email":"cid@x.org","kind":"prospect","city":"Lyon"}
JSON
crm-add -q people.jsonl
crm-log -q --no-stdin --contact ann@x.org --type purchase --amount 10 --at 2026-05-01T10:00:00Z
crm-segment --save paris city=Paris 2>/dev/null
dump() { sqlite3 "$CRM_DB" 'SELECT * FROM party; SELECT * FROM event; SELECT * FROM segment;
	SELECT * FROM segment_member; SELECT count(*) FROM audit'; }
before=$(dump)

# cronlike JOB: run JOB as cron does: sh -c JOB, its standard input an
# empty pipe that a process that is no shell made and holds no more.
cat >"$T/cronlike" <<'PERL'
#!/usr/bin/perl
pipe(my $r, my $w) or die;
my $pid = fork // die;
if (!$pid) { close $w; open(STDIN, "<&", $r) or die; exec "sh", "-c", $ARGV[0]; die }
close $r; close $w; waitpid($pid, 0); exit($? >> 8);
PERL
chmod +x "$T/cronlike"
cronlike() { "$T/cronlike" "$@"; }

# empty CMD...: run CMD with an empty pipe on stdin, as cron does.
empty() {
	local d=$1; shift
	run sh -c 'printf "" | "$@"' sh "$@"
	is "$d: exit 1" "$rc" 1
	is "$d: nothing on stdout" "$(cat "$T/out")" ""
	like "$d: the empty stream is said, with the way out" "$(cat "$T/err")" \
		'standard input named no (party|subject).*nothing was done'
	is "$d: one line on stderr" "$(wc -l <"$T/err")" 1
}

empty "crm-find" crm-find city=Paris
empty "crm-find --count" crm-find --count city=Paris
empty "crm-find --ids" crm-find --ids
empty "crm-find --rfm" crm-find --rfm
empty "crm-segment NAME" crm-segment paris
empty "crm-segment NAME --count" crm-segment paris --count
empty "crm-segment --rfm" crm-segment --rfm
empty "crm-segment --include" crm-segment --include paris
empty "crm-segment --exclude" crm-segment --exclude paris
empty "crm-report summary" crm-report summary
empty "crm-report by kind --format csv" crm-report by kind --format csv
empty "crm-add with flags" crm-add --tag reviewed
empty "crm-add with flags, a new party" crm-add --name Dan --email dan@x.org
empty "crm-add of records" crm-add
empty "crm-log" crm-log --type call --subject hello
empty "crm-log --task --spread" crm-log --task 'Call back' --spread 5d
empty "crm-log --list" crm-log --list
empty "crm-log --tasks" crm-log --tasks
empty "crm-log --import" crm-log --import --type opened
empty "crm-gdpr-export --subject-stdin" crm-gdpr-export --subject-stdin
empty "crm-gdpr-export --erase --subject-stdin" crm-gdpr-export --erase --subject-stdin --reason test
is "nothing was written by any of them" "$(dump)" "$before"

run sh -c ': | crm-report summary --html "$1"' sh "$T/page.html"
is "crm-report --html: no page" "$rc/$(ls "$T" | grep -c page)" "1/0"

# The way out: --no-stdin, or CRM_NO_STDIN for a whole crontab.
run sh -c ': | crm-find --no-stdin --count city=Paris'
is "--no-stdin: the whole base" "$rc/$(cat "$T/out")" "0/2"
run cronlike 'CRM_NO_STDIN=1 crm-find --count city=Paris'
is "CRM_NO_STDIN=1: the whole base" "$rc/$(cat "$T/out")" "0/2"
run cronlike 'CRM_NO_STDIN=yes crm-segment paris --count'
is "CRM_NO_STDIN=yes: crm-segment too" "$rc/$(cat "$T/out")" "0/2"
run cronlike 'CRM_NO_STDIN=1 crm-report by kind --format csv'
is "CRM_NO_STDIN=1: a report of the whole base" "$rc/$(cat "$T/out")" "0/kind,parties,share
customer,1,0.3333
lead,1,0.3333
prospect,1,0.3333"
run cronlike 'CRM_NO_STDIN=0 crm-find --count'
is "CRM_NO_STDIN=0 reads stdin" "$rc" 1
run cronlike 'CRM_NO_STDIN= crm-find --count'
is "CRM_NO_STDIN empty reads stdin" "$rc" 1
run cronlike 'CRM_NO_STDIN=1 crm-add --name Dan --email dan@x.org -q'
is "CRM_NO_STDIN=1: crm-add with flags adds the party" "$rc/$(crm-find --no-stdin --count email=dan@x.org)" "0/1"
run sh -c ': | CRM_NO_STDIN=1 crm-find --count city=Paris'
is "CRM_NO_STDIN=1: a pipe a shell made is refused" "$rc/$(cat "$T/out")" "2/"
run sh -c 'printf "{\"id\":1}\n" | CRM_NO_STDIN=1 crm-gdpr-export --subject-stdin --erase --dry-run --reason test'
is "CRM_NO_STDIN does not stop --subject-stdin" "$rc" 0

# Parties named by options are worked on, whatever the stream.
run sh -c ': | crm-log -q --contact bob@x.org --type call --subject "named"'
is "crm-log --contact with an empty pipe: logged" "$rc/$(crm-log --no-stdin --list --contact bob@x.org --type call | jq -r .subject)" "0/named"
run sh -c ': | crm-segment --include paris --contact cid@x.org'
is "crm-segment --include --contact with an empty pipe: pinned" "$rc/$(crm-segment paris --no-stdin --count)" "0/3"

# A crontab: CRM_NO_STDIN=1 for every job, each run by sh with an empty
# pipe as stdin and a small environment; the program after a pipe inside a
# job says --stdin.
cat >crontab <<'TAB'
crm-find --count city=Paris
crm-find city=Paris | crm-log --stdin --type sent --campaign cron -q
crm-segment paris | crm-find --stdin --count has:phone
crm-report by kind --html week.html
TAB
job() {
	run env -i PATH="$PATH" HOME="$HOME" CRM_DB="$CRM_DB" CRM_NO_STDIN=1 \
		ASAN_OPTIONS="$ASAN_OPTIONS" UBSAN_OPTIONS="$UBSAN_OPTIONS" "$T/cronlike" "$1"
}
while IFS= read -r j; do
	job "$j"
	is "crontab job: $j: exit 0" "$rc" 0
done <crontab
is "crontab: the pipe inside the job logged for the Paris parties" \
	"$(crm-log --no-stdin --list --campaign cron | jq -r .party_id | sort | paste -sd' ' -)" "1 2"
is "crontab: the report was written" "$(grep -c '<svg' week.html)" 1
job 'crm-find --count city=Paris'
is "crontab: a count of the whole base" "$(cat "$T/out")" 2
job 'crm-segment paris | crm-find --stdin --count has:phone'
is "crontab: the count of the stream, not of the base" "$(cat "$T/out")" 1

# A forgotten --stdin is refused, never a search of the whole base: records
# already there, a writer still at work, or an empty pipe that the job made.
job 'crm-find city=Paris | { sleep 1; crm-find --count; }'
is "no --stdin, records waiting: exit 2" "$rc/$(cat "$T/out")" "2/"
like "no --stdin: says to give --stdin" "$(cat "$T/err")" 'CRM_NO_STDIN is set: give --stdin'
job '{ sleep 2; crm-find city=Paris; } | crm-find --count'
is "no --stdin, the writer still at work: exit 2" "$rc/$(cat "$T/out")" "2/"
job 'crm-find city=Nowhere | { sleep 1; crm-find --count; }'
is "no --stdin, an upstream that matched nothing and ended: exit 2" "$rc/$(cat "$T/out")" "2/"
job 'crm-find city=Nowhere | { sleep 1; crm-find --stdin --count; }'
is "--stdin, an upstream that matched nothing: exit 1, no count" "$rc/$(cat "$T/out")" "1/"
run sh -c 'printf "{\"id\":1}\n" | crm-find --stdin --no-stdin'
is "--stdin with --no-stdin: exit 2" "$rc" 2
# The same when the job's own standard input is /dev/null (systemd), through
# wrappers, whatever the timing, and for a file given with <.
for j in 'crm-find --ids tag:nothing | crm-find --count' \
	'crm-find --ids tag:nothing | { sleep 1; exec crm-find --count; }' \
	'crm-find --ids tag:nothing | flock "$HOME/lock" crm-find --count' \
	'crm-find --ids tag:nothing | timeout 10 crm-find --count' \
	'crm-find --ids tag:nothing | nice crm-find --count' \
	'crm-find --ids tag:nothing | sh -c "crm-find --count; true"'; do
	for _ in 1 2 3; do
		run env CRM_NO_STDIN=1 sh -c "$j" </dev/null
		[ -z "$(cat "$T/out")" ] || break
	done
	is "no --stdin, an empty upstream, stdin /dev/null: $j: no count" "$(cat "$T/out")" ""
	like "and refused" "$(cat "$T/err")" 'CRM_NO_STDIN is set: give --stdin'
done
printf '2\n' >"$T/ids.txt"
job 'crm-find --count < '"$T/ids.txt"
is "no --stdin, a file given with <: exit 2, no count" "$rc/$(cat "$T/out")" "2/"
: >"$T/none.txt"
job 'crm-find --count < '"$T/none.txt"
is "no --stdin, an empty file given with <: exit 2, no count" "$rc/$(cat "$T/out")" "2/"
job 'flock "$HOME/lock" crm-find --count'
is "a wrapper run by the job's shell: the job's stdin is ignored" "$rc/$(cat "$T/out")" "0/$(crm-find --no-stdin --count)"
job 'crm-find --count; true'
is "a program the job's shell forks: the job's stdin is ignored" "$rc/$(cat "$T/out")" "0/$(crm-find --no-stdin --count)"
run crm-find --stdin --count </dev/null
is "--stdin reads even /dev/null: an empty stream, exit 1" "$rc/$(cat "$T/out")" "1/"

# --- Terms that begin with '-' ---------------------------------------------------------
run crm-segment --save nophone city=Paris -has:phone
is "crm-segment --save with a dash term: exit 0" "$rc" 0
is "crm-segment --save with a dash term: no usage on stdout" "$(cat "$T/out")" ""
is "the rule is saved whole" "$(crm-segment --show nophone --fields rules --format tsv | tail -1)" \
	'["city=Paris","-has:phone"]'
is "and gives Bob (Paris, no phone)" "$(crm-segment nophone --no-stdin | jq -r .name)" "Bob"
ok "crm-segment --save -tag:vip first" crm-segment --save notvip -tag:vip
is "-tag:vip first: Bob and Cid, then Dan" "$(crm-segment notvip --no-stdin | jq -r .name | paste -sd' ' -)" "Bob Cid Dan"
run crm-segment paris -has:phone --ids
is "crm-segment NAME -has:phone: Bob, and Cid pinned in" "$rc/$(paste -sd' ' - <"$T/out")" "0/2 3"
run crm-segment --rfm -has:phone --fields name
is "crm-segment --rfm -has:phone: the whole base less Ann" "$rc/$(jq -r .name "$T/out" | paste -sd' ' -)" "0/Bob Cid Dan"
run crm-segment --save d --description -has:x city=Paris
is "an option's value that looks like a term stays the value" \
	"$rc/$(crm-segment --show d --no-stdin | jq -c '[.description, .rules]')" '0/["-has:x",["city=Paris"]]'
run crm-find -has:phone -tag:vip --ids
is "crm-find with two dash terms" "$(paste -sd' ' - <"$T/out")" "2 3 4"
run crm-find --ids -- -has:phone
is "after --, a dash term is still a term" "$(paste -sd' ' - <"$T/out")" "2 3 4"

for p in crm-find crm-segment; do
	run $p -h
	is "$p -h: usage on stdout, exit 0" "$rc/$(head -c 6 "$T/out")" "0/usage:"
	run $p --help
	is "$p --help: usage on stdout, exit 0" "$rc/$(head -c 6 "$T/out")" "0/usage:"
	run $p --nosuch
	is "$p --nosuch: exit 2, nothing on stdout" "$rc/$(cat "$T/out")" "2/"
done
run crm-segment
is "crm-segment alone: usage on stderr, exit 2" "$rc/$(cat "$T/out")/$(head -c 6 "$T/err")" "2//usage:"
run crm-find -city=Paris
is "-city=Paris: exit 2" "$rc" 2
like "-city=Paris: says to use !=" "$(cat "$T/err")" "unknown term '-city=Paris'.*!="
run crm-segment --save x -city=Paris
is "crm-segment --save x -city=Paris: exit 2, nothing saved" "$rc/$(crm-segment --list --no-stdin --fields name | grep -c '"x"')" "2/0"
run crm-segment nosuch
is "errors of crm-segment NAME come from crm-segment" "$rc/$(cut -d: -f1 "$T/err")" "2/crm-segment"
run crm-segment paris --nosuch
like "a bad option of crm-segment NAME is crm-segment's" "$(cat "$T/err")" "^crm-segment: .*--nosuch"
is "and exits 2" "$rc" 2

# A count option takes digits only.
for v in ' 5' +5 5x '' -1; do
	run crm-find --no-stdin --limit "$v"
	is "--limit '$v': exit 2" "$rc" 2
done
run crm-find --no-stdin --limit 1 --ids
is "--limit 1" "$rc/$(cat "$T/out")" "0/1"

# --- Streams that name no party are said, never a silent nothing -------------------
crm-log -q --no-stdin --contact cid@x.org --type purchase --amount 5 --ref t1
run sh -c 'crm-log --no-stdin --list --type purchase --contact cid@x.org --fields id,type,amount --format csv | crm-find --ids'
is "event records without party_id: exit 3, no party taken for the event's id" "$rc/$(cat "$T/out")" "3/"
like "and it says why" "$(cat "$T/err")" "without party_id"
run sh -c 'crm-log --no-stdin --list --type purchase --contact cid@x.org | jq -c "{id,type,amount}" | crm-find --ids'
is "the same in JSON: exit 3" "$rc/$(cat "$T/out")" "3/"
run sh -c 'crm-log --no-stdin --list --type purchase --contact cid@x.org | crm-find --ids'
is "with party_id: the party" "$rc/$(cat "$T/out")" "0/3"
run sh -c 'printf "name,city\nBob,Lyon\n" | crm-find --count'
is "records with no key to a party: exit 3, no count" "$rc/$(cat "$T/out")" "3/"
like "and said with the line" "$(cat "$T/err")" '^crm-find: -:2: the record names no party'
run sh -c 'printf "1\nB x\n3\n" | crm-segment paris --ids'
is "a list broken by a two-word line: exit 3, not silent" "$rc" 3
run sh -c 'printf "\302\2402\n" | crm-find --ids'
is "an id padded with U+00A0 in a list" "$rc/$(cat "$T/out")" "0/2"
run sh -c 'printf "\343\200\2002\343\200\200\n" | crm-find --ids'
is "an id padded with U+3000 in a list" "$rc/$(cat "$T/out")" "0/2"
run sh -c 'printf "" | crm-add --tag x -'
is "crm-add - with an empty pipe: exit 1" "$rc" 1
run sh -c 'printf "" | crm-log --import --type note -'
is "crm-log --import - with an empty pipe: exit 1" "$rc" 1
run crm-log --no-stdin -q --contact cid@x.org --type Opened --campaign case
is "--type Opened is opened, without a notice" "$rc/$(cat "$T/err")/$(crm-log --no-stdin --list --campaign case | jq -r .type)" "0//opened"
run crm-find --no-stdin --count --fields nosuch
is "--fields with --count: exit 2" "$rc/$(cat "$T/out")" "2/"
run crm-find --no-stdin --ids --fields name
is "--fields with --ids: exit 2" "$rc" 2
run crm-report by kind --no-stdin --html ''
is "--html '': exit 2" "$rc" 2
run crm-report by kind --no-stdin --html -
is "--html -: the page on standard output" "$rc/$(head -c 15 "$T/out")" "0/<!DOCTYPE html>"

# A JSON object over several lines, however it begins.
run sh -c 'printf "{\"email\":\"bob@x.org\",\n \"name\":\"Bob\"}\n" | crm-find --ids'
is "an object over two lines" "$rc/$(cat "$T/out")" "0/2"
run sh -c 'printf "{\"email\":\"bob@x.org\"}\n{\n  \"email\": \"ann@x.org\"\n}\n" | crm-find --ids'
is "a compact object, then a pretty one" "$rc/$(paste -sd' ' - <"$T/out")" "0/1 2"
run sh -c 'printf "{\"email\":\"bob@x.org\",\n" | crm-find --ids'
is "an object never closed: exit 3" "$rc" 3
like "said with its first line" "$(cat "$T/err")" '^crm-find: -:1: a JSON object from this line is not closed'

finish
