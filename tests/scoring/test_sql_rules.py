"""The rules compiled to SQL (scoring/rules/sql.py, what `score` runs on PostgreSQL) against the pure
Python rules (scoring/rules, the reference): on random units with random feed records, both must
store the same report card: status, sub-score and measured values of every indicator (hence the same
words), score, coverage, band, distress signals and overrides (SCORING.md: "Two implementations of
this page, given the same data and the same as-of date, must give the same sub-scores, score,
coverage and band")."""

import itertools
from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.db import connection
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from scoring.models import (
    Assessment,
    CreditRecord,
    EpfoReturn,
    FinancialYear,
    GstReturn,
    PowerBill,
    PowerConnection,
    ScoringRun,
)
from scoring.rules import assess
from scoring.rules.wording import explain
from scoring.selectors import scoring_facts, scoring_model_get
from scoring.services.scoring import score_chunk
from tests.factories.scoring import EnterpriseFactory, ImportBatchFactory

pytestmark = pytest.mark.django_db  # on PostgreSQL, as the suite runs: the SQL rules are PostgreSQL's

_serial = itertools.count(1)


def _month(back: int, as_of: date) -> date:
    index = as_of.year * 12 + as_of.month - 1 - back
    return date(index // 12, index % 12 + 1, 1)


AMOUNT = st.one_of(
    st.just(Decimal(0)),
    st.integers(1, 10**7).map(Decimal),
    st.decimals(min_value=0, max_value=10**6, places=4, allow_nan=False, allow_infinity=False),
)
# a record's filing / remittance: on its due date, a few days late, after T, or never
FILED = st.sampled_from(["due", "early", "late", "after_t", None])
MONTHS_BACK = st.lists(st.integers(1, 30), unique=True, max_size=30)


@st.composite
def units(draw):
    as_of = draw(st.sampled_from([date(2026, 11, 22), date(2026, 4, 1), date(2026, 3, 31), date(2027, 1, 20)]))
    unit = {
        "as_of": as_of,
        "major_activity": draw(st.sampled_from(["manufacturing", "services", "trading"])),
        "commenced": draw(st.dates(min_value=date(2023, 1, 1), max_value=date(2026, 12, 31))),
        "has_gstin": draw(st.booleans()),
        "has_epfo": draw(st.booleans()),
        "gst": [(m, draw(AMOUNT), draw(FILED)) for m in draw(MONTHS_BACK)],
        "epfo": [(m, draw(st.integers(0, 60)), draw(FILED)) for m in draw(MONTHS_BACK)],
        "power": [
            [(m, draw(AMOUNT), draw(st.sampled_from([Decimal(0), Decimal(0), Decimal("1500.5")]))) for m in months]
            for months in draw(st.lists(MONTHS_BACK, max_size=2))
        ],
        "credit": [
            [
                (
                    m,
                    draw(AMOUNT),
                    draw(AMOUNT),
                    draw(st.sampled_from([0, 0, 15, 30, 31, 60, 61, 90, 91, 200])),
                    draw(st.sampled_from([0, 0, 1, 3])),
                )
                for m in months
            ]
            for months in draw(st.lists(MONTHS_BACK, max_size=2))
        ],
        "financials": {
            year: (
                draw(st.sampled_from([Decimal(0), Decimal(-5), Decimal(10**6)]) | AMOUNT),
                draw(st.integers(-(10**6), 10**6).map(Decimal) | AMOUNT),
            )
            for year in draw(st.lists(st.integers(as_of.year - 3, as_of.year + 1), unique=True, max_size=3))
        },
    }
    return unit


def _filed(period: date, due_day: int, how, as_of: date):
    due = _month(-1, period).replace(day=due_day)
    return {
        "due": due,
        "early": due - timedelta(days=3),
        "late": due + timedelta(days=4),
        "after_t": as_of + timedelta(days=1),
        None: None,
    }[how]


def _create(unit) -> int:
    n = next(_serial)
    as_of = unit["as_of"]
    batch = ImportBatchFactory()
    e = EnterpriseFactory(
        major_activity=unit["major_activity"],
        date_of_commencement=unit["commenced"],
        **({} if unit["has_gstin"] else {"gstin": None}),
        **({} if unit["has_epfo"] else {"epfo_code": None}),
    )
    prov = {"batch": batch, "row_number": 2, "digest": 0, "enterprise": e}
    GstReturn.objects.bulk_create(
        GstReturn(
            gstin=e.gstin or f"NOGSTIN{n}",
            period=_month(m, as_of),
            taxable_turnover=v,
            tax_paid=v / 10,
            filed_on=_filed(_month(m, as_of), 20, how, as_of),
            **prov,
        )
        for m, v, how in unit["gst"]
    )
    EpfoReturn.objects.bulk_create(
        EpfoReturn(
            epfo_code=e.epfo_code or f"NOEPFO{n}",
            wage_month=_month(m, as_of),
            members=members,
            wages=Decimal(members * 15000),
            remitted_on=_filed(_month(m, as_of), 15, how, as_of),
            **prov,
        )
        for m, members, how in unit["epfo"]
    )
    for k, bills in enumerate(unit["power"]):
        consumer = PowerConnection.objects.create(enterprise=e, consumer_number=f"PWR{n}X{k}").consumer_number
        PowerBill.objects.bulk_create(
            PowerBill(
                consumer_number=consumer,
                bill_month=_month(m, as_of),
                units_kwh=kwh,
                sanctioned_load_kw=20,
                billed=kwh,
                paid=kwh,
                arrears=arrears,
                **prov,
            )
            for m, kwh, arrears in bills
        )
    for k, records in enumerate(unit["credit"]):
        CreditRecord.objects.bulk_create(
            CreditRecord(
                udyam_number=e.udyam_number,
                ifsc="JAKA0ANTNAG",
                account_ref=f"AC{n}X{k}",
                month=_month(m, as_of),
                sanctioned_limit=10**6,
                outstanding=outstanding,
                dpd=dpd,
                bounced_instruments=bounced,
                credits=credits,
                **prov,
            )
            for m, outstanding, credits, dpd, bounced in records
        )
    FinancialYear.objects.bulk_create(
        FinancialYear(
            udyam_number=e.udyam_number,
            fy=f"{year - 1}-{year % 100:02d}",
            year_end=year,
            revenue=revenue,
            net_profit=profit,
            **prov,
        )
        for year, (revenue, profit) in unit["financials"].items()
    )
    return e.pk


SQL_SETTINGS = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))


