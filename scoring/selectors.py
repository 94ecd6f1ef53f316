"""Reads of the scoring app. `scoring_facts` gathers, in a handful of set-based queries per chunk
of units, every input the rules need (SCORING.md §2-§3): one aggregate query per feed, grouped by
unit, restricted to the months the model reads. Never a query per unit."""

from collections import defaultdict
from collections.abc import Iterator
from datetime import date

from django.db.models import Case, Count, IntegerField, Max, Q, QuerySet, Sum, Value, When

from . import models
from .choices import ConsentSource, Source
from .feeds import SPECS, profile_flags
from .models import Assessment, DataConsent, Enterprise, FinancialYear, ScoringModel
from .rules import UnitFacts
from .rules.measures import epfo_due_periods
from .rules.sql import financials_sql
from .rules.windows import add_months, due_periods, history, latest_year_end_before, month_start, prior, recent

# The monthly feeds the rules aggregate over month windows: (model, period column), from the
# feed registry (scoring/feeds/registry.py).
FEEDS = {str(spec.source): (getattr(models, spec.model), spec.period) for spec in SPECS.values() if spec.monthly}
GST, EPFO, POWER, CREDIT = (SPECS[source] for source in (Source.GST, Source.EPFO, Source.POWER, Source.CREDIT))
OVERRIDE_WINDOW = 3  # §4.4: "any dpd > 90 in R_3"


def scoring_model_get(*, version: int | None = None, name: str = "jkmhc-health") -> ScoringModel:
    """The model's given version (draft or not), or its latest published one;
    ScoringModel.DoesNotExist when there is none."""
    models = ScoringModel.objects.filter(name=name)
    if version is not None:
        return models.get(version=version)
    return models.filter(published_at__isnull=False).latest("version")


def _between(period_field: str, months: list[date]) -> Q:
    return Q(**{f"{period_field}__gte": min(months), f"{period_field}__lte": max(months)})


def _statuses(period_field, done_field, plan, as_of, prefix):
    """One aggregate per due period: 2 done by the due date, 1 done later but by T, 0 otherwise."""
    aggregates = {}
    for i, due in enumerate(plan):
        aggregates[f"{prefix}{i}"] = Max(
            Case(
                When(Q(**{f"{done_field}__lte": due.due}), then=Value(2)),
                When(Q(**{f"{done_field}__lte": as_of}), then=Value(1)),
                default=Value(0),
                output_field=IntegerField(),
            ),
            filter=Q(**{period_field: due.period}),
        )
    return aggregates


