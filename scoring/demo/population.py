"""The demo population: each unit's profile, the feeds it has, and its hidden health trajectory.

A unit is drawn once (`sample_unit`) with everything its feeds need precomputed per month: the
activity level (growth x season x stress), the stress itself, the credit accounts' dpd paths. The
row builders in `writer.py` then do little more than add noise and format. Month index k runs over
the 30 months of the feeds, 0 = M0-30 ... 29 = M0-1 (SCORING.md §2).

What makes the band mix: a unit scores only if its feeds cover half the model's weight (SCORING.md
§4.3), so most units are drawn with a combination that does (GST and credit; GST and EPFO; credit
with EPFO or power; a manufacturer's GST, power and financials) and a few, on purpose, without;
then about 83% are healthy (some with one chronic weakness, some recovered from an old dip), 11.5%
mildly stressed and 5.5% severely, the stress starting 5 to 18 months before the as-of date.
"""

import math
from bisect import bisect
from dataclasses import dataclass
from datetime import date, timedelta
from itertools import accumulate

from ..rules.windows import add_months, latest_year_end_before
from . import identifiers as ids

MONTHS = 30

HEALTHY, MILD, SEVERE = "healthy", "mild", "severe"

# share of units; holder types of the PAN by category
ACTIVITIES = (("manufacturing", 0.30), ("services", 0.45), ("trading", 0.25))
CATEGORIES = (("micro", 0.93), ("small", 0.06), ("medium", 0.01))
HOLDERS = {
    "micro": (("P", 0.70), ("F", 0.18), ("C", 0.09), ("H", 0.03)),
    "small": (("C", 0.55), ("F", 0.33), ("P", 0.12)),
    "medium": (("C", 0.88), ("F", 0.12)),
}

# calendar-month activity factors (Jan..Dec): services peak with the summer tourist season
SEASON = {
    "manufacturing": (0.95, 0.93, 1.02, 1.0, 1.02, 1.0, 0.98, 0.98, 1.0, 1.04, 1.05, 1.03),
    "services": (0.82, 0.85, 0.95, 1.05, 1.15, 1.2, 1.15, 1.08, 1.05, 1.05, 0.88, 0.8),
    "trading": (0.95, 0.9, 1.0, 1.0, 1.0, 0.95, 0.95, 1.0, 1.0, 1.1, 1.15, 1.0),
}

# (NIC 2008 sub-class, trade) by activity; the trade goes into the enterprise name
TRADES = {
    "manufacturing": (
        ("32300", "Willow Bats"),
        ("16292", "Walnut Woodcraft"),
        ("13121", "Pashmina Weaves"),
        ("13931", "Carpets"),
        ("32909", "Papier Mache Crafts"),
        ("10799", "Agro Foods"),
        ("10795", "Spices"),
        ("10304", "Apple Processing"),
        ("25111", "Steel Fabricators"),
        ("23959", "Cement Products"),
        ("23921", "Brick Kiln"),
        ("22209", "Plastics"),
        ("17021", "Packaging"),
        ("31001", "Furniture"),
        ("10501", "Dairy Products"),
        ("10712", "Bakers"),
        ("10612", "Rice Mills"),
        ("10611", "Flour Mills"),
        ("21002", "Pharmaceuticals"),
        ("18112", "Printing Press"),
    ),
    "services": (
        ("55101", "Hotels"),
        ("55209", "Houseboats"),
        ("79110", "Tours & Travels"),
        ("49231", "Transport Co"),
        ("86905", "Diagnostics"),
        ("62011", "Infotech"),
        ("33120", "Engineering Works"),
        ("45200", "Auto Workshop"),
        ("56210", "Caterers"),
        ("55102", "Guest House"),
        ("52101", "Cold Storage"),
        ("53200", "Couriers"),
        ("96020", "Beauty Parlour"),
        ("85499", "Coaching Centre"),
        ("56101", "Restaurant"),
    ),
    "trading": (
        ("46909", "Traders"),
        ("46303", "Dry Fruits"),
        ("47521", "Hardware"),
        ("47711", "Cloth House"),
        ("47211", "General Store"),
        ("47721", "Medicos"),
        ("47420", "Electronics"),
        ("45300", "Auto Parts"),
        ("46692", "Fertilisers"),
        ("46632", "Timber Traders"),
        ("47611", "Book Depot"),
        ("46301", "Apple Traders"),
    ),
}
NAMES = (
    "Chinar", "Jhelum", "Tawi", "Chenab", "Dal", "Wular", "Lidder", "Zabarwan", "Harmukh", "Shalimar",
    "Nishat", "Gulmarg", "Pir Panjal", "Trikuta", "Shivalik", "Kesar", "Himalayan", "Valley", "Royal",
    "New", "Al-Noor", "Sheikh", "Bhat", "Mir", "Lone", "Wani", "Dar", "Shah", "Malik", "Rather", "Gupta",
    "Sharma", "Raina", "Kaul", "Singh", "Mahajan", "Khajuria", "Gandotra", "Manhas", "Jamwal",
)  # fmt: skip
SUFFIXES = {"P": ("", "", " Enterprises", " & Sons"), "F": (" & Co", " Associates", " LLP"), "C": (" Pvt Ltd",)}


