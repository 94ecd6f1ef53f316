"""Feed imports (SCORING.md §1 and the foundation issue): provenance, replacement, unmatched
records, row-level rejects and the `import_feed` command."""

import csv
from datetime import date, datetime
from decimal import Decimal
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.core.management.base import CommandError

from scoring.feeds import SPECS
from scoring.models import CreditRecord, Enterprise, FeedReject, FinancialYear, GstReturn, PowerBill, PowerConnection
from scoring.services.feeds import FeedFileError, feed_import
from tests.factories.scoring import make_gstin, make_pan

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _received_in_november_2026():
    """The files below hold records up to 2026-10 and are received on 2026-11-22, whatever day the
    tests run (no record may be of a period after its file's receipt)."""
    with time_machine.travel(datetime(2026, 11, 22, 10, tzinfo=ZoneInfo("Asia/Kolkata")), tick=False):
        yield


PAN_A, PAN_B = make_pan(901), make_pan(902)
GSTIN_A, GSTIN_B = make_gstin(PAN_A), make_gstin(PAN_B)


def write(tmp_path, name, source, rows, headers=None):
    path = tmp_path / name
    with path.open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(headers or SPECS[source].headers)
        writer.writerows(rows)
    return path


# A Udyam number carries its district's Census 2011 code: UDYAM-JK-02-… is a unit of Budgam.
def udyam_row(number="UDYAM-JK-02-0000001", gstin=GSTIN_A, pan=PAN_A, district="Budgam", **overrides):
    row = {
        "udyam_number": number,
        "enterprise_name": "Kashmir Walnut Works",
        "gstin": gstin,
        "pan": pan,
        "epfo_code": "JKSRG0000001000",
        "power_consumer_numbers": "JKPDD001;JKPDD002",
        "district": district,
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


def gst_row(gstin=GSTIN_A, period="2026-09", turnover="100000", filed_on="2026-10-18"):
    return [gstin, period, turnover, "18000", filed_on]


def snapshot():
    return sorted(
        GstReturn.objects.values_list("gstin", "period", "taxable_turnover", "filed_on", "batch_id", "row_number")
    )


def test_loads_profiles_and_links_identifiers(tmp_path):
    row = udyam_row(number="UDYAM-JK-14-0000001", district="Anantnag")
    batch = feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [row]))
    assert (batch.inserted, batch.rejected, batch.rows) == (1, 0, 1)
    unit = Enterprise.objects.get()
    assert unit.gstin == GSTIN_A and unit.district.name == "Anantnag" and unit.employees == 14
    assert (unit.batch_id, unit.row_number) == (batch.pk, 2)
    assert sorted(PowerConnection.objects.values_list("consumer_number", flat=True)) == ["JKPDD001", "JKPDD002"]


def test_same_file_twice_changes_nothing(tmp_path):
    feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [udyam_row()]))
    path = write(tmp_path, "g.csv", "gst", [gst_row(period="2026-08"), gst_row(period="2026-09")])
    first = feed_import(source="gst", path=path)
    before = snapshot()
    second = feed_import(source="gst", path=path)
    assert (first.inserted, first.unchanged) == (2, 0)
    assert (second.inserted, second.replaced, second.unchanged) == (0, 0, 2)
    assert snapshot() == before  # provenance too: the records still name the first batch


def test_later_file_replaces_record_whole_with_new_provenance(tmp_path):
    feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [udyam_row()]))
    feed_import(source="gst", path=write(tmp_path, "g1.csv", "gst", [gst_row(filed_on="2026-10-18")]))
    corrected = feed_import(
        source="gst", path=write(tmp_path, "g2.csv", "gst", [gst_row(turnover="90000", filed_on="")])
    )
    assert (corrected.inserted, corrected.replaced) == (0, 1)
    record = GstReturn.objects.get()
    assert record.taxable_turnover == Decimal("90000") and record.filed_on is None
    assert record.batch_id == corrected.pk


