"""The demo population (scoring/demo/) and `seed_demo`: files in the formats of SCORING.md §1, valid
and unique identifiers, determinism, 30 months of feeds, and a band mix that is mostly stable."""

import csv
import re
from collections import Counter, defaultdict
from datetime import date, datetime
from io import StringIO
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from scoring.choices import Band, Source
from scoring.demo import DISTRICT_CODES, SOURCES, deliberate_counts, demo_bank_branches, write_demo_feeds
from scoring.feeds import SPECS, RowError, parse_row
from scoring.models import Assessment, ImportBatch
from scoring.rules.windows import add_months
from scoring.services.feeds import feed_import

AS_OF = date(2026, 11, 22)
MONTHS = [f"{add_months(date(2026, 11, 1), -k):%Y-%m}" for k in range(30, 0, -1)]  # 2024-05 ... 2026-10
# SCORING.md §1, the "fields" column, in order.
HEADERS = {
    "udyam": "udyam_number, enterprise_name, gstin, pan, epfo_code, power_consumer_numbers, district, "
    "major_activity, nic_code, category, date_of_commencement, investment, turnover, employees",
    "gst": "gstin, period, taxable_turnover, tax_paid, filed_on",
    "epfo": "epfo_code, wage_month, members, wages, remitted_on",
    "power": "consumer_number, bill_month, units_kwh, sanctioned_load_kw, billed, paid, arrears",
    "credit": "udyam_number, ifsc, account_ref, month, sanctioned_limit, outstanding, dpd, "
    "bounced_instruments, credits",
    "financials": "udyam_number, fy, revenue, net_profit",
}
UDYAM_RE = re.compile(r"^UDYAM-JK-(\d{2})-\d{7}$")
IFSC_RE = re.compile(r"^[A-Z]{4}0[A-Z0-9]{6}$")
EPFO_RE = re.compile(r"^JK(SRG|JMU)\d{10}$")
CONSUMER_RE = re.compile(r"^(KPDCL|JPDCL)\d{10}$")


def read(path: Path) -> list[dict]:
    with path.open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def population(tmp_path_factory):
    """3,000 units as of AS_OF, seed 1: the files and their rows by source."""
    directory = tmp_path_factory.mktemp("demo")
    paths = write_demo_feeds(units=3000, directory=directory, as_of=AS_OF, seed=1)
    return paths, {source: read(path) for source, path in paths.items()}


def test_files_have_exactly_the_scoring_md_headers(population):
    paths, _ = population
    assert list(paths) == ["udyam", "gst", "epfo", "power", "credit", "financials"]
    for source, path in paths.items():
        with path.open(newline="", encoding="utf-8") as handle:
            header = next(csv.reader(handle))
        assert header == HEADERS[source].split(", ")
        assert header == SPECS[source].headers


def test_rows_pass_the_import_row_checks(population):
    _, rows = population
    for source in SOURCES:
        spec = SPECS[source]
        for row in rows[source][:: 1 if source == "udyam" else 4]:  # a quarter of the feed rows: enough, and quick
            try:
                parse_row(spec, row)
            except RowError as exc:  # pragma: no cover - the message is the point
                pytest.fail(f"{source} row {row}: {exc}")
    assert {row["district"] for row in rows["udyam"]} == set(DISTRICT_CODES)


def test_identifiers_are_valid_and_unique(population):
    _, rows = population
    units = rows["udyam"]
    udyams = [u["udyam_number"] for u in units]
    assert len(set(udyams)) == len(udyams) == 3000
    for unit in units:
        match = UDYAM_RE.match(unit["udyam_number"])
        assert match and match[1] == DISTRICT_CODES[unit["district"]]
        assert stdnum_pan.is_valid(unit["pan"]) and unit["pan"][3] in "PFCH"
        if unit["gstin"]:
            assert stdnum_gstin.is_valid(unit["gstin"])
            assert unit["gstin"][:2] == "01" and unit["gstin"][2:12] == unit["pan"]
        if unit["epfo_code"]:
            assert EPFO_RE.match(unit["epfo_code"])
    for column in ("pan", "gstin", "epfo_code"):
        values = [u[column] for u in units if u[column]]
        assert len(set(values)) == len(values), column
    consumers = [c for u in units for c in u["power_consumer_numbers"].split(";") if c]
    assert len(set(consumers)) == len(consumers)
    assert all(CONSUMER_RE.match(c) for c in consumers)

    branches = {b["ifsc"] for b in demo_bank_branches()}
    assert all(IFSC_RE.match(ifsc) for ifsc in branches)
    owners = defaultdict(set)
    for record in rows["credit"]:
        assert record["ifsc"] in branches
        owners[(record["ifsc"], record["account_ref"])].add(record["udyam_number"])
    assert all(len(units) == 1 for units in owners.values())  # an account belongs to one unit


