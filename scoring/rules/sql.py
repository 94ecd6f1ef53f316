"""The rules of SCORING.md §3-§4 compiled to SQL (PostgreSQL), for scoring every unit set-based.

`assessment_sql(model, as_of)` turns a scoring model into the SELECT list and LATERAL steps that
compute, for each unit row of the per-feed aggregates (scoring/selectors.py, `_Plan` names them),
everything an assessment stores: each indicator's status, reported sub-score and measured values
(what measures.py computes, key for key), the score, coverage, band, overrides and distress
signals (what engine.py computes). The Python rules stay the reference: tests/scoring/
test_sql_rules.py checks that both give the same cards on random units.

Arithmetic is exact. PostgreSQL's numeric adds and multiplies exactly, so every sub-score is kept
as a fraction n/d (d > 0), the score as the fraction of the weighted sum, and each is rounded
half-up with integer division: round2(n/d) = div(200n + d, 2d) / 100. A distress signal is
n < threshold·d. Floats appear only in the measured values that the words show (wording.py): each
is the float nearest the exact figure, computed to 60 decimal places first.
"""

import json
import re
from dataclasses import dataclass
from datetime import date

from ..choices import Source
from ..feeds import SPECS, profile_flags
from .measures import epfo_due_periods
from .windows import due_periods
from .wording import NO_DATA, NOT_APPLICABLE, SCORED

# Unit attributes that `applies_to` may name, and their column on the unit (scoring_enterprise e).
UNIT_COLUMNS = {"major_activity": "e.major_activity", "category": "e.category"}
PLACES = 60  # decimal places of a quotient turned into a float for the words


def num(value) -> str:
    """A model number as an exact SQL numeric literal (a float by its repr, as numbers.exact)."""
    text = repr(value) if isinstance(value, float) else str(int(value))
    return f"{text}::numeric"


def text(value: str) -> str:
    return "'" + str(value).replace("'", "''") + "'"


def _json(value) -> str:
    """A constant as a SQL literal of its JSON text."""
    return text(json.dumps(value))


def _object(*pairs: tuple[str, str]) -> str:
    """SQL text of a JSON object from (key, SQL expression giving the value's JSON text) pairs.
    Built as text and cast to jsonb once per assessment: jsonb_build_object costs twice as much."""
    parts = []
    for i, (key, value) in enumerate(pairs):
        parts += [text(("{" if i == 0 else ", ") + json.dumps(key) + ": "), value]
    return f"concat({', '.join(parts)}, '}}')" if parts else "'{}'"


def _float(numerator: str, denominator: str) -> str:
    """The float nearest numerator/denominator (denominator > 0)."""
    return f"(round({numerator}, {PLACES}) / ({denominator}))::float8"


# A quoted literal or identifier (left as it is), or a name (group 1).
_TOKENS = re.compile(r"""'(?:[^']|'')*'|"[^"]*"|\b([a-z_][a-z0-9_]*)\b""")


class _Steps:
    """Named SQL expressions in successive LATERAL steps. A name goes in the step after the last
    one it reads, and each step is fenced with OFFSET 0, so that a name is computed once per unit
    rather than inlined wherever it is read. A cheap name (`inline`) is instead written out where
    it is read, which spares a step."""

    def __init__(self):
        self.level: dict[str, int] = {}
        self.inline: dict[str, str] = {}
        self.steps: list[list[tuple[str, str]]] = []

    def _tokens(self, sql: str):
        """The names `sql` reads: identifiers outside quoted literals and quoted identifiers."""
        return (m[1] for m in _TOKENS.finditer(sql) if m[1])

    def expand(self, sql: str) -> str:
        return _TOKENS.sub(lambda m: f"({self.inline[m[1]]})" if m[1] in self.inline else m[0], sql)

    def add(self, name: str, sql: str, inline: bool = False) -> str:
        assert name not in self.level, name
        sql = self.expand(sql)
        level = max((self.level[w] for w in self._tokens(sql) if w in self.level), default=-1) + 1
        if inline:
            self.inline[name] = sql
            self.level[name] = level - 1
            return name
        while len(self.steps) <= level:
            self.steps.append([])
        self.steps[level].append((name, sql))
        self.level[name] = level
        return name

    def lateral_sql(self) -> str:
        parts = []
        for level, names in enumerate(self.steps):
            select = ", ".join(f"{sql} AS {name}" for name, sql in names)
            parts.append(f"CROSS JOIN LATERAL (SELECT {select} OFFSET 0) l{level}")
        return "\n".join(parts)


