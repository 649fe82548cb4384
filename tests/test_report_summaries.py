"""The report's summary tables (schema v14, store/summaries.py), on both backends: whatever writes the
leads (the services, batch work, import and its undo, handover, raw SQL, a stage's probability), the
report read from them equals the report computed from the lead rows, for every scope, period and time
zone; ``db check`` finds a summary that drifted and ``db check --repair`` rebuilds it."""
from __future__ import annotations

import dataclasses
import random
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import HealthCheck, given, settings, strategies as st

from cli_helpers import run
from tui_crm import clock
from tui_crm.services import leads
from tui_crm.services.activity import tasks
from tui_crm.services.errors import ServiceError
from tui_crm.services.importing.batches import undo as undo_import
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.leads import batch_run as batch
from tui_crm.services.reports import figures as rep
from tui_crm.store import schema, summaries
from tui_crm.store.models import ImportBatch, Lead, Stage

REPS = ("rep_a1", "rep_a2", "rep_b1")
ZONES = ("UTC", "Asia/Shanghai", "Asia/Kolkata", "America/New_York", "Australia/Eucla")
START = datetime(2024, 9, 1, tzinfo=timezone.utc)


def as_in(world, login: str, zone: str):
    ctx = world.as_(login)
    ctx.actor = dataclasses.replace(ctx.actor, tz=ZoneInfo(zone))
    return ctx


def agree(world, login: str, zone: str, period: rep.Period | None, **narrow) -> None:
    ctx = as_in(world, login, zone)
    fast = rep.report(ctx, period=period, **narrow)
    slow = rep.report(ctx, period=period, summaries=False, **narrow)
    assert fast == slow, (login, zone, period, narrow)


def write_csv(path, rows) -> str:
    import csv

    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "contact_name", "phone", "source", "owner", "industry", "amount", "status",
                    "created_at"])
        w.writerows(rows)
    return str(path)


class Ops:
    """Random writes through every path, at random times."""

    def __init__(self, world, rng: random.Random, tmp_path):
        self.world, self.rng, self.tmp = world, rng, tmp_path
        self.n = 0
        self.now = START

    def at(self) -> None:
        """Time goes on by up to five days (a lead's creation lands on any hour of any day)."""
        self.now += timedelta(seconds=self.rng.randrange(0, 5 * 86400))
        clock.set_now(self.now)

    def code(self) -> str | None:
        ids = [lead.code for lead in Lead.select(Lead.code).where(Lead.status.not_in(("won", "lost")))]
        return self.rng.choice(ids) if ids else None

    def add(self):
        self.at()
        self.world.lead(self.rng.choice(REPS), amount_cents=self.rng.choice([None, 100, 12345, 500000]),
                        industry=self.rng.choice([None, "制造", " retail ", "retail"]),
                        source=self.rng.choice(["expo", "referral"]))

    def move(self):
        code = self.code()
        if code:
            self.at()
            owner = Lead.get(Lead.code == code).owner.login
            leads.move_stage(self.world.as_(owner), code, self.rng.choice(["qualified", "proposal", "negotiation"]),
                             reason="because")

    def outcome(self):
        code = self.code()
        if code:
            self.at()
            owner = Lead.get(Lead.code == code).owner.login
            if self.rng.random() < 0.5:
                leads.set_outcome(self.world.as_(owner), code, "won", {"won_amount_cents": self.rng.randrange(1, 10**6), "product": "p"})
            else:
                leads.set_outcome(self.world.as_(owner), code, "lost", {"lost_reason": self.rng.choice(["price", " x "])})

    def edit(self):
        code = self.code()
        if code:
            owner = Lead.get(Lead.code == code).owner.login
            leads.update_lead(self.world.as_(owner), code, {"probability": self.rng.choice([None, 30]),
                                                            "industry": self.rng.choice(["物流", "retail"])})

    def reassign(self):
        code = self.code()
        if code:
            leads.reassign(self.world.ctx, code, self.rng.choice(REPS))

    def batch(self):
        ids = tuple(lead.id for lead in Lead.select(Lead.id).where(Lead.status.not_in(("won", "lost"))).limit(4))
        if ids:
            batch.run(self.world.ctx, batch.Selection(ids=ids), "lost", {"lost_reason": "batch"})

    def handover(self):
        src, dst = self.rng.sample(REPS, 2)
        leads.hand_over(self.world.ctx, src, dst)

    def import_(self):
        self.n += 1
        rows = [[f"Imported {self.n}-{i}", "Li", f"1370000{self.n:02d}{i:02d}", "expo", self.rng.choice(REPS),
                 "retail", "1000", self.rng.choice(["跟进中", "已流失"]),
                 (START + timedelta(days=self.rng.randrange(0, 70), hours=self.rng.randrange(24))).isoformat()]
                for i in range(3)]
        run_import(self.world.ctx, write_csv(self.tmp / f"i{self.n}.csv", rows), ImportOptions())

    def undo(self):
        done = [b.id for b in ImportBatch.select().where(ImportBatch.state == "committed")]
        if done:
            undo_import(self.world.ctx, self.rng.choice(done))

    def raw(self):
        """Writers outside the services: a deleted lead, a stage's probability."""
        if self.rng.random() < 0.5:
            code = self.code()
            if code:
                Lead.delete().where(Lead.code == code).execute()
        else:
            Stage.update(probability=self.rng.choice([10, 45, 80])).where(Stage.key == "proposal").execute()

    def plan(self):
        """A task (the lead's next follow-up is its open tasks' earliest due) from three days before the
        clock to three after it, on any second or on the hour."""
        code = self.code()
        if code:
            span = self.rng.choice([3 * 86400, 3 * 3600])
            due = self.now + timedelta(seconds=self.rng.randrange(-span, span))
            if self.rng.random() < 0.3:
                due = due.replace(minute=0, second=0)
            owner = Lead.get(Lead.code == code).owner.login
            tasks.add_task(self.world.as_(owner), code, "call", "call back", due)

    def done(self):
        from tui_crm.store.models import Task

        open_ = [t.id for t in Task.select(Task.id).where(Task.status == "open", Task.lead.is_null(False))]
        if open_:
            tasks.complete_task(self.world.ctx, self.rng.choice(open_), "ok")

    ALL = ("add", "add", "add", "move", "outcome", "edit", "reassign", "batch", "handover", "import_", "undo", "raw",
           "plan", "plan", "done")


