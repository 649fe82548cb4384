"""PostgreSQL: contacts masked by the server for admins' roles (``db roles``).

Row-level security decides which rows a role sees, not what it reads in them. An admin sees every
lead, and the app shows them phones and e-mails masked until an audited reveal; their role in psql
read them in full. So an admin's role gets no SELECT on ``lead.phone``, ``email``, ``other_contact``,
``phone_rev`` nor on ``change.diff`` (where the old and new values of an edit are), only on the other
columns, and reads leads and the change log through views in the schema ``<schema>_masked`` that show
the contacts masked (the app's masks: ``138****5678``, ``a***@example.com``) except on the leads the
admin owns or that are shared with them. The views are written through by INSTEAD OF triggers that run
as the admin, so row security and the grants still decide every write. A connection of an admin's role
shadows ``lead`` and ``change`` with temporary views over them (:func:`enter`), so the app reads through
the masks with no change to its queries.

What this does not give an admin's role: finding a lead by a full phone or e-mail they see masked (the
app's audited search reveal reads the real column), and a reveal; the app, connected as the schema's
owner (the service account), does both. ``crm_lead_matches`` (duplicates beyond a member's reach) is
limited here to 20 answers per user an hour, each an audit entry, whoever calls it.
"""
from __future__ import annotations

import peewee as pw

CONTACTS = ("phone", "email", "other_contact", "phone_rev")
SECRET = {"lead": CONTACTS, "change": ("diff",)}
MATCHES_PER_HOUR = 20  # as services.changes.DUPLICATE_ANSWERS_PER_HOUR


def masked_schema(schema: str) -> str:
    return schema + "_masked"


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def columns(db: pw.Database, schema: str, table: str) -> list[str]:
    return [r[0] for r in db.execute_sql(
        "SELECT column_name FROM information_schema.columns WHERE table_schema = %s AND table_name = %s "
        "ORDER BY ordinal_position", (schema, table)).fetchall()]