class _Plan:
    """The aggregates each feed query computes, and how to read a unit's inputs back from them."""

    def __init__(self, model_def: dict, as_of: date):
        self.as_of = as_of
        self.aggregates: dict[str, dict] = defaultdict(dict)
        self.earliest: dict[str, date] = {}
        self.readers = {}
        for code, indicator in model_def["indicators"].items():
            reader = getattr(self, f"_plan_{indicator['measure']['kind']}")(code, indicator)
            self.readers[code] = reader
        r3 = recent(as_of, OVERRIDE_WINDOW)
        self._add("credit", "override_max_dpd", Max("dpd", filter=_between(CREDIT.period, r3)), r3)

    def _add(self, source, name, aggregate, months):
        self.aggregates[source][name] = aggregate
        self.earliest[source] = min(self.earliest.get(source, date.max), min(months))

    def _plan_yoy_mean_change(self, code, indicator):
        measure = indicator["measure"]
        source, fld, n = indicator["source"], measure["field"], measure["window_months"]
        period = FEEDS[source][1]
        # §3: a GST period's value counts only if its return was filed by T
        known = Q(**{f"{GST.known_on}__lte": self.as_of}) if source == Source.GST else Q()
        for name, months in (("recent", recent(self.as_of, n)), ("prior", prior(self.as_of, n))):
            where = _between(period, months) & known
            self._add(source, f"{code}__{name}_total", Sum(fld, filter=where), months)
            self._add(source, f"{code}__{name}_months", Count(period, distinct=True, filter=where), months)

        def read(rows):
            row = rows.get(source, {})
            return {
                "recent_total": row.get(f"{code}__recent_total") or 0,
                "recent_months": row.get(f"{code}__recent_months") or 0,
                "prior_total": row.get(f"{code}__prior_total") or 0,
                "prior_months": row.get(f"{code}__prior_months") or 0,
            }

        return read

    def _plan_filing_regularity(self, code, indicator):
        measure = indicator["measure"]
        plan = due_periods(self.as_of, measure["periods"], measure["due_day"])
        for name, agg in _statuses(GST.period, GST.known_on, plan, self.as_of, f"{code}__s").items():
            self._add("gst", name, agg, [d.period for d in plan])
        first, last = history(self.as_of)
        self._add("gst", f"{code}__history", Count("id", filter=_between(GST.period, [first, last])), [first])

        def read(rows):
            row = rows.get("gst", {})
            return {
                "statuses": [(d.period.isoformat(), row.get(f"{code}__s{i}")) for i, d in enumerate(plan)],
                "history_records": row.get(f"{code}__history") or 0,
            }

        return read

    def _plan_max_dpd(self, code, indicator):
        months = recent(self.as_of, indicator["measure"]["window_months"])
        in_window = _between(CREDIT.period, months)
        self._add("credit", f"{code}__max", Max("dpd", filter=in_window), months)
        self._add("credit", f"{code}__bounced", Sum("bounced_instruments", filter=in_window), months)

        def read(rows):
            row = rows.get("credit", {})
            return {"max_dpd": row.get(f"{code}__max"), "bounced": row.get(f"{code}__bounced") or 0}

        return read

    def _plan_balance_growth(self, code, indicator):
        measure = indicator["measure"]
        fld = measure["field"]
        now = add_months(month_start(self.as_of), -1)
        then = add_months(now, -measure["months_apart"])
        for name, month in (("now", now), ("then", then)):
            in_month = Q(**{CREDIT.period: month})
            self._add("credit", f"{code}__{name}_total", Sum(fld, filter=in_month), [month])
            self._add("credit", f"{code}__{name}_records", Count("id", filter=in_month), [month])

        def read(rows):
            row = rows.get("credit", {})
            return {
                key: row.get(f"{code}__{key}") or 0
                for key in ("now_total", "now_records", "then_total", "then_records")
            }

        return read

    def _plan_payment_delays(self, code, indicator):
        measure = indicator["measure"]
        plan = epfo_due_periods(measure, self.as_of)
        for name, agg in _statuses(EPFO.period, EPFO.known_on, plan, self.as_of, f"{code}__s").items():
            self._add("epfo", name, agg, [d.period for d in plan])
        first, last = history(self.as_of)
        self._add("epfo", f"{code}__history", Count("id", filter=_between(EPFO.period, [first, last])), [first])
        r6 = recent(self.as_of, measure.get("power_window_months", 6))
        self._add("power", f"{code}__bills", Count("id", filter=_between(POWER.period, r6)), r6)
        arrears = _between(POWER.period, r6) & Q(arrears__gt=0)
        self._add("power", f"{code}__arrears", Count(POWER.period, distinct=True, filter=arrears), r6)

        def read(rows):
            epfo, power = rows.get("epfo", {}), rows.get("power", {})
            return {
                "epfo_statuses": [(d.period.isoformat(), epfo.get(f"{code}__s{i}")) for i, d in enumerate(plan)],
                "epfo_history_records": epfo.get(f"{code}__history") or 0,
                "power_bills": power.get(f"{code}__bills") or 0,
                "arrear_months": power.get(f"{code}__arrears") or 0,
            }

        return read

    def _plan_margin_change(self, code, indicator):
        self.aggregates.setdefault("financials", {})

        def read(rows):
            return {"years": rows.get("financials", {})}

        return read


def scoring_feed_querysets(*, plan: "_Plan", id_from: int | None = None, id_to: int | None = None) -> dict:
    """The aggregate query of each feed, one row per unit (all units when no id range is given)."""
    querysets = {}
    for source, aggregates in plan.aggregates.items():
        if source == "financials":
            year_end = SPECS[Source.FINANCIALS].period
            queryset = FinancialYear.objects.filter(**{f"{year_end}__lte": latest_year_end_before(plan.as_of)})
            fields = ("enterprise_id", year_end, "revenue", "net_profit")
            querysets[source] = _in_range(queryset, id_from, id_to).values_list(*fields)
            continue
        model, period = FEEDS[source]
        queryset = model.objects.filter(**{f"{period}__gte": plan.earliest[source]})
        querysets[source] = (
            _in_range(queryset, id_from, id_to).values("enterprise_id").annotate(**aggregates).order_by()
        )
    return querysets


