#!/bin/sh
# Fault injection, full device: the LD_PRELOAD shim (tests/fault/fault.c)
# lets the files a command creates take N bytes in all, then fails every
# write with ENOSPC.  For budgets from 0 to one byte short of what a
# complete run writes (every file boundary, and steps between), "run" and
# "import-payments" must exit 74 naming the file that could not be
# written, leave no output and no temporary file, and import-payments
# must leave the previous import as it was.  With the whole budget both
# succeed.  Standard output on /dev/full: 74, the reports complete.
. tests/fault/lib.sh
PAY=$ROOT/tests/fixtures/payments
cp -r tests/fixtures/run-small "$T/ds"
cp "$PAY/16-17-bom-crlf.csv" "$T/16-17.csv"
cp "$PAY/22-23-shifted-labels.csv" "$T/22-23.csv"
cd "$T" || exit 1

# budgets NAME SIZE...: 0, each running total of the sizes, one byte
# either side, and 12 steps across, all below the total; one per line
budgets() {
	awk -v list="$*" 'BEGIN {
		n = split(list, s, " "); tot = 0
		for (i = 1; i <= n; i++) tot += s[i]
		b[0] = 1; b[1] = 1; run = 0
		for (i = 1; i <= n; i++) {
			run += s[i]; b[run - 1] = 1; b[run] = 1; b[run + 1] = 1
		}
		for (k = 1; k < 12; k++) b[int(tot * k / 12)] = 1
		for (x in b) if (x + 0 < tot) print x + 0
	}' | sort -n
}

# sizes DIR FILE...: the sizes of the files, in the order they are written
sizes() {
	_d=$1
	shift
	for _f in "$@"; do
		wc -c <"$_d/$_f"
	done
}

# --- run ---------------------------------------------------------------
# The report folder is written whole into a temporary sibling and swapped
# into place, so a full device at any point must leave neither "out" nor
# a temporary folder.  The ledger beside it is not counted here.
RUN="-q run ds --iterations 200"
# shellcheck disable=SC2086
plain "$PCBUDGET" $RUN --out full
expect "run: reference run" 0 ""
total=$(find full -type f -exec cat {} + | wc -c)
cp -r full report
cp -r full report.orig
bad=0
n=0
for b in $(budgets "$total"); do
	n=$((n + 1))
	rm -rf out .out.tmp.*
	# shellcheck disable=SC2086
	fault FAULT_ENOSPC_AFTER="$b" -- "$PCBUDGET" $RUN --out out
	if [ "$RC" != 74 ] ||
	   ! grep -qx "pcbudget: error: cannot write '\./\.out\.tmp\.[0-9]*/[a-z_.]*': No space left on device" "$T/.err" ||
	   [ "$(wc -l <"$T/.err")" != 1 ] || [ -e out ] || [ -n "$(ls -d .out.tmp.* 2>/dev/null)" ]; then
		fail "run: $b of $total bytes: exit $RC, $(cat "$T/.err"), left: $(ls -d out .out.tmp.* 2>/dev/null | tr '\n' ' ')"
		bad=1
	fi
	# the same over a previous report: it stays as it was, byte for byte
	# shellcheck disable=SC2086
	fault FAULT_ENOSPC_AFTER="$b" -- "$PCBUDGET" $RUN --out report
	if [ "$RC" != 74 ] || ! diff -r report.orig report >/dev/null || [ -n "$(ls -d .report.tmp.* 2>/dev/null)" ]; then
		fail "run over a previous report: $b of $total bytes: exit $RC, previous report changed or temporary folder left"
		bad=1
	fi
done
CHECKS=$((CHECKS + 1))
[ "$bad" = 0 ] && echo "ok   run: full device after 0 to $((total - 1)) of $total bytes ($n budgets): 74, no output, previous report intact"
rm -rf out
# shellcheck disable=SC2086
fault FAULT_ENOSPC_AFTER=$((total * 2 + 1048576)) -- "$PCBUDGET" $RUN --out out
RC_OUT=$RC
ensure "run: with room for every file" test "$RC_OUT" = 0
for f in full/*.csv; do
	ensure "run: with room for every file: same $(basename "$f")" cmp "$f" "out/$(basename "$f")"
done

plain sh -c "\"$PCBUDGET\" run ds --iterations 200 --out stdout-full >/dev/full"
CHECKS=$((CHECKS + 1))
if [ "$RC" = 74 ] && [ "$(tail -n 1 "$T/.err")" = "pcbudget: error: cannot write to standard output: No space left on device" ]; then
	echo "ok   run: standard output on /dev/full"
else
	fail "run: standard output on /dev/full: exit $RC, $(tail -n 1 "$T/.err")"
fi
for f in full/*.csv; do
	ensure "run: standard output on /dev/full: same $(basename "$f")" cmp "$f" "stdout-full/$(basename "$f")"
done

plain "$PCBUDGET" -q import-payments -o pay 16-17.csv 22-23.csv
expect "import-payments: reference import" 0 ""
PAY_FILES="practice_history.csv ccg_summary.csv manifest.txt"
# shellcheck disable=SC2086
total=$(sizes pay $PAY_FILES | awk '{ t += $1 } END { print t }')
plain "$PCBUDGET" -q import-payments -o prev 16-17.csv
expect "import-payments: a previous import" 0 ""
cp -r prev prev.orig
bad=0
n=0
# shellcheck disable=SC2086
for b in $(budgets $(sizes pay $PAY_FILES)); do
	n=$((n + 1))
	rm -rf out
	fault FAULT_ENOSPC_AFTER="$b" -- "$PCBUDGET" -q import-payments -o out 16-17.csv 22-23.csv
	if [ "$RC" != 74 ] ||
	   ! grep -qx "pcbudget: error: cannot write 'out/[a-z_]*\.[a-z]*': No space left on device" "$T/.err" ||
	   [ -n "$(find out -type f 2>/dev/null)" ]; then
		fail "import-payments: $b of $total bytes: exit $RC, $(cat "$T/.err"), left: $(find out -type f 2>/dev/null | tr '\n' ' ')"
		bad=1
	fi
	fault FAULT_ENOSPC_AFTER="$b" -- "$PCBUDGET" -q import-payments -o prev 16-17.csv 22-23.csv
	if [ "$RC" != 74 ] || ! diff -r prev.orig prev >/dev/null; then
		fail "import-payments over a previous import: $b of $total bytes: exit $RC, previous import changed"
		bad=1
	fi
done
CHECKS=$((CHECKS + 1))
[ "$bad" = 0 ] && echo "ok   import-payments: full device after 0 to $((total - 1)) of $total bytes ($n budgets): 74, no output, previous import intact"
rm -rf out
fault FAULT_ENOSPC_AFTER="$total" -- "$PCBUDGET" -q import-payments -o out 16-17.csv 22-23.csv
RC_OUT=$RC
ensure "import-payments: the whole $total bytes fit" test "$RC_OUT" = 0
ensure "import-payments: the whole $total bytes fit: same reports" \
	sh -c 'cmp -s pay/practice_history.csv out/practice_history.csv && cmp -s pay/ccg_summary.csv out/ccg_summary.csv'

plain sh -c "\"$PCBUDGET\" import-payments -o pay-stdout 16-17.csv 22-23.csv >/dev/full"
expect "import-payments: standard output on /dev/full" 74 "pcbudget: error: cannot write to standard output: No space left on device"
ensure "import-payments: standard output on /dev/full: the reports are complete" \
	sh -c 'cmp -s pay/practice_history.csv pay-stdout/practice_history.csv && cmp -s pay/ccg_summary.csv pay-stdout/ccg_summary.csv'

finish
