"""The import's fast path (scoring/feed_lines.py): a line it takes as canonical must be one that
feeds.parse_fields accepts, with the same stored values; anything else goes through parse_fields."""

import csv
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import feed_lines
from scoring.choices import Source
from scoring.feed_lines import LinePattern
from scoring.feeds import SPECS, RowError, month, parse_fields
from scoring.models import Enterprise, GstReturn
from scoring.services.feeds import feed_import
from tests.factories.scoring import make_gstin, make_pan

DISTRICTS = {"anantnag": 7, "srinagar": 11}


def test_date_pattern_is_exactly_what_fromisoformat_takes():
    import re

    pattern = re.compile(feed_lines._DATE)
    for year in ("0000", "0001", "1900", "1999", "2000", "2023", "2024", "2100", "2400", "9999"):
        for mon in range(0, 14):
            for day in range(0, 33):
                value = f"{year}-{mon:02d}-{day:02d}"
                try:
                    date.fromisoformat(value)
                    valid = True
                except ValueError:
                    valid = False
                assert bool(pattern.fullmatch(value)) == valid, value


# Field texts: canonical values, and near misses (spaces, case, signs, exponents, other digits...),
# one field in ten or so, so that whole lines are often canonical and often just not.
def _texts(canonical, odd):
    return st.integers(0, 11).flatmap(lambda k: st.sampled_from(odd if k == 0 else canonical))


TEXTS = {
    "gstin": _texts(
        [make_gstin(make_pan(7)), make_gstin(make_pan(8))],
        ["01ABCDE1234F1Z9", " x", "", "a", make_gstin(make_pan(7), state="07"), "01-" + make_gstin(make_pan(7))[2:]],
    ),
    "pan": _texts([make_pan(7)], [make_pan(7).lower(), "ABCDE1234", "", " " + make_pan(7)]),
    "udyam": _texts(
        ["UDYAM-JK-02-0000001"],
        ["udyam-jk-02-0000001", "UDYAM-JK-2-0000001", "", "UDYAM-DL-02-0000001", "UDYAM JK 02 0000001"],
    ),
    "code": _texts(["JKPDD001", "A/B-1", "X" * 32], ["jkpdd001", "A B", "X" * 33, "", " JK1"]),
    "ifsc": _texts(["JAKA0ANTNAG"], ["jaka0antnag", "JAKA1ANTNAG", ""]),
    "month": _texts(
        ["2026-09", "1900-01", "2999-12", "2026-11", "2026-12"],
        ["2026-9", "2026-13", "1899-12", "2026-09-01", " 2026-09", "", "٢٠٢٦-٠٩"],
    ),
    "date": _texts(
        ["2026-10-18", "2024-02-29", "0001-01-01", "2099-01-01"],
        ["2026-02-29", "2026-10-18 ", "18/10/2026", "2024-W01-1", "20261018", "٢٠٢٦-١٠-١٨"],
    ),
    "amount": _texts(
        ["100000", "0", "12.5", "0.0001", "999999999999999.9999"],
        ["12.50000", "1.23456", "-5", "+5", "1e3", " 7 ", "1_000", "٣", ".5", "5.", "9" * 16, "", "NaN", "-0"],
    ),
    "count": _texts(["14", "0", "999999999"], ["-1", "+3", "1.0", " 2", "²", "٣", "3000000000", "", "1_0"]),
    "fy": _texts(["2024-25", "1999-00", "2026-27", "2027-28"], ["2024-26", "1899-00", "2024-2025", ""]),
    "text": _texts(["Kashmir Walnut Works", "A", "x" * 300, "Ünïcode Works"], [" Padded ", "", "x" * 301, "a\tb "]),
    "district": _texts(["Anantnag", "anantnag", "Srinagar"], ["Leh", " Srinagar", ""]),
    "activity": _texts(["manufacturing", "services", "trading"], ["Manufacturing", "micro", "retail", ""]),
    "category": _texts(["micro", "small", "medium"], ["Micro", "large", "trading", ""]),
    "numbers": _texts(["JKPDD001;JKPDD002", "", "JKPDD001"], ["JKPDD001;JKPDD001", "a;b", "JKPDD001; JKPDD002"]),
}
KINDS = {
    "udyam_number": "udyam",
    "enterprise_name": "text",
    "gstin": "gstin",
    "pan": "pan",
    "epfo_code": "code",
    "power_consumer_numbers": "numbers",
    "district": "district",
    "major_activity": "activity",
    "nic_code": "count",
    "category": "category",
    "date_of_commencement": "date",
    "consumer_number": "code",
    "account_ref": "code",
    "ifsc": "ifsc",
    "fy": "fy",
    "employees": "count",
    "members": "count",
    "dpd": "count",
    "bounced_instruments": "count",
}


