"""Another database session holding a lock, as a migration, a long batch or a colleague's
transaction would."""

import threading

import psycopg
from django.db import connection

# The longest a test waits on a lock that should have timed out: the holder lets go then, so a
# request that would have hung finishes (and the test fails on its answer) instead of hanging.
GUARD_SECONDS = 30


class TableLock:
    """An ACCESS EXCLUSIVE lock on `table`, taken by its own connection and held until release()
    (from any thread) or the end of the `with` block."""

    def __init__(self, table: str):
        self.table = table
        self._mutex = threading.Lock()
        self._conn = None
        self._guard = None

    def __enter__(self):
        db = connection.settings_dict
        self._conn = psycopg.connect(
            dbname=db["NAME"], host=db["HOST"] or None, port=db["PORT"] or None, user=db["USER"] or None,
            password=db["PASSWORD"] or None,
        )  # fmt: skip
        self._conn.execute(f'LOCK TABLE "{self.table}" IN ACCESS EXCLUSIVE MODE')
        self._guard = threading.Timer(GUARD_SECONDS, self.release)
        self._guard.daemon = True
        self._guard.start()
        return self

    def release(self):
        with self._mutex:
            if self._conn is not None:
                self._conn.rollback()
                self._conn.close()
                self._conn = None

    def __exit__(self, *exc):
        self._guard.cancel()
        self.release()
