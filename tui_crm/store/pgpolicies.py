"""The SQL of ``db roles``: session functions, grants and row-level security policies.

The policies say in SQL what ``services.scope`` says in peewee:
- a lead: reps their own and those shared with them, supervisors also their team's,
  admins all; a lead of an import that has not committed only to the one importing it
  (the app itself hides those too, with ``scope.committed()``);
- follow-ups, tasks, task links, shares, tags and stage history: those of a visible lead
  (a task on several leads: when one of them is visible; a task without a lead: its owner's, their
  supervisor's, an admin's); the plans of a changed task's leads, those beyond reach too, recomputed
  by the server (``crm_refresh_plans``);
- notifications: the user's own; one may be sent to anyone about a visible lead, and by a supervisor to
  their team (a batch reassign or a handover names many leads, none of them);
- the leads' search text: that of a visible lead, read only;
- whether a task one sees is on other leads as well (``crm_task_shared``), those beyond one's reach too;
- an undone import's leads, those beyond the importer's reach too, deleted by the server for the one who
  imported it or an admin (``crm_drop_batch_leads``);
- the change log: entries of visible leads and those of no lead; written only as oneself
  (or as the system) about a visible lead; never updated or deleted;
- users: readable by all; a user changes only their own time zone, language and last
  method; a new user (``import --create-owners``) is a rep of one's own team or of none;
- import batches: readable by all (which batches are committed decides what is visible),
  made staging by the one importing, then moved forward only (store/pgguards.py), never deleted;
- a lead's owner changed only by its owner, their supervisor or an admin, its batch and creator never;
  a lead shared by those who may reassign it, with others than themselves; a task linked to a lead by
  those who may write the task (``crm_task_writable``);
- the open leads each user owns, counted (``crm_open_loads``, for least-loaded assignment): by all,
  as counts per user only;
- assignment and auto-tag rules: read by all (every new lead is matched against them),
  written by admins; the assignments the rules made (``lead_assignment``: lead id, rule id,
  user id, when; no lead data): read by all (whose turn a round-robin is, a user's count
  against a daily cap), appended about a visible lead, never changed.

Every function pins ``search_path`` and names its tables with the schema, so a session
cannot shadow them (a temporary table named ``user``); each is called once per query
(``(SELECT crm_uid())``), not once per row.
"""
from __future__ import annotations

from dataclasses import dataclass

from . import pgguards
from ..domain.vocab import OPEN_STATUSES
from .next_due import plans
from .pg_definer import NO_JIT, closed_trigger_functions
from .summaries import TABLES

# what each table lets the groups do; a new table must be placed here (tests/test_pg_roles.py)
LEAD_DATA = ("lead", "follow_up", "task", "task_lead", "lead_share", "lead_tag", "stage_history", "notification")
APPEND_ONLY = ("change", "lead_assignment")
MEMBER_WRITES = {"code_counter": "INSERT, UPDATE", "tag": "INSERT", "source": "INSERT",
                 "import_batch": "INSERT, UPDATE", "user": "INSERT"}
MEMBER_COLUMNS = {"user": ("UPDATE", ("tz", "lang", "money", "last_method"))}
ADMIN_ONLY = ("meta", "team", "stage", "lost_reason", "assignment_rule", "auto_tag_rule")  # read by all, written by admins
# the report's summary tables (store/summaries.py): read only, the rows of the owners one may see (one's own,
# a supervisor's team; admins all); written only by their SECURITY DEFINER triggers, whoever writes a lead
SUMMARY_TABLES = TABLES
# the leads' search text (store/search_pg.py): read only, the rows of the leads one may see; written only by its
# SECURITY DEFINER triggers
SEARCH_TABLES = ("lead_search",)
ROW_SECURED = LEAD_DATA + APPEND_ONLY + ("user", "import_batch") + SUMMARY_TABLES + SEARCH_TABLES


@dataclass
class Groups:
    """The role names of one prefix: ``crm_<login>`` per user, groups ``crm`` and ``crmadmin``."""
    prefix: str

    @property
    def members(self) -> str:
        return self.prefix[:-1]

    @property
    def admins(self) -> str:
        return self.prefix[:-1] + "admin"

    def role(self, login: str) -> str:
        return self.prefix + login