def _mask_functions(s: str) -> list[str]:
    pin = "SET search_path = pg_catalog, pg_temp"
    return [
        # domain.contact.mask_phone for the numbers a team keeps (+86 mobiles: 138****5678); others keep
        # their last four digits
        f"CREATE OR REPLACE FUNCTION {s}.crm_mask_phone(p text) RETURNS text LANGUAGE plpgsql IMMUTABLE {pin} "
        "AS $$ DECLARE d text; BEGIN IF p IS NULL OR p = '' OR position('*' in p) > 0 THEN RETURN p; END IF; "
        "d := regexp_replace(p, '\\D', '', 'g'); "
        "IF p LIKE '+86%' THEN d := substr(d, 3); ELSIF p LIKE '+1%' THEN d := substr(d, 2); END IF; "
        "IF length(d) >= 11 THEN RETURN left(d, 3) || repeat('*', greatest(4, length(d) - 7)) || right(d, 4); "
        "END IF; RETURN repeat('*', greatest(4, length(d) - 4)) || right(d, 4); END $$",
        f"CREATE OR REPLACE FUNCTION {s}.crm_mask_email(e text) RETURNS text LANGUAGE sql IMMUTABLE {pin} "
        "AS $$ SELECT CASE WHEN e IS NULL OR e = '' OR position('*' in e) > 0 THEN e "
        "WHEN position('@' in e) = 0 THEN '***' "
        "ELSE left(e, 1) || '***@' || substring(e from '@([^@]*)$') END $$",
        # domain.contact.mask_other: a leading kind of account (微信, QQ:) stays, an e-mail is masked as one,
        # a word of four digits or more as a phone, any other word to its first character
        f"CREATE OR REPLACE FUNCTION {s}.crm_mask_other(t text) RETURNS text LANGUAGE plpgsql IMMUTABLE {pin} "
        "AS $$ DECLARE sep constant text := '[[:space:]:：,，;；/]'; m text[]; rest text := t; out text := ''; "
        "i int := 0; n int; w text; BEGIN "
        "IF t IS NULL OR t = '' OR position('*' in t) > 0 THEN RETURN t; END IF; "
        "n := (SELECT count(*) FROM regexp_matches(t, '[^[:space:]:：,，;；/]+', 'g')); "
        "LOOP m := regexp_match(rest, '^(' || sep || '*)([^[:space:]:：,，;；/]+)(.*)$', 's'); "
        "EXIT WHEN m IS NULL; w := m[2]; rest := m[3]; "
        "out := out || m[1] || CASE WHEN i = 0 AND n > 1 AND w !~ '[0-9]' THEN w "
        f"WHEN position('@' in w) > 0 THEN {s}.crm_mask_email(w) "
        f"WHEN length(regexp_replace(w, '[^0-9]', '', 'g')) >= 4 THEN {s}.crm_mask_phone(w) "
        "ELSE left(w, 1) || '***' END; i := i + 1; END LOOP; RETURN out || rest; END $$",
        f"CREATE OR REPLACE FUNCTION {s}.crm_mask_value(field text, v jsonb) RETURNS jsonb LANGUAGE sql "
        f"IMMUTABLE {pin} AS $$ SELECT CASE WHEN jsonb_typeof(v) <> 'string' THEN v "
        f"WHEN field = 'phone' THEN to_jsonb({s}.crm_mask_phone(v #>> '{{}}')) "
        f"WHEN field = 'email' THEN to_jsonb({s}.crm_mask_email(v #>> '{{}}')) "
        f"WHEN field = 'phone_rev' THEN 'null'::jsonb "
        f"ELSE to_jsonb({s}.crm_mask_other(v #>> '{{}}')) END $$",
        # a change entry's diff with the contacts' values masked ({field: [old, new]} or {field: value})
        f"CREATE OR REPLACE FUNCTION {s}.crm_mask_diff(diff text) RETURNS text LANGUAGE plpgsql IMMUTABLE {pin} "
        "AS $$ DECLARE j jsonb; f text; v jsonb; BEGIN "
        "BEGIN j := diff::jsonb; EXCEPTION WHEN others THEN RETURN '{}'; END; "
        "IF jsonb_typeof(j) <> 'object' THEN RETURN diff; END IF; "
        "FOREACH f IN ARRAY ARRAY['phone', 'email', 'other_contact', 'phone_rev'] LOOP "
        "v := j -> f; CONTINUE WHEN v IS NULL; "
        "IF jsonb_typeof(v) = 'array' THEN "
        f"j := jsonb_set(j, ARRAY[f], (SELECT coalesce(jsonb_agg({s}.crm_mask_value(f, e) ORDER BY n), '[]') "
        "FROM jsonb_array_elements(v) WITH ORDINALITY AS x(e, n))); "
        f"ELSE j := jsonb_set(j, ARRAY[f], {s}.crm_mask_value(f, v)); END IF; END LOOP; "
        "RETURN j::text; END $$",
    ]


def _full(s: str, lead: str) -> str:
    """SQL: the session's user sees ``lead``'s contacts in full (owner, collaborator, the owner's supervisor)."""
    return (f"({lead}.owner_id = (SELECT {s}.crm_uid()) OR {lead}.owner_id IN (SELECT {s}.crm_team_ids()) "
            f"OR {lead}.id IN (SELECT {s}.crm_shared_ids()))")


def _lead_view(s: str, m: str, cols: list[str], batch_ok: str) -> str:
    masks = {"phone": f"{s}.crm_mask_phone(lead.phone)", "email": f"{s}.crm_mask_email(lead.email)",
             "other_contact": f"{s}.crm_mask_other(lead.other_contact)", "phone_rev": "NULL::text"}
    full = _full(s, "lead")
    picks = [f"CASE WHEN {full} THEN lead.{_q(c)} ELSE {masks[c]} END AS {_q(c)}" if c in masks
             else f"lead.{_q(c)}" for c in cols]
    return (f"CREATE VIEW {m}.lead WITH (security_barrier) AS SELECT {', '.join(picks)} "
            f"FROM {s}.lead lead WHERE {batch_ok}")


