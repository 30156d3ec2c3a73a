#!/bin/sh
# End to end: "pcbudget run data/example" for 2017/18.
#
# Checks, each by a path that shares no code with pcbudget:
#  1. a figure worked by hand (practice Z99002, a GMS practice with MPIG);
#  2. the CCG total and headroom, worked by hand from the allocation and
#     the planned spend; the planned spend and every practice's five
#     categories come from tests/scripts/example_check.py, which re-applies
#     the methodology to the input CSVs with exact fractions;
#  3. with awk over the outputs: practices add up to the CCG and the CCG to
#     the TOTAL row, to the penny, in every category; each practice's
#     derivation rows add up to its categories;
#  4. a dataset with an error writes nothing and exits 65;
#  5. the generator reproduces data/example byte for byte.
set -u
BUILD=${BUILD:-build}
PCBUDGET=$BUILD/pcbudget
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

"$PCBUDGET" run data/example --out "$tmp/out" >"$tmp/stdout" 2>"$tmp/stderr"
rc=$?
[ "$rc" -eq 0 ] || { no "run exited $rc"; cat "$tmp/stderr"; exit 1; }
grep -v '^[0-9TZ:-]* pcbudget: info: ' "$tmp/stderr" && no "run wrote more than progress lines to stderr"
for f in allocations_by_practice.csv allocations_by_ccg.csv derivations.csv; do
	[ -f "$tmp/out/$f" ] || no "missing $f"
done

# Pounds with two decimals -> integer pence, exactly (no floating point).
PENCE='function p(s,  neg, i, w, f) {
	neg = substr(s, 1, 1) == "-"; if (neg) s = substr(s, 2)
	i = index(s, "."); if (i == 0) { w = s; f = "00" } else { w = substr(s, 1, i - 1); f = substr(s, i + 1) }
	while (length(f) < 2) f = f "0"
	return (neg ? -1 : 1) * (w * 100 + f)
}'
col() { # col FILE KEYCOL KEY NAME: the cell of row KEY in column NAME
	awk -F, -v key="$3" -v name="$4" -v kc="$2" '
		NR == 1 { for (i = 1; i <= NF; i++) if ($i == name) c = i; next }
		$kc == key { print $c }' "$1"
}

# 1. Practice Z99002 (GMS, opted out of out-of-hours, MPIG cf £12,254.00):
#    global sum 6555.34 weighted × 8535p × (1 − 0.049)
#      = 55,949,826.9p × 0.951 = 53,208,285.38p -> £532,082.85
#    MPIG 1,225,400p × 3/7 (2017/18 is k = 4 of the phase-out)
#      = 525,171.43p -> £5,251.71
#    core contract = £532,082.85 + £5,251.71 = £537,334.56
got=$(col "$tmp/out/allocations_by_practice.csv" 1 Z99002 core_contract)
[ "$got" = "537334.56" ] || no "Z99002 core_contract is $got, want 537334.56"

