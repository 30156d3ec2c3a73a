#!/usr/bin/env python3
"""Checks a report folder of "pcbudget run DATASET" by a second path.

Usage: report_check.py DATASET_DIR REPORT_DIR

Everything here is recomputed from the dataset's CSV files or from the
report's own CSV files with Python's standard library, sharing no code
with pcbudget:
  - every CSV reconciles to the penny: practices add up to their CCG and
    CCGs to TOTAL in every category; planned spend is the sum of the five
    categories; headroom = allocation - planned - contingency - reserve;
    summary.csv and categories.csv repeat allocations_by_ccg.csv;
  - history.csv's paid rows equal practice_history.csv summed per CCG,
    year and category (practices in their practices.csv CCG), the budget
    rows equal allocations_by_ccg.csv, and every total row is the sum of
    its categories;
  - outliers.csv holds exactly the practices beyond Tukey's fences of
    their CCG, recomputed with statistics.quantiles(method="inclusive")
    (R's type 7) from last year's payments and weighted lists;
  - contracts_ending.csv lists exactly the contracts ending before
    1 April two years after the budget year starts;
  - risk_by_ccg.csv has exactly the documented columns, ordered quantiles
    and ordered probabilities;
  - manifest.json: row counts and money totals of every table equal the
    CSV files' (summed here), the outputs are exactly the folder's other
    files, and inputs carry their SHA-256 (the hashes themselves are
    checked with sha256sum by the calling script).
Prints "ok" or the differences, and exits 1 on any.
"""
import csv
import datetime
from fractions import Fraction
import hashlib
import json
import os
import statistics
import sys

CATS = ["core_contract", "enhanced_services", "qof", "premises", "other"]
HIST = {"core_contract": "core_contract", "enhanced_services": "enhanced_services",
        "qof": "qof", "premises": "premises", "other": "discretionary"}
problems = []


def bad(msg):
    problems.append(msg)


def pence(s):
    """Pounds with up to two decimals -> integer pence, exactly."""
    neg = s.startswith("-")
    s = s.lstrip("-")
    whole, _, frac = s.partition(".")
    v = int(whole) * 100 + int((frac + "00")[:2])
    return -v if neg else v


