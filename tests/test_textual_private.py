"""The Textual private names tui_crm uses, all in screens/frames.py (docs/ENGINEERING: only where Textual has no
public way): this fails when a Textual release renames or drops them, or stops going through them to draw."""
from __future__ import annotations

import ast
from pathlib import Path

from textual.app import App
from textual.screen import Screen
from textual.widgets import Static

import tui_crm
from tui_crm.screens.frames import DrawnOutsideBatch, in_batch_update
from tui_helpers import wait_for


def test_textual_still_has_the_names_frames_uses():
    assert callable(getattr(Screen, "_compositor_refresh", None)), "Screen._compositor_refresh is gone"
    app = App()
    assert app._batch_count == 0
    assert not in_batch_update(app)
    with app.batch_update():
        assert in_batch_update(app)
        with app.batch_update():
            assert in_batch_update(app)
        assert in_batch_update(app)
    assert not in_batch_update(app)


class _Probe(DrawnOutsideBatch, Screen):
    def __init__(self):
        super().__init__()
        self.frames: list[bool] = []  # in a batch update when drawn: never

    def compose(self):
        yield Static("probe")

    def frame_drawn(self) -> None:
        self.frames.append(in_batch_update(self.app))


class _ProbeApp(App):
    def on_mount(self) -> None:
        self.push_screen(_Probe())


async def test_a_screen_s_frames_go_through_compositor_refresh_outside_a_batch():
    app = _ProbeApp()
    async with app.run_test(size=(40, 10)) as pilot:
        await wait_for(pilot, lambda: isinstance(app.screen, _Probe) and app.screen.frames, what="a frame drawn")
        probe = app.screen
        drawn = len(probe.frames)
        with app.batch_update():  # asked for inside a batch: drawn after it, not in it
            probe.query_one(Static).update("again")
            probe.refresh()
        await wait_for(pilot, lambda: len(probe.frames) > drawn, what="the frame after the batch")
        assert not any(probe.frames), probe.frames


def test_no_other_module_of_ours_names_textual_s_private_drawing_names():
    names = {"_batch_count", "_compositor_refresh", "_display"}
    found = []
    for path in Path(tui_crm.__file__).parent.rglob("*.py"):
        if path.name == "frames.py":
            continue
        for node in ast.walk(ast.parse(path.read_text("utf-8"))):
            if (isinstance(node, ast.Attribute) and node.attr in names) or (
                    isinstance(node, ast.FunctionDef) and node.name in names):
                found.append(f"{path.relative_to(Path(tui_crm.__file__).parent)}: {getattr(node, 'attr', None) or node.name}")
    assert found == []
