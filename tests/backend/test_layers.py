"""The house rules on imports, read from the source: one way between the apps, and no circle anywhere.

Apps depend one way: backend ← honourees ← studios ← funding ← reports (DESIGN.md "The domain"): an app
imports only from the apps to its left, ``backend``'s primitives import no app, and nothing imports the
project's wiring (``gongjiang``: settings, URLs, WSGI, the demo command), which imports them all.
Every import counts, also one inside a function (that is how a circle is usually hidden) and one under
``if TYPE_CHECKING:`` (a type that needs the other module is a dependency all the same: a pure module
states what it reads with a Protocol instead).
"""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LAYERS = ["backend", "honourees", "studios", "funding", "reports"]
WIRING = "gongjiang"
PACKAGES = [*LAYERS, WIRING]


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in (ROOT / package).rglob("*.py"):
            if "migrations" not in path.parts:
                found[_module_name(path)] = path
    return found


def _imports(name: str, path: Path, known: set[str]) -> list[tuple[str, int]]:
    """The project modules ``name`` imports (each with the line), the packages on the way included."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            targets += [(alias.name, node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.rsplit(".", node.level - 1)[0] if node.level > 1 else package
                module = f"{base}.{node.module}" if node.module else base
            else:
                module = node.module or ""
            targets.append((module, node.lineno))
            # "from honourees import services" imports the module honourees.services
            targets += [(f"{module}.{alias.name}", node.lineno) for alias in node.names]
    out = []
    for target, line in targets:
        parts = target.split(".")
        for i in range(1, len(parts) + 1):  # importing a.b.c runs a and a.b first
            prefix = ".".join(parts[:i])
            if prefix in known and prefix != name and not name.startswith(prefix + "."):
                out.append((prefix, line))
    return out


def _graph() -> dict[str, list[tuple[str, int]]]:
    modules = _modules()
    known = set(modules)
    return {name: _imports(name, path, known) for name, path in modules.items()}


def test_apps_import_only_leftwards_and_nothing_imports_the_wiring():
    rank = {app: i for i, app in enumerate(LAYERS)}
    wrong = []
    for name, targets in _graph().items():
        app = name.split(".")[0]
        for target, line in targets:
            other = target.split(".")[0]
            if other == app:
                continue
            if other == WIRING or (app != WIRING and rank[other] > rank[app]):
                wrong.append(f"{name} (line {line}) imports {target}")
    assert not wrong, "imports against backend ← honourees ← studios ← funding ← reports:\n" + "\n".join(
        sorted(set(wrong))
    )


def test_no_module_is_part_of_an_import_circle():
    graph = {name: sorted({t for t, _ in targets}) for name, targets in _graph().items()}
    # Tarjan's strongly connected components, iteratively (a circle is a component of two or more).
    index, low, on_stack, stack, circles, counter = {}, {}, set(), [], [], [0]

    def visit(start):
        work = [(start, iter(graph[start]))]
        index[start] = low[start] = counter[0]
        counter[0] += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, edges = work[-1]
            for nxt in edges:
                if nxt not in index:
                    index[nxt] = low[nxt] = counter[0]
                    counter[0] += 1
                    stack.append(nxt)
                    on_stack.add(nxt)
                    work.append((nxt, iter(graph[nxt])))
                    break
                if nxt in on_stack:
                    low[node] = min(low[node], index[nxt])
            else:
                work.pop()
                if work:
                    low[work[-1][0]] = min(low[work[-1][0]], low[node])
                if low[node] == index[node]:
                    component = []
                    while True:
                        member = stack.pop()
                        on_stack.discard(member)
                        component.append(member)
                        if member == node:
                            break
                    if len(component) > 1:
                        circles.append(sorted(component))

    for name in sorted(graph):
        if name not in index:
            visit(name)
    assert not circles, "import circles:\n" + "\n".join(" ↔ ".join(c) for c in circles)


def test_the_rules_see_an_upward_import_and_a_circle(tmp_path, monkeypatch):
    """The two tests above would fail on a tree that breaks them (so they cannot pass by reading nothing)."""
    for package, files in {
        "backend": {"__init__.py": "", "money.py": "from honourees.models import Round\n"},
        "honourees": {
            "__init__.py": "",
            "models.py": "def f():\n    from honourees import views\n",
            "views.py": "from honourees.models import f\n",
        },
        "studios": {
            "__init__.py": "",
            "models.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from studios.rubric import X\n",
            "rubric.py": "from studios.models import Y\n",
        },
        "funding": {"__init__.py": ""},
        "reports": {"__init__.py": ""},
        "gongjiang": {"__init__.py": ""},
    }.items():
        (tmp_path / package).mkdir()
        for file_name, text in files.items():
            (tmp_path / package / file_name).write_text(text)
    monkeypatch.setattr(__import__(__name__, fromlist=["ROOT"]), "ROOT", tmp_path)
    graph = _graph()
    assert ("honourees.models", 1) in graph["backend.money"]
    assert ("honourees.views", 2) in graph["honourees.models"]
    assert ("honourees.models", 1) in graph["honourees.views"]
    assert ("studios.rubric", 3) in graph["studios.models"], "an import for type hints counts too"
    for rule in (
        test_apps_import_only_leftwards_and_nothing_imports_the_wiring,
        test_no_module_is_part_of_an_import_circle,
    ):
        try:
            rule()
        except AssertionError:
            continue
        raise AssertionError(f"{rule.__name__} passed on a tree that breaks it")


def test_no_source_file_grows_past_about_600_lines():
    """STYLE.md: a module past about 600 lines holds more than one concern and becomes a package."""
    limit = 620
    long = [
        f"{path.relative_to(ROOT)}: {count} lines"
        for folder in [*PACKAGES, "tests"]
        for path in (ROOT / folder).rglob("*.py")
        if "migrations" not in path.parts
        and (count := len(path.read_text(encoding="utf-8").splitlines())) > limit
    ]
    assert not long, "\n".join(long)
