#!/bin/sh
# run.sh - runs every benchmark in tests/bench/ (each *.sh but this one),
# keeps going after a failure, and fails if any did.
# Usage: BUILD=build sh tests/bench/run.sh
status=0
for b in tests/bench/*.sh; do
	[ "$(basename "$b")" = run.sh ] && continue
	BUILD=${BUILD:-build} sh "$b" || status=1
done
exit $status