def test_same_seed_gives_identical_files_and_another_seed_does_not(tmp_path):
    first = write_demo_feeds(units=400, directory=tmp_path / "a", as_of=AS_OF, seed=5)
    second = write_demo_feeds(units=400, directory=tmp_path / "b", as_of=AS_OF, seed=5)
    other = write_demo_feeds(units=400, directory=tmp_path / "c", as_of=AS_OF, seed=6)
    for source in SOURCES:
        assert first[source].read_bytes() == second[source].read_bytes(), source
        assert first[source].read_bytes() != other[source].read_bytes(), source


def test_worker_processes_write_the_same_bytes_as_one(tmp_path):
    one = write_demo_feeds(units=2500, directory=tmp_path / "one", as_of=AS_OF, workers=1, with_errors=True)
    two = write_demo_feeds(units=2500, directory=tmp_path / "two", as_of=AS_OF, workers=2, with_errors=True)
    for source in SOURCES:
        assert one[source].read_bytes() == two[source].read_bytes(), source
    assert sorted(p.name for p in (tmp_path / "two").iterdir()) == sorted(f"{s}.csv" for s in SOURCES)


def test_thirty_months_of_each_feed_ending_the_month_before_as_of(population):
    _, rows = population
    commenced = {u["udyam_number"]: u["date_of_commencement"][:7] for u in rows["udyam"]}
    owner = {}
    for unit in rows["udyam"]:
        owner[unit["gstin"]] = owner[unit["epfo_code"]] = unit["udyam_number"]
        for number in unit["power_consumer_numbers"].split(";"):
            owner[number] = unit["udyam_number"]
    for source, key, month in (
        ("gst", "gstin", "period"),
        ("epfo", "epfo_code", "wage_month"),
        ("power", "consumer_number", "bill_month"),
        ("credit", "account_ref", "month"),
    ):
        assert sorted({r[month] for r in rows[source]}) == MONTHS, source
        seen = Counter((r[key], r[month]) for r in rows[source])
        assert max(seen.values()) == 1, f"{source}: a key with two records for one month"
        per_key = Counter(r[key] for r in rows[source])
        assert max(per_key.values()) == 30 and min(per_key.values()) >= 1
        for record in rows[source]:
            unit = record["udyam_number"] if source == "credit" else owner[record[key]]
            assert record[month] >= commenced[unit], "a record before the unit began"
    for record in rows["gst"]:
        assert record["filed_on"] == "" or record["filed_on"] <= AS_OF.isoformat()
    for record in rows["epfo"]:
        assert record["remitted_on"] == "" or record["remitted_on"] <= AS_OF.isoformat()
    years = Counter(r["fy"] for r in rows["financials"])
    assert set(years) == {"2023-24", "2024-25", "2025-26"}


