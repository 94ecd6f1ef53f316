"""A realistic, seeded synthetic population of J&K MSMEs and 30 months of their five feeds.

Each unit gets a hidden health trajectory (healthy, strained, stressed, failing) from which every
feed is derived, so roughly four in five units score stable, as on the portal. Files are written
in the formats of SCORING.md §1, streamed unit by unit (memory stays flat at any size).
"""

import csv
import random
import string
from datetime import date, timedelta
from pathlib import Path

from stdnum import luhn

from partners.geography import JAMMU_DISTRICTS, KASHMIR_DISTRICTS

from .feeds import SPECS
from .rules.windows import add_months, month_start

MONTHS = 30
DISTRICTS = JAMMU_DISTRICTS + KASHMIR_DISTRICTS
# Rough weights: the two capital districts hold most units.
DISTRICT_WEIGHTS = [18, 3, 4, 3, 2, 3, 2, 2, 1, 1, 20, 5, 3, 6, 3, 4, 2, 7, 2, 3]
ACTIVITIES = (["manufacturing"] * 30) + (["services"] * 45) + (["trading"] * 25)
NIC = {
    "manufacturing": ["10712", "13921", "16101", "22201", "25999"],
    "services": ["45200", "56101", "62011", "96020"],
    "trading": ["46900", "47211", "47711"],
}
IFSCS = [
    "JAKA0SRINGR",
    "JAKA0JAMMU1",
    "JAKA0ANTNAG",
    "JAKA0BARAML",
    "SBIN0001234",
    "SBIN0004567",
    "PUNB0123400",
    "HDFC0001866",
    "UTIB0000123",
    "CNRB0004321",
    "BKID0007890",
    "JAKA0KATHUA",
]
# health: share, monthly trend in the last year, chance a filing is late / missed, worst dpd
PROFILES = [
    ("healthy", 0.80, (0.995, 1.01), 0.03, 0.005, 0),
    ("strained", 0.09, (0.97, 0.99), 0.15, 0.05, 45),
    ("stressed", 0.08, (0.93, 0.97), 0.35, 0.15, 75),
    ("failing", 0.03, (0.85, 0.92), 0.50, 0.35, 120),
]
LETTERS = string.ascii_uppercase


