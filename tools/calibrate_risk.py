#!/usr/bin/env python3
"""Calibrate the Monte Carlo risk drivers from NHS Payments to General Practice.

Usage: python3 tools/calibrate_risk.py [DATA_DIR]
       (DATA_DIR defaults to $PCBUDGET_DATA/nhs-payments or ../shared/data/nhs-payments)

Reads the nine annual practice files (2014/15 to 2022/23) and prints, for each
driver whose spread the data can show, the year-on-year distribution and the
parameter values docs/risk.md quotes as defaults.  Python standard library
only; the files are read as published (columns found through column_map.csv).

Method, for every consecutive pair of years (y-1, y) and every practice present
in both (practice codes persist; the practice is attributed to its CCG in y):
  ratio_p = amount_p(y) / amount_p(y-1), kept when both amounts clear a floor
  and the ratio is within a plausible band (mergers, splits and closures
  produce jumps that are events, not the driver's noise; they are counted).
  d_p     = log(ratio_p) - national log ratio of the year   (removes price and
            contract changes that hit every practice alike)
  CCG part:      sd over CCGs of the CCG mean of d_p  (minus the sampling noise
                 of that mean, var_within / n_practices, so it is the CCG-wide
                 sd a single shared draw must have)
  practice part: sd of d_p around its CCG mean.
Pooled over year pairs by averaging variances.  The statistics are doubles: they
are ratios, not money.
"""
import csv
import math
import os
import statistics
import sys
from collections import defaultdict

YEARS = ["14-15", "15-16", "16-17", "17-18", "18-19", "19-20", "20-21", "21-22", "22-23"]


def data_dir():
    if len(sys.argv) > 1:
        return sys.argv[1]
    env = os.environ.get("PCBUDGET_DATA")
    base = env if env else "../shared/data"
    return os.path.join(base, "nhs-payments")


