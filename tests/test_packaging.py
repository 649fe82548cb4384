"""`pip install .` (a real wheel, not editable) carries the styles and translations."""
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent


@pytest.mark.slow
def test_wheel_contains_tcss_and_locale(tmp_path):
    proc = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "-q",
                           "-w", str(tmp_path), str(ROOT)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    wheel = next(tmp_path.glob("tui_crm-*.whl"))
    names = zipfile.ZipFile(wheel).namelist()
    assert "tui_crm/styles/theme.tcss" in names
    assert "tui_crm/locale/zh.json" in names
    for tcss in (ROOT / "tui_crm" / "styles").glob("*.tcss"):
        assert f"tui_crm/styles/{tcss.name}" in names
    for cat in (ROOT / "tui_crm" / "locale").glob("*.json"):
        assert f"tui_crm/locale/{cat.name}" in names
    assert any(n.endswith("entry_points.txt") for n in names)
    entry = next(n for n in names if n.endswith("entry_points.txt"))
    assert "tui-crm = tui_crm.cli:main" in zipfile.ZipFile(wheel).read(entry).decode()