def _pan(serial: int, rng: random.Random) -> str:
    a, digits = divmod(serial, 10000)
    head = LETTERS[a // 676 % 26] + LETTERS[a // 26 % 26] + LETTERS[a % 26]
    return f"{head}{rng.choice('PFC')}{rng.choice(LETTERS)}{digits:04d}{rng.choice(LETTERS)}"


def _gstin(pan: str) -> str:
    body = f"01{pan}1Z"
    return body + luhn.calc_check_digit(body, string.digits + LETTERS)


def _due(month: date, day: int) -> date:
    return add_months(month, 1).replace(day=day)


def write_demo_feeds(*, units: int, directory: Path, as_of: date, seed: int = 1) -> dict[str, Path]:
    """Write udyam.csv, gst.csv, epfo.csv, power.csv, credit.csv and financials.csv for `units` units
    whose feeds end with the month before `as_of`; the same seed gives the same files."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {source: directory / f"{source}.csv" for source in SPECS}
    handles = {source: path.open("w", newline="", encoding="utf-8") for source, path in paths.items()}
    try:
        writers = {source: csv.writer(handle, lineterminator="\n") for source, handle in handles.items()}
        for source, writer in writers.items():
            writer.writerow(SPECS[source].headers)
        last = add_months(month_start(as_of), -1)
        months = [add_months(last, -k) for k in range(MONTHS - 1, -1, -1)]
        rng = random.Random(seed)
        for serial in range(1, units + 1):
            _write_unit(serial, rng, months, as_of, writers)
    finally:
        for handle in handles.values():
            handle.close()
    return paths


def _write_unit(serial, rng, months, as_of, writers):
    name, _, trend_range, late_p, miss_p, worst_dpd = _profile(rng)
    district_index = rng.choices(range(20), DISTRICT_WEIGHTS)[0]
    activity = rng.choice(ACTIVITIES)
    category = rng.choices(["micro", "small", "medium"], [93, 6, 1])[0]
    scale = {"micro": 1, "small": 12, "medium": 80}[category]
    udyam = f"UDYAM-JK-{district_index + 1:02d}-{serial:07d}"
    pan = _pan(serial, rng)
    gstin = _gstin(pan) if rng.random() < 0.88 else ""
    epfo = f"JK{'JMU' if district_index < 10 else 'SRG'}{serial:07d}000" if rng.random() < 0.35 else ""
    power_count = rng.choice([1, 1, 2]) if activity == "manufacturing" or rng.random() < 0.4 else 0
    consumers = [f"JKPDD{serial:07d}{k}" for k in range(power_count)]
    commenced = as_of - timedelta(days=rng.choice([rng.randint(400, 9000)] * 24 + [rng.randint(60, 400)]))
    turnover = rng.uniform(0.8, 6) * 1e6 * scale
    employees = max(1, int(rng.gauss(8, 4) * scale))
    writers["udyam"].writerow(
        [
            udyam,
            f"{rng.choice(['Kashmir', 'Jammu', 'Chinar', 'Tawi', 'Dal', 'Zabarwan'])} "
            f"{rng.choice(['Crafts', 'Foods', 'Textiles', 'Traders', 'Engineering', 'Services'])} {serial}",
            gstin,
            pan,
            epfo,
            ";".join(consumers),
            DISTRICTS[district_index],
            activity,
            rng.choice(NIC[activity]),
            category,
            commenced.isoformat(),
            f"{turnover * rng.uniform(0.2, 0.6):.0f}",
            f"{turnover:.0f}",
            employees,
        ]
    )
    # Flat in the first 18 months, then the profile's monthly trend over the last 12.
    trend = rng.uniform(*trend_range)
    level = [1.0 if k < MONTHS - 12 else trend ** (k - (MONTHS - 12) + 1) for k in range(MONTHS)]
    started = [month >= month_start(commenced) for month in months]
    monthly = turnover / 12
    if gstin:
        writers["gst"].writerows(
            [
                gstin,
                month.isoformat()[:7],
                f"{monthly * lv * rng.uniform(0.85, 1.15):.0f}",
                f"{monthly * lv * 0.12:.0f}",
                _filed(rng, month, 20, as_of, late_p if k >= MONTHS - 12 else 0.02, miss_p),
            ]
            for k, (month, lv, on) in enumerate(zip(months, level, started, strict=True))
            if on
        )
    if epfo:
        members = max(2, employees)
        writers["epfo"].writerows(
            [
                epfo,
                month.isoformat()[:7],
                max(0, round(members * min(1, lv * 1.02))),
                f"{members * lv * 15000:.0f}",
                _filed(rng, month, 15, as_of, late_p, miss_p / 2),
            ]
            for month, lv, on in zip(months, level, started, strict=True)
            if on
        )
    for number in consumers:
        load = rng.choice([10, 20, 35, 50]) * scale
        rows = []
        for k, (month, lv, on) in enumerate(zip(months, level, started, strict=True)):
            if not on:
                continue
            units_kwh = load * 120 * lv * rng.uniform(0.9, 1.1)
            billed = units_kwh * 7
            arrears = billed * rng.uniform(0.5, 2) if k >= MONTHS - 6 and rng.random() < late_p else 0
            rows.append(
                [
                    number,
                    month.isoformat()[:7],
                    f"{units_kwh:.0f}",
                    load,
                    f"{billed:.0f}",
                    f"{billed - arrears / 2 if arrears else billed:.0f}",
                    f"{arrears:.0f}",
                ]
            )
        writers["power"].writerows(rows)
    if rng.random() < 0.85:
        for account in range(rng.choice([1, 1, 2])):
            ifsc, limit = rng.choice(IFSCS), turnover * rng.uniform(0.1, 0.3)
            ref, outstanding = f"{serial:07d}{account}{rng.randint(100, 999)}", limit * rng.uniform(0.4, 0.8)
            rows = []
            for k, (month, lv, on) in enumerate(zip(months, level, started, strict=True)):
                if not on:
                    continue
                if k >= MONTHS - 7 and worst_dpd:
                    outstanding = min(limit * 1.1, outstanding * rng.uniform(1.0, 1.06))
                dpd = round(worst_dpd * rng.uniform(0.5, 1.0) * (k - (MONTHS - 4)) / 3) if k >= MONTHS - 3 else 0
                bounced = 1 if worst_dpd and k >= MONTHS - 3 and rng.random() < late_p / 2 else 0
                rows.append(
                    [
                        udyam,
                        ifsc,
                        ref,
                        month.isoformat()[:7],
                        f"{limit:.0f}",
                        f"{outstanding:.0f}",
                        max(0, dpd),
                        bounced,
                        f"{monthly * lv * rng.uniform(0.8, 1.2):.0f}",
                    ]
                )
            writers["credit"].writerows(rows)
    if rng.random() < 0.6:
        margin = rng.uniform(0.04, 0.14)
        latest_end = as_of.year if date(as_of.year, 3, 31) < as_of else as_of.year - 1
        for year_end in range(latest_end - 2, latest_end + 1):
            if name in ("stressed", "failing") and year_end == latest_end:
                margin -= rng.uniform(0.05, 0.2)
            revenue = turnover * rng.uniform(0.9, 1.1)
            writers["financials"].writerow(
                [udyam, f"{year_end - 1}-{year_end % 100:02d}", f"{revenue:.0f}", f"{revenue * margin:.0f}"]
            )


def _profile(rng):
    draw, total = rng.random(), 0.0
    for profile in PROFILES:
        total += profile[1]
        if draw < total:
            return profile
    return PROFILES[0]


def _filed(rng, month, due_day, as_of, late_p, miss_p):
    draw = rng.random()
    due = _due(month, due_day)
    if draw < miss_p:
        return ""
    filed = (
        due + timedelta(days=rng.randint(1, 40)) if draw < miss_p + late_p else due - timedelta(days=rng.randint(0, 8))
    )
    return filed.isoformat() if filed <= as_of else ""
