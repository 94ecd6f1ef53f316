"""The feed formats of SCORING.md §1 and the row-level checks applied when loading them.

A `FeedSpec` lists a source's CSV columns and how each is parsed; `parse_row` turns one CSV row
into the values stored, or raises `RowError` with the reason the reject report gives.
These are pure functions: the import service (scoring/services/feeds.py) does the I/O.
"""

import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from partners.geography import GST_STATE_CODE, UDYAM_STATE_CODE

from .choices import Category, MajorActivity, Source

# Patterns are matched whole (fullmatch) with ASCII classes: \d would take any Unicode digit.
UDYAM_RE = re.compile(r"UDYAM-([A-Z]{2})-([0-9]{2})-[0-9]{7}")
IFSC_RE = re.compile(r"[A-Z]{4}0[A-Z0-9]{6}")
CODE_RE = re.compile(r"[A-Z0-9/-]{1,32}")
MONTH_RE = re.compile(r"[0-9]{4}-[0-9]{2}")
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
FY_RE = re.compile(r"([0-9]{4})-([0-9]{2})")
NIC_RE = re.compile(r"[0-9]{2,5}")
# A number as a CSV writes one: optional sign, ASCII digits, an optional fraction and exponent.
# Not what Decimal() also takes: "1_000", "NaN", "Infinity", " 1 0", "٣" (any Unicode digit).
NUMBER_RE = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]{1,3})?")
SEPARATORS_RE = re.compile(r"[\s-]+")
MOBILE_RE = re.compile(r"[6-9][0-9]{9}")
MOBILE_SEPARATORS_RE = re.compile(r"[\s().-]+")
MAX_DECIMALS = 4
MAX_AMOUNT = Decimal("1e15")
STORED_PLACES = Decimal("0.0001")


class RowError(ValueError):
    """Why a row cannot be loaded; the message is the reject report's reason."""


def _required(name, raw):
    if raw == "":
        raise RowError(f"{name} is required")
    return raw


def text(name, raw):
    value = _required(name, raw.strip())
    if len(value) > 300:
        raise RowError(f"{name} is longer than 300 characters")
    return value


def udyam(name, raw):
    """A Udyam number in its one written form, UDYAM-JK-00-0000000 (spaces or repeated hyphens
    between the parts, and small letters, are read as that form). J&K's numbers only: one of
    another state can match no unit of the clinic."""
    value = _required(name, SEPARATORS_RE.sub("-", raw.strip().upper()))
    match = UDYAM_RE.fullmatch(value)
    if not match:
        raise RowError(f"{name} {raw!r} is not a Udyam number (UDYAM-XX-00-0000000)")
    if match[1] != UDYAM_STATE_CODE:
        raise RowError(f"{name} {raw!r} is a Udyam number of another state ({match[1]}), not J&K ({UDYAM_STATE_CODE})")
    return value


def udyam_district_code(number: str) -> str:
    """The district code a (parsed) Udyam number carries: its Census 2011 district number."""
    return number[9:11]


# A feed repeats each key every month: validate each distinct GSTIN/PAN once (python-stdnum's
# normalisation costs more than the rest of a row's checks).
_valid_gstin = lru_cache(maxsize=1 << 20)(stdnum_gstin.is_valid)
_valid_pan = lru_cache(maxsize=1 << 20)(stdnum_pan.is_valid)


def gstin(name, raw):
    """A GSTIN, stored compact (python-stdnum: no spaces or hyphens, capitals), of a J&K
    registration: its first two digits are the state's GST code."""
    value = _required(name, stdnum_gstin.compact(raw))
    if not _valid_gstin(value):
        raise RowError(f"{name} {raw!r} is not a valid GSTIN")
    if value[:2] != GST_STATE_CODE:
        raise RowError(f"{name} {raw!r} is registered in state {value[:2]}, not J&K ({GST_STATE_CODE})")
    return value


def pan(name, raw):
    value = _required(name, stdnum_pan.compact(raw))
    if not _valid_pan(value):
        raise RowError(f"{name} {raw!r} is not a valid PAN")
    return value


def ifsc(name, raw):
    value = _required(name, SEPARATORS_RE.sub("", raw.upper()))
    if not IFSC_RE.fullmatch(value):
        raise RowError(f"{name} {raw!r} is not an IFSC (4 letters, 0, 6 letters or digits)")
    return value


def code(name, raw):
    value = _required(name, raw.strip().upper())
    if not CODE_RE.fullmatch(value):
        raise RowError(f"{name} {raw!r} must be 1-32 letters, digits, '/' or '-'")
    return value


