"""The feed registry: one declaration per source (SCORING.md §1) in `SPECS`, and the row-level
checks that combine a row's fields. `parse_row` turns one CSV row into the values stored, or
raises `RowError`. Pure: the import service (scoring/services/feeds/) does the I/O; it, the
scoring selectors, rules/sql.py and bench/run.py derive what they need from the declarations
(docs/extending.md, "A new feed")."""

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date

from ..choices import Category, MajorActivity, Source
from .parsers import (
    RowError,
    amount,
    choice,
    code,
    consumer_numbers,
    count,
    email,
    financial_year,
    gstin,
    ifsc,
    iso_date,
    mobile,
    month,
    nic,
    optional,
    pan,
    signed_amount,
    text,
    udyam,
)


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
