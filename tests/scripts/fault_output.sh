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

plain "$PCBUDGET" run ds --out afile/out
expect "run: --out under a regular file" 73 "pcbudget: error: cannot create 'afile/out': Not a directory"
plain "$PCBUDGET" run ds --out afile
expect "run: --out is a regular file" 73 "pcbudget: error: cannot create 'afile': Not a directory"
plain "$PCBUDGET" run ds --out /proc/pcbudget-test
expect "run: --out under /proc" 73 "pcbudget: error: cannot create '/proc/pcbudget-test': No such file or directory"
if [ -d /sys/kernel ] && ! touch /sys/kernel/pcbudget-test 2>/dev/null; then
	plain "$PCBUDGET" run ds --out /sys/kernel
	expect "run: --out is a folder that refuses files" 73 \
		"pcbudget: error: cannot create '/sys/kernel/allocations_by_practice.csv': Permission denied"
else
	echo "skipped: /sys/kernel is not a read-only folder here"
fi
fault "FAULT_EACCES=out/*" -- "$PCBUDGET" run ds --out out
expect "run: output files refused" 73 "pcbudget: error: cannot create 'out/allocations_by_practice.csv': Permission denied"
ensure "run: output files refused: no file left" test -z "$(find out -type f 2>/dev/null)"

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
