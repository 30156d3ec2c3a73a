#!/bin/sh
# make bench: runs every tests/bench/*.sh (except this file) in turn.
# Each benchmark times pcbudget beside a peer in the same run and prints
# the ratio and whether it meets its target.
BUILD=${BUILD:-build}
export BUILD
status=0
for b in tests/bench/*.sh; do
	[ "$b" = tests/bench/run.sh ] && continue
	echo "== $b"
	sh "$b" || status=1
done
exit $status
