#!/bin/sh
# memory.sh - peak memory (maximum resident set size, from GNU time's %M)
# of "pcbudget import-payments" on the nine published NHS payments files
# and of "pcbudget run data/example", next to the size of the input, so a
# change that makes the tool hold much more than it reads shows up.
# Builds nothing: run "make bench" (or build $BUILD/pcbudget first).
set -u
BUILD=${BUILD:-build}
PCBUDGET=${PCBUDGET:-$BUILD/pcbudget}
DIR=${PCBUDGET_DATA:-../shared/data}/nhs-payments
TIME=/usr/bin/time
if [ ! -x "$TIME" ]; then
	echo "memory: skipped: GNU time not installed (/usr/bin/time; make deps installs it)"
	exit 0
fi
[ -x "$PCBUDGET" ] || { echo "memory: $PCBUDGET is not built (run make)"; exit 1; }
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT

# peak NAME INPUT_BYTES COMMAND...: prints the peak RSS and its ratio to the input
peak() {
	name=$1
	bytes=$2
	shift 2
	if ! "$TIME" -f %M -o "$tmp/rss" "$@" >/dev/null 2>"$tmp/err"; then
		echo "memory: $name failed:"
		cat "$tmp/err"
		return 1
	fi
	awk -v n="$name" -v kb="$(tail -n 1 "$tmp/rss")" -v b="$bytes" 'BEGIN {
		printf "  %-44s peak RSS %7.1f MB  (input %7.2f MB, %.1f x)\n",
		       n, kb / 1024, b / 1048576, kb * 1024 / b }'
}

echo "memory: peak resident set size (GNU time %M)"
status=0
if [ -f "$DIR/14-15.csv" ]; then
	FILES="$DIR/14-15.csv $DIR/15-16.csv $DIR/16-17.csv $DIR/17-18.csv $DIR/18-19.csv
$DIR/19-20.csv $DIR/20-21.csv $DIR/21-22.csv $DIR/22-23.csv"
	# shellcheck disable=SC2086
	bytes=$(cat $FILES | wc -c)
	# shellcheck disable=SC2086
	peak "import-payments, nine files" "$bytes" "$PCBUDGET" -q import-payments -o "$tmp/pay" $FILES || status=1
	# shellcheck disable=SC2086
	peak "import-payments, nine files, --threads=1" "$bytes" "$PCBUDGET" -q import-payments --threads=1 -o "$tmp/pay1" $FILES || status=1
else
	echo "  import-payments: skipped: real data not found ($DIR)"
fi
bytes=$(cat data/example/* | wc -c)
peak "run data/example" "$bytes" "$PCBUDGET" -q run data/example --out "$tmp/run" || status=1
exit $status
