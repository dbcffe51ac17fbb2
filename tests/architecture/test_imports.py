"""The apps' modules import one way: no cycle, drafts above models, no view imports a view."""

from __future__ import annotations

import ast
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APPS = ("crm", "contacts", "followups")


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def app_modules() -> dict[str, Path]:
    found = {}
    for app in APPS:
        for path in (ROOT / app).rglob("*.py"):
            if "migrations" not in path.parts:
                found[module_name(path)] = path
    return found


def _type_checking_only(node: ast.stmt) -> bool:
    test = node.test if isinstance(node, ast.If) else None
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def imported_at_import_time(
    path: Path, name: str, modules: dict[str, Path], *, anywhere: bool = False
) -> set[str]:
    """Our modules that importing `name` imports first: its top-level imports (not those
    inside functions or under `if TYPE_CHECKING:`), and the packages around them.
    `anywhere`: the imports inside functions too."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets: set[str] = set()
    tree = ast.parse(path.read_text())
    for node in ast.walk(tree) if anywhere else tree.body:
        if _type_checking_only(node):
            continue
        if isinstance(node, ast.Import):
            targets |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            targets.add(base)
            targets |= {f"{base}.{alias.name}" for alias in node.names}
    deps = set()
    for target in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):
            candidate = ".".join(parts[:i])
            # A package that contains the importer is already being imported: no edge.
            if candidate in modules and not (name + ".").startswith(candidate + "."):
                deps.add(candidate)
    deps.discard(name)
    return deps


def import_cycles() -> list[list[str]]:
    modules = app_modules()
    graph = {name: imported_at_import_time(path, name, modules) for name, path in modules.items()}
    cycles, state = [], {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = "open"
        for dep in sorted(graph[node]):
            if state.get(dep) == "open":
                cycles.append([*trail[trail.index(dep) :], dep])
            elif dep not in state:
                visit(dep, [*trail, dep])
        state[node] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    return cycles


def test_no_module_of_the_apps_imports_itself_round_a_cycle():
    assert import_cycles() == []


def test_the_models_import_nothing_that_renders_drafts():
    # Not even inside a function: FollowUp.schedule() is handed its draft by the caller.
    modules = app_modules()
    for name, path in modules.items():
        if name.startswith("followups.models"):
            deps = imported_at_import_time(path, name, modules, anywhere=True)
            assert not any(d.startswith("followups.drafts") for d in deps), name


IMPORT_BOTH = """
import django
django.setup()
import importlib, sys
for name in sys.argv[1:]:
    importlib.import_module(name)
print("imported", *sys.argv[1:])
"""


@pytest.mark.parametrize(
    "order",
    [
        ("followups.models", "followups.drafts"),
        ("followups.drafts", "followups.models"),
        ("followups.rules", "followups.models", "followups.drafts"),
    ],
)
def test_models_and_drafts_import_in_either_order(order):
    result = subprocess.run(
        [sys.executable, "-c", IMPORT_BOTH, *order],
        cwd=ROOT,
        env={**os.environ, "DJANGO_SETTINGS_MODULE": "tests.settings"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert result.stdout.split() == ["imported", *order], result.stderr[-2000:]


def test_no_view_module_imports_another_view_module():
    modules = app_modules()
    views = {name for name in modules if name.rpartition(".")[2] == "views"}
    for name in sorted(views):
        deps = imported_at_import_time(modules[name], name, modules)
        assert not (deps & views), f"{name} imports {sorted(deps & views)}"


# The root URLconf and the settings name every app; nothing else in crm looks up, except
# load_demo, which builds a whole account with contacts (a known exception: it could move
# to followups/management/, the command's name staying the same).
MAY_LOOK_UP = {"crm.urls", "crm.settings", "crm.management.commands.load_demo"}


@pytest.mark.parametrize(
    ("app", "above"), [("crm", ("contacts", "followups")), ("contacts", ("followups",))]
)
def test_imports_point_down_from_followups_to_contacts_to_crm(app, above):
    modules = app_modules()
    for name, path in sorted(modules.items()):
        if name.split(".")[0] != app or name in MAY_LOOK_UP:
            continue
        deps = imported_at_import_time(path, name, modules, anywhere=True)
        upward = sorted(d for d in deps if d.split(".")[0] in above)
        assert not upward, f"{name} imports {upward}"
