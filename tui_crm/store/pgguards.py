"""What row-level security cannot say, said by triggers ``db roles`` adds (store/pgpolicies.py runs these): a user's
own role, in the app or in psql, may change a row it can see only in the ways the app would.

- A lead's owner changes only by its owner, the owner's supervisor or an admin (PRODUCT §8: a collaborator sees and
  logs on a lead, but does not take it), and only to whom they may assign leads (oneself; a supervisor's team); its import batch and creator are set when it is made. Without this a
  collaborator's psql took a colleague's lead for themselves, and a rep who pointed a lead they could see at an
  import batch of their own could hide it from everyone (a staging batch) or have the server delete it (undone).
- An import batch is made staging, then goes forward only: committed or failed, then undone; never back, never
  to another user (back to committed, an undone import's leads would come back without their summaries).
- A stage-history row's copy of its lead's owner, creation and batch (what the owners' stay figures are summed by)
  is always its lead's, whatever a session writes: a rep could otherwise put days in a stage into a colleague's
  report.
- A user who did anything (an entry of the change log, an assignment) is deactivated, not deleted: a delete emptied
  the "who" of their entries.
- The schema takes no object from anyone but its owner (``CREATE`` revoked from PUBLIC: PostgreSQL 14 and older
  grant it on ``public``), and every function that runs as the owner looks in pg_catalog first, so that no
  function or operator a session made can stand in for a built-in one there.

Each guard lets the owner's own sessions (the service account, ``db`` commands, the demo) pass at the cost of one
comparison of ``session_user`` with the roles' prefix.
"""
from __future__ import annotations

# (the history's guard named to fire last of stage_history's BEFORE row triggers, which fire by name: after
# stage_history_lead_copy, whose copy it makes again)
GUARDED_TRIGGERS = {"lead": "crm_guard_lead", "import_batch": "crm_guard_batch",
                    "stage_history": "zz_crm_guard_history", "user": "crm_guard_user"}


def _function(s: str, name: str, body: str, definer: bool = False) -> str:
    return (f"CREATE OR REPLACE FUNCTION {s}.{name}() RETURNS trigger LANGUAGE plpgsql "
            f"{'SECURITY DEFINER ' if definer else ''}SET search_path = pg_catalog, pg_temp AS $$ {body} $$")


def _trigger(s: str, table: str, when: str, condition: str | None = None) -> list[str]:
    name = GUARDED_TRIGGERS[table]
    cond = f" WHEN ({condition})" if condition else ""
    return [f'DROP TRIGGER IF EXISTS {name} ON {s}."{table}"',
            f'CREATE TRIGGER {name} {when} ON {s}."{table}" FOR EACH ROW{cond} EXECUTE FUNCTION {s}.{name}()']