@SQL_SETTINGS
@given(units())
@example(
    {  # 171/224 - 1: the exact sub-score is 43.125, which must report 43.13 (numbers.py)
        "as_of": date(2026, 11, 22),
        "major_activity": "services",
        "commenced": date(2023, 1, 1),
        "has_gstin": True,
        "has_epfo": False,
        "gst": [(m, Decimal(171 if m <= 6 else 224 if m >= 13 else 200), "due") for m in range(1, 19)],
        "epfo": [],
        "power": [],
        "credit": [],
        "financials": {},
    }
)
def test_sql_rules_store_the_cards_the_python_rules_make(unit):
    assert connection.vendor == "postgresql"
    pk = _create(unit)
    model, as_of = scoring_model_get(), unit["as_of"]
    run = ScoringRun.objects.create(model=model, as_of=as_of)
    assert score_chunk(run_id=run.pk, id_from=pk, id_to=pk + 1) == 1
    stored = Assessment.objects.get(enterprise_id=pk, as_of=as_of, model=model)

    [(_, facts)] = scoring_facts(model_def=model.definition, as_of=as_of, id_from=pk, id_to=pk + 1)
    reference = assess(model.definition, facts, as_of)

    assert stored.indicators == {code: r.as_json() for code, r in reference.indicators.items()}
    assert (stored.score, stored.coverage, stored.band) == (reference.score, reference.coverage, reference.band)
    assert stored.distress == reference.distress
    assert stored.overrides == reference.overrides
    for code, result in reference.indicators.items():
        definition = model.definition["indicators"][code]
        assert explain(definition, stored.indicators[code]["status"], stored.indicators[code]["values"]) == (
            result.explanation
        )
