#!/usr/bin/env python3
"""An independent second path through data/example for 2017/18.

Reads the input CSVs with the standard csv module and applies
methodology.md §2 with exact rational arithmetic (fractions.Fraction),
rounding each rule once, half away from zero, as data/README.md states.
It shares no code with pcbudget.  The parameters are written out below
from data/example/params.ini and the defaults of methodology §3.

Usage: example_check.py DATASET OUTDIR
Prints the CCG's categories, planned spend and headroom; compares every
practice and the CCG with OUTDIR's allocations_by_*.csv to the penny and
checks that practices add up to the CCG; exits 1 on any difference.
"""
import csv
import sys
from datetime import date
from fractions import Fraction as F

# 2017/18 parameters: params.ini of the example, else methodology §3 defaults
GSP = F(8535)                 # global_sum_price £85.35, pence
OOH = F(49, 1000)             # ooh_deduction 4.9%
PV = F(17120)                 # qof_point_value £171.20, pence
NAL = F(7732)                 # national_average_list
PMS_UPLIFT = F(1, 100)        # pms_uplift 1%
APMS_UPLIFT = F(0)            # apms_uplift default 0%
LES_GROWTH = F(2, 100)        # les_growth 2%
ES_GROWTH = F(0)              # es_activity_growth 0%
RENT_UPLIFT = F(25, 1000)     # rent_review_uplift 2.5%
CONTINGENCY = F(5, 1000)      # 0.5%
RESERVE = F(1, 100)           # 1%
RATES = {"es_extended_hours": 190, "es_learning_disability": 14000,
         "es_minor_surgery_injection": 4354, "es_minor_surgery_incision": 8708}
FY_START, FY_END, DAYS = date(2017, 4, 1), date(2018, 3, 31), 365
YEAR = 2017
CATS = ["core_contract", "enhanced_services", "qof", "premises", "other"]


def rnd(x):
    """Half away from zero to an integer (pence)."""
    x = F(x)
    n = (abs(x) + F(1, 2)).__floor__()
    return n if x >= 0 else -n


def pence(s):
    return rnd(F(s) * 100) if s else 0


def rows(ds, name):
    with open("%s/%s" % (ds, name), newline="", encoding="utf-8") as f:
        return list(csv.DictReader(f))


def d(s):
    return date.fromisoformat(s)


