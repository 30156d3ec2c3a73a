#!/bin/sh
# Reads the sample workbook back with an independent reader (openpyxl)
# and checks what a finance user would see: sheet names, frozen header,
# autofilter, numbers stored as numbers with the £ format, dates as
# dates, input text as text and never a formula.  The unit test
# test_report checks the same workbook's XML with unzip; this checks that
# a real reader agrees.  Without python3 and openpyxl (Debian's
# python3-openpyxl) it prints "skipped: ..." and passes.
set -u
BUILD=${BUILD:-build}

py=
for p in python3 /usr/bin/python3; do
	if command -v "$p" >/dev/null 2>&1 && "$p" -c 'import openpyxl' 2>/dev/null; then
		py=$p
		break
	fi
done
if [ -z "$py" ]; then
	echo "skipped: python3 with openpyxl not installed"
	exit 0
fi
if [ ! -x "$BUILD/test_report" ]; then
	echo "xlsx_reader.sh: $BUILD/test_report not built (run make unit)" >&2
	exit 1
fi
out=$(cd "$BUILD" && pwd)/xlsx-reader
rm -rf "$out"
PCBUDGET_SAMPLE_REPORT="$out" "./$BUILD/test_report" >/dev/null 2>&1 || {
	echo "FAIL: could not write the sample report"
	exit 1
}

"$py" - "$out/pcbudget.xlsx" <<'PY'
import datetime, sys
import openpyxl

wb = openpyxl.load_workbook(sys.argv[1])
want = ["summary", "categories", "practices", "history", "projections",
        "risk", "contracts", "backtest", "parameters"]
assert wb.sheetnames == want, wb.sheetnames
for ws in wb.worksheets:
    assert ws.freeze_panes == "A2", (ws.title, ws.freeze_panes)
    assert ws.auto_filter.ref and ws.auto_filter.ref.startswith("A1:"), ws.title
    for row in ws.iter_rows():
        for c in row:
            assert c.data_type != "f", ("formula", ws.title, c.coordinate)

ws = wb["categories"]
rows = list(ws.iter_rows(values_only=True))
assert rows[0] == ("CCG", "Category", "2016/17 actual (£)",
                   "2017/18 budget (£)", "Change"), rows[0]
# hostile text stays text, money stays a number (values set by the test)
assert rows[2][1] == '=HYPERLINK("x")'
assert rows[3][1] == "<script>alert(1)</script>"
assert rows[4][1] == "-12.50" and rows[4][2] == -12.5
assert rows[5][1] == "Total" and rows[5][3] == 13500000.5
assert abs(rows[1][4] - 0.042) < 1e-15
money = ws["C2"].number_format
assert money == '"£"#,##0.00;[Red]-"£"#,##0.00', money
assert ws["E2"].number_format == "0.0%"
assert ws["B6"].font.b and ws["D6"].font.b, "total row not bold"

ws = wb["contracts"]
assert ws["C2"].value == datetime.datetime(2018, 3, 31), ws["C2"].value
assert ws["C2"].number_format == "yyyy-mm-dd"
assert ws["B3"].value == "+44 list\nsecond line"

ws = wb["parameters"]
assert ws["C4"].value == "=cmd|' /C calc'!A0" and ws["C4"].data_type == "s"
assert wb.properties.created == datetime.datetime(2017, 6, 1, 9, 0, 0)
print("ok: openpyxl reads", len(wb.sheetnames), "sheets as expected")
PY
