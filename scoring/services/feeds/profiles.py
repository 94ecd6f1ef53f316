"""Loading a Udyam file: each unit's profile (the enterprise, its identifiers and power
connections), the cross-row checks that an identifier belongs to one unit, and relinking the
feed records that wait for the keys a profile brings or gives up."""

from decimal import Decimal

from partners.models import District

from ...categories import category_misfit, limits_on
from ...choices import RejectKind
from ...feeds import SPECS, ConnectionLink, ProfileLink, RowError, udyam_district_code
from ...models import Enterprise, FeedReject, PowerConnection
from .loading import STAGE_ROWS, FeedLoad, chunks, db_table, raw_row, record_model


def _links():
    """(model, column) of the feed tables linked on a profile column (ProfileLink), and of those
    linked through a power connection (ConnectionLink)."""
    by_profile, by_connection = [], []
    for spec in SPECS.values():
        if isinstance(spec.link, ProfileLink):
            by_profile.append((record_model(spec), spec.link.column))
        elif isinstance(spec.link, ConnectionLink):
            by_connection.append((record_model(spec), spec.link.column))
    return by_profile, by_connection


class ProfileLoad(FeedLoad):
    """A Udyam file's load: a later profile of a unit replaces the earlier one whole."""

    model = Enterprise

    def __init__(self, batch, spec, handle):
        super().__init__(batch, spec, handle)
        self.columns = spec.stored_columns
        self.later_columns = tuple(name for name, _ in spec.later)  # the owner's e-mail and mobile
        districts = District.objects.values_list("id", "name", "census_code")
        self.districts = {name.lower(): pk for pk, name, _ in districts}
        self.district_codes = {name.lower(): code for _, name, code in districts if code}
        self.code_districts = {code: name for _, name, code in districts if code}

    def _resolve(self, values: dict):
        name = values["district"]
        district = self.districts.get(name.lower())
        if district is None:
            raise RowError(f"district {name!r} is not a district of J&K")
        # A Udyam number carries its district's Census 2011 code: the profile's district must be it.
        expected, number = self.district_codes.get(name.lower()), values["udyam_number"]
        carried = udyam_district_code(number)
        if expected and carried != expected:
            of = self.code_districts.get(carried, "no district of J&K")
            raise RowError(f"udyam_number {number} is of district {carried} ({of}), not of {name} ({expected})")
        values["district_id"] = district

    def _extra_names(self) -> list[str]:
        return ["raw", "consumer_numbers"]

    def _stage_values(self, values: dict, row: list[str]) -> list:
        return [
            *(values[c] for c in self.columns),
            *(values[c] for c in self.later_columns),
            raw_row(row),
            ";".join(values["power_consumer_numbers"]),
        ]

    def _digested(self, staged: list) -> list:
        """The stored values and consumer numbers, not the raw row; a later column only when set
        (a profile stored before it came keeps its digest)."""
        n = len(self.columns)
        later = zip(self.later_columns, staged[n:-2], strict=True)
        return [*staged[:n], staged[-1], *(f"{name}={value}" for name, value in later if value is not None)]

    def _staged_texts(self, values: dict, row: list[str]) -> list:
        return self._stage_values(values, row)

    def _drop_extra(self):
        self.cursor.execute("DROP TABLE IF EXISTS stage_connections")

    def _merge(self):
        ent, conn = db_table(Enterprise), db_table(PowerConnection)
        self._dedupe(("udyam_number",))
        self._split_connections()
        self._reject_identifier_conflicts()
        self._warn_categories()
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
        stored = [*self.columns, *self.later_columns]
        columns = [*stored, "batch_id", "row_number", "digest"]
        select = [f"s.{c}" for c in stored] + ["%s", "s.row_no", "s.digest"]
        # A later column the file does not have (an older file's e-mail and mobile) is kept as stored.
        updates = ", ".join(f"{c} = excluded.{c}" for c in columns if c not in self.absent)
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

    def _warn_categories(self):
        """A profile whose stated category its investment or turnover exceeds (the ceilings in
        force when the file was received, scoring/categories.py) loads as Udyam classifies it,
        with a warning in the batch's report. The SQL finds the candidates from the same ceilings;
        categories.category_misfit says why."""
        limits = limits_on(self.received)
        conditions, params = [], []
        for category, (investment, turnover) in limits.ceilings.items():
            conditions.append("(category = %s AND (investment > %s OR turnover > %s))")
            params += [str(category), investment, turnover]
        self.cursor.execute(
            f"SELECT row_no, category, investment, turnover, raw FROM {self.stage} "
            f"WHERE {' OR '.join(conditions)} ORDER BY row_no",
            params,
        )
        for row_no, category, investment, turnover, raw in self.cursor.fetchall():
            reason = category_misfit(category, Decimal(investment), Decimal(turnover), on=self.received)
            if reason:
                self._reject(row_no, reason, raw, kind=RejectKind.WARNING)

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
        for chunk in chunks(pairs, STAGE_ROWS):
            self.cursor.executemany("INSERT INTO stage_connections VALUES (%s, %s, %s)", chunk)

    def _reject_identifier_conflicts(self):
        """A GSTIN, EPFO code or consumer number belongs to one unit: a row claiming one that
        another unit holds (in the same file, or stored and not given up by this file) is rejected."""
        ent, conn = db_table(Enterprise), db_table(PowerConnection)
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
        ent, conn = db_table(Enterprise), db_table(PowerConnection)
        batch = self.batch.pk
        linked = 0
        by_profile, by_connection = _links()
        for model, column in by_profile:
            table = db_table(model)
            self.cursor.execute(
                f"UPDATE {table} SET enterprise_id = NULL WHERE enterprise_id IN ({touched_sql}) AND NOT EXISTS "
                f"(SELECT 1 FROM {ent} e WHERE e.id = {table}.enterprise_id AND e.{column} = {table}.{column})",
                [batch],
            )
            self.cursor.execute(
                f"UPDATE {table} SET enterprise_id = (SELECT e.id FROM {ent} e WHERE e.{column} = "
                f"{table}.{column}) WHERE enterprise_id IS NULL AND {column} IN "
                f"(SELECT {column} FROM {ent} WHERE batch_id = %s AND {column} IS NOT NULL)",
                [batch],
            )
            linked += max(self.cursor.rowcount, 0)
        for model, column in by_connection:
            table = db_table(model)
            self.cursor.execute(
                f"UPDATE {table} SET enterprise_id = NULL WHERE enterprise_id IN ({touched_sql}) AND NOT EXISTS "
                f"(SELECT 1 FROM {conn} c WHERE c.consumer_number = {table}.{column} "
                f"AND c.enterprise_id = {table}.enterprise_id)",
                [batch],
            )
            self.cursor.execute(
                f"UPDATE {table} SET enterprise_id = (SELECT c.enterprise_id FROM {conn} c WHERE c.consumer_number = "
                f"{table}.{column}) WHERE enterprise_id IS NULL AND {column} IN (SELECT c.consumer_number "
                f"FROM {conn} c JOIN {ent} e ON e.id = c.enterprise_id WHERE e.batch_id = %s)",
                [batch],
            )
            linked += max(self.cursor.rowcount, 0)
        self.batch.linked = linked
