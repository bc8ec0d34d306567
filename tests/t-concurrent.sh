# SPDX-License-Identifier: MIT
# t-concurrent.sh: an erasure's unfinished part when several programs run:
# two GDPR commands at once, a lost key, the commands that finish an
# erasure on the side, a dry run, and the same person erased twice.
# Interleavings are forced with a small LD_PRELOAD library built here,
# which makes the first write or rename of a chosen file wait.
. "$(dirname "$0")/lib.sh"
exec </dev/null
cd "$T" || exit 1

cat >slow.c <<'EOF'
#define _GNU_SOURCE
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>
#include <unistd.h>
/* CRM_SLOW="op:suffix:seconds,...": the first op (write, rename) on a path ending in suffix waits. */
static int done[8];
static void
slow(const char *op, const char *path)
{
	const char *spec = getenv("CRM_SLOW");
	char buf[512], *save = NULL, *it;
	int i = 0;
	if (!spec || !path)
		return;
	snprintf(buf, sizeof buf, "%s", spec);
	for (it = strtok_r(buf, ",", &save); it && i < 8; it = strtok_r(NULL, ",", &save), i++) {
		char o[16], sfx[256];
		double secs;
		if (sscanf(it, "%15[^:]:%255[^:]:%lf", o, sfx, &secs) != 3 || done[i] || strcmp(o, op))
			continue;
		size_t n = strlen(path), l = strlen(sfx);
		if (n >= l && !strcmp(path + n - l, sfx)) {
			const char *mark = getenv("CRM_SLOW_MARK");
			done[i] = 1;
			/* Say that the wait began: the other side starts then, not after a guess. */
			if (mark && *mark) {
				FILE *f = fopen(mark, "w");
				if (f)
					fclose(f);
			}
			usleep((useconds_t)(secs * 1e6));
		}
	}
}
static const char *
fdpath(int fd, char *p, size_t len)
{
	char l[64];
	ssize_t n;
	snprintf(l, sizeof l, "/proc/self/fd/%d", fd);
	if ((n = readlink(l, p, len - 1)) < 0)
		return NULL;
	p[n] = '\0';
	return p;
}
#define NEXT(name) ((__typeof__(&name))dlsym(RTLD_NEXT, #name))
ssize_t write(int fd, const void *b, size_t n)
{ char p[4096]; slow("write", fdpath(fd, p, sizeof p)); return NEXT(write)(fd, b, n); }
ssize_t pwrite(int fd, const void *b, size_t n, off_t o)
{ char p[4096]; slow("write", fdpath(fd, p, sizeof p)); return NEXT(pwrite)(fd, b, n, o); }
ssize_t pwrite64(int fd, const void *b, size_t n, off_t o)
{ char p[4096]; slow("write", fdpath(fd, p, sizeof p)); return NEXT(pwrite64)(fd, b, n, o); }
int rename(const char *a, const char *b)
{ slow("rename", a); return NEXT(rename)(a, b); }
EOF
cc -shared -fPIC -O1 -o slow.so slow.c -ldl || { echo "Bail out! cannot build slow.so"; exit 1; }
fault_setup
CRM_BUSY_TIMEOUT=20000
export CRM_BUSY_TIMEOUT

# slowly SPEC CMD...: CMD with its first writes or renames of some files delayed.
slowly() {
	local spec=$1
	shift
	rm -f "$T/waiting"
	CRM_SLOW=$spec CRM_SLOW_MARK=$T/waiting LD_PRELOAD=$T/slow.so "$@"
}
# waiting: until the slowed program is in its first wait (at most 60 s).
waiting() {
	local i=0
	while [ ! -e "$T/waiting" ] && [ $i -lt 1200 ]; do sleep 0.05; i=$((i + 1)); done
}
# (Read with sqlite3: any GDPR command would finish a waiting erasure first.)
actions() { sqlite3 "$CRM_DB" "SELECT count(*) FROM audit WHERE action = '$1'"; }
people() {
	cat >people.csv <<'EOF'
first_name,last_name,email,phone,country,notes,ext_id
Ann,Lovelace,ann@example.org,+33 6 12 34 56 78,FR,Prefers afternoons,A-77123
Bob,Babbage,bob@example.org,,GB,Engines,
Cid,Hopper,cid@example.org,,US,,
EOF
	rm -f "$CRM_DB" "$CRM_DB"-* "$CRM_DB".*
	crm-add -q people.csv
	crm-log -q --contact ann@example.org --type call --subject 'Ann Lovelace called' --at 2026-01-02T10:00:00Z
}
printf 'email\nann@example.org\n' >ann.csv
printf 'email\nbob@example.org\n' >bob.csv
printf 'email\ncid@example.org\n' >cid.csv

