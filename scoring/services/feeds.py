"""Loading feed files (SCORING.md §1): validate each row, stage the good ones, merge set-based.

The merge is a few SQL statements over a staging table, not a query per row: rows are checked in
Python (streamed, bounded memory), copied into a temporary table (PostgreSQL COPY; executemany on
SQLite), de-duplicated within the file (the later row wins), counted against what is stored, and
upserted with ON CONFLICT. An identical reload changes nothing: a record whose digest is unchanged
is not written. A record whose key matches no unit is stored unmatched (enterprise NULL) and is
linked when a Udyam profile with that key is loaded.
"""

import csv
import hashlib
import itertools
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.utils import timezone

from partners.models import District

from ..choices import BatchStatus, Source
from ..feed_lines import LinePattern
from ..feeds import SPECS, FeedSpec, RowError, digest, month, parse_fields
from ..models import (
    CreditRecord,
    Enterprise,
    EpfoReturn,
    FeedReject,
    FinancialYear,
    GstReturn,
    ImportBatch,
    PowerBill,
    PowerConnection,
)

logger = logging.getLogger(__name__)

STAGE_ROWS = 10_000  # rows per executemany on SQLite, and per reject flush
BLOCK_BYTES = 1 << 20  # the file is read, checked and copied a block of lines at a time
LOCK_NAMESPACE = 7_301  # pg_advisory_xact_lock(namespace, source): one load of a source at a time


class FeedFileError(Exception):
    """The file itself cannot be read as this source (missing, not UTF-8 CSV, wrong headers)."""


@dataclass(frozen=True)
class Target:
    model: type
    columns: tuple[str, ...]  # stored columns, in staging order
    conflict: tuple[str, ...]
    match: str  # SQL joined as `m` giving m.enterprise_id for a staged row `s`


def _t(model) -> str:
    return model._meta.db_table


def _stored(source) -> tuple[str, ...]:
    """A feed's stored columns are its CSV columns (SCORING.md §1), in the same order."""
    return tuple(SPECS[source].headers)


def _targets():
    ent, conn = _t(Enterprise), _t(PowerConnection)
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


# The feed tables a Udyam profile links, and the profile column each one's key is matched on.
LINKS = (
    (GstReturn, "gstin", "gstin"),
    (EpfoReturn, "epfo_code", "epfo_code"),
    (CreditRecord, "udyam_number", "udyam_number"),
    (FinancialYear, "udyam_number", "udyam_number"),
)
UDYAM_COLUMNS = (
    "udyam_number",
    "enterprise_name",
    "gstin",
    "pan",
    "epfo_code",
    "district_id",
    "major_activity",
    "nic_code",
    "category",
    "date_of_commencement",
    "investment",
    "turnover",
    "employees",
)


def feed_import(*, source: str, path: Path, user=None) -> ImportBatch:
    """Load one feed file; returns its batch with the counts. Every row is either stored or
    rejected with its reason (FeedReject rows and a CSV report); raises FeedFileError, after
    recording the batch as failed, only when the file itself cannot be read."""
    source = Source(source)
    path = Path(path)
    batch = ImportBatch.objects.create(source=source, file_name=str(path), received_at=timezone.now(), created_by=user)
    try:
        batch.file_sha256 = _sha256(path)
        with path.open(newline="", encoding="utf-8-sig") as handle:
            with transaction.atomic():
                _FeedLoad(batch, SPECS[source], handle).run()
    except (OSError, UnicodeDecodeError, csv.Error, FeedFileError) as exc:
        batch.status = BatchStatus.FAILED
        batch.error = f"{type(exc).__name__}: {exc}" if not isinstance(exc, FeedFileError) else str(exc)
        batch.finished_at = timezone.now()
        batch.save()
        raise FeedFileError(batch.error) from exc
    batch.status = BatchStatus.DONE
    batch.finished_at = timezone.now()
    with transaction.atomic():
        batch.save()
        # Rows were rejected: the department (and whoever loaded the file) is told, with the report.
        from notifications.services import notify_import_rejects

        notify_import_rejects(batch)
    return batch


def _sha256(path: Path) -> str:
    sha = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            sha.update(block)
    return sha.hexdigest()


