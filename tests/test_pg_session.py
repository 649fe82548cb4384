"""Every PostgreSQL connection the application opens runs with JIT off (store/db.py): the planner prices a batch's
UPDATE with a per-lead subquery high enough to JIT-compile it, 0.4 s of a 0.5 s statement on 200 leads."""
from __future__ import annotations

import pytest
from conftest import PG_AVAILABLE


@pytest.mark.skipif(not PG_AVAILABLE, reason="needs PostgreSQL")
@pytest.mark.parametrize("db_url", ["postgres"], indirect=True)
def test_connections_run_without_jit_also_after_a_reconnect(world):
    db = world.ctx.db
    assert db.execute_sql("SHOW jit").fetchone()[0] == "off"
    db.close()
    db.connect()
    assert db.execute_sql("SHOW jit").fetchone()[0] == "off"
    other = world.as_("rep_a1").db
    assert other.execute_sql("SHOW jit").fetchone()[0] == "off"
