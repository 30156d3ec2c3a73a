#!/bin/sh
# payments_real.sh - import all nine published NHS payments files and check
# the result against an independent calculation.
#
#  1. national totals of 'Total NHS Payments to General Practice' per year,
#     rounded to £0.1m, against the figures in the issue (published by NHS
#     Digital): 7,990.3 ... 10,230.1;
#  2. 65,621 practice rows (the data README's count);
#  3. every year x CCG x category of ccg_summary.csv, to the penny, against
#     ../shared/bench/peers/pandas_agg.py (its own keyword/position mapping,
#     pandas' own CSV reader); without pandas, against a second path written
#     here on Python's csv module with Decimal arithmetic.
#
# Run from the repository root (tests/run.sh does); BUILD names the build
# directory.  Skips plainly when the data is not there.
set -u
BUILD=${BUILD:-build}
PCBUDGET=${PCBUDGET:-$BUILD/pcbudget}
DATA=${PCBUDGET_DATA:-../shared/data}
DIR=$DATA/nhs-payments
PEER=../shared/bench/peers/pandas_agg.py
PY=${PAYMENTS_TEST_PYTHON:-/usr/bin/python3}

if [ ! -f "$DIR/14-15.csv" ]; then
	echo "skipped: real data not found ($DIR)"
	exit 0
fi
FILES="$DIR/14-15.csv $DIR/15-16.csv $DIR/16-17.csv $DIR/17-18.csv $DIR/18-19.csv
$DIR/19-20.csv $DIR/20-21.csv $DIR/21-22.csv $DIR/22-23.csv"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

# shellcheck disable=SC2086
if ! "$PCBUDGET" -q import-payments -o "$tmp/out" $FILES >"$tmp/stdout"; then
	echo "FAIL: import-payments failed on the published files"
	exit 1
fi

# 1. national totals, from the manifest (INI: [year] then key = value)
awk -v want="2014/15=7990.3 2015/16=8182.6 2016/17=8883.8 2017/18=9050.6 2018/19=9261.4 2019/20=9377.1 2020/21=9683.7 2021/22=10075.8 2022/23=10230.1" '
	BEGIN { n = split(want, w, " "); for (i = 1; i <= n; i++) { split(w[i], kv, "="); target[kv[1]] = kv[2] } }
	/^\[/ { year = substr($0, 2, length($0) - 2) }
	$1 == "total_published" {
		got = sprintf("%.1f", $3 / 1000000)
		if (got != target[year]) { printf "FAIL: %s total £%sm, want £%sm\n", year, got, target[year]; bad = 1 }
		else printf "ok: %s total £%sm\n", year, got
		seen++
	}
	END { if (seen != 9) { print "FAIL: " seen " years in the manifest, want 9"; bad = 1 } exit bad }
' "$tmp/out/manifest.txt" || fail=1

# 2. practice rows
rows=$(($(wc -l <"$tmp/out/practice_history.csv") - 1))
if [ "$rows" -ne 65621 ]; then
	echo "FAIL: $rows practice rows, want 65621"
	fail=1
else
	echo "ok: 65621 practice rows"
fi

# 3. per year, CCG and category, against an independent path
if [ -x "$PY" ] && "$PY" -c 'import pandas' 2>/dev/null && [ -f "$PEER" ]; then
	echo "independent path: $PEER (pandas)"
	# shellcheck disable=SC2086
	"$PY" "$PEER" $FILES >"$tmp/peer.csv" || { echo "FAIL: $PEER failed"; exit 1; }
elif [ -x "$PY" ]; then
	echo "python3-pandas is not installed: using a second path on Python's csv module instead"
	# shellcheck disable=SC2086
	"$PY" - $FILES >"$tmp/peer.csv" <<'PYEOF' || { echo "FAIL: second path failed"; exit 1; }
# Independent of pcbudget: maps columns by keywords and by position between
# 'Global Sum' and the total (as pandas_agg.py does), sums with Decimal.
import csv, os, re, sys
from decimal import Decimal
CATS = ["core_contract", "enhanced_services", "qof", "premises", "discretionary", "out_of_scope"]
RULES = [("core_contract", r"^(global sum|mpig|balance of pms)"), ("qof", r"qof"), ("premises", r"^premises"),
         ("discretionary", r"^(seniority|doctors retainer|total locum|prolonged study|appraisal|pco admin)"),
         ("out_of_scope", r"^(information management|prescribing fee|dispensing fee|reimbursement of drugs|other payments|"
          r"general practice (forward view|transformation)|pcn participation|winter access|childhood vaccination|"
          r"influenza and pneumococcal|rotavirus|meningitis|pertussis|non des item)"), (None, r"^localenhancedservices")]
norm = lambda h: " ".join(h.replace(".", " ").replace("_", " ").split()).lower()
w = csv.writer(sys.stdout, lineterminator="\n")
w.writerow(["ccg_code", "year", "practices"] + CATS + ["total_nhs_payments"])
for path in sys.argv[1:]:
    year = os.path.basename(path).rsplit(".", 1)[0]
    with open(path, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f); head = next(r); keys = [norm(h) for h in head]
        lo, hi = keys.index("global sum"), keys.index("total nhs payments to general practice")
        cat = {}
        for i in range(lo, hi):
            for c, pat in RULES:
                if re.search(pat, keys[i]): cat[i] = c; break
            else: cat[i] = "enhanced_services"
        ccg = keys.index("ccg code"); acc = {}
        for row in r:
            a = acc.setdefault(row[ccg], {"n": 0, **{c: Decimal(0) for c in CATS + ["total"]}})
            a["n"] += 1; a["total"] += Decimal(row[hi])
            for i, c in cat.items():
                if c: a[c] += Decimal(row[i])
    for code in sorted(acc):
        a = acc[code]
        w.writerow([code, year, a["n"]] + ["%.2f" % a[c] for c in CATS] + ["%.2f" % a["total"]])
PYEOF
else
	echo "skipped: per-CCG comparison (neither python3-pandas nor python3 is installed)"
	exit $fail
fi

"$PY" - "$tmp/out/ccg_summary.csv" "$tmp/peer.csv" <<'PYEOF' || fail=1
import csv, sys
from decimal import Decimal
CATS = ["core_contract", "enhanced_services", "qof", "premises", "discretionary", "out_of_scope"]
mine = {(r["year"][2:4] + "-" + r["year"][5:7], r["ccg_code"]): r for r in csv.DictReader(open(sys.argv[1]))}
peer = {(r["year"], r["ccg_code"]): r for r in csv.DictReader(open(sys.argv[2]))}
bad = 0
for k in sorted(set(mine) | set(peer)):
    if k not in mine or k not in peer:
        print("FAIL: %s %s only in %s" % (k[0], k[1], "pcbudget" if k in mine else "the peer")); bad += 1; continue
    m, p = mine[k], peer[k]
    pairs = [(c, c) for c in CATS] + [("total_published", "total_nhs_payments")]
    for a, b in pairs:
        if Decimal(m[a]) != Decimal(p[b]):
            print("FAIL: %s %s %s: pcbudget %s, peer %s" % (k[0], k[1], a, m[a], p[b])); bad += 1
    if int(m["practices"]) != int(p["practices"]):
        print("FAIL: %s %s practices: %s vs %s" % (k[0], k[1], m["practices"], p["practices"])); bad += 1
print("%s: %d year-CCG rows x 7 amounts compared to the penny, %d differences" % ("ok" if not bad else "FAIL", len(peer), bad))
sys.exit(1 if bad else 0)
PYEOF
exit $fail