def _kind(name, parse):
    if name in KINDS:
        return KINDS[name]
    if parse is month:
        return "month"
    if name in ("filed_on", "remitted_on"):
        return "date"
    return "amount"


@st.composite
def lines(draw):
    source = draw(st.sampled_from(list(Source)))
    spec = SPECS[source]
    fields = [draw(TEXTS[_kind(name, parse)]) for name, parse in spec.columns]
    return source, fields


def _stored(source, values):
    """What the staging table holds for parse_fields' values, as the texts COPY would be given."""
    spec = SPECS[source]
    out = []
    for name, parse in spec.columns:
        value = values[name]
        if source == Source.UDYAM and name == "power_consumer_numbers":
            continue
        if source == Source.UDYAM and name == "district":
            value = DISTRICTS[value.lower()]
        elif parse is month:
            value = f"{value:%Y-%m}"
        out.append(value)
    return out


def _same(text: str, value) -> bool:
    """Whether a staged COPY text is the stored value parse_fields gave."""
    if value is None:
        return text == ""
    if isinstance(value, Decimal):
        return Decimal(text) == value
    if isinstance(value, date):
        return date.fromisoformat(text) == value
    if isinstance(value, int):
        return int(text) == value
    return text == value


@settings(max_examples=3000, deadline=None)
@given(lines())
def test_a_line_the_pattern_takes_is_one_parse_fields_takes_with_the_same_values(case):
    source, fields = case
    spec = SPECS[source]
    line = ",".join(fields) + "\n"
    pattern = LinePattern(spec, spec.headers, DISTRICTS)
    staged = pattern.copy_line(line, 5)
    if staged is None:
        return  # the importer parses it with parse_fields
    values = parse_fields(spec, fields)  # must not raise RowError
    if source == Source.UDYAM:
        assert values["district"].lower() in DISTRICTS
        if values["gstin"]:
            assert values["gstin"][2:12] == values["pan"]
    row = next(csv.reader(StringIO(staged)))
    assert row[0] == "5"
    expected = _stored(source, values)
    got = row[1 : 1 + len(expected)]
    if source == Source.UDYAM:
        assert row[-2] == line.rstrip("\n") and row[-1] == ";".join(values["power_consumer_numbers"])
    else:
        assert len(row) == 1 + len(expected)
    assert all(_same(t, v) for t, v in zip(got, expected, strict=True)), (got, expected)
    if source != Source.UDYAM:
        assert pattern.block_is_canonical(line) and pattern.block_values_pass([line])


@settings(max_examples=500, deadline=None)
@given(st.lists(lines().filter(lambda c: c[0] != Source.UDYAM), min_size=1, max_size=5))
def test_a_block_is_canonical_only_if_each_of_its_lines_is(cases):
    source = cases[0][0]
    spec = SPECS[source]
    block = [",".join(f) + "\n" for s, f in cases if s == source]
    pattern = LinePattern(spec, spec.headers)
    if pattern.block_is_canonical("".join(block)) and pattern.block_values_pass(block):
        assert all(pattern.copy_line(line, 1) is not None for line in block)


def test_rows_parse_fields_rejects_are_never_canonical():
    spec = SPECS[Source.GST]
    pattern = LinePattern(spec, spec.headers)
    for fields in (
        [make_gstin(make_pan(7)), "2026-13", "1", "1", ""],
        ["01ABCDE1234F1Z9", "2026-09", "1", "1", ""],
        [make_gstin(make_pan(7)), "2026-09", "-1", "1", ""],
        [make_gstin(make_pan(7)), "2026-09", "1", "1", "2026-02-30"],
    ):
        with pytest.raises(RowError):
            parse_fields(spec, fields)
        assert pattern.copy_line(",".join(fields) + "\n", 2) is None


