#!/bin/sh
# backtest_real.sh - run 'pcbudget backtest' on the nine published NHS
# payments files and check it against the issue and an independent path.
#
#  1. the issue's acceptance, from backtest_summary.csv (line "all"):
#     MAPE of p50 below the naive forecast's; the 80% interval covers
#     75-85% and the 95% interval 92-98% of CCG-years;
#  2. backtest.csv has one row per CCG and target year, 2016/17 to
#     2022/23, and nothing else;
#  3. for every row, actual (the five delegated categories paid to the
#     CCG's practices in the target year) and naive (the same practices
#     the year before) equal a second calculation written here on
#     Python's csv module and Decimal, straight from the published files,
#     with its own keyword mapping of the columns (the one payments_real.sh
#     checks against pandas) and its own attribution by target-year CCG;
#  4. the budget column is filled for 2016/17 to 2019/20, the years the
#     methodology has rates for, and empty after (its figures are checked
#     in tests/unit/test_bt_payments.c: by hand on the fixture, and on
#     these files against pb_build() for the CCGs that did not change);
#  5. the summary's per-year lines are printed (2017/18 covers poorly:
#     see docs/backtest.md), with the run time.
#
# Run from the repository root (tests/run.sh does); BUILD names the build
# directory.  Skips plainly when the data is not there.
set -u
BUILD=${BUILD:-build}
PCBUDGET=${PCBUDGET:-$BUILD/pcbudget}
DATA=${PCBUDGET_DATA:-../shared/data}
DIR=$DATA/nhs-payments
PY=${PAYMENTS_TEST_PYTHON:-/usr/bin/python3}

if [ ! -f "$DIR/14-15.csv" ]; then
	echo "skipped: real data not found ($DIR)"
	exit 0
fi
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail=0

start=$(date +%s.%N)
if ! "$PCBUDGET" backtest --from-payments "$DIR" -o "$tmp/out" >"$tmp/stdout"; then
	echo "FAIL: backtest failed on the published files"
	exit 1
fi
end=$(date +%s.%N)
cat "$tmp/stdout"
echo "run time: $(echo "$start $end" | awk '{ printf "%.2f s", $2 - $1 }')"

# 1. acceptance (columns by name)
awk -F, '
	NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
	$1 == "all" || $1 == "budgeted" {
		printf "%s: %d CCG-years, MAPE budget %s, p50 %.4f, naive %.4f, cover80 %.4f, cover95 %.4f\n", $1,
			$col["ccg_years"], $col["mape_budget"], $col["mape_p50"], $col["mape_naive"], $col["cover80"], $col["cover95"]
	}
	$1 == "all" {
		seen = 1
		if (!($col["mape_p50"] < $col["mape_naive"])) { print "FAIL: p50 does not beat the naive forecast"; bad = 1 }
		if (!($col["cover80"] >= 0.75 && $col["cover80"] <= 0.85)) { print "FAIL: 80% interval coverage outside 0.75-0.85"; bad = 1 }
		if (!($col["cover95"] >= 0.92 && $col["cover95"] <= 0.98)) { print "FAIL: 95% interval coverage outside 0.92-0.98"; bad = 1 }
	}
	END { if (!seen) { print "FAIL: no line \"all\" in backtest_summary.csv"; bad = 1 } exit bad }
' "$tmp/out/backtest_summary.csv" || fail=1

# the budget: a figure for every CCG-year of 2016/17 to 2019/20 (the years
# the methodology has rates for), none after
awk -F, '
	NR > 1 {
		y = substr($1, 1, 4) + 0
		if (y <= 2019 && $4 == "") { printf "FAIL: %s %s has no budget\n", $1, $2; bad = 1 }
		if (y >= 2020 && $4 != "") { printf "FAIL: %s %s has a budget\n", $1, $2; bad = 1 }
		n += $4 != ""
	}
	END { if (!bad) printf "ok: budget for the %d CCG-years of 2016/17 to 2019/20, none after\n", n; exit bad }
' "$tmp/out/backtest.csv" || fail=1

# 2 and 3. rows, actual and naive, from the published files
if [ ! -x "$PY" ]; then
	echo "skipped: row check (python3 is not installed)"
	exit $fail
fi
"$PY" - "$DIR" "$tmp/out/backtest.csv" <<'PYEOF' || fail=1
import csv, os, re, sys
from decimal import Decimal
d, mine = sys.argv[1], sys.argv[2]
# keyword mapping of the columns between 'Global Sum' and the total
RULES = [("core", r"^(global sum|mpig|balance of pms)"), ("qof", r"qof"), ("prem", r"^premises"),
         ("disc", r"^(seniority|doctors retainer|total locum|prolonged study|appraisal|pco admin)"),
         (None, r"^(information management|prescribing fee|dispensing fee|reimbursement of drugs|other payments|"
          r"general practice (forward view|transformation)|pcn participation|winter access|childhood vaccination|"
          r"influenza and pneumococcal|rotavirus|meningitis|pertussis|non des item)"), (None, r"^localenhancedservices")]
norm = lambda h: " ".join(h.replace(".", " ").replace("_", " ").split()).lower()
years = {}
for y in range(2014, 2023):
    path = os.path.join(d, "%02d-%02d.csv" % (y % 100, (y + 1) % 100))
    with open(path, newline="", encoding="utf-8-sig") as f:
        r = csv.reader(f); keys = [norm(h) for h in next(r)]
        lo, hi = keys.index("global sum"), keys.index("total nhs payments to general practice")
        cols = []
        for i in range(lo, hi):
            for c, pat in RULES:
                if re.search(pat, keys[i]):
                    if c: cols.append(i)
                    break
            else:
                cols.append(i)   # enhanced services
        ccg, code = keys.index("ccg code"), keys.index("practice code")
        years[y] = {row[code]: (row[ccg], sum(Decimal(row[i]) for i in cols)) for row in r}
want = {}
for y in range(2016, 2023):
    for code, (ccg, amt) in years[y].items():
        a, n = want.get((y, ccg), (Decimal(0), Decimal(0)))
        prev = years[y - 1].get(code)
        want[(y, ccg)] = (a + amt, n + (prev[1] if prev else 0))
got = {}
bad = 0
for row in csv.DictReader(open(mine)):
    k = (int(row["target_year"][:4]), row["ccg_code"])
    if k in got:
        print("FAIL: %s %s listed twice" % k); bad += 1
    got[k] = (Decimal(row["actual"]), Decimal(row["naive"]))
for k in sorted(set(got) | set(want)):
    if k not in got or k not in want:
        print("FAIL: %d %s only in %s" % (k[0], k[1], "backtest.csv" if k in got else "the files")); bad += 1
    elif got[k] != want[k]:
        print("FAIL: %d %s: actual, naive %s, %s; second path %s, %s" % (k + got[k] + want[k])); bad += 1
print("%s: %d CCG-years, actual and naive compared to the penny, %d differences"
      % ("ok" if not bad else "FAIL", len(want), bad))
sys.exit(1 if bad else 0)
PYEOF
exit $fail
