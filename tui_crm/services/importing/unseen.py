"""What an import tells of leads beyond the importer's scope: that one holds a row's code, phone or e-mail
is an answer about someone else's customer, so each is an audited reveal and at most
``changes.DUPLICATE_ANSWERS_PER_HOUR`` are given an hour (PRODUCT §7: a file of guessed numbers must not
find out which are customers, in a dry run or a real one). Past that, every row that could match such a
lead is refused, whether or not one does (anything else would answer)."""
from __future__ import annotations

from ...i18n import _
from .. import changes
from ..context import Session
from .dupes import keys
from .refusals import Refusal
from .rows import Record


class UnseenAnswers:
    def __init__(self, ctx: Session, dry_run: bool):
        self.ctx, self.dry_run = ctx, dry_run
        self.left: int | None = None  # read from the change log when first needed

    def _left(self) -> int:
        if self.left is None:
            self.left = changes.unseen_answers_left(self.ctx)
        return self.left

    def tell(self, key: str, lead_id: int | None) -> bool:
        """May the importer be told that a lead beyond their scope holds this ``key``? If so, the answer is
        recorded (inside the chunk's transaction) and counted."""
        if self._left() <= 0:
            return False
        self.left -= 1
        changes.audit_unseen_duplicate(self.ctx, key, lead_id, "dry run" if self.dry_run else "import")
        return True

    def held_back(self, rec: Record, hit, visible, res, column_of: dict[str, str]) -> bool:
        """Refuse ``rec`` (True) when it could match a lead beyond the importer's scope (no stored lead they see
        matched it: ``hit`` None, or a lead ``visible(id)`` says they cannot see) and every answer of the hour
        is spent; when it matched such a lead and an answer is left, spend it (its duplicate is then told)."""
        unseen = hit is not None and not visible(hit[0][0])
        could = hit is None or unseen
        if rec.extra.get("unchecked") or (could and not rec.extra.get("file_dup") and keys(rec.lead)
                                          and not self.ctx.actor.is_admin and self._left() <= 0):
            key, value = keys(rec.lead)[0]
            res.refused += 1
            res.refusals.append(Refusal(
                rec.line, column_of.get(key, key), value,
                _("not checked against leads you cannot see (at most {n} such answers an hour): import "
                  "this row later, or ask a supervisor", n=changes.DUPLICATE_ANSWERS_PER_HOUR)))
            return True
        if unseen:
            self.tell(hit[1], hit[0][0])
        return False
