"""SQLite: a bulk writer's WAL checkpoints on a side connection instead of inside its own commits.

In WAL mode a commit that leaves the log above ``wal_autocheckpoint`` pages copies the log into the
database file and syncs it, inside the commit, while the write lock is held (an import's commit of a
0.3 s chunk: a sixth of its writing thread's time, measured). A passive checkpoint needs no write
lock, so a side thread runs it after each of the writer's commits, while the writer goes on with its
next chunk and other users write in the gaps. The log then stays near one chunk's size and restarts
from its start once checkpointed, so another user's commit finds little or nothing left to copy.
"""
from __future__ import annotations

import sqlite3
import threading

import peewee as pw


class SideCheckpointer:
    """For the life of a bulk write on ``db`` (this thread's connection): its automatic checkpoints off,
    a side connection checkpointing (PASSIVE) after each :meth:`committed`; :meth:`close` puts the
    automatic ones back and runs a last checkpoint. Nothing on PostgreSQL or an in-memory database."""

    def __init__(self, db: pw.Database):
        self.db = db
        self.active = isinstance(db, pw.SqliteDatabase) and db.database not in ("", ":memory:")
        if not self.active:
            return
        self.old = db.execute_sql("PRAGMA wal_autocheckpoint").fetchone()[0]
        db.execute_sql("PRAGMA wal_autocheckpoint = 0")
        self.wake, self.stop = threading.Event(), threading.Event()
        self.thread = threading.Thread(target=self._run, name="wal-checkpoint", daemon=True)
        self.thread.start()

    def _run(self) -> None:
        conn = sqlite3.connect(self.db.database, timeout=5, check_same_thread=False, isolation_level=None)
        try:
            while True:
                self.wake.wait()
                self.wake.clear()
                try:
                    conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchall()
                except sqlite3.Error:  # busy (another checkpoint under way): the next one copies it
                    pass
                if self.stop.is_set():
                    return
        finally:
            conn.close()

    def committed(self) -> None:
        if self.active:
            self.wake.set()

    def close(self) -> None:
        if not self.active:
            return
        self.active = False
        self.stop.set()
        self.wake.set()
        self.thread.join()
        self.db.execute_sql(f"PRAGMA wal_autocheckpoint = {int(self.old)}")

    def __enter__(self) -> "SideCheckpointer":
        return self

    def __exit__(self, *exc) -> bool:
        try:
            self.close()
        except pw.DatabaseError:
            if exc[0] is None:  # the bulk write's own error, if any, is the one to see
                raise
        return False
