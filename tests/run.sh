#!/bin/sh
# Runs every test binary given as an argument, then the CLI golden tests,
# keeps going after a failure, and ends with "N passed, N failed".
# Usage: BUILD=build sh tests/run.sh build/test_*
BUILD=${BUILD:-build}
pass=0
fail=0
failed=""
for t in "$@"; do
	if "./$t" >"$t.log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS: $t"
	else
		fail=$((fail + 1))
		failed="$failed $t"
		echo "FAIL: $t"
		cat "$t.log"
	fi
done
for suite in tests/cli/run.sh tests/scripts/*.sh; do
	[ -f "$suite" ] || continue
	if BUILD="$BUILD" sh "$suite" >"$BUILD/$(basename "$suite" .sh).log" 2>&1; then
		pass=$((pass + 1))
		echo "PASS: $suite"
	else
		fail=$((fail + 1))
		failed="$failed $suite"
		echo "FAIL: $suite"
		cat "$BUILD/$(basename "$suite" .sh).log"
	fi
done
[ -n "$failed" ] && echo "failed:$failed"
echo "$pass passed, $fail failed"
[ "$fail" -eq 0 ]
