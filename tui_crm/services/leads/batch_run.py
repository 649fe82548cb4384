"""Batch work's entry points: ``run`` a batch action over a selection and ``undo`` a batch. Importing this
module brings every action and undoer in (batch_actions, batch_tags register theirs), so callers import this
one, never an action module for its side effect."""
from __future__ import annotations

from typing import Callable

from . import batch, batch_actions, batch_tags, batch_undo  # noqa: F401  (the actions and undoers register)

_REGISTERED = (batch_actions, batch_tags)
from ..context import Session

Selection = batch.Selection
BatchResult = batch.BatchResult


def run(ctx: Session, sel: batch.Selection, action: str, params: dict | None = None,
        progress: Callable[[int, int], None] | None = None) -> batch.BatchResult:
    return batch.run(ctx, sel, action, params, progress=progress)


def undo(ctx: Session, batch_id: int, progress: Callable[[int, int], None] | None = None) -> batch.BatchResult:
    return batch_undo.undo(ctx, batch_id, progress=progress)


def count(ctx: Session, sel: batch.Selection) -> int:
    return batch.count(ctx, sel)