periods = st.one_of(st.none(), st.tuples(st.integers(0, 75), st.integers(0, 75)).map(
    lambda t: rep.Period(date(2024, 9, 1) + timedelta(days=min(t)) if min(t) % 5 else None,
                         date(2024, 9, 1) + timedelta(days=max(t)))))


@settings(max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                               HealthCheck.too_slow])
@given(seed=st.integers(0, 10**6), zone=st.sampled_from(ZONES), period=periods)
def test_summaries_equal_the_lead_rows_after_any_writes(world, tmp_path, seed, zone, period):
    rng = random.Random(seed)
    ops = Ops(world, rng, tmp_path)
    try:
        for _ in range(14):
            try:
                getattr(ops, rng.choice(Ops.ALL))()
            except ServiceError:  # refused (a stay reason wanted, ...): nothing was written
                pass
    finally:
        clock.set_now(None)
    assert summaries.check(world.ctx.db) == []
    for login, narrow in (("boss", {}), ("boss", {"team": "B"}), ("boss", {"owner": "rep_a2"}), ("sup_a", {}),
                          ("rep_a1", {}), ("rep_b1", {})):
        agree(world, login, zone, period, **narrow)
    # the clock's counts (overdue, due today) at the last write's moment, a second before and after a whole
    # hour, and later, as time passes with no write
    try:
        from tui_crm.store.models import Task

        hour = ops.now.replace(minute=0, second=0, microsecond=0)
        dues = [t.due_at for t in Task.select(Task.due_at).where(Task.status == "open")]
        due = datetime.fromtimestamp(rng.choice(dues), timezone.utc) if dues else ops.now
        for now in (ops.now, hour - timedelta(seconds=1), hour, hour + timedelta(hours=5, minutes=7),
                    ops.now + timedelta(days=2, seconds=rng.randrange(86400)), due, due + timedelta(seconds=1),
                    due + timedelta(minutes=rng.randrange(1, 60)), due - timedelta(hours=rng.randrange(1, 30))):
            clock.set_now(now)
            for login in ("boss", "sup_a", "rep_a1", "rep_b1"):
                clock_counts_agree(as_in(world, login, zone), login, now)
    finally:
        clock.set_now(None)


def clock_counts_agree(ctx, login, now) -> None:
    """The board's headers and the list's clock counts from the summaries equal counting the rows."""
    from tui_crm.services.leads import board, pages
    from tui_crm.services.leads.pages import ListQuery

    for f in (board.BoardFilter(), board.BoardFilter(mine=True)):
        assert board.summary(ctx, f).columns == board.row_columns(ctx, board.condition(ctx, f), board._bounds(ctx)), (
            login, now, f)
    for filters in (("overdue",), ("today",), ("mine", "overdue"), ("mine", "today")):
        q = ListQuery(filters)
        assert pages.count(ctx, q) == Lead.select().where(pages.condition(ctx, q)).count(), (login, now, filters)