def _change_view(s: str, m: str, cols: list[str]) -> str:
    secret = ("CASE WHEN c.lead_id IS NULL OR c.diff !~ '\"(phone|email|other_contact|phone_rev)\"' THEN c.diff "
              f"WHEN EXISTS (SELECT 1 FROM {s}.lead lead WHERE lead.id = c.lead_id AND {_full(s, 'lead')}) "
              f"THEN c.diff ELSE {s}.crm_mask_diff(c.diff) END AS diff")
    picks = [secret if c == "diff" else f"c.{_q(c)}" for c in cols]
    return f'CREATE VIEW {m}."change" WITH (security_barrier) AS SELECT {", ".join(picks)} FROM {s}."change" c'


def _writes(s: str, m: str, table: str, cols: list[str], ops: tuple[str, ...]) -> list[str]:
    """INSTEAD OF triggers that write the view's rows into the table as the session's role (SECURITY
    INVOKER: row security and grants decide). An update sets only the columns it changed, so a masked
    value read through the view is never written back."""
    t = f'{s}."{table}"'
    fn = f"{m}.{_q('write_' + table)}"
    rest = [c for c in cols if c != "id"]
    ins_cols = ", ".join(_q(c) for c in rest)
    ins_vals = ", ".join(f"NEW.{_q(c)}" for c in rest)
    body = ("BEGIN IF TG_OP = 'INSERT' THEN "
            f"IF NEW.id IS NULL THEN INSERT INTO {t} ({ins_cols}) VALUES ({ins_vals}) RETURNING id INTO NEW.id; "
            f"ELSE INSERT INTO {t} (id, {ins_cols}) VALUES (NEW.id, {ins_vals}); END IF; RETURN NEW; "
            "ELSIF TG_OP = 'UPDATE' THEN DECLARE n jsonb := to_jsonb(NEW); o jsonb := to_jsonb(OLD); "
            "sets text[] := '{}'; k text; BEGIN "
            "FOR k IN SELECT jsonb_object_keys(n) LOOP IF n -> k IS DISTINCT FROM o -> k THEN "
            "sets := sets || format('%I = ($1).%I', k, k); END IF; END LOOP; "
            "IF cardinality(sets) > 0 THEN "
            f"EXECUTE format('UPDATE {t.replace('%', '%%')} SET %s WHERE id = $2', array_to_string(sets, ', ')) "
            "USING NEW, OLD.id; END IF; END; RETURN NEW; "
            # a row the table's own policies kept is not counted as deleted (psql said DELETE 10, deleting none)
            f"ELSE DELETE FROM {t} WHERE id = OLD.id; IF NOT FOUND THEN RETURN NULL; END IF; RETURN OLD; END IF; END")
    return [f"CREATE FUNCTION {fn}() RETURNS trigger LANGUAGE plpgsql SECURITY INVOKER "
            f"SET search_path = pg_catalog, pg_temp AS $$ {body} $$",
            f'CREATE TRIGGER write INSTEAD OF {" OR ".join(ops)} ON {m}."{table}" FOR EACH ROW EXECUTE FUNCTION {fn}()']