def _in_scope(s: str) -> str:
    """SQL: the row ``lead`` is a member's: their own, shared with them, or (a supervisor's) their team's."""
    me = f"(SELECT {s}.crm_uid())"
    return (f"(lead.owner_id = {me} OR lead.id IN (SELECT {s}.crm_shared_ids()) OR lead.owner_id IN "
            f"(SELECT {s}.crm_team_ids()))")


def _functions(s: str, prefix: str) -> list[str]:
    n = len(prefix)
    pin = "SET search_path = pg_catalog, pg_temp"
    return [
        f"CREATE OR REPLACE FUNCTION {s}.crm_uid() RETURNS bigint LANGUAGE sql STABLE {pin} AS $$ "
        f"SELECT u.id FROM {s}.\"user\" u WHERE left(session_user::text, {n}) = '{prefix}' "
        f"AND u.login = substr(session_user::text, {n + 1}) AND u.active $$",
        f"CREATE OR REPLACE FUNCTION {s}.crm_is_admin() RETURNS boolean LANGUAGE sql STABLE {pin} AS $$ "
        f"SELECT EXISTS (SELECT 1 FROM {s}.\"user\" u WHERE u.id = {s}.crm_uid() AND u.role = 'admin') $$",
        # a supervisor's team (their own id included); nobody for anyone else
        f"CREATE OR REPLACE FUNCTION {s}.crm_team_ids() RETURNS SETOF bigint LANGUAGE sql STABLE {pin} AS $$ "
        f"SELECT m.id FROM {s}.\"user\" me JOIN {s}.\"user\" m ON m.team_id = me.team_id "
        f"WHERE me.id = {s}.crm_uid() AND me.role = 'supervisor' $$",
        f"CREATE OR REPLACE FUNCTION {s}.crm_team_id() RETURNS bigint LANGUAGE sql STABLE {pin} AS $$ "
        f"SELECT u.team_id FROM {s}.\"user\" u WHERE u.id = {s}.crm_uid() $$",
        # the owner's function: lead_share's own policy looks at lead, so lead's cannot look at lead_share
        f"CREATE OR REPLACE FUNCTION {s}.crm_shared_ids() RETURNS SETOF bigint LANGUAGE sql STABLE "
        f"SECURITY DEFINER {pin} AS $$ "
        f"SELECT ls.lead_id FROM {s}.lead_share ls WHERE ls.user_id = {s}.crm_uid() $$",
        # an assignment rule gave a lead its creator just made (in this transaction, with its lead_assignment
        # row) to someone beyond the creator's reach: the creator made it as its owner (their policies allow
        # that and everything that comes with it), and this gives it to the rule's choice; nothing else
        f"CREATE OR REPLACE FUNCTION {s}.crm_give_lead(lid bigint, uid bigint) RETURNS boolean LANGUAGE plpgsql "
        # (the lead's triggers name their tables without a schema: pg_catalog first, then this one, pg_temp last)
        f"SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp AS $$ DECLARE n int; BEGIN "
        # the assignment names a rule that gives leads to uid (its user, or a member of its team): a session's own
        # lead_assignment row naming no such rule gives nothing
        f"IF {s}.crm_uid() IS NULL OR NOT EXISTS (SELECT 1 FROM {s}.lead_assignment a JOIN {s}.assignment_rule r "
        f"ON r.id = a.rule WHERE a.lead_id = lid AND a.user_id = uid AND (r.to_user_id = uid OR EXISTS (SELECT 1 "
        f"FROM {s}.\"user\" u WHERE u.id = uid AND u.active AND u.team_id = r.to_team_id))) THEN RETURN false; END IF; "
        f"UPDATE {s}.lead l SET owner_id = uid WHERE l.id = lid AND l.owner_id = {s}.crm_uid() "
        f"AND l.created_by = {s}.crm_uid() AND l.xmin = pg_current_xact_id()::xid; "
        f"GET DIAGNOSTICS n = ROW_COUNT; RETURN n = 1; END $$",
        # least-loaded assignment weighs every member's open leads, beyond the creator's reach too: how many
        # open, committed leads each user owns (among statuses), and nothing else of them
        f"CREATE OR REPLACE FUNCTION {s}.crm_open_loads(statuses text[]) RETURNS TABLE(user_id bigint, n bigint) "
        f"LANGUAGE sql STABLE SECURITY DEFINER {pin} AS $$ "
        f"SELECT l.owner_id::bigint, count(*)::bigint FROM {s}.lead l WHERE {s}.crm_uid() IS NOT NULL "
        # open ones only, whatever is asked: won or lost counts per user are every rep's results
        f"AND l.status = ANY(statuses) AND l.status IN ({', '.join(repr(x) for x in OPEN_STATUSES)}) AND (l.batch_id IS NULL OR l.batch_id IN (SELECT b.id FROM "
        f"{s}.import_batch b WHERE b.state = 'committed')) GROUP BY l.owner_id $$",
        # a task one sees is on other leads too, those beyond one's reach included (their task_lead rows are hidden,
        # and a rep reassigning or closing their own lead would take along the task the others keep); told only
        # of a task whose own lead one sees
        f"CREATE OR REPLACE FUNCTION {s}.crm_task_shared(tid bigint) RETURNS boolean LANGUAGE sql STABLE "
        f"SECURITY DEFINER {pin} AS $$ SELECT EXISTS (SELECT 1 FROM {s}.task t JOIN {s}.lead lead ON lead.id = "
        f"t.lead_id WHERE t.id = tid AND {committed_or_mine(s)} AND ({_in_scope(s)} OR {s}.crm_is_admin())) "
        f"AND EXISTS (SELECT 1 FROM {s}.task_lead tl WHERE tl.task_id = tid) $$",
        # a task may be linked to a lead (task_lead) by a session that may write the task (its own lead is visible,
        # or, of no lead, it is the session's, its team's or an admin's): else linking any task id to one's own lead
        # read it (task's policy shows a task linked to a visible lead); as the owner, so that task_lead's policy
        # may ask it of task, whose own policy asks task_lead
        f"CREATE OR REPLACE FUNCTION {s}.crm_task_writable(tid bigint) RETURNS boolean LANGUAGE sql STABLE "
        f"SECURITY DEFINER {pin} AS $$ SELECT EXISTS (SELECT 1 FROM {s}.task t LEFT JOIN {s}.lead lead ON lead.id = "
        f"t.lead_id WHERE t.id = tid AND ((lead.id IS NOT NULL AND {committed_or_mine(s)} AND ({_in_scope(s)} OR "
        f"{s}.crm_is_admin())) OR (t.lead_id IS NULL AND (t.owner_id = {s}.crm_uid() OR t.owner_id IN (SELECT "
        f"{s}.crm_team_ids()) OR {s}.crm_is_admin())))) $$",
        # a change of a task plans every lead it is on (next_follow_up_at, plan_until), and row security keeps a
        # session's UPDATE from those beyond its reach: recomputed here for every lead of these tasks, only
        # where they differ (derived columns made true: nothing to learn or harm by calling it)
        f"CREATE OR REPLACE FUNCTION {s}.crm_refresh_plans(tids bigint[]) RETURNS void LANGUAGE plpgsql "
        f"SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp {NO_JIT} AS $$ BEGIN "
        f"IF {s}.crm_uid() IS NULL OR cardinality(tids) > 20000 THEN RETURN; END IF; "
        f"UPDATE {s}.lead SET next_follow_up_at = w.lo, plan_until = w.hi FROM (SELECT lead.id, p.lo, p.hi FROM "
        f"{s}.lead lead, LATERAL ({plans('lead')}) p(lo, hi) WHERE lead.id IN (SELECT t.lead_id FROM {s}.task t "
        f"WHERE t.id = ANY(tids) UNION SELECT tl.lead_id FROM {s}.task_lead tl WHERE tl.task_id = ANY(tids))) w "
        f"WHERE lead.id = w.id AND (lead.next_follow_up_at, lead.plan_until) IS DISTINCT FROM (w.lo, w.hi); END $$",
        # an import undone (or abandoned) by a rep on their own role: its leads the rules gave to someone beyond
        # the importer's reach are hidden from them, so the server deletes the batch's leads, ``lim`` at a time
        # (returns how many), for the one who imported it or an admin, of a batch no longer staging or committed;
        # a task of theirs that other leads share moves to the first of those (services.activity.tasks.outlive)
        f"CREATE OR REPLACE FUNCTION {s}.crm_drop_batch_leads(bid bigint, lim integer) RETURNS integer "
        f"LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, {s}, pg_temp {NO_JIT} AS $$ "
        f"DECLARE ids bigint[]; n integer; BEGIN "
        f"IF {s}.crm_uid() IS NULL OR NOT EXISTS (SELECT 1 FROM {s}.import_batch b WHERE b.id = bid AND b.state IN "
        f"('undone', 'failed') AND (b.user_id = {s}.crm_uid() OR {s}.crm_is_admin())) THEN RETURN 0; END IF; "
        f"SELECT array_agg(x.id) INTO ids FROM (SELECT l.id FROM {s}.lead l WHERE l.batch_id = bid ORDER BY l.id "
        f"LIMIT greatest(lim, 1)) x; "
        f"IF ids IS NULL THEN RETURN 0; END IF; "
        f"WITH heirs AS (SELECT tl.task_id, min(tl.lead_id) AS heir FROM {s}.task_lead tl JOIN {s}.task t ON "
        f"t.id = tl.task_id WHERE t.lead_id = ANY(ids) AND NOT tl.lead_id = ANY(ids) GROUP BY tl.task_id), "
        f"moved AS (UPDATE {s}.task t SET lead_id = h.heir FROM heirs h WHERE t.id = h.task_id RETURNING t.id, h.heir) "
        f"DELETE FROM {s}.task_lead tl USING moved m WHERE tl.task_id = m.id AND tl.lead_id = m.heir; "
        f"DELETE FROM {s}.lead l WHERE l.id = ANY(ids); GET DIAGNOSTICS n = ROW_COUNT; RETURN n; END $$",
        # duplicates are looked for beyond one's reach (only that one exists is told): the values of
        # code, phone or email among vals that any lead holds, with its import batch; no id, no owner
        f"CREATE OR REPLACE FUNCTION {s}.crm_lead_matches(col text, vals text[]) "
        f"RETURNS TABLE(val text, batch_id bigint) LANGUAGE plpgsql STABLE SECURITY DEFINER {pin} AS $$ BEGIN "
        f"IF {s}.crm_uid() IS NULL OR col NOT IN ('code', 'phone', 'email') THEN RETURN; END IF; "
        f"RETURN QUERY EXECUTE format('SELECT l.%I::text, l.batch_id::bigint FROM {s}.lead l WHERE l.%I = ANY($1)', "
        f"col, col) USING vals; END $$",
    ]