class _FeedLoad:
    """One file's load, inside the caller's transaction."""

    def __init__(self, batch: ImportBatch, spec: FeedSpec, handle):
        self.batch, self.spec, self.handle = batch, spec, handle
        self.is_udyam = spec.source == Source.UDYAM
        self.target = None if self.is_udyam else _targets()[spec.source]
        self.columns = UDYAM_COLUMNS if self.is_udyam else self.target.columns
        self.stage = f"stage_{spec.source}"
        self.rejects: list[FeedReject] = []
        self.report = None
        self.cursor = connection.cursor()
        self.postgres = connection.vendor == "postgresql"
        self.districts = {d.name.lower(): d.id for d in District.objects.all()} if self.is_udyam else {}
        self.month_columns = [name for name, parse in spec.columns if parse is month]

    # -- reading and checking ---------------------------------------------------------------

    def run(self):
        reader = csv.reader(self.handle)
        header = next(reader, None)
        if header is None:
            raise FeedFileError("the file is empty: expected a header row")
        header = [h.strip().lower() for h in header]
        missing = [h for h in self.spec.headers if h not in header]
        if missing:
            raise FeedFileError(
                f"not a {self.spec.source} file: missing column(s) {', '.join(missing)} "
                f"(expected {', '.join(self.spec.headers)})"
            )
        if self.postgres:
            # One load of a source at a time: "later" is load order (SCORING.md §1), and the merge
            # below tells new keys from stored ones before it writes.
            self.cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, self.spec.source])
            self.cursor.execute("SET LOCAL work_mem = '256MB'")
        self._create_stage()
        if self.postgres:
            staged = self._copy_lines(header, reader.line_num)
        else:
            staged = self._insert_rows(self._good_rows(reader, header))
        self.batch.rows = staged + len(self.rejects) + self.batch.rejected
        self._flush_rejects()
        if self.postgres:
            # Autovacuum never analyzes temporary tables: without statistics the planner takes the
            # staging table for empty and nests loops over it.
            self.cursor.execute(f"ANALYZE {self.stage}")
        if self.is_udyam:
            self._merge_udyam()
        else:
            self._merge_feed()
        self._flush_rejects()
        self._drop_stage()
        if self.report:
            self.report.close()

    def _checked(self, row_number: int, row: list[str], positions: list[int], width: int) -> dict | None:
        """The stored values of a CSV record, or None: a blank line, or a row rejected with its reason."""
        if not row or (len(row) == 1 and not row[0].strip()):
            return None  # blank line
        if len(row) != width:
            self._reject(row_number, f"expected {width} fields, found {len(row)}", row)
            return None
        try:
            values = parse_fields(self.spec, [row[i] for i in positions])
            if self.is_udyam:
                district = self.districts.get(values["district"].lower())
                if district is None:
                    raise RowError(f"district {values['district']!r} is not a district of J&K")
                values["district_id"] = district
        except RowError as exc:
            self._reject(row_number, str(exc), row)
            return None
        return values

    def _good_rows(self, reader, header):
        """Staging rows checked field by field (feeds.parse_fields), with their digests."""
        width = len(header)
        positions = [header.index(name) for name in self.spec.headers]
        line = reader.line_num
        for row in reader:
            row_number, line = line + 1, reader.line_num
            values = self._checked(row_number, row, positions, width)
            if values is None:
                continue
            stored = [values[c] for c in self.columns]
            if self.is_udyam:
                numbers = ";".join(values["power_consumer_numbers"])
                yield [row_number, *stored, _raw(row), numbers, digest([*stored, numbers])]
            else:
                yield [row_number, *stored, digest(stored)]

    def _copy_lines(self, header: list[str], line_no: int) -> int:
        """COPY the file's rows into the staging table (PostgreSQL) and return how many. A block of
        canonical lines (feed_lines.LinePattern) goes through as it is, numbered; a block with any
        other line goes line by line, and a line that is not canonical is parsed and checked by
        feeds.parse_fields."""
        width = len(header)
        positions = [header.index(name) for name in self.spec.headers]
        pattern = LinePattern(self.spec, header, self.districts)
        copy_line = pattern.copy_line
        out: list[str] = []
        write_parsed = csv.writer(_Appender(out), lineterminator="\n").writerow
        lines = _Lines(self.handle)
        staged = 0
        with self.cursor.cursor.copy(f"COPY {self.stage} ({', '.join(self._names())}) FROM STDIN (FORMAT csv)") as copy:
            while block := self.handle.readlines(BLOCK_BYTES):
                if not block[-1].endswith("\n"):
                    block[-1] += "\n"  # the file's last line
                text = "".join(block)
                if "\r" not in text and pattern.block_is_canonical(text) and pattern.block_values_pass(block):
                    copy.write("".join(map("{},{}".format, range(line_no + 1, line_no + 1 + len(block)), block)))
                    line_no += len(block)
                    staged += len(block)
                    continue
                lines.buffer(block)
                while lines.buffered:
                    line = next(lines)
                    line_no += 1
                    row_text = copy_line(line, line_no)
                    if row_text is not None:
                        out.append(row_text)
                        staged += 1
                        continue
                    # Parse the record as csv would (it may run over several lines, in quotes).
                    reader = csv.reader(itertools.chain([line], lines))
                    row = next(reader)
                    row_number, line_no = line_no, line_no + reader.line_num - 1
                    values = self._checked(row_number, row, positions, width)
                    if values is not None:
                        write_parsed([row_number, *self._staged_texts(values, row)])
                        staged += 1
                copy.write("".join(out))
                out.clear()
        return staged

    def _staged_texts(self, values: dict, row: list[str]) -> list:
        """A checked row as the PostgreSQL staging table takes it: the spec's columns, a month as
        its `YYYY-MM` text (the table derives the stored date and year end)."""
        if self.is_udyam:
            numbers = ";".join(values["power_consumer_numbers"])
            return [*(values[c] for c in self.columns), _raw(row), numbers]
        return [f"{v:%Y-%m}" if name in self.month_columns else v for name, v in self._spec_values(values)]

    def _spec_values(self, values):
        return ((name, values[name]) for name in self.spec.headers)

    def _reject(self, row_number, reason, row):
        self.rejects.append(FeedReject(batch=self.batch, row_number=row_number, reason=reason, raw=_raw(row)))
        if len(self.rejects) >= STAGE_ROWS:
            self._flush_rejects()

    def _flush_rejects(self):
        if not self.rejects:
            return
        if self.report is None:
            directory = Path(settings.FEED_REJECT_DIR)
            directory.mkdir(parents=True, exist_ok=True)
            path = directory / f"batch-{self.batch.pk}-{self.spec.source}-rejects.csv"
            self.report = path.open("w", newline="", encoding="utf-8")
            self.report_writer = csv.writer(self.report)
            self.report_writer.writerow(["row_number", "reason", "row"])
            self.batch.reject_report = str(path)
        FeedReject.objects.bulk_create(self.rejects, batch_size=STAGE_ROWS)
        self.report_writer.writerows((r.row_number, r.reason, r.raw) for r in self.rejects)
        self.batch.rejected += len(self.rejects)
        self.rejects = []

    # -- staging ----------------------------------------------------------------------------

    def _names(self):
        """The staging table's columns that are written, in order."""
        if self.postgres and not self.is_udyam:
            return ["row_no", *(f"{h}_month" if h in self.month_columns else h for h in self.spec.headers)]
        names = ["row_no", *self.columns]
        if self.is_udyam:
            names += ["raw", "consumer_numbers"]
        return names if self.postgres else [*names, "digest"]

    def _create_stage(self):
        self._drop_stage()
        model = Enterprise if self.is_udyam else self.target.model
        fields = {f.column: f for f in model._meta.concrete_fields}
        names = self._names()
        columns = [
            f"{c} {'text' if c in ('raw', 'consumer_numbers') or c.endswith('_month') else 'integer'}"
            if c not in fields
            else f"{c} {fields[c].db_type(connection)}"
            for c in names
        ]
        written = [c for c in columns if c.split()[0] not in ("row_no", "raw")]
        if self.postgres:
            # What COPY does not take as it is, the table derives as each row is written: a month's
            # date from its YYYY-MM text, a financial year's end, and the digest of the values.
            for name in self.month_columns:
                text = f"{name}_month"
                month = f"make_date(substr({text}, 1, 4)::int, substr({text}, 6, 2)::int, 1)"
                columns.append(f"{name} date GENERATED ALWAYS AS ({month}) STORED")
            if self.spec.source == Source.FINANCIALS:
                columns.append("year_end smallint GENERATED ALWAYS AS (substr(fy, 1, 4)::int + 1) STORED")
            columns.append(f"digest bigint GENERATED ALWAYS AS ({_digest_sql(written)}) STORED")
        self.cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} ({', '.join(columns)})")

    def _drop_stage(self):
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.stage}")
        if self.is_udyam:
            self.cursor.execute("DROP TABLE IF EXISTS stage_connections")

    def _insert_rows(self, rows) -> int:
        """Stage rows with executemany (SQLite, the embedded demo)."""
        names = self._names()
        sql = f"INSERT INTO {self.stage} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
        staged = 0
        for chunk in _chunks(rows, STAGE_ROWS):
            self.cursor.executemany(sql, chunk)
            staged += len(chunk)
        return staged

    def _dedupe(self, key):
        """A later row of the same file replaces the earlier one (SCORING.md §1)."""
        on = " AND ".join(f"s.{c} = d.{c}" for c in key)
        keys = ", ".join(key)
        self.cursor.execute(
            f"DELETE FROM {self.stage} WHERE row_no IN (SELECT s.row_no FROM {self.stage} s JOIN "
            f"(SELECT {keys}, MAX(row_no) AS last FROM {self.stage} GROUP BY {keys} HAVING COUNT(*) > 1) d "
            f"ON {on} AND s.row_no < d.last)"
        )
        self.batch.superseded = max(self.cursor.rowcount, 0)

    def _count(self, table, key, match_sql=None):
        on = " AND ".join(f"t.{c} = s.{c}" for c in key)
        unmatched = "SUM(CASE WHEN m.enterprise_id IS NULL THEN 1 ELSE 0 END)" if match_sql else "0"
        match_join = f"LEFT JOIN {match_sql}" if match_sql else ""
        self.cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.digest = s.digest THEN 1 ELSE 0 END), {unmatched} "
            f"FROM {self.stage} s LEFT JOIN {table} t ON {on} {match_join}"
        )
        total, inserted, unchanged, unmatched = (int(v or 0) for v in self.cursor.fetchone())
        self.batch.inserted, self.batch.unchanged, self.batch.unmatched = inserted, unchanged, unmatched
        self.batch.replaced = total - inserted - unchanged

    # -- merging a feed ---------------------------------------------------------------------

    def _merge_feed(self):
        """Replace changed records, insert new ones, count: set-based, never a statement per row.
        Updating and inserting separately (not INSERT … ON CONFLICT) spares every new row a
        speculative insertion; the advisory lock taken in `run` keeps the split sound."""
        target = self.target
        table = _t(target.model)
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

    # -- merging Udyam profiles -------------------------------------------------------------

    def _merge_udyam(self):
        ent, conn = _t(Enterprise), _t(PowerConnection)
        self._dedupe(("udyam_number",))
        self._split_connections()
        self._reject_identifier_conflicts()
        self._count(ent, ("udyam_number",))
        changed = (
            f"SELECT s.udyam_number FROM {self.stage} s JOIN {ent} e ON e.udyam_number = s.udyam_number "
            "WHERE e.digest <> s.digest"
        )
        # Free the identifiers of changed profiles first, so that a GSTIN, EPFO code or consumer
        # number moving between two units in one file does not trip the unique constraints.
        self.cursor.execute(f"UPDATE {ent} SET gstin = NULL, epfo_code = NULL WHERE udyam_number IN ({changed})")
        self.cursor.execute(
            f"DELETE FROM {conn} WHERE enterprise_id IN (SELECT id FROM {ent} WHERE udyam_number IN ({changed}))"
        )
        columns = [*UDYAM_COLUMNS, "batch_id", "row_number", "digest"]
        select = [f"s.{c}" for c in UDYAM_COLUMNS] + ["%s", "s.row_no", "s.digest"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
        self.cursor.execute(
            f"INSERT INTO {ent} ({', '.join(columns)}) SELECT {', '.join(select)} FROM {self.stage} s WHERE true "
            f"ON CONFLICT (udyam_number) DO UPDATE SET {updates} WHERE {ent}.digest <> excluded.digest",
            [self.batch.pk],
        )
        touched = f"SELECT id FROM {ent} WHERE batch_id = %s"
        self.cursor.execute(
            f"INSERT INTO {conn} (enterprise_id, consumer_number) SELECT e.id, c.consumer_number "
            f"FROM stage_connections c JOIN {ent} e ON e.udyam_number = c.udyam_number "
            f"WHERE e.batch_id = %s AND NOT EXISTS (SELECT 1 FROM {conn} x WHERE x.enterprise_id = e.id)",
            [self.batch.pk],
        )
        self._relink(touched)

    def _split_connections(self):
        """Consumer numbers are `;`-separated on the profile: one staging row per number."""
        self.cursor.execute(
            "CREATE TEMPORARY TABLE stage_connections (udyam_number varchar(19), "
            "consumer_number varchar(32), row_no integer)"
        )
        if self.postgres:
            self.cursor.execute(
                "INSERT INTO stage_connections SELECT udyam_number, unnest(string_to_array(consumer_numbers, ';')), "
                f"row_no FROM {self.stage} WHERE consumer_numbers <> ''"
            )
            self.cursor.execute("ANALYZE stage_connections")
            return
        self.cursor.execute(
            f"SELECT udyam_number, consumer_numbers, row_no FROM {self.stage} WHERE consumer_numbers <> ''"
        )
        pairs = [(u, n, r) for u, numbers, r in self.cursor.fetchall() for n in numbers.split(";")]
        for chunk in _chunks(pairs, STAGE_ROWS):
            self.cursor.executemany("INSERT INTO stage_connections VALUES (%s, %s, %s)", chunk)

    def _reject_identifier_conflicts(self):
        """A GSTIN, EPFO code or consumer number belongs to one unit: a row claiming one that
        another unit holds (in the same file, or stored and not given up by this file) is rejected."""
        ent, conn = _t(Enterprise), _t(PowerConnection)
        stage = self.stage
        conflicts = []
        for column, label in (("gstin", "GSTIN"), ("epfo_code", "EPFO code")):
            self.cursor.execute(
                f"SELECT s.row_no, s.{column}, o.udyam_number FROM {stage} s JOIN {stage} o "
                f"ON o.{column} = s.{column} AND o.row_no < s.row_no"
            )
            conflicts += [
                (r, f"{label} {v} is also given for {u} earlier in this file") for r, v, u in self.cursor.fetchall()
            ]
            self.cursor.execute(
                f"SELECT s.row_no, s.{column}, e.udyam_number FROM {stage} s JOIN {ent} e "
                f"ON e.{column} = s.{column} AND e.udyam_number <> s.udyam_number "
                f"WHERE NOT EXISTS (SELECT 1 FROM {stage} g WHERE g.udyam_number = e.udyam_number "
                f"AND (g.{column} IS NULL OR g.{column} <> e.{column}))"
            )
            conflicts += [(r, f"{label} {v} belongs to {u}") for r, v, u in self.cursor.fetchall()]
        self.cursor.execute(
            "SELECT s.row_no, s.consumer_number, o.udyam_number FROM stage_connections s "
            "JOIN stage_connections o ON o.consumer_number = s.consumer_number AND o.row_no < s.row_no"
        )
        conflicts += [
            (r, f"consumer number {v} is also given for {u} earlier in this file") for r, v, u in self.cursor.fetchall()
        ]
        self.cursor.execute(
            f"SELECT s.row_no, s.consumer_number, e.udyam_number FROM stage_connections s "
            f"JOIN {conn} c ON c.consumer_number = s.consumer_number JOIN {ent} e ON e.id = c.enterprise_id "
            f"AND e.udyam_number <> s.udyam_number WHERE NOT EXISTS (SELECT 1 FROM {stage} g "
            f"WHERE g.udyam_number = e.udyam_number) OR EXISTS (SELECT 1 FROM stage_connections g "
            f"WHERE g.udyam_number = e.udyam_number AND g.consumer_number = s.consumer_number)"
        )
        conflicts += [(r, f"consumer number {v} belongs to {u}") for r, v, u in self.cursor.fetchall()]
        if not conflicts:
            return
        reasons: dict[int, list[str]] = {}
        for row_no, reason in conflicts:
            reasons.setdefault(row_no, []).append(reason)
        rows = sorted(reasons)
        for start in range(0, len(rows), 500):
            part = rows[start : start + 500]
            marks = ", ".join(["%s"] * len(part))
            self.cursor.execute(f"SELECT row_no, raw FROM {stage} WHERE row_no IN ({marks})", part)
            for row_no, raw in self.cursor.fetchall():
                self.rejects.append(
                    FeedReject(batch=self.batch, row_number=row_no, reason="; ".join(reasons[row_no]), raw=raw)
                )
            self.cursor.execute(f"DELETE FROM {stage} WHERE row_no IN ({marks})", part)
            self.cursor.execute(f"DELETE FROM stage_connections WHERE row_no IN ({marks})", part)

    def _relink(self, touched_sql):
        """Point feed records at the profiles this batch inserted or changed: records of a key the
        unit gave up become unmatched; waiting unmatched records of its keys are linked."""
        ent, conn = _t(Enterprise), _t(PowerConnection)
        batch = self.batch.pk
        linked = 0
        for model, column, profile_column in LINKS:
            table = _t(model)
            self.cursor.execute(
                f"UPDATE {table} SET enterprise_id = NULL WHERE enterprise_id IN ({touched_sql}) AND NOT EXISTS "
                f"(SELECT 1 FROM {ent} e WHERE e.id = {table}.enterprise_id AND e.{profile_column} = {table}.{column})",
                [batch],
            )
            self.cursor.execute(
                f"UPDATE {table} SET enterprise_id = (SELECT e.id FROM {ent} e WHERE e.{profile_column} = "
                f"{table}.{column}) WHERE enterprise_id IS NULL AND {column} IN "
                f"(SELECT {profile_column} FROM {ent} WHERE batch_id = %s AND {profile_column} IS NOT NULL)",
                [batch],
            )
            linked += max(self.cursor.rowcount, 0)
        bills = _t(PowerBill)
        self.cursor.execute(
            f"UPDATE {bills} SET enterprise_id = NULL WHERE enterprise_id IN ({touched_sql}) AND NOT EXISTS "
            f"(SELECT 1 FROM {conn} c WHERE c.consumer_number = {bills}.consumer_number "
            f"AND c.enterprise_id = {bills}.enterprise_id)",
            [batch],
        )
        self.cursor.execute(
            f"UPDATE {bills} SET enterprise_id = (SELECT c.enterprise_id FROM {conn} c WHERE c.consumer_number = "
            f"{bills}.consumer_number) WHERE enterprise_id IS NULL AND consumer_number IN (SELECT c.consumer_number "
            f"FROM {conn} c JOIN {ent} e ON e.id = c.enterprise_id WHERE e.batch_id = %s)",
            [batch],
        )
        linked += max(self.cursor.rowcount, 0)
        self.batch.linked = linked


def _digest_sql(columns: list[str]) -> str:
    """A 64-bit digest of a staging row's values in SQL, from "name type" column definitions:
    PostgreSQL's own hash of each typed value (the hash functions of its hash indexes, stable
    across versions; a numeric hashes by value, 1.5 like 1.5000), seeded by the column's
    position, NULL as the position itself, combined with XOR."""
    parts = []
    for seed, definition in enumerate(columns, start=1):
        name, db_type = definition.split()[:2]
        if db_type.startswith(("varchar", "text")):
            value = f"hashtextextended({name}, {seed})"
        elif db_type.startswith("numeric"):
            value = f"hash_numeric_extended({name}, {seed})"
        elif db_type == "date":
            value = f"hashint4extended({name} - DATE '2000-01-01', {seed})"
        elif db_type == "bigint":
            value = f"hashint8extended({name}, {seed})"
        else:
            value = f"hashint4extended({name}, {seed})"
        parts.append(f"COALESCE({value}, {seed})")
    return " # ".join(parts)


def _raw(row) -> str:
    return ",".join(row)


class _Lines:
    """Lines of a block read ahead, then the rest of the file: a record in quotes may run past the
    block, and csv.reader then reads on from the file."""

    def __init__(self, handle):
        self.handle = handle
        self.pending: list[str] = []
        self.next = 0

    def buffer(self, lines: list[str]):
        self.pending, self.next = lines, 0

    @property
    def buffered(self) -> bool:
        return self.next < len(self.pending)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        if self.next < len(self.pending):
            self.next += 1
            return self.pending[self.next - 1]
        return next(self.handle)


class _Appender:
    """A file-like `write` that appends to a list (csv.writer into the COPY buffer)."""

    def __init__(self, out: list[str]):
        self.write = out.append


def _chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
