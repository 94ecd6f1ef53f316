"""The apps stand in the layers of docs/decisions/0005-layers.md: an app may depend on the apps
below it, never on one above it nor on one beside it round a circle.

A dependency is any of: an import (absolute or relative, at module level or inside a function,
under TYPE_CHECKING too), `apps.get_model("app", "Model")` / `get_model("app.Model")`, a model
reference string ("app.Model", as in a ForeignKey), or a dotted path ("app.tasks.some_task", as
in settings or a Celery schedule). Migrations are history and are not read: a migration records
what the models were, and state moves between apps (partners 0007/0008, scoring 0008,
workflows 0010) must name both sides. Reads only source text: no database."""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# Bottom to top. `config` is the wiring on top: settings, URLs, the Celery app and schedule, and
# the hooks it connects (config/apps.py).
LAYERS = ["core", "partners", "notifications", "scoring", "casework", "workflows", "config"]
RANK = {app: rank for rank, app in enumerate(LAYERS)}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _resolve_relative(module: str, is_package: bool, level: int, target: str | None) -> str:
    base = module.split(".")
    if not is_package:
        base = base[:-1]
    base = base[: len(base) - (level - 1)] if level > 1 else base
    return ".".join([*base, target] if target else base)


def _named_app(text: str) -> str | None:
    """The project app a string names as "app.Model" or "app.dotted.path", if any."""
    head, dot, rest = text.partition(".")
    if not dot or head not in RANK or not rest:
        return None
    if all(part.isidentifier() for part in rest.split(".")):
        return head
    return None


def dependencies(source: str, *, module: str, is_package: bool = False) -> set[tuple[str, int, str]]:
    """(app depended on, line, what) for every dependency in `source`, a module named `module`."""
    found = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            for alias in node.names:
                found.add((alias.name.split(".")[0], node.lineno, f"import {alias.name}"))
        elif isinstance(node, ast.ImportFrom):
            target = node.module
            if node.level:
                target = _resolve_relative(module, is_package, node.level, node.module)
            found.add((target.split(".")[0], node.lineno, f"from {target} import …"))
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "get_model":
            if node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str):
                app = node.args[0].value.split(".")[0]
                found.add((app, node.lineno, f"get_model({node.args[0].value!r})"))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            app = _named_app(node.value)
            if app:
                found.add((app, node.lineno, repr(node.value)))
    return {(app, line, what) for app, line, what in found if app in RANK}


def project_modules():
    for app in LAYERS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            yield app, path


def violations() -> list[str]:
    found = []
    for app, path in project_modules():
        module = _module_name(path)
        for other, line, what in dependencies(path.read_text(), module=module, is_package=path.name == "__init__.py"):
            if other != app and RANK[other] > RANK[app]:
                found.append(f"{path.relative_to(ROOT)}:{line}: {app} depends on {other} above it ({what})")
    return sorted(found)


def test_no_app_depends_on_an_app_above_it():
    assert violations() == []


def test_every_app_of_the_project_has_a_layer():
    from django.conf import settings

    ours = {name.split(".")[0] for name in settings.INSTALLED_APPS if (ROOT / name.split(".")[0]).is_dir()}
    assert ours == set(LAYERS)


@pytest.mark.parametrize(
    ("source", "module", "expected"),
    [
        ("from workflows.models import Task", "partners.selectors", {"workflows"}),
        ("import casework.choices", "notifications.messages", {"casework"}),
        ("from ..models import Task", "workflows.services.tasks", {"workflows"}),
        ("from . import views", "casework.api.urls", {"casework"}),
        ("def f():\n    from scoring.models import Enterprise", "partners.services", {"scoring"}),
        ("apps.get_model('workflows', 'Task')", "partners.selectors", {"workflows"}),
        ("apps.get_model('casework.Case')", "partners.selectors", {"casework"}),
        ("x = models.ForeignKey('workflows.Task', on_delete=None)", "casework.models", {"workflows"}),
        ("BEAT = {'task': 'workflows.tasks.sla_sweep_task'}", "notifications.tasks", {"workflows"}),
        ("'''A docstring naming workflows.Task in a sentence.'''", "casework.models", set()),
        ("from django.db import models", "casework.models", set()),
    ],
)
def test_the_walk_sees_each_kind_of_dependency(source, module, expected):
    assert {app for app, _, _ in dependencies(source, module=module)} == expected
