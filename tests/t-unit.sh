# SPDX-License-Identifier: MIT
# t-unit.sh: the unit tests of the library's pure functions (tests/unit.c,
# built as unit beside the programs), their TAP passed on.
. "$(dirname "$0")/lib.sh"
if [ ! -x "$CRM_BIN/unit" ]; then
	echo "Bail out! $CRM_BIN/unit is not built (make all)"
	exit 1
fi
"$CRM_BIN/unit" "$T" 2>"$T/err"
rc=$?
if ! _sane; then
	sed 's/^/# /' "$T/err"
	exit 1
fi
exit $rc