def rows(path):
    with open(path, newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def fy(y):
    return "%d/%02d" % (y, (y + 1) % 100)


def main(ds, out):
    params = open(os.path.join(ds, "params.ini"), encoding="utf-8").read()
    year = None
    for line in params.splitlines():
        if line.strip().startswith("budget_year"):
            year = int(line.split("=")[1].strip()[:4])
    prac = rows(os.path.join(out, "allocations_by_practice.csv"))
    byccg = rows(os.path.join(out, "allocations_by_ccg.csv"))
    ccgs = [r for r in byccg if r["ccg_code"] != "TOTAL"]
    total = [r for r in byccg if r["ccg_code"] == "TOTAL"][0]

    # practices -> CCG -> TOTAL, planned, headroom
    for c in ccgs:
        for k in CATS + ["total"]:
            s = sum(pence(p[k]) for p in prac if p["ccg_code"] == c["ccg_code"])
            want = pence(c["planned_spend"] if k == "total" else c[k])
            if s != want:
                bad("%s %s: practices add up to %d, CCG says %d" % (c["ccg_code"], k, s, want))
    for r in byccg:
        planned = sum(pence(r[k]) for k in CATS)
        if planned != pence(r["planned_spend"]):
            bad("%s: planned_spend is not the sum of the categories" % r["ccg_code"])
        h = pence(r["allocation"]) - planned - pence(r["contingency"]) - pence(r["nonrecurrent_reserve"])
        if h != pence(r["headroom"]):
            bad("%s: headroom %s, want %d" % (r["ccg_code"], r["headroom"], h))
    for k in CATS + ["planned_spend", "allocation", "contingency", "nonrecurrent_reserve", "headroom"]:
        if sum(pence(c[k]) for c in ccgs) != pence(total[k]):
            bad("TOTAL %s is not the sum of the CCGs" % k)

    summary = {r["ccg_code"]: r for r in rows(os.path.join(out, "summary.csv"))}
    for r in byccg:
        s = summary.get(r["ccg_code"])
        if not s:
            bad("summary.csv has no row %s" % r["ccg_code"])
            continue
        for k in ["allocation", "planned_spend", "contingency", "nonrecurrent_reserve", "headroom"]:
            if pence(s[k]) != pence(r[k]):
                bad("summary.csv %s %s differs from allocations_by_ccg.csv" % (r["ccg_code"], k))
    cats = rows(os.path.join(out, "categories.csv"))
    for r in cats:
        c = [x for x in ccgs if x["ccg_code"] == r["ccg_code"]][0]
        want = c["planned_spend"] if r["category"] == "planned_spend" else c[r["category"]]
        if pence(r["budget"]) != pence(want):
            bad("categories.csv %s %s: budget differs" % (r["ccg_code"], r["category"]))
        if r["category"] == "planned_spend" and pence(r["last_year"]) != pence(c["last_year_total"]):
            bad("categories.csv %s: last year differs from last_year_total" % r["ccg_code"])

    # history: a second path from practice_history.csv
    ccg_of = {p["practice_code"]: p["ccg_code"] for p in rows(os.path.join(ds, "practices.csv"))}
    paid = {}
    for h in rows(os.path.join(ds, "practice_history.csv")):
        y = int(h["year"][:4])
        if y >= year or y < year - 3:
            continue
        for k in CATS:
            key = (ccg_of[h["practice_code"]], fy(y), k)
            paid[key] = paid.get(key, 0) + pence(h[HIST[k]])
    hist = rows(os.path.join(out, "history.csv"))
    seen = set()
    for r in hist:
        key = (r["ccg_code"], r["year"], r["category"])
        seen.add(key)
        if r["basis"] == "paid" and r["category"] != "total":
            if pence(r["amount"]) != paid.get(key):
                bad("history.csv %s: %s, practice_history.csv says %s" % (key, r["amount"], paid.get(key)))
        if r["basis"] == "budget" and r["category"] != "total" and r["ccg_code"] != "TOTAL":
            c = [x for x in ccgs if x["ccg_code"] == r["ccg_code"]][0]
            if pence(r["amount"]) != pence(c[r["category"]]):
                bad("history.csv %s: budget differs from allocations_by_ccg.csv" % (key,))
    for (ccg, y) in {(r["ccg_code"], r["year"]) for r in hist}:
        same = [x for x in hist if x["ccg_code"] == ccg and x["year"] == y]
        tot = [x for x in same if x["category"] == "total"][0]
        if sum(pence(x["amount"]) for x in same if x["category"] != "total") != pence(tot["amount"]):
            bad("history.csv %s %s: total is not the sum of the categories" % (ccg, y))
    for key in paid:
        if key not in seen:
            bad("history.csv has no row for %s" % (key,))

    # outliers: Tukey's fences of type 7 per CCG, last year's payments
    last = {}
    for h in rows(os.path.join(ds, "practice_history.csv")):
        if int(h["year"][:4]) == year - 1:
            last[h["practice_code"]] = h
    weighted_now = {p["practice_code"]: p["weighted_list"] for p in rows(os.path.join(ds, "practices.csv"))}
    per = {}
    for p in prac:
        h = last.get(p["practice_code"])
        if not h or p["days_open"] == "0":
            continue
        w = h.get("weighted_patients") or weighted_now[p["practice_code"]]
        total_paid = sum(pence(h[HIST[k]]) for k in CATS)
        # pence per weighted patient rounded half away, as pounds
        v = Fraction(total_paid) / Fraction(w)
        v = int(v + Fraction(1, 2)) if v >= 0 else -int(-v + Fraction(1, 2))
        per.setdefault(p["ccg_code"], []).append((p["practice_code"], v / 100.0))
    want_out = set()
    k = 1.5
    for line in params.splitlines():
        if line.strip().startswith("outlier_fence_k"):
            k = float(line.split("=")[1])
    for ccg, vals in per.items():
        if len(vals) < 4:
            continue
        q1, _, q3 = statistics.quantiles([v for _, v in vals], n=4, method="inclusive")
        lo, hi = q1 - k * (q3 - q1), q3 + k * (q3 - q1)
        want_out |= {code for code, v in vals if v < lo or v > hi}
    got_out = {r["practice_code"] for r in rows(os.path.join(out, "outliers.csv"))}
    if got_out != want_out:
        bad("outliers.csv has %s, Tukey's fences give %s" % (sorted(got_out), sorted(want_out)))

    # contracts ending within 24 months of 1 April of the budget year
    limit = datetime.date(year + 2, 4, 1)
    start = datetime.date(year, 4, 1)
    want_c = set()
    for c in rows(os.path.join(ds, "contracts.csv")):
        if c["end_date"] and start <= datetime.date.fromisoformat(c["end_date"]) < limit:
            p = [x for x in prac if x["practice_code"] == c["practice_code"]][0]
            if p["days_open"] != "0":
                want_c.add(c["contract_id"])
    got_c = {r["contract_id"] for r in rows(os.path.join(out, "contracts_ending.csv"))}
    if got_c != want_c:
        bad("contracts_ending.csv has %s, want %s" % (sorted(got_c), sorted(want_c)))

    # risk_by_ccg: the documented columns, ordered quantiles and probabilities
    with open(os.path.join(out, "risk_by_ccg.csv"), newline="", encoding="utf-8") as f:
        header = next(csv.reader(f))
    want_h = ["ccg_code", "allocation", "p5", "p50", "p80", "p95", "mean", "prob_over_allocation",
              "prob_over_contingency", "prob_over_contingency_and_reserve", "expected_shortfall"]
    if header != want_h:
        bad("risk_by_ccg.csv header is %s" % header)
    for r in rows(os.path.join(out, "risk_by_ccg.csv")):
        q = [pence(r[x]) for x in ["p5", "p50", "p80", "p95"]]
        pr = [float(r[x]) for x in want_h[7:10]]
        if q != sorted(q) or pr != sorted(pr) or not all(0 <= x <= 1 for x in pr):
            bad("risk_by_ccg.csv %s: quantiles or probabilities out of order" % r["ccg_code"])
        c = [x for x in byccg if x["ccg_code"] == r["ccg_code"]]
        if c and pence(c[0]["allocation"]) != pence(r["allocation"]):
            bad("risk_by_ccg.csv %s: allocation differs" % r["ccg_code"])

    # manifest: tables, outputs, inputs
    m = json.load(open(os.path.join(out, "manifest.json"), encoding="utf-8"))
    files = sorted(f for f in os.listdir(out) if not f.startswith(".") and f != "manifest.json")
    if sorted(o["path"] for o in m["outputs"]) != files:
        bad("manifest outputs %s, folder %s" % ([o["path"] for o in m["outputs"]], files))
    for t in m["tables"]:
        data = rows(os.path.join(out, t["csv"]))
        if t["rows"] != len(data):
            bad("manifest: %s has %d rows, the CSV %d" % (t["name"], t["rows"], len(data)))
        for col, v in t["money_totals_pence"].items():
            s = sum(pence(r[col]) for r in data if r[col] != "")
            if s != v:
                bad("manifest: %s.%s total %d, the CSV sums to %d" % (t["name"], col, v, s))
    csvs = sorted(f for f in files if f.endswith(".csv"))
    if sorted(t["csv"] for t in m["tables"]) != csvs:
        bad("manifest tables do not match the CSV files")
    for i in m["inputs"]:
        h = hashlib.sha256(open(i["path"], "rb").read()).hexdigest()
        if h != i["sha256"]:
            bad("manifest: input %s has another hash" % i["path"])
    if m["random"]["generator"] != "taus2" or not isinstance(m["random"]["seed"], int):
        bad("manifest: seed or generator missing")
    origins = {(p["section"], p["key"]): p for p in m["parameters"]}
    for key in [("risk", "seed"), ("report", "history_years"), ("run", "budget_year")]:
        if key not in origins:
            bad("manifest: parameter %s missing" % (key,))
    for p in m["parameters"]:
        if p["origin"] == "default" and "source" not in p:
            bad("manifest: default parameter %s/%s without a source" % (p["section"], p["key"]))

    if problems:
        print("\n".join(problems))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