def test_a_quarter_in_shanghai_reads_whole_days_and_its_edges(world):
    """A local day is two partial UTC days: the report reads the summary for whole days and the lead rows
    at the edges, and a lead created a second before local midnight counts in the earlier day."""
    sh = ZoneInfo("Asia/Shanghai")
    edge = datetime(2024, 10, 1, tzinfo=sh)  # 2024-09-30 16:00 UTC
    for at in (edge - timedelta(seconds=1), edge, edge + timedelta(hours=9)):
        clock.set_now(at.astimezone(timezone.utc))
        world.lead("rep_a1", amount_cents=100)
    clock.set_now(None)
    ctx = as_in(world, "rep_a1", "Asia/Shanghai")
    q4 = rep.report(ctx, period=rep.Period(date(2024, 10, 1), date(2024, 12, 31)))
    assert q4["totals"]["leads"] == 2
    assert rep.report(ctx, period=rep.Period(None, date(2024, 9, 30)))["totals"]["leads"] == 1
    parts = rep.summary_parts(ctx, None, None, *rep.period_bounds(ctx, rep.Period(date(2024, 10, 1), date(2024, 12, 31))))
    # whole days, the two edges, then the leads others share with the rep (from their rows)
    assert [type(p).__name__ for p in parts] == ["SummaryPart", "OwnedPart", "OwnedPart", "Expression"]


def test_db_check_finds_a_drifted_summary_and_repair_rebuilds_it(world):
    world.lead("rep_a1", amount_cents=100)
    world.lead("rep_b1")
    db = world.ctx.db
    assert schema.check(db) == []
    db.execute_sql("UPDATE report_people SET leads = leads + 1")
    db.execute_sql("DELETE FROM report_lost")
    db.execute_sql("INSERT INTO report_won (grain, owner_id, day, won_day, n, amount_cents) VALUES (0, 1, 1, 1, 1, 1)")
    problems = schema.check(db)
    assert [p.split(":")[0] for p in problems] == ["summary report_people", "summary report_won"]
    proc = run("db", "check", user="boss", db=world.url)
    assert proc.returncode == 1 and "report_people" in proc.stderr
    proc = run("db", "check", "--repair", user="boss", db=world.url)
    assert proc.returncode == 0, proc.stderr
    assert schema.check(db) == []
    proc = run("db", "check", "--repair", user="rep_a1", db=world.url)
    assert proc.returncode != 0  # only an admin rebuilds


def test_a_staging_import_counts_once_committed(world, tmp_path):
    path = write_csv(tmp_path / "a.csv", [["Staged Co", "Li", "13700001111", "expo", "rep_a1", "", "", "跟进中", ""]])
    before = rep.report(world.ctx)["totals"]["leads"]
    res = run_import(world.ctx, path, ImportOptions())
    assert rep.report(world.ctx)["totals"]["leads"] == before + 1
    ImportBatch.update(state="staging").where(ImportBatch.id == res.batch_id).execute()
    assert rep.report(world.ctx)["totals"]["leads"] == before
    assert summaries.check(world.ctx.db) == []
    ImportBatch.update(state="committed").where(ImportBatch.id == res.batch_id).execute()
    ImportBatch.delete().where(ImportBatch.id == res.batch_id).execute()  # its leads go with it
    assert rep.report(world.ctx)["totals"]["leads"] == before
    assert summaries.check(world.ctx.db) == []


def test_board_headers_and_list_counts_equal_the_lead_rows(world, tmp_path):
    """The board's column headers and the list's counts read the summaries (and the shared leads' rows):
    the same as counting the rows, for every role, with shared leads, a staging import and the clock."""
    from tui_crm.services.leads import board, pages
    from tui_crm.services.leads.pages import ListQuery

    rng = random.Random(7)
    ops = Ops(world, rng, tmp_path)
    for _ in range(12):
        ops.add()
    for _ in range(4):
        try:
            ops.move()
            ops.outcome()
        except ServiceError:
            pass
    clock.set_now(None)
    some = [lead.code for lead in Lead.select(Lead.code, Lead.owner).where(Lead.owner == ops_id(world, "rep_b1"))]
    leads.share(world.as_("rep_b1"), some[0], "rep_a1")  # another team's lead shared with rep_a1
    leads.update_lead(world.as_("rep_b1"), some[0], {"probability": 35})
    ImportBatch.insert(user=ops_id(world, "boss"), file="x", state="staging", started_at=0).execute()
    for login in ("boss", "sup_a", "sup_b", "rep_a1", "rep_b1"):
        ctx = world.as_(login)
        for f in (board.BoardFilter(), board.BoardFilter(mine=True), board.BoardFilter(owner="rep_b1")):
            if login.startswith("rep") and f.owner:
                continue
            assert board.summary(ctx, f).columns == board.row_columns(ctx, board.condition(ctx, f),
                                                                      board._bounds(ctx)), (login, f)
        for filters in ((), ("mine",), ("overdue",), ("today",), ("mine", "today")):
            q = ListQuery(filters)
            assert pages.count(ctx, q) == Lead.select().where(pages.condition(ctx, q)).count(), (login, filters)
    assert pages.count(world.as_("rep_a1"), ListQuery()) == len([lead for lead in Lead.select().where(
        Lead.owner == ops_id(world, "rep_a1"))]) + 1  # and the shared one


def ops_id(world, login: str) -> int:
    from tui_crm.store.models import User

    return User.get(User.login == login).id
