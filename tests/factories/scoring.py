"""Factories for units and feed records that keep identifiers valid and relations consistent.

Feed records made here are linked to their unit the way the importer links them (GSTIN,
EPFO code, consumer number, Udyam number) and carry a factory batch as provenance."""

import itertools
import string
from datetime import date
from decimal import Decimal

import factory
from django.utils import timezone
from stdnum import luhn

from partners.models import District
from scoring.models import (
    CreditRecord,
    Enterprise,
    EpfoReturn,
    FinancialYear,
    GstReturn,
    ImportBatch,
    PowerBill,
    PowerConnection,
)

_ALPHABET = string.digits + string.ascii_uppercase
_serial = itertools.count(1)


def make_pan(n: int) -> str:
    letters = "".join(_ALPHABET[10 + (n // 26**i) % 26] for i in range(3))
    return f"{letters}P{'K'}{n % 10000:04d}{_ALPHABET[10 + n % 26]}"


def make_gstin(pan: str, state: str = "01") -> str:
    body = f"{state}{pan}1Z"
    return body + luhn.calc_check_digit(body, _ALPHABET)


class ImportBatchFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ImportBatch

    source = "udyam"
    file_name = "factory"
    received_at = factory.LazyFunction(timezone.now)
    status = "done"


class _Provenance(factory.django.DjangoModelFactory):
    batch = factory.SubFactory(ImportBatchFactory)
    row_number = factory.Sequence(lambda n: n + 2)
    digest = factory.Sequence(lambda n: n)


class EnterpriseFactory(_Provenance):
    class Meta:
        model = Enterprise

    class Params:
        serial = factory.LazyFunction(lambda: next(_serial))

    # The Udyam number carries its district's Census 2011 code (UDYAM-JK-14-… in Anantnag).
    udyam_number = factory.LazyAttribute(lambda o: f"UDYAM-JK-{o.district.census_code or '00'}-{o.serial:07d}")
    enterprise_name = factory.LazyAttribute(lambda o: f"Unit {o.serial}")
    pan = factory.LazyAttribute(lambda o: make_pan(o.serial))
    gstin = factory.LazyAttribute(lambda o: make_gstin(o.pan))
    epfo_code = factory.LazyAttribute(lambda o: f"JKSRG{o.serial:010d}")
    district = factory.LazyFunction(lambda: District.objects.get(name="Anantnag"))
    major_activity = "manufacturing"
    nic_code = "10712"
    category = "micro"
    date_of_commencement = date(2015, 4, 1)
    investment = Decimal("2500000")
    turnover = Decimal("12000000")
    employees = 12


class PowerConnectionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PowerConnection

    enterprise = factory.SubFactory(EnterpriseFactory)
    consumer_number = factory.Sequence(lambda n: f"JKPDD{n:08d}")


def _month(value):
    return date.fromisoformat(f"{value}-01") if isinstance(value, str) else value


class GstReturnFactory(_Provenance):
    class Meta:
        model = GstReturn

    enterprise = factory.SubFactory(EnterpriseFactory)
    gstin = factory.LazyAttribute(lambda o: o.enterprise.gstin)
    period = date(2026, 10, 1)
    taxable_turnover = Decimal("100000")
    tax_paid = Decimal("18000")
    filed_on = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["period"] = _month(kwargs["period"])
        return super()._create(model_class, *args, **kwargs)


class EpfoReturnFactory(_Provenance):
    class Meta:
        model = EpfoReturn

    enterprise = factory.SubFactory(EnterpriseFactory)
    epfo_code = factory.LazyAttribute(lambda o: o.enterprise.epfo_code)
    wage_month = date(2026, 10, 1)
    members = 10
    wages = Decimal("150000")
    remitted_on = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["wage_month"] = _month(kwargs["wage_month"])
        return super()._create(model_class, *args, **kwargs)


class PowerBillFactory(_Provenance):
    class Meta:
        model = PowerBill

    enterprise = factory.SubFactory(EnterpriseFactory)
    consumer_number = factory.LazyAttribute(lambda o: PowerConnectionFactory(enterprise=o.enterprise).consumer_number)
    bill_month = date(2026, 10, 1)
    units_kwh = Decimal("1000")
    sanctioned_load_kw = Decimal("20")
    billed = Decimal("8000")
    paid = Decimal("8000")
    arrears = Decimal("0")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["bill_month"] = _month(kwargs["bill_month"])
        return super()._create(model_class, *args, **kwargs)


class CreditRecordFactory(_Provenance):
    class Meta:
        model = CreditRecord

    enterprise = factory.SubFactory(EnterpriseFactory)
    udyam_number = factory.LazyAttribute(lambda o: o.enterprise.udyam_number)
    ifsc = "JAKA0ANTNAG"
    account_ref = factory.Sequence(lambda n: f"LN{n:08d}")
    month = date(2026, 10, 1)
    sanctioned_limit = Decimal("1000000")
    outstanding = Decimal("500000")
    dpd = 0
    bounced_instruments = 0
    credits = Decimal("200000")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        kwargs["month"] = _month(kwargs["month"])
        return super()._create(model_class, *args, **kwargs)


class FinancialYearFactory(_Provenance):
    class Meta:
        model = FinancialYear

    enterprise = factory.SubFactory(EnterpriseFactory)
    udyam_number = factory.LazyAttribute(lambda o: o.enterprise.udyam_number)
    fy = "2025-26"
    year_end = factory.LazyAttribute(lambda o: int(o.fy[:4]) + 1)
    revenue = Decimal("10000000")
    net_profit = Decimal("800000")
