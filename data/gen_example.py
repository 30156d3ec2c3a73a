#!/usr/bin/env python3
"""Generate data/example: a fictional CCG (99X, "NHS Example CCG") of 45
practices for the budget year 2017/18, with every table of a pcbudget
dataset filled (see data/README.md).

Reproducible: Python standard library only, one fixed seed, no input.
Run from the repository root:

    python3 data/gen_example.py            # writes data/example/*.csv and params.ini
    python3 data/gen_example.py --check    # exits 1 if the files on disk differ

Magnitudes follow the national NHS Payments to General Practice data for
2016/17 (methodology.md §3): about 7,500 registered patients a practice,
a global sum near £76 per weighted patient after the out-of-hours
deduction, QOF near £90k, premises near £100k, local enhanced services
near £65k.  It includes PMS practices with premium release, APMS
contracts ending within 24 months of 1 April 2017, MPIG-dependent GMS
practices, pipeline premises schemes, a practice that opened in October
2015 and one that closes on 31 December 2017.
"""
import os
import random
import sys
from decimal import Decimal, ROUND_HALF_UP

SEED = 20170401
OUT = os.path.join(os.path.dirname(os.path.abspath(__file__)), "example")
CCG, CCG_NAME, REGION = "99X", "NHS Example CCG", "Y99"
N = 45
YEAR = "2017/18"
HISTORY = ["2014/15", "2015/16", "2016/17"]

rng = random.Random(SEED)


def money(x):
    """Pounds with two decimals, half up, as text."""
    return str(Decimal(x).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP))


def dec(x, places):
    q = Decimal(1).scaleb(-places)
    return str(Decimal(x).quantize(q, rounding=ROUND_HALF_UP))


def csv_line(fields):
    out = []
    for f in fields:
        f = "" if f is None else str(f)
        if any(c in f for c in ',"\n\r'):
            f = '"' + f.replace('"', '""') + '"'
        out.append(f)
    return ",".join(out) + "\n"


def write(name, header, rows):
    text = csv_line(header) + "".join(csv_line(r) for r in rows)
    FILES[name] = text


FILES = {}

# --------------------------------------------------------------------------
# Practices

STREETS = ["Abbey", "Bridge", "Castle", "Dale", "Elm", "Ford", "Green", "Hill",
           "Ivy", "Jubilee", "Kings", "Lark", "Mill", "North", "Oak", "Park",
           "Queens", "River", "Station", "Tower", "Union", "Vale", "West",
           "York", "Ash", "Beech", "Cedar", "Church", "Fern", "Grange",
           "Harbour", "Lime", "Manor", "Meadow", "Orchard", "Priory", "Rose",
           "School", "Spring", "Willow", "Wood", "Brook", "Heath", "Moor", "Well"]
KINDS = ["Surgery", "Medical Centre", "Health Centre", "Medical Practice", "Family Practice"]

types = ["GMS"] * 30 + ["PMS"] * 11 + ["APMS"] * 4
rng.shuffle(types)

practices = []
for i in range(N):
    code = "Z99%03d" % (i + 1)
    ctype = types[i]
    if ctype == "APMS":
        reg = int(min(9000, max(2500, rng.lognormvariate(8.35, 0.3))))
    else:
        reg = int(min(21000, max(2100, rng.lognormvariate(8.85, 0.42))))
    weighted = Decimal(reg) * Decimal(dec(rng.uniform(0.90, 1.14), 6))
    weighted = Decimal(dec(weighted, 3))
    practices.append({
        "code": code,
        "name": "%s %s" % (STREETS[i], rng.choice(KINDS)),
        "type": ctype,
        "reg": reg,
        "weighted": weighted,
        "ooh": "yes",
        "disp": "no",
        "open": "",
        "close": "",
    })

# A few facts placed by hand so the example shows every rule.
practices[4]["ooh"] = "no"            # kept out-of-hours responsibility
practices[27]["ooh"] = "no"
for k in (8, 21, 36, 40):
    practices[k]["disp"] = "yes"      # rural dispensing practices
