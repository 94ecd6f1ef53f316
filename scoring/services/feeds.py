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
import logging
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from partners.models import District

from ..choices import BatchStatus, Source
from ..feeds import SPECS, FeedSpec, RowError, digest, parse_fields
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
    batch.save()
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
        self.districts = {d.name.lower(): d.id for d in District.objects.all()} if self.is_udyam else {}

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
        self._create_stage()
        staged = self._copy(self._good_rows(reader, header))
        self.batch.rows = staged + len(self.rejects) + self.batch.rejected
        self._flush_rejects()
        if self.is_udyam:
            self._merge_udyam()
        else:
            self._merge_feed()
        self._flush_rejects()
        self._drop_stage()
        if self.report:
            self.report.close()

    def _good_rows(self, reader, header):
        width = len(header)
        positions = [header.index(name) for name in self.spec.headers]
        line = reader.line_num
        for row in reader:
            row_number, line = line + 1, reader.line_num
            if not row or (len(row) == 1 and not row[0].strip()):
                continue  # blank line
            if len(row) != width:
                self._reject(row_number, f"expected {width} fields, found {len(row)}", row)
                continue
            try:
                values = parse_fields(self.spec, [row[i] for i in positions])
                if self.is_udyam:
                    district = self.districts.get(values["district"].lower())
                    if district is None:
                        raise RowError(f"district {values['district']!r} is not a district of J&K")
                    values["district_id"] = district
            except RowError as exc:
                self._reject(row_number, str(exc), row)
                continue
            stored = [values[c] for c in self.columns]
            if self.is_udyam:
                yield [
                    *stored,
                    row_number,
                    digest([*stored, ";".join(values["power_consumer_numbers"])]),
                    _raw(row),
                    ";".join(values["power_consumer_numbers"]),
                ]
            else:
                yield [*stored, row_number, digest(stored)]

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

    def _stage_columns(self):
        model = Enterprise if self.is_udyam else self.target.model
        fields = {f.column: f for f in model._meta.concrete_fields}
        columns = [f"{c} {fields[c].db_type(connection)}" for c in self.columns]
        columns += ["row_no integer", "digest bigint"]
        if self.is_udyam:
            columns += ["raw text", "consumer_numbers text"]
        return columns

    def _create_stage(self):
        self._drop_stage()
        self.cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} ({', '.join(self._stage_columns())})")

    def _drop_stage(self):
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.stage}")
        if self.is_udyam:
            self.cursor.execute("DROP TABLE IF EXISTS stage_connections")

    def _names(self):
        names = [*self.columns, "row_no", "digest"]
        return names + ["raw", "consumer_numbers"] if self.is_udyam else names

    def _copy(self, rows) -> int:
        names = self._names()
        staged = 0
        if connection.vendor == "postgresql":
            with self.cursor.cursor.copy(f"COPY {self.stage} ({', '.join(names)}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
                    staged += 1
            # Autovacuum never analyzes temporary tables: without statistics the planner takes the
            # staging table for empty and nests loops over it.
            self.cursor.execute(f"ANALYZE {self.stage}")
            return staged
        sql = f"INSERT INTO {self.stage} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
        chunk = []
        for row in rows:
            chunk.append(row)
            if len(chunk) == STAGE_ROWS:
                self.cursor.executemany(sql, chunk)
                staged += len(chunk)
                chunk = []
        if chunk:
            self.cursor.executemany(sql, chunk)
            staged += len(chunk)
        return staged

    def _dedupe(self, key):
        """A later row of the same file replaces the earlier one (SCORING.md §1)."""
        keys = ", ".join(key)
        self.cursor.execute(f"CREATE INDEX {self.stage}_key ON {self.stage} ({keys}, row_no)")
        self.cursor.execute(
            f"DELETE FROM {self.stage} WHERE row_no IN (SELECT row_no FROM ("
            f"SELECT row_no, ROW_NUMBER() OVER (PARTITION BY {keys} ORDER BY row_no DESC) AS n "
            f"FROM {self.stage}) ranked WHERE n > 1)"
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
        target = self.target
        table = _t(target.model)
        self._dedupe(target.conflict)
        self._count(table, target.conflict, target.match)
        columns = [*target.columns, "enterprise_id", "batch_id", "row_number", "digest"]
        select = [f"s.{c}" for c in target.columns] + ["m.enterprise_id", "%s", "s.row_no", "s.digest"]
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns)
        self.cursor.execute(
            f"INSERT INTO {table} ({', '.join(columns)}) SELECT {', '.join(select)} "
            f"FROM {self.stage} s LEFT JOIN {target.match} WHERE true "
            f"ON CONFLICT ({', '.join(target.conflict)}) DO UPDATE SET {updates} "
            f"WHERE {table}.digest <> excluded.digest",
            [self.batch.pk],
        )

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
        self.cursor.execute(
            f"SELECT udyam_number, consumer_numbers, row_no FROM {self.stage} WHERE consumer_numbers <> ''"
        )
        pairs = [(u, n, r) for u, numbers, r in self.cursor.fetchall() for n in numbers.split(";")]
        for start in range(0, len(pairs), STAGE_ROWS):
            self.cursor.executemany(
                "INSERT INTO stage_connections VALUES (%s, %s, %s)", pairs[start : start + STAGE_ROWS]
            )
        if connection.vendor == "postgresql":
            self.cursor.execute("ANALYZE stage_connections")

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


def _raw(row) -> str:
    return ",".join(row)