def scoring_aggregates_sql(*, plan: "_Plan", id_from: int, id_to: int) -> list[tuple[str, str, list]]:
    """(alias, SQL, parameters) of each feed's aggregate query over the units id_from <= id < id_to,
    one row per unit: what rules/sql.py reads (PostgreSQL), and the bare aggregates the benchmark
    measures scoring against."""
    sources = []
    for source, queryset in scoring_feed_querysets(plan=plan, id_from=id_from, id_to=id_to).items():
        if source == "financials":
            cutoff = latest_year_end_before(plan.as_of)
            sources.append((source, financials_sql(FinancialYear._meta.db_table), [id_from, id_to, cutoff]))
            continue
        sql, params = queryset.query.sql_with_params()
        sources.append((source, sql, list(params)))
    return sources


def _in_range(queryset, id_from, id_to):
    if id_from is None:
        return queryset.filter(enterprise__isnull=False)
    return queryset.filter(enterprise_id__gte=id_from, enterprise_id__lt=id_to)


def scoring_plan(*, model_def: dict, as_of: date) -> "_Plan":
    return _Plan(model_def, as_of)


def scoring_facts(*, model_def: dict, as_of: date, id_from: int, id_to: int) -> Iterator[tuple[int, UnitFacts]]:
    """Facts for the units with id_from <= id < id_to, gathered with one query per feed."""
    plan = _Plan(model_def, as_of)
    rows: dict[int, dict] = defaultdict(dict)
    for source, queryset in scoring_feed_querysets(plan=plan, id_from=id_from, id_to=id_to).items():
        if source == "financials":
            for enterprise_id, year_end, revenue, profit in queryset:
                rows[enterprise_id].setdefault("financials", {})[year_end] = (revenue, profit)
            continue
        for row in queryset:
            rows[row.pop("enterprise_id")][source] = row
    flags = profile_flags()  # has_gstin, has_epfo_code: whether the profile carries the feed's key
    units = (
        Enterprise.objects.filter(id__gte=id_from, id__lt=id_to)
        .values_list("id", "major_activity", "category", "date_of_commencement", *flags.values())
        .order_by("id")
    )
    for enterprise_id, activity, category, commenced, *keys in units:
        unit_rows = rows.get(enterprise_id, {})
        yield (
            enterprise_id,
            UnitFacts(
                major_activity=activity,
                category=category,
                date_of_commencement=commenced,
                **{flag: bool(key) for flag, key in zip(flags, keys, strict=True)},
                inputs={code: read(unit_rows) for code, read in plan.readers.items()},
                max_dpd_r3=unit_rows.get("credit", {}).get("override_max_dpd"),
            ),
        )


def enterprise_id_bounds(*, chunk_size: int) -> list[tuple[int, int]]:
    """[id_from, id_to) ranges of about `chunk_size` units each, covering every unit."""
    bounds, start, count = [], None, 0
    last = None
    for pk in Enterprise.objects.order_by("id").values_list("id", flat=True).iterator(chunk_size=10000):
        if start is None:
            start = pk
        count += 1
        last = pk
        if count == chunk_size:
            bounds.append((start, pk + 1))
            start, count = None, 0
    if start is not None:
        bounds.append((start, last + 1))
    return bounds


def assessment_list(*, as_of: date, model: ScoringModel):
    return (
        Assessment.objects.filter(as_of=as_of, model=model)
        .select_related("enterprise")
        .order_by("enterprise__udyam_number")
    )


def latest_as_of(*, model: ScoringModel):
    """The most recent as-of date the model has assessments for (None if never run)."""
    return Assessment.objects.filter(model=model).order_by("-as_of").values_list("as_of", flat=True).first()


def consent_in_force(enterprise) -> dict[str, DataConsent | None]:
    """Each consent source of the unit and its latest row (None: never asked), in the order of
    ConsentSource; one query over the unit's history (index consent_latest)."""
    state: dict[str, DataConsent | None] = dict.fromkeys(ConsentSource.values)
    for consent in DataConsent.objects.filter(enterprise=enterprise).select_related("by").order_by("-at", "-id"):
        if state.get(consent.source) is None:
            state[consent.source] = consent
    return state


def consent_history(enterprise) -> QuerySet[DataConsent]:
    """Every grant and withdrawal for the unit, newest first."""
    return DataConsent.objects.filter(enterprise=enterprise).select_related("by").order_by("-at", "-id")


def enterprise_labels(*, ids) -> dict[int, str]:
    """partners.hooks.unit_labels: each unit's name as the pages show it (Enterprise.__str__)."""
    return {unit.pk: str(unit) for unit in Enterprise.objects.filter(pk__in=list(ids))}
