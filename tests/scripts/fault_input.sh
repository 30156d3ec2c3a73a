#!/bin/sh
# Fault injection, inputs: a table, the parameter file, a payments file or
# the column table that cannot be read (EACCES from the LD_PRELOAD shim
# tests/fault/fault.c: as root, chmod cannot make a file unreadable)
# exits 66 with the file named, and writes nothing; a previous import
# stays as it was.
. tests/fault/lib.sh
PAY=$ROOT/tests/fixtures/payments
cp -r tests/fixtures/run-small "$T/ds"
cd "$T" || exit 1

fault FAULT_EACCES=ds/qof.csv -- "$PCBUDGET" run ds --out out
expect "run: unreadable table" 66 "pcbudget: error: cannot open 'ds/qof.csv': Permission denied"
ensure "run: unreadable table: nothing written" test ! -e out

fault FAULT_EACCES=ds/params.ini -- "$PCBUDGET" run ds --out out
expect "run: unreadable params.ini" 66 "pcbudget: error: cannot open 'ds/params.ini': Permission denied"
ensure "run: unreadable params.ini: nothing written" test ! -e out

cp ds/params.ini p.ini
fault FAULT_EACCES=p.ini -- "$PCBUDGET" run ds --params p.ini --out out
expect "run: unreadable --params file" 66 "pcbudget: error: cannot open 'p.ini': Permission denied"

# every table unreadable: each one is named, still 66
fault "FAULT_EACCES=ds/*" -- "$PCBUDGET" run ds --params p.ini --out out
expect "run: every table unreadable" 66 "pcbudget: error: cannot open 'ds/practices.csv': Permission denied
pcbudget: error: cannot open 'ds/allocations.csv': Permission denied
pcbudget: error: cannot open 'ds/contracts.csv': Permission denied
pcbudget: error: cannot open 'ds/es_catalogue.csv': Permission denied
pcbudget: error: cannot open 'ds/es_participation.csv': Permission denied
pcbudget: error: cannot open 'ds/qof.csv': Permission denied
pcbudget: error: cannot open 'ds/premises.csv': Permission denied
pcbudget: error: cannot open 'ds/premises_pipeline.csv': Permission denied
pcbudget: error: cannot open 'ds/area_budgets.csv': Permission denied
pcbudget: error: cannot open 'ds/practice_history.csv': Permission denied"

# import-payments: a good import first, then one of two files unreadable
cp "$PAY/16-17-bom-crlf.csv" 16-17.csv
cp "$PAY/22-23-shifted-labels.csv" 22-23.csv
plain "$PCBUDGET" -q import-payments -o pay 16-17.csv
expect "import-payments: first import" 0 ""
cp -r pay before
fault FAULT_EACCES=22-23.csv -- "$PCBUDGET" import-payments -o pay 16-17.csv 22-23.csv
expect "import-payments: unreadable file" 66 "pcbudget: error: cannot open '22-23.csv': Permission denied"
ensure "import-payments: unreadable file: the previous import is intact" diff -r before pay
ensure "import-payments: unreadable file: no temporary file left" test -z "$(leftovers pay)"

"$PCBUDGET" import-payments --print-columns >cols.csv
fault FAULT_EACCES=cols.csv -- "$PCBUDGET" import-payments --columns cols.csv -o pay2 16-17.csv
expect "import-payments: unreadable column table" 66 "pcbudget: error: cannot open 'cols.csv': Permission denied"
ensure "import-payments: unreadable column table: nothing written" test ! -e pay2

finish
