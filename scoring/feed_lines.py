"""Recognising canonical feed lines with regular expressions instead of parsing them field by field.

Checking a row field by field in Python (scoring/feeds/) costs ~50 µs; a feed of 24 million
records a month cannot afford it. Nearly every line of a real feed is canonical: no quotes, no
surrounding spaces, identifiers already upper-case, amounts as plain digits. `LinePattern`
recognises such lines (a whole block of them in one match) as the rows PostgreSQL's COPY stores
as they are; the checks a pattern cannot make (python-stdnum for GSTIN/PAN, calendar dates,
districts) are made once per distinct value. Any line it does not accept goes through
`feeds.parse_fields`, which stays the one definition of what is valid and of every reject
reason: a line the pattern accepts is one `parse_fields` accepts with the same stored values
(tests/scoring/test_feed_lines.py checks it).

The staging row of a feed keeps a month as its `YYYY-MM` text and a financial year as `fy`; the
staging table derives the stored date and year end (services/feeds/records.py).
"""

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache, partial

from partners.geography import GST_STATE_CODE, UDYAM_STATE_CODE

from . import feeds
from .choices import Source

# Fragments per parser of scoring/feeds/parsers.py. ASCII classes only ([0-9], not \d, which matches any Unicode
# digit), and no fragment matches a comma, a quote, a line end or surrounding whitespace.
_AMOUNT = r"[0-9]{1,15}(?:\.[0-9]{1,4})?"  # < 1e15, at most 4 places: exactly Decimal's value
_CODE = r"[A-Z0-9/-]{1,32}"
# A calendar date (what date.fromisoformat takes as YYYY-MM-DD), leap years included.
_YEAR = r"(?!0000)[0-9]{4}"
_LEAP_YEAR = r"(?:[0-9]{2}(?:0[48]|[2468][048]|[13579][26])|(?:0[48]|[2468][048]|[13579][26])00)"
_DATE = (
    rf"(?:{_YEAR}-(?:(?:0[1-9]|1[0-2])-(?:0[1-9]|1[0-9]|2[0-8])|(?:0[13-9]|1[0-2])-(?:29|30)|(?:0[13578]|1[02])-31)"
    rf"|{_LEAP_YEAR}-02-29)"
)
_FRAGMENTS: dict[Callable, str] = {
    feeds.udyam: rf"UDYAM-{UDYAM_STATE_CODE}-[0-9]{{2}}-[0-9]{{7}}",
    feeds.text: r'[^\s,"\x00\ud800-\udfff](?:[^,"\r\n\x00\ud800-\udfff]{0,298}[^\s,"\x00\ud800-\udfff])?',
    feeds.gstin: rf"{GST_STATE_CODE}[0-9A-Z]{{13}}",
    feeds.pan: r"[0-9A-Z]{10}",
    feeds.ifsc: r"[A-Z]{4}0[A-Z0-9]{6}",
    feeds.code: _CODE,
    feeds.nic: r"[0-9]{2,5}",
    feeds.iso_date: _DATE,
    feeds.month: r"(?:19|[2-9][0-9])[0-9]{2}-(?:0[1-9]|1[0-2])",
    feeds.financial_year: r"(?:19|[2-9][0-9])[0-9]{2}-[0-9]{2}",
    feeds.amount: _AMOUNT,
    feeds.signed_amount: "-?" + _AMOUNT,
    feeds.count: r"[0-9]{1,9}",  # < 2e9
    feeds.consumer_numbers: f"(?:{_CODE}(?:;{_CODE})*)?",
    feeds.mobile: r"[6-9][0-9]{9}",
    feeds.email: r"[A-Za-z0-9._%+-]{1,64}@[a-z0-9-]{1,63}(?:\.[a-z0-9-]{1,63}){1,8}",
}
_OTHER_COLUMN = r'[^,"\r\n\x00\ud800-\udfff]*'  # a column the file has beyond SCORING.md's