def load_map(d):
    """year -> concept -> raw header; year -> category -> [raw headers]."""
    concept = defaultdict(dict)
    category = defaultdict(lambda: defaultdict(list))
    with open(os.path.join(d, "column_map.csv"), newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            concept[row["year"]][row["concept"].strip()] = row["raw_header"]
            category[row["year"]][row["category"]].append(row["raw_header"])
    return concept, category


def num(s):
    s = s.strip()
    if s in ("", "N/A"):
        return 0.0
    return float(s)


def load_year(d, year, concept, category):
    """practice -> dict(ccg, list, qof, es_act, disc, premises)."""
    cm, cat = concept[year], category[year]
    out = {}
    with open(os.path.join(d, year + ".csv"), newline="", encoding="utf-8-sig") as f:
        for row in csv.DictReader(f):
            out[row[cm["Practice Code"]]] = {
                "ccg": row[cm["CCG Code"]],
                "list": num(row[cm["Number of Registered Patients (Last Known Figure)"]]),
                "qof": num(row[cm["Total QOF Payments"]]),
                "es_act": num(row[cm["Learning Disabilities"]]) + num(row[cm["Minor Surgery"]]),
                "disc": sum(num(row[h]) for h in cat["discretionary"]),
                "premises": num(row[cm["Premises Payments"]]),
            }
    return out


def decompose(pairs):
    """pairs: list of (ccg, d).  Returns (sd_ccg, sd_practice, n_ccg)."""
    by = defaultdict(list)
    for c, v in pairs:
        by[c].append(v)
    within = [v - statistics.fmean(vs) for vs in by.values() for v in vs]
    var_w = sum(x * x for x in within) / max(1, len(within) - len(by))
    means = [statistics.fmean(vs) for vs in by.values()]
    noise = statistics.fmean([var_w / len(vs) for vs in by.values()])
    var_c = max(0.0, statistics.pvariance(means) - noise)
    return var_c, var_w, len(by)


def driver(years, key, floor, band, log_scale, label):
    """Year-pair ratios of years[i][p][key]; prints a table, returns pooled stats."""
    print(f"\n== {label} ({key}; floor {floor}, ratio band {band[0]}..{band[1]})")
    print("pair         kept  dropped  national  sd_ccg   sd_practice")
    vc, vw, nat = [], [], []
    for prev, cur, yname in years:
        pairs, dropped, sum_prev, sum_cur = [], 0, 0.0, 0.0
        rows = []
        for p, r in cur.items():
            q = prev.get(p)
            if q is None:
                continue
            a, b = q[key], r[key]
            if a < floor or b < floor:
                continue
            ratio = b / a
            if not (band[0] <= ratio <= band[1]):
                dropped += 1
                continue
            sum_prev += a
            sum_cur += b
            rows.append((r["ccg"], ratio))
        national = sum_cur / sum_prev
        for c, ratio in rows:
            x = math.log(ratio) - math.log(national) if log_scale else ratio - national
            pairs.append((c, x))
        var_c, var_w, _ = decompose(pairs)
        vc.append(var_c)
        vw.append(var_w)
        nat.append(national)
        print(f"{yname}  {len(rows):5d}  {dropped:7d}  {national:8.4f}  "
              f"{math.sqrt(var_c):.4f}   {math.sqrt(var_w):.4f}")
    sd_c = math.sqrt(statistics.fmean(vc))
    sd_w = math.sqrt(statistics.fmean(vw))
    print(f"pooled: sd_ccg {sd_c:.4f}, sd_practice {sd_w:.4f}; national ratio "
          f"mean {statistics.fmean(nat):.4f}, min {min(nat):.4f}, max {max(nat):.4f}")
    return sd_c, sd_w, nat


def ccg_driver(years, key, label):
    """Ratios of CCG totals (practices grouped by their CCG in the later year)."""
    print(f"\n== {label} (CCG totals of {key})")
    print("pair         CCGs  national  sd_log_ccg")
    sds, nats = [], []
    for prev, cur, yname in years:
        tot_prev, tot_cur = defaultdict(float), defaultdict(float)
        for p, r in cur.items():
            q = prev.get(p)
            if q is None:
                continue
            tot_prev[r["ccg"]] += q[key]
            tot_cur[r["ccg"]] += r[key]
        national = sum(tot_cur.values()) / sum(tot_prev.values())
        d = [math.log(tot_cur[c] / tot_prev[c]) - math.log(national)
             for c in tot_cur if tot_prev[c] > 0 and tot_cur[c] > 0]
        sd = statistics.pstdev(d)
        sds.append(sd)
        nats.append(national)
        print(f"{yname}  {len(d):5d}  {national:8.4f}  {sd:.4f}")
    sd = math.sqrt(statistics.fmean([s * s for s in sds]))
    print(f"pooled sd of log CCG ratio {sd:.4f}; national ratio min {min(nats):.4f}, "
          f"max {max(nats):.4f}")
    return sd


def rent_steps(years):
    """Share of practices whose premises payments step up, and the step size."""
    print("\n== premises steps (practices with premises >= 5,000 both years)")
    print("pair         n      share>+2%  median step  share<-2%")
    shares, steps = [], []
    for prev, cur, yname in years:
        up, down, n, ups = 0, 0, 0, []
        for p, r in cur.items():
            q = prev.get(p)
            if q is None or q["premises"] < 5000 or r["premises"] < 5000:
                continue
            ratio = r["premises"] / q["premises"]
            if not (0.5 <= ratio <= 2.0):
                continue
            n += 1
            if ratio > 1.02:
                up += 1
                ups.append(ratio - 1)
            elif ratio < 0.98:
                down += 1
        med = statistics.median(ups)
        shares.append(up / n)
        steps.extend(ups)
        print(f"{yname}  {n:5d}  {up / n:9.3f}  {med:11.4f}  {down / n:9.3f}")
    q = statistics.quantiles(steps, n=10)
    print(f"pooled share stepping up {statistics.fmean(shares):.3f}; step median "
          f"{statistics.median(steps):.4f}, P10 {q[0]:.4f}, P90 {q[-1]:.4f}")


def main():
    d = data_dir()
    if not os.path.isdir(d):
        print("skipped: real data not found")
        return 0
    concept, category = load_map(d)
    data = [load_year(d, y, concept, category) for y in YEARS]
    pairs = [(data[i - 1], data[i], f"{YEARS[i - 1]}>{YEARS[i]}") for i in range(1, len(YEARS))]

    driver(pairs, "list", 1000, (0.5, 1.5), False, "list growth (rate; registered list)")
    driver(pairs, "qof", 5000, (0.5, 2.0), True, "QOF achievement (log ratio of QOF £)")
    driver(pairs, "es_act", 1000, (0.2, 5.0), True,
           "activity ES volume (log ratio of learning disability + minor surgery £)")
    ccg_driver(pairs, "disc", "discretionary (seniority, retainer, locum, study leave, "
               "appraisal, PCO admin)")
    rent_steps(pairs)
    return 0


if __name__ == "__main__":
    sys.exit(main())
