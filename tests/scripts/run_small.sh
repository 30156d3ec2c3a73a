#!/bin/sh
# "pcbudget run" on tests/fixtures/run-small (2 practices, CCG 01A, 2017/18,
# built-in 2017/18 defaults), against outputs worked out by hand in
# tests/fixtures/run-small.expected/:
#
# A00001 GMS, 7,600.5 weighted, opted out of OOH, MPIG cf £1,000:
#   global sum 7,600.5 × £85.35 × 0.951 = £616,916.2439 -> £616,916.24
#   MPIG £1,000 × 3/7 = £428.571 -> £428.57; core £617,344.81
#   ES: EXT 7,500 × £1.90 = £14,250.00
#   QOF 530.5 × £171.20 × 7,500 ÷ 7,732 = 681,162,000 ÷ 7,732 = £88,096.48
#   premises: rates £20,000 + notional rent £60,000 + £60,000 × 2.5% × 182/365
#     (review 1 Oct 2017) = £60,747.95 -> £80,747.95
# A00002 PMS, baseline £500,000, GMS equivalent £400,000, release from
# 2015/16 over 4 years (3/4 by 2017/18):
#   core £500,000 × 1.01 − £100,000 × 3/4 × 1.01 = £505,000 − £75,750 = £429,250.00
#   ES: ANT (LES) £12,000 × (1 + 0%) = £12,000.00
#   QOF 559 × £171.20 × 5,000 ÷ 7,732 × 0.97 = £61,886.1873 × 0.97 = £60,029.60
#   premises: lease £45,000 + S1 £50,000 × 6/12 (from 1 Oct 2017) = £70,000.00
# Area lines (other):
#   SEN £100,000 × 12,700.5 ÷ 500,000 weighted = £2,540.10 to the CCG, i.e.
#     £0.20 a weighted patient: A00001 £1,520.10, A00002 £1,020.00
#   LOC £50,000 × £21,500 ÷ £900,000 (2016/17 discretionary) = £1,194.444
#     -> £1,194.44 (the rest of the area's .56 remainder takes the penny);
#     split 12,000 : 9,500 = 66,666.42p : 52,777.58p -> £666.66, £527.78
#     (the larger remainder, A00002's, takes the spare penny)
#   A00001 other £2,186.76, A00002 £1,547.78, CCG £3,734.54
# CCG: planned 1,046,594.81 + 26,250.00 + 148,126.08 + 150,747.95 + 3,734.54
#   = £1,375,453.38; allocation £1,400,000: contingency £7,000, reserve
#   £14,000 (half uncommitted), headroom £3,546.62 (0.25%); target
#   £1,450,000: (1,400,000 − 1,450,000) ÷ 1,450,000 = −3.45%
# QOF phasing: 70% ÷ 12 rounded down: £5,138.96 + £3,501.72 = £8,640.68 a
#   month; balances £26,428.96 + £18,008.96 = £44,437.92.
set -u
BUILD=${BUILD:-build}
PCBUDGET=$BUILD/pcbudget
exp=tests/fixtures/run-small.expected
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0

# The summary's Monte Carlo lines are masked ("MC"): they are regression
# values of the simulation (tests/scripts/report_run.sh checks that they do
# not depend on the thread count; test_mc checks the simulation itself).
# The second run finds the first (-q) one in the ledger: nothing changed.
# The expected CSV files are RFC 4180 (CRLF); weighted_list is written with
# the decimals the column needs (one here: 7600.5, 5100.0).
"$PCBUDGET" -q run tests/fixtures/run-small --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; cat "$tmp/stderr"; exit 1; }
[ -s "$tmp/stderr" ] && { echo "FAIL: stderr: $(cat "$tmp/stderr")"; fail=1; }
[ -s "$tmp/stdout" ] && { echo "FAIL: -q printed a summary"; fail=1; }
"$PCBUDGET" run tests/fixtures/run-small --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 0 ] || { echo "FAIL: exit $rc"; cat "$tmp/stderr"; exit 1; }
grep -v ' pcbudget: info: ' "$tmp/stderr" && { echo "FAIL: stderr has more than progress lines"; fail=1; }
sed -E -e "s|$tmp/out|OUT|" \
	-e 's/^  (simulated spend, median|simulated spend, 95th centile|P\(spend > allocation\)|P\(business rule fails\)) .*$/  \1 MC/' \
	-e 's/^(Changes since the previous run \(run 1 of )[0-9TZ:-]*(\): none)$/\1TIME\2/' \
	"$tmp/stdout" | diff -u "$exp/stdout" - || fail=1
for f in allocations_by_practice.csv allocations_by_ccg.csv; do
	diff -u "$exp/$f" "$tmp/out/$f" || fail=1
done

# --year overrides [run]; a year without parameters: one located error, exit 65
"$PCBUDGET" -q run tests/fixtures/run-small --year 2021/22 --out "$tmp/out2" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 65 ] || { echo "FAIL: 2021/22 exit $rc"; fail=1; }
printf '%s\n' "tests/fixtures/run-small/params.ini: error: no parameters for the budget year 2021/22: add a [2021/22] section (built-in defaults cover 2014/15 to 2019/20)" |
	diff -u - "$tmp/stderr" || fail=1
[ -e "$tmp/out2" ] && { echo "FAIL: a failed run created its output folder"; fail=1; }

# a full disk: exit 74, nothing left behind in the output folder
if [ -w /dev/full ]; then
	"$PCBUDGET" run tests/fixtures/run-small --out "$tmp/out3" >/dev/full 2>"$tmp/stderr"
	rc=$?
	[ "$rc" -eq 74 ] || { echo "FAIL: stdout on a full disk exited $rc"; fail=1; }
fi

[ "$fail" -eq 0 ] && echo "run_small: ok"
exit "$fail"
