"""Bulk loads: PostgreSQL takes them by COPY, whose text format must carry every value back as it was
(tabs, newlines, backslashes, quotes, a literal \\N, CJK, emoji); under row-level security, where
PostgreSQL refuses COPY FROM, multi-row INSERTs; and one file imports to the same result on SQLite and
on PostgreSQL."""
from __future__ import annotations

import csv

import pytest

from cli_helpers import run
from conftest import PG_AVAILABLE, PG_BASE, make_url
from tui_crm.store import bulk

needs_pg = pytest.mark.skipif(not PG_AVAILABLE, reason=f"PostgreSQL not reachable at {PG_BASE}")

HOSTILE = ["tab\there", "two\nlines", "cr\rlf\r\n", "back\\slash", "\\N", "\\", "ends with \\", "\\\\N",
           "\\.", "\\t not a tab", 'double "quotes"', "it's", "comma, semicolon; pipe|", "上海星河科技有限公司",
           "emoji 😀🚀 and 👩‍💻", "", "  spaced  ", "NULL", "null", "\\x41", "\t", "\n", "e\u0301 combining"]


@needs_pg
def test_copy_round_trips_hostile_values(tmp_path):
    from tui_crm.store.db import connect

    url, drop = make_url("postgres", tmp_path)
    db = connect(url)
    try:
        db.execute_sql("CREATE TABLE copy_probe (id BIGINT PRIMARY KEY, t TEXT, n BIGINT, b BOOLEAN, f DOUBLE PRECISION)")
        rows = [(i, v, i * -7 if i % 3 else None, bool(i % 2), i / 8) for i, v in enumerate(HOSTILE)]
        rows.append((len(rows), None, 2**62, None, None))
        with db.atomic():
            assert bulk.insert_rows(db, "copy_probe", ("id", "t", "n", "b", "f"), rows, chunk=5) == len(rows)
        back = db.execute_sql("SELECT id, t, n, b, f FROM copy_probe ORDER BY id").fetchall()
        assert [tuple(r) for r in back] == rows
        # the one line COPY reads for a row: escapes only, one tab between fields
        assert bulk.copy_line((1, "a\tb\\N", None, True)) == "1\ta\\tb\\\\N\t\\N\tt\n"
    finally:
        db.close()
        drop()


@needs_pg
def test_copy_round_trips_plain_rows_by_the_fast_path(tmp_path):
    """Rows whose values need no escape are formatted by C loops (bulk.copy_text): NULLs, booleans, 0 and 1,
    the text "None", "t" and "1", floats, large numbers, CJK and emoji come back as they were."""
    from tui_crm.store.db import connect

    url, drop = make_url("postgres", tmp_path)
    db = connect(url)
    try:
        db.execute_sql("CREATE TABLE copy_plain (id BIGINT PRIMARY KEY, t TEXT, n BIGINT, b BOOLEAN, f DOUBLE PRECISION)")
        texts = ["None", "t", "1", "0", "f", "上海星河科技", "😀", "", " x ", "N", "NULL"]
        rows = [(i, texts[i % len(texts)] if i % 5 else None, [0, 1, None, -1, 2**62][i % 5], [True, False, None][i % 3],
                 [0.0, 1.0, None, 1e-300, -2.5, 1e16][i % 6]) for i in range(60)]
        # strings, ints, booleans and NULLs take the fast path (booleans as 1 and 0; copy_line writes t and f)
        assert bulk.copy_text([(7, "None", True, None, False)], 5) == "7\tNone\t1\t\\N\t0\n"
        plain = [(i + 1000, t, n, b, None) for i, t, n, b, _f in rows]  # no float: all by the fast path
        with db.atomic():
            for batch in (rows, plain):  # (one COPY each: a batch goes the fast way or the careful way whole)
                assert bulk.insert_rows(db, "copy_plain", ("id", "t", "n", "b", "f"), batch) == len(batch)
        back = db.execute_sql("SELECT id, t, n, b, f FROM copy_plain ORDER BY id").fetchall()
        assert [tuple(r) for r in back] == rows + plain
        # a float or a Decimal (1.0 and Decimal("1.00") hash as True), or anything else: the careful way
        from decimal import Decimal

        for odd in (1.0, 0.0, -0.0, Decimal("1.00"), Decimal("2.50"), [1, 2], 1 + 0j):
            assert bulk.copy_text([(1, odd, None)], 3) == bulk.copy_line((1, odd, None)), odd
        # one value that needs an escape sends its whole batch the careful way
        mixed = rows[:3] + [(99, "a\tb", None, True, None)]
        assert bulk.copy_text(mixed, 5) == "".join(bulk.copy_line(r) for r in mixed)
    finally:
        db.close()
        drop()


def _hostile_csv(path) -> str:
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "contact_name", "phone", "source", "need", "remarks"])
        for i, v in enumerate(HOSTILE):
            w.writerow([f"Co {i} {v}", f"王{i}", f"137{i:08d}", "expo", "servers", f"r{i} {v}"])
    return str(path)


