"""A team on a real PostgreSQL server with one role per user (``db roles``), for the role tests.

Roles are cluster-wide: each team gets a prefix of its own (``crm_<random>_``), so two
suites can run at once; the schema and every role are dropped afterwards.
"""
from __future__ import annotations

import uuid
from contextlib import contextmanager
from typing import Callable, Iterator

import psycopg2

from cli_helpers import run
from conftest import PG_BASE, make_url


@contextmanager
def roles_team(tmp_path, before_roles: Callable[["PgTeam"], None] | None = None) -> Iterator["PgTeam"]:
    """A :class:`PgTeam` with its roles made by ``db roles`` (after ``before_roles(team)``, when given),
    dropped with its schema and roles at the end, whatever happens in between."""
    team = PgTeam(tmp_path)
    try:
        if before_roles:
            before_roles(team)
        team.grant_roles()
        yield team
    finally:
        team.close()


class PgTeam:
    """boss (admin); sup_a with rep1, rep2 in team A; sup_b with rep_b in team B; a lead each."""

    def __init__(self, tmp_path):
        from tui_crm.services import admin, leads
        from tui_crm.services.context import open_session

        self.url, self._drop_schema = make_url("postgres", tmp_path)
        self.schema = self.url.split("schema=", 1)[1]
        self.prefix = f"crm_{uuid.uuid4().hex[:8]}_"
        ctx = self.ctx = open_session(self.url)
        admin.add_user(ctx, "boss", "Boss", "admin")
        ctx.act_as("boss")
        for login, role, team in (("sup_a", "supervisor", "A"), ("rep1", "rep", "A"), ("rep2", "rep", "A"),
                                  ("sup_b", "supervisor", "B"), ("rep_b", "rep", "B")):
            admin.add_user(ctx, login, login, role, team)
        self.codes = {}
        for n, login in enumerate(("rep1", "rep2", "rep_b", "boss")):
            view = leads.add_lead(open_session(self.url, login), {
                "company": f"{login} Co", "contact_name": "Zhang San", "phone": f"1390000{n:04d}",
                "source": "expo", "need": "servers"})
            self.codes[login] = view.code
        shared = leads.add_lead(open_session(self.url, "rep2"), {
            "company": "Shared Co", "contact_name": "Li Si", "phone": "13900009999", "source": "expo",
            "need": "racks"})
        self.codes["shared"] = shared.code
        leads.share(open_session(self.url, "rep2"), shared.code, "rep1")

    def role(self, login: str) -> str:
        return self.prefix + login

    def role_url(self, login: str) -> str:
        """The URL a person uses: their own role, no password (trust here; ~/.pgpass in real life)."""
        return self.url.replace("postgresql://postgres@", f"postgresql://{self.role(login)}@", 1)

    def connect_as(self, login: str):
        """A plain psycopg2 session as the user's role, on the team's schema (what psql would be)."""
        conn = psycopg2.connect(self.role_url(login).split("?", 1)[0], options=f"-csearch_path={self.schema},public")
        conn.autocommit = True
        return conn

    def rows(self, login: str, sql: str, params=()) -> list[tuple]:
        return _fetch(self.connect_as(login), sql, params)

    def owner_rows(self, sql: str, params=()) -> list[tuple]:
        """What the schema's owner reads (every column: an admin's role reads contacts masked)."""
        return _fetch(psycopg2.connect(PG_BASE, options=f"-csearch_path={self.schema},public"), sql, params)

    def grant_roles(self):
        """``db roles`` for this team, as its admin; the command's result (it must succeed)."""
        proc = run("db", "roles", "--prefix", self.prefix, user="boss", db=self.url)
        assert proc.returncode == 0, proc.stderr
        return proc

    def close(self) -> None:
        from tui_crm.store import pgroles
        from tui_crm.store.models import database_proxy

        if database_proxy.obj is not None and not database_proxy.obj.is_closed():
            database_proxy.obj.close()
        conn = psycopg2.connect(PG_BASE)
        conn.autocommit = True
        try:
            cur = conn.cursor()
            # the roles' sessions first: one a failed test left inside a transaction holds locks the drop waits for
            pattern = self.prefix.replace("_", r"\_") + "%"
            cur.execute("SELECT pid FROM pg_stat_activity WHERE usename LIKE %s", (pattern,))
            for (pid,) in cur.fetchall():
                cur.execute("SELECT pg_terminate_backend(%s)", (pid,))
            self._drop_schema()
            pgroles.drop_roles(_Raw(conn), self.prefix)
        finally:
            conn.close()


def _fetch(conn, sql: str, params) -> list[tuple]:
    """The rows of one statement on ``conn``, which is closed after."""
    try:
        cur = conn.cursor()
        cur.execute(sql, params)
        return cur.fetchall()
    finally:
        conn.close()


class _Raw:
    """The little of peewee's Database that ``pgroles.drop_roles`` uses, over a plain connection."""

    def __init__(self, conn):
        self.conn = conn

    def execute_sql(self, sql, params=None):
        cur = self.conn.cursor()
        cur.execute(sql, params)
        return cur
