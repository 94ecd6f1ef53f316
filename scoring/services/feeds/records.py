"""Loading a feed's records (GST returns, EPFO returns, power bills, credit records, financial
years): each is stored under its own key and period and linked to the unit it matches, if any."""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from ...choices import Source
from ...feeds import SPECS
from ...models import CreditRecord, Enterprise, EpfoReturn, FinancialYear, GstReturn, PowerBill, PowerConnection
from .loading import FeedLoad, db_table


@dataclass(frozen=True)
class Target:
    model: type
    columns: tuple[str, ...]  # stored columns, in staging order
    conflict: tuple[str, ...]
    match: str  # SQL joined as `m` giving m.enterprise_id for a staged row `s`


def _stored(source) -> tuple[str, ...]:
    """A feed's stored columns are its CSV columns (SCORING.md §1), in the same order."""
    return tuple(SPECS[source].headers)


def _targets():
    ent, conn = db_table(Enterprise), db_table(PowerConnection)
    by_udyam = f"(SELECT id AS enterprise_id, udyam_number AS k FROM {ent}) m ON m.k = s.udyam_number"
    return {
        Source.GST: Target(
            GstReturn,
            _stored(Source.GST),
            ("gstin", "period"),
            f"(SELECT id AS enterprise_id, gstin AS k FROM {ent} WHERE gstin IS NOT NULL) m ON m.k = s.gstin",
        ),
        Source.EPFO: Target(
            EpfoReturn,
            _stored(Source.EPFO),
            ("epfo_code", "wage_month"),
            f"(SELECT id AS enterprise_id, epfo_code AS k FROM {ent} WHERE epfo_code IS NOT NULL) m "
            "ON m.k = s.epfo_code",
        ),
        Source.POWER: Target(
            PowerBill,
            _stored(Source.POWER),
            ("consumer_number", "bill_month"),
            f"{conn} m ON m.consumer_number = s.consumer_number",
        ),
        Source.CREDIT: Target(
            CreditRecord,
            _stored(Source.CREDIT),
            ("ifsc", "account_ref", "month"),
            by_udyam,
        ),
        Source.FINANCIALS: Target(
            FinancialYear,
            (*_stored(Source.FINANCIALS)[:2], "year_end", *_stored(Source.FINANCIALS)[2:]),
            ("udyam_number", "year_end"),
            by_udyam,
        ),
    }


class RecordLoad(FeedLoad):
    """A feed file's load: its records replace those of the same key and period, in load order."""

    def __init__(self, batch, spec, handle):
        super().__init__(batch, spec, handle)
        self.target = _targets()[spec.source]
        self.model = self.target.model
        self.columns = self.target.columns

    def _names(self):
        if self.postgres:
            # COPY takes a month as its YYYY-MM text: the staging table derives the date.
            return ["row_no", *(f"{h}_month" if h in self.month_columns else h for h in self.spec.headers)]
        return super()._names()

    def _generated_columns(self) -> list[str]:
        # What COPY does not take as it is, the table derives as each row is written: a month's
        # date from its YYYY-MM text, a financial year's end.
        columns = []
        for name in self.month_columns:
            text = f"{name}_month"
            month = f"make_date(substr({text}, 1, 4)::int, substr({text}, 6, 2)::int, 1)"
            columns.append(f"{name} date GENERATED ALWAYS AS ({month}) STORED")
        if self.spec.source == Source.FINANCIALS:
            columns.append("year_end smallint GENERATED ALWAYS AS (substr(fy, 1, 4)::int + 1) STORED")
        return columns

    def _merge(self):
        """Replace changed records, insert new ones, count: set-based, never a statement per row.
        Updating and inserting separately (not INSERT … ON CONFLICT) spares every new row a
        speculative insertion; the advisory lock taken in `run` keeps the split sound."""
        target = self.target
        table = db_table(target.model)
        self.stored = [*target.columns, "enterprise_id", "batch_id", "row_number", "digest"]
        self.values = [f"s.{c}" for c in target.columns] + ["m.enterprise_id", "%s", "s.row_no", "s.digest"]
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if not self.cursor.fetchone()[0] and self.postgres and self._insert_first_load(table):
            return
        self._dedupe(target.conflict)
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.stage}")
        total = self.cursor.fetchone()[0]
        self.cursor.execute(
            f"SELECT COUNT(*) FROM {self.stage} s LEFT JOIN {target.match} WHERE m.enterprise_id IS NULL"
        )
        self.batch.unmatched = self.cursor.fetchone()[0]
        # Which staged records have a stored record of the same key, and is it the same: one join.
        same_key = " AND ".join(f"t.{c} = s.{c}" for c in target.conflict)
        self.cursor.execute("DROP TABLE IF EXISTS stage_known")
        self.cursor.execute(
            f"CREATE TEMPORARY TABLE stage_known AS SELECT s.row_no, t.id, "
            f"CASE WHEN t.digest = s.digest THEN 1 ELSE 0 END AS same FROM {self.stage} s JOIN {table} t ON {same_key}"
        )
        if self.postgres:
            self.cursor.execute("ANALYZE stage_known")
        assignments = ", ".join(f"{c} = {v}" for c, v in zip(self.stored, self.values, strict=True))
        self.cursor.execute(
            f"UPDATE {table} SET {assignments} FROM {self.stage} s JOIN stage_known k ON k.row_no = s.row_no "
            f"LEFT JOIN {target.match} WHERE {table}.id = k.id AND k.same = 0",
            [self.batch.pk],
        )
        replaced = max(self.cursor.rowcount, 0)
        self.cursor.execute(
            f"INSERT INTO {table} ({', '.join(self.stored)}) SELECT {', '.join(self.values)} "
            f"FROM {self.stage} s LEFT JOIN {target.match} "
            "WHERE NOT EXISTS (SELECT 1 FROM stage_known k WHERE k.row_no = s.row_no)",
            [self.batch.pk],
        )
        inserted = max(self.cursor.rowcount, 0)
        self.cursor.execute("DROP TABLE stage_known")
        self.batch.inserted, self.batch.replaced = inserted, replaced
        self.batch.unchanged = total - inserted - replaced

    def _insert_first_load(self, table) -> bool:
        """Nothing of this source is stored yet: every record is new. The table's unique key finds
        two rows of the file with the same key, if any (the insert then fails and rolls back to
        its savepoint, and the general path drops the earlier rows first): False."""
        try:
            with transaction.atomic():
                self.cursor.execute(
                    f"WITH new AS (INSERT INTO {table} ({', '.join(self.stored)}) SELECT {', '.join(self.values)} "
                    f"FROM {self.stage} s LEFT JOIN {self.target.match} RETURNING enterprise_id) "
                    "SELECT COUNT(*), COUNT(*) - COUNT(enterprise_id) FROM new",
                    [self.batch.pk],
                )
                inserted, unmatched = self.cursor.fetchone()
        except IntegrityError:
            return False
        self.batch.inserted, self.batch.unmatched = inserted, unmatched
        return True
