"""The shape of the import graph, read from the source with `ast`.

No module of `lectern` imports itself round a circle, counting the imports a module runs when
it loads (those under `if TYPE_CHECKING:` are for the type checker only). An import inside a
function is how a circle hides, so those are few and each says why it is there: a heavy
library loaded only when it is needed, or an app's `AppConfig.ready()` registering its own
modules (Django's hook for that, run once every model is loaded).
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lectern.notifications.kinds import kinds_all

SRC = Path(__file__).resolve().parents[1] / "src"

# (importer, imported) inside a function, each with its reason.
LAZY = {
    ("lectern.certificates.services", "lectern.certificates.pdf"): (
        "reportlab loads only when a certificate is drawn"
    ),
    ("lectern.registrations.emails", "lectern.events.ical"): (
        "icalendar loads only when an .ics file is attached"
    ),
    ("lectern.events.changes", "lectern.events.ical"): (
        "icalendar loads only when a change's invitation is attached"
    ),
    ("lectern.web.management.commands.serve", "lectern.wsgi"): (
        "gunicorn loads the application in its own time (BaseApplication.load)"
    ),
}


@dataclass(frozen=True)
class Import:
    importer: str
    imported: str
    line: int
    function: str | None  # None: run when the module loads

    def where(self) -> str:
        return f"{self.importer}:{self.line} imports {self.imported}"


@cache
def modules() -> dict[str, Path]:
    """Every module of `lectern` by dotted name, without tests and migrations."""
    found = {}
    for path in sorted((SRC / "lectern").rglob("*.py")):
        parts = path.relative_to(SRC).with_suffix("").parts
        if "tests" in parts or "migrations" in parts:
            continue
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def _targets(node: ast.Import | ast.ImportFrom, module: str, package: bool) -> Iterator[str]:
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names)
        return
    base = node.module or ""
    if node.level:
        parent = module.split(".")[: len(module.split(".")) - node.level + package]
        base = ".".join([*parent, *([base] if base else [])])
    for alias in node.names:  # `from lectern.core import clock` imports the module clock
        yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in modules() else base


def _type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _walk(
    body: list[ast.stmt], module: str, package: bool, function: str | None
) -> Iterator[Import]:
    for node in body:
        if isinstance(node, ast.Import | ast.ImportFrom):
            for target in _targets(node, module, package):
                if target == "lectern" or target.startswith("lectern."):
                    yield Import(module, target, node.lineno, function)
        elif isinstance(node, ast.If) and _type_checking(node):
            continue
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            yield from _walk(node.body, module, package, function or node.name)
        else:
            for field in ("body", "orelse", "finalbody", "handlers", "cases"):
                children = getattr(node, field, None)
                if isinstance(children, list):
                    yield from _walk(children, module, package, function)


@cache
def imports() -> tuple[Import, ...]:
    return tuple(
        found
        for module, path in modules().items()
        for found in _walk(
            ast.parse(path.read_text(), str(path)).body, module, path.name == "__init__.py", None
        )
    )


def graph() -> dict[str, set[str]]:
    """Who imports whom when a module loads; importing a module loads its packages too
    (except the importer's own packages, which are loading already)."""
    edges: dict[str, set[str]] = {module: set() for module in modules()}
    for found in imports():
        if found.function is None:
            parts = found.imported.split(".")
            for end in range(1, len(parts) + 1):
                target = ".".join(parts[:end])
                if target in modules() and not found.importer.startswith(f"{target}."):
                    edges[found.importer].add(target)
    for module, targets in edges.items():
        targets.discard(module)
    return edges


def cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """One circle in each group of modules that import one another (Tarjan's components)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    components: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(edges.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                components.append(component)

    for node in sorted(edges):
        if node not in index:
            visit(node)
    return [_circle(edges, component) for component in components]


def _circle(edges: dict[str, set[str]], component: set[str]) -> list[str]:
    """The shortest way from the component's first module back to itself."""
    start = min(component)
    paths = {start: [start]}
    queue = [start]
    for node in queue:
        for target in sorted(edges[node] & component):
            if target == start:
                return [*paths[node], start]
            if target not in paths:
                paths[target] = [*paths[node], target]
                queue.append(target)
    raise AssertionError(f"no circle in {component}")


def _registers_own_modules(found: Import) -> bool:
    """`lectern.<app>.apps`, in `ready()`, importing `lectern.<app>.<module>`."""
    app = found.importer.removesuffix(".apps")
    return (
        found.importer.endswith(".apps")
        and found.function == "ready"
        and found.imported.startswith(f"{app}.")
    )


def test_no_module_imports_itself_round_a_circle() -> None:
    found = cycles(graph())
    assert not found, "import circles:\n" + "\n".join(" -> ".join(c) for c in found)


def test_imports_inside_functions_are_the_allowed_few() -> None:
    local = [i for i in imports() if i.function is not None and not _registers_own_modules(i)]
    allowed = LAZY.keys()
    unexpected = [i.where() for i in local if (i.importer, i.imported) not in allowed]
    assert not unexpected, (
        "imports inside functions (move them to the top, or break the circle they dodge):\n"
        + "\n".join(unexpected)
    )
    gone = allowed - {(i.importer, i.imported) for i in local}
    assert not gone, f"allowed but no longer there; take them off the list: {sorted(gone)}"


def test_the_outbox_and_scheduler_never_name_the_apps_that_use_them() -> None:
    """Apps register their kinds of email and their rules with `notifications`; it names
    neither them nor their kinds, not even in a string."""
    upper = {"events", "memberships", "registrations", "checkout", "certificates", "directory"}
    below = [m for m in modules() if m.startswith("lectern.notifications")]
    named = [
        i.where()
        for i in imports()
        if i.importer in below and i.imported.split(".")[1:2] and i.imported.split(".")[1] in upper
    ]
    assert not named
    kinds = {kind.name for kind in kinds_all()}
    for module in below:
        tree = ast.parse(modules()[module].read_text())
        strings = {
            node.value
            for node in ast.walk(tree)
            if isinstance(node, ast.Constant) and isinstance(node.value, str)
        }
        assert not strings & kinds, f"{module} names kinds {sorted(strings & kinds)}"
        apps = [s for s in strings if s.startswith(tuple(f"lectern.{a}" for a in upper))]
        assert not apps, f"{module} names {apps}"


def test_the_checks_find_what_they_look_for() -> None:
    """The circle finder names a circle, and the walk sees imports inside functions."""
    edges = {"a": {"b"}, "b": {"c"}, "c": {"a", "d"}, "d": set()}
    assert cycles(edges) == [["a", "b", "c", "a"]]
    assert cycles({"a": {"b"}, "b": set()}) == []
    tree = ast.parse("import lectern.core\ndef f():\n    from lectern.core import clock\n")
    walked = list(_walk(tree.body, "lectern.x", False, None))
    assert [(i.imported, i.function) for i in walked] == [
        ("lectern.core", None),
        ("lectern.core.clock", "f"),
    ]
