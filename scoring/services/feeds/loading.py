"""Reading and checking a feed file's rows, staging the good ones, and the reject report: what
loading a Udyam file (profiles.py) and loading a feed's records (records.py) share."""

import csv
import itertools
import logging
import re
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from core.spreadsheets import spreadsheet_cell

from ... import models
from ...choices import RejectKind
from ...feed_lines import LinePattern
from ...feeds import FeedSpec, RowError, digest, month, parse_fields
from ...models import FeedReject, ImportBatch

logger = logging.getLogger(__name__)

STAGE_ROWS = 10_000  # rows per executemany on SQLite, and per reject flush
BLOCK_CHARS = 1 << 20  # the file is read, checked and copied a block of lines at a time
# The longest line a feed file may have. A Udyam profile's line is under 1,000 characters; a line
# far longer is an error or an attack, and is rejected without being held whole in memory.
MAX_LINE = 10_000
MAX_RAW = 1_000  # characters of a rejected row kept in its reject (FeedReject.raw and the report)
LOCK_NAMESPACE = 7_301  # pg_advisory_xact_lock(namespace, source): one load of a source at a time


class FeedFileError(Exception):
    """The file itself cannot be read as this source (missing, not UTF-8 CSV, wrong headers)."""


def db_table(model) -> str:
    return model._meta.db_table


def record_model(spec: FeedSpec) -> type:
    """The model a source's records are stored in (the registry names it: scoring/feeds/registry.py)."""
    return getattr(models, spec.model)


