"""Field parsers of the feed files (SCORING.md §1): each takes a column's name and raw text and
returns the value stored, or raises `RowError` with the reason the reject report gives. Pure
functions: identifiers in their compact form and of J&K only, numbers and dates only as a CSV
writes them (docs/feeds.md, "The rows")."""

import re
from collections.abc import Callable
from datetime import date
from decimal import Decimal
from functools import lru_cache

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from stdnum.in_ import gstin as stdnum_gstin
from stdnum.in_ import pan as stdnum_pan

from partners.geography import GST_STATE_CODE, UDYAM_STATE_CODE

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