def nic(name, raw):
    value = _required(name, raw.strip())
    if not NIC_RE.fullmatch(value):
        raise RowError(f"{name} {raw!r} is not an NIC code (2 to 5 digits)")
    return value


def iso_date(name, raw):
    value = _required(name, raw.strip())
    try:
        # Only YYYY-MM-DD: fromisoformat also takes "20261018" and "2026-W42-7".
        return date.fromisoformat(value) if DATE_RE.fullmatch(value) else _bad_date(name, raw)
    except ValueError:
        return _bad_date(name, raw)


def _bad_date(name, raw):
    raise RowError(f"{name} {raw!r} is not a date (YYYY-MM-DD)")


def month(name, raw):
    value = _required(name, raw.strip())
    if MONTH_RE.fullmatch(value):
        year, mon = int(value[:4]), int(value[5:])
        if 1 <= mon <= 12 and year >= 1900:
            return date(year, mon, 1)
    raise RowError(f"{name} {raw!r} is not a month (YYYY-MM)")


def financial_year(name, raw):
    value = _required(name, raw.strip())
    match = FY_RE.fullmatch(value)
    if not match or (int(match[1]) + 1) % 100 != int(match[2]) or int(match[1]) < 1900:
        raise RowError(f"{name} {raw!r} is not a financial year (e.g. 2024-25)")
    return value


def _decimal(name, raw, signed):
    value = _required(name, raw.strip())
    if not NUMBER_RE.fullmatch(value):
        raise RowError(f"{name} {raw!r} is not a number")
    number = Decimal(value)
    if abs(number) >= MAX_AMOUNT:
        raise RowError(f"{name} {raw!r} is out of range")
    stored = number.quantize(STORED_PLACES)
    if stored != number:
        raise RowError(f"{name} {raw!r} has more than {MAX_DECIMALS} decimal places")
    if not signed and number < 0:
        raise RowError(f"{name} {raw!r} is negative")
    return stored.copy_abs() if stored == 0 else stored  # -0 is 0


def amount(name, raw):
    return _decimal(name, raw, signed=False)


def signed_amount(name, raw):
    return _decimal(name, raw, signed=True)


def count(name, raw):
    value = _required(name, raw.strip())
    # ASCII digits only: int() also takes "1_000", "+3", " 3" and any Unicode digit ("٣").
    if not (value.isascii() and value.isdigit()):
        raise RowError(f"{name} {raw!r} is not a whole number of zero or more")
    number = int(value)
    if number > 2_000_000_000:
        raise RowError(f"{name} {raw!r} is out of range")
    return number


def email(name, raw):
    """An e-mail address (Django's validator), stored with its domain in small letters."""
    value = _required(name, raw.strip())
    local, at, domain = value.rpartition("@")
    value = f"{local}@{domain.lower()}" if at else value
    if len(value) > 254:
        raise RowError(f"{name} is longer than 254 characters")
    try:
        validate_email(value)
    except ValidationError:
        raise RowError(f"{name} {raw!r} is not an e-mail address") from None
    return value


def mobile(name, raw):
    """An Indian mobile number, stored compact: its 10 digits (the first 6 to 9), without a +91,
    0091 or 0 before them, spaces, hyphens or brackets."""
    value = MOBILE_SEPARATORS_RE.sub("", _required(name, raw.strip()))
    for prefix, length in (("+91", 13), ("0091", 14), ("91", 12), ("0", 11)):
        if value.startswith(prefix) and len(value) == length:
            value = value[len(prefix) :]
            break
    if not MOBILE_RE.fullmatch(value):
        raise RowError(f"{name} {raw!r} is not an Indian mobile number (10 digits, the first 6 to 9)")
    return value


def choice(choices):
    allowed = {c.value for c in choices}

    def parse(name, raw):
        value = _required(name, raw.strip().lower())
        if value not in allowed:
            raise RowError(f"{name} {raw!r} must be one of {', '.join(sorted(allowed))}")
        return value

    parse.__choices__ = allowed  # for feed_lines' pattern
    return parse


def consumer_numbers(name, raw):
    numbers = [part.strip().upper() for part in raw.split(";") if part.strip()]
    for number in numbers:
        code(name, number)
    if len(set(numbers)) != len(numbers):
        raise RowError(f"{name} {raw!r} lists a consumer number twice")
    return numbers


def optional(parse: Callable) -> Callable:
    def parse_optional(name, raw):
        return None if raw.strip() == "" else parse(name, raw)

    parse_optional.__wrapped_optional__ = parse  # for feed_lines' pattern
    return parse_optional


