"""Each screen's stylesheets, read when the screen is first opened (Textual's ``Screen.CSS_PATH``), so the
first screen parses and matches only its own rules (issue 17). ``theme.tcss`` is the app's and holds what
every screen shares; ``list.tcss`` is the app's too, as the first screen's (Textual parses every sheet again
when a screen brings one of its own). A stylesheet that names a screen class in a selector must be in that
screen's CSS_PATH or the app's (tests/test_screen_styles.py)."""
from __future__ import annotations

from pathlib import Path

STYLES = Path(__file__).resolve().parent.parent / "styles"


def css(*names: str) -> list[str]:
    """Absolute paths of ``styles/NAME.tcss`` (absolute: a subclass in another folder reads the same files)."""
    return [str(STYLES / f"{name}.tcss") for name in names]