# 2. The CCG (99X): planned spend, the sum of the five categories, is
#    £43,147,943.11 by example_check.py (core 30,028,977.91 + enhanced
#    2,813,316.49 + QOF 4,164,914.23 + premises 5,438,045.96 + other
#    702,688.52 = 43,147,943.11, added by hand).  Allocation £44,000,000.00:
#      contingency 0.5% = £220,000.00; reserve 1% = £440,000.00
#      headroom = 44,000,000.00 − 43,147,943.11 − 220,000.00 − 440,000.00
#               = £192,056.89
for pair in planned_spend=43147943.11 contingency=220000.00 \
	    nonrecurrent_reserve=440000.00 headroom=192056.89 \
	    core_contract=30028977.91 enhanced_services=2813316.49 \
	    qof=4164914.23 premises=5438045.96 other=702688.52; do
	name=${pair%%=*}
	want=${pair#*=}
	for ccg in 99X TOTAL; do
		got=$(col "$tmp/out/allocations_by_ccg.csv" 1 "$ccg" "$name")
		[ "$got" = "$want" ] || no "$ccg $name is $got, want $want"
	done
done
if command -v python3 >/dev/null 2>&1; then
	python3 tests/scripts/example_check.py data/example "$tmp/out" >"$tmp/check" ||
		{ no "independent check differs"; cat "$tmp/check"; }
	grep -q '^planned_spend      43147943.11$' "$tmp/check" || no "independent planned spend: $(cat "$tmp/check")"
	grep -q '^headroom           192056.89$' "$tmp/check" || no "independent headroom: $(cat "$tmp/check")"
else
	echo "skipped: python3 not found (independent recomputation)"
fi

# 3. Practices add up to the CCG, the CCG to TOTAL; derivations to categories.
awk -F, "$PENCE"'
	FNR == 1 { for (i = 1; i <= NF; i++) h[FILENAME, $i] = i; next }
	FILENAME ~ /by_practice/ {
		for (k = 0; k < 6; k++) s[$3, k] += p($(h[FILENAME, cat[k]]))
		next
	}
	FILENAME ~ /by_ccg/ {
		for (k = 0; k < 6; k++) {
			v = p($(h[FILENAME, k < 5 ? cat[k] : "planned_spend"]))
			if ($1 == "TOTAL") { if (v != t[k]) { print "TOTAL " cat[k] " " v " != CCGs " t[k]; bad = 1 } }
			else {
				t[k] += v
				if (v != s[$1, k]) { print $1 " " cat[k] " " v " != practices " s[$1, k]; bad = 1 }
			}
		}
	}
	BEGIN { split("core_contract enhanced_services qof premises other total", c, " ")
		for (k = 0; k < 6; k++) cat[k] = c[k + 1] }
	END { exit bad }' "$tmp/out/allocations_by_practice.csv" "$tmp/out/allocations_by_ccg.csv" ||
	no "practices do not add up to the CCG or the CCG to the total"
# derivations.csv has quoted commas: let python split it if present, else skip
if command -v python3 >/dev/null 2>&1; then
	python3 - "$tmp/out" <<'EOF' || no "derivation rows do not add up to the categories"
import csv, sys
out = sys.argv[1]
def p(s):
    neg = s.startswith("-"); s = s.lstrip("-")
    w, _, f = s.partition("."); v = int(w) * 100 + int((f + "00")[:2])
    return -v if neg else v
cats = ["core_contract", "enhanced_services", "qof", "premises", "other"]
sums = {}
for r in csv.DictReader(open(out + "/derivations.csv", encoding="utf-8")):
    if r["practice_code"] and r["category"] in cats:
        sums[r["practice_code"], r["category"]] = sums.get((r["practice_code"], r["category"]), 0) + p(r["amount"])
bad = 0
for r in csv.DictReader(open(out + "/allocations_by_practice.csv", encoding="utf-8")):
    for c in cats:
        if sums.get((r["practice_code"], c), 0) != p(r[c]):
            print(r["practice_code"], c, sums.get((r["practice_code"], c)), r[c]); bad = 1
sys.exit(bad)
EOF
fi

# 4. An error anywhere: exit 65, the error located, nothing written.
cp -r data/example "$tmp/bad"
sed 's/^Z99003,Castle Surgery,99X,GMS,5063,/Z99003,Castle Surgery,99X,GMS,-5063,/' \
	data/example/practices.csv >"$tmp/bad/practices.csv"
"$PCBUDGET" run "$tmp/bad" --out "$tmp/out2" >"$tmp/stdout2" 2>"$tmp/stderr2"
rc=$?
[ "$rc" -eq 65 ] || no "bad dataset exited $rc, want 65"
grep -q "practices.csv:4:31: error: column 'registered_list': '-5063' must not be negative" "$tmp/stderr2" ||
	no "bad dataset message: $(cat "$tmp/stderr2")"
[ -e "$tmp/out2" ] && no "a failed run created $tmp/out2"
[ -s "$tmp/stdout2" ] && no "a failed run wrote to stdout"

# 5. The generator reproduces the committed example.
if command -v python3 >/dev/null 2>&1; then
	python3 data/gen_example.py --check || no "data/example differs from data/gen_example.py"
fi

[ "$fail" -eq 0 ] && echo "example_run: ok"
exit "$fail"