def _limited_matches(s: str) -> str:
    """``crm_lead_matches`` answering at most MATCHES_PER_HOUR values an hour per user, each answer an
    audit entry of its own, of the lead matched (read by those who see that lead and by admins, not by the one asking:
    an entry of no lead is read by every member, and its id told whose lead a number was), (a role calling it from
    psql is held to what the app holds its users to), in the
    order of ``vals``: the importer asks in its file's order and spends its own allowance in that order, so the
    two limits run out on the same row (in no order, the server could skip an early row, which the importer
    then took for new while its allowance was not yet spent)."""
    told = (f"(SELECT count(*) FROM {s}.\"change\" c WHERE c.user_id = me AND c.action = 'reveal' "
            f"AND c.at >= extract(epoch FROM now())::bigint - 3600 AND c.diff LIKE '%\"via\": \"match\"%')")
    return (
        f"CREATE OR REPLACE FUNCTION {s}.crm_lead_matches(col text, vals text[]) "
        "RETURNS TABLE(val text, batch_id bigint) LANGUAGE plpgsql VOLATILE SECURITY DEFINER "
        f"SET search_path = pg_catalog, pg_temp AS $$ DECLARE me bigint := {s}.crm_uid(); r record; left_ int; "
        "BEGIN IF me IS NULL OR col NOT IN ('code', 'phone', 'email') THEN RETURN; END IF; "
        f"left_ := {MATCHES_PER_HOUR} - {told}; "
        f"FOR r IN EXECUTE format('SELECT l.%I::text AS v, l.batch_id::bigint AS b, l.id AS id FROM {s}.lead l "
        "JOIN (SELECT q.v, min(q.n) AS n FROM unnest($1) WITH ORDINALITY AS q(v, n) GROUP BY q.v) o "
        "ON l.%I = o.v ORDER BY o.n, l.id', col, col) USING vals LOOP "
        "EXIT WHEN left_ <= 0; left_ := left_ - 1; "
        f"INSERT INTO {s}.\"change\" (at, user_id, entity, entity_id, lead_id, action, diff) VALUES "
        "(extract(epoch FROM now())::bigint, me, 'lead', r.id, r.id, 'reveal', "
        "json_build_object('via', 'match', 'match', col)::jsonb::text); "
        "val := r.v; batch_id := r.b; RETURN NEXT; END LOOP; END $$")


def statements(db: pw.Database, schema: str, admins: str, batch_ok: str) -> list[str]:
    """The masks (run after pgpolicies' statements, by the owner; idempotent)."""
    s, m, a = _q(schema), _q(masked_schema(schema)), _q(admins)
    lead_cols, change_cols = columns(db, schema, "lead"), columns(db, schema, "change")
    out = _mask_functions(s) + [_limited_matches(s), f"DROP SCHEMA IF EXISTS {m} CASCADE", f"CREATE SCHEMA {m}",
                                _lead_view(s, m, lead_cols, batch_ok), _change_view(s, m, change_cols)]
    out += _writes(s, m, "lead", lead_cols, ("INSERT", "UPDATE", "DELETE"))
    out += _writes(s, m, "change", change_cols, ("INSERT",))
    for table, cols in (("lead", lead_cols), ("change", change_cols)):
        open_cols = ", ".join(_q(c) for c in cols if c not in SECRET[table])
        out += [f'REVOKE SELECT ON {s}."{table}" FROM {a}', f'GRANT SELECT ({open_cols}) ON {s}."{table}" TO {a}']
    out += [f"GRANT USAGE ON SCHEMA {m} TO {a}", f"GRANT SELECT, INSERT, UPDATE, DELETE ON {m}.lead TO {a}",
            f'GRANT SELECT, INSERT ON {m}."change" TO {a}']
    return out


def enter(conn) -> None:
    """On a new connection: a session of an admin's role (not the owner, not a superuser) reads leads and
    the change log through the masking views of its schema. Temporary views named ``lead`` and ``change``
    over them come first on the search path (as every temporary relation does), so the app's queries and
    ``current_schema()`` stay as they are. Nothing for any other session."""
    with conn.cursor() as cur:
        cur.execute(
            "SELECT quote_ident(n.nspname) FROM pg_namespace n, pg_roles r "
            "WHERE n.nspname = current_schema() || '_masked' "
            "AND r.rolname = session_user AND NOT r.rolsuper AND NOT r.rolbypassrls "
            "AND has_schema_privilege(n.oid, 'USAGE') AND NOT EXISTS (SELECT 1 FROM pg_tables t WHERE "
            "t.schemaname = current_schema() AND t.tablename = 'lead' AND t.tableowner = session_user)")
        row = cur.fetchone()
        if row:
            for table in ("lead", '"change"'):
                cur.execute(f"CREATE OR REPLACE TEMP VIEW {table} AS SELECT * FROM {row[0]}.{table}")
        conn.commit()


def masks_contacts(db: pw.Database) -> bool:
    """This session reads contacts through the masks (:func:`enter` made its views)."""
    if not isinstance(db, pw.PostgresqlDatabase):
        return False
    return bool(db.execute_sql("SELECT to_regclass('pg_temp.lead') IS NOT NULL").fetchone()[0])