def statements(s: str, prefix: str) -> list[str]:
    """The guards of the schema ``s`` (an identifier, quoted) for the roles of ``prefix``, idempotent."""
    owners = f"left(session_user::text, {len(prefix)}) <> '{prefix}'"  # not a user's role: the owner's session
    refuse = "RAISE EXCEPTION USING ERRCODE = '42501', MESSAGE = "
    lead = _function(s, "crm_guard_lead", (
        f"BEGIN IF {owners} THEN RETURN NEW; END IF; "
        "IF NEW.batch_id IS DISTINCT FROM OLD.batch_id OR NEW.created_by IS DISTINCT FROM OLD.created_by THEN "
        f"{refuse}'a lead''s import and creator are set when it is made'; END IF; "
        f"IF NEW.owner_id IS DISTINCT FROM OLD.owner_id AND NOT {s}.crm_is_admin() "
        f"AND OLD.owner_id IS DISTINCT FROM {s}.crm_uid() "
        f"AND NOT EXISTS (SELECT 1 FROM {s}.crm_team_ids() t WHERE t = OLD.owner_id) THEN "
        f"{refuse}'only the owner of a lead, their supervisor or an admin may reassign it'; END IF; "
        # and to whom (services.scope.can_assign): oneself, a supervisor's team, anyone for an admin; an assignment
        # rule's choice is given by crm_give_lead, which runs as the owner (current_user is not the session's)
        f"IF NEW.owner_id IS DISTINCT FROM OLD.owner_id AND current_user = session_user AND NOT {s}.crm_is_admin() "
        f"AND NEW.owner_id IS DISTINCT FROM {s}.crm_uid() "
        f"AND NOT EXISTS (SELECT 1 FROM {s}.crm_team_ids() t WHERE t = NEW.owner_id) THEN "
        f"{refuse}'you cannot assign leads to that user'; END IF; "
        "RETURN NEW; END"))
    batch = _function(s, "crm_guard_batch", (
        f"BEGIN IF {owners} THEN RETURN NEW; END IF; "
        "IF NEW.user_id IS DISTINCT FROM OLD.user_id OR (NEW.state IS DISTINCT FROM OLD.state AND NOT ("
        "(OLD.state = 'staging' AND NEW.state IN ('committed', 'failed', 'undone')) OR "
        "(OLD.state IN ('committed', 'failed') AND NEW.state = 'undone'))) THEN "
        f"{refuse}'an import goes from staging to committed or failed, then to undone: ' || OLD.state || "
        "' cannot become ' || NEW.state; END IF; RETURN NEW; END"))
    # as the owner: the copy is its lead's, which the session may write history of (lead_history_copy's own
    # UPDATE, run as the owner for a lead beyond the session's reach after a reassign, comes here too)
    history = _function(s, "zz_crm_guard_history", (
        f"BEGIN IF {owners} THEN RETURN NEW; END IF; "
        "SELECT l.owner_id, l.created_at, l.batch_id INTO NEW.lead_owner_id, NEW.lead_created_at, NEW.lead_batch_id "
        f"FROM {s}.lead l WHERE l.id = NEW.lead_id; RETURN NEW; END"), definer=True)
    # a user who did anything is deactivated, not deleted: the delete emptied the "who" of their change entries and
    # took their assignments (append-only) with it; the app deletes only the owners an undone import made unused
    user = _function(s, "crm_guard_user", (
        f"BEGIN IF {owners} THEN RETURN OLD; END IF; "
        f"IF EXISTS (SELECT 1 FROM {s}.\"change\" c WHERE c.user_id = OLD.id) OR EXISTS (SELECT 1 FROM "
        f"{s}.lead_assignment a WHERE a.user_id = OLD.id) THEN "
        f"{refuse}'a user with a history is deactivated, not deleted: ' || OLD.login; END IF; RETURN OLD; END"),
        definer=True)
    out = [lead, batch, history, user]
    out += _trigger(s, "lead", "BEFORE UPDATE OF owner_id, batch_id, created_by",
                    "OLD.owner_id IS DISTINCT FROM NEW.owner_id OR OLD.batch_id IS DISTINCT FROM NEW.batch_id "
                    "OR OLD.created_by IS DISTINCT FROM NEW.created_by")
    out += _trigger(s, "import_batch", "BEFORE UPDATE OF state, user_id")
    out += _trigger(s, "user", "BEFORE DELETE")
    out += [f'DROP TRIGGER IF EXISTS crm_guard_history ON {s}."stage_history"',  # its first name, which fired first
            f"DROP FUNCTION IF EXISTS {s}.crm_guard_history()"]
    out += _trigger(s, "stage_history", "BEFORE INSERT OR UPDATE")
    out += [f"REVOKE CREATE ON SCHEMA {s} FROM PUBLIC", _pin_functions(s)]
    return out


def _pin_functions(s: str) -> str:
    """SQL: every function of ``s`` looks in pg_catalog, then the schema, then pg_temp: those store/pg_definer.py
    made before it put pg_catalog first, and the trigger functions made with no path of their own
    (stage_history_lead_copy, lead_history_copy, stage_history_seen), which ran with the session's: a session's
    temporary ``lead`` table stood in for the schema's there (a rep forged a colleague's stay figures that way), and
    an admin's write through the masked views, whose path holds no schema, found no ``stage_history`` at all.
    (No ``%``: as closed_trigger_functions, run with parameters and without.)"""
    return ("DO $$ DECLARE f record; BEGIN FOR f IN SELECT p.oid::regprocedure AS sig FROM pg_proc p "
            f"WHERE p.pronamespace = '{s}'::regnamespace AND "
            "coalesce(array_to_string(p.proconfig, ' '), '') !~ 'search_path=pg_catalog,' LOOP "
            f"EXECUTE 'ALTER FUNCTION ' || f.sig::text || ' SET search_path = pg_catalog, {s}, pg_temp'; "
            "END LOOP; END $$")
