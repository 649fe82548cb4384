"""Writing one staged chunk of an import: codes, ids, the lead rows and what comes with them
(stage history with its lead copies, follow-ups, tasks, tags, search entries), in bulk."""
from __future__ import annotations

from contextlib import nullcontext
from datetime import datetime, timezone

from ...domain import rules
from ...domain.spell import spelling
from ...domain.tags import split_tags
from ...i18n import N_
from ...store import bulk, search, summaries
from ...store.models import AutoTagRule, LeadTag, Source, Stage, Tag
from ...store.search import reversed_digits
from .. import changes
from ..context import Session, settings_for_owner
from ..leads import assign
from ..leads.tags import auto_tags_for
from .build import Record

LEAD_COLS = ("id", "code", "company", "contact_name", "title", "phone", "phone_rev", "email", "other_contact",
             "source", "industry", "company_size", "region", "first_contact_at", "need", "pain_points", "budget",
             "decision_maker", "obstacle", "owner_id", "priority", "follow_up_days", "amount_cents", "probability",
             "expected_close_date", "stage", "status", "stage_entered_at", "last_activity_at", "next_follow_up_at",
             "plan_until", "stay_reason", "incomplete", "escalated", "dup_suspected", "remarks", "next_action",
             "won_amount_cents", "currency", "product", "won_at", "lost_reason", "lost_at", "wake_up_at", "pause_reason",
             "missed_calls", "created_at", "updated_at", "assigned_at", "created_by", "batch_id", "version",
             "stages_seen", "pinyin")
# the lead copies (schema v5) written here, so the per-row copy trigger has nothing to do
HIST_COLS = ("lead_id", "stage", "entered_at", "left_at", "user_id", "reason", "lead_owner_id", "lead_created_at",
             "lead_batch_id")
FU_COLS = ("lead_id", "user_id", "at", "method", "reached", "summary", "customer_words")
TASK_COLS = ("lead_id", "owner_id", "kind", "title", "priority", "due_at", "remind_minutes", "status", "created_at")
# SQLite's AFTER INSERT triggers that have nothing to do for a staged chunk's rows: their batch is not committed
# (the summaries' and deltas' row triggers), the rows carry their stage bits and history copies, and the chunk's
# search entries and summary deltas are written after its inserts (search.index_rows, summaries.add_chunk).
# SQLite still runs each trigger's program per row to find that out (measured: 23 of a lead row's 57 us, 8 of a
# history row's 14), so they are off during the chunk's inserts: dropped and created again inside its
# transaction, where no other connection sees them gone. PostgreSQL's are statement triggers.
IDLE_ON_STAGED = {"lead": ("lead_fts_ai", "report_sum_lead_ins", "report_dlt_lead_ins"),
                  "stage_history": ("stage_history_seen", "stage_history_lead_copy", "report_sum_hist_ins",
                                    "report_dlt_hist_ins")}


def rows_matching(ctx: Session, select: str, col: str, values: list):
    """Rows of ``select`` (SQL up to its WHERE) whose ``col`` is one of ``values``: one ``= ANY`` query on
    PostgreSQL, ``IN`` lists of 500 on SQLite (its bound-parameter limit)."""
    if ctx.is_postgres:
        yield from ctx.db.execute_sql(f"{select} WHERE {col} = ANY(%s)", (values,))
        return
    for i in range(0, len(values), 500):
        part = values[i:i + 500]
        yield from ctx.db.execute_sql(f"{select} WHERE {col} IN ({', '.join('?' * len(part))})", part)


def reserve_ids(ctx: Session, table: str, n: int) -> list[int]:
    if ctx.is_postgres:
        rows = ctx.db.execute_sql(f"SELECT nextval(pg_get_serial_sequence('\"{table}\"', 'id')) "
                                  "FROM generate_series(1, %s)", (n,)).fetchall()
        return [r[0] for r in rows]
    top = ctx.db.execute_sql(f'SELECT COALESCE(MAX(id), 0) FROM "{table}"').fetchone()[0]
    return list(range(top + 1, top + 1 + n))


