"""The change feed misses nothing and repeats nothing, whatever order writers commit in.

On PostgreSQL ids come from a sequence before commit, so writers on several connections commit
them out of order; a poller reading ``id > last`` skipped the earlier ones for good."""
from __future__ import annotations

import random
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from tui_crm.services import changes
from tui_crm.services.context import open_session

from conftest import PG_AVAILABLE


class Writer:
    """A transaction on a connection of its own (a thread: peewee's connections are per thread) that
    appends entries, then waits to be told to commit or roll back."""

    def __init__(self, url: str, n: int = 1):
        self.url, self.n = url, n
        self.ids: list[int] = []
        self.inserted = threading.Event()
        self._end = threading.Event()
        self._commit = True
        self.done = threading.Event()
        self.error: BaseException | None = None
        threading.Thread(target=self._run, daemon=True).start()

    def _run(self) -> None:
        ctx = open_session(self.url, "boss")
        try:
            with ctx.db.atomic() as tx:
                for i in range(self.n):
                    self.ids.append(changes.record(ctx, "probe", i, "write", {"n": i}))
                self.inserted.set()
                self._end.wait(60)
                if not self._commit:
                    tx.rollback()
        except BaseException as exc:  # noqa: BLE001 — reported by finish()
            self.error = exc
            self.inserted.set()
        finally:
            ctx.db.close()
            self.done.set()

    def finish(self, commit: bool = True) -> None:
        self._commit = commit
        self._end.set()
        assert self.done.wait(60)
        assert self.error is None, self.error


def collect(feed, seen: list[int]) -> None:
    seen.extend(e.id for e in feed.poll() if e.entity == "probe")


# SQLite draws ids inside its single write lock, so they commit in order: these run on PostgreSQL
on_postgres = [pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL"),
               pytest.mark.parametrize("db_url", ["postgres"], indirect=True)]


@on_postgres[0]
@on_postgres[1]
def test_entries_committed_out_of_id_order_are_each_seen_once(world):
    feed = changes.ChangeFeed(world.ctx)
    writers = []
    for n in (1, 3, 1, 2, 1, 1):  # one-entry transactions (a move) and several-entry ones
        w = Writer(world.url, n)
        assert w.inserted.wait(60)
        writers.append(w)
    burned = Writer(world.url, 2)  # rolled back: its ids never commit
    assert burned.inserted.wait(60)
    assert all(a < b for a, b in zip([i for w in writers for i in w.ids], [i for w in writers for i in w.ids][1:]))
    seen: list[int] = []
    collect(feed, seen)
    assert seen == []
    order = [4, 1, 5, 0, 3, 2]  # the last writer first, the first near the end
    for k in order:
        writers[k].finish()
        if k == 1:
            burned.finish(commit=False)
        collect(feed, seen)
        assert sorted(seen) == sorted(i for j in order[:order.index(k) + 1] for i in writers[j].ids)
    collect(feed, seen)
    expected = sorted(i for w in writers for i in w.ids)
    assert sorted(seen) == expected and len(seen) == len(set(seen))
    assert not set(burned.ids) & set(seen)


def test_feed_from_several_connections_sees_every_entry_once(world):
    """Four writers commit as fast as they can while a poller polls: every entry once."""
    feed = changes.ChangeFeed(world.ctx)
    written: list[int] = []
    lock = threading.Lock()
    stop = threading.Event()

    def writer(k: int) -> None:
        ctx = open_session(world.url, "boss")
        rnd = random.Random(k)
        try:
            for t in range(40):
                with ctx.db.atomic():
                    ids = [changes.record(ctx, "probe", k, "write", {"t": t}) for _ in range(rnd.randint(1, 3))]
                with lock:
                    written.extend(ids)
        finally:
            ctx.db.close()

    seen: list[int] = []
    with ThreadPoolExecutor(4) as pool:
        futures = [pool.submit(writer, k) for k in range(4)]
        while not all(f.done() for f in futures):
            collect(feed, seen)
        for f in futures:
            f.result()
    deadline = time.monotonic() + 30
    while sorted(seen) != sorted(written) and time.monotonic() < deadline:
        collect(feed, seen)
    assert len(seen) == len(set(seen)), "an entry was delivered twice"
    assert sorted(seen) == sorted(written)


class Steps:
    """A transaction on a connection of its own, run a step at a time: ``do(fn)`` runs ``fn(ctx)`` in it
    on its thread and waits for it; ``end()`` commits."""

    def __init__(self, url: str):
        import queue

        self._q: queue.Queue = queue.Queue()
        self._out: queue.Queue = queue.Queue()
        threading.Thread(target=self._run, args=(url,), daemon=True).start()

    def _run(self, url: str) -> None:
        ctx = open_session(url, "boss")
        try:
            with ctx.db.atomic():
                while (fn := self._q.get()) is not None:
                    self._out.put(fn(ctx))
            self._out.put("committed")
        finally:
            ctx.db.close()

    def do(self, fn):
        self._q.put(fn)
        return self._out.get(timeout=60)

    def end(self) -> None:
        self._q.put(None)
        assert self._out.get(timeout=60) == "committed"


@on_postgres[0]
@on_postgres[1]
def test_an_entry_of_a_transaction_above_the_snapshots_xmax_is_seen(world):
    """B takes its transaction id after A, draws its entry's id first and commits last: when A has
    committed, B's id is at or above the snapshot's xmax, so the snapshot does not list B as in flight."""
    feed = changes.ChangeFeed(world.ctx)
    a, b = Steps(world.url), Steps(world.url)
    xid = "SELECT pg_current_xact_id()::text"
    xa = int(a.do(lambda ctx: ctx.db.execute_sql(xid).fetchone()[0]))
    xb = int(b.do(lambda ctx: ctx.db.execute_sql(xid).fetchone()[0]))
    assert xa < xb
    early = b.do(lambda ctx: changes.record(ctx, "probe", 1, "write"))
    late = a.do(lambda ctx: changes.record(ctx, "probe", 2, "write"))
    assert early < late
    a.end()
    seen: list[int] = []
    collect(feed, seen)
    assert seen == [late]
    b.end()
    collect(feed, seen)
    assert seen == [late, early]


@on_postgres[0]
@on_postgres[1]
def test_feed_started_while_a_writer_is_in_flight_sees_its_entry(world):
    early = Writer(world.url, 1)
    assert early.inserted.wait(60)
    late = Writer(world.url, 1)
    assert late.inserted.wait(60)
    late.finish()
    feed = changes.ChangeFeed(world.ctx)  # starts above the early writer's id
    seen: list[int] = []
    collect(feed, seen)
    early.finish()
    collect(feed, seen)
    assert seen == early.ids
