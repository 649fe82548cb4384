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
