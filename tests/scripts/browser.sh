#!/bin/sh
# Renders a sample report.html in headless Chromium (Debian's `chromium`)
# with no network, and fails if the page logs anything to the console
# (a script error, or a resource the page's Content-Security-Policy
# blocked), if the DOM holds elements that came from input text, if a
# chart is missing, or if the screenshot or the printed PDF is not made.
# The screenshot and PDF are kept under $BUILD/browser/ for a person to
# look at.  The detector is first shown to catch a page that does log an
# error, so a silent pass means something.
#
# Run by tests/run.sh; needs $BUILD/test_report (make unit).
# Without chromium it prints "skipped: chromium not installed" and passes.
set -u
BUILD=${BUILD:-build}
CHROMIUM=${CHROMIUM:-chromium}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	echo "skipped: chromium not installed"
	exit 0
fi
if [ ! -x "$BUILD/test_report" ]; then
	echo "browser.sh: $BUILD/test_report not built (run make unit)" >&2
	exit 1
fi

out=$(cd "$BUILD" && pwd)/browser
rm -rf "$out"
mkdir -p "$out" || exit 1
profile=$(mktemp -d) || exit 1
trap 'rm -rf "$profile"' EXIT INT TERM

# chromium [extra options...] URL: headless, sandbox off (CI runs as
# root), every background service and all name resolution off, console
# messages on stderr.
chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

# Prints the console lines of a chromium stderr log.
console_lines() {
	grep -E 'CONSOLE|Uncaught' "$1"
}

fail=0

# 1. The detector catches a page that logs an error.
probe="$out/probe.html"
printf '%s\n' '<!DOCTYPE html><meta charset="utf-8"><title>probe</title>' \
	'<script>console.error("probe error"); undefinedFunction();</script>' >"$probe"
chrome --dump-dom "file://$probe" >/dev/null 2>"$out/probe.log"
if ! console_lines "$out/probe.log" | grep -q 'probe error'; then
	echo "FAIL: the console detector missed a console.error on the probe page"
	fail=1
fi

# 2. The sample report, written by the unit test's sample document.
PCBUDGET_SAMPLE_REPORT="$out/report" "./$BUILD/test_report" >"$out/sample.log" 2>&1 || {
	echo "FAIL: could not write the sample report"
	cat "$out/sample.log"
	exit 1
}
page="$out/report/report.html"
url="file://$page"

chrome --dump-dom "$url" >"$out/dom.html" 2>"$out/dom.log"
chrome --screenshot="$out/report.png" --window-size=1280,4000 \
	--hide-scrollbars "$url" >/dev/null 2>"$out/screenshot.log"
chrome --print-to-pdf="$out/report.pdf" --no-pdf-header-footer \
	"$url" >/dev/null 2>"$out/pdf.log"

for log in dom screenshot pdf; do
	if console_lines "$out/$log.log" >"$out/$log.console"; then
		echo "FAIL: console messages while rendering ($log):"
		cat "$out/$log.console"
		fail=1
	fi
done

# The DOM the browser built: every chart, no element from input text.
svgs=$(grep -o '<svg' "$out/dom.html" | wc -l)
if [ "$svgs" -ne 4 ]; then
	echo "FAIL: expected 4 charts in the rendered page, found $svgs"
	fail=1
fi
for tag in '<script' '<img' '<iframe' '<object' '<embed' '<link'; do
	if grep -qi "$tag" "$out/dom.html"; then
		echo "FAIL: the rendered page has a $tag element"
		fail=1
	fi
done
if ! grep -q '&lt;script&gt;alert(1)&lt;/script&gt;' "$out/dom.html"; then
	echo "FAIL: the hostile category name is not shown as text"
	fail=1
fi

# The screenshot is a real PNG of some size; the PDF exists.
if [ ! -s "$out/report.png" ] ||
   [ "$(head -c 4 "$out/report.png" | od -An -c | tr -d ' \n')" != '211PNG' ]; then
	echo "FAIL: no screenshot at $out/report.png"
	fail=1
elif [ "$(wc -c <"$out/report.png")" -lt 50000 ]; then
	echo "FAIL: the screenshot is suspiciously small (blank page?)"
	fail=1
fi
if [ ! -s "$out/report.pdf" ] || [ "$(head -c 5 "$out/report.pdf")" != '%PDF-' ]; then
	echo "FAIL: no PDF at $out/report.pdf"
	fail=1
fi

if [ "$fail" -eq 0 ]; then
	echo "ok: report.html rendered with no console messages;" \
	     "screenshot $out/report.png, print $out/report.pdf"
fi
exit "$fail"
