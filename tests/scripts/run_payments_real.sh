#!/bin/sh
# run_payments_real.sh - "pcbudget run --from-payments" for 2017/18 on the
# published NHS payments files: the whole report folder for all of
# England, checked by a second path.
#
#  1. the folder holds every file of the run report (docs/report-run.md)
#     and the payments mode's budget.csv, budget_by_practice.csv and
#     backtest.csv, and nothing else;
#  2. every output's SHA-256 in manifest.json equals sha256sum's;
#  3. budget.csv: the CCG rows add up to the England row to the penny,
#     column by column (Python's Decimal), and every allocation_basis is
#     'notional'; summary.csv's CCG rows equal budget.csv's figures
#     (allocation, planned spend = budget_total, contingency, reserve,
#     headroom) and its TOTAL the England row;
#  4. budget_by_practice.csv, summed per CCG, plus the CCG's
#     discretionary, gives budget_total, and its risk columns add up to
#     each practice's total;
#  5. 'notional' is in summary.md, report.html and manifest.json;
#  6. with chromium: report.html renders with no console message, its four
#     charts are England-level (titled "All 209 CCGs"), and a screenshot
#     is kept at $BUILD/browser/payments.png.
# The run's wall time is printed (--iterations 1000, to spare the CPU;
# docs/payments.md gives the time of the default 10,000).
#
# Run from the repository root (tests/run.sh does); skips plainly when the
# data is not there.
set -u
BUILD=${BUILD:-build}
PCBUDGET=${PCBUDGET:-$BUILD/pcbudget}
DATA=${PCBUDGET_DATA:-../shared/data}
DIR=$DATA/nhs-payments
PY=${PAYMENTS_TEST_PYTHON:-/usr/bin/python3}
CHROMIUM=${CHROMIUM:-chromium}

if [ ! -f "$DIR/16-17.csv" ] || [ ! -f "$DIR/17-18.csv" ]; then
	echo "skipped: real data not found ($DIR)"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT INT TERM
fail=0
no() { echo "FAIL: $*"; fail=1; }
out=$tmp/reports/payments-2017-18

start=$(date +%s.%N)
if ! "$PCBUDGET" -q run --from-payments "$DIR" --year 2017/18 --out "$out" \
	--iterations 1000 --backtest; then
	echo "FAIL: run --from-payments failed on the published files"
	exit 1
fi
end=$(date +%s.%N)
echo "run time (1,000 iterations): $(echo "$start $end" | awk '{ printf "%.2f s", $2 - $1 }')"

# 1. the file list
want='backtest.csv budget.csv budget_by_practice.csv categories.csv contracts_ending.csv history.csv manifest.json outliers.csv parameters.csv pcbudget.xlsx practices.csv projections.csv report.html risk_by_ccg.csv scenarios.csv summary.csv summary.md tornado.csv trend_check.csv'
got=$(cd "$out" && ls | tr '\n' ' ' | sed 's/ $//')
[ "$got" = "$want" ] || no "the folder holds: $got"

# 2-5. second path
"$PY" - "$out" <<'PYEOF' || fail=1
import csv, hashlib, json, os, sys
from decimal import Decimal

out = sys.argv[1]
bad = []

def rows(name):
    with open(os.path.join(out, name), newline='', encoding='utf-8') as f:
        return list(csv.DictReader(f))

m = json.load(open(os.path.join(out, 'manifest.json'), encoding='utf-8'))
for o in m['outputs']:
    h = hashlib.sha256(open(os.path.join(out, o['path']), 'rb').read()).hexdigest()
    if h != o['sha256']:
        bad.append('manifest sha256 of %s differs' % o['path'])
listed = sorted(o['path'] for o in m['outputs'])
if listed != sorted(f for f in os.listdir(out) if f != 'manifest.json'):
    bad.append('manifest outputs %s' % listed)

b = rows('budget.csv')
ccgs, eng = b[:-1], b[-1]
if eng['ccg_code'] != 'ENGLAND' or len(ccgs) != 209:
    bad.append('budget.csv: %d CCG rows, last %s' % (len(ccgs), eng['ccg_code']))
money = ['core_contract', 'enhanced_services', 'qof', 'premises', 'discretionary',
         'budget_total', 'last_year_actual', 'allocation', 'contingency',
         'non_recurrent_reserve', 'headroom']
for c in money:
    s = sum(Decimal(r[c]) for r in ccgs)
    if s != Decimal(eng[c]):
        bad.append('budget.csv %s: CCGs add up to %s, England row %s' % (c, s, eng[c]))
if sum(int(r['practices']) for r in ccgs) != int(eng['practices']):
    bad.append('budget.csv practices do not add up')