def _gstin_carries_pan(values: dict):
    """A GSTIN's characters 3-12 are its holder's PAN: the profile's GSTIN must carry the unit's PAN."""
    if values["gstin"] and values["gstin"][2:12] != values["pan"]:
        raise RowError(f"gstin {values['gstin']} does not carry the unit's PAN {values['pan']}")


@dataclass(frozen=True)
class ProfileLink:
    """A record belongs to the unit whose Udyam profile has the same `column` (a GSTIN, an EPFO
    code, a Udyam number); the profile stores the column under the same name."""

    column: str


@dataclass(frozen=True)
class ConnectionLink:
    """A record belongs to the unit one of whose power connections (the profile's `;`-separated
    consumer numbers, stored one row each) has the same `column`."""

    column: str


@dataclass(frozen=True)
class Derived:
    """A stored column computed from a CSV column: `python` from its parsed value, `sql` (over the
    staging table's column) as PostgreSQL's staging table writes it."""

    name: str
    column: str
    python: Callable
    sql: str
    sql_type: str


@dataclass(frozen=True)
class FeedSpec:
    """One source's declaration: its CSV columns (SCORING.md §1) and how each is parsed, the
    stored record's key and model, how a record finds its unit, and what the rules read. The
    import (services/feeds), the scoring selectors, rules/sql.py and bench/run.py derive what they
    need from it (docs/extending.md, "A new feed")."""

    source: str
    columns: tuple[tuple[str, Callable], ...]  # every file has them, in this order
    key: tuple[str, ...]  # stored columns that identify the record, period included
    model: str = ""  # the scoring model one record is stored in
    link: ProfileLink | ConnectionLink | None = None  # how a record finds its unit (None: it is the unit)
    period: str | None = None  # the stored column the rules' windows read (SCORING.md §2)
    known_on: str | None = None  # the date a return was filed / dues remitted (SCORING.md §3's due periods)
    stored_as: dict[str, str | None] = field(default_factory=dict)  # stored under another name; None: not on the row
    derived: tuple[Derived, ...] = ()
    checks: tuple[Callable[[dict], None], ...] = ()  # checks across a row's values; raise RowError
    # Optional columns added later, after `columns` (added, never renamed): a file may lack them,
    # and a file without one leaves what is stored of it as it is.
    later: tuple[tuple[str, Callable], ...] = ()

    @property
    def headers(self) -> list[str]:
        """The columns every file of the source has."""
        return [name for name, _ in self.columns]

    @property
    def all_columns(self) -> tuple[tuple[str, Callable], ...]:
        return (*self.columns, *self.later)

    @property
    def all_headers(self) -> list[str]:
        """Every column a file of the source may have, in order: `headers`, then the later ones."""
        return [name for name, _ in self.all_columns]

    @property
    def stored_columns(self) -> tuple[str, ...]:
        """The columns of the record's row the file gives, in staging order: each CSV column under
        its stored name, a derived column right after the one it comes from; not the later ones."""
        after = {d.column: d.name for d in self.derived}
        stored = []
        for name, _ in self.columns:
            stored_name = self.stored_as.get(name, name)
            if stored_name is not None:
                stored.append(stored_name)
            if name in after:
                stored.append(after[name])
        return tuple(stored)

    @property
    def monthly(self) -> bool:
        """Whether a record is one month's (its period column is a month)."""
        return dict(self.columns).get(self.period) is month