for k, p in enumerate(practices):
    if rng.random() < 0.7:
        p["open"] = "%d-04-01" % rng.choice([1948, 1966, 1974, 1982, 1990, 1996, 2004])
apms = [p for p in practices if p["type"] == "APMS"]
apms[3]["open"] = "2015-10-01"        # new APMS practice: 18 months of history
gms = [p for p in practices if p["type"] == "GMS"]
gms[29]["close"] = "2017-12-31"       # retirement: closes in the budget year
gms[29]["open"] = "1974-04-01"

write("practices.csv",
      ["practice_code", "practice_name", "ccg_code", "contract_type", "registered_list",
       "weighted_list", "ooh_opt_out", "dispensing", "open_date", "close_date"],
      [[p["code"], p["name"], CCG, p["type"], p["reg"], p["weighted"], p["ooh"], p["disp"],
        p["open"], p["close"]] for p in practices])

# --------------------------------------------------------------------------
# Contracts

GMS_NET = Decimal("80.59") * (1 - Decimal("0.0515"))   # 2016/17 global sum after OOH

contracts = []
mpig_dependent = {gms[2]["code"], gms[11]["code"], gms[17]["code"]}
for p in practices:
    row = {"id": "%s-%s" % (p["type"], p["code"]), "practice": p["code"], "type": p["type"],
           "start": "2004-04-01", "end": "", "value": "", "mpig": "", "gmseq": "",
           "rstart": "", "ryears": ""}
    if p["type"] == "GMS":
        if p["code"] in mpig_dependent:
            row["mpig"] = money(Decimal(p["reg"]) * Decimal(dec(rng.uniform(9.0, 14.0), 2)))
        elif rng.random() < 0.4:
            row["mpig"] = money(Decimal(rng.randint(800, 16000)))
    elif p["type"] == "PMS":
        row["start"] = "1998-04-01"
        gmseq = p["weighted"] * GMS_NET * Decimal(dec(rng.uniform(0.97, 1.03), 4))
        row["gmseq"] = money(gmseq)
        if rng.random() < 0.8:
            row["value"] = money(gmseq * Decimal(dec(rng.uniform(1.10, 1.34), 4)))
            row["rstart"] = rng.choice(["2014/15", "2015/16", "2016/17"])
            row["ryears"] = str(rng.choice([4, 4, 5]))
        else:
            row["value"] = money(gmseq * Decimal(dec(rng.uniform(0.96, 1.0), 4)))
    contracts.append(row)

ends = ["2018-03-31", "2018-09-30", "2019-03-31", "2021-03-31"]
starts = ["2013-04-01", "2013-10-01", "2014-04-01", "2015-10-01"]
for p, end, start in zip(apms, ends, starts):
    row = next(c for c in contracts if c["practice"] == p["code"])
    row["start"], row["end"] = start, end
    row["value"] = money(Decimal(p["reg"]) * Decimal(dec(rng.uniform(104, 126), 2)))

write("contracts.csv",
      ["contract_id", "practice_code", "contract_type", "start_date", "end_date", "annual_value",
       "mpig_cf_2013_14", "gms_equivalent", "release_start", "release_years"],
      [[c["id"], c["practice"], c["type"], c["start"], c["end"], c["value"], c["mpig"],
        c["gmseq"], c["rstart"], c["ryears"]] for c in contracts])

# --------------------------------------------------------------------------
# Enhanced services