def test_import_keeps_hostile_values(world, tmp_path):
    from tui_crm.services.importing.run import ImportOptions, run_import
    from tui_crm.store.models import Lead

    res = run_import(world.ctx, _hostile_csv(tmp_path / "hostile.csv"), ImportOptions())
    assert (res.new, res.refused) == (len(HOSTILE), 0), res.refusals
    got = {r.phone: (r.company, r.remarks) for r in Lead.select()}
    for i, v in enumerate(HOSTILE):
        kept = v.replace("\r", "")  # an import drops CR (of CRLF) and other controls but tab and newline
        company, remarks = got[f"+86137{i:08d}"]
        assert remarks == f"r{i} {kept}".strip()
        assert company == f"Co {i} {kept}".strip() or company == " ".join(f"Co {i} {kept}".split())


@needs_pg
def test_a_rep_imports_under_row_security_by_inserts(tmp_path):
    """A rep's own role (db roles) is under row-level security, where COPY FROM is refused: the same
    bulk path inserts instead, and the policies still apply."""
    from pg_team import PgTeam

    team = PgTeam(tmp_path)
    try:
        team.grant_roles()
        path = _hostile_csv(tmp_path / "mine.csv")
        proc = run("import", path, user="rep1", db=team.role_url("rep1"))
        assert proc.returncode == 0, proc.stderr
        rows = team.owner_rows("SELECT l.remarks, u.login FROM lead l JOIN \"user\" u ON u.id = l.owner_id "
                               "WHERE l.batch_id IS NOT NULL")
        assert len(rows) == len(HOSTILE) and {r[1] for r in rows} == {"rep1"}
        assert "r7 \\\\N" in {r[0] for r in rows}
        assert team.rows("rep1", "SELECT row_security_active('lead')") == [(True,)]
    finally:
        team.close()


SAME_HEAD = ["code", "company", "contact_name", "phone", "email", "source", "stage", "status", "owner", "amount",
             "created_at", "region", "need", "remarks", "tags", "last_contact_at", "contact_summary",
             "next_follow_up_at", "closed_at", "product"]


def _same_rows() -> list[list[str]]:
    rows = []
    for i in range(60):
        cn = i % 3 == 0
        rows.append([f"C{i:03d}" if i % 4 else "", f"杭州云帆{i}科技有限公司" if cn else f"Acme\t{i} \\N \"Ltd\" 😀",
                     f"王建{i}" if cn else f"Ann {i}", f"138{i:08d}", f"buyer{i}@example.com" if i % 5 else "",
                     ["展会", "官网", "转介绍", "新渠道"][i % 4], ["线索获取", "需求确认", "方案报价"][i % 3],
                     ["", "跟进中", "已转化", "已流失"][i % 4] if i % 7 else "", "" if i % 2 else "rep_a1",
                     f"¥{(i + 1) * 1000:,}", f"2024-{1 + i % 9:02d}-{1 + i % 28:02d} 09:{i % 60:02d}",
                     "华东" if i % 6 in (1, 3) else "华北", "采购服务器" if i % 5 == 0 else "servers",
                     f"line one\nline two {i}" if i % 8 == 0 else "", "vip, 华东、重点" if i % 9 == 0 else "",
                     "2024-10-01 10:00" if i % 4 == 1 else "", "聊了预算" if i % 4 == 1 else "",
                     "2024-11-08" if i % 10 == 3 else "", "2024-10-20" if i % 4 in (2, 3) else "",
                     "服务器" if i % 4 == 2 else ""])
    rows.append(rows[5][:])  # the same row again: a duplicate of line 7
    rows.append(["", "Bad date Co", "X", "13900000001", "", "展会", "", "", "", "", "not a date"] + [""] * 9)
    rows.append(["", "Nobody's Co", "Y", "13900000002", "", "展会", "", "", "nobody"] + [""] * 11)
    rows.append([""] * len(SAME_HEAD))
    return rows


def _world_on(url: str):
    from tui_crm.services import admin
    from tui_crm.services.admin import rules
    from tui_crm.services.context import open_session

    ctx = open_session(url)
    admin.add_user(ctx, "boss", "Boss", "admin")
    ctx.act_as("boss")
    admin.add_user(ctx, "rep_a1", "Rep A1", "rep", "A")
    admin.add_user(ctx, "rep_a2", "Rep A2", "rep", "A")
    admin.add_user(ctx, "rep_b1", "Rep B1", "rep", "B")
    rules.add_rule(ctx, region="华东", to_team="A", mode="round-robin")
    rules.add_rule(ctx, keywords=["服务器"], to_user="rep_b1")
    rules.add_auto_tag(ctx, "高意向", sources=["expo"], keywords=["采购"])
    return ctx


