"""Identifiers of the demo population: valid, unique, and derived from a unit's index alone.

Every serial is an affine bijection of the unit's index modulo the identifier's range (the
multiplier is coprime with the modulus), so two units never share an identifier, and an index
past the population (used for the deliberate records of unknown keys) never meets a real unit.
"""

from partners.geography import CENSUS_2011_DISTRICT_CODES, GST_STATE_CODE, JAMMU_DISTRICTS, KASHMIR_DISTRICTS

GSTIN_ALPHABET = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
JK_STATE_CODE = GST_STATE_CODE  # GST state code of Jammu & Kashmir

# The Udyam number's 2-digit district code: J&K's census 2011 district numbering, as the
# districts carry it (partners/geography.py; 03 and 04, Leh and Kargil, are Ladakh's now).
DISTRICT_CODES = dict(CENSUS_2011_DISTRICT_CODES)
# Relative number of registered MSMEs: the two capitals lead, the hill districts trail.
DISTRICT_WEIGHTS = {
    "Jammu": 17.0,
    "Srinagar": 15.0,
    "Baramulla": 7.0,
    "Anantnag": 6.5,
    "Kathua": 5.5,
    "Budgam": 5.0,
    "Pulwama": 4.5,
    "Kupwara": 4.5,
    "Udhampur": 4.0,
    "Rajouri": 4.0,
    "Samba": 3.0,
    "Kulgam": 3.0,
    "Ganderbal": 3.0,
    "Poonch": 3.0,
    "Doda": 2.5,
    "Bandipora": 2.5,
    "Shopian": 2.0,
    "Reasi": 2.0,
    "Ramban": 1.5,
    "Kishtwar": 1.5,
}
DISTRICT_ABBR = {
    "Jammu": "JMU",
    "Samba": "SMB",
    "Kathua": "KTH",
    "Udhampur": "UDH",
    "Reasi": "RSI",
    "Rajouri": "RJR",
    "Poonch": "PNC",
    "Doda": "DOD",
    "Ramban": "RMB",
    "Kishtwar": "KTW",
    "Srinagar": "SGR",
    "Budgam": "BDG",
    "Ganderbal": "GBL",
    "Anantnag": "ANG",
    "Kulgam": "KLG",
    "Pulwama": "PLW",
    "Shopian": "SHP",
    "Baramulla": "BRM",
    "Bandipora": "BDP",
    "Kupwara": "KPW",
}
DISTRICTS = [*JAMMU_DISTRICTS, *KASHMIR_DISTRICTS]
KASHMIR = frozenset(KASHMIR_DISTRICTS)
assert set(DISTRICTS) == set(DISTRICT_CODES) == set(DISTRICT_WEIGHTS) == set(DISTRICT_ABBR)

# (modulus, multiplier, offset) of each serial; multiplier coprime with modulus.
_UDYAM = (10**7, 3_141_593, 2_718_281)
_PAN = (26**3 * 9999, 104_729, 12_345_678)  # 26**3 * 9999 = 2**3 * 3**2 * 11 * 13**3 * 101
_EPFO = (10**7, 2_718_281, 1_414_213)
_POWER = (10**9, 1_618_033, 271_828_183)
_ACCOUNT = (10**9, 1_414_213, 577_215_664)


def _serial(index: int, spec: tuple[int, int, int]) -> int:
    modulus, multiplier, offset = spec
    return (index * multiplier + offset) % modulus


def udyam_number(index: int, district: str) -> str:
    return f"UDYAM-JK-{DISTRICT_CODES[district]}-{_serial(index, _UDYAM):07d}"


def pan(index: int, holder_type: str, initial: str, check: str) -> str:
    """AAA + holder type (P individual, F firm, C company, H HUF) + name initial + 0001-9999 + letter."""
    series, number = divmod(_serial(index, _PAN), 9999)
    a, rest = divmod(series, 26 * 26)
    b, c = divmod(rest, 26)
    return f"{chr(65 + a)}{chr(65 + b)}{chr(65 + c)}{holder_type}{initial}{number + 1:04d}{check}"


def gstin(unit_pan: str, entity: str = "1") -> str:
    """State 01, the PAN, the registration's number within the state, 'Z', the Luhn mod-36 check."""
    body = f"{JK_STATE_CODE}{unit_pan}{entity}Z"
    return body + gstin_check_character(body)


_VALUE = {c: i for i, c in enumerate(GSTIN_ALPHABET)}


def gstin_check_character(body: str) -> str:
    """The Luhn mod-36 check character of a GSTIN's first 14 characters: what
    stdnum.luhn.calc_check_digit(body, GSTIN_ALPHABET) gives, in a fifth of the time (once a unit)."""
    total, factor = 0, 2
    for char in reversed(body):
        addend = factor * _VALUE[char]
        total += addend // 36 + addend % 36
        factor = 3 - factor
    return GSTIN_ALPHABET[-total % 36]


def epfo_code(index: int, district: str) -> str:
    """Region JK, the EPFO office (Srinagar or Jammu), 7-digit establishment, 3-digit extension."""
    office = "SRG" if district in KASHMIR else "JMU"
    return f"JK{office}{_serial(index, _EPFO):07d}000"


def power_consumer_number(index: int, district: str, connection: int) -> str:
    """Kashmir and Jammu power distribution companies' consumer numbers."""
    discom = "KPDCL" if district in KASHMIR else "JPDCL"
    return f"{discom}{_serial(index, _POWER):09d}{connection}"


def account_ref(index: int, product: str, account: int) -> str:
    """Product code (07 cash credit, 05 term loan), a 9-digit serial, the unit's account number."""
    return f"{product}{_serial(index, _ACCOUNT):09d}{account}"


# Banks lending to MSMEs in J&K: (IFSC prefix, name, share of accounts, branches per district).
BANKS = (
    ("JAKA", "J&K Bank", 0.55, 4),
    ("SBIN", "State Bank of India", 0.20, 2),
    ("PUNB", "Punjab National Bank", 0.10, 2),
    ("HDFC", "HDFC Bank", 0.08, 1),
    ("UTIB", "Axis Bank", 0.07, 1),
)


def _branch_ifsc(bank: str, district: str, n: int) -> str:
    code = int(DISTRICT_CODES[district])
    if bank == "JAKA":
        return f"JAKA0{DISTRICT_ABBR[district]}{n + 1:03d}"
    if bank == "SBIN":
        return f"SBIN0{1000 + code * 97 + n * 13:06d}"
    if bank == "PUNB":
        return f"PUNB0{100 + code * 31 + n * 7:04d}00"
    if bank == "HDFC":
        return f"HDFC000{2000 + code * 11 + n:04d}"
    return f"UTIB000{1000 + code * 17 + n:04d}"


def demo_bank_branches() -> list[dict]:
    """The branches the demo's loan accounts are held at: ifsc, bank (IFSC prefix), bank_name,
    district, name. A small fixed set, so that a demo bank organisation can be seeded to match."""
    branches = []
    for bank, bank_name, _, per_district in BANKS:
        for district in DISTRICTS:
            for n in range(per_district):
                branches.append(
                    {
                        "ifsc": _branch_ifsc(bank, district, n),
                        "bank": bank,
                        "bank_name": bank_name,
                        "district": district,
                        "name": f"{bank_name}, {district}" + (f" branch {n + 1}" if per_district > 1 else ""),
                    }
                )
    return branches
