#!/bin/sh
# Fault injection, output folder: --out under a regular file, under /proc
# (no new entries), a directory of /sys that refuses new files, and
# output files the LD_PRELOAD shim refuses (EACCES; the tests run as
# root, so a read-only folder cannot be made with chmod): each exits 73
# with the path named and leaves no file behind.
. tests/fault/lib.sh
PAY=$ROOT/tests/fixtures/payments
cp -r tests/fixtures/run-small "$T/ds"
cp "$PAY/16-17-bom-crlf.csv" "$T/16-17.csv"
cd "$T" || exit 1
: >afile

plain "$PCBUDGET" -q run ds --out afile/out
expect "run: --out under a regular file" 73 "pcbudget: error: cannot create lock file 'afile/.out.lock': Not a directory"
plain "$PCBUDGET" -q run ds --out afile
expect "run: --out is a regular file" 73 "pcbudget: error: refusing to replace 'afile': it is not a folder"
plain "$PCBUDGET" -q run ds --out /proc/pcbudget-test
expect "run: --out under /proc" 73 "pcbudget: error: cannot create lock file '/proc/.pcbudget-test.lock': No such file or directory"
if [ -d /sys/kernel ] && ! touch /sys/.pcbudget-test 2>/dev/null; then
	plain "$PCBUDGET" -q run ds --out /sys/kernel
	expect "run: --out is a folder whose parent refuses files" 73 \
		"pcbudget: error: cannot create lock file '/sys/.kernel.lock': Permission denied"
else
	echo "skipped: /sys is not a read-only folder here"
fi
# the report is written into a temporary sibling (.out.tmp.PID), each file
# first as NAME.tmp.PID: refuse one of them
fault "FAULT_EACCES=*/summary.csv.tmp.*" -- "$PCBUDGET" -q run ds --out out
CHECKS=$((CHECKS + 1))
if [ "$RC" = 73 ] && grep -qx "pcbudget: error: cannot create '\./\.out\.tmp\.[0-9]*/summary\.csv': Permission denied" "$T/.err" &&
   [ "$(wc -l <"$T/.err")" = 1 ]; then
	echo "ok   run: output files refused"
else
	fail "run: output files refused: exit $RC, $(cat "$T/.err")"
fi
ensure "run: output files refused: no folder left" test ! -e out
ensure "run: output files refused: no temporary folder left" test -z "$(ls -d .out.tmp.* 2>/dev/null)"

plain "$PCBUDGET" import-payments -o afile/out 16-17.csv
expect "import-payments: --out under a regular file" 73 "pcbudget: error: cannot create directory 'afile/out': Not a directory"
plain "$PCBUDGET" import-payments -o /proc/pcbudget-test 16-17.csv
expect "import-payments: --out under /proc" 73 "pcbudget: error: cannot create directory '/proc/pcbudget-test': No such file or directory"
plain "$PCBUDGET" -q import-payments -o pay 16-17.csv
expect "import-payments: first import" 0 ""
cp -r pay before
fault "FAULT_EACCES=pay/*" -- "$PCBUDGET" import-payments -o pay 16-17.csv
expect "import-payments: output files refused" 73 "pcbudget: error: cannot create 'pay/practice_history.csv': Permission denied"
ensure "import-payments: output files refused: the previous import is intact" diff -r before pay

finish
