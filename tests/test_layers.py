"""The layering of docs/ARCHITECTURE.md holds: checked on every module's imports."""
import ast
from pathlib import Path

import tui_crm

PKG = Path(tui_crm.__file__).parent


def imports_of(path: Path) -> set[str]:
    tree = ast.parse(path.read_text("utf-8"))
    mod_parts = path.relative_to(PKG.parent).with_suffix("").parts
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out |= {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = list(mod_parts[: len(mod_parts) - node.level])
                name = ".".join(base + ([node.module] if node.module else []))
                out.add(name)
                if not node.module:
                    out |= {".".join(base + [a.name]) for a in node.names}
            else:
                out.add(node.module)
    return out


def layer_files(layer: str):
    return list((PKG / layer).rglob("*.py"))


def bad(files, forbidden):
    return {str(f.relative_to(PKG)): sorted(i for i in imports_of(f) if any(i == x or i.startswith(x + ".")
                                                                           for x in forbidden))
            for f in files if any(i == x or i.startswith(x + ".") for i in imports_of(f) for x in forbidden)}


def test_domain_imports_nothing_of_ours_nor_frameworks():
    assert bad(layer_files("domain"), ["peewee", "playhouse", "textual", "tui_crm.store", "tui_crm.services",
                                       "tui_crm.screens", "tui_crm.widgets", "tui_crm.app", "tui_crm.i18n"]) == {}


def test_store_and_services_never_import_textual():
    assert bad(layer_files("store") + layer_files("services"), ["textual", "tui_crm.screens", "tui_crm.widgets",
                                                                "tui_crm.app"]) == {}
    assert bad(layer_files("store"), ["tui_crm.services"]) == {}


def test_screens_and_widgets_never_touch_the_store():
    assert bad(layer_files("screens") + layer_files("widgets"), ["peewee", "playhouse", "tui_crm.store"]) == {}


def test_the_checker_catches_a_violation(tmp_path, monkeypatch):
    # a copy of the package's layout, not the package: a probe written into tui_crm/domain failed the domain
    # test running beside this one (pytest -n 2)
    root = tmp_path / "tui_crm"
    (root / "domain").mkdir(parents=True)
    (root / "domain" / "_probe_violation.py").write_text("import peewee\nfrom ..store import models\n")
    monkeypatch.setitem(globals(), "PKG", root)
    assert "domain/_probe_violation.py" in bad(layer_files("domain"), ["peewee"])
    assert "domain/_probe_violation.py" in bad(layer_files("domain"), ["tui_crm.store"])


# ------------------------------------------------------------------ no cycles, no private names
def module_name(path: Path) -> str:
    parts = path.relative_to(PKG.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(f): f for f in PKG.rglob("*.py")}


def imported_modules(path: Path) -> set[str]:
    """Every module of ours that importing ``path`` can load, imports inside functions included:
    the named module, a submodule named in ``from package import name``, and the packages
    (``__init__``) that Python runs on the way, except the importer's own enclosing packages."""
    me = module_name(path)
    out = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        targets = []
        if isinstance(node, ast.Import):
            targets = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = me.split(".") if path.name == "__init__.py" else me.split(".")[:-1]
                base = base[: len(base) - node.level + 1]
                mod = ".".join(base + ([node.module] if node.module else []))
            else:
                mod = node.module
            targets = [mod] + [f"{mod}.{a.name}" for a in node.names if f"{mod}.{a.name}" in MODULES]
        for t in targets:
            parts = t.split(".")
            for i in range(1, len(parts) + 1):
                m = ".".join(parts[:i])
                if m in MODULES and not (me == m or me.startswith(m + ".")):
                    out.add(m)
    return out


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(m):
        state[m] = 1
        stack.append(m)
        for n in sorted(graph.get(m, ())):
            if state.get(n) == 1:
                return stack[stack.index(n):] + [n]
            if n not in state and (found := visit(n)):
                return found
        stack.pop()
        state[m] = 2
        return None

    for m in sorted(graph):
        if m not in state and (found := visit(m)):
            return found
    return None


def test_no_import_cycle_among_our_modules():
    graph = {m: imported_modules(f) for m, f in MODULES.items()}
    assert find_cycle(graph) is None


def test_the_cycle_finder_finds_a_cycle_even_inside_a_function():
    graph = {m: imported_modules(f) for m, f in MODULES.items()}
    graph["tui_crm.services.context"] = graph["tui_crm.services.context"] | {"tui_crm.services.leads.writes"}
    assert find_cycle(graph)
    probe = PKG / "services" / "_probe_cycle.py"
    probe.write_text("def f():\n    from .leads import writes\n")
    try:
        assert "tui_crm.services.leads.writes" in imported_modules(probe)
        assert "tui_crm.services.leads" in imported_modules(probe)
    finally:
        probe.unlink()


def private_imports(path: Path) -> list[str]:
    """Underscore names imported from another module of ours."""
    me = module_name(path) if path.is_relative_to(PKG) else path.name
    bad_names = []
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and (node.level or (node.module or "").startswith("tui_crm")):
            for a in node.names:
                if a.name.startswith("_") and a.name != "_" and not a.name.startswith("__"):
                    bad_names.append(f"{me}: from {'.' * node.level}{node.module or ''} import {a.name}")
    return bad_names


def test_no_module_imports_another_modules_private_names():
    assert [b for f in PKG.rglob("*.py") for b in private_imports(f)] == []
    tests = Path(__file__).parent
    assert [b for f in tests.rglob("*.py") for b in private_imports(f)] == []


def test_services_top_level_stays_small():
    entries = [p.name for p in (PKG / "services").iterdir() if p.name != "__pycache__"]
    assert len(entries) <= 12, sorted(entries)
