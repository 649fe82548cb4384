"""Tags as a batch action: ``tags.change_tags`` (the tags service's own entries, one per lead changed, marked
``via: batch N``) over each chunk, and its undo (the same tags taken back off, or put back on)."""
from __future__ import annotations

from ...domain.tags import split_tags
from ...i18n import _
from . import tags
from .batch import BatchResult, register
from .batch_undo import undoer


class TagAction:
    name = entry = "tag"

    def __init__(self, ctx, params: dict):
        from ..errors import ValidationError

        self.ctx, self.now = ctx, ctx.now()
        self.add = split_tags(params.get("add") or ())
        self.remove = split_tags(params.get("remove") or ())
        if not (self.add or self.remove):
            raise ValidationError(_("name a tag to add or remove"), {"add": _("required")})
        self.batch_id: int | None = None

    def start(self, cond) -> None:
        """Nothing asked of the whole selection first (batch.Action.start)."""

    def head(self) -> dict:
        return {"add": self.add, "remove": self.remove}

    def head_entry(self) -> dict:
        return self.head()

    def apply(self, rows: list[dict], res: BatchResult) -> int:
        ids = [r["id"] for r in rows]
        n = tags.change_tags(self.ctx, ids, self.add, self.remove, via=f"batch {self.batch_id}")
        res.skip(_("already so"), len(ids) - n)
        return n

    def finish(self, res: BatchResult) -> None:
        pass


register("tag", TagAction)


@undoer("tag")
def _untag(ctx, info, todo, res) -> int:
    """Each lead's tags as they were before the batch (its entry says ``tags: [before, after]``), on the leads
    that still carry what the batch left; grouped so that one ``change_tags`` call serves many leads."""
    now = tags.tags_of(ctx, list(todo))
    groups: dict[tuple, list[int]] = {}
    for lid, (_lead, d) in todo.items():
        before, after = ([t for t in (v or "").split(", ") if t] for v in d.get("tags", [None, None]))
        if sorted(now.get(lid, [])) != sorted(after):
            continue
        key = (tuple(t for t in before if t not in after), tuple(t for t in after if t not in before))
        groups.setdefault(key, []).append(lid)
    n = sum(tags.change_tags(ctx, ids, list(add), list(remove), via=f"undo of batch {info['id']}")
            for (add, remove), ids in groups.items())
    res.skip(_("changed since"), len(todo) - n)
    return n
