# Shared by tests/scripts/fault_*.sh (sourced, POSIX sh).
#
# Sets PCBUDGET, SHIM (the LD_PRELOAD library), T (a scratch directory
# removed on exit) and FAILS; provides
#   fault NAME=VALUE... -- CMD...   run CMD with the shim and these variables
#   expect NAME RC ERRFILE          compare the last run's exit status and
#                                   stderr with RC and the text in ERRFILE
#   ensure NAME CMD...              one check: CMD must succeed
#   leftovers DIR                   print temporary files left under DIR
#   finish                          print the tally and exit 1 on any failure
set -u
BUILD=${BUILD:-build}
ROOT=$(pwd)
PCBUDGET=$ROOT/$BUILD/pcbudget
SHIM=$ROOT/$BUILD/fault.so
[ -x "$PCBUDGET" ] || { echo "$PCBUDGET is not built (run make)"; exit 1; }
[ -f "$SHIM" ] || make -s "BUILD=$BUILD" "$BUILD/fault.so" || exit 1
T=$(mktemp -d) || exit 1
trap 'rm -rf "$T"' EXIT
FAILS=0
CHECKS=0
# ASan wants to come first in the library list; the shim goes before it.
ASAN_OPTIONS=${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0
export ASAN_OPTIONS

fault() {
	_vars=
	while [ "$1" != -- ]; do
		_vars="$_vars $1"
		shift
	done
	shift
	# shellcheck disable=SC2086
	env LD_PRELOAD="$SHIM" $_vars "$@" >"$T/.out" 2>"$T/.err"
	RC=$?
}

# plain run, for the cases that need no shim
plain() {
	"$@" >"$T/.out" 2>"$T/.err"
	RC=$?
}

fail() {
	echo "FAIL: $*"
	FAILS=$((FAILS + 1))
}

expect() {
	CHECKS=$((CHECKS + 1))
	if [ "$RC" != "$2" ]; then
		fail "$1: exit status $RC, want $2"
		sed 's/^/    /' "$T/.err"
	elif ! printf '%s' "${3:+$3
}" | cmp -s - "$T/.err"; then
		fail "$1: stderr differs"
		printf '%s' "${3:+$3
}" | diff - "$T/.err" | sed 's/^/    /'
	else
		echo "ok   $1"
	fi
}

ensure() {
	_name=$1
	shift
	CHECKS=$((CHECKS + 1))
	if "$@"; then
		echo "ok   $_name"
	else
		fail "$_name"
	fi
}

# every file under DIR that a complete run would not leave: *.tmp.*
leftovers() {
	find "$1" -name '*.tmp.*' 2>/dev/null
}

finish() {
	echo "$(basename "$0" .sh): $((CHECKS - FAILS)) of $CHECKS checks passed"
	[ "$FAILS" -eq 0 ]
	exit $?
}
