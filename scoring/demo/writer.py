"""Writing the demo feeds: one CSV per source in the formats of SCORING.md §1, streamed to disk.

Units are drawn in blocks, each block from its own random stream seeded by (seed, block), and each
unit's rows are written as soon as they are made: memory stays bounded whatever the population,
and the same (units, as_of, seed) always gives byte-identical files. Amounts are whole rupees.
"""

import csv
import multiprocessing
import os
import random
import shutil
import tempfile
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from datetime import date
from pathlib import Path

from ..feeds import SPECS
from . import identifiers as ids
from .population import MONTHS, Calendar, Unit, sample_unit

SOURCES = ("udyam", "gst", "epfo", "power", "credit", "financials")  # load order: profiles first
HEADERS = {source: spec.headers for source, spec in SPECS.items()}  # SCORING.md §1, in order
BLOCK = 1000  # units per random stream
PARALLEL_FROM = 50_000  # units from which the default is to write in several processes
ERROR_INDEX = 9_900_000  # indexes of the made-up units of deliberate errors: no population reaches them


def write_demo_feeds(
    *,
    units: int,
    directory: Path,
    as_of: date,
    seed: int = 1,
    with_errors: bool = False,
    workers: int | None = None,
) -> dict[str, Path]:
    """Write udyam.csv, gst.csv, epfo.csv, power.csv, credit.csv and financials.csv for `units`
    synthetic J&K MSMEs with the 30 months of feeds before `as_of`; returns each source's path.
    The files depend only on (units, as_of, seed, with_errors), never on `workers` (processes
    writing parts of the population; default: one per CPU, up to 4, from PARALLEL_FROM units).
    `with_errors` appends a few malformed rows and records of unknown keys (`deliberate_rows`)."""
    directory = Path(directory)
    directory.mkdir(parents=True, exist_ok=True)
    paths = {source: directory / f"{source}.csv" for source in SOURCES}
    if workers is None:
        workers = min(4, os.cpu_count() or 1) if units >= PARALLEL_FROM else 1
    blocks = range(0, units, BLOCK)
    with ExitStack() as stack:
        handles = {}
        for source, path in paths.items():
            handles[source] = stack.enter_context(path.open("w", newline="", encoding="utf-8", buffering=1 << 20))
            csv.writer(handles[source], lineterminator="\n").writerow(HEADERS[source])
        if workers <= 1:
            _write_blocks(handles, units=units, blocks=blocks, as_of=as_of, seed=seed)
        else:
            _write_parallel(handles, directory, units=units, blocks=blocks, as_of=as_of, seed=seed, workers=workers)
        if with_errors:
            for source, rows in deliberate_rows(as_of).items():
                csv.writer(handles[source], lineterminator="\n").writerows(row for row, _ in rows)
    return paths


def _write_blocks(handles: dict, *, units: int, blocks: range, as_of: date, seed: int):
    """The units of `blocks`, each block from its own random stream, appended to `handles`."""
    cal = Calendar(as_of)
    # Feed rows are formatted directly (no field of theirs ever needs CSV quoting), faster than csv.writer.
    udyam = csv.writer(handles["udyam"], lineterminator="\n").writerow
    gst, epfo, power, credit, financials = (handles[s].write for s in SOURCES[1:])
    for block in blocks:
        r = random.Random(f"jkmhc-demo:{seed}:{block}").random
        for index in range(block, min(units, block + BLOCK)):
            unit = sample_unit(r, index, cal)
            udyam(udyam_row(unit))
            if unit.gstin:
                gst("".join(gst_rows(unit, cal, r)))
            if unit.epfo:
                epfo("".join(epfo_rows(unit, cal, r)))
            if unit.power:
                power("".join(power_rows(unit, cal, r)))
            if unit.accounts:
                credit("".join(credit_rows(unit, cal, r)))
            if unit.has_financials:
                financials("".join(financial_rows(unit, cal, r)))


