"""The one place that uses Textual's private names (docs/ENGINEERING: only where Textual has no public way, kept
in one place, with a test that fails when Textual renames or drops them: tests/test_textual_private.py)."""
from __future__ import annotations


def in_batch_update(app) -> bool:
    """Textual is inside a batch update (``App.batch_update``, the app's start): a frame drawn now is dropped."""
    return app._batch_count > 0


class DrawnOutsideBatch:
    """A screen mixin (before ``Screen`` in the bases): the screen's frames are drawn outside a batch update only,
    and ``frame_drawn`` is called after each frame drawn.

    Why Textual's private names: Textual drops a frame drawn during a batch update (``App._display`` returns when
    ``App._batch_count`` is not 0), and an app's start is one batch (its Mount, which waits for the first screen's,
    the list's first read included). The list was drawn inside it for nothing, drawn again after it, and told the
    app it was shown in between (issue 17). Textual has no public way to ask whether a batch is on, nor a hook
    called when a frame reaches the terminal (``call_after_refresh`` runs at once during a batch, before the frame
    that counts), so the screen's ``_compositor_refresh`` (render the frame and hand it to the driver) is wrapped."""

    def _compositor_refresh(self) -> None:
        if in_batch_update(self.app):
            self.refresh()  # asked for again: drawn once the batch is over
            return
        super()._compositor_refresh()
        self.frame_drawn()

    def frame_drawn(self) -> None:
        """A frame of this screen was drawn outside a batch update (shown, if it is the current screen)."""