services = [
    ("EXTHRS", "Extended hours access", "DES", "per_head", "", "es_extended_hours"),
    ("UNPLAD", "Avoiding unplanned admissions (ended 31 March 2017)", "DES", "per_head", "",
     "es_unplanned_admissions"),
    ("LDHC", "Learning disability health checks", "DES", "activity", "", "es_learning_disability"),
    ("MSINJ", "Minor surgery: injections", "DES", "activity", "", "es_minor_surgery_injection"),
    ("MSINC", "Minor surgery: incisions and excisions", "DES", "activity", "",
     "es_minor_surgery_incision"),
    ("VIOLENT", "Services for violent patients", "DES", "activity", "", ""),
    ("ANTICOAG", "Anticoagulation monitoring", "LES", "activity", "", ""),
    ("CAREHOME", "Care home support", "LES", "per_head", "", ""),
    ("PHLEB", "Phlebotomy", "LES", "activity", "", ""),
]
write("es_catalogue.csv", ["service_code", "service_name", "type", "basis", "rate", "rate_param"],
      [list(s) for s in services])

participation = []
for p in practices:
    reg = p["reg"]
    ext = rng.random() < 0.78
    participation.append([p["code"], "EXTHRS", "yes" if ext else "no",
                          money(reg * Decimal("1.90")) if ext else "", ""])
    participation.append([p["code"], "UNPLAD", "no", money(reg * Decimal("2.87")), ""])
    if rng.random() < 0.85:
        units = max(2, int(reg * rng.uniform(0.0025, 0.0055)))
        participation.append([p["code"], "LDHC", "yes", money(units * 116), units])
    if rng.random() < 0.8:
        inj = rng.randint(20, 160)
        inc = rng.randint(10, 90)
        participation.append([p["code"], "MSINJ", "yes", money(inj * Decimal("43.54")), inj])
        participation.append([p["code"], "MSINC", "yes", money(inc * Decimal("87.08")), inc])
    les_scale = Decimal(reg) / 7500
    for code, lo, hi in (("ANTICOAG", 8000, 30000), ("CAREHOME", 5000, 25000),
                         ("PHLEB", 6000, 18000)):
        if rng.random() < 0.8:
            pay = Decimal(rng.randint(lo, hi)) * les_scale + Decimal(rng.randint(0, 99)) / 100
            participation.append([p["code"], code, "yes", money(pay), ""])
violent_host = practices[12]["code"]
participation.append([violent_host, "VIOLENT", "yes", "9184.00", ""])
write("es_participation.csv",
      ["practice_code", "service_code", "signed_up", "last_year_payment", "activity_units"],
      participation)

# --------------------------------------------------------------------------
# QOF

qof = []
for p in practices:
    pts = min(559.0, max(420.0, rng.gauss(534, 18)))
    prev = dec(rng.uniform(0.96, 1.04), 3) if rng.random() < 0.25 else ""
    qof.append([p["code"], dec(pts, 2), prev])
write("qof.csv", ["practice_code", "points_achieved", "prevalence_factor"], qof)

# --------------------------------------------------------------------------
# Premises and pipeline