def test_population_looks_like_jk(population):
    _, rows = population
    units = rows["udyam"]
    n = len(units)
    districts = Counter(u["district"] for u in units)
    assert {d for d, _ in districts.most_common(2)} == {"Jammu", "Srinagar"}
    activity = Counter(u["major_activity"] for u in units)
    for name, share in (("manufacturing", 0.30), ("services", 0.45), ("trading", 0.25)):
        assert abs(activity[name] / n - share) < 0.04, activity
    category = Counter(u["category"] for u in units)
    assert 0.90 < category["micro"] / n < 0.96 and category["small"] > category["medium"] > 0
    assert 0.70 < sum(1 for u in units if u["gstin"]) / n < 0.85
    assert 0.30 < sum(1 for u in units if u["epfo_code"]) / n < 0.45
    borrowers = {r["udyam_number"] for r in rows["credit"]}
    assert 0.55 < len(borrowers) / n < 0.72
    assert 0.42 < len({r["udyam_number"] for r in rows["financials"]}) / n < 0.62
    power = [u for u in units if u["power_consumer_numbers"]]
    manufacturers = [u for u in units if u["major_activity"] == "manufacturing"]
    assert sum(1 for u in manufacturers if u["power_consumer_numbers"]) / len(manufacturers) > 0.85
    assert any(";" in u["power_consumer_numbers"] for u in power)
    recent = sum(1 for u in units if u["date_of_commencement"] > "2025-11-22")
    assert 0.02 < recent / n < 0.07

    # stress shows in every feed
    last = MONTHS[-1]
    dpd = [int(r["dpd"]) for r in rows["credit"] if r["month"] == last]
    assert any(61 <= d <= 90 for d in dpd) and any(d > 90 for d in dpd)
    assert sum(1 for d in dpd if d > 90) < 0.05 * len(dpd)
    assert any(int(r["bounced_instruments"]) for r in rows["credit"])
    assert any(float(r["arrears"]) > 0 for r in rows["power"])
    assert any(r["filed_on"] == "" for r in rows["gst"])
    assert any(int(r["net_profit"]) < 0 for r in rows["financials"])


@pytest.mark.django_db
def test_seeded_demo_imports_cleanly_and_scores_mostly_stable(tmp_path):
    out = StringIO()
    call_command("seed_demo", "--units", "300", "--as-of", AS_OF.isoformat(), "--dir", str(tmp_path), stdout=out)
    batches = {b.source: b for b in ImportBatch.objects.all()}
    assert set(batches) == set(Source.values)
    for source, batch in batches.items():
        assert (batch.rejected, batch.unmatched, batch.superseded) == (0, 0, 0), source
        assert batch.inserted == batch.rows > 0
        assert f"{source}: rows {batch.rows:,}, inserted {batch.inserted:,}" in out.getvalue()

    call_command("score", "--as-of", AS_OF.isoformat(), stdout=StringIO())
    bands = Counter(Assessment.objects.filter(as_of=AS_OF).values_list("band", flat=True))
    assert sum(bands.values()) == 300
    assert 0.65 <= bands[Band.STABLE] / 300 <= 0.92, bands
    assert bands[Band.RECOVERABLE] and bands[Band.PRONE_TO_SICK] and bands[Band.INSUFFICIENT_DATA], bands


@pytest.mark.django_db
def test_seeding_twice_changes_nothing(tmp_path):
    args = ["--units", "120", "--seed", "3", "--as-of", "2026-04-05", "--dir", str(tmp_path)]
    call_command("seed_demo", *args, stdout=StringIO())
    first = {b.source: b.rows for b in ImportBatch.objects.all()}
    last_pk = max(ImportBatch.objects.values_list("pk", flat=True))
    call_command("seed_demo", *args, stdout=StringIO())
    second = ImportBatch.objects.filter(pk__gt=last_pk)
    assert {b.source: b.rows for b in second} == first
    for batch in second:
        assert (batch.inserted, batch.replaced, batch.rejected, batch.unchanged) == (0, 0, 0, batch.rows)

    out = StringIO()
    call_command("seed_demo", *args, "--if-empty", stdout=out)
    assert "nothing to do" in out.getvalue()
    assert ImportBatch.objects.count() == 12


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Kolkata")), tick=False)
def test_deliberate_errors_are_rejected_with_reasons_or_kept_unmatched(tmp_path):
    paths = write_demo_feeds(units=50, directory=tmp_path, as_of=AS_OF, seed=2, with_errors=True)
    expected = deliberate_counts(AS_OF)
    for source in SOURCES:
        batch = feed_import(source=source, path=paths[source])
        assert batch.rejected == expected[source]["rejected"] > 0, source
        assert batch.unmatched == expected[source]["unmatched"], source
        assert Path(batch.reject_report).exists()
    reasons = " | ".join(ImportBatch.objects.get(source="udyam").rejects.values_list("reason", flat=True))
    assert "not a district of J&K" in reasons and "not a valid GSTIN" in reasons
    assert "not a date" in reasons and "negative" in reasons