class FeedLoad:
    """One file's load, inside the caller's transaction. A subclass says what is stored and how it
    is merged: `model`, `columns` (stored columns, in staging order), `_merge()`."""

    model: type
    columns: tuple[str, ...]
    later_columns: tuple[str, ...] = ()  # stored columns a file may lack (the spec's `later`)

    def __init__(self, batch: ImportBatch, spec: FeedSpec, handle):
        self.batch, self.spec, self.handle = batch, spec, handle
        self.stage = f"stage_{spec.source}"
        self.rejects: list[FeedReject] = []
        self.report = None
        self.cursor = connection.cursor()
        self.postgres = connection.vendor == "postgresql"
        self.districts: dict[str, int] = {}  # a Udyam profile's district, by name: its id and code
        self.district_codes: dict[str, str] = {}
        # No record of a period after the month of receipt, nor a date after its day (feeds.not_after).
        self.received = timezone.localdate(batch.received_at)
        self.month_columns = [name for name, parse in spec.columns if parse is month]

    # -- what a subclass adds ---------------------------------------------------------------

    def _merge(self):
        raise NotImplementedError

    def _resolve(self, values: dict):
        """Values a row's own fields do not give (the Udyam profile's district), or RowError."""

    def _extra_names(self) -> list[str]:
        """Staging columns beyond the stored ones (the Udyam profile's raw row and consumer numbers)."""
        return []

    def _stage_values(self, values: dict, row: list[str]) -> list:
        """A checked row's staging values, in `_names()` order after row_no (and before the digest)."""
        return [values[c] for c in self.columns]

    def _drop_extra(self):
        """Drop the temporary tables a subclass makes besides the staging table."""

    # -- reading and checking ---------------------------------------------------------------

    def run(self):
        header = self._header()
        if self.postgres:
            # One load of a source at a time: "later" is load order (SCORING.md §1), and the merge
            # below tells new keys from stored ones before it writes.
            self.cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [LOCK_NAMESPACE, self.spec.source])
            self.cursor.execute("SET LOCAL work_mem = '256MB'")
        self._create_stage()
        if self.postgres:
            staged = self._copy_lines(header)
        else:
            staged = self._insert_rows(self._good_rows(header))
        self.batch.rows = staged + len(self.rejects) + self.batch.rejected
        self._flush_rejects()
        if self.postgres:
            # Autovacuum never analyzes temporary tables: without statistics the planner takes the
            # staging table for empty and nests loops over it.
            self.cursor.execute(f"ANALYZE {self.stage}")
        self._merge()
        self._flush_rejects()
        self._drop_stage()
        self.close()

    def close(self):
        if self.report:
            self.report.close()
            self.report = None

    def _header(self) -> list[str]:
        """The file's column names (line 1), or FeedFileError: a problem with the header is one
        with every row, so the whole file is refused before anything is loaded."""
        line = self.handle.readline(MAX_LINE + 1)
        if not line:
            raise FeedFileError("the file is empty: expected a header row")
        if len(line) > MAX_LINE:
            raise FeedFileError(f"the header is longer than {MAX_LINE:,} characters")
        header = [h.strip().lower() for h in next(csv.reader([line]))]
        # A later column the file does not have: what is stored of it stays (profiles' merge).
        self.absent = [name for name in self.spec.all_headers if name not in header]
        seen: dict[str, int] = {}
        for position, name in enumerate(header, start=1):
            if name and name in seen:
                # Which of the two would be read is anyone's guess: refuse rather than pick one.
                raise FeedFileError(
                    f"column {name!r} appears twice in the header (columns {seen[name]} and {position})"
                )
            seen[name] = position
        missing = [h for h in self.spec.headers if h not in header]
        if missing:
            raise FeedFileError(
                f"not a {self.spec.source} file: missing column(s) {', '.join(missing)} "
                f"(expected {', '.join(self.spec.headers)})"
            )
        return header

    def _positions(self, header: list[str]) -> list[int | None]:
        """Where each of the spec's columns is in the file (None: a later column it does not have)."""
        return [header.index(name) if name in header else None for name in self.spec.all_headers]

    def _checked(self, row_number: int, row: list[str], positions: list[int | None], width: int) -> dict | None:
        """The stored values of a CSV record, or None: a blank line, or a row rejected with its reason."""
        if not row or (len(row) == 1 and not row[0].strip()):
            return None  # blank line
        unreadable = _unreadable(row)
        if unreadable:
            self._reject(row_number, unreadable, row)
            return None
        if len(row) != width:
            self._reject(row_number, f"expected {width} fields, found {len(row)}", row)
            return None
        try:
            values = parse_fields(self.spec, [row[i] if i is not None else "" for i in positions], self.received)
            self._resolve(values)
        except RowError as exc:
            self._reject(row_number, str(exc), row)
            return None
        return values

    def _blocks(self):
        """The rest of the file, a block of whole lines at a time (about BLOCK_CHARS characters, each
        ending with its line end). Memory stays bounded whatever the file holds: a line longer than
        MAX_LINE is cut there (its row is rejected as too long) and the rest of it skipped."""
        handle = self.handle
        while text := handle.read(BLOCK_CHARS):
            while text.endswith("\r") and (after := handle.read(1)):
                text += after  # the "\n" of a "\r\n" the read cut in two, or the next line's start
            if not text.endswith(("\n", "\r")):
                rest = handle.readline(MAX_LINE + 1)  # the block's last line, to its end
                text += rest
                if len(rest) > MAX_LINE and not rest.endswith(("\n", "\r")):
                    while (skipped := handle.readline(MAX_LINE)) and not skipped.endswith(("\n", "\r")):
                        pass
                if not text.endswith(("\n", "\r")):
                    text += "\n"  # the file's last line, or the cut one
            yield text

    def _record(self, line: str, lines: "_Lines", line_no: int, positions, width) -> tuple[dict | None, list, int]:
        """Parse and check the record that begins with `line` (line `line_no`): (values or None,
        its fields, how many lines it took). A quoted field may run over several lines."""
        if len(line) > MAX_LINE:
            self._reject(line_no, f"the line is longer than {MAX_LINE:,} characters", [line])
            return None, [], 1
        lines.taken = 0
        try:
            row = next(csv.reader(itertools.chain([line], lines)))
        except (csv.Error, _LineTooLong) as exc:
            self._reject(line_no, str(exc) if isinstance(exc, _LineTooLong) else f"not a CSV record ({exc})", [line])
            return None, [], 1 + lines.taken
        return self._checked(line_no, row, positions, width), row, 1 + lines.taken

    def _good_rows(self, header):
        """Staging rows checked field by field (feeds.parse_fields), with their digests (SQLite)."""
        width = len(header)
        positions = self._positions(header)
        lines = _Lines(self.handle)
        line_no = 1  # the header
        for text in self._blocks():
            lines.buffer(_split_lines(text))
            while lines.buffered:
                line = next(lines)
                values, row, taken = self._record(line, lines, line_no + 1, positions, width)
                row_number, line_no = line_no + 1, line_no + taken
                if values is None:
                    continue
                staged = self._stage_values(values, row)
                yield [row_number, *staged, digest(self._digested(staged))]

    def _digested(self, staged: list) -> list:
        """The staging values a record's digest covers (all of them, but the raw row)."""
        return staged

    def _copy_lines(self, header: list[str]) -> int:
        """COPY the file's rows into the staging table (PostgreSQL) and return how many. A block of
        canonical lines (feed_lines.LinePattern) goes through as it is, numbered; a block with any
        other line goes line by line, and a line that is not canonical is parsed and checked by
        feeds.parse_fields."""
        width = len(header)
        positions = self._positions(header)
        pattern = LinePattern(self.spec, header, self.districts, self.received, self.district_codes)
        copy_line = pattern.copy_line
        out: list[str] = []
        write_parsed = csv.writer(_Appender(out), lineterminator="\n").writerow
        lines = _Lines(self.handle)
        line_no = 1  # the header
        staged = 0
        with self.cursor.cursor.copy(f"COPY {self.stage} ({', '.join(self._names())}) FROM STDIN (FORMAT csv)") as copy:
            for text in self._blocks():
                if "\r" not in text and pattern.block_is_canonical(text):
                    block = text.split("\n")
                    block.pop()  # after the last line end
                    if pattern.block_values_pass(block):
                        copy.write("".join(map("{},{}\n".format, range(line_no + 1, line_no + 1 + len(block)), block)))
                        line_no += len(block)
                        staged += len(block)
                        continue
                lines.buffer(_split_lines(text))
                while lines.buffered:
                    line = next(lines)
                    line_no += 1
                    # A line with a NUL or an undecodable byte is never copied as it is (the raw
                    # row a Udyam line keeps would carry it): it is parsed, and rejected.
                    if len(line) <= MAX_LINE and "\x00" not in line and (line.isascii() or _clean(line)):
                        row_text = copy_line(line, line_no)
                        if row_text is not None:
                            out.append(row_text)
                            staged += 1
                            continue
                    values, row, taken = self._record(line, lines, line_no, positions, width)
                    if values is not None:
                        write_parsed([line_no, *self._staged_texts(values, row)])
                        staged += 1
                    line_no += taken - 1
                copy.write("".join(out))
                out.clear()
        return staged

    def _staged_texts(self, values: dict, row: list[str]) -> list:
        """A checked row as the PostgreSQL staging table takes it: the spec's columns, a month as
        its `YYYY-MM` text (the table derives the stored date and year end)."""
        return [f"{values[name]:%Y-%m}" if name in self.month_columns else values[name] for name in self.spec.headers]

    def _reject(self, row_number, reason, row, kind=RejectKind.REJECT):
        """Reject a row with its reason (or, kind WARNING, note one that loads)."""
        raw = printable(raw_row(row) if isinstance(row, list) else row)
        self.rejects.append(
            FeedReject(batch=self.batch, row_number=row_number, reason=printable(reason), raw=raw, kind=kind)
        )
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
            self.report_writer.writerow(["row_number", "reason", "row", "kind"])
            self.batch.reject_report = str(path)
        FeedReject.objects.bulk_create(self.rejects, batch_size=STAGE_ROWS)
        # The department opens the report in a spreadsheet: a raw row or reason that begins like a
        # formula (=HYPERLINK(…) is shown as text.
        self.report_writer.writerows(
            (r.row_number, spreadsheet_cell(r.reason), spreadsheet_cell(r.raw), r.kind) for r in self.rejects
        )
        warned = sum(1 for r in self.rejects if r.kind == RejectKind.WARNING)
        self.batch.warned += warned
        self.batch.rejected += len(self.rejects) - warned
        self.rejects = []

    # -- staging ----------------------------------------------------------------------------

    def _names(self):
        """The staging table's columns that are written, in order."""
        names = ["row_no", *self.columns, *self.later_columns, *self._extra_names()]
        return names if self.postgres else [*names, "digest"]

    def _create_stage(self):
        self._drop_stage()
        fields = {f.column: f for f in self.model._meta.concrete_fields}
        names = self._names()
        columns = [
            f"{c} {'text' if c in ('raw', 'consumer_numbers') or c.endswith('_month') else 'integer'}"
            if c not in fields
            else f"{c} {fields[c].db_type(connection)}"
            for c in names
        ]
        # The digest's columns (its hashes are seeded by position): the staged ones but the row
        # number and raw row, the later ones last, so that a column added later changes no digest.
        written = [c for c in columns if c.split()[0] not in ("row_no", "raw", *self.later_columns)]
        written += [c for c in columns if c.split()[0] in self.later_columns]
        if self.postgres:
            columns += self._generated_columns()
            digest_sql = _digest_sql(written, unset_is_nothing=self.later_columns)
            columns.append(f"digest bigint GENERATED ALWAYS AS ({digest_sql}) STORED")
        self.cursor.execute(f"CREATE TEMPORARY TABLE {self.stage} ({', '.join(columns)})")

    def _generated_columns(self) -> list[str]:
        """Staging columns PostgreSQL derives as COPY writes each row (before the digest)."""
        return []

    def _drop_stage(self):
        self.cursor.execute(f"DROP TABLE IF EXISTS {self.stage}")
        self._drop_extra()

    def _insert_rows(self, rows) -> int:
        """Stage rows with executemany (SQLite, the embedded demo)."""
        names = self._names()
        sql = f"INSERT INTO {self.stage} ({', '.join(names)}) VALUES ({', '.join(['%s'] * len(names))})"
        staged = 0
        for chunk in chunks(rows, STAGE_ROWS):
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

    def _count(self, table_name, key, match_sql=None):
        on = " AND ".join(f"t.{c} = s.{c}" for c in key)
        unmatched = "SUM(CASE WHEN m.enterprise_id IS NULL THEN 1 ELSE 0 END)" if match_sql else "0"
        match_join = f"LEFT JOIN {match_sql}" if match_sql else ""
        self.cursor.execute(
            f"SELECT COUNT(*), SUM(CASE WHEN t.id IS NULL THEN 1 ELSE 0 END), "
            f"SUM(CASE WHEN t.digest = s.digest THEN 1 ELSE 0 END), {unmatched} "
            f"FROM {self.stage} s LEFT JOIN {table_name} t ON {on} {match_join}"
        )
        total, inserted, unchanged, unmatched = (int(v or 0) for v in self.cursor.fetchone())
        self.batch.inserted, self.batch.unchanged, self.batch.unmatched = inserted, unchanged, unmatched
        self.batch.replaced = total - inserted - unchanged


