"""Loading a feed's records (GST returns, EPFO returns, power bills, credit records, financial
years): each is stored under its own key and period and linked to the unit it matches, if any."""

from django.db import IntegrityError, transaction

from ...feeds import ConnectionLink, ProfileLink
from ...models import Enterprise, PowerConnection
from .loading import FeedLoad, db_table, record_model


def match_sql(link) -> str:
    """SQL joined as `m`, giving m.enterprise_id, the unit a staged record `s` links to (if any)."""
    column = link.column
    if isinstance(link, ProfileLink):
        return (
            f"(SELECT id AS enterprise_id, {column} AS k FROM {db_table(Enterprise)} WHERE {column} IS NOT NULL) m "
            f"ON m.k = s.{column}"
        )
    if isinstance(link, ConnectionLink):
        return f"{db_table(PowerConnection)} m ON m.consumer_number = s.{column}"
    raise TypeError(f"no match for {link!r}")


class RecordLoad(FeedLoad):
    """A feed file's load: its records replace those of the same key and period, in load order."""

    def __init__(self, batch, spec, handle):
        super().__init__(batch, spec, handle)
        self.model = record_model(spec)
        self.columns = spec.stored_columns
        self.match = match_sql(spec.link)

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
        columns += [f"{d.name} {d.sql_type} GENERATED ALWAYS AS ({d.sql}) STORED" for d in self.spec.derived]
        return columns

    def _merge(self):
        """Replace changed records, insert new ones, count: set-based, never a statement per row.
        Updating and inserting separately (not INSERT … ON CONFLICT) spares every new row a
        speculative insertion; the advisory lock taken in `run` keeps the split sound."""
        table = db_table(self.model)
        key = self.spec.key
        self.stored = [*self.columns, "enterprise_id", "batch_id", "row_number", "digest"]
        self.values = [f"s.{c}" for c in self.columns] + ["m.enterprise_id", "%s", "s.row_no", "s.digest"]
        self.cursor.execute(f"SELECT EXISTS (SELECT 1 FROM {table})")
        if not self.cursor.fetchone()[0] and self.postgres and self._insert_first_load(table):
            return
        self._dedupe(key)
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.stage}")
        total = self.cursor.fetchone()[0]
        self.cursor.execute(f"SELECT COUNT(*) FROM {self.stage} s LEFT JOIN {self.match} WHERE m.enterprise_id IS NULL")
        self.batch.unmatched = self.cursor.fetchone()[0]
        # Which staged records have a stored record of the same key, and is it the same: one join.
        same_key = " AND ".join(f"t.{c} = s.{c}" for c in key)
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
            f"LEFT JOIN {self.match} WHERE {table}.id = k.id AND k.same = 0",
            [self.batch.pk],
        )
        replaced = max(self.cursor.rowcount, 0)
        self.cursor.execute(
            f"INSERT INTO {table} ({', '.join(self.stored)}) SELECT {', '.join(self.values)} "
            f"FROM {self.stage} s LEFT JOIN {self.match} "
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
                    f"FROM {self.stage} s LEFT JOIN {self.match} RETURNING enterprise_id) "
                    "SELECT COUNT(*), COUNT(*) - COUNT(enterprise_id) FROM new",
                    [self.batch.pk],
                )
                inserted, unmatched = self.cursor.fetchone()
        except IntegrityError:
            return False
        self.batch.inserted, self.batch.unmatched = inserted, unmatched
        return True