def _cumulative(pairs):
    values = [v for v, _ in pairs]
    return values, list(accumulate(w for _, w in pairs))


def _pick(r, table):
    values, cumulative = table
    return values[bisect(cumulative, r() * cumulative[-1])]


_ACTIVITY = _cumulative(ACTIVITIES)
_CATEGORY = _cumulative(CATEGORIES)
_HOLDER = {k: _cumulative(v) for k, v in HOLDERS.items()}
_DISTRICT = _cumulative(list(ids.DISTRICT_WEIGHTS.items()))
_BANK = _cumulative([(b[0], b[2]) for b in ids.BANKS])
_BRANCHES = {}
for _b in ids.demo_bank_branches():
    _BRANCHES.setdefault((_b["bank"], _b["district"]), []).append(_b["ifsc"])


class Calendar:
    """The time axis of one demo as of T: the 30 months, their due dates, and ISO strings of days."""

    def __init__(self, as_of: date):
        self.as_of = as_of
        self.m0 = as_of.replace(day=1)
        self.months = [add_months(self.m0, k - MONTHS) for k in range(MONTHS)]
        self.month_str = [m.strftime("%Y-%m") for m in self.months]
        self.calendar_month = [m.month - 1 for m in self.months]
        # day index 0 = the first day of M0-30; a date after T is unknown on T: it is written empty
        self.day0 = self.months[0]
        self.today = (as_of - self.day0).days
        self.day_str = [(self.day0 + timedelta(days=i)).isoformat() for i in range(self.today + 1)]
        self.gst_due = [(add_months(m, 1).replace(day=20) - self.day0).days for m in self.months]
        self.epfo_due = [(add_months(m, 1).replace(day=15) - self.day0).days for m in self.months]
        latest = latest_year_end_before(as_of)
        self.year_ends = [latest - 2, latest - 1, latest]
        # month index of the middle of each financial year (1 October), may be before the window
        self.fy_mid = [(y - 1 - self.months[0].year) * 12 + (10 - self.months[0].month) for y in self.year_ends]


@dataclass(slots=True)
class Account:
    ifsc: str
    ref: str
    product: str  # "07" cash credit, "05" term loan
    limit: int
    opened: int  # first month index with a record
    share: float  # of the unit's bank credits (inflows) passing through this account
    util: float  # cash credit: usual utilisation of the limit
    drift: float  # cash credit: utilisation added each month (a unit drawing more and more)
    tenure: int  # term loan: months
    age: int  # term loan: months already repaid when its first record here was written
    dpd: list  # per month


@dataclass(slots=True)
class Unit:
    index: int
    udyam: str
    name: str
    pan: str
    gstin: str
    epfo: str
    consumers: list
    district: str
    activity: str
    nic: str
    category: str
    commencement: date
    start: int  # first month index with feeds (commencement)
    investment: int
    turnover: int  # annual, at the latest month
    employees: int
    health: str
    growth: float  # yearly, before any stress
    decline: list  # share of activity lost per month to stress (or an old dip)
    level: list  # activity level per month: growth x season x (1 - decline), 1 = the usual today
    stress: list  # behavioural stress per month, 0..1: late filings, part payments, overdues
    members: int  # EPFO members at the latest month
    wage: int
    gst_late: float  # propensity to file late when healthy
    epfo_late: float
    power_lapse: float  # chance of a part-paid power bill when healthy
    tax_rate: float
    power: list  # (load_kw, kwh per kw at level 1, tariff, fixed per kw) per consumer number
    accounts: list
    margin: float
    has_financials: bool