def _digest_sql(columns: list[str], unset_is_nothing=()) -> str:
    """A 64-bit digest of a staging row's values in SQL, from "name type" column definitions:
    PostgreSQL's own hash of each typed value (the hash functions of its hash indexes, stable
    across versions; a numeric hashes by value, 1.5 like 1.5000), seeded by the column's
    position, NULL as the position itself, combined with XOR. A column of `unset_is_nothing` (one
    added later) adds nothing when NULL: records stored before it came keep their digests."""
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
        parts.append(f"COALESCE({value}, {0 if name in unset_is_nothing else seed})")
    return " # ".join(parts)


def raw_row(row) -> str:
    return ",".join(row)


class _LineTooLong(Exception):
    """A line of a quoted record, read on from the file, is longer than MAX_LINE."""


class _Lines:
    """Lines of a block read ahead, then the rest of the file: a record in quotes may run past the
    block, and csv.reader then reads on from the file (a line at most MAX_LINE long). `taken`
    counts the lines read past the record's first."""

    def __init__(self, handle):
        self.handle = handle
        self.pending: list[str] = []
        self.next = 0
        self.taken = 0

    def buffer(self, lines: list[str]):
        self.pending, self.next = lines, 0

    @property
    def buffered(self) -> bool:
        return self.next < len(self.pending)

    def __iter__(self):
        return self

    def __next__(self) -> str:
        self.taken += 1
        if self.next < len(self.pending):
            self.next += 1
            return self.pending[self.next - 1]
        line = self.handle.readline(MAX_LINE + 1)
        if not line:
            self.taken -= 1
            raise StopIteration
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            while (skipped := self.handle.readline(MAX_LINE)) and not skipped.endswith(("\n", "\r")):
                pass
            raise _LineTooLong(f"a line of this quoted record is longer than {MAX_LINE:,} characters")
        return line


