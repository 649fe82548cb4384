"""What an import file's stage, status, source and owner values become, and the book of every distinct
value seen (for the dry run): each value resolved once, then counted with its first line.

Stage values never read as statuses other than the outcomes won and lost (a stage called "Pending"
is an unknown stage, not "not yet contacted"); a status column may name a stage (the templates'
线索状态 holds 方案报价). Unknown values raise :class:`Bad` with a suggestion: the closest stage,
``--stage-map VALUE=STAGE`` or ``--create-stages``.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field

from ...domain.vocab import OUTCOMES, SOURCES, STATUSES, norm_key, resolve
from ...i18n import _
from ..errors import ValidationError
from .columns import parse_pairs
from .stages import closest, vendor_source, vendor_stage, vendor_status


_RECORD_ID = re.compile(r"^005[0-9A-Za-z]{12}(?:[0-9A-Za-z]{3})?$")  # a Salesforce user's id (OwnerId)


class Bad(Exception):
    """One unreadable value of a row: its column, the value, why, and the kind of fix (owner, stage…)."""

    def __init__(self, column: str, value, reason: str, kind: str = ""):
        super().__init__(reason)
        self.column, self.value, self.reason, self.kind = column, value, reason, kind


@dataclass
class Seen:
    """One distinct value of one kind: what it becomes, on how many rows, first on which line."""
    kind: str
    value: str
    outcome: str  # "stage", "status", "source", "owner", "new" (created by the import) or "unknown"
    result: str  # the key, login or name it becomes; for unknown values the suggestion
    count: int = 0
    lines: list[int] = field(default_factory=list)


class Values:
    def __init__(self, ctx, *, stage_map: list[str] | None = None, create_owners: bool = False,
                 create_stages: bool = False, users: list[tuple] | None = None):
        self.stages = list(ctx.stage_keys)
        self.stage_probs = [(s.key, s.probability) for s in ctx.stages]
        self.stage_labels = {s.key: (s.label_en, s.label_zh) for s in ctx.stages}
        self.create_owners, self.create_stages = create_owners, create_stages
        self.stage_map: dict[str, tuple[str, str]] = {}
        for value, target in parse_pairs(stage_map or [], _("stage map")):
            self.stage_map[norm_key(value)] = self._target(target)
        self.source_labels = dict(SOURCES)
        self.source_labels.update(ctx.sources)
        self.users: dict[str, int] = {}
        self.logins: dict[int, str] = {}
        self.user_team: dict[int, int | None] = {}
        for uid, login, name, team_id, _active in users or []:
            self.users.setdefault(norm_key(login), uid)
            self.logins[uid] = login
            self.user_team[uid] = team_id
        for uid, login, name, _team, _active in users or []:
            self.users.setdefault(norm_key(name), uid)
        self.new_owners: dict[str, str] = {}  # norm -> name as written
        self.new_sources: dict[str, str] = {}
        self.new_stages: list[str] = []  # in order of first appearance
        self.book: dict[tuple[str, str], Seen] = {}
        self._memo: dict[tuple[str, str], tuple[str, str]] = {}

    # ------------------------------------------------------------ the book
    def _note(self, kind: str, text: str, line: int, outcome: str, result: str) -> None:
        seen = self.book.get((kind, text))
        if seen is None:
            seen = self.book[(kind, text)] = Seen(kind, text, outcome, result)
        seen.count += 1
        if len(seen.lines) < 5:
            seen.lines.append(line)

    def seen(self) -> list[Seen]:
        order = {"stage": 0, "status": 1, "source": 2, "owner": 3}
        return sorted(self.book.values(), key=lambda s: (order.get(s.kind, 9), s.lines[0] if s.lines else 0))

    # ------------------------------------------------------------ stages and statuses
    def _target(self, target: str) -> tuple[str, str]:
        key = resolve("stage", target, self.stage_labels)
        if key:
            return ("stage", key)
        st = resolve("status", target, STATUSES)
        if st:
            return ("status", st)
        raise ValidationError(_("stage map: unknown stage {value} (stages: {stages})", value=target,
                                stages=", ".join(self.stages)))

    def _outcome(self, text: str) -> str | None:
        return resolve("status", text, OUTCOMES)

    def _stage_hit(self, text: str) -> tuple[str, str] | None:
        hit = self.stage_map.get(norm_key(text))
        if hit is None:
            key = resolve("stage", text, self.stage_labels)
            hit = ("stage", key) if key else None
        if hit is None:
            out = self._outcome(text)
            hit = ("status", out) if out else vendor_stage(text, self.stage_probs)
        return hit

    def _unknown_stage(self, text: str, what: str) -> str:
        choices = {s: [s, *self.stage_labels.get(s, ())] for s in self.stages}
        near = closest(text, choices)
        hint = _("closest stage: {stage}; ", stage=near) if near else ""
        return _("unknown {what} ({hint}map it with --stage-map VALUE=STAGE, or add it with --create-stages)",
                 what=what, hint=hint)

    def _stage_value(self, text: str) -> tuple[str, str]:
        hit = self._stage_hit(text)
        if hit is None and self.create_stages:
            name = text.strip()[:64]
            self.new_stages.append(name)
            self.stage_labels.setdefault(name, (name, name))
            self.stages.append(name)
            return ("new", name)
        if hit is None:
            return ("unknown", self._unknown_stage(text, _("stage")))
        return hit

    def _status_value(self, text: str) -> tuple[str, str]:
        st = self.stage_map.get(norm_key(text))
        if st is None:
            key = resolve("status", text, STATUSES) or vendor_status(text)
            st = ("status", key) if key else self._stage_hit(text)
        if st is None:
            near = closest(text, {k: [k, *v] for k, v in STATUSES.items()})
            return ("unknown", _("unknown status (statuses: {names}{hint})", names=", ".join(STATUSES),
                                 hint=_("; closest: {name}", name=near) if near else ""))
        return st

    def _lookup(self, kind: str, text: str, column: str, line: int, compute) -> tuple[str, str]:
        hit = self._memo.get((kind, text))
        if hit is None:
            hit = self._memo[(kind, text)] = compute(text)
        self._note(kind, text, line, *hit)
        if hit[0] == "unknown":
            raise Bad(column, text, hit[1], "stage" if kind == "stage" else kind)
        return ("stage", hit[1]) if hit[0] == "new" else hit

    def stage_of(self, text: str, column: str, line: int) -> tuple[str, str]:
        """("stage", key) or ("status", won|lost) of a stage column's value."""
        return self._lookup("stage", text, column, line, self._stage_value)

    def status_of(self, text: str, column: str, line: int) -> tuple[str, str]:
        """("status", key) or ("stage", key) of a status column's value (a status column may hold stages)."""
        return self._lookup("status", text, column, line, self._status_value)

    # ------------------------------------------------------------ sources and owners
    def _source_value(self, text: str) -> tuple[str, str]:
        key = resolve("source", text, self.source_labels) or vendor_source(text, self.source_labels)
        if key is None:
            key = text.strip()[:64]
            self.new_sources[key] = key
            self.source_labels[key] = (key, key)
        return ("new" if key in self.new_sources else "source", key)

    def source_of(self, text: str, line: int) -> str:
        return self._lookup("source", text, "", line, self._source_value)[1]

    def owner_of(self, text: str, column: str, line: int) -> int | str:
        n = norm_key(text)
        uid = self.users.get(n)
        if uid is not None:
            self._note("owner", text, line, "owner", self.logins.get(uid, text))
            return uid
        if _RECORD_ID.match(text.strip()):
            reason = _("unknown owner: a record id, not a person (--map {column}=ignore imports the rows as "
                       "yours; or export the owners' names)", column=column)
            self._note("owner", text, line, "unknown", reason)
            raise Bad(column, text, reason, "record_id")
        if not self.create_owners:
            reason = _("unknown owner (add the user, or create missing owners with --create-owners)")
            self._note("owner", text, line, "unknown", reason)
            raise Bad(column, text, reason, "owner")
        self.new_owners.setdefault(n, text.strip())
        self._note("owner", text, line, "new", text.strip())
        return text.strip()
