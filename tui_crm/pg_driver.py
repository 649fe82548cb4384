"""psycopg2 is loaded when a PostgreSQL database is opened, not whenever peewee is imported.

peewee imports psycopg2 (and its extras) at its own import if it can: 20-30 ms of every start of
``tui-crm`` on a SQLite database, where it is never used (issue 17, the first screen). The package
installs :class:`DeferWhilePeeweeLoads` first thing (tui_crm/__init__.py): while peewee's module body
runs, ``import psycopg2`` fails there as if the driver were missing, so peewee loads without it;
``store.db.PostgresDatabase`` then imports the driver and hands it to peewee (``store.db.load_psycopg2``)
before its first connection. Any other import of psycopg2 (ours after peewee, a test's) is untouched.
"""
from __future__ import annotations

import sys


class DeferWhilePeeweeLoads:
    """Refuses ``psycopg2`` (and its submodules) only while peewee's module is half-built. A meta path finder
    (``find_spec``) without importlib.abc's base class: importing that module (and importlib.resources with it)
    was 2% of the first screen (issue 17)."""

    def find_spec(self, name, path=None, target=None):
        if name != "psycopg2" and not name.startswith("psycopg2."):
            return None
        peewee = sys.modules.get("peewee")
        if peewee is not None and "PostgresqlDatabase" not in vars(peewee):  # peewee's body is running
            raise ImportError(f"{name} is loaded when a PostgreSQL database is opened (tui_crm/pg_driver.py)")
        return None


def install() -> None:
    if "peewee" in sys.modules:  # imported before us (with psycopg2, if it is there): nothing to defer
        return
    if not any(isinstance(f, DeferWhilePeeweeLoads) for f in sys.meta_path):
        sys.meta_path.insert(0, DeferWhilePeeweeLoads())