_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)")
_SURROGATE = re.compile("[\udc80-\udcff]")  # a byte that is not UTF-8, as the file is decoded


def _split_lines(text: str) -> list[str]:
    """A block's lines with their ends (`\\n`, `\\r\\n` or `\\r`, as csv reads them)."""
    if "\r" not in text:
        return [line + "\n" for line in text.split("\n")[:-1]]
    return _LINE.findall(text)


def _clean(text: str) -> bool:
    return _SURROGATE.search(text) is None


def _unreadable(row: list[str]) -> str:
    """Why a row's text cannot be stored (a NUL byte, bytes that are not UTF-8), or ""."""
    for column, value in enumerate(row, start=1):
        if "\x00" in value:
            return f"column {column} contains a NUL byte"
        if not value.isascii() and (bad := _SURROGATE.search(value)):
            return f"column {column} is not UTF-8 text (byte 0x{ord(bad[0]) - 0xDC00:02X})"
    return ""


def printable(text: str) -> str:
    """`text` as a reject keeps it: no NUL, bytes that are not UTF-8 shown as \\xNN, at most MAX_RAW
    characters (PostgreSQL's text and the UTF-8 report take neither a NUL nor a lone byte)."""
    if not text.isascii() or "\x00" in text:
        text = text.encode("utf-8", "surrogateescape").decode("utf-8", "backslashreplace").replace("\x00", "\\x00")
    if len(text) > MAX_RAW:
        text = f"{text[:MAX_RAW]}… ({len(text):,} characters)"
    return text


class _Appender:
    """A file-like `write` that appends to a list (csv.writer into the COPY buffer)."""

    def __init__(self, out: list[str]):
        self.write = out.append


def chunks(rows, size):
    chunk = []
    for row in rows:
        chunk.append(row)
        if len(chunk) == size:
            yield chunk
            chunk = []
    if chunk:
        yield chunk