def _grants(s: str, g: Groups) -> list[str]:
    both = f'"{g.members}", "{g.admins}"'
    out = [f"GRANT USAGE ON SCHEMA {s} TO {both}",
           f"REVOKE ALL ON ALL TABLES IN SCHEMA {s} FROM {both}",
           f"GRANT SELECT ON ALL TABLES IN SCHEMA {s} TO {both}",
           f"GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA {s} TO {both}"]  # nextval, never setval
    out += [f'GRANT INSERT, UPDATE, DELETE ON {s}."{t}" TO {both}' for t in LEAD_DATA]
    out += [f'GRANT INSERT ON {s}."{t}" TO {both}' for t in APPEND_ONLY]
    out += [f'GRANT {what} ON {s}."{t}" TO {both}' for t, what in MEMBER_WRITES.items()]
    out += [f'GRANT {what} ({", ".join(cols)}) ON {s}."{t}" TO "{g.members}"'
            for t, (what, cols) in MEMBER_COLUMNS.items()]
    out += [f'GRANT INSERT, UPDATE, DELETE ON {s}."{t}" TO "{g.admins}"' for t in ADMIN_ONLY + ("user", "code_counter",
                                                                                                "tag", "source")]
    return out


def _lead_policies(s: str, name: str, roles: str, reach: str) -> list[tuple[str, str, str, str | None, str | None]]:
    """lead's policies for ``roles``: read, add and change what is within ``reach``; delete only leads of one's own
    import that has not committed (or was undone)."""
    own_import = (f"lead.batch_id IN (SELECT b.id FROM {s}.import_batch b WHERE b.user_id = (SELECT {s}.crm_uid()) "
                  "AND b.state <> 'committed')")
    return [(f"{name}_read", "SELECT", roles, reach, None), (f"{name}_add", "INSERT", roles, None, reach),
            (f"{name}_write", "UPDATE", roles, reach, reach),
            (f"{name}_delete", "DELETE", roles, f"{reach} AND {own_import}", None)]


