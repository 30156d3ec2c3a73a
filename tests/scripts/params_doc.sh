#!/bin/sh
# Every parameter key of src/method/param_specs.c is documented in
# data/README.md, and every key the README's table lists exists.
set -u
fail=0
keys=$(sed -n 's/^[[:space:]]*{ [^,]*, "\([a-z0-9_]*\)", PARAM_.*/\1/p' src/method/param_specs.c | sort -u)
[ -n "$keys" ] || { echo "FAIL: no keys found in param_specs.c"; exit 1; }
for k in $keys; do
	sed -n '/^## params.ini/,$p' data/README.md | grep -q "^| $k |" || { echo "FAIL: '$k' is not documented in data/README.md"; fail=1; }
done
for k in $(sed -n '/^## params.ini/,$ s/^| \([a-z0-9_]*\) | \(\[run\]\|year\) |.*/\1/p' data/README.md); do
	echo "$keys" | grep -qx "$k" || { echo "FAIL: data/README.md documents unknown key '$k'"; fail=1; }
done
[ "$fail" -eq 0 ] && echo "params_doc: ok"
exit "$fail"
