#!/bin/sh
# The report folder of "pcbudget run DATASET" (docs/report-run.md), end to end:
#  1. the default folder reports/<dataset>-<year>/ holds every file, the
#     ledger sits beside it, -q prints nothing;
#  2. tests/scripts/report_check.py recomputes the CSV control totals, the
#     history, the outliers and the contracts from the dataset by a second
#     path, and the manifest's tables; sha256sum checks every hash the
#     manifest records;
#  3. the same seed gives byte-identical CSV files with 1 and 2 threads;
#  4. two runs into two folders: every CSV byte for byte, report.html and
#     summary.md after removing the parts between the run-dependent
#     markers, manifest.json without its run-dependent keys, and every
#     member of pcbudget.xlsx but its creation date (docProps/core.xml);
#  5. the ledger: the second run reports no change, a changed parameter is
#     reported with the old and new figures, a corrupt or locked ledger
#     costs a warning and never the report;
#  6. the run lock: held with flock(1), the run exits 75 with the exact
#     message and writes nothing; with --wait it waits for the lock;
#  7. SIGKILL at random moments while a report is being written, 50 times
#     (PCBUDGET_KILL_LOOP=N for more): the previous report stays complete
#     (its manifest's hashes still match) and no partial folder takes its
#     place; the next run clears what the killed ones left;
#  8. hostile practice and CCG names come out inert in CSV, XLSX, HTML and
#     Markdown;
#  9. a full disk on stdout exits 74 (the report is written first).
set -u
BUILD=${BUILD:-build}
PCBUDGET=$(pwd)/$BUILD/pcbudget
repo=$(pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fail=0
no() { echo "FAIL: $*"; fail=1; }

if ! command -v python3 >/dev/null 2>&1; then
	echo "skipped: python3 not found"
	exit 0
fi

# Checks every output hash of a folder's manifest with sha256sum.
hashes_ok() {
	python3 -c '
import json, sys
m = json.load(open(sys.argv[1] + "/manifest.json"))
for o in m["outputs"]:
    print(o["sha256"] + "  " + o["path"])
' "$1" >"$tmp/sums" 2>/dev/null || return 1
	[ -s "$tmp/sums" ] || return 1
	(cd "$1" && sha256sum -c --quiet --strict "$tmp/sums" >/dev/null 2>&1)
}

# Removes what lies between the run-dependent markers.
strip_marked() {
	python3 -c '
import re, sys
t = open(sys.argv[1], encoding="utf-8").read()
t = re.sub(r"<!-- pcbudget:run-dependent -->.*?<!-- /pcbudget:run-dependent -->", "", t, flags=re.S)
sys.stdout.write(t)
' "$1"
}

# manifest.json without its run-dependent keys (named in run.run_dependent).
strip_manifest() {
	python3 -c '
import json, sys
m = json.load(open(sys.argv[1]))
for k in ("started", "finished", "command_line"):
    m.pop(k)
m["run"].pop("threads")
m["outputs"] = [o for o in m["outputs"] if o["path"] not in ("report.html", "summary.md", "pcbudget.xlsx")]
print(json.dumps(m, sort_keys=True, indent=1))
' "$1"
}

files="allocations_by_ccg.csv allocations_by_practice.csv categories.csv contracts_ending.csv
derivations.csv history.csv manifest.json outliers.csv parameters.csv pcbudget.xlsx
practices.csv projections.csv report.html risk_by_ccg.csv scenarios.csv summary.csv summary.md
tornado.csv trend_check.csv"

# 1. the default folder, quiet
mkdir "$tmp/cwd"
(cd "$tmp/cwd" && "$PCBUDGET" -q run "$repo/data/example" >"$tmp/q.out" 2>"$tmp/q.err")
rc=$?
[ "$rc" -eq 0 ] || { no "run exited $rc"; cat "$tmp/q.err"; exit 1; }
[ -s "$tmp/q.out" ] && no "-q printed to stdout"
[ -s "$tmp/q.err" ] && no "-q printed to stderr: $(cat "$tmp/q.err")"
def="$tmp/cwd/reports/example-2017-18"
got=$(cd "$def" && ls | tr '\n' ' ')
want=$(echo $files | tr '\n' ' ')
[ "$got" = "$want" ] || no "the folder holds: $got; want: $want"
[ -f "$tmp/cwd/reports/ledger.sqlite" ] || no "no ledger beside the folder"
[ -e "$def/ledger.sqlite" ] && no "the ledger is inside the folder"

# 2. the folder by a second path; the manifest's hashes
out="$tmp/out/a"
"$PCBUDGET" run data/example --out "$out" --threads 1 >"$tmp/a.out" 2>"$tmp/a.err" ||
	{ no "run --threads 1 failed"; cat "$tmp/a.err"; }
python3 tests/scripts/report_check.py data/example "$out" >"$tmp/check" 2>&1 ||
	{ no "report_check.py:"; cat "$tmp/check"; }
hashes_ok "$out" || no "manifest hashes do not match sha256sum"
grep -q 'pcbudget: info: Monte Carlo done' "$tmp/a.err" || no "no progress lines on stderr"
grep -v ' pcbudget: info: ' "$tmp/a.err" && no "stderr has more than progress lines"
grep -q "^Report: $out " "$tmp/a.out" || no "the summary does not name the folder"

# 3. thread-count independence
"$PCBUDGET" -q run data/example --out "$tmp/out/b" --threads 2 || no "run --threads 2 failed"
for f in "$out"/*.csv; do
	cmp -s "$f" "$tmp/out/b/$(basename "$f")" || no "$(basename "$f") differs between 1 and 2 threads"
done

# 4. idempotence: the same run again (one second later, so the times differ)
sleep 1
"$PCBUDGET" -q run data/example --out "$tmp/out/c" --threads 1 || no "second run failed"
c="$tmp/out/c"
for f in "$out"/*.csv; do
	cmp -s "$f" "$c/$(basename "$f")" || no "$(basename "$f") differs between two runs"
done
for f in report.html summary.md; do
	cmp -s "$out/$f" "$c/$f" && no "$f is identical although the times differ (markers untested)"
	strip_marked "$out/$f" >"$tmp/x1"
	strip_marked "$c/$f" >"$tmp/x2"
	cmp -s "$tmp/x1" "$tmp/x2" || { no "$f differs outside the marked parts"; diff "$tmp/x1" "$tmp/x2" | head -5; }
done
strip_manifest "$out/manifest.json" >"$tmp/m1"
strip_manifest "$c/manifest.json" >"$tmp/m2"
cmp -s "$tmp/m1" "$tmp/m2" || { no "manifest.json differs outside its run-dependent keys"; diff "$tmp/m1" "$tmp/m2" | head; }
if command -v unzip >/dev/null 2>&1; then
	mkdir "$tmp/z1" "$tmp/z2"
	(cd "$tmp/z1" && unzip -q "$out/pcbudget.xlsx") && (cd "$tmp/z2" && unzip -q "$c/pcbudget.xlsx") ||
		no "pcbudget.xlsx does not unzip"
	rm -f "$tmp/z1/docProps/core.xml" "$tmp/z2/docProps/core.xml"
	diff -r "$tmp/z1" "$tmp/z2" >/dev/null || no "pcbudget.xlsx differs beyond its creation date"
fi

# 5. the ledger: run c saw run b (same figures), which saw run a
grep -q 'Changes since the previous run (run 1 of ' "$tmp/a.out" &&
	no "the first run in $tmp/out saw a previous one"
grep -q 'this is the first recorded run of .example. for 2017/18' "$tmp/a.out" ||
	no "the first run does not say it is the first: $(grep Changes "$tmp/a.out")"
"$PCBUDGET" run data/example --out "$tmp/out/d" >"$tmp/d.out" 2>/dev/null || no "run d failed"
grep -q '^Changes since the previous run (run 3 of [0-9TZ:-]*): none$' "$tmp/d.out" ||
	no "run d: $(grep -A2 Changes "$tmp/d.out")"
grep -q 'No headline figure changed since run 3 of ' "$tmp/out/d/report.html" ||
	no "report.html of run d does not say nothing changed"
# a 1% contingency instead of 0.5%: contingency +£220,000.00, headroom -£220,000.00
cp -r data/example "$tmp/ex2"
printf 'contingency_rate = 1%%\n' >>"$tmp/ex2/params.ini"
mv "$tmp/ex2" "$tmp/example"
"$PCBUDGET" run "$tmp/example" --out "$tmp/out/e" >"$tmp/e.out" 2>/dev/null || no "run e failed"
grep -q '^  99X contingency: £220,000.00 -> £440,000.00$' "$tmp/e.out" || no "run e: $(cat "$tmp/e.out")"
grep -q '^  99X headroom: £192,056.89 -> -£27,943.11$' "$tmp/e.out" || no "run e: headroom change missing"
grep -c '^  99X ' "$tmp/e.out" | grep -qx 2 || no "run e lists other changes: $(grep '^  99X ' "$tmp/e.out")"
grep -q '<td class="code">contingency</td>' "$tmp/out/e/report.html" || no "report.html of run e lacks the change"
# a corrupt ledger: a warning, exit 0, the report written
mkdir "$tmp/bad"
echo "not a database, long enough to be read as a header by sqlite...." >"$tmp/bad/ledger.sqlite"
"$PCBUDGET" run data/example --out "$tmp/bad/r" >"$tmp/bad.out" 2>"$tmp/bad.err"
rc=$?
[ "$rc" -eq 0 ] || no "a corrupt ledger made the run exit $rc"
hashes_ok "$tmp/bad/r" || no "no complete report beside a corrupt ledger"
grep -q "warning: ledger '$tmp/bad/ledger.sqlite': .*file is not a database; changes since the previous run are not shown" "$tmp/bad.err" ||
	no "corrupt ledger warning: $(cat "$tmp/bad.err")"
grep -q "this run is not recorded" "$tmp/bad.err" || no "no warning that the run is not recorded"
grep -q 'could not be read' "$tmp/bad/r/report.html" || no "report.html does not say the ledger could not be read"
# a locked ledger (another process holds an exclusive transaction)
python3 -c '
import sqlite3, sys, time
db = sqlite3.connect(sys.argv[1], isolation_level=None)
db.execute("BEGIN EXCLUSIVE")
open(sys.argv[2], "w").close()
time.sleep(8)
' "$tmp/out/ledger.sqlite" "$tmp/locked" &
locker=$!
while [ ! -e "$tmp/locked" ]; do sleep 0.1; done
"$PCBUDGET" run data/example --out "$tmp/out/f" >/dev/null 2>"$tmp/f.err"
rc=$?
kill "$locker" 2>/dev/null
wait "$locker" 2>/dev/null
[ "$rc" -eq 0 ] || no "a locked ledger made the run exit $rc"
hashes_ok "$tmp/out/f" || no "no complete report beside a locked ledger"
grep -q "database is locked" "$tmp/f.err" || no "locked ledger warning: $(cat "$tmp/f.err")"

# 6. the run lock
mkdir "$tmp/lk"
cd "$tmp/lk" || exit 1
flock .r.lock sleep 3 &
holder=$!
sleep 0.5
"$PCBUDGET" run "$repo/tests/fixtures/run-small" --out r >"$tmp/lk.out" 2>"$tmp/lk.err"
rc=$?
[ "$rc" -eq 75 ] || no "a locked folder: exit $rc, want 75"
grep -v ' pcbudget: info: ' "$tmp/lk.err" >"$tmp/lk.err2"
printf '%s\n' "pcbudget: error: another run is writing 'r' (lock '.r.lock'); try again later or use --wait" |
	diff -u - "$tmp/lk.err2" || no "the lock message differs"
[ -s "$tmp/lk.out" ] && no "a locked run printed a summary"
[ -e r ] && no "a locked run wrote its folder"
ls -a | grep -q '\.tmp\.' && no "a locked run left a temporary folder"
# --wait: blocks while the lock is held, then runs
flock .r.lock sleep 2 &
holder2=$!
sleep 0.5
"$PCBUDGET" -q run "$repo/tests/fixtures/run-small" --out r --wait &
waiter=$!
sleep 0.7
kill -0 "$waiter" 2>/dev/null || no "--wait did not wait for the lock"
[ -e r ] && no "--wait wrote while the lock was held"
wait "$waiter"
rc=$?
[ "$rc" -eq 0 ] || no "--wait: exit $rc"
[ -f r/manifest.json ] || no "--wait wrote no report"
wait "$holder" "$holder2" 2>/dev/null
cd "$repo" || exit 1

# 7. SIGKILL while writing
k="$tmp/kill"
mkdir "$k"
"$PCBUDGET" -q run data/example --out "$k/r" --iterations 2000 || no "the kill loop's first run failed"
n=${PCBUDGET_KILL_LOOP:-50}
i=0
: >"$tmp/mid"
while [ "$i" -lt "$n" ]; do
	i=$((i + 1))
	ms=$(( $(od -An -N2 -tu2 /dev/urandom | tr -d ' ') % 250 ))
	"$PCBUDGET" -q run data/example --out "$k/r" --iterations 2000 >/dev/null 2>&1 &
	pid=$!
	sleep "$(printf '0.%03d' "$ms")"
	kill -9 "$pid" 2>/dev/null
	wait "$pid" 2>/dev/null
	if ! hashes_ok "$k/r"; then
		no "kill $i after ${ms} ms: the report folder is not complete"
		break
	fi
	# a temporary folder left behind: that kill hit the writing itself
	ls -a "$k" | grep '^\.r\.tmp\.' >>"$tmp/mid"
done
mid=$(sort -u "$tmp/mid" | wc -l)
"$PCBUDGET" -q run data/example --out "$k/r" --iterations 2000 || no "the run after the kills failed"
hashes_ok "$k/r" || no "the run after the kills left an incomplete folder"
ls -a "$k" | grep -q '^\.r\.\(tmp\|old\)\.' && no "temporary folders left after a clean run: $(ls -a "$k")"
echo "kill loop: $n kills, $mid of them while the folder was being written"
[ "$n" -ge 20 ] && [ "$mid" -eq 0 ] && no "no kill hit the writing: the loop tests nothing"

# 8. hostile names
h="$tmp/hostile"
"$PCBUDGET" -q run tests/fixtures/run-hostile --out "$h" || no "the hostile run failed"
grep -q '^A00001,"'"'"'=HYPERLINK(""x"")",01A,' "$h/allocations_by_practice.csv" ||
	no "CSV: the formula is not neutralised: $(grep A00001 "$h/allocations_by_practice.csv")"
grep -h '=HYPERLINK' "$h"/*.csv | grep -v "'=HYPERLINK" && no "CSV: a live formula"
grep -q '<script>' "$h/report.html" && no "HTML: a <script> element"
grep -q '<img' "$h/report.html" && no "HTML: an <img> element"
grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$h/report.html" || no "HTML: the practice name is not shown as text"
grep -q '&lt;img src=x onerror=alert(2)&gt; @SUM(A1)' "$h/report.html" || no "HTML: the CCG name is not shown as text"
grep -qE '(^|[^\\])<(img|script)' "$h/summary.md" && no "Markdown: raw markup"
grep -q '\\<img src=x onerror=alert(2)\\> @SUM(A1)' "$h/summary.md" || no "Markdown: the CCG name is not escaped"
if command -v unzip >/dev/null 2>&1; then
	mkdir "$tmp/hz"
	(cd "$tmp/hz" && unzip -q "$h/pcbudget.xlsx")
	grep -l '<f>' "$tmp/hz"/xl/worksheets/*.xml && no "XLSX: a formula cell"
	grep -q '>=HYPERLINK("x")<' "$tmp/hz/xl/sharedStrings.xml" || no "XLSX: the formula text is not a string"
	grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$tmp/hz/xl/sharedStrings.xml" || no "XLSX: the script text is not a string"
fi

# 9. a full disk on stdout
if [ -w /dev/full ]; then
	"$PCBUDGET" run tests/fixtures/run-small --out "$tmp/full" >/dev/full 2>"$tmp/full.err"
	rc=$?
	[ "$rc" -eq 74 ] || no "stdout on a full disk exited $rc"
	grep -q 'cannot write to standard output' "$tmp/full.err" || no "no message for a full stdout"
fi

[ "$fail" -eq 0 ] && echo "report_run: ok"
exit "$fail"
