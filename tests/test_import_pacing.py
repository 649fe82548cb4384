"""An import's time-sized transactions (services/importing/pacing.py) beside the process's SQLite write queue
(store/db.py): the side connection's WAL checkpoints (store/checkpoints.py) never wait for the queue nor for
another connection's write lock, and each transaction leaves the queue, so another thread of the process writes
between two of them."""
from __future__ import annotations

import os
import sqlite3
import threading
import time

import pytest

from tui_crm.services.importing import pacing
from tui_crm.store import db as store_db
from tui_crm.store.checkpoints import SideCheckpointer


@pytest.fixture
def sqlite_db(tmp_path):
    path = str(tmp_path / "crm.db")
    db = store_db.make_database(f"sqlite:///{path}")
    db.execute_sql("CREATE TABLE t (x INTEGER, pad TEXT)")
    yield db, path
    db.close()


def test_a_side_checkpoint_runs_while_the_queue_and_the_file_are_held(sqlite_db):
    db, path = sqlite_db
    side = SideCheckpointer(db)
    with db.atomic():
        db.cursor().executemany("INSERT INTO t VALUES (?, ?)", [(i, "x" * 200) for i in range(2000)])
    before = os.path.getsize(path)  # the rows are in the log only: automatic checkpoints are off
    queue = store_db.write_lock(path)
    assert queue.acquire(timeout=5)  # another thread of this process is writing...
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")  # ... and so is another process
    other.execute("INSERT INTO t VALUES (-1, '')")
    try:
        side.committed()
        deadline = time.monotonic() + 3  # (a FULL one would wait out its 5 s busy timeout)
        while os.path.getsize(path) < before + 200 * 1000:  # the committed rows copied into the file
            assert time.monotonic() < deadline, "the checkpoint waited for a writer"
            time.sleep(0.01)
    finally:
        other.execute("ROLLBACK")
        other.close()
        queue.release()
    side.close()
    assert db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0] == side.old  # given back
    assert db.execute_sql("SELECT count(*) FROM t").fetchone()[0] == 2000


def test_another_thread_writes_between_two_transactions(sqlite_db, monkeypatch):
    db, path = sqlite_db
    monkeypatch.setattr(pacing, "TXN_SECONDS", 0)  # one part a transaction
    monkeypatch.setattr(pacing, "PART_MIN", 1)
    monkeypatch.setattr(pacing, "PART_MAX", 1)
    pacer = pacing.Pacer(db, chunk=10, bulk=True)
    pacer.part = 1
    queue = store_db.write_lock(path)
    started, wrote = threading.Event(), threading.Event()
    seen = []

    def other() -> None:
        started.set()
        with db.atomic():
            db.execute_sql("INSERT INTO t VALUES (-1, 'other')")
        db.close()
        wrote.set()

    def write_part(part: list) -> None:
        assert queue.locked()  # held by this transaction
        if part[0] == 0:
            threading.Thread(target=other, daemon=True).start()
            assert started.wait(10)
        seen.append(wrote.is_set())
        db.cursor().executemany("INSERT INTO t VALUES (?, 'import')", [(x,) for x in part])

    try:
        pacer.write(list(range(6)), write_part, lambda: None, adapt=False)
    finally:
        pacer.close()
    assert not queue.locked()
    assert seen[0] is False and seen[-1] is True, seen  # it wrote in a gap, not after the last transaction
    assert [r[0] for r in db.execute_sql("SELECT x FROM t WHERE pad = 'other'")] == [-1]
    assert db.execute_sql("SELECT count(*) FROM t WHERE pad = 'import'").fetchone()[0] == 6
