"""The assessments CSV (issue: `export_assessments`): fixed columns partners script against."""

import csv
from datetime import date
from pathlib import Path

from ..models import ScoringModel
from ..selectors import assessment_list


def assessment_export_columns(model: ScoringModel) -> list[str]:
    return ["udyam_number", "score", "coverage", "band", *model.definition["indicators"], "distress"]


def assessments_export(*, as_of: date, model: ScoringModel, path: Path) -> int:
    """Write one row per assessed unit; returns the number of rows."""
    codes = list(model.definition["indicators"])
    written = 0
    with Path(path).open("w", newline="", encoding="utf-8") as handle:
        writer = csv.writer(handle)
        writer.writerow(assessment_export_columns(model))
        rows = (
            assessment_list(as_of=as_of, model=model)
            .values_list("enterprise__udyam_number", "score", "coverage", "band", "indicators", "distress")
            .iterator(chunk_size=5000)
        )
        for udyam_number, score, coverage, band, indicators, distress in rows:
            subs = [(indicators.get(code) or {}).get("sub_score") or "" for code in codes]
            writer.writerow(
                [
                    udyam_number,
                    "" if score is None else f"{score:.2f}",
                    f"{coverage:.2f}",
                    band,
                    *subs,
                    ";".join(distress),
                ]
            )
            written += 1
    return written
