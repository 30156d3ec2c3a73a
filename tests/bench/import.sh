#!/bin/sh
# import.sh - time "pcbudget import-payments" on the nine published NHS
# payments files (parse, map, reconcile, aggregate, write) beside the pandas
# peer (../shared/bench/peers/pandas_agg.py, same files, same aggregation)
# and beside cat of the files (the floor: reading the bytes).  Best of
# BENCH_RUNS (default 3) each; prints both ratios and PASS/FAIL against the
# target of at least 15 times faster than pandas.  Builds nothing: run
# "make bench" (or build $BUILD/pcbudget first).
set -u
BUILD=${BUILD:-build}
PCBUDGET=${PCBUDGET:-$BUILD/pcbudget}
DIR=${PCBUDGET_DATA:-../shared/data}/nhs-payments
PEER=../shared/bench/peers/pandas_agg.py
PY=/usr/bin/python3
RUNS=${BENCH_RUNS:-3}
TARGET=15

if [ ! -f "$DIR/14-15.csv" ]; then
	echo "import: skipped: real data not found ($DIR)"
	exit 0
fi
if [ ! -x "$PCBUDGET" ]; then
	echo "import: $PCBUDGET is not built (run make)"
	exit 1
fi
FILES="$DIR/14-15.csv $DIR/15-16.csv $DIR/16-17.csv $DIR/17-18.csv $DIR/18-19.csv
$DIR/19-20.csv $DIR/20-21.csv $DIR/21-22.csv $DIR/22-23.csv"
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

now_ns() { date +%s%N; }

# best_ms NAME COMMAND...: runs the command RUNS times, prints the best in ms
best_ms() {
	name=$1
	shift
	best=
	i=0
	while [ "$i" -lt "$RUNS" ]; do
		rm -rf "$tmp/out"
		t0=$(now_ns)
		"$@" >/dev/null 2>"$tmp/err" || { echo "import: $name failed:" >&2; cat "$tmp/err" >&2; return 1; }
		t1=$(now_ns)
		t=$(((t1 - t0) / 1000))
		if [ -z "$best" ] || [ "$t" -lt "$best" ]; then best=$t; fi
		i=$((i + 1))
	done
	echo "$best"
}

# shellcheck disable=SC2086
cat $FILES >/dev/null	# warm the page cache for everyone
# shellcheck disable=SC2086
us_pcb=$(best_ms pcbudget "$PCBUDGET" -q import-payments -o "$tmp/out" $FILES) || exit 1
# shellcheck disable=SC2086
us_cat=$(best_ms cat cat $FILES) || exit 1
bytes=$(cat $FILES | wc -c)
rows=65621

printf 'import: %d files, %d bytes, %d practice rows (best of %d)\n' 9 "$bytes" "$rows" "$RUNS"
printf '  pcbudget import-payments  %8.1f ms  %6.0f MB/s  %8.0f rows/s\n' \
	"$(echo "$us_pcb" | awk '{print $1/1000}')" \
	"$(echo "$bytes $us_pcb" | awk '{print $1/$2}')" \
	"$(echo "$rows $us_pcb" | awk '{print $1*1e6/$2}')"
printf '  cat                       %8.1f ms  (pcbudget / cat = %.1f)\n' \
	"$(echo "$us_cat" | awk '{print $1/1000}')" \
	"$(echo "$us_pcb $us_cat" | awk '{print $1/$2}')"

if [ -x "$PY" ] && "$PY" -c 'import pandas' 2>/dev/null && [ -f "$PEER" ]; then
	# shellcheck disable=SC2086
	us_pd=$(best_ms pandas "$PY" "$PEER" $FILES) || exit 1
	ratio=$(echo "$us_pd $us_pcb" | awk '{printf "%.1f", $1/$2}')
	printf '  pandas_agg.py             %8.1f ms  (pandas / pcbudget = %s, target >= %d)\n' \
		"$(echo "$us_pd" | awk '{print $1/1000}')" "$ratio" "$TARGET"
	if echo "$ratio $TARGET" | awk '{exit !($1 >= $2)}'; then
		echo "import: PASS (${ratio}x faster than pandas)"
	else
		echo "import: FAIL (${ratio}x faster than pandas, target ${TARGET}x)"
		exit 1
	fi
else
	echo "import: pandas not installed (python3-pandas): no ratio to pandas; make deps installs it"
fi