def sample_unit(r, index: int, cal: Calendar) -> Unit:
    """Draw unit `index` with the random source `r` (random.Random.random)."""
    district = _pick(r, _DISTRICT)
    activity = _pick(r, _ACTIVITY)
    category = _pick(r, _CATEGORY)
    holder = _pick(r, _HOLDER[category])
    nic, trade = TRADES[activity][int(r() * len(TRADES[activity]))]
    suffixes = SUFFIXES.get(holder, ("",))
    name = f"{NAMES[int(r() * len(NAMES))]} {trade}{suffixes[int(r() * len(suffixes))]}"
    if holder == "H":
        name += " (HUF)"
    initial = name[0] if holder != "P" else chr(65 + int(r() * 26))
    unit_pan = ids.pan(index, holder, initial, chr(65 + int(r() * 26)))

    # size: annual turnover, investment, employees (Udyam thresholds: micro <= 5 cr turnover)
    if category == "micro":
        turnover = min(45_000_000, max(300_000, 3_000_000 * math.exp(1.1 * (r() + r() + r() - 1.5))))
        investment = min(9_500_000, turnover * (0.08 + 0.4 * r()))
        employees = max(1, min(45, int(turnover / 700_000 * (0.5 + r()))))
    elif category == "small":
        turnover = 50_000_000 * math.exp(2.0 * r())
        investment = 10_000_000 + 80_000_000 * r()
        employees = 15 + int(100 * r())
    else:
        turnover = 500_000_000 * math.exp(1.4 * r())
        investment = 100_000_000 + 380_000_000 * r()
        employees = 80 + int(320 * r())

    # date of commencement: mostly years ago, a few within the last year
    x = r()
    if x < 0.04:
        days = 20 + int(340 * r())
    elif x < 0.09:
        days = 548 + int(548 * r())
    else:
        days = int(365 * (2.5 + min(40.0, -8.0 * math.log(1.0 - r()))))
    commencement = cal.m0 - timedelta(days=days)
    start = 0
    if commencement > cal.months[0]:
        start = (commencement.year - cal.months[0].year) * 12 + commencement.month - cal.months[0].month

    has_gst, has_credit, has_epfo, has_power, has_financials = _sources(r, activity, category, holder, employees)

    # the hidden trajectory
    health, onset, ramp, severity = _health(r)
    growth = 1.0 + ((-0.04 + 0.20 * r()) if health == HEALTHY else (-0.02 + 0.10 * r()))
    season = SEASON[activity]
    stress = [0.0] * MONTHS
    if onset is not None:
        for k in range(onset, MONTHS):
            stress[k] = min(1.0, (k - onset + 1) / ramp)
    decline = [severity * s for s in stress]
    if health == HEALTHY and r() < 0.08:  # recovered from a dip well before the last year
        dip_at, dip_len, dip_depth = 1 + int(9 * r()), 4 + int(5 * r()), 0.15 + 0.25 * r()
        for k in range(dip_at, min(MONTHS, dip_at + dip_len)):
            decline[k] = dip_depth
    level = [
        growth ** ((k - MONTHS + 1) / 12) * season[cal.calendar_month[k]] * (1 - decline[k]) for k in range(MONTHS)
    ]
    for k in range(start, min(MONTHS, start + 4) if start else 0):  # a new unit finds its feet
        level[k] *= 0.4 + 0.15 * (k - start)
    behaviour = min(1.0, severity / 0.6)
    stress = [s * behaviour for s in stress]

    # a healthy unit may still have one chronic weakness: a distress signal on a stable card
    # (0 late GST returns, 1 late EPFO dues, 2 power bills part-paid, 3 growing debt, 4 short loan delays)
    weakness = int(r() * 5) if health == HEALTHY and r() < 0.12 else -1
    gst_late = 0.25 if weakness == 0 else 0.03
    epfo_late = 0.25 if weakness == 1 else 0.03
    power_lapse = 0.30 if weakness == 2 else 0.03

    monthly = turnover / 12
    consumers, power = [], []
    if has_power:
        n = 2 if activity == "manufacturing" and r() < 0.2 else 1
        for c in range(n):
            consumers.append(ids.power_consumer_number(index, district, c))
            if activity == "manufacturing":
                load = round(max(5.0, min(2000.0, monthly / 20_000 * (0.5 + r()))) * 2) / 2
                power.append((load, 160 + 160 * r(), 5.2, 90))
            else:
                load = round(max(2.0, min(50.0, monthly / 60_000 * (0.5 + r()))) * 2) / 2
                power.append((load, 60 + 120 * r(), 6.5, 120))

    accounts = []
    if has_credit:
        n = 2 if r() < 0.25 or category != "micro" else 1
        bank = _pick(r, _BANK)
        worst = _final_dpd(r, health)
        for a in range(n):
            if a:
                bank = _pick(r, _BANK)
            branches = _BRANCHES[(bank, district)]
            product = "07" if (a == 0) == (r() < 0.7) else "05"
            if product == "07":  # cash credit: ~20-30% of turnover (working capital)
                limit = int(turnover * (0.15 + 0.15 * r()) / 1000) * 1000 + 50_000
                opened, tenure, age = start, 0, 0
            else:  # term loan against the unit's investment
                limit = int(investment * (0.4 + 0.4 * r()) / 1000) * 1000 + 100_000
                tenure = 36 + 12 * int(r() * 5)
                opened = start if r() < 0.9 else max(start, 1 + int(r() * 22))
                age = int(r() * (tenure - MONTHS)) if opened == 0 else 0
            accounts.append(
                Account(
                    ifsc=branches[int(r() * len(branches))],
                    ref=ids.account_ref(index, product, a),
                    product=product,
                    limit=limit,
                    opened=opened,
                    share=(0.55 + 0.45 * r()) / n if a == 0 or n == 1 else 0.25 * r(),
                    util=0.45 + 0.4 * r(),
                    drift=0.02 + 0.02 * r() if weakness == 3 else 0.0,
                    tenure=tenure,
                    age=age,
                    dpd=_dpd_path(r, worst if a == 0 else int(worst * r()), stress, slips=weakness == 4),
                )
            )

    if has_epfo:
        members = max(1, int(employees * (0.6 + 0.4 * r())))
    else:
        members = 0
    return Unit(
        index=index,
        udyam=ids.udyam_number(index, district),
        name=name,
        pan=unit_pan,
        gstin=ids.gstin(unit_pan) if has_gst else "",
        epfo=ids.epfo_code(index, district) if has_epfo else "",
        consumers=consumers,
        district=district,
        activity=activity,
        nic=nic,
        category=category,
        commencement=commencement,
        start=start,
        investment=int(investment / 1000) * 1000,
        turnover=int(turnover / 1000) * 1000,
        employees=employees,
        health=health,
        growth=growth,
        decline=decline,
        level=level,
        stress=stress,
        members=members,
        wage=9_000 + int(14_000 * r()),
        gst_late=gst_late,
        epfo_late=epfo_late,
        power_lapse=power_lapse,
        tax_rate=0.015 + 0.05 * r(),
        power=power,
        accounts=accounts,
        margin=0.03 + 0.09 * r(),
        has_financials=has_financials,
    )