# --- Two erasures at once, the first ever (a new ledger made under
# PATH.suppress.new): the second's new ledger takes the first's name
# while the first renames it into place.  Each erasure that exits 0 must
# have its identifiers in the ledger.
people
slowly "write:.db-wal:1,rename:.suppress.new:2" \
	crm-gdpr-export --erase --subject ann@example.org --reason r >a.out 2>a.err &
pa=$!
waiting
slowly "write:.suppress.new:3" \
	crm-gdpr-export --erase --subject bob@example.org --reason r >b.out 2>b.err &
pb=$!
wait "$pa"; ra=$?
wait "$pb"; rb=$?
is "new ledger, two erasures at once: Ann's erasure says it is done and clean" \
	"$ra:$(jq -c .verification.clean a.out)" "0:true"
crm-gdpr-export --finish >/dev/null 2>&1
exits 3 "new ledger, two erasures at once: Ann is refused afterwards" crm-add ann.csv
exits 3 "new ledger, two erasures at once: Bob is refused afterwards" crm-add bob.csv
is "new ledger, two erasures at once: Ann is not back" "$(crm-find --count ann@example.org 2>/dev/null)" 0

# --- Two erasures at once on an existing ledger (written in place,
# without a lock): the later writer's bucket overwrites the other's.
people
crm-gdpr-export --erase --subject cid@example.org --reason first >/dev/null 2>&1
slowly "write:.db-wal:1,write:.suppress:2" \
	crm-gdpr-export --erase --subject ann@example.org --reason r >a.out 2>a.err &
pa=$!
waiting
crm-gdpr-export --erase --subject bob@example.org --reason r >b.out 2>b.err
rb=$?
wait "$pa"; ra=$?
is "existing ledger, two erasures at once: both say they are done" "$ra:$rb" "0:0"
crm-gdpr-export --finish >/dev/null 2>&1
exits 3 "existing ledger, two erasures at once: Ann is refused" crm-add ann.csv
exits 3 "existing ledger, two erasures at once: Bob is refused" crm-add bob.csv
exits 3 "existing ledger, two erasures at once: Cid, erased before, is refused" crm-add cid.csv

# --- An erasure and an --unsuppress at once: the unsuppress reorganises
# the ledger into a new file while the erasure writes into the old one.
people
crm-gdpr-export --erase --subject cid@example.org --reason first >/dev/null 2>&1
crm-gdpr-export --erase --subject bob@example.org --reason first >/dev/null 2>&1
slowly "write:.db-wal:1,write:.suppress:2" \
	crm-gdpr-export --erase --subject ann@example.org --reason r >a.out 2>a.err &
pa=$!
waiting
run crm-gdpr-export --unsuppress bob@example.org --reason 'came back of her own will'
wait "$pa"; ra=$?
is "erasure and --unsuppress at once: both say they are done" "$ra:$rc" "0:0"
crm-gdpr-export --finish >/dev/null 2>&1
exits 3 "erasure and --unsuppress at once: Ann is refused" crm-add ann.csv
exits 3 "erasure and --unsuppress at once: Cid is refused" crm-add cid.csv

# --- The key lost while an erasure waits, before any ledger exists
# (a power cut after the first erasure's commit, or a store moved
# without its key): no new key may be made, and the record must stay
# until the key is back.
people
faulty enospc .suppress.new 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "key lost: the erasure waits" "$rc:$(pending)" "4:1"
mv "$CRM_DB.key" saved.key
run crm-add ann.csv
is "key lost: Ann is not back after crm-add" "$(crm-find --count ann@example.org 2>/dev/null)" 0
ok "key lost: crm-add made no new key" test ! -e "$CRM_DB.key"
rm -f "$CRM_DB.key"
run crm-gdpr-export --finish
is "key lost: --finish exits 4 and keeps the record" "$rc:$(pending)" "4:1"
like "key lost: and says to restore the key" "$(cat err)" 'key.*missing|restore the key'
ok "key lost: --finish made no new key" test ! -e "$CRM_DB.key"
is "key lost: no audit entry says clean without verifying" \
	"$(sqlite3 "$CRM_DB" "SELECT count(*) FROM audit WHERE counts LIKE '%\"verified\":false,\"clean\":true%'")" 0
mv -f saved.key "$CRM_DB.key"
run crm-gdpr-export --finish
is "key back: --finish finishes it, clean" "$rc:$(jq -c .verification.clean out):$(pending)" "0:true:0"
exits 3 "key back: Ann is refused" crm-add ann.csv

# --- An erasure still finishing while another GDPR command starts: the
# other must not take it for one left unfinished, and the erasure's own
# run must end with its report, not "not finished".
people
slowly "rename:.suppress.new:1.5" \
	crm-gdpr-export --erase --subject ann@example.org --reason r >a.out 2>a.err &
pa=$!
waiting
run crm-gdpr-export --verify-audit
wait "$pa"; ra=$?
is "erasure and --verify-audit at once: the erasure exits 0" "$ra" 0
is "erasure and --verify-audit at once: its report is whole" "$(jq -c '[.verification.clean, .finished]' a.out)" '[true,null]'
is "erasure and --verify-audit at once: no finish entry (it was never left unfinished)" "$(actions finish)" 0

