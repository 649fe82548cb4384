"""Import batches after the fact: undo, cleaning up what a killed import left, the list of batches.

A staging batch is invisible (``scope.committed``); one whose process is gone
or whose heartbeat stopped is abandoned and removed in short transactions.
"""
from __future__ import annotations

import json
import os
import socket
import time

from ...i18n import _
from ...store.models import Change, ImportBatch, Lead, Notification, Source, Stage, StageHistory, Team, User
from .. import changes
from ..activity import tasks
from ..context import Session
from ..errors import AccessDenied, NotFound

UPDATABLE = ("company", "contact_name", "title", "phone", "email", "other_contact", "industry", "company_size",
             "region", "need", "pain_points", "budget", "decision_maker", "obstacle", "priority", "amount_cents",
             "probability", "currency", "expected_close_date", "remarks", "next_action", "product", "lost_reason")
ABANDONED_AFTER = 300  # seconds without a heartbeat: a staging batch whose process is gone


def _process_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _abandoned(batch: ImportBatch) -> bool:
    info = json.loads(batch.summary or "{}")
    beat = info.get("heartbeat", 0)
    if info.get("host") == socket.gethostname() and info.get("pid") and not _process_alive(info["pid"]):
        return True
    return time.time() - beat > ABANDONED_AFTER


def delete_batch_rows(ctx: Session, batch_id: int, chunk: int = 5000) -> int:
    """Delete a batch's leads in short transactions (their tasks, follow-ups, history go with them; a task
    other leads share stays with those: tasks.outlive). In a session of a user's own role the server deletes
    them (``crm_drop_batch_leads``): the leads the rules gave to someone beyond the importer's reach are hidden
    from the session, and an undo left them behind."""
    from .. import identity

    n = 0
    if identity.role_needs_server(ctx, "crm_drop_batch_leads(bigint,integer)"):
        while True:
            with ctx.db.atomic():
                (done,) = ctx.db.execute_sql("SELECT crm_drop_batch_leads(%s, %s)", (batch_id, chunk)).fetchone()
            if not done:
                return n
            n += done
    while True:
        with ctx.db.atomic():
            ids = [r[0] for r in Lead.select(Lead.id).where(Lead.batch == batch_id).limit(chunk).tuples()]
            if not ids:
                return n
            tasks.outlive(ids)
            Lead.delete().where(Lead.id.in_(ids)).execute()
        n += len(ids)


def clean_abandoned(ctx: Session) -> list[int]:
    """Remove what crashed or killed imports left staging (invisible all along)."""
    gone = [b for b in ImportBatch.select().where(ImportBatch.state == "staging") if _abandoned(b)]
    for b in gone:
        with ctx.db.atomic():
            ImportBatch.update(state="failed", finished_at=int(ctx.now().timestamp())).where(
                ImportBatch.id == b.id).execute()
            changes.record(ctx, "import", b.id, "failed", {"reason": "abandoned"})
        delete_batch_rows(ctx, b.id)
    return [b.id for b in gone]


def undo(ctx: Session, batch_id: int | str, removed: dict | None = None) -> int:
    """Revert an import: its leads vanish at once, then are deleted in chunks; then the owners, stages
    and sources it created go too where nothing else uses them (listed in ``removed``). Returns the
    lead count."""
    try:
        bid = int(str(batch_id).strip().lstrip("#"))
    except ValueError:
        raise NotFound(_("no import batch {batch}", batch=batch_id)) from None
    batch = ImportBatch.get_or_none(ImportBatch.id == bid)
    if batch is None:
        raise NotFound(_("no import batch {batch}", batch=batch_id))
    if batch.user_id != ctx.actor.id and not ctx.actor.is_admin:
        raise AccessDenied(_("only the user who imported batch {batch} or an admin may undo it", batch=bid))
    if batch.state == "undone":
        raise NotFound(_("import batch {batch} is already undone", batch=bid))
    with ctx.db.atomic():
        ImportBatch.update(state="undone", finished_at=int(ctx.now().timestamp())).where(
            ImportBatch.id == bid).execute()
        restored = _restore_updates(ctx, bid)
        changes.record(ctx, "import", bid, "undo", {"restored": restored})
    n = delete_batch_rows(ctx, bid)
    gone = remove_created(ctx, bid, json.loads(batch.summary or "{}"))
    if removed is not None:
        removed.update(gone)
    return n


def _user_used(uid: int) -> bool:
    """Whether anything but notifications (about the batch's own leads, gone with them) names the user."""
    for fk, model in User._meta.backrefs.items():
        if model is not Notification and model.select().where(fk == uid).exists():
            return True
    return (Lead.select().where(Lead.created_by == uid).exists()
            or Team.select().where(Team.supervisor_id == uid).exists())