def _pinyin(rec: Record) -> str | None:
    """The pinyin the reader spelt for the row's names, or spelt now if the names changed since."""
    L, spelt = rec.lead, rec.extra.get("spelled")
    if spelt and spelt[0] == L["company"] and spelt[1] == L["contact_name"]:
        return spelt[2]
    return spelling(L["company"], L["contact_name"])


class ChunkWriter:
    """Writes the chunks of one import batch, inside the caller's transaction."""

    def __init__(self, ctx: Session, batch_id: int, now_ts: int):
        self.ctx, self.batch_id, self.now_ts = ctx, batch_id, now_ts
        # lead.stages_seen is written here, so the history trigger has nothing to update
        self.stage_bits = {k: 1 << i for k, i in ctx.db.execute_sql("SELECT key, id FROM stage") if i < 63}
        self._prefix_cache: dict = {}
        self.assigner: assign.Assigner | None = None  # the assignment rules, read at the first chunk
        self.tag_rules: list = []
        self.created_stages: list[str] = []
        pattern = ctx.settings.code_pattern
        tail = pattern[len(pattern.split("{SEQ", 1)[0]):]
        try:
            tail.format(SEQ=1)
            self._tail: str | None = tail
        except (KeyError, IndexError, ValueError):
            self._tail = None

    def codes(self, recs: list[Record]) -> None:
        """Generated codes for rows without one: one counter bump per prefix, one clash check per chunk."""
        ctx = self.ctx
        pattern = ctx.settings.code_pattern
        cache = self._prefix_cache
        want: dict[str, list[tuple[Record, object]]] = {}
        for rec in recs:
            if rec.lead.get("code"):
                continue
            key = (rec.lead["source"], rec.lead["created_at"])
            hit = cache.get(key)
            if hit is None:
                day = datetime.fromtimestamp(key[1], timezone.utc).astimezone(ctx.tz)
                hit = cache[key] = (rules.code_prefix(pattern, key[0], day), day)
            want.setdefault(hit[0], []).append((rec, hit[1]))
        tail = self._tail
        while want:
            last = self._bump(list(want.items()))
            for prefix, pending in want.items():
                first = last[prefix] - len(pending) + 1
                for k, (rec, day) in enumerate(pending):
                    rec.lead["code"] = (prefix + tail.format(SEQ=first + k) if tail is not None
                                        else rules.lead_code(pattern, rec.lead["source"], day, first + k))
            codes = [rec.lead["code"] for pending in want.values() for rec, _d in pending]
            clash = {c for (c,) in rows_matching(ctx, "SELECT code FROM lead", "code", codes)}
            want = {p: [(r, d) for r, d in pending if r.lead["code"] in clash] for p, pending in want.items()}
            want = {p: v for p, v in want.items() if v}

    def _bump(self, wanted: list[tuple[str, list]]) -> dict[str, int]:
        """Move each prefix's counter on by how many codes it needs, 400 prefixes per statement (a chunk of
        imported rows spans hundreds of source-and-day prefixes); returns each prefix's new last number."""
        mark = "%s" if self.ctx.is_postgres else "?"
        last: dict[str, int] = {}
        for i in range(0, len(wanted), 400):
            part = wanted[i:i + 400]
            values = ", ".join([f"({mark}, {mark})"] * len(part))
            params = [x for prefix, pending in part for x in (prefix, len(pending))]
            last.update(self.ctx.db.execute_sql(
                f"INSERT INTO code_counter (prefix, last) VALUES {values} ON CONFLICT (prefix) "
                "DO UPDATE SET last = code_counter.last + excluded.last RETURNING prefix, last", params).fetchall())
        return last

    def stages(self, names: list[str]) -> None:
        """Add the file's new stages (``--create-stages``) after the existing ones, at the last one's
        probability, in the order they first appear; recorded as the import's."""
        ctx = self.ctx
        for name in list(names):
            if name in self.stage_bits:
                continue
            last = ctx.db.execute_sql("SELECT MAX(position), (SELECT probability FROM stage WHERE active "
                                      "ORDER BY position DESC LIMIT 1) FROM stage WHERE active").fetchone()
            Stage.insert(key=name, label_en=name, label_zh=name, position=(last[0] or 0) + 1,
                         probability=last[1] or 0).on_conflict_ignore().execute()
            sid = Stage.get(Stage.key == name).id
            if sid < 63:
                self.stage_bits[name] = 1 << sid
            changes.record(ctx, "stage", sid, "create", {"key": [None, name], "via": "import",
                                                         "batch": self.batch_id})
            self.created_stages.append(name)

    def rules(self, recs: list[Record]) -> list[tuple[int, object]]:
        """The assignment rules for rows without an owner and the auto tags for every row; returns (index, choice)
        of the rows a rule gave to someone (PRODUCT §8)."""
        if self.assigner is None:
            self.assigner, self.tag_rules = assign.Assigner(self.ctx), list(AutoTagRule.select().order_by(AutoTagRule.id))
        given = []
        for i, rec in enumerate(recs):
            if rec.extra.get("unowned") and self.assigner.rules:
                choice = self.assigner.choose(rec.lead)
                if choice:
                    rec.owner = choice.user_id
                    rec.extra["give"] = assign.beyond_reach(self.ctx, self.assigner.user(choice.user_id))
                    given.append((i, choice))
            auto = auto_tags_for(rec.lead, self.tag_rules) if self.tag_rules else []
            if auto:
                rec.extra["tags"] = ", ".join(split_tags([rec.extra.get("tags") or ""] + auto))
        return given

    def idle_off(self, table: str):
        """``IDLE_ON_STAGED[table]`` off for the block (SQLite, a staged batch's rows), else nothing."""
        if self.ctx.is_postgres or self.batch_id is None:
            return nullcontext()
        return bulk.triggers_off(self.ctx.db, {table: IDLE_ON_STAGED[table]})

    def insert(self, recs: list[Record], new_sources, new_stages=()) -> list[int]:
        """Insert the chunk's leads with their history, follow-ups, tasks, tags and search entries;
        returns their ids (in order)."""
        ctx = self.ctx
        s = ctx.settings
        for key in list(new_sources):
            if key not in ctx.sources:
                Source.insert(key=key, label_en=key, label_zh=key).on_conflict_ignore().execute()
                ctx.sources[key] = (key, key)
        if new_stages:
            self.stages(new_stages)
        self.codes(recs)
        given = self.rules(recs)
        ids = reserve_ids(ctx, "lead", len(recs))
        now, bid, actor = self.now_ts, self.batch_id, ctx.actor.id
        now_dt = ctx.now()
        lead_rows, hist, fus, tasks, tags = [], [], [], [], []
        bits = self.stage_bits
        cr_due = int(rules.complete_record_due(now_dt, s).timestamp())
        first_title = N_("First contact; complete the record")
        for lid, rec in zip(ids, recs):
            L = rec.lead
            owner, status, prio = rec.owner, L["status"], L["priority"]
            open_ = status in ("pending", "in_progress", "paused")
            # one task per row from the file or the rules (rule 12: none of rules 1-3 for a lead with a
            # recorded contact): the follow-up the row plans (whatever the status: won customers are followed
            # up too), else the first contact (whose call also completes the record), else the record to complete
            due = [(rec.plan[2], rec.plan[1], rec.plan[0])] if rec.plan else []
            fresh = not rec.plan and not rec.extra.get("contacted")
            if fresh and status == "pending":
                fc = int(rules.first_contact_due(now_dt, prio, settings_for_owner(ctx, owner)).timestamp())
                due.append(("first_contact", first_title if L["incomplete"] else N_("First contact"), fc))
            elif fresh and L["incomplete"] and open_:
                due.append(("complete_record", N_("Complete the record"), cr_due))
            if status == "dormant" and L.get("wake_up_at") and not (rec.plan and rec.plan[2] == "wake_up"):
                due.append(("wake_up", N_("Wake up"), L["wake_up_at"]))
            for kind, title, at in due:
                tasks.append((lid, owner, kind, title, prio, at, s.reminder_minutes, "open", now))
            nxt, last = min((d[2] for d in due), default=None), max((d[2] for d in due), default=None)
            end = L["won_at"] if status == "won" else L["lost_at"] if status == "lost" else None
            seen = bits.get(L["stage"], 0) | (bits.get(status, 0) if end else 0)
            lead_rows.append((
                lid, L["code"], L["company"], L["contact_name"], L["title"], L["phone"], reversed_digits(L["phone"]),
                L["email"], L["other_contact"], L["source"], L["industry"], L["company_size"], L["region"],
                L["first_contact_at"], L["need"], L["pain_points"], L["budget"], L["decision_maker"], L["obstacle"],
                actor if rec.extra.get("give") else owner, prio, L["follow_up_days"], L["amount_cents"],
                L["probability"], L["expected_close_date"],
                L["stage"], status, L["stage_entered_at"], L["last_activity_at"], nxt, last, L["stay_reason"],
                L["incomplete"], False, bool(rec.extra.get("dup")), L["remarks"], L["next_action"],
                L["won_amount_cents"], L["currency"], L["product"], L["won_at"], L["lost_reason"], L["lost_at"], L["wake_up_at"],
                L["pause_reason"], 0, L["created_at"], now, now, actor, bid, 1, seen,
                _pinyin(rec)))
            hist.append((lid, L["stage"], L["stage_entered_at"], end, owner, None, owner, L["created_at"], bid))
            if end:
                hist.append((lid, status, end, None, owner, None, owner, L["created_at"], bid))
            if rec.followup:
                f = rec.followup
                fus.append((lid, owner, f["at"], f["method"], True, f["summary"], f["customer_words"]))
            if rec.extra.get("tags"):
                tags.append((lid, split_tags(rec.extra["tags"])))  # vip; 华东、重点 is three tags
        with self.idle_off("lead"):
            bulk.insert_rows(ctx.db, "lead", LEAD_COLS, lead_rows)
        # the chunk's share of the batch's summary deltas, before anything updates its rows (the triggers
        # keep the deltas from then on)
        summaries.add_chunk(ctx.db, "lead", bid, min(ids), max(ids))
        search.index_rows(ctx.db, "batch_id = ? AND id >= ? AND id <= ?", (bid, min(ids), max(ids)))
        with self.idle_off("stage_history"):
            bulk.insert_rows(ctx.db, "stage_history", HIST_COLS, hist)
        summaries.add_chunk(ctx.db, "stage_history", bid, min(ids), max(ids))
        bulk.insert_rows(ctx.db, "follow_up", FU_COLS, fus)
        bulk.insert_rows(ctx.db, "task", TASK_COLS, tasks)
        if tags:
            names = sorted({t for _lid, ts in tags for t in ts})
            Tag.insert_many([{"name": n[:64]} for n in names]).on_conflict_ignore().execute()
            tid = {t.name: t.id for t in Tag.select().where(Tag.name.in_([n[:64] for n in names]))}
            LeadTag.insert_many([{"lead": lid, "tag": tid[t[:64]]} for lid, ts in tags for t in set(ts)]
                                ).on_conflict_ignore().execute()
        assign.record(ctx, [(ids[i], choice) for i, choice in given])
        for i, choice in given:  # PostgreSQL under the importer's own role: made as theirs, handed on now
            if recs[i].extra.get("give"):
                assign.give(ctx, ids[i], choice.user_id)
        return ids
