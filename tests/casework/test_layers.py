"""casework sits below workflows (DESIGN.md, "The apps"): none of its modules imports workflows or
names its models. (casework/portal, the owner pages, is moving out of casework; its historical
migrations still hold the database's foreign keys to the task table, see migration 0004.)"""

import ast
from pathlib import Path

import casework

ROOT = Path(casework.__file__).parent
SKIPPED = ("portal", "migrations")


def _modules():
    for path in sorted(ROOT.rglob("*.py")):
        if not set(path.relative_to(ROOT).parts) & set(SKIPPED):
            yield path


def test_casework_never_imports_or_names_workflows():
    offences = []
    for path in _modules():
        tree = ast.parse(path.read_text(), filename=str(path))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0:
                names = [node.module or ""]
            elif isinstance(node, ast.Constant) and isinstance(node.value, str):
                if node.value.startswith("workflows.") or node.value.startswith("workflows:"):
                    names = [node.value]
            offences += [
                f"{path.relative_to(ROOT)}:{node.lineno} {name}"
                for name in names
                if name.split(".")[0].split(":")[0] == "workflows"
            ]
    assert offences == []


def test_casework_templates_never_link_to_workflows():
    offences = [
        str(path.relative_to(ROOT))
        for path in sorted((ROOT / "templates" / "casework").rglob("*.html"))
        if "'workflows:" in path.read_text() or '"workflows:' in path.read_text()
    ]
    assert offences == []
