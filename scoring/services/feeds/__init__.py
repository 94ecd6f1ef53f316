"""Loading feed files (SCORING.md §1): validate each row, stage the good ones, merge set-based.

The merge is a few SQL statements over a staging table, not a query per row: rows are checked in
Python (streamed, bounded memory), copied into a temporary table (PostgreSQL COPY; executemany on
SQLite), de-duplicated within the file (the later row wins), counted against what is stored, and
upserted. An identical reload changes nothing: a record whose digest is unchanged is not written.
A record whose key matches no unit is stored unmatched (enterprise NULL) and is linked when a
Udyam profile with that key is loaded.

- `importing`: the batch: `feed_import`, what it records, and the file's failure.
- `loading`: reading and checking a file's rows, the staging table, rejects and their report.
- `profiles`: the Udyam profile of a unit (enterprises, their power connections, relinking).
- `records`: the feeds' records (GST returns, EPFO returns, power bills, credit, financials).
"""

from .importing import FeedFileError, feed_import

__all__ = ["FeedFileError", "feed_import"]