def _is_financial_year(value: str) -> bool:
    return (int(value[:4]) + 1) % 100 == int(value[5:])


def _is_stored_email(value: str) -> bool:
    """Whether parse_fields stores the address as it is written (valid, domain in small letters)."""
    try:
        return feeds.email("email", value) == value
    except feeds.RowError:
        return False


def _distinct_numbers(value: str) -> bool:
    numbers = value.split(";")
    return len(set(numbers)) == len(numbers)


# Checks a pattern cannot make, made once per distinct value.
_CHECKS: dict[Callable, Callable[[str], bool]] = {
    feeds.gstin: feeds._valid_gstin,
    feeds.pan: feeds._valid_pan,
    feeds.financial_year: _is_financial_year,
    feeds.consumer_numbers: _distinct_numbers,
    feeds.email: _is_stored_email,
}


def _fragment(parse: Callable, received: date | None = None) -> tuple[str, Callable | None, bool]:
    """(pattern, check, optional) of a column's parser, unwrapping feeds.optional and choices.
    Given the day a file was received, a period's or date's pattern takes none after it."""
    inner = getattr(parse, "__wrapped_optional__", None)
    if inner is not None:
        pattern, check, _ = _fragment(inner, received)
        return pattern, check, True
    allowed = getattr(parse, "__choices__", None)
    if allowed is not None:
        return "|".join(re.escape(v) for v in sorted(allowed)), None, False
    check = _CHECKS.get(parse)
    pattern = _FRAGMENTS[parse]
    bound = _last_allowed(parse, received)
    if bound is not None:
        pattern = f"(?={_not_above(bound)}){pattern}"
    return pattern, (partial(_cached, check) if check else None), False


@lru_cache(maxsize=1 << 20)
def _cached(check: Callable, value: str) -> bool:
    return bool(check(value))


def _last_allowed(parse: Callable, received: date | None) -> str | None:
    """The greatest text of a column of this kind that feeds.not_after lets through, compared as
    text of the same width: a month, a date, a financial year's first year."""
    if received is None:
        return None
    if parse is feeds.month:
        return f"{received:%Y-%m}"
    if parse is feeds.iso_date:
        return received.isoformat()
    if parse is feeds.financial_year:  # it begins in April of its first year
        return f"{received.year if received.month >= 4 else received.year - 1:04d}"
    return None


def _not_above(bound: str) -> str:
    """A pattern of the texts of `bound`'s shape (its digits any digit, its other characters as
    they are) that are not above it: a prefix of it, then a smaller digit, then anything."""
    shape = ["[0-9]" if c.isdigit() else re.escape(c) for c in bound]
    options = [
        re.escape(bound[:i]) + f"[0-{int(c) - 1}]" + "".join(shape[i + 1 :])
        for i, c in enumerate(bound)
        if c.isdigit() and c != "0"
    ]
    return "(?:" + "|".join([*options, re.escape(bound)]) + ")"