def _sources(r, activity, category, holder, employees):
    """Which feeds the unit appears in: (gst, credit, epfo, power, financials)."""
    manufacturing = activity == "manufacturing"
    financials = r() < (0.75 if holder in "CF" else 0.38)
    if category != "micro":
        return True, True, employees >= 20 or r() < 0.5, manufacturing or r() < 0.6, holder != "P" or financials
    if r() < 0.035:  # little data on purpose: too little weight for a score (coverage under 50)
        y = r()
        if y < 0.7:  # GST, perhaps power or financials; a manufacturer never with both
            power = r() < (0.6 if manufacturing else 0.35)
            return True, False, False, power, financials and not (manufacturing and power)
        if y < 0.9:  # a loan account alone
            return False, True, False, False, False
        return False, False, False, r() < 0.5, financials  # the Udyam profile and little else
    x = r()
    if manufacturing and x >= 0.84:  # GST, power and financials: 50 of the 100 weight a manufacturer's card has
        return True, False, employees >= 20, True, True
    if x < (0.42 if manufacturing else 0.45):  # GST and a loan account
        gst, credit, epfo = True, True, r() < 0.08
    elif x < (0.62 if manufacturing else 0.77):  # GST and EPFO, no loan
        gst, credit, epfo = True, False, True
    else:  # a loan account without GST: with EPFO, or else at least a power connection
        gst, credit, epfo = False, True, r() < 0.15
    power = r() < (0.92 if manufacturing else 0.3) or not (gst or epfo)
    epfo = epfo or employees >= 20
    return gst, credit, epfo, power, financials


def _health(r):
    """(health, month index the stress begins, months until it is full, severity: the share of activity lost)."""
    x = r()
    if x < 0.83:
        return HEALTHY, None, 1, 0.0
    if x < 0.945:
        return MILD, 15 + int(10 * r()), 2 + int(5 * r()), 0.15 + 0.25 * r()
    return SEVERE, 12 + int(11 * r()), 3 + int(6 * r()), 0.4 + 0.45 * r()


def _final_dpd(r, health):
    """Days past due at M0-1 of the unit's worst account."""
    x = r()
    if health == HEALTHY:
        return 0
    if health == MILD:
        if x < 0.25:
            return int(16 * r())
        if x < 0.60:
            return 16 + int(30 * r())
        if x < 0.85:
            return 46 + int(15 * r())
        return 61 + int(29 * r())  # SMA-2
    if x < 0.20:
        return 31 + int(30 * r())
    if x < 0.55:
        return 61 + int(30 * r())
    return 91 + int(120 * r())  # NPA


def _dpd_path(r, final, stress, *, slips):
    """Days past due per month: overdue months accrue about 30 days each up to `final` at M0-1;
    before that, stress (or a habit of slipping) brings occasional short delays, soon regularised."""
    path = [0] * MONTHS
    overdue = (final + 29) // 30
    for j in range(overdue):
        path[MONTHS - 1 - j] = max(1, final - 30 * j)
    chance = 0.15 if slips else 0.02
    for k in range(MONTHS - overdue):
        if r() < chance + 0.3 * stress[k]:
            path[k] = 1 + int(r() * (20 + 40 * stress[k]))
    return path