@pytest.mark.django_db
@time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Kolkata")), tick=False)
def test_odd_but_valid_lines_load_as_parse_fields_reads_them(tmp_path):
    """Quotes, a name over two lines, CRLF endings, a reordered header with an extra column, spaces
    and lower case: the slow path, and the same stored values as the canonical rows."""
    pan = make_pan(31)
    gstin = make_gstin(pan)
    header = [h for h in SPECS["udyam"].headers if h != "gstin"] + ["remarks", "gstin"]
    row = {
        "udyam_number": "udyam-jk-14-0000031",  # Anantnag's Census 2011 code
        "enterprise_name": "Walnut Works,\nAnantnag",
        "pan": pan.lower(),
        "epfo_code": "",
        "power_consumer_numbers": " JKPDD031 ",
        "district": " anantnag",
        "major_activity": "Manufacturing",
        "nic_code": "10792",
        "category": "micro",
        "date_of_commencement": "2016-04-01",
        "investment": " 2500000.5 ",
        "turnover": "9E6",
        "employees": "14",
        "remarks": "x",
        "gstin": gstin.lower(),
    }
    path = tmp_path / "udyam.csv"
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerow([row[h] for h in header])
    batch = feed_import(source="udyam", path=path)
    assert (batch.rows, batch.inserted, batch.rejected) == (1, 1, 0)
    unit = Enterprise.objects.get(udyam_number="UDYAM-JK-14-0000031")
    assert (unit.enterprise_name, unit.gstin, unit.pan) == ("Walnut Works,\nAnantnag", gstin, pan)
    assert (unit.investment, unit.turnover, unit.district.name) == (Decimal("2500000.5"), Decimal(9000000), "Anantnag")
    assert list(unit.power_connections.values_list("consumer_number", flat=True)) == ["JKPDD031"]

    gst = tmp_path / "gst.csv"
    gst.write_text(
        "gstin,period,taxable_turnover,tax_paid,filed_on\r\n"
        f"{gstin},2026-09,100000,18000,2026-10-18\r\n"
        f'{gstin.lower()}, 2026-08 ,"100,5",18000,\r\n'
        f"{gstin},2026-07,100000.5,18000,2026-08-20\r\n"
    )
    batch = feed_import(source="gst", path=gst)
    assert (batch.rows, batch.inserted, batch.rejected) == (3, 2, 1)
    assert sorted(GstReturn.objects.values_list("period", "taxable_turnover")) == [
        (date(2026, 7, 1), Decimal("100000.5")),
        (date(2026, 9, 1), Decimal("100000")),
    ]


@settings(max_examples=2000, deadline=None)
@given(lines(), st.dates(date(1990, 1, 1), date(2100, 12, 31)))
def test_with_a_receipt_date_a_line_the_pattern_takes_is_one_parse_fields_takes(case, received):
    """Where the rules combine: the canonical patterns, python-stdnum, J&K's codes and the periods
    a file received on `received` may hold. The fast path never takes a line parse_fields refuses."""
    source, fields = case
    spec = SPECS[source]
    pattern = LinePattern(spec, spec.headers, DISTRICTS, received)
    line = ",".join(fields) + "\n"
    if pattern.copy_line(line, 5) is not None:
        parse_fields(spec, fields, received)  # must not raise RowError
    if source != Source.UDYAM and pattern.block_is_canonical(line) and pattern.block_values_pass([line[:-1]]):
        parse_fields(spec, fields, received)


@settings(max_examples=500, deadline=None)
@given(st.dates(date(1990, 1, 1), date(2100, 12, 31)), st.dates(date(1990, 1, 1), date(2100, 12, 31)))
def test_a_period_loads_exactly_when_it_is_not_after_the_month_of_receipt(period, received):
    spec = SPECS[Source.GST]
    fields = [make_gstin(make_pan(7)), f"{period:%Y-%m}", "1", "1", ""]
    fits = period.replace(day=1) <= received.replace(day=1)
    try:
        parse_fields(spec, fields, received)
        assert fits
    except RowError as exc:
        assert not fits and "is after the month the file was received" in str(exc)
    pattern = LinePattern(spec, spec.headers, received=received)
    assert (pattern.copy_line(",".join(fields) + "\n", 2) is not None) == fits


CONTACTS = {
    "email": _texts(
        ["owner@walnut.example", "a.b+c@x-y.example.org", ""],
        ["Owner@Walnut.EXAMPLE", "owner@", "@x.org", " a@b.example", "a@b", "a,b@c.example", "=cmd@x.example"],
    ),
    "mobile": _texts(
        ["9876543210", "6000000000", ""],
        ["+91 98765 43210", "09876543210", "5876543210", "98765", "٩٨٧٦٥٤٣٢١٠", "919876543210"],
    ),
}


@settings(max_examples=1000, deadline=None)
@given(lines().filter(lambda c: c[0] == Source.UDYAM), CONTACTS["email"], CONTACTS["mobile"])
def test_a_udyam_line_with_the_contact_columns_the_pattern_takes_is_stored_as_parse_fields_reads_it(
    case, email, mobile
):
    _, fields = case
    spec = SPECS[Source.UDYAM]
    fields = [*fields, email, mobile]
    line = ",".join(fields) + "\n"
    staged = LinePattern(spec, spec.all_headers, DISTRICTS).copy_line(line, 5)
    if staged is None:
        return
    values = parse_fields(spec, fields)  # must not raise RowError
    row = next(csv.reader(StringIO(staged)))
    assert row[-4:-2] == [values["email"] or "", values["mobile"] or ""]
    assert row[-2] == line.rstrip("\n")