def _write_parallel(handles: dict, directory: Path, *, units, blocks, as_of, seed, workers):
    """Contiguous slices of the blocks written by worker processes to part files, which are then
    appended in order: the same bytes as one process writes."""
    per_part = -(-len(blocks) // (workers * 2))
    slices = [blocks[i : i + per_part] for i in range(0, len(blocks), per_part)]
    with tempfile.TemporaryDirectory(dir=directory, prefix=".parts-") as tmp:
        jobs = [(Path(tmp) / f"part{n:04d}", units, part, as_of, seed) for n, part in enumerate(slices)]
        # spawn, not fork: a clean interpreter, whatever threads or connections the caller holds
        with ProcessPoolExecutor(max_workers=workers, mp_context=multiprocessing.get_context("spawn")) as pool:
            for prefix in pool.map(_write_part, jobs):
                for source in SOURCES:
                    part = Path(f"{prefix}-{source}.csv")
                    handles[source].flush()
                    with part.open("rb") as src:
                        shutil.copyfileobj(src, handles[source].buffer, 1 << 22)
                    part.unlink()


def _write_part(job) -> Path:
    prefix, units, blocks, as_of, seed = job
    with ExitStack() as stack:
        handles = {
            source: stack.enter_context(
                Path(f"{prefix}-{source}.csv").open("w", newline="", encoding="utf-8", buffering=1 << 20)
            )
            for source in SOURCES
        }
        _write_blocks(handles, units=units, blocks=blocks, as_of=as_of, seed=seed)
    return prefix


def udyam_row(u: Unit) -> tuple:
    return (
        u.udyam,
        u.name,
        u.gstin,
        u.pan,
        u.epfo,
        ";".join(u.consumers),
        u.district,
        u.activity,
        u.nic,
        u.category,
        u.commencement.isoformat(),
        u.investment,
        u.turnover,
        u.employees,
    )


def gst_rows(u: Unit, cal: Calendar, r) -> list:
    """GSTR-3B returns, due on the 20th of the next month (SCORING.md §3). A missed return is a row
    with no filed_on or no row at all; a return filed after T is not known on T: no filed_on."""
    rows = []
    key, month, due, day, today = u.gstin, cal.month_str, cal.gst_due, cal.day_str, cal.today
    monthly, rate, late, level, stress = u.turnover / 12, u.tax_rate, u.gst_late, u.level, u.stress
    for k in range(u.start, MONTHS):
        s = stress[k]
        x = r()
        missed = 0.004 + 0.2 * s * s
        if x < missed:
            if r() < 0.5:
                rows.append(f"{key},{month[k]},0,0,\n")
            continue
        filed = due[k] + 1 + int(r() * (10 + 80 * s)) if x < missed + late + 0.5 * s else due[k] - int(r() * 12)
        if filed > today:
            rows.append(f"{key},{month[k]},0,0,\n")
            continue
        turnover = int(monthly * level[k] * (0.9 + 0.2 * r()))
        rows.append(f"{key},{month[k]},{turnover},{int(turnover * rate)},{day[filed]}\n")
    return rows


def epfo_rows(u: Unit, cal: Calendar, r) -> list:
    """Electronic challan-cum-returns, due on the 15th of the next month. Employment follows the
    unit's activity two months late and at a fraction of its swing."""
    rows = []
    key, month, due, day, today = u.epfo, cal.month_str, cal.epfo_due, cal.day_str, cal.today
    base, wage, late, growth, decline, stress = u.members, u.wage, u.epfo_late, u.growth, u.decline, u.stress
    jitter = 0.04 if base >= 5 else 0.0
    for k in range(u.start, MONTHS):
        s = stress[k]
        x = r()
        missed = 0.003 + 0.2 * s * s
        if x < missed:
            if r() < 0.5:
                continue
            remitted = ""
        elif x < missed + late + 0.45 * s:
            remitted = due[k] + 1 + int(r() * (10 + 60 * s))
            remitted = day[remitted] if remitted <= today else ""
        else:
            remitted = due[k] - int(r() * 10)
            remitted = day[remitted] if remitted <= today else ""
        members = round(base * growth ** ((k - MONTHS + 1) / 24) * (1 - 0.7 * decline[k - 2 if k > 1 else 0]))
        if jitter and r() < jitter:
            members += 1 if r() < 0.5 else -1
        if members < 1:
            members = 1
        rows.append(f"{key},{month[k]},{members},{int(members * wage * (0.97 + 0.06 * r()))},{remitted}\n")
    return rows


def power_rows(u: Unit, cal: Calendar, r) -> list:
    """Monthly bills; `arrears` is what earlier bills left unpaid, carried into this one."""
    rows = []
    month, level, stress, lapse = cal.month_str, u.level, u.stress, u.power_lapse
    for consumer, (load, hours, tariff, fixed) in zip(u.consumers, u.power, strict=True):
        arrears = 0
        load_kw = f"{load:.1f}"
        for k in range(u.start, MONTHS):
            kwh = int(load * hours * level[k] * (0.92 + 0.16 * r()))
            billed = int(kwh * tariff + load * fixed)
            due = billed + arrears
            paid = int(due * 0.8 * r()) if r() < lapse + 0.7 * stress[k] else due
            rows.append(f"{consumer},{month[k]},{kwh},{load_kw},{billed},{paid},{arrears}\n")
            arrears = due - paid
    return rows


def credit_rows(u: Unit, cal: Calendar, r) -> list:
    """Loan accounts at month end. A cash credit's balance follows its utilisation (stress draws it
    up to and past the limit); a term loan amortises while it is paid and capitalises interest
    while overdue. Credits are the unit's sales receipts banked through the account."""
    rows = []
    key, month, level, stress, monthly = u.udyam, cal.month_str, u.level, u.stress, u.turnover / 12
    for acc in u.accounts:
        limit, dpd, ref, ifsc = acc.limit, acc.dpd, acc.ref, acc.ifsc
        term = acc.product == "05"
        if term:
            emi = limit / acc.tenure
            balance = limit * (1 - acc.age / acc.tenure)
        for k in range(max(u.start, acc.opened), MONTHS):
            s = stress[k]
            if term:
                if dpd[k]:
                    balance *= 1.01
                    credits = int(emi * 0.6 * r())
                else:
                    balance = balance - emi if balance > emi else 0.0
                    credits = int(emi * (1.25 + 0.1 * r()))
                outstanding = int(balance)
            else:
                util = acc.util * (0.96 + 0.08 * r()) + 0.35 * s + (acc.drift * (k - 17) if k > 17 else 0.0)
                outstanding = int(limit * (util if util < 1.12 else 1.12))
                credits = int(monthly * acc.share * level[k] * (0.9 + 0.2 * r()))
            bounced = 0
            if r() < 0.004 + 0.25 * s:
                bounced = 2 if r() < 0.3 * s else 1
            rows.append(f"{key},{ifsc},{ref},{month[k]},{limit},{outstanding},{dpd[k]},{bounced},{credits}\n")
    return rows


def financial_rows(u: Unit, cal: Calendar, r) -> list:
    """The last three financial years that ended before T, from the one the unit began in (part of a
    year: part of the revenue). Stress over a year cuts its revenue and, harder, its margin."""
    rows = []
    for year_end, mid in zip(cal.year_ends, cal.fy_mid, strict=True):
        if u.commencement > date(year_end, 3, 1):
            continue
        started = date(year_end - 1, 4, 1)
        share = 1.0 if u.commencement <= started else (date(year_end, 3, 31) - u.commencement).days / 365
        months = [k for k in range(mid - 6, mid + 6) if 0 <= k < MONTHS]
        decline = sum(u.decline[k] for k in months) / 12
        trend = u.growth ** ((mid - MONTHS + 1) / 12) * (1 - decline)
        revenue = int(u.turnover * share * trend * (0.95 + 0.1 * r()))
        margin = u.margin + 0.02 * (r() - 0.5) - 0.4 * decline
        rows.append(f"{u.udyam},{year_end - 1}-{year_end % 100:02d},{revenue},{int(revenue * margin)}\n")
    return rows


# -- deliberate imperfections -----------------------------------------------------------------

REJECT, UNMATCHED = "rejected", "unmatched"


def deliberate_rows(as_of: date) -> dict[str, list[tuple[tuple, str]]]:
    """Rows the import must reject (malformed) or keep unmatched (a key no unit has), per source,
    each with what should become of it. Their units are made up (indexes from ERROR_INDEX)."""
    cal = Calendar(as_of)
    last, before = cal.month_str[-1], cal.month_str[-2]
    filed = cal.day_str[cal.gst_due[-2]]
    e = ERROR_INDEX

    def profile(i, **changes):
        pan = ids.pan(e + i, "P", "K", "Q")
        row = {
            "udyam_number": ids.udyam_number(e + i, "Srinagar"),
            "enterprise_name": "Sample Error Works",
            "gstin": ids.gstin(pan),
            "pan": pan,
            "epfo_code": "",
            "power_consumer_numbers": "",
            "district": "Srinagar",
            "major_activity": "services",
            "nic_code": "56101",
            "category": "micro",
            "date_of_commencement": "2019-04-01",
            "investment": "250000",
            "turnover": "1800000",
            "employees": "3",
        }
        row.update(changes)
        return tuple(row[h] for h in HEADERS["udyam"])

    ghost_gstin = ids.gstin(ids.pan(e + 10, "F", "G", "H"))
    bad_gstin = ghost_gstin[:-1] + ("A" if ghost_gstin[-1] != "A" else "B")
    ghost_udyam = ids.udyam_number(e + 11, "Jammu")
    ghost_branch = ids.demo_bank_branches()[0]["ifsc"]
    ghost_account = ids.account_ref(e + 11, "07", 0)
    ghost_epfo, other_epfo = ids.epfo_code(e + 12, "Srinagar"), ids.epfo_code(e + 13, "Srinagar")
    ghost_power, other_power = (ids.power_consumer_number(e + 14, "Srinagar", c) for c in (0, 1))
    return {
        "udyam": [
            (profile(0, district="Leh"), REJECT),  # not a district of J&K (Ladakh's now)
            (profile(1, gstin=bad_gstin), REJECT),  # GSTIN check character wrong
            (profile(2, date_of_commencement="2019-02-30"), REJECT),
            (profile(3, investment="-250000"), REJECT),
        ],
        "gst": [
            (
                (ghost_gstin, before, "410000", "20500", "2025-13-05"),
                REJECT,
            ),
            ((ghost_gstin, last, "-5000", "0", ""), REJECT),
            ((bad_gstin, last, "410000", "20500", filed), REJECT),
            ((ghost_gstin, cal.month_str[-3], "398000", "19900", cal.day_str[cal.gst_due[-3]]), UNMATCHED),
            ((ghost_gstin, before, "402000", "20100", filed), UNMATCHED),
        ],
        "epfo": [
            ((ghost_epfo, last, "-4", "36000", ""), REJECT),
            ((ghost_epfo, f"{last[:4]}-00", "4", "36000", ""), REJECT),
            ((other_epfo, before, "6", "61000", cal.day_str[cal.epfo_due[-2]]), UNMATCHED),
        ],
        "power": [
            ((ghost_power, last, "1200", "10.0", "9100", "-1200", "0"), REJECT),
            ((ghost_power, "Mar-2025", "1200", "10.0", "9100", "9100", "0"), REJECT),
            ((other_power, last, "800", "5.0", "5800", "5800", "0"), UNMATCHED),
        ],
        "credit": [
            ((ghost_udyam, "JAKA1SGR001", ghost_account, last, "500000", "320000", "0", "0", "90000"), REJECT),
            ((ghost_udyam, ghost_branch, ghost_account, last, "500000", "320000", "12.5", "0", "90000"), REJECT),
            ((ghost_udyam, ghost_branch, ghost_account, before, "500000", "310000", "0", "0", "95000"), UNMATCHED),
        ],
        "financials": [
            ((ghost_udyam, "2024-26", "1200000", "90000"), REJECT),
            ((ghost_udyam, "2023-24", "12,00,000", "90000"), REJECT),  # Indian digit grouping
            ((ghost_udyam, "2024-25", "1250000", "-40000"), UNMATCHED),
        ],
    }


def deliberate_counts(as_of: date) -> dict[str, dict[str, int]]:
    """How many deliberate rows of each source the import should reject or keep unmatched."""
    counts = {}
    for source, rows in deliberate_rows(as_of).items():
        outcomes = [outcome for _, outcome in rows]
        counts[source] = {REJECT: outcomes.count(REJECT), UNMATCHED: outcomes.count(UNMATCHED)}
    return counts