SPECS = {
    Source.UDYAM: FeedSpec(
        Source.UDYAM,
        (
            ("udyam_number", udyam),
            ("enterprise_name", text),
            ("gstin", optional(gstin)),
            ("pan", pan),
            ("epfo_code", optional(code)),
            ("power_consumer_numbers", consumer_numbers),
            ("district", text),  # resolved to a district by the import service
            ("major_activity", choice(MajorActivity)),
            ("nic_code", nic),
            ("category", choice(Category)),
            ("date_of_commencement", iso_date),
            ("investment", amount),
            ("turnover", amount),
            ("employees", count),
        ),
        ("udyam_number",),
        model="Enterprise",
        stored_as={"district": "district_id", "power_consumer_numbers": None},  # connections: their own rows
        checks=(_gstin_carries_pan,),
        later=(("email", optional(email)), ("mobile", optional(mobile))),  # the owner's, for sign-in codes
    ),
    Source.GST: FeedSpec(
        Source.GST,
        (
            ("gstin", gstin),
            ("period", month),
            ("taxable_turnover", amount),
            ("tax_paid", amount),
            ("filed_on", optional(iso_date)),
        ),
        ("gstin", "period"),
        model="GstReturn",
        link=ProfileLink("gstin"),
        period="period",
        known_on="filed_on",
    ),
    Source.EPFO: FeedSpec(
        Source.EPFO,
        (
            ("epfo_code", code),
            ("wage_month", month),
            ("members", count),
            ("wages", amount),
            ("remitted_on", optional(iso_date)),
        ),
        ("epfo_code", "wage_month"),
        model="EpfoReturn",
        link=ProfileLink("epfo_code"),
        period="wage_month",
        known_on="remitted_on",
    ),
    Source.POWER: FeedSpec(
        Source.POWER,
        (
            ("consumer_number", code),
            ("bill_month", month),
            ("units_kwh", amount),
            ("sanctioned_load_kw", amount),
            ("billed", amount),
            ("paid", amount),
            ("arrears", amount),
        ),
        ("consumer_number", "bill_month"),
        model="PowerBill",
        link=ConnectionLink("consumer_number"),
        period="bill_month",
    ),
    Source.CREDIT: FeedSpec(
        Source.CREDIT,
        (
            ("udyam_number", udyam),
            ("ifsc", ifsc),
            ("account_ref", code),
            ("month", month),
            ("sanctioned_limit", amount),
            ("outstanding", amount),
            ("dpd", count),
            ("bounced_instruments", count),
            ("credits", amount),
        ),
        ("ifsc", "account_ref", "month"),
        model="CreditRecord",
        link=ProfileLink("udyam_number"),
        period="month",
    ),
    Source.FINANCIALS: FeedSpec(
        Source.FINANCIALS,
        (
            ("udyam_number", udyam),
            ("fy", financial_year),
            ("revenue", amount),
            ("net_profit", signed_amount),
        ),
        ("udyam_number", "year_end"),
        model="FinancialYear",
        link=ProfileLink("udyam_number"),
        period="year_end",
        derived=(Derived("year_end", "fy", lambda fy: int(fy[:4]) + 1, "substr(fy, 1, 4)::int + 1", "smallint"),),
    ),
}


def profile_flags() -> dict[str, str]:
    """`has_<column>` for each profile column a feed links on that a profile may lack (GSTIN, EPFO
    code): the rules read whether the unit has one (SCORING.md §3, "no data if the unit has no
    GSTIN"). Name -> the profile column."""
    udyam = dict(SPECS[Source.UDYAM].columns)
    return {
        f"has_{spec.link.column}": spec.link.column
        for spec in SPECS.values()
        if isinstance(spec.link, ProfileLink) and hasattr(udyam.get(spec.link.column), "__wrapped_optional__")
    }


def parse_row(spec: FeedSpec, row: dict[str, str]) -> dict:
    """The stored values of one CSV row (column name -> value), or RowError."""
    return parse_fields(spec, [row.get(name, "") for name in spec.all_headers])


def parse_fields(spec: FeedSpec, raw: list[str], received: date | None = None) -> dict:
    """As parse_row, for the raw fields in the spec's column order (the importer's fast path): its
    `columns`, then the `later` ones if given (a later column not given is None). With `received`
    (the day the file was received), a record of a later period is refused."""
    if len(raw) < len(spec.all_columns):
        raw = [*raw, *[""] * (len(spec.all_columns) - len(raw))]
    values = {name: parse(name, text) for (name, parse), text in zip(spec.all_columns, raw, strict=True)}
    for check in spec.checks:
        check(values)
    if received is not None:
        not_after(spec, values, received)
    for derived in spec.derived:
        values[derived.name] = derived.python(values[derived.column])
    return values


def base_parser(parse: Callable) -> Callable:
    """The parser an optional() column wraps, or the parser itself."""
    return getattr(parse, "__wrapped_optional__", parse)


def not_after(spec: FeedSpec, values: dict, received: date):
    """A file cannot hold a period after the month it was received in, nor a date after the day
    (a credit record for 2099-01 is an error, or an attempt to be counted a unit's bank)."""
    this_month = received.replace(day=1)
    for name, parse in spec.columns:
        value, kind = values[name], base_parser(parse)
        if value is None:
            continue
        if kind is month and value > this_month:
            raise RowError(f"{name} {value:%Y-%m} is after the month the file was received ({received:%Y-%m})")
        if kind is iso_date and value > received:
            raise RowError(f"{name} {value} is after the day the file was received ({received})")
        if kind is financial_year and date(int(value[:4]), 4, 1) > this_month:
            raise RowError(f"{name} {value} begins after the month the file was received ({received:%Y-%m})")


def digest(values: list) -> int:
    """A 64-bit fingerprint of a record's values: equal fingerprints mean an identical reload."""
    canonical = "\x1f".join("" if v is None else str(v) for v in values)
    return int.from_bytes(hashlib.blake2b(canonical.encode(), digest_size=8).digest(), "big", signed=True)
