#!/bin/sh
# Memory checks under valgrind memcheck: "pcbudget run" on data/example
# (with --iterations 200 once run has a Monte Carlo) and
# "pcbudget import-payments" on the nine published NHS payments files
# (when ../shared/data or $PCBUDGET_DATA has them).  Any memory error or
# definite leak fails (libgomp's thread pool is suppressed,
# tests/valgrind.supp).  Skips with a message when valgrind is missing.
set -u
BUILD=${BUILD:-build}
PCBUDGET=$(pwd)/$BUILD/pcbudget
DATA=${PCBUDGET_DATA:-../shared/data}/nhs-payments
if ! command -v valgrind >/dev/null 2>&1; then
	echo "skipped: valgrind not installed (make deps installs it)"
	exit 0
fi
case "$BUILD" in
*san*)
	echo "skipped: $BUILD is built with ASan, which valgrind cannot run"
	exit 0
	;;
esac
[ -x "$PCBUDGET" ] || { echo "$PCBUDGET is not built (run make)"; exit 1; }
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
fail=0

vg() {
	name=$1
	shift
	if valgrind -q --error-exitcode=99 --leak-check=full --errors-for-leak-kinds=definite \
		--suppressions=tests/valgrind.supp --log-file="$T/vg.log" "$@" >"$T/out" 2>"$T/err"; then
		echo "ok   $name: no memory errors, no definite leaks"
	else
		rc=$?
		echo "FAIL: $name (exit $rc)"
		cat "$T/vg.log" "$T/err" | head -n 60
		fail=1
	fi
}

iter=
"$PCBUDGET" run --help | grep -q -- '--iterations' && iter="--iterations 200"
# shellcheck disable=SC2086
vg "run data/example" "$PCBUDGET" run data/example --out "$T/r" $iter

if [ -f "$DATA/14-15.csv" ]; then
	vg "import-payments on the nine published files" "$PCBUDGET" import-payments -o "$T/p" \
		"$DATA/14-15.csv" "$DATA/15-16.csv" "$DATA/16-17.csv" "$DATA/17-18.csv" \
		"$DATA/18-19.csv" "$DATA/19-20.csv" "$DATA/20-21.csv" "$DATA/21-22.csv" \
		"$DATA/22-23.csv"
else
	echo "skipped: real data not found ($DATA)"
fi
exit $fail
