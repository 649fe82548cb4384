"""Import leads from CSV/XLSX, all-or-nothing in what anyone sees.

The rows are staged in short chunked transactions under an ``import_batch``
in state ``staging``; ``scope.committed()`` hides them from every query.
At the end one tiny transaction flips the batch to ``committed`` (and applies
``--on-duplicate update`` changes). A failed or killed import leaves an
invisible batch that the next import (or ``--undo``) removes.
"""
from __future__ import annotations

import json
import os
import socket
import time
from itertools import chain, islice
from typing import BinaryIO, Callable

from ...domain.logins import is_valid_login
from ...i18n import _
from ...store import pgroles, search
from ...store.statistics import GrowingTables
from ...store.models import ImportBatch, Lead, User
from ...store.search import derived
from .. import changes, identity
from ..context import Session
from ..errors import AccessDenied
from .batches import UPDATABLE, delete_batch_rows, clean_abandoned
from .columns import SAMPLE_ROWS, map_headers, samples, vendor_of
from .dupes import FileDupes, db_note, keys
from .read import UnreadableFile, converted, converted_ahead, open_table, spooled
from .refusals import Refusal
from .pacing import TXN_SECONDS, Pacer  # noqa: F401 (TXN_SECONDS: read by the bench)
from .options import ImportOptions, ImportResult, date_order, login_for, percent_columns
from .rows import Record, RowConverter
from .unseen import UnseenAnswers
from .write import ChunkWriter, rows_matching

