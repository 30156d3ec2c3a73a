#!/bin/sh
# tests/tsan/import.sh - the threaded import under ThreadSanitizer
# (make tsan builds build-tsan/pcbudget with -fsanitize=thread first).
#
# import-payments reads files on worker threads while a writer thread
# appends each year to practice_history.csv; this runs it with 1, 2 and 3
# workers on the nine published files (when ../shared/data or
# PCBUDGET_DATA has them), on good fixtures, and on a set with a bad file
# after good ones (the writer has started and must stop), and fails on any
# ThreadSanitizer report.  Not part of make test: a TSan build is slow to
# make and to run.
set -u
PCBUDGET=${PCBUDGET:-build-tsan/pcbudget}
DATA=${PCBUDGET_DATA:-../shared/data}
FIX=tests/fixtures/payments
# TSan's own exit code (66) is EX_NOINPUT's: use one no command returns
TSAN_OPTIONS="exitcode=99 halt_on_error=1 ${TSAN_OPTIONS:-}"
export TSAN_OPTIONS
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# run WANT_RC ARGS...: runs pcbudget, fails on a TSan report or another code
run() {
	want=$1
	shift
	rm -rf "$tmp/out"
	"$PCBUDGET" -q "$@" >/dev/null 2>"$tmp/err"
	rc=$?
	if grep -q "ThreadSanitizer" "$tmp/err" || [ "$rc" -ne "$want" ]; then
		echo "tsan: FAIL (exit $rc, want $want): $*"
		cat "$tmp/err"
		fail=1
	fi
}

for th in 1 2 3; do
	if [ -f "$DATA/nhs-payments/14-15.csv" ]; then
		run 0 import-payments --threads=$th -o "$tmp/out" "$DATA"/nhs-payments/??-??.csv
	fi
	run 0 import-payments --threads=$th -o "$tmp/out" $FIX/14-15-whole-pounds.csv \
		$FIX/16-17-bom-crlf.csv $FIX/20-21-outside-total.csv $FIX/22-23-shifted-labels.csv
	run 65 import-payments --threads=$th -o "$tmp/out/new" $FIX/14-15-whole-pounds.csv \
		$FIX/22-23-shifted-labels.csv $FIX/16-17-total-mismatch.csv
done
[ -f "$DATA/nhs-payments/14-15.csv" ] || echo "tsan: real data not found ($DATA/nhs-payments): fixtures only"
[ "$fail" -eq 0 ] && echo "tsan: import clean"
exit "$fail"