def test_later_row_of_same_file_wins(tmp_path):
    feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [udyam_row()]))
    path = write(tmp_path, "g.csv", "gst", [gst_row(turnover="1"), gst_row(turnover="2"), gst_row(period="2026-08")])
    batch = feed_import(source="gst", path=path)
    assert (batch.inserted, batch.superseded) == (2, 1)
    assert GstReturn.objects.get(period=date(2026, 9, 1)).taxable_turnover == Decimal("2")
    again = feed_import(source="gst", path=path)
    assert (again.unchanged, again.replaced, again.inserted) == (2, 0, 0)


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (udyam_row(date_of_commencement="2016-13-01"), "date_of_commencement '2016-13-01' is not a date"),
        (udyam_row(investment="-5"), "investment '-5' is negative"),
        (udyam_row(gstin="01AAAAA0000A1Z0"), "is not a valid GSTIN"),
        (udyam_row(district="Lahore"), "district 'Lahore' is not a district of J&K"),
        (udyam_row(enterprise_name=""), "enterprise_name is required"),
        (udyam_row(number="UDYAM-JK-2-1"), "is not a Udyam number"),
        (udyam_row(pan="AAAA1234A"), "is not a valid PAN"),
        (udyam_row(major_activity="farming"), "major_activity 'farming' must be one of"),
        (udyam_row(gstin=GSTIN_B), "does not carry the unit's PAN"),
        (udyam_row(employees="3.5"), "employees '3.5' is not a whole number"),
        (udyam_row()[:5], "expected 14 fields, found 5"),
    ],
)
def test_bad_row_is_rejected_with_reason_and_good_rows_still_load(tmp_path, row, reason):
    good = udyam_row(number="UDYAM-JK-02-0000009", gstin=GSTIN_B, pan=PAN_B, epfo_code="", power_consumer_numbers="")
    batch = feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [row, good]))
    assert (batch.inserted, batch.rejected) == (1, 1)
    reject = FeedReject.objects.get(batch=batch)
    assert reject.row_number == 2 and reason in reject.reason
    with open(batch.reject_report, newline="") as handle:
        report = list(csv.DictReader(handle))
    assert [r["row_number"] for r in report] == ["2"] and reason in report[0]["reason"]


@pytest.mark.parametrize(
    ("row", "reason"),
    [
        (["01AAAAA0000A1Z0", "2026-09", "1", "1", ""], "not a valid GSTIN"),
        ([GSTIN_A, "2026-9", "1", "1", ""], "is not a month"),
        ([GSTIN_A, "2026-09", "-1", "1", ""], "is negative"),
        ([GSTIN_A, "2026-09", "abc", "1", ""], "is not a number"),
        ([GSTIN_A, "2026-09", "1", "1", "18/10/2026"], "is not a date"),
        ([GSTIN_A, "2026-09", "", "1", ""], "taxable_turnover is required"),
    ],
)
def test_bad_gst_rows_are_rejected(tmp_path, row, reason):
    batch = feed_import(source="gst", path=write(tmp_path, "g.csv", "gst", [row, gst_row()]))
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert reason in FeedReject.objects.get(batch=batch).reason


def test_negative_net_profit_is_a_loss_not_an_error(tmp_path):
    batch = feed_import(
        source="financials",
        path=write(
            tmp_path,
            "f.csv",
            "financials",
            [["UDYAM-JK-02-0000001", "2024-25", "100", "-40"], ["UDYAM-JK-02-0000001", "2024-26", "100", "1"]],
        ),
    )
    assert (batch.inserted, batch.rejected) == (1, 1)
    assert FinancialYear.objects.get().net_profit == Decimal("-40") and FinancialYear.objects.get().year_end == 2025


