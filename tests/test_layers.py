"""The layering of ENGINEERING.md holds: checked on every module's imports."""
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


def test_the_checker_catches_a_violation(tmp_path):
    f = PKG / "domain" / "_probe_violation.py"
    f.write_text("import peewee\nfrom ..store import models\n")
    try:
        assert "domain/_probe_violation.py" in bad(layer_files("domain"), ["peewee"])
        assert "domain/_probe_violation.py" in bad(layer_files("domain"), ["tui_crm.store"])
    finally:
        f.unlink()