def _may_delete(ctx: Session, table: str) -> bool:
    """The session may delete rows of ``table`` (a user's own PostgreSQL role may not delete users, stages or
    sources: an admin's work)."""
    if not ctx.is_postgres:
        return True
    return bool(ctx.db.execute_sql("SELECT has_table_privilege(%s, 'DELETE')", (f'"{table}"',)).fetchone()[0])


def remove_created(ctx: Session, bid: int, summary: dict) -> dict[str, list[str]]:
    """The users (owners), stages and sources batch ``bid`` created, removed where nothing uses them now
    that its leads are gone; each removal recorded as the undo's; ``kept``: those the session may not remove."""
    out: dict[str, list[str]] = {"owners": [], "stages": [], "sources": [], "kept": []}
    made = Change.select(Change.entity, Change.entity_id, Change.diff).where(
        Change.entity.in_(["user", "stage"]) & (Change.action == "create") & Change.diff.contains(f'"batch": {bid}'))
    allowed = {t: _may_delete(ctx, t) for t in ("user", "stage", "source")}
    with ctx.db.atomic():
        for ch in made:
            if json.loads(ch.diff).get("batch") != bid:
                continue
            if ch.entity == "user":
                user = User.get_or_none(User.id == ch.entity_id)
                if user is None or _user_used(user.id):
                    continue
                if not allowed["user"]:  # a member's own role: an admin removes them (the undo failed halfway)
                    out["kept"].append(user.login)
                    continue
                User.delete().where(User.id == user.id).execute()
                changes.record(ctx, "user", user.id, "delete", {"login": [user.login, None], "undo_of": bid})
                out["owners"].append(user.login)
            else:
                stage = Stage.get_or_none(Stage.id == ch.entity_id)
                if stage is None or Lead.select().where(Lead.stage == stage.key).exists() or \
                        StageHistory.select().where(StageHistory.stage == stage.key).exists():
                    continue
                if not allowed["stage"]:
                    out["kept"].append(stage.key)
                    continue
                Stage.delete().where(Stage.id == stage.id).execute()
                changes.record(ctx, "stage", stage.id, "delete", {"key": [stage.key, None], "undo_of": bid})
                out["stages"].append(stage.key)
        for key in summary.get("sources_created") or []:
            if not Lead.select().where(Lead.source == key).exists():
                if not allowed["source"]:
                    out["kept"].append(key)
                elif Source.delete().where(Source.key == key).execute():
                    out["sources"].append(key)
    if out["stages"] or out["sources"]:
        ctx.reload_config()
    if not out["kept"]:
        del out["kept"]  # only when something was left to an admin
    return out


def _restore_updates(ctx: Session, bid: int) -> int:
    """Put back the fields an ``--on-duplicate update`` import changed (from its change entries), each
    restored lead with a change entry of its own (``{field: [as it was, as restored]}``, ``undo_of``)."""
    from ...store.models import Change
    from ...store.search import derived

    n = 0
    for ch in Change.select().where((Change.entity == "lead") & (Change.action == "update")
                                    & Change.diff.contains(f'"batch": {bid}')).order_by(Change.id.desc()):
        diff = json.loads(ch.diff)
        if diff.pop("batch", None) != bid:
            continue
        old = {f: pair[0] for f, pair in diff.items() if f in UPDATABLE}
        cur = Lead.get_or_none(Lead.id == ch.lead_id)
        if not old or cur is None:
            continue
        back = {f: [getattr(cur, f), v] for f, v in old.items() if getattr(cur, f) != v}
        row = dict(old)
        row.update(derived(row, cur))  # the suffix and pinyin search follow the values back
        Lead.update(**row, updated_at=int(ctx.now().timestamp()), version=Lead.version + 1).where(
            Lead.id == ch.lead_id).execute()
        if back:
            changes.record(ctx, "lead", ch.lead_id, "update", {**back, "undo_of": bid}, lead_id=ch.lead_id)
        n += 1
    return n


def batches(ctx: Session, limit: int = 20) -> list[dict]:
    q = ImportBatch.select().order_by(ImportBatch.id.desc()).limit(limit)
    if not ctx.actor.is_admin:
        q = q.where(ImportBatch.user == ctx.actor.id)
    return [{"id": b.id, "file": b.file, "state": b.state, "started_at": b.started_at,
             "summary": json.loads(b.summary or "{}")} for b in q]