@dataclass
class _Indicator:
    code: str
    weight: str  # SQL numeric literal
    applicable: str  # SQL boolean
    status: str  # name of a text column: scored / no_data
    n: str  # names of the sub-score's numerator and denominator (meaningful when scored)
    d: str
    values: str  # name of a jsonb column
    fractional: bool  # whether d can be other than 1


class AssessmentSql:
    """Compiles one model for one as-of date. `sources` are the aliases the FROM clause gives the
    per-feed aggregates: gst, credit, epfo, power (selectors._Plan's aggregates) and financials
    (latest, revenue, profit, prev_revenue, prev_profit)."""

    def __init__(self, model: dict, as_of: date):
        self.model, self.as_of = model, as_of
        self.s = _Steps()
        # Periods ending before the date of commencement are left out (no date: none is).
        self.s.add("first_month", "COALESCE(date_trunc('month', e.date_of_commencement)::date, DATE '-infinity')")
        # has_gstin, has_epfo_code: whether the unit's profile carries a feed's key (scoring/feeds/registry.py).
        for flag, column in profile_flags().items():
            self.s.add(flag, f"(e.{column} IS NOT NULL)", inline=True)
        self.indicators = [self._indicator(code, ind) for code, ind in model["indicators"].items()]
        self.last_band = f"band{len(model.get('overrides', []))}"
        self._totals()

    # -- the pieces ------------------------------------------------------------------------------

    def _indicator(self, code: str, ind: dict) -> _Indicator:
        kind = ind["measure"]["kind"]
        status, n, d, values, fractional = getattr(self, f"_{kind}")(code, ind)
        applicable = " AND ".join(
            f"{UNIT_COLUMNS[attribute]} IN ({', '.join(text(v) for v in allowed)})"
            for attribute, allowed in (ind.get("applies_to") or {}).items()
        )
        return _Indicator(code, num(ind["weight"]), f"({applicable or 'true'})", status, n, d, values, fractional)

    def _curve(self, code: str, points, a: str, b: str) -> tuple[str, str]:
        """n/d of curve(points, x) for x = a/b, b > 0: piecewise linear, flat beyond both ends."""
        (x0, s0), *_ = points
        n_cases, d_cases = [f"WHEN {a} <= {num(x0)} * {b} THEN {num(s0)}"], [f"WHEN {a} <= {num(x0)} * {b} THEN 1"]
        for (xa, sa), (xb, sb) in zip(points, points[1:], strict=False):
            width = f"({num(xb)} - {num(xa)})"
            n_cases.append(
                f"WHEN {a} <= {num(xb)} * {b} THEN {num(sa)} * {width} * {b} + ({a} - {num(xa)} * {b}) "
                f"* ({num(sb)} - {num(sa)})"
            )
            d_cases.append(f"WHEN {a} <= {num(xb)} * {b} THEN {width} * {b}")
        last = num(points[-1][1])
        n = self.s.add(f"{code}_n", f"CASE {' '.join(n_cases)} ELSE {last} END")
        d = self.s.add(f"{code}_d", f"CASE {' '.join(d_cases)} ELSE 1 END")
        return n, d

    def _periods(self, code: str, plan, source: str):
        """The due periods of filing_regularity / the EPFO part of payment_delays (SCORING.md §3):
        over the periods the unit had started by, the on time, late and missed counts, and the
        late and missed months as JSON arrays (most recent first, as measures.py lists them)."""
        on_time, late, kept, late_months, missed_months = [], [], [], [], []
        for i, due in enumerate(plan):
            status = f'COALESCE({source}."{code}__s{i}", 0)'  # 2 on time, 1 late, 0 missed
            started = f"first_month <= DATE '{due.period}'"
            month = _json(due.period.isoformat()[:7])
            kept.append(f"({started})::int")
            on_time.append(f"({started} AND {status} = 2)::int")
            late.append(f"({started} AND {status} = 1)::int")
            late_months.append(f"CASE WHEN {started} AND {status} = 1 THEN {month} END")
            missed_months.append(f"CASE WHEN {started} AND {status} NOT IN (1, 2) THEN {month} END")
        counted = self.s.add(f"{code}_counted", " + ".join(kept) or "0")
        on_time = self.s.add(f"{code}_on_time", " + ".join(on_time) or "0")
        late = self.s.add(f"{code}_late", " + ".join(late) or "0")
        missed = self.s.add(f"{code}_missed", f"{counted} - {on_time} - {late}")

        def months(items):
            return f"concat('[', concat_ws(', ', {', '.join(items)}), ']')" if items else "'[]'"

        return counted, on_time, late, missed, months(late_months), months(missed_months)

    # -- the measures (measures.py, function by function) -----------------------------------------

    def _yoy_mean_change(self, code, ind):
        measure, source = ind["measure"], ind["source"]
        k, n = measure["min_months"], measure["window_months"]
        rt = self.s.add(f"{code}_rt", f'COALESCE({source}."{code}__recent_total", 0)', inline=True)
        rn = self.s.add(f"{code}_rn", f'COALESCE({source}."{code}__recent_months", 0)', inline=True)
        pt = self.s.add(f"{code}_pt", f'COALESCE({source}."{code}__prior_total", 0)', inline=True)
        pn = self.s.add(f"{code}_pn", f'COALESCE({source}."{code}__prior_months", 0)', inline=True)
        data = self.s.add(f"{code}_data", f"({rn} >= {k} AND {pn} >= {k} AND {pt} <> 0)")
        # x = mean(R_n) / mean(P_n) - 1 = a / b
        a = self.s.add(f"{code}_a", f"({rt} * {pn} - {pt} * {rn})")
        b = self.s.add(f"{code}_b", f"CASE WHEN {data} THEN {pt} * {rn} ELSE 1 END")
        n_, d_ = self._curve(code, ind["curve"], a, b)
        counts = [("recent_months", rn), ("prior_months", pn), ("window_months", str(n))]
        means = [("recent_mean", _float(rt, rn)), ("prior_mean", _float(pt, pn)), ("change", _float(a, b))]
        values = self.s.add(
            f"{code}_values", f"CASE WHEN {data} THEN {_object(*counts, *means)} ELSE {_object(*counts)} END"
        )
        status = self.s.add(f"{code}_status", f"CASE WHEN {data} THEN '{SCORED}' ELSE '{NO_DATA}' END")
        return status, n_, d_, values, True

    def _filing_regularity(self, code, ind):
        measure, penalty = ind["measure"], ind["penalty"]
        plan = due_periods(self.as_of, measure["periods"], measure["due_day"])
        counted, on_time, late, missed, late_months, missed_months = self._periods(code, plan, "gst")
        history = self.s.add(f"{code}_history", f'COALESCE(gst."{code}__history", 0)', inline=True)
        status = self.s.add(
            f"{code}_status",
            f"CASE WHEN NOT has_gstin OR {history} = 0 OR {counted} < {measure['min_periods']} "
            f"THEN '{NO_DATA}' ELSE '{SCORED}' END",
        )
        n_ = self.s.add(
            f"{code}_n", f"GREATEST(0, 100 - {num(penalty['late'])} * {late} - {num(penalty['missed'])} * {missed})"
        )
        periods = _object(("periods", counted), ("on_time", on_time), ("late", late_months), ("missed", missed_months))
        values = self.s.add(
            f"{code}_values",
            f"CASE WHEN NOT has_gstin THEN {_json({'has_gstin': False})} "
            f"WHEN {history} = 0 THEN {_json({'history_records': 0})} ELSE {periods} END",
        )
        return status, n_, "1", values, False

    def _max_dpd(self, code, ind):
        worst = self.s.add(f"{code}_max", f'credit."{code}__max"', inline=True)
        bounced = self.s.add(f"{code}_bounced", f'COALESCE(credit."{code}__bounced", 0)', inline=True)
        steps = " ".join(f"WHEN {worst} <= {num(bound)} THEN {num(score)}" for bound, score in ind["steps"])
        base = f"CASE {steps} ELSE {num(ind['otherwise'])} END"
        n_ = self.s.add(f"{code}_n", f"GREATEST(0, {base} - {num(ind['penalty']['bounced_instrument'])} * {bounced})")
        status = self.s.add(f"{code}_status", f"CASE WHEN {worst} IS NULL THEN '{NO_DATA}' ELSE '{SCORED}' END")
        values = self.s.add(
            f"{code}_values",
            f"CASE WHEN {worst} IS NULL THEN '{{}}' "
            f"ELSE {_object(('max_dpd', worst), ('bounced_instruments', bounced))} END",
        )
        return status, n_, "1", values, False

    def _balance_growth(self, code, ind):
        now = self.s.add(f"{code}_now", f'COALESCE(credit."{code}__now_total", 0)', inline=True)
        then = self.s.add(f"{code}_then", f'COALESCE(credit."{code}__then_total", 0)', inline=True)
        records = f'(COALESCE(credit."{code}__now_records", 0) > 0 AND COALESCE(credit."{code}__then_records", 0) > 0)'
        records = self.s.add(f"{code}_records", records)
        data = self.s.add(f"{code}_data", f"({records} AND NOT ({then} = 0 AND {now} <> 0))")
        a = self.s.add(f"{code}_a", f"CASE WHEN {then} = 0 THEN 0 ELSE {now} - {then} END")
        b = self.s.add(f"{code}_b", f"CASE WHEN {then} = 0 THEN 1 ELSE {then} END")
        n_, d_ = self._curve(code, ind["curve"], a, b)
        amounts = [("now", f"{now}::float8"), ("then", f"{then}::float8")]
        values = self.s.add(
            f"{code}_values",
            f"CASE WHEN NOT {records} THEN '{{}}' WHEN NOT {data} THEN {_object(*amounts)} "
            f"ELSE {_object(*amounts, ('change', _float(a, b)))} END",
        )
        status = self.s.add(f"{code}_status", f"CASE WHEN {data} THEN '{SCORED}' ELSE '{NO_DATA}' END")
        return status, n_, d_, values, True

    def _payment_delays(self, code, ind):
        measure, penalty = ind["measure"], ind["penalty"]
        plan = epfo_due_periods(measure, self.as_of)
        _, _, late, missed, late_months, missed_months = self._periods(code, plan, "epfo")
        history = self.s.add(f"{code}_history", f'COALESCE(epfo."{code}__history", 0)', inline=True)
        bills = self.s.add(f"{code}_bills", f'COALESCE(power."{code}__bills", 0)', inline=True)
        arrears = self.s.add(f"{code}_arrears", f'COALESCE(power."{code}__arrears", 0)', inline=True)
        epfo_part = self.s.add(f"{code}_epfo", f"(has_epfo_code AND {history} > 0)")
        power_part = self.s.add(f"{code}_power", f"({bills} > 0)")
        n_ = self.s.add(
            f"{code}_n",
            f"GREATEST(0, 100 - CASE WHEN {epfo_part} THEN {num(penalty['epfo_late'])} * {late} "
            f"+ {num(penalty['epfo_missed'])} * {missed} ELSE 0 END "
            f"- CASE WHEN {power_part} THEN {num(penalty['power_arrear_month'])} * {arrears} ELSE 0 END)",
        )
        status = self.s.add(
            f"{code}_status", f"CASE WHEN {epfo_part} OR {power_part} THEN '{SCORED}' ELSE '{NO_DATA}' END"
        )
        epfo_pairs = f"concat('\"epfo_late\": ', {late_months}, ', \"epfo_missed\": ', {missed_months})"
        values = self.s.add(
            f"{code}_values",
            f"concat('{{', concat_ws(', ', CASE WHEN {epfo_part} THEN {epfo_pairs} END, "
            f"CASE WHEN {power_part} THEN concat('\"arrear_months\": ', {arrears}) END), '}}')",
        )
        return status, n_, "1", values, False

    def _margin_change(self, code, ind):
        latest = self.s.add(f"{code}_year", "financials.latest", inline=True)
        r = self.s.add(f"{code}_r", "financials.revenue", inline=True)
        p = self.s.add(f"{code}_p", "financials.profit", inline=True)
        pr = self.s.add(f"{code}_pr", "financials.prev_revenue", inline=True)
        pp = self.s.add(f"{code}_pp", "financials.prev_profit", inline=True)
        kind = self.s.add(
            f"{code}_kind",
            f"CASE WHEN {latest} IS NULL THEN 'none' WHEN {r} <= 0 THEN 'no_revenue' WHEN {p} < 0 THEN 'loss' "
            f"WHEN {pr} IS NULL OR {pr} <= 0 THEN 'no_previous' ELSE 'change' END",
        )
        # x = (margin_prev - margin_latest) × 100 = a / b
        a = self.s.add(f"{code}_a", f"CASE WHEN {kind} = 'change' THEN 100 * ({pp} * {r} - {p} * {pr}) ELSE 0 END")
        b = self.s.add(f"{code}_b", f"CASE WHEN {kind} = 'change' THEN {pr} * {r} ELSE 1 END")
        curve_n, curve_d = self._curve(f"{code}_c", ind["curve"], a, b)
        n_ = self.s.add(f"{code}_n", f"CASE WHEN {kind} = 'loss' THEN {num(ind['loss_score'])} ELSE {curve_n} END")
        d_ = self.s.add(f"{code}_d", f"CASE WHEN {kind} = 'loss' THEN 1 ELSE {curve_d} END")
        year = ("year", f"concat('\"', {latest} - 1, '-', lpad(mod({latest}, 100)::text, 2, '0'), '\"')")
        margin = ("margin", f"{_float(p, r)} * 100")
        change = [("previous_margin", f"{_float(pp, pr)} * 100"), ("fall_points", _float(a, b))]
        values = self.s.add(
            f"{code}_values",
            f"CASE {kind} WHEN 'none' THEN '{{}}' WHEN 'no_revenue' THEN {_object(year)} "
            f"WHEN 'change' THEN {_object(year, margin, *change)} ELSE {_object(year, margin)} END",
        )
        status = self.s.add(
            f"{code}_status", f"CASE WHEN {kind} IN ('loss', 'change') THEN '{SCORED}' ELSE '{NO_DATA}' END"
        )
        return status, n_, d_, values, True

    # -- §4: score, coverage, band, overrides, distress --------------------------------------------

    def _totals(self):
        inds, s = self.indicators, self.s
        for i in inds:
            s.add(f"{i.code}_scored", f"({i.applicable} AND {i.status} = '{SCORED}')")
            if i.fractional:
                s.add(f"{i.code}_den", f"CASE WHEN {i.applicable} AND {i.status} = '{SCORED}' THEN {i.d} ELSE 1 END")
        fractional = [i for i in inds if i.fractional]
        # score = Σ w·n/d / Σ w = N / (D·W): D the product of the denominators, N over them.
        s.add("w_applicable", " + ".join(f"CASE WHEN {i.applicable} THEN {i.weight} ELSE 0 END" for i in inds))
        s.add("w_data", " + ".join(f"CASE WHEN {i.code}_scored THEN {i.weight} ELSE 0 END" for i in inds))
        s.add("den", " * ".join(f"{i.code}_den" for i in fractional) or "1")
        terms = []
        for i in inds:
            others = [f"{j.code}_den" for j in fractional if j is not i]
            product = " * ".join([i.weight, i.n, *others])
            terms.append(f"CASE WHEN {i.code}_scored THEN {product} ELSE 0 END")
        s.add("num", " + ".join(terms))
        s.add(
            "score",
            "CASE WHEN w_data > 0 THEN (div(200 * num + den * w_data, 2 * den * w_data) / 100)::numeric(5, 2) END",
        )
        s.add(
            "coverage",
            "CASE WHEN w_applicable > 0 THEN "
            "(div(20000 * w_data + w_applicable, 2 * w_applicable) / 100)::numeric(5, 2) ELSE 0.00 END",
        )
        self._bands()

    def _bands(self):
        """The band of §4.3, then each override of §4.4 in order: an override reads the band the
        one before it left."""
        model, s = self.model, self.s
        cases = " ".join(f"WHEN score >= {num(b['min_score'])} THEN {text(b['code'])}" for b in model["bands"])
        insufficient = model["insufficient_data"]
        s.add(
            "band0",
            f"CASE WHEN score IS NULL OR coverage < {num(insufficient['min_coverage'])} THEN "
            f"{text(insufficient.get('code', 'insufficient_data'))} {cases} "
            f"ELSE {text(model['bands'][-1]['code'])} END",
        )
        ranking = [b["code"] for b in model["bands"]]
        dpd = 'credit."override_max_dpd"'
        for k, override in enumerate(model.get("overrides", []), start=1):
            before = f"band{k - 1}"
            hit = f"({dpd} IS NOT NULL AND {dpd} > {num(override['when']['max_dpd_over'])})"
            if "band" in override:
                target, applied = text(override["band"]), hit
            else:
                cap = override["cap_band"]
                better = ", ".join(text(c) for c in ranking[: ranking.index(cap) + 1])
                target, applied = text(cap), f"({hit} AND {before} IN ({better}))"
            s.add(f"applied{k}", applied)
            s.add(f"changed{k}", f"({before} <> {target})")
            s.add(f"band{k}", f"CASE WHEN {applied} THEN {target} ELSE {before} END")

    def result_columns(self) -> dict[str, str]:
        """The stored columns of an assessment, as SQL over the steps."""
        model = self.model
        indicators = []
        for i in self.indicators:
            sub_score = (
                f"CASE WHEN {i.code}_scored THEN concat('\"', "
                f"(div(200 * {i.n} + {i.d}, 2 * {i.d}) / 100)::numeric(7, 2), '\"') ELSE 'null' END"
            )
            status = f"CASE WHEN {i.applicable} THEN {i.status} ELSE '{NOT_APPLICABLE}' END"
            values = f"CASE WHEN {i.applicable} THEN {i.values} ELSE '{{}}' END"
            card = _object(("status", f"concat('\"', {status}, '\"')"), ("sub_score", sub_score), ("values", values))
            indicators.append(f"concat({_json(i.code)}, ': ', {card})")
        threshold = num(model["distress_below"])
        distress = ", ".join(
            f"CASE WHEN {i.code}_scored AND {i.n} < {threshold} * {i.d} THEN {_json(i.code)} END"
            for i in self.indicators
        )
        overrides = ", ".join(
            f"CASE WHEN applied{k} THEN concat({text(json.dumps({'code': o['code'], 'reason': o['reason']})[:-1])}, "
            f"', \"changed_band\": ', CASE WHEN changed{k} THEN 'true' ELSE 'false' END, '}}') END"
            for k, o in enumerate(model.get("overrides", []), start=1)
        )
        columns = {
            "score": "score",
            "coverage": "coverage",
            "band": self.last_band,
            "indicators": f"concat('{{', concat_ws(', ', {', '.join(indicators)}), '}}')::jsonb",
            "distress": f"concat('[', concat_ws(', ', {distress}), ']')::jsonb" if distress else "'[]'::jsonb",
            "overrides": f"concat('[', concat_ws(', ', {overrides}), ']')::jsonb" if overrides else "'[]'::jsonb",
        }
        return {column: self.s.expand(sql) for column, sql in columns.items()}

    def lateral_sql(self) -> str:
        """Every LATERAL step, from the measures to the last override."""
        return self.s.lateral_sql()


def financials_sql(table: str) -> str:
    """Per unit, the latest financial year that ended before T and the year before it (margin_change).
    Parameters: id_from, id_to, the latest year end allowed (windows.latest_year_end_before)."""
    year = SPECS[Source.FINANCIALS].period  # the year's end (scoring/feeds/registry.py)
    return (
        f"SELECT f.enterprise_id, f.{year} AS latest, f.revenue, f.net_profit AS profit, "
        "p.revenue AS prev_revenue, p.net_profit AS prev_profit FROM ("
        f"SELECT DISTINCT ON (enterprise_id) enterprise_id, {year}, revenue, net_profit FROM {table} "
        f"WHERE enterprise_id >= %s AND enterprise_id < %s AND {year} <= %s "
        f"ORDER BY enterprise_id, {year} DESC) f "
        f"LEFT JOIN {table} p ON p.enterprise_id = f.enterprise_id AND p.{year} = f.{year} - 1"
    )
