#!/bin/sh
# Renders the report.html of "pcbudget run data/example" in headless
# Chromium (as tests/scripts/browser.sh does for the report writers'
# sample page): no console message, every chart of the example present in
# the browser's DOM (stacked bars, fan, tornado, practice strip) with real
# marks, no element that could come from input text, and a screenshot at
# $BUILD/browser/example.png (1280x9000, the top of the page down to the
# risk section) and the print layout at $BUILD/browser/example.pdf, for a
# person to look at.  Without chromium: "skipped: chromium not installed".
set -u
BUILD=${BUILD:-build}
CHROMIUM=${CHROMIUM:-chromium}

if ! command -v "$CHROMIUM" >/dev/null 2>&1; then
	echo "skipped: chromium not installed"
	exit 0
fi
out=$(cd "$BUILD" && pwd)/browser
mkdir -p "$out" || exit 1
rm -rf "$out/example" "$out/example.png" "$out/example.pdf" "$out/ledger.sqlite"
profile=$(mktemp -d) || exit 1
trap 'rm -rf "$profile"' EXIT INT TERM

chrome() {
	timeout 120 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
		--disable-quic --no-first-run --disable-background-networking \
		--disable-component-update --disable-sync \
		--disable-default-apps --disable-extensions \
		--host-resolver-rules='MAP * ~NOTFOUND' \
		--user-data-dir="$profile" --enable-logging=stderr --v=0 "$@"
}

fail=0
no() { echo "FAIL: $*"; fail=1; }

"$BUILD/pcbudget" -q run data/example --out "$out/example" || { no "the example run failed"; exit 1; }
url="file://$out/example/report.html"
chrome --dump-dom "$url" >"$out/example-dom.html" 2>"$out/example-dom.log"
chrome --screenshot="$out/example.png" --window-size=1280,9000 --hide-scrollbars "$url" \
	>/dev/null 2>"$out/example-shot.log"
chrome --print-to-pdf="$out/example.pdf" --no-pdf-header-footer "$url" \
	>/dev/null 2>"$out/example-pdf.log"
for log in dom shot pdf; do
	if grep -E 'CONSOLE|Uncaught' "$out/example-$log.log" >"$out/example-$log.console"; then
		no "console messages while rendering ($log):"
		cat "$out/example-$log.console"
	fi
done

# the four charts of a one-CCG report, each with its marks
svgs=$(grep -o '<svg' "$out/example-dom.html" | wc -l)
[ "$svgs" -eq 4 ] || no "expected 4 charts in the example page, found $svgs"
for title in 'paid by category, and the budget' 'funding per weighted patient last year' \
	     'spend paid, budgeted and projected' "what moves the budget year's spend"; do
	grep -q "<title>99X NHS Example CCG: $title" "$out/example-dom.html" ||
		no "chart missing: $title"
done
# real data in them: 45 practices' dots, bars of 4 years, tornado bars
[ "$(grep -o '<circle' "$out/example-dom.html" | wc -l)" -ge 45 ] || no "fewer than 45 dots in the page"
grep -q '£43,147,943.11' "$out/example-dom.html" || no "the planned spend is not on the page"
for tag in '<script' '<img' '<iframe' '<object' '<embed' '<link'; do
	grep -qi "$tag" "$out/example-dom.html" && no "the rendered page has a $tag element"
done
if [ ! -s "$out/example.png" ] ||
   [ "$(head -c 4 "$out/example.png" | od -An -c | tr -d ' \n')" != '211PNG' ]; then
	no "no screenshot at $out/example.png"
elif [ "$(wc -c <"$out/example.png")" -lt 200000 ]; then
	no "the screenshot is suspiciously small (blank page?)"
fi
[ -s "$out/example.pdf" ] && [ "$(head -c 5 "$out/example.pdf")" = '%PDF-' ] ||
	no "no PDF at $out/example.pdf"

[ "$fail" -eq 0 ] && echo "ok: the example's report.html rendered with no console messages;" \
	"screenshot $out/example.png, print $out/example.pdf"
exit "$fail"