def committed_or_mine(s: str) -> str:
    """SQL: the row ``lead`` is of no import, of a committed one, or of the session's own."""
    return (f"(lead.batch_id IS NULL OR lead.batch_id IN (SELECT b.id FROM {s}.import_batch b "
            f"WHERE b.state = 'committed' OR b.user_id = (SELECT {s}.crm_uid())))")


def _policies(s: str, g: Groups) -> dict[str, list[tuple[str, str, str, str | None, str | None]]]:
    """table -> [(name, command, roles, USING, WITH CHECK)]."""
    me = f"(SELECT {s}.crm_uid())"
    admin = f"(SELECT {s}.crm_is_admin())"
    team = f"(SELECT {s}.crm_team_ids())"
    members, admins, both = f'"{g.members}"', f'"{g.admins}"', f'"{g.members}", "{g.admins}"'
    batch_ok = committed_or_mine(s)

    def of_lead(table: str, col: str = "lead_id") -> str:
        return f'EXISTS (SELECT 1 FROM {s}.lead l WHERE l.id = "{table}".{col})'

    task_own = (f"((task.lead_id IS NOT NULL AND {of_lead('task')}) OR (task.lead_id IS NULL AND "
                f"(task.owner_id = {me} OR task.owner_id IN {team} OR {admin})))")

    out: dict[str, list] = {
        # deleted only as an import's own leads, before it commits or once it is undone (the app deletes no other
        # lead): else a rep's psql `DELETE FROM lead` wiped every lead they and their collaborators work
        "lead": _lead_policies(s, "crm_member", members, f"{batch_ok} AND {_in_scope(s)}")
                + _lead_policies(s, "crm_admin", admins, batch_ok),
        # read where any of its leads is visible (task_lead's own policy shows the links of visible leads; IN, a
        # hashed subplan, not EXISTS per row); written only where its own lead is: a link to one's lead is no
        # way to rewrite, delete or move a task of a lead beyond reach
        "task": [("crm_lead_read", "SELECT", both, f"{task_own} OR task.id IN (SELECT tl.task_id FROM "
                  f"{s}.task_lead tl)", None),
                 ("crm_lead_add", "INSERT", both, None, task_own),
                 ("crm_lead_write", "UPDATE", both, task_own, task_own),
                 ("crm_lead_delete", "DELETE", both, task_own, None)],
        "notification": [
            ("crm_own", "SELECT", both, f"notification.user_id = {me}", None),
            ("crm_own_update", "UPDATE", both, f"notification.user_id = {me}", f"notification.user_id = {me}"),
            ("crm_own_delete", "DELETE", both, f"notification.user_id = {me}", None),
            ("crm_send", "INSERT", both, None,
             f"notification.user_id = {me} OR {admin} OR notification.user_id IN {team} OR "
             f"(notification.lead_id IS NOT NULL AND {of_lead('notification')})")],
        "change": [
            ("crm_read", "SELECT", members, f'"change".lead_id IS NULL OR {of_lead("change")}', None),
            ("crm_read_all", "SELECT", admins, "true", None),
            ("crm_append", "INSERT", both, None,
             f'("change".user_id IS NULL OR "change".user_id = {me}) AND '
             f'("change".lead_id IS NULL OR {of_lead("change")})')],
        "lead_assignment": [
            ("crm_read", "SELECT", both, "true", None),
            ("crm_append", "INSERT", both, None, of_lead("lead_assignment"))],
        "user": [
            ("crm_read", "SELECT", both, "true", None),
            ("crm_self", "UPDATE", members, f'"user".id = {me}', f'"user".id = {me}'),
            ("crm_add_rep", "INSERT", members, None,
             f"\"user\".role = 'rep' AND (\"user\".team_id IS NULL OR \"user\".team_id = (SELECT {s}.crm_team_id()))"),
            ("crm_admin", "ALL", admins, "true", None)],
        "import_batch": [
            ("crm_read", "SELECT", both, "true", None),
            # made staging by the one importing; forward only after (store/pgguards.py); never deleted: its leads
            # would go by the cascade, those beyond the session's reach too
            ("crm_mine", "INSERT", both, None, f"import_batch.user_id = {me} AND import_batch.state = 'staging'"),
            ("crm_mine_update", "UPDATE", both, f"import_batch.user_id = {me} OR {admin}", None)],
    }
    # who may reassign a lead may share it (services.leads.people.share), not with themselves: a self-share kept a
    # rep's reach over a lead they had given away; a collaborator may not share it on
    reassigns = (f'EXISTS (SELECT 1 FROM {s}.lead l WHERE l.id = lead_share.lead_id AND (l.owner_id = {me} OR '
                 f'l.owner_id IN {team} OR {admin}))')
    shares = f"{reassigns} AND lead_share.user_id <> {me}"
    out["lead_share"] = [("crm_lead_read", "SELECT", both, of_lead("lead_share"), None),
                         ("crm_lead_add", "INSERT", both, None, shares),
                         ("crm_lead_write", "UPDATE", both, reassigns, shares),
                         ("crm_lead_delete", "DELETE", both, reassigns, None)]
    linked = f"{of_lead('task_lead')} AND {s}.crm_task_writable(task_lead.task_id)"
    out["task_lead"] = [("crm_lead_read", "SELECT", both, of_lead("task_lead"), None),
                        ("crm_lead_add", "INSERT", both, None, linked),
                        ("crm_lead_write", "UPDATE", both, linked, linked),
                        ("crm_lead_delete", "DELETE", both, of_lead("task_lead"), None)]
    for table in ("follow_up", "lead_tag", "stage_history"):
        out[table] = [("crm_lead", "ALL", both, of_lead(table), None)]
    for table in SEARCH_TABLES:
        out[table] = [("crm_lead", "SELECT", both, of_lead(table), None)]
    for table in SUMMARY_TABLES:
        out[table] = [("crm_owners", "SELECT", members, f'"{table}".owner_id = {me} OR "{table}".owner_id IN {team}',
                       None),
                      ("crm_read_all", "SELECT", admins, "true", None)]
    return out


def statements(s: str, groups: Groups) -> list[str]:
    """Everything ``db roles`` runs in the schema ``s`` (an identifier, quoted), in order."""
    sql = (_functions(s, groups.prefix) + pgguards.statements(s, groups.prefix) + _grants(s, groups)
           + [closed_trigger_functions(s)])
    policies = _policies(s, groups)
    assert set(policies) == set(ROW_SECURED), set(policies) ^ set(ROW_SECURED)
    for table in ROW_SECURED:
        sql.append(f'ALTER TABLE {s}."{table}" ENABLE ROW LEVEL SECURITY')
        existing = f"SELECT policyname FROM pg_policies WHERE schemaname = current_schema() AND tablename = '{table}'"
        sql.append(f"DO $$ DECLARE p record; BEGIN FOR p IN {existing} LOOP "
                   f"EXECUTE format('DROP POLICY %I ON {s}.\"{table}\"', p.policyname); END LOOP; END $$")
        for name, command, roles, using, check in policies[table]:
            text = f'CREATE POLICY {name} ON {s}."{table}" AS PERMISSIVE FOR {command} TO {roles}'
            if using is not None:
                text += f" USING ({using})"
            if check is not None:
                text += f" WITH CHECK ({check})"
            sql.append(text)
    return sql