@dataclass
class LinePattern:
    """The canonical lines of one source's file, given the file's header (its column order and
    any extra columns), the day the file was received (`received`: no period after it) and, for a
    Udyam file, the districts by name: their ids and Census 2011 codes (a Udyam number's).

    - `block_is_canonical(text)` and `block_values_pass(lines)`: every line of a block is
      canonical, in the spec's column order, and every value passes its check; then each line
      is, as it is, the staging row.
    - `copy_line(line, row_no)`: the staging row (CSV, `row_no` first, then the spec's columns)
      of one canonical line, or None when the line must go through feeds.parse_fields.
    """

    spec: feeds.FeedSpec
    header: list[str]
    districts: dict[str, int] = field(default_factory=dict)
    received: date | None = None
    district_codes: dict[str, str] = field(default_factory=dict)  # name -> Census 2011 code

    def __post_init__(self):
        parsers = dict(self.spec.all_columns)
        groups, plain, checks, file_order = [], [], [], []
        for column in self.header:
            if column in parsers and column not in file_order:
                file_order.append(column)
                pattern, check, optional = _fragment(parsers[column], self.received)
                groups.append(f"({pattern})?" if optional else f"({pattern})")
                plain.append(f"(?:{pattern})?" if optional else f"(?:{pattern})")
                if check is not None:
                    checks.append((len(file_order), len(plain) - 1, check))
            else:
                groups.append(_OTHER_COLUMN)
                plain.append(_OTHER_COLUMN)
        self.regex = re.compile(",".join(groups) + r"\r?\n?")
        # A later column the file lacks reads as empty (its group past the last one: groups("") pads).
        absent = len(file_order)
        self.positions = [file_order.index(name) if name in file_order else absent for name in self.spec.all_headers]
        self.checks = [(group, check) for group, _, check in checks]
        if self.spec.source == Source.UDYAM:
            # A valid GSTIN carries a valid PAN, which must be the unit's: the PAN is checked with
            # python-stdnum only when the profile has no GSTIN (_copy_udyam).
            pan_group = file_order.index("pan") + 1
            self.checks = [(group, check) for group, check in self.checks if group != pan_group]
            self.pan_valid = partial(_cached, feeds._valid_pan)
        self.in_order = self.header == self.spec.headers
        self.block_regex = None
        if self.in_order and self.spec.source != Source.UDYAM:
            line = ",".join(plain)
            # Possessive: a block of lines is matched without keeping backtracking state per line.
            self.block_regex = re.compile(f"(?:{line}\n)*+(?:{line}\n?)?")
            self.block_checks = [(index, check) for _, index, check in checks]
        self.copy_line = self._copy_udyam if self.spec.source == Source.UDYAM else self._copy_feed
        # The Udyam profile's stored columns, from its fields: the district resolved to its id,
        # a column stored elsewhere (the consumer numbers) left out, the later ones staged last.
        names = self.spec.headers
        self.stored_fields = [i for i, name in enumerate(names) if self.spec.stored_as.get(name, name) is not None]
        self.field_index = {name: i for i, name in enumerate(names)}

    def block_is_canonical(self, block: str) -> bool:
        if self.block_regex is None or self.block_regex.fullmatch(block) is None:
            return False
        return True

    def block_values_pass(self, lines: list[str]) -> bool:
        """The checks a pattern cannot make, over the distinct values of a canonical block (its
        lines without their line ends)."""
        for index, check in self.block_checks:
            values = {line.split(",", index + 1)[index] for line in lines}
            values.discard("")
            if not all(check(value) for value in values):
                return False
        return True

    def fields(self, line: str) -> list[str] | None:
        """The spec's columns' raw texts in the spec's order, or None (not a canonical line)."""
        match = self.regex.fullmatch(line)
        if match is None:
            return None
        for group, check in self.checks:
            value = match.group(group)
            if value and not check(value):
                return None
        groups = (*match.groups(""), "")
        return [groups[p] for p in self.positions]

    def _copy_feed(self, line: str, row_no: int) -> str | None:
        fields = self.fields(line)
        if fields is None:
            return None
        return f"{row_no},{','.join(fields)}\n"

    def _copy_udyam(self, line: str, row_no: int) -> str | None:
        fields = self.fields(line)
        if fields is None:
            return None
        at = self.field_index
        gstin, pan = fields[at["gstin"]], fields[at["pan"]]
        if (gstin[2:12] != pan) if gstin else not self.pan_valid(pan):
            return None
        district = fields[at["district"]].lower()
        district_id = self.districts.get(district)
        if district_id is None:
            return None
        code = self.district_codes.get(district)
        if code and feeds.udyam_district_code(fields[at["udyam_number"]]) != code:
            return None
        fields[at["district"]] = str(district_id)
        stored = [fields[i] for i in self.stored_fields]
        later = fields[len(self.spec.columns) :]
        body = line.rstrip("\r\n")
        return f'{row_no},{",".join([*stored, *later])},"{body}",{fields[at["power_consumer_numbers"]]}\n'
