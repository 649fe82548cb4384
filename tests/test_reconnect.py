"""A lost PostgreSQL connection comes back, and a write in flight is done exactly once or says it
was not: a terminated backend (pg_terminate_backend on this test's own connections only), a
network that cuts and refuses connections (tests/netproxy.py between us and the real server), and
a COMMIT whose answer never arrives."""
from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor
from types import SimpleNamespace

import psycopg2
import pytest

from conftest import PG_AVAILABLE, PG_BASE, make_url
from netproxy import Proxy
from tui_crm.services import activity, admin, leads
from tui_crm.services.context import open_session
from tui_crm.store import faults

pytestmark = pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL")


def wait_until(predicate, seconds: float = 30.0, what: str = "condition"):
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.02)
    raise AssertionError(f"{what}: not within {seconds} s")


class Direct:
    """A psycopg2 connection of the test's own to the test's schema (not through tui-crm)."""

    def __init__(self, schema: str):
        self.conn = psycopg2.connect(PG_BASE, options=f"-csearch_path={schema},public", application_name="t-direct")
        self.conn.autocommit = True

    def one(self, sql: str, *args):
        cur = self.conn.cursor()
        cur.execute(sql, args)
        return cur.fetchone()

    def followups(self, summary: str) -> int:
        return self.one("SELECT count(*) FROM follow_up WHERE summary = %s", summary)[0]

    def gone(self, pid: int) -> bool:
        return self.one("SELECT count(*) FROM pg_stat_activity WHERE pid = %s", pid)[0] == 0


@pytest.fixture
def pg(tmp_path):
    url, drop = make_url("postgres", tmp_path)
    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.add_user(ctx, "rep", "Rep", "rep", "A")
    rep = open_session(url, "rep")
    lead = leads.add_lead(rep, {"company": "Acme", "contact_name": "Li", "phone": "13912345678", "source": "expo",
                                "need": "servers"})
    ctx.close()
    proxy = Proxy()
    direct = Direct(url.split("schema=")[1])
    yield SimpleNamespace(url=url, proxy=proxy, purl=proxy.url(url), code=lead.code, direct=direct)
    proxy.close()
    direct.conn.close()
    drop()


def session_with_states(url: str, login: str = "rep"):
    ctx = open_session(url, login)
    states: list[str] = []
    ctx.db.on_state(states.append)
    return ctx, states


def backend_pid(ctx) -> int:
    return ctx.db.execute_sql("SELECT pg_backend_pid()").fetchone()[0]


def test_a_read_after_the_backend_is_terminated_reconnects_on_its_own(pg):
    ctx, states = session_with_states(pg.url)
    pid = backend_pid(ctx)
    pg.direct.one("SELECT pg_terminate_backend(%s)", pid)  # this test's own connection
    wait_until(lambda: pg.direct.gone(pid), what="backend ended")
    assert [v.code for v in leads.list_leads(ctx)] == [pg.code]
    assert states == ["reconnecting", "connected"]
    assert backend_pid(ctx) != pid
    ctx.close()


def test_a_write_whose_connection_is_lost_before_commit_is_done_once(pg):
    """The write waits on the lead's row lock (held here) when its backend is terminated: the
    server rolls it back, the session reconnects and runs it again, once."""
    ctx, states = session_with_states(pg.url)
    holder = psycopg2.connect(PG_BASE, options=f"-csearch_path={pg.url.split('schema=')[1]},public")
    hc = holder.cursor()
    hc.execute("SELECT id FROM lead WHERE code = %s FOR UPDATE", (pg.code,))
    started = threading.Event()
    pids: list[int] = []

    def write():
        pids.append(backend_pid(ctx))
        started.set()
        try:
            return ctx.call(activity.log_followup, ctx, pg.code, activity.FollowUpInput(summary="once"))
        finally:
            ctx.db.close()

    with ThreadPoolExecutor(1) as pool:
        fut = pool.submit(write)
        assert started.wait(30)
        wait_until(lambda: pg.direct.one("SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                                         pids[0]) == ("Lock",), what="writer waits on the row lock")
        pg.direct.one("SELECT pg_terminate_backend(%s)", pids[0])
        wait_until(lambda: pg.direct.gone(pids[0]), what="backend ended")
        holder.rollback()  # the lock goes; the write's second run gets it
        assert fut.result(timeout=60)
    holder.close()
    assert pg.direct.followups("once") == 1
    assert "reconnecting" in states


@pytest.mark.parametrize("when", ["before", "after"])
def test_a_commit_cut_off_is_done_once(pg, when):
    """'before': the server never got COMMIT and rolled back: run again. 'after': it committed but
    the answer was lost: pg_xact_status says so and the write is not run again."""
    ctx, states = session_with_states(pg.purl)
    pg.proxy.on_commit = when
    fid = ctx.call(activity.log_followup, ctx, pg.code, activity.FollowUpInput(summary=f"cut {when}"))
    assert fid
    assert pg.proxy.commits_cut == 1
    assert pg.direct.followups(f"cut {when}") == 1
    assert states[:2] == ["reconnecting", "connected"]
    ctx.close()


def test_reads_wait_while_the_server_is_down_and_resume(pg):
    ctx, states = session_with_states(pg.purl)
    ctx.db.retry_for = None  # as the app: until it comes back
    assert leads.list_leads(ctx)
    pg.proxy.down()
    with ThreadPoolExecutor(1) as pool:
        fut = pool.submit(lambda: [v.code for v in leads.list_leads(ctx)])
        try:
            wait_until(lambda: "reconnecting" in states, what="reconnecting")
            wait_until(lambda: pg.proxy.refused >= 2, what="attempts go on")
            assert not fut.done()
        finally:
            pg.proxy.up()
        assert fut.result(timeout=60) == [pg.code]
    assert states[-1] == "connected"


def test_past_its_retry_time_a_call_says_so_in_one_line(pg):
    url = pg.purl.replace("postgresql://postgres@", "postgresql://postgres:Sup3rSecret@", 1)
    ctx, _states = session_with_states(url)
    ctx.db.retry_for = 0.3
    pg.proxy.down()
    with pytest.raises(faults.Disconnected) as info:
        ctx.call(activity.log_followup, ctx, pg.code, activity.FollowUpInput(summary="never"))
    line = faults.describe(info.value, url)
    assert "\n" not in line and "Sup3rSecret" not in line
    assert line.startswith("lost the connection to the database")
    pg.proxy.up()
    assert pg.direct.followups("never") == 0