for r in ccgs:
    cats = sum(Decimal(r[c]) for c in money[:5])
    if cats != Decimal(r['budget_total']):
        bad.append('budget.csv %s: categories %s, total %s' % (r['ccg_code'], cats, r['budget_total']))
    h = Decimal(r['allocation']) - Decimal(r['budget_total']) - Decimal(r['contingency']) \
        - Decimal(r['non_recurrent_reserve'])
    if h != Decimal(r['headroom']):
        bad.append('budget.csv %s: headroom %s, worked %s' % (r['ccg_code'], r['headroom'], h))
if any(r['allocation_basis'] != 'notional' for r in b):
    bad.append('an allocation_basis is not notional')

s = rows('summary.csv')
byc = {r['ccg_code']: r for r in ccgs}
pairs = [('allocation', 'allocation'), ('planned_spend', 'budget_total'),
         ('contingency', 'contingency'), ('nonrecurrent_reserve', 'non_recurrent_reserve'),
         ('headroom', 'headroom')]
if len(s) != 210 or s[-1]['ccg_code'] != 'TOTAL':
    bad.append('summary.csv: %d rows' % len(s))
for r in s:
    ref = eng if r['ccg_code'] == 'TOTAL' else byc.get(r['ccg_code'])
    if ref is None:
        bad.append('summary.csv CCG %s not in budget.csv' % r['ccg_code'])
        continue
    for a, k in pairs:
        if Decimal(r[a]) != Decimal(ref[k]):
            bad.append('summary.csv %s %s %s, budget.csv %s' % (r['ccg_code'], a, r[a], ref[k]))

p = rows('budget_by_practice.csv')
per = {}
for r in p:
    t = sum(Decimal(r[c]) for c in money[:4])
    if t != Decimal(r['total']):
        bad.append('practice %s: categories %s, total %s' % (r['practice_code'], t, r['total']))
    k = sum(Decimal(r[c]) for c in ('risk_list_linked', 'risk_qof', 'risk_es_activity', 'risk_fixed'))
    if k != Decimal(r['total']):
        bad.append('practice %s: risk split %s, total %s' % (r['practice_code'], k, r['total']))
    per[r['ccg_code']] = per.get(r['ccg_code'], Decimal(0)) + Decimal(r['total'])
for r in ccgs:
    if per.get(r['ccg_code'], Decimal(0)) + Decimal(r['discretionary']) != Decimal(r['budget_total']):
        bad.append('practices of %s do not add up to its budget' % r['ccg_code'])
if len(p) != int(eng['practices']):
    bad.append('budget_by_practice.csv: %d rows, England %s practices' % (len(p), eng['practices']))

for f in ('summary.md', 'report.html', 'manifest.json'):
    if 'notional' not in open(os.path.join(out, f), encoding='utf-8').read():
        bad.append("'notional' not in %s" % f)
if not m['run'].get('allocation', '').startswith('notional'):
    bad.append('manifest run.allocation is not notional')

for x in bad[:30]:
    print('FAIL:', x)
print('England: %d CCGs, %s practices, budget %s, notional allocation %s, headroom %s'
      % (len(ccgs), eng['practices'], eng['budget_total'], eng['allocation'], eng['headroom']))
sys.exit(1 if bad else 0)
PYEOF

# 6. the page in a browser
if command -v "$CHROMIUM" >/dev/null 2>&1; then
	shots=$(mkdir -p "$BUILD/browser" && cd "$BUILD/browser" && pwd)
	profile=$(mktemp -d) || exit 1
	url="file://$(cd "$out" && pwd)/report.html"
	chrome() {
		timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
			--disable-quic --no-first-run --disable-background-networking \
			--disable-component-update --disable-sync \
			--disable-default-apps --disable-extensions \
			--host-resolver-rules='MAP * ~NOTFOUND' \
			--user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
	}
	chrome --dump-dom "$url" >"$tmp/dom.html" 2>"$tmp/dom.log"
	chrome --screenshot="$shots/payments.png" --window-size=1280,6000 --hide-scrollbars \
		"$url" >/dev/null 2>"$tmp/shot.log"
	rm -rf "$profile"
	if grep -E 'CONSOLE|Uncaught' "$tmp/dom.log" "$tmp/shot.log"; then
		no "console messages while rendering the payments report"
	fi
	svgs=$(grep -o '<svg' "$tmp/dom.html" | wc -l)
	[ "$svgs" -eq 4 ] || no "expected 4 charts (England-level), found $svgs"
	n=$(grep -o '<title>All 209 CCGs: ' "$tmp/dom.html" | wc -l)
	[ "$n" -eq 4 ] || no "expected 4 charts titled 'All 209 CCGs', found $n"
	[ -s "$shots/payments.png" ] || no "no screenshot at $shots/payments.png"
else
	echo "browser check skipped: chromium not installed"
fi

[ "$fail" -eq 0 ] && echo "ok: run --from-payments 2017/18 wrote the whole folder; totals, hashes and 'notional' checked"
exit "$fail"