def test_records_for_unknown_units_wait_and_link_when_profile_arrives(tmp_path):
    gst = feed_import(source="gst", path=write(tmp_path, "g.csv", "gst", [gst_row()]))
    power = feed_import(
        source="power",
        path=write(tmp_path, "p.csv", "power", [["JKPDD002", "2026-09", "500", "20", "4000", "4000", "0"]]),
    )
    credit = feed_import(
        source="credit",
        path=write(
            tmp_path,
            "c.csv",
            "credit",
            [["UDYAM-JK-02-0000001", "JAKA0ANTNAG", "LN1", "2026-09", "100000", "50000", "0", "0", "30000"]],
        ),
    )
    assert (gst.unmatched, power.unmatched, credit.unmatched) == (1, 1, 1)
    assert not GstReturn.objects.filter(enterprise__isnull=False).exists()
    udyam = feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [udyam_row()]))
    unit = Enterprise.objects.get()
    assert udyam.linked == 3
    assert GstReturn.objects.get().enterprise == unit
    assert PowerBill.objects.get().enterprise == unit
    assert CreditRecord.objects.get().enterprise == unit


def test_changed_gstin_moves_the_records(tmp_path):
    feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [udyam_row(gstin="")]))
    other_pan_gstin = make_gstin(PAN_A, state="01")[:-3] + "2Z"
    from stdnum import luhn

    second_gstin = other_pan_gstin + luhn.calc_check_digit(other_pan_gstin, "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ")
    feed_import(
        source="gst", path=write(tmp_path, "g.csv", "gst", [gst_row(gstin=GSTIN_A), gst_row(gstin=second_gstin)])
    )
    assert GstReturn.objects.filter(enterprise__isnull=True).count() == 2
    feed_import(source="udyam", path=write(tmp_path, "u2.csv", "udyam", [udyam_row(gstin=GSTIN_A)]))
    assert GstReturn.objects.get(gstin=GSTIN_A).enterprise is not None
    feed_import(source="udyam", path=write(tmp_path, "u3.csv", "udyam", [udyam_row(gstin=second_gstin)]))
    assert GstReturn.objects.get(gstin=GSTIN_A).enterprise is None
    assert GstReturn.objects.get(gstin=second_gstin).enterprise is not None


def test_identifier_of_another_unit_is_rejected(tmp_path):
    feed_import(source="udyam", path=write(tmp_path, "u.csv", "udyam", [udyam_row()]))
    thief = udyam_row(number="UDYAM-JK-02-0000002", epfo_code="JKSRG0000001000", gstin="", power_consumer_numbers="")
    batch = feed_import(source="udyam", path=write(tmp_path, "u2.csv", "udyam", [thief]))
    assert (batch.inserted, batch.rejected) == (0, 1)
    assert "EPFO code JKSRG0000001000 belongs to UDYAM-JK-02-0000001" in FeedReject.objects.get(batch=batch).reason


def test_unreadable_file_fails_the_batch(tmp_path):
    with pytest.raises(FeedFileError, match="missing column"):
        feed_import(source="gst", path=write(tmp_path, "x.csv", "gst", [], headers=["a", "b"]))
    with pytest.raises(FeedFileError):
        feed_import(source="gst", path=tmp_path / "missing.csv")


def test_import_feed_command_prints_counts_and_report(tmp_path):
    path = write(tmp_path, "g.csv", "gst", [gst_row(), ["bad", "2026-09", "1", "1", ""]])
    out = StringIO()
    call_command("import_feed", "gst", str(path), stdout=out)
    text = out.getvalue()
    for expected in ("inserted 1", "replaced 0", "unchanged 0", "unmatched 1", "rejected 1", "reject report:"):
        assert expected in text


def test_import_feed_command_fails_only_when_file_unreadable(tmp_path):
    with pytest.raises(CommandError, match="cannot be read"):
        call_command("import_feed", "gst", str(tmp_path / "nope.csv"))


def test_an_import_with_rejects_tells_the_department(tmp_path):
    from notifications.models import NotificationRequest

    path = tmp_path / "gst.csv"
    path.write_text("gstin,period,taxable_turnover,tax_paid,filed_on\nNOT-A-GSTIN,2026-10,1,1,\n")
    batch = feed_import(source="gst", path=path)
    told = NotificationRequest.objects.get(event="import_rejects")
    assert told.data["batch"] == batch.pk and told.data["rejected"] == 1 and told.role == "department_admin"