# --- Two --finish at once: one finishes, once.
people
crm-gdpr-export --erase --subject cid@example.org --reason first >/dev/null 2>&1
faulty enospc .suppress 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "an erasure waits" "$(pending)" 1
slowly "write:.suppress:2" crm-gdpr-export --finish >f1.out 2>f1.err &
p1=$!
waiting
crm-gdpr-export --finish >f2.out 2>f2.err
r2=$?
wait "$p1"; r1=$?
is "two --finish at once: one finish entry in the audit trail" "$(actions finish)" 1
is "two --finish at once: one report" "$(cat f1.out f2.out | grep -c erased)" 1
is "two --finish at once: the other says nothing waits (exit 1)" "$(printf '%s\n' "$r1" "$r2" | sort | tr '\n' ' ')" "0 1 "

# --- Residue found by a command that finishes an erasure on the side:
# the officer must be able to learn which file and which token, as the
# report would have said; now only "clean":false is kept.
people
printf 'name,phone,country\nDan Other,+33 6 12 34 56 78,FR\n' >dan.csv
crm-add -q dan.csv
faulty kill "${CRM_DB##*/}" 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "killed at the purge" "$rc:$(pending)" "137:1"
run crm-gdpr-export --audit --format tsv --fields action,counts
like "a side finish with residue says where it is (file and token)" \
	"$(cat err out)" 'token [0-9]+ of [0-9]+'

# --- A dry run with an erasure waiting: "nothing is written: no ledger,
# no audit entry" (crm-gdpr-export(1), Erasure).
people
faulty enospc .suppress.new 1 crm-gdpr-export --erase --subject ann@example.org --reason r
is "an erasure waits" "$(pending)" 1
before=$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM audit')
run crm-gdpr-export --erase --dry-run --subject bob@example.org --reason r
is "a dry run exits 0" "$rc" 0
ok "a dry run writes no ledger" test ! -e "$CRM_DB.suppress"
is "a dry run writes no audit entry" "$(sqlite3 "$CRM_DB" 'SELECT count(*) FROM audit')" "$before"

# --- The same person erased twice at once: the second finds no party
# any more, and must say so (exit 1) rather than report an erasure of
# nothing, verified "clean" with 0 tokens, and audited.
people
slowly "write:.db-wal:1" crm-gdpr-export --erase --subject ann@example.org --reason r >a.out 2>a.err &
pa=$!
waiting
run crm-gdpr-export --erase --subject ann@example.org --reason r
wait "$pa"; ra=$?
is "the first erasure erases Ann" "$ra:$(jq -c .erased.parties a.out)" "0:1"
is "the second finds no party: exit 1" "$rc" 1
is "one erase entry in the audit trail" "$(actions erase)" 1

# --- An ext_id of four digits that is a year (2026) is "found" in every
# date of the store and of the ledger's values: residue reported, exit 4,
# when no byte of the person is left.
people
printf 'name,email,ext_id\nZed Quux,zed@example.org,2026\n' >zed.csv
crm-add -q zed.csv
run crm-gdpr-export --erase --subject zed@example.org --reason r
is "an ext_id that is a year: clean, exit 0" "$rc:$(jq -c .verification.clean out)" "0:true"
ok "and no byte of Zed's name or e-mail is left" sh -c "! grep -aqE 'zed@example|Quux' '$CRM_DB' '$CRM_DB.suppress'"

# --- What held up: spellings refused while the erasure waits, and after.
people
faulty enospc .suppress.new 1 crm-gdpr-export --erase --subject ann@example.org --reason r
i=0
for rec in 'email|ANN@EXAMPLE.ORG' 'email|mailto:ann@example.org' 'phone,country|0033612345678,' \
	'phone,country|06 12 34 56 78,FR' 'ext_id|A-77123' 'name,emails|X,ann@example.org'; do
	i=$((i + 1))
	printf '%s\n' "${rec%%|*}" "${rec#*|}" >sp$i.csv
	exits 3 "waiting: refused: ${rec#*|}" crm-add sp$i.csv
done
printf 'email,type,at\nAnn@Example.org,note,2026-02-01T10:00:00Z\n' >ev.csv
exits 3 "waiting: crm-log --import --create-missing refuses her" crm-log --import --create-missing ev.csv
printf 'BEGIN:VCARD\r\nVERSION:3.0\r\nFN:X Q\r\nEMAIL:xq@example.net\r\nTEL:+33 6 12 34 56 78\r\nEND:VCARD\r\n' >v.vcf
exits 3 "waiting: a vCard with her number among others is refused" crm-add v.vcf
exits 0 "--finish" crm-gdpr-export --finish
for j in $(seq 1 "$i"); do
	exits 3 "finished: refused: sp$j" crm-add sp$j.csv
done
finish
