# SPDX-License-Identifier: MIT
# tests/lib.sh: a small TAP harness.  Each test script sources it, and gets
# its own temporary HOME and store, never the user's.
#
#   run CMD...            run CMD; its status in $rc, output in $T/out, $T/err
#   is DESC GOT WANT      pass when GOT equals WANT
#   ok DESC CMD...        pass when CMD exits 0
#   exits CODE DESC CMD...  run CMD, pass when it exits CODE
#   like DESC TEXT REGEX  pass when TEXT matches the extended REGEX
#   skip DESC WHY         a test that cannot run here, said as a TAP skip
#   fault_setup           build tests/fault.c for faulty (LD_PRELOAD)
#   faulty MODE FILE AFTER CMD...  CMD with writes to FILE failing (enospc) or
#                         killing it (kill) from the AFTER-th on; like run
#   pending               how many erasures wait to be finished in the store
#   finish                print the plan; the script's exit status
set -u
LC_ALL=C.UTF-8
export LC_ALL
here=$(cd "$(dirname "$0")" && pwd)
: "${CRM_BIN:=$here/../build}"
PATH=$CRM_BIN:$PATH
T=$(mktemp -d "${TMPDIR:-/tmp}/crm-test.XXXXXX")
trap 'rm -rf "$T"' EXIT
HOME=$T/home
XDG_DATA_HOME=$HOME/.local/share
CRM_DB=$T/crm.db
export PATH HOME XDG_DATA_HOME CRM_DB
mkdir -p "$HOME"
: "${ASAN_OPTIONS:=detect_leaks=1}"
ASAN_OPTIONS="$ASAN_OPTIONS:exitcode=99"
UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1}:halt_on_error=1:exitcode=98"
export ASAN_OPTIONS UBSAN_OPTIONS
tests=0
failed=0

_report() {
	tests=$((tests + 1))
	if [ "$1" = 0 ]; then
		echo "ok $tests - $2"
	else
		failed=$((failed + 1))
		echo "not ok $tests - $2"
		shift 2
		for l in "$@"; do printf '#   %s\n' "$l"; done
		if [ -s "$T/err" ]; then sed -n '1,15s/^/#   stderr: /p' "$T/err"; fi
	fi
}

# A sanitizer report in stderr fails the test that ran the command.
_sane() {
	! grep -qE 'ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:' "$T/err" 2>/dev/null
}

run() {
	"$@" >"$T/out" 2>"$T/err"
	rc=$?
	if ! _sane; then
		_report 1 "sanitizer clean: $*"
	fi
	return 0
}

is() {
	if [ "$2" = "$3" ]; then _report 0 "$1"
	else _report 1 "$1" "got:  $2" "want: $3"; fi
}

ok() {
	local _d=$1; shift
	run "$@"
	if [ "$rc" = 0 ]; then _report 0 "$_d"
	else _report 1 "$_d" "exit $rc: $*"; fi
}

exits() {
	local _want=$1 _d=$2; shift 2
	run "$@"
	if [ "$rc" = "$_want" ]; then _report 0 "$_d"
	else _report 1 "$_d" "exit $rc, want $_want: $*"; fi
}

like() {
	if printf '%s' "$2" | grep -qE -- "$3"; then _report 0 "$1"
	else _report 1 "$1" "text: $(printf '%s' "$2" | head -c 300)" "want: /$3/"; fi
}

skip() {
	tests=$((tests + 1))
	echo "ok $tests - $1 # skip $2"
}

fault_setup() {
	cc -shared -fPIC -O1 -o "$T/fault.so" "$here/fault.c" -ldl ||
		{ echo "Bail out! cannot build fault.so"; exit 1; }
	# The sanitizers' runtime accepts a library loaded before it.  GDBM
	# (1.23) does not free its header buffer when making a file fails on
	# a write error: that leak is its own.
	ASAN_OPTIONS="$ASAN_OPTIONS:verify_asan_link_order=0"
	echo 'leak:gdbm_fd_open' >"$T/lsan.supp"
	LSAN_OPTIONS="${LSAN_OPTIONS:+$LSAN_OPTIONS:}suppressions=$T/lsan.supp"
	export LSAN_OPTIONS
}

faulty() {
	local m=$1 f=$2 a=$3
	shift 3
	CRM_FAULT=$m CRM_FAULT_FILE=$f CRM_FAULT_AFTER=$a LD_PRELOAD=$T/fault.so "$@" >"$T/out" 2>"$T/err"
	rc=$?
}

pending() { sqlite3 "$CRM_DB" 'SELECT count(*) FROM gdpr_pending'; }

# The store's content as canonical text, for "unchanged" checks.
store_dump() {
	sqlite3 "$CRM_DB" 'SELECT * FROM party ORDER BY id; SELECT * FROM party_tag ORDER BY 1, 2;' 2>&1
}

finish() {
	echo "1..$tests"
	[ "$failed" = 0 ]
}