premises = []
for p in practices:
    reg = Decimal(p["reg"])
    kind = rng.choices(["notional_rent", "lease_rent", "borrowing_costs"], [6, 3, 1])[0]
    rent = reg * Decimal(dec(rng.uniform(7.5, 14.5), 2))
    review = ""
    if kind != "borrowing_costs":
        d = rng.randint(0, 3 * 365 - 1)
        y, m = 2017 + (3 + d // 30) // 12, (3 + d // 30) % 12 + 1
        review = "%04d-%02d-%02d" % (y, m, rng.choice([1, 1, 1, 15]))
    premises.append([p["code"], kind, money(rent), review])
    premises.append([p["code"], "rates", money(reg * Decimal(dec(rng.uniform(1.4, 3.1), 2))), ""])
    premises.append([p["code"], "water", money(rng.randint(700, 2600)), ""])
    premises.append([p["code"], "clinical_waste", money(rng.randint(1400, 5200)), ""])
write("premises.csv", ["practice_code", "reimbursement_type", "annual_amount", "next_review_date"],
      premises)

pipeline = [
    ["PL01", practices[6]["code"], "Extension: two consulting rooms", "2017-10-01", "85000.00", "0.9"],
    ["PL02", practices[18]["code"], "New health centre (relocation)", "2018-01-15", "240000.00", "0.6"],
    ["PL03", practices[32]["code"], "Refurbishment, phase 2", "2018-07-01", "40000.00", "0.5"],
    ["PL04", practices[1]["code"], "Leased annexe, opened November 2016", "2016-11-01", "30000.00", "1"],
]
write("premises_pipeline.csv",
      ["scheme_id", "practice_code", "description", "start_date", "annual_cost", "probability"],
      pipeline)

# --------------------------------------------------------------------------
# History 2014/15 - 2016/17 (the practice_history.csv format of import-payments)

GSP = {"2014/15": Decimal("73.56") * (1 - Decimal("0.0546")),
       "2015/16": Decimal("76.14") * (1 - Decimal("0.0539")),
       "2016/17": GMS_NET}
PV = {"2014/15": (Decimal("156.92"), 7087), "2015/16": (Decimal("160.15"), 7223),
      "2016/17": (Decimal("165.18"), 7460)}
SEVENTHS = {"2014/15": 6, "2015/16": 5, "2016/17": 4}

contract_of = {c["practice"]: c for c in contracts}
qof_of = {q[0]: Decimal(q[1]) for q in qof}
prem_of = {}
for r in premises:
    prem_of[r[0]] = prem_of.get(r[0], Decimal(0)) + Decimal(r[2])
es_of = {}
les_of = {}
for r in participation:
    if r[2] == "yes" or r[1] == "UNPLAD":
        amt = Decimal(r[3] or 0)
        es_of[r[0]] = es_of.get(r[0], Decimal(0)) + amt
        if r[1] in ("ANTICOAG", "CAREHOME", "PHLEB"):
            les_of[r[0]] = les_of.get(r[0], Decimal(0)) + amt

history = []
disc_2016 = {}
for p in practices:
    c = contract_of[p["code"]]
    base_disc = Decimal(rng.randint(6000, 30000))
    for back, year in enumerate(reversed(HISTORY)):
        if p["open"] == "2015-10-01" and year == "2014/15":
            continue
        part = Decimal("0.5") if (p["open"] == "2015-10-01" and year == "2015/16") else Decimal(1)
        shrink = Decimal(1) - Decimal("0.011") * back
        reg = int(p["reg"] * shrink)
        wl = Decimal(dec(p["weighted"] * shrink, 3))
        if c["type"] == "GMS":
            core = wl * GSP[year]
            if c["mpig"]:
                core += Decimal(c["mpig"]) * SEVENTHS[year] / 7
        elif c["type"] == "PMS":
            core = Decimal(c["value"])
            if c["rstart"]:
                k = max(0, min(int(c["ryears"]), int(year[:4]) - int(c["rstart"][:4]) + 1))
                prem = max(Decimal(0), Decimal(c["value"]) - Decimal(c["gmseq"]))
                core -= prem * k / int(c["ryears"])
            core *= Decimal(1) - Decimal("0.01") * back
        else:
            core = Decimal(c["value"]) * (Decimal(1) - Decimal("0.005") * back)
        pv, nal = PV[year]
        qofv = qof_of[p["code"]] * Decimal(dec(rng.uniform(0.97, 1.02), 3)) * pv * reg / nal
        es = es_of.get(p["code"], Decimal(0)) * Decimal(dec(rng.uniform(0.85, 1.0), 3))
        les = les_of.get(p["code"], Decimal(0)) * Decimal(dec(rng.uniform(0.75, 1.0), 3))
        prem = prem_of[p["code"]] * Decimal(dec(0.98 - 0.02 * back, 3))
        disc = base_disc * Decimal(dec(rng.uniform(0.8, 1.2), 3))
        oos = Decimal(reg) * Decimal(dec(rng.uniform(9, 16), 2))
        vi = oos * Decimal("0.35")
        vals = [core * part, es * part, qofv * part, prem * part, disc * part, oos * part]
        vals = [Decimal(money(v)) for v in vals]
        total = sum(vals)
        if year == "2016/17":
            disc_2016[p["code"]] = vals[4]
        history.append([year, REGION, CCG, CCG_NAME, "", "", p["code"], p["name"], c["type"],
                        "Yes" if p["disp"] == "yes" else "No", reg, wl,
                        *[money(v) for v in vals], money(vi * part), money(les * part),
                        money(total), money(-total * Decimal("0.052"))])
history.sort(key=lambda r: (r[0], r[6]))
write("practice_history.csv",
      ["year", "region_code", "ccg_code", "ccg_name", "pcn_code", "pcn_name", "practice_code",
       "practice_name", "contract_type", "dispensing", "registered_patients", "weighted_patients",
       "core_contract", "enhanced_services", "qof", "premises", "discretionary", "out_of_scope",
       "memo_vi", "memo_local_es", "total_published", "deductions"],
      history)

# --------------------------------------------------------------------------
# Area budgets and allocations

AREA_WEIGHTED = "2105431.75"
AREA_REGISTERED = "2081950"
AREA_DISC_2016 = money(sum(disc_2016.values()) * Decimal("6.1"))
area = [
    ["2016/17", "PREMPOT", "Central premises pot", "premises", "2380000.00", "weighted_list", AREA_WEIGHTED],
    ["2017/18", "PREMPOT", "Central premises pot", "premises", "2450000.00", "weighted_list", AREA_WEIGHTED],
    ["2017/18", "SENIORITY", "Seniority (closing by March 2020)", "other", "2900000.00", "weighted_list", AREA_WEIGHTED],
    ["2017/18", "LOCUM", "Locum allowances (parental, sickness)", "other", "780000.00", "historic", AREA_DISC_2016],
    ["2017/18", "RETAINER", "Doctors retainer scheme", "other", "210000.00", "historic", AREA_DISC_2016],
    ["2017/18", "APPRAISAL", "Appraisal costs", "other", "140000.00", "registered_list", AREA_REGISTERED],
    ["2017/18", "PCOADMIN", "PCO administration, other", "other", "95000.00", "registered_list", AREA_REGISTERED],
]
write("area_budgets.csv",
      ["year", "line_code", "line_name", "category", "amount", "basis", "area_basis_total"], area)

# The allocation is set by hand so that the budget leaves a thin headroom,
# as delegated CCGs found in 2017/18; the target puts the CCG about 2%
# under its fair share.
allocations = [
    ["2016/17", CCG, CCG_NAME, "42100000.00", "43000000.00", "352410.5"],
    ["2017/18", CCG, CCG_NAME, "44000000.00", "44950000.00", "355102.25"],
]
write("allocations.csv",
      ["year", "ccg_code", "ccg_name", "allocation", "target", "weighted_population"], allocations)

FILES["params.ini"] = """\
; Parameters of the example dataset (see data/README.md for every key).
; Values not given here take the built-in defaults of methodology §3.

[run]
budget_year = 2017/18

[2017/18]
; the defaults, written out for the reader
global_sum_price = 85.35
ooh_deduction = 4.9%
qof_point_value = 171.20
national_average_list = 7732
; local assumptions
pms_uplift = 1%
rent_review_uplift = 2.5%
les_growth = 2%
es_activity_growth = 0%
"""

# --------------------------------------------------------------------------

def main():
    check = "--check" in sys.argv[1:]
    os.makedirs(OUT, exist_ok=True)
    differ = []
    for name in sorted(FILES):
        path = os.path.join(OUT, name)
        if check:
            try:
                with open(path, encoding="utf-8") as f:
                    if f.read() != FILES[name]:
                        differ.append(name)
            except FileNotFoundError:
                differ.append(name)
        else:
            with open(path, "w", encoding="utf-8", newline="") as f:
                f.write(FILES[name])
    if check and differ:
        print("differ from the generator: " + ", ".join(differ), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
