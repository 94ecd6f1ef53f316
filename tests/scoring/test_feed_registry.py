"""The feed registry (scoring/feeds/registry.py): one declaration per source, and what the import, the
scoring selectors and the rules derive from it agrees with the models it names."""

import pytest

from scoring import models
from scoring.choices import Source
from scoring.feeds import SPECS, ConnectionLink, ProfileLink, profile_flags
from scoring.selectors import FEEDS


def _fields(model) -> set[str]:
    return {f.column for f in model._meta.concrete_fields}


def test_every_source_has_one_declaration():
    assert set(SPECS) == set(Source)
    assert all(spec.source == source for source, spec in SPECS.items())


@pytest.mark.parametrize("source", list(Source))
def test_a_declaration_names_its_models_columns_key_and_period(source):
    spec = SPECS[source]
    model = getattr(models, spec.model)
    assert set(spec.stored_columns) <= _fields(model)
    later = [name for name, _ in spec.later]
    assert set(later) <= _fields(model) and all(model._meta.get_field(name).null for name in later)
    assert spec.all_headers == [*spec.headers, *later]  # later columns only ever at the end
    assert set(spec.key) <= set(spec.stored_columns)
    unique = [tuple(c.fields) for c in model._meta.constraints] + [
        (f.name,) for f in model._meta.concrete_fields if f.unique and not f.primary_key
    ]
    assert spec.key in unique, "the declared key is the table's unique key (the merge relies on it)"
    if spec.period is not None:
        assert spec.period in spec.stored_columns and spec.period in spec.key
    if spec.known_on is not None:
        assert spec.known_on in spec.stored_columns


def test_links_name_columns_the_profile_stores():
    profile = set(SPECS[Source.UDYAM].stored_columns)
    for spec in SPECS.values():
        if isinstance(spec.link, ProfileLink):
            assert spec.link.column in profile and spec.link.column in spec.stored_columns
        elif isinstance(spec.link, ConnectionLink):
            assert spec.link.column in spec.stored_columns
        else:
            assert spec.source == Source.UDYAM  # only the profile itself has no link


def test_the_rules_read_what_the_registry_declares():
    assert FEEDS == {
        "gst": (models.GstReturn, "period"),
        "epfo": (models.EpfoReturn, "wage_month"),
        "power": (models.PowerBill, "bill_month"),
        "credit": (models.CreditRecord, "month"),
    }
    assert profile_flags() == {"has_gstin": "gstin", "has_epfo_code": "epfo_code"}


def test_the_projects_column_docs_are_the_declarations():
    """docs/feeds.md lists each source's columns in order, the later ones marked."""
    import re
    from pathlib import Path

    docs = (Path(__file__).resolve().parents[2] / "docs" / "feeds.md").read_text()
    table = dict(re.findall(r"^\| `(\w+)` \| (.+) \|$", docs, flags=re.MULTILINE))
    for source, spec in SPECS.items():
        listed = [column.strip() for column in table[source].split(",")]
        assert listed == [*spec.headers, *(f"{name} (later)" for name, _ in spec.later)], source