def hamilton(total, weights):
    """Largest remainder, ties to the lower index."""
    w = sum(weights)
    parts = [total * x // w for x in weights]
    rem = sorted(range(len(weights)), key=lambda i: (-(total * weights[i] % w), i))
    for i in rem[:total - sum(parts)]:
        parts[i] += 1
    return parts


def main(ds, out):
    practices = rows(ds, "practices.csv")
    cat = {p["practice_code"]: [0] * 5 for p in practices}
    days = {}
    for p in practices:
        start = max(FY_START, d(p["open_date"])) if p["open_date"] else FY_START
        end = min(FY_END, d(p["close_date"])) if p["close_date"] else FY_END
        days[p["practice_code"]] = max(0, (end - start).days + 1)
    pr = {p["practice_code"]: p for p in practices}

    # core contract
    for c in rows(ds, "contracts.csv"):
        code, p = c["practice_code"], pr[c["practice_code"]]
        if c["contract_type"] == "GMS":
            w = F(p["weighted_list"])
            ooh = OOH if p["ooh_opt_out"] == "yes" else 0
            cat[code][0] += rnd(w * GSP * (1 - ooh))
            if c["mpig_cf_2013_14"]:
                cat[code][0] += rnd(F(pence(c["mpig_cf_2013_14"])) * 3 / 7)   # k = 4
        elif c["contract_type"] == "PMS":
            b, g = pence(c["annual_value"]), pence(c["gms_equivalent"])
            cat[code][0] += rnd(b * (1 + PMS_UPLIFT))
            if c["release_start"]:
                n = int(c["release_years"])
                k = max(0, min(n, YEAR - int(c["release_start"][:4]) + 1))
                cat[code][0] -= rnd(F(max(0, b - g)) * k / n * (1 + PMS_UPLIFT))
        else:
            cat[code][0] += rnd(pence(c["annual_value"]) * (1 + APMS_UPLIFT))

    # enhanced services
    svc = {s["service_code"]: s for s in rows(ds, "es_catalogue.csv")}
    for a in rows(ds, "es_participation.csv"):
        if a["signed_up"] != "yes":
            continue
        s, code = svc[a["service_code"]], a["practice_code"]
        if s["type"] == "LES":
            amt = rnd(pence(a["last_year_payment"]) * (1 + LES_GROWTH))
        elif s["basis"] == "per_head":
            amt = RATES[s["rate_param"]] * int(pr[code]["registered_list"])
        elif a["activity_units"]:
            amt = rnd(F(a["activity_units"]) * RATES[s["rate_param"]] * (1 + ES_GROWTH))
        else:
            amt = rnd(pence(a["last_year_payment"]) * (1 + ES_GROWTH))
        cat[code][1] += amt

    # QOF
    for q in rows(ds, "qof.csv"):
        code = q["practice_code"]
        prev = F(q["prevalence_factor"]) if q["prevalence_factor"] else 1
        cat[code][2] += rnd(F(q["points_achieved"]) * PV * int(pr[code]["registered_list"]) / NAL * prev)

    # premises: current costs (with reviews) and pipeline
    for m in rows(ds, "premises.csv"):
        a = pence(m["annual_amount"])
        r = m["next_review_date"]
        if r and FY_START <= d(r) <= FY_END:
            a += rnd(a * RENT_UPLIFT * ((FY_END - d(r)).days + 1) / DAYS)
        cat[m["practice_code"]][3] += a
    for s in rows(ds, "premises_pipeline.csv"):
        st = d(s["start_date"])
        if st <= FY_START:
            months = 12
        elif st > FY_END:
            months = 0
        else:
            months = 12 - ((st.month + 8) % 12 + (st.day != 1))
        cat[s["practice_code"]][3] += rnd(pence(s["annual_cost"]) * months / 12)

    # part-year practices
    for code, n in days.items():
        if 0 < n < DAYS:
            for k in range(4):
                cat[code][k] -= rnd(F(cat[code][k]) * (DAYS - n) / DAYS)

    # area lines: area -> (CCG, rest of area) -> practices
    last = {h["practice_code"]: h for h in rows(ds, "practice_history.csv") if h["year"] == "2016/17"}
    codes = [p["practice_code"] for p in practices if days[p["practice_code"]] > 0]
    for line in rows(ds, "area_budgets.csv"):
        if line["year"] != "2017/18":
            continue
        k = 3 if line["category"] == "premises" else 4
        if line["basis"] == "weighted_list":
            w = [int(F(pr[c]["weighted_list"]) * 10**9) for c in codes]
            total = int(F(line["area_basis_total"]) * 10**9)
        elif line["basis"] == "registered_list":
            w = [int(pr[c]["registered_list"]) for c in codes]
            total = int(line["area_basis_total"])
        else:
            col = "premises" if k == 3 else "discretionary"
            w = [max(0, pence(last[c][col])) for c in codes]
            total = pence(line["area_basis_total"])
        ccg_part = hamilton(pence(line["amount"]), [sum(w), total - sum(w)])[0]
        for c, part in zip(codes, hamilton(ccg_part, w)):
            cat[c][k] += part

    ccg = [sum(cat[c][k] for c in cat) for k in range(5)]
    planned = sum(ccg)
    alloc = next(pence(a["allocation"]) for a in rows(ds, "allocations.csv") if a["year"] == "2017/18")
    cont, res = rnd(alloc * CONTINGENCY), rnd(alloc * RESERVE)
    headroom = alloc - planned - cont - res

    def pounds(p):
        return "%s%d.%02d" % ("-" if p < 0 else "", abs(p) // 100, abs(p) % 100)

    for k in range(5):
        print("%-18s %s" % (CATS[k], pounds(ccg[k])))
    print("planned_spend      %s" % pounds(planned))
    print("headroom           %s" % pounds(headroom))

    bad = 0
    got = {r["practice_code"]: r for r in rows(out, "allocations_by_practice.csv")}
    sums = [0] * 6
    for c in cat:
        g = got[c]
        for k in range(5):
            sums[k] += pence(g[CATS[k]])
            if pence(g[CATS[k]]) != cat[c][k]:
                print("practice %s %s: pcbudget %s, independent %s" % (c, CATS[k], g[CATS[k]], pounds(cat[c][k])))
                bad = 1
        sums[5] += pence(g["total"])
        if pence(g["total"]) != sum(cat[c]):
            print("practice %s total differs" % c)
            bad = 1
    by_ccg = {r["ccg_code"]: r for r in rows(out, "allocations_by_ccg.csv")}
    for row in (by_ccg["99X"], by_ccg["TOTAL"]):
        for k in range(5):
            if pence(row[CATS[k]]) != ccg[k] or sums[k] != ccg[k]:
                print("%s %s: pcbudget %s, practices sum %s, independent %s"
                      % (row["ccg_code"], CATS[k], row[CATS[k]], pounds(sums[k]), pounds(ccg[k])))
                bad = 1
        for col, want in (("planned_spend", planned), ("contingency", cont),
                          ("nonrecurrent_reserve", res), ("headroom", headroom)):
            if pence(row[col]) != want:
                print("%s %s: pcbudget %s, independent %s" % (row["ccg_code"], col, row[col], pounds(want)))
                bad = 1
        if sums[5] != pence(row["planned_spend"]):
            print("practice totals %s do not add up to %s" % (pounds(sums[5]), row["planned_spend"]))
            bad = 1
    return bad


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2]))
