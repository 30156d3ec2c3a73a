#!/bin/sh
# Fuzz smoke run: builds every libFuzzer harness with clang and runs each
# for a few seconds over its seed corpus.  The long runs are `make fuzz`.
if ! command -v clang >/dev/null 2>&1; then
	echo "skipped: clang not installed"
	exit 0
fi
make -s fuzz-build >/dev/null || { echo "fuzz harnesses do not build"; exit 1; }
for b in build-fuzz/fuzz_*; do
	case "$b" in *.d) continue ;; esac
	n=$(basename "$b" | sed 's/^fuzz_//')
	d=$(mktemp -d)
	if ! "$b" -max_total_time="${FUZZ_SMOKE_TIME:-5}" -artifact_prefix="$d/" \
		"$d" "tests/fuzz/$n" >"$d/log" 2>&1; then
		echo "fuzz_$n found a failure:"
		tail -n 40 "$d/log"
		exit 1
	fi
	echo "fuzz_$n: $(grep -o 'stat::number_of_executed_units: [0-9]*' "$d/log" || tail -n 1 "$d/log")"
	rm -rf "$d"
done
