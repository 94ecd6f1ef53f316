"""A synthetic, seeded population of J&K MSMEs with 30 months of their five feeds, as the CSV files
of SCORING.md §1: the demo's data (`manage.py seed_demo`) and the scale benchmark's (bench/run.py).

Each unit has a hidden health trajectory (population.py) from which every feed is derived
(writer.py); identifiers are valid and unique by construction (identifiers.py).
"""

from .identifiers import DISTRICT_CODES, demo_bank_branches
from .writer import HEADERS, SOURCES, deliberate_counts, deliberate_rows, write_demo_feeds

__all__ = [
    "DISTRICT_CODES",
    "HEADERS",
    "SOURCES",
    "deliberate_counts",
    "deliberate_rows",
    "demo_bank_branches",
    "write_demo_feeds",
]