class _Importer:
    def __init__(self, ctx: Session, path: str, opts: ImportOptions, progress: Callable | None,
                 name: str | None = None):
        self.ctx, self.path, self.opts, self.progress = ctx, path, opts, progress
        self.name = name or os.path.abspath(path)  # the file as the batch records it ("-": standard input)
        self.res = ImportResult(None, opts.dry_run)
        self.now_ts = int(ctx.now().timestamp())
        self.batch_id: int | None = None
        self.file_updates: dict[int, dict] = {}
        self.db_updates: dict[int, dict] = {}
        self.owner_ids: dict[str, int] = {}
        self.fake_id = -1
        self.unseen = UnseenAnswers(ctx, opts.dry_run)  # answers about leads beyond the actor's scope

    # ------------------------------------------------------------ access
    def _check_owner(self, rec: Record, conv: RowConverter) -> Refusal | None:
        a = self.ctx.actor
        if isinstance(rec.owner, str):  # to be created
            if a.role in ("admin", "supervisor"):
                return None
            return Refusal(rec.line, "owner", rec.owner, _("only a supervisor or an admin may create owners"))
        if rec.owner == a.id or a.is_admin:
            return None
        if a.is_supervisor and a.team_id is not None and conv.user_team.get(rec.owner) == a.team_id:
            return None
        return Refusal(rec.line, "owner", str(rec.owner), _("you cannot import leads owned by someone else"))

    # ------------------------------------------------------------ the run
    def run(self) -> ImportResult:
        ctx, opts = self.ctx, self.opts
        table = open_table(self.path, opts.fmt, opts.sheet, opts.header_row, opts.encoding)
        try:
            head = list(islice(table.rows, SAMPLE_ROWS))
            table.rows = chain(head, table.rows)
            cells = [c for _line, c in head]
            region = (opts.region or ctx.settings.default_region).upper()
            fields = map_headers(table.headers, opts.maps, cells, region)
            self.res.mapping = list(zip(table.headers, fields))
            self.res.samples = samples(cells, len(table.headers))
            self.res.vendor, self.res.date_order = vendor_of(table.headers), date_order(fields, cells)
            self.res.encoding, self.res.delimiter = table.encoding, table.delimiter
            if not any(f in ("code", "company", "contact_name", "phone", "email", "company_contact", "contact",
                             "contact_person", "first_name", "last_name") for f in fields):
                raise UnreadableFile(_("no column identifies a lead (code, company, contact, phone or email); "
                                       "columns: {cols}", cols=", ".join(h for h in table.headers if h)))
            users = list(User.select(User.id, User.login, User.name, User.team, User.active).tuples())
            self.users_by_id = {u[0]: u for u in users}
            conv = RowConverter(ctx, table.headers, fields, stage_map=opts.stage_maps,
                                create_owners=opts.create_owners, create_stages=opts.create_stages,
                                keep_unmapped=opts.keep_unmapped, users=users, region=region,
                                decimal_comma=opts.decimal_comma, percent_scale=percent_columns(fields, cells),
                                day_first=self.res.date_order == "dmy")
            self.conv = conv
            self.dupes = FileDupes({f: h for h, f in self.res.mapping if f in ("code", "phone", "email")})
            if opts.create_stages and not opts.dry_run and not ctx.actor.is_admin:
                raise AccessDenied(_("only an admin may create stages (--create-stages)"))
            if not opts.dry_run:
                clean_abandoned(ctx)
                with ctx.db.atomic():
                    search.ensure_triggers(ctx.db)  # staged rows are indexed per chunk below, not by trigger
                    self.batch_id = ImportBatch.insert(
                        user=ctx.actor.id, file=self.name, state="staging", started_at=self.now_ts,
                        summary=json.dumps(self._beat())).execute()
                    changes.record(ctx, "import", self.batch_id, "start", {"file": self.name})
                self.res.batch_id = self.batch_id
                self.writer = ChunkWriter(ctx, self.batch_id, self.now_ts)
            big_cache = not opts.dry_run and not ctx.is_postgres
            if big_cache:  # index pages of a large table stay in memory across chunks
                old_cache = ctx.db.execute_sql("PRAGMA cache_size").fetchone()[0]
                ctx.db.execute_sql("PRAGMA cache_size = -262144")
                # NOT a larger wal_autocheckpoint: it saves a third of each commit here, but then the
                # next *other* writer's commit runs the big checkpoint and waits >1 s (measured); the
                # checkpoints run on a side connection after each of our commits instead, off our lock time
            grow = None if opts.dry_run else GrowingTables(ctx.db, {"lead": ("code", "phone", "email")})
            self.pacer = Pacer(ctx.db, opts.chunk, bulk=big_cache, tables=grow)
            try:
                self._rows(table, conv)
                self.res.sources_created = sorted(conv.new_sources)  # before the commit records them
                self.res.stages_created = list(conv.values.new_stages)
                if not opts.dry_run:
                    self._commit()
            except BaseException:
                if not opts.dry_run:
                    self._fail()
                raise
            finally:
                self.pacer.close()
                if big_cache:
                    ctx.db.execute_sql(f"PRAGMA cache_size = {int(old_cache)}")
        finally:
            table.close()
        self.res.values = conv.values.seen()
        return self.res

    def _beat(self) -> dict:
        return {"pid": os.getpid(), "host": socket.gethostname(), "heartbeat": time.time()}

    def _rows(self, table, conv: RowConverter) -> None:
        buf: list[Record] = []
        res = self.res
        # PostgreSQL: the rows are converted ahead on a thread while the server stores the last ones; SQLite's
        # writer holds the GIL in its inserts, so a converting thread beside it only slows both (read.converted)
        parts = converted_ahead if self.ctx.is_postgres and not self.opts.dry_run else converted
        for part, position in parts(table, conv.convert):
            for rec in part:
                if rec is None:
                    res.blank += 1
                    continue
                res.rows += 1
                if isinstance(rec, Record):
                    refusal = self._check_owner(rec, conv)
                    if refusal is None:
                        if self._dedupe_in_file(rec):
                            continue
                        buf.append(rec)
                        if len(buf) >= self.pacer.chunk:
                            self._flush(buf)
                            buf = []
                            if self.progress:
                                self.progress(res.rows + res.blank, position, table.size)
                        continue
                    rec = (refusal,)
                res.refused += 1
                res.refusals.extend(rec)
        if buf:
            self._flush(buf)
        if self.progress:
            self.progress(res.rows + res.blank, table.size, table.size)

    def _dedupe_in_file(self, rec: Record) -> bool:
        """True when the row repeats an earlier row of the file and was handled (skipped or merged)."""
        hit = self.dupes.match(rec)
        if hit is None:
            self.dupes.add(rec)
            return False
        holder, key = hit
        self.res.duplicate += 1
        mode = self.opts.on_duplicate
        self.res.notes.append(self.dupes.note(rec, holder, key, mode))
        if mode == "skip":
            return True
        if mode == "update":
            vals = {f: rec.lead[f] for f in UPDATABLE if rec.lead.get(f) not in (None, "")}
            if isinstance(holder.target, Record):
                holder.target.lead.update(vals)
            else:
                self.file_updates.setdefault(holder.target, {}).update(vals)
            self.res.updated += 1
            return True
        if key == "code":
            rec.lead["code"] = None  # create: a copy gets a code of its own
        rec.extra["dup"] = rec.extra["file_dup"] = True
        return False

    # ------------------------------------------------------------ a chunk
    def _existing(self, recs: list[Record]) -> dict[tuple[str, str], tuple]:
        """Stored leads (not this import's own) sharing a code, phone or e-mail with the chunk's rows, the
        same in a dry run as in a real one."""
        found: dict[tuple[str, str], tuple] = {}
        in_role = identity.session_role_login(self.ctx) is not None
        for col in ("code", "phone", "email"):
            vals = list(dict.fromkeys(r.lead[col] for r in recs if r.lead.get(col)))  # in the file's order
            if not vals:
                continue
            sql = f"SELECT id, {col}, batch_id, owner_id, code FROM lead"
            for lid, val, batch, owner, code in rows_matching(self.ctx, sql, col, vals):
                if self.batch_id is not None and batch == self.batch_id:
                    continue
                found.setdefault((col, val), (lid, batch, owner, code))
            # beyond a role's row security: no id, owner or code is known of such a lead
            for val, batch in (pgroles.hidden_matches(self.ctx.db, col, vals) if in_role else ()):
                if self.batch_id is None or batch != self.batch_id:
                    found.setdefault((col, val), (None, batch, None, val if col == "code" else
                                                  _("a lead you cannot see")))
        return found

    def _db_match(self, rec: Record, existing: dict) -> tuple[tuple, str] | None:
        """The stored lead ``rec`` repeats and the key they share; a lead of another code that shares only a
        phone or e-mail with a row of its own code is noted (flagged) instead."""
        own = rec.lead.get("code")
        for key, val in keys(rec.lead):
            hit = existing.get((key, val))
            if hit is None:
                continue
            if key != "code" and own and hit[3] != own:
                if not rec.extra.get("dup"):
                    code = self._code_if_visible(hit)
                    if code is None and not self.unseen.tell(key, hit[0]):
                        rec.extra["unchecked"] = True
                        return None
                    rec.notes.append(db_note(rec, self.dupes.column_of.get(key, key), key, code, "flag"))
                rec.extra["dup"] = True
                continue
            return hit, key
        return None

    def _visible(self, lead_id: int) -> bool:
        from ..scope import scope_expr

        if lead_id is None:  # found beyond a role's row security: nothing of it is known
            return False
        if self.ctx.actor.is_admin:
            return True
        return Lead.select(Lead.id).where((Lead.id == lead_id) & scope_expr(self.ctx.actor)).exists()

    def _code_if_visible(self, hit: tuple) -> str | None:
        """A stored lead's code for the notes, None when the importing user may not see that lead."""
        return hit[3] if self._visible(hit[0]) else None

    def _flush(self, recs: list[Record]) -> None:
        def beat() -> None:
            if not self.opts.dry_run:
                ImportBatch.update(summary=json.dumps(self._beat())).where(ImportBatch.id == self.batch_id).execute()

        self.pacer.write(recs, self._flush_chunk, beat, adapt=not self.opts.dry_run)

    def _flush_chunk(self, recs: list[Record]) -> None:
        res = self.res
        existing = self._existing(recs)
        # the committed import batches, asked only when a stored duplicate belongs to one
        committed = {b.id for b in ImportBatch.select(ImportBatch.id).where(ImportBatch.state == "committed")
                     } if any(hit[1] is not None for hit in existing.values()) else set()
        keep: list[Record] = []
        for rec in recs:
            hit = None if rec.extra.get("file_dup") else self._db_match(rec, existing)
            if self.unseen.held_back(rec, hit, self._visible, res, self.dupes.column_of):
                continue
            if hit is None:
                keep.append(rec)
                continue
            (lid, batch, _owner, code), key = hit
            column = self.dupes.column_of.get(key, key)
            if batch is not None and batch not in committed:
                res.refused += 1
                res.refusals.append(Refusal(rec.line, column, rec.lead[key],
                                            _("held by import batch {batch}, which has not finished",
                                              batch=batch)))
                continue
            res.duplicate += 1
            mode = self.opts.on_duplicate
            if mode == "update" and not self._visible(lid):
                res.duplicate -= 1
                res.refusals.append(Refusal(rec.line, column, rec.lead[key],
                                            _("duplicate of a lead you cannot see")))
                res.refused += 1
                continue
            res.notes.append(db_note(rec, column, key, code if self._visible(lid) else None, mode))
            if mode == "skip":
                continue
            if mode == "update":
                vals = {f: rec.lead[f] for f in UPDATABLE if rec.lead.get(f) not in (None, "")}
                self.db_updates.setdefault(lid, {}).update(vals)
                res.updated += 1
                continue
            if key == "code":
                rec.lead["code"] = None
            rec.extra["dup"] = True
            keep.append(rec)
        if not keep:
            return
        self._owners(keep)
        for rec in keep:
            res.notes.extend(rec.notes)
            res.flagged += any(n.outcome == "flagged" for n in rec.notes)
        if self.opts.dry_run:
            res.new += len(keep)
            res.incomplete += sum(1 for r in keep if r.lead["incomplete"])
            return
        self._insert(keep)

    def _owners(self, recs: list[Record]) -> None:
        for rec in recs:
            if not isinstance(rec.owner, str):
                continue
            name = rec.owner
            if name not in self.owner_ids:
                taken = {u[1] for u in self.users_by_id.values()}
                # an export names owners by login with the name beside it: keep both
                full = rec.extra.get("owner_name") or name
                login = name if full != name and is_valid_login(name) and name not in taken else \
                    login_for(name, taken)
                self.res.owner_logins[name] = login
                if self.opts.dry_run:
                    self.owner_ids[name] = self.fake_id
                    self.users_by_id[self.fake_id] = (self.fake_id, login, full, None, True)
                    self.fake_id -= 1
                else:
                    team = self.ctx.actor.team_id if self.ctx.actor.is_supervisor else None
                    uid = User.insert(login=login, name=full, role="rep", team=team, created_at=self.now_ts).execute()
                    changes.record(self.ctx, "user", uid, "create", {"login": [None, login], "role": [None, "rep"],
                                                                      "via": "import", "batch": self.batch_id})
                    self.owner_ids[name] = uid
                    self.users_by_id[uid] = (uid, login, full, team, True)
                self.res.owners_created.append(name)
            rec.owner = self.owner_ids[name]

    def _insert(self, recs: list[Record]) -> None:
        ids = self.writer.insert(recs, self.conv.new_sources, self.conv.values.new_stages)
        self.res.new += len(recs)
        self.res.incomplete += sum(1 for r in recs if r.lead["incomplete"])
        # staged leads of this file: later duplicates update them by id
        for lid, rec in zip(ids, recs):
            self.dupes.staged(rec, lid)

    # ------------------------------------------------------------ the end
    def _apply_updates(self, updates: dict[int, dict], audit: bool) -> None:
        ctx = self.ctx
        for lid, vals in updates.items():
            cur = Lead.get_or_none(Lead.id == lid)
            if cur is None:
                continue
            diff = {f: [getattr(cur, f), v] for f, v in vals.items() if getattr(cur, f) != v}
            if not diff:
                continue
            row = {f: v for f, (_o, v) in diff.items()}
            row.update(derived(row, cur))
            Lead.update(**row, updated_at=self.now_ts, version=Lead.version + 1).where(Lead.id == lid).execute()
            if audit:
                changes.record(ctx, "lead", lid, "update", {**diff, "batch": self.batch_id}, lead_id=lid)

    def _commit(self) -> None:
        ctx = self.ctx
        with ctx.db.atomic():
            self._apply_updates(self.file_updates, audit=False)
            self._apply_updates(self.db_updates, audit=True)
            ImportBatch.update(state="committed", finished_at=int(ctx.now().timestamp()),
                               summary=json.dumps(self.res.summary(), ensure_ascii=False)).where(
                ImportBatch.id == self.batch_id).execute()
            changes.record(ctx, "import", self.batch_id, "commit", self.res.summary())
        if self.writer.created_stages:
            ctx.reload_config()

    def _fail(self) -> None:
        try:
            with self.ctx.db.atomic():
                ImportBatch.update(state="failed", finished_at=int(self.ctx.now().timestamp())).where(
                    ImportBatch.id == self.batch_id).execute()
            delete_batch_rows(self.ctx, self.batch_id)
        except Exception:  # the batch stays staging: invisible, cleaned by the next import
            pass


def run_import(ctx: Session, source: str | BinaryIO, opts: ImportOptions | None = None,
               progress: Callable[[int, int, int], None] | None = None) -> ImportResult:
    """Import the file ``source`` (or a binary stream, read to its end first) as ``ctx.actor``;
    progress(rows, position, size) after each chunk. A remote session imports streams only."""
    if isinstance(source, str):
        return _Importer(ctx, ctx.host_file(source), opts or ImportOptions(), progress).run()
    with spooled(source) as path:
        return _Importer(ctx, path, opts or ImportOptions(), progress, name="-").run()