def _outcome(ctx, res) -> dict:
    """Everything the import made, by code and login (no ids, which differ by backend)."""
    q = ctx.db.execute_sql
    lead_cols = ("code", "company", "contact_name", "phone", "phone_rev", "email", "source", "stage", "status",
                 "amount_cents", "won_amount_cents", "product", "won_at", "lost_at", "created_at", "stage_entered_at",
                 "last_activity_at", "next_follow_up_at", "region", "need", "remarks", "incomplete", "dup_suspected",
                 "stages_seen", "pinyin", "version")
    leads = q(f"SELECT {', '.join('l.' + c for c in lead_cols)}, u.login FROM lead l JOIN \"user\" u "
              "ON u.id = l.owner_id ORDER BY l.code").fetchall()
    leads = [tuple(bool(v) if c == "dup_suspected" else v for c, v in zip(lead_cols + ("owner",), r)) for r in leads]
    def by_code(sql):
        return sorted(tuple(r) for r in q(sql).fetchall())
    return {
        "summary": res.summary(), "refusals": sorted((r.line, r.column, r.reason) for r in res.refusals),
        "notes": sorted((n.line, n.column, n.reason) for n in res.notes), "leads": leads,
        "history": by_code("SELECT l.code, h.stage, h.entered_at, h.left_at, h.lead_created_at FROM stage_history h "
                           "JOIN lead l ON l.id = h.lead_id"),
        "tasks": by_code("SELECT l.code, t.kind, t.title, t.due_at, t.status FROM task t JOIN lead l ON l.id = t.lead_id"),
        "follow_ups": by_code("SELECT l.code, f.at, f.method, f.summary FROM follow_up f JOIN lead l ON l.id = f.lead_id"),
        "tags": by_code("SELECT l.code, g.name FROM lead_tag t JOIN lead l ON l.id = t.lead_id JOIN tag g ON g.id = t.tag_id"),
        "assigned": by_code("SELECT l.code, a.rule, u.login FROM lead_assignment a JOIN lead l ON l.id = a.lead_id "
                            "JOIN \"user\" u ON u.id = a.user_id"),
        "sources": sorted(r[0] for r in q("SELECT key FROM source").fetchall()),
    }


@needs_pg
def test_one_file_imports_to_the_same_result_on_both_backends(tmp_path):
    """The same file, the same rules and users: the same leads field by field (codes, owners the rules
    chose, tags, pinyin, tasks, history, follow-ups), the same refusals and notes, on SQLite and on
    PostgreSQL (whose bulk path is COPY); undo leaves both as they were."""
    from tui_crm.services import importing
    from tui_crm.services.importing.run import ImportOptions, run_import
    from tui_crm.store.models import database_proxy

    path = str(tmp_path / "same.csv")
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(SAME_HEAD)
        w.writerows(_same_rows())
    got, drops = {}, []
    try:
        for backend in ("sqlite", "postgres"):
            url, drop = make_url(backend, tmp_path)
            drops.append(drop)
            ctx = _world_on(url)
            res = run_import(ctx, path, ImportOptions())
            got[backend] = _outcome(ctx, res)
            importing.undo(ctx, res.batch_id)
            assert ctx.db.execute_sql("SELECT count(*) FROM lead").fetchone()[0] == 0
            ctx.close()
        sq, pg = got["sqlite"], got["postgres"]
        assert sq["summary"]["new"] == 60 and sq["summary"]["refused"] == 2 and sq["summary"]["duplicate"] == 1
        assert {r[-1] for r in sq["leads"]} == {"boss", "rep_a1", "rep_a2", "rep_b1"}  # the rules gave some
        assert sq["tags"] and sq["assigned"] and any(r[24] for r in sq["leads"])  # tags, rules, pinyin
        for key in sq:
            assert sq[key] == pg[key], key
    finally:
        if database_proxy.obj is not None and not database_proxy.obj.is_closed():
            database_proxy.obj.close()
        for drop in drops:
            drop()


def test_pinyin_spelt_by_the_reader_follows_a_later_rows_update(world, tmp_path):
    """Each row's names are spelt as it is converted; a later row of the file that updates the earlier one's
    company (--on-duplicate update) gets its own spelling stored, not the first one's."""
    from tui_crm.services.importing.run import ImportOptions, run_import
    from tui_crm.store.models import Lead

    path = tmp_path / "twice.csv"
    with open(path, "w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["company", "contact_name", "phone", "source", "need"])
        w.writerow(["腾飞科技", "王建林", "13911112222", "expo", "servers"])
        w.writerow(["星河贸易", "王建林", "13911112222", "expo", "servers"])
    res = run_import(world.ctx, str(path), ImportOptions(on_duplicate="update"))
    assert (res.new, res.updated) == (1, 1)
    lead = Lead.get(Lead.phone == "+8613911112222")
    assert lead.company == "星河贸易" and lead.pinyin.startswith("xinghemaoyi xhmy")
