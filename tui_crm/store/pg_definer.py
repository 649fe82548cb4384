"""PostgreSQL trigger functions that run as the schema's owner (SECURITY DEFINER): the summaries' (store/
summary_triggers.py) and the search text's (store/search_pg.py). Whoever writes a lead, its derived rows are written
by the owner, into tables no user's role may write (store/pgpolicies.py), and nobody but the owner may use one.
"""
from __future__ import annotations

import peewee as pw

# JIT off in the trigger functions (v18): the planner prices a scan of a transition table high, so each of a
# function's statements passed jit_above_cost and was compiled anew on every call: 1.4 s of the 2.2 s that
# the summaries took for a batch chunk of 5,000 leads (auto_explain), for queries that run in milliseconds
NO_JIT = "SET jit = off"


def trigger_function(db: pw.Database, name: str, body: str, schema: str) -> None:
    """``name()``, a PL/pgSQL trigger function of ``body`` (its statements and its RETURN) run as the owner, with
    pg_catalog first on its path (no function a session made can stand in for a built-in one), then the schema's
    tables, and pg_temp last (a session's temporary table cannot shadow them)."""
    db.execute_sql(f"CREATE OR REPLACE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql SECURITY DEFINER "
                   f"SET search_path = pg_catalog, {schema}, pg_temp {NO_JIT} AS $$ BEGIN {body} END $$")


def closed_trigger_functions(s: str) -> str:
    """SQL: no role but the owner may use a trigger function of the schema ``s``. Those of the summaries and the
    search text are SECURITY DEFINER: with PostgreSQL's default EXECUTE for PUBLIC, a rep's session could fire one
    from a trigger of its own on a temporary table and have it write (or, crm_sum_batch_del, delete leads) as
    the owner. Firing them from the schema's own tables needs no EXECUTE. (No ``%`` in it: it is run with
    parameters and without.)"""
    return ("DO $$ DECLARE f record; BEGIN FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
            f"WHERE p.pronamespace = '{s}'::regnamespace AND p.prorettype = 'trigger'::regtype LOOP "
            "EXECUTE 'REVOKE ALL ON FUNCTION ' || f.sig::text || ' FROM PUBLIC'; END LOOP; END $$")
