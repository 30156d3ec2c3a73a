#!/bin/sh
# Golden CLI tests: each tests/cli/<case>/ holds
#   cmd           one shell line, run from the repo root; $PCBUDGET is the
#                 binary, $T a fresh temporary directory, $CASE the case dir
#   expected.out  exact standard output
#   expected.err  exact standard error
#   expected.rc   exit status
# Prints one line per case, diffs for failures, and "N passed, N failed".
BUILD=${BUILD:-build}
PCBUDGET=$(pwd)/$BUILD/pcbudget
export PCBUDGET
pass=0
fail=0
for dir in tests/cli/*/; do
	dir=${dir%/}
	[ -f "$dir/cmd" ] || continue
	T=$(mktemp -d)
	CASE=$dir
	export T CASE
	sh -c "$(cat "$dir/cmd")" >"$T/.out" 2>"$T/.err"
	rc=$?
	ok=1
	if ! cmp -s "$T/.out" "$dir/expected.out"; then
		ok=0
		echo "--- $dir: stdout differs"
		diff "$dir/expected.out" "$T/.out" | head -n 20
	fi
	if ! cmp -s "$T/.err" "$dir/expected.err"; then
		ok=0
		echo "--- $dir: stderr differs"
		diff "$dir/expected.err" "$T/.err" | head -n 20
	fi
	want=$(cat "$dir/expected.rc")
	if [ "$rc" != "$want" ]; then
		ok=0
		echo "--- $dir: exit status $rc, want $want"
	fi
	rm -rf "$T"
	if [ $ok = 1 ]; then
		pass=$((pass + 1))
		echo "ok   $dir"
	else
		fail=$((fail + 1))
		echo "FAIL $dir"
	fi
done
echo "cli: $pass passed, $fail failed"
[ $fail -eq 0 ]
