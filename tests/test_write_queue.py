"""SQLite writers of one process queue on a lock of the file before BEGIN IMMEDIATE (store/db.py): held
from the transaction's start to its commit or rollback, whatever ends it, and never by a read."""
from __future__ import annotations

import threading

import peewee as pw
import pytest

from tui_crm.store import db as store_db


@pytest.fixture
def sqlite_db(tmp_path):
    path = tmp_path / "with space ;.db"
    db = store_db.make_database(f"sqlite:///{path}")
    db.execute_sql("CREATE TABLE t (x INTEGER)")
    yield db, str(path)
    db.close()


def test_the_lock_is_held_for_the_transaction_and_released_by_commit(sqlite_db):
    db, path = sqlite_db
    lock = store_db.write_lock(path)
    with db.atomic():
        db.execute_sql("INSERT INTO t VALUES (1)")
        assert lock.locked()
        with db.atomic():  # a savepoint does not queue again
            db.execute_sql("INSERT INTO t VALUES (2)")
        assert lock.locked()
    assert not lock.locked()
    assert db.execute_sql("SELECT count(*) FROM t").fetchone()[0] == 2


def test_an_error_rolls_back_and_releases(sqlite_db):
    db, path = sqlite_db
    with pytest.raises(ZeroDivisionError):
        with db.atomic():
            db.execute_sql("INSERT INTO t VALUES (1)")
            1 / 0
    assert not store_db.write_lock(path).locked()
    assert db.execute_sql("SELECT count(*) FROM t").fetchone()[0] == 0


def test_reads_and_autocommit_statements_do_not_hold_it(sqlite_db):
    db, path = sqlite_db
    db.execute_sql("INSERT INTO t VALUES (1)")
    db.execute_sql("SELECT * FROM t").fetchall()
    assert not store_db.write_lock(path).locked()


def test_a_second_thread_waits_for_the_first_and_then_writes(sqlite_db):
    db, path = sqlite_db
    lock = store_db.write_lock(path)
    done = threading.Event()

    def second():
        with db.atomic():
            db.execute_sql("INSERT INTO t VALUES (2)")
        db.close()
        done.set()

    with db.atomic():
        db.execute_sql("INSERT INTO t VALUES (1)")
        worker = threading.Thread(target=second)
        worker.start()
        assert not done.wait(0.2)  # it cannot write while this transaction is open
    assert done.wait(30)
    worker.join()
    assert not lock.locked()
    assert [r[0] for r in db.execute_sql("SELECT x FROM t ORDER BY rowid")] == [1, 2]


def test_a_held_file_times_out_as_locked_and_leaves_nothing_held(sqlite_db, monkeypatch):
    db, path = sqlite_db
    monkeypatch.setattr(store_db, "BUSY_SECONDS", 0.05)
    lock = store_db.write_lock(path)
    lock.acquire()  # another thread of this process is writing and does not finish
    try:
        with pytest.raises(pw.OperationalError, match="locked"):
            with db.atomic():
                db.execute_sql("INSERT INTO t VALUES (1)")
    finally:
        lock.release()
    with db.atomic():
        db.execute_sql("INSERT INTO t VALUES (2)")
    assert not lock.locked()
    assert [r[0] for r in db.execute_sql("SELECT x FROM t")] == [2]


def test_the_same_file_by_two_spellings_shares_one_lock(tmp_path):
    (tmp_path / "sub").mkdir()
    assert store_db.write_lock(str(tmp_path / "a.db")) is store_db.write_lock(str(tmp_path / "sub" / ".." / "a.db"))


class _Sleeps:
    """store.db's clock, its sleeps recorded (the real ones taken)."""

    def __init__(self):
        import time
        self.real, self.seen = time, []

    def monotonic(self):
        return self.real.monotonic()

    def sleep(self, seconds):
        self.seen.append(seconds)
        self.real.sleep(seconds)


def _other_process_holds(path):
    import sqlite3
    other = sqlite3.connect(path, isolation_level=None)
    other.execute("BEGIN IMMEDIATE")
    return other


def test_a_write_the_file_keeps_waiting_tries_again_every_few_milliseconds(sqlite_db, monkeypatch):
    """Another process (an import, a batch) holds the file: a write, one in a transaction or one statement on its
    own, tries BEGIN IMMEDIATE every POLL_SECONDS (SQLite's busy handler waits up to 100 ms between tries, so a
    bulk writer had to leave the file free 110 ms after each transaction), and lands as soon as it is free."""
    db, path = sqlite_db
    clock = _Sleeps()
    monkeypatch.setattr(store_db, "time", clock)
    other = _other_process_holds(path)
    out = {}

    def write():
        db.execute_sql("INSERT INTO t VALUES (7)")  # on its own: no atomic() of the caller's
        out["timeout"] = db.execute_sql("PRAGMA busy_timeout").fetchone()[0]
        db.close()

    worker = threading.Thread(target=write)
    worker.start()
    deadline = clock.real.monotonic() + 30
    while len(clock.seen) < 3 and clock.real.monotonic() < deadline:
        clock.real.sleep(0.01)
    other.execute("COMMIT")
    worker.join(30)
    other.close()
    assert len(clock.seen) >= 3 and set(clock.seen) == {store_db.POLL_SECONDS}
    assert [r[0] for r in db.execute_sql("SELECT x FROM t")] == [7]
    assert out["timeout"] == store_db.BUSY_SECONDS * 1000  # SQLite's own wait is back for what follows
    assert not store_db.write_lock(path).locked()


def test_a_file_another_process_never_frees_times_out_as_locked(sqlite_db, monkeypatch):
    db, path = sqlite_db
    monkeypatch.setattr(store_db, "BUSY_SECONDS", 0.2)
    other = _other_process_holds(path)
    try:
        with pytest.raises(pw.OperationalError, match="locked"):
            with db.atomic():
                db.execute_sql("INSERT INTO t VALUES (1)")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert not store_db.write_lock(path).locked()
    assert db.execute_sql("PRAGMA busy_timeout").fetchone()[0] == 200
    db.execute_sql("INSERT INTO t VALUES (2)")
    assert [r[0] for r in db.execute_sql("SELECT x FROM t")] == [2]
