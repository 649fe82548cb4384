"""Realistic, reproducible demo data, loaded in bulk.

A funnel that narrows stage by stage (about 15% won, 10% lost, 5% dormant,
3% paused, the rest open), follow-up histories with stage moves, and among
open leads about 15% overdue, 10% due today and some stalled. One change-log
entry records the load (not one per row).
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta
from typing import Callable

from ...domain.rules import first_contact_due, lead_code
from ...domain.vocab import SOURCES
from ...domain.spell import spelling
from ...i18n import N_, _
from ...store import bulk, search, summary_triggers
from ...store.models import (ALL_MODELS, Change, CodeCounter, FollowUp, ImportBatch, Lead, LeadShare, LeadTag, Notification, StageHistory, Task, TaskLead, Team, User)
from .. import changes
from ..context import Session
from ..errors import ServiceError
from .database import require_database_admin

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈"
GIVEN = "伟芳娜秀英敏静丽强磊军洋勇艳杰娟涛明超秀兰霞平刚桂英华建国志红晓东海燕鹏飞婷雪梅"
CITIES = ["北京", "上海", "广州", "深圳", "杭州", "成都", "南京", "武汉", "西安", "苏州", "天津", "重庆", "长沙", "青岛", "厦门"]
CN_WORDS = ["华为", "星辰", "远景", "蓝海", "鼎盛", "卓越", "恒通", "新锐", "天成", "博源", "启明", "汇丰", "金桥", "云帆",
            "智联", "瑞丰", "宏达", "中科", "创新", "万达"]
CN_KINDS = ["科技", "贸易", "制造", "信息技术", "医疗器械", "物流", "教育科技", "生物", "电子", "咨询"]
EN_FIRST = ["Alice", "Bob", "Carol", "David", "Emma", "Frank", "Grace", "Henry", "Irene", "Jack", "Karen", "Leo",
            "Mia", "Noah", "Olivia", "Paul", "Quinn", "Rose", "Sam", "Tina"]
EN_LAST = ["Smith", "Chen", "Wang", "Brown", "Lee", "Garcia", "Miller", "Davis", "Wilson", "Taylor", "Moore", "Clark"]
EN_WORDS = ["Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Soylent", "Tyrell",
            "Cyberdyne", "Aperture", "Massive", "Oscorp", "Pied Piper"]
EN_KINDS = ["Systems", "Logistics", "Trading", "Software", "Medical", "Foods", "Energy", "Robotics", "Media"]
INDUSTRIES = ["制造业", "互联网", "教育", "医疗", "金融", "零售", "物流", "Manufacturing", "Software", "Healthcare"]
REGIONS = ["华北", "华东", "华南", "西南", "华中", "西北", "东北", "Overseas"]
NEEDS = ["下季度采购10台服务器", "寻求CRM软件解决方案", "采购办公设备一批", "需要年度运维服务", "评估云迁移方案",
         "10 servers next quarter", "a fleet tracking system", "training for 50 staff", "扩容存储 200TB"]
PRODUCTS = ["服务器", "软件许可", "运维服务", "Storage array", "Consulting", "培训课程"]
LOST_REASONS = ["价格过高", "选择了竞争对手", "预算取消", "需求变更", "No response", "Timing", "决策人变更"]
SUMMARIES = ["电话沟通需求细节", "客户询问报价", "发送方案资料", "约定下周拜访", "Discussed pricing", "Demo went well",
             "客户表示需要内部讨论", "未接通", "Sent the proposal"]
TEAMS = ["华东一组", "华北二组", "South Team", "华南三组"]


class _Fast:
    """random.Random with cheap choice/choices (one C-level random() call each): the demo
    makes millions of picks, and random.choice's Python-level rejection loop was a fifth of the load."""

    def __init__(self, seed: int):
        self._rng = random.Random(seed)
        self.random = self._rng.random
        self.randrange = self._rng.randrange

    def choice(self, seq):
        return seq[int(self.random() * len(seq))]

    def choices(self, seq, weights):
        total = sum(weights)
        x = self.random() * total
        for item, w in zip(seq, weights):
            x -= w
            if x < 0:
                return [item]
        return [seq[-1]]


def _name(rng: random.Random, cn: bool) -> str:
    if cn:
        return rng.choice(SURNAMES) + rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.6 else "")
    return f"{rng.choice(EN_FIRST)} {rng.choice(EN_LAST)}"


def _company(rng: random.Random, cn: bool, i: int) -> str:
    if cn:
        return f"{rng.choice(CITIES)}{rng.choice(CN_WORDS)}{rng.choice(CN_KINDS)}有限公司"
    return f"{rng.choice(EN_WORDS)} {rng.choice(EN_KINDS)} {'Ltd' if rng.random() < 0.5 else 'Inc'}"


def has_data() -> bool:
    return Lead.select().exists() or User.select().where(User.role != "admin").exists()


def clear(ctx: Session) -> None:
    """Delete all business data (users, teams and leads), keeping settings and stages."""
    for model in (Change, Notification, TaskLead, Task, FollowUp, StageHistory, LeadTag, LeadShare, Lead,
                  ImportBatch, CodeCounter):
        model.delete().execute()
    User.update(team=None).execute()
    Team.delete().execute()
    User.delete().execute()
    search.install(ctx.db)


FILLED = ("lead", "stage_history", "follow_up", "task", "user", "team", "code_counter")  # the demo's big tables


def generate(ctx: Session, leads: int = 1000, reps: int = 8, seed: int = 1, force: bool = False,
             admin_login: str | None = None, progress: Callable[[int, int], None] | None = None) -> dict:
    """Fill the database; refuse a non-empty one unless ``force``. Once the database has users, only an
    admin may run it."""
    require_database_admin(ctx)
    if has_data() and not force:
        raise ServiceError(_("the database already holds data: use --force to replace it"))
    kept = Change.select().where(Change.entity != "demo").count() if force else 0
    if kept:  # the change log is the audit trail: nothing in the app erases it
        raise ServiceError(_("the database holds an audit log of {n} entries, which demo --force would erase; "
                             "load demo data into a new database file (--db)", n=kept))
    rng = _Fast(seed)
    now = ctx.now()
    now_ts = int(now.timestamp())
    stages = ctx.stage_keys
    settings = ctx.settings
    db = ctx.db
    with bulk.written_once(db, fresh=not force), db.atomic():
        paused = summary_triggers.suspended(db)  # the report's summaries: one rebuild after the load, not per row
        paused.__enter__()
        if force:
            clear(ctx)
        search.suspend(db)
        seen_off = bulk.triggers_off(db, {"stage_history": ["stage_history_seen", "stage_history_lead_copy"]})
        seen_off.__enter__()
        deferred = bulk.indexes_deferred(db, ["lead", "stage_history", "follow_up", "task"])
        deferred.__enter__()
        # ---- people
        admin = admin_login or "admin"
        existing = User.get_or_none(User.login == admin)
        uid = existing.id if existing else User.insert(login=admin, name=admin, role="admin",
                                                       created_at=now_ts).execute()
        if existing and existing.role != "admin":
            User.update(role="admin").where(User.id == uid).execute()
        taken = {u.login for u in User.select(User.login)}

        def fresh(login: str) -> str:
            while login in taken:
                login += "x"
            taken.add(login)
            return login

        team_ids, rep_ids, team_of = [], [], {}
        n_teams = max(1, min(len(TEAMS), (reps + 3) // 4))
        for t in range(n_teams):
            tid = Team.insert(name=TEAMS[t]).execute()
            team_ids.append(tid)
            sup = User.insert(login=fresh(f"sup{t + 1}"), name=_name(rng, t % 2 == 0) + "(主管)", role="supervisor",
                              team=tid, created_at=now_ts).execute()
            Team.update(supervisor_id=sup).where(Team.id == tid).execute()
        for r in range(reps):
            tid = team_ids[r % n_teams]
            rid = User.insert(login=fresh(f"rep{r + 1}"), name=_name(rng, r % 3 != 2), role="rep", team=tid,
                              created_at=now_ts).execute()
            rep_ids.append(rid)
            team_of[rid] = tid
        owners = rep_ids or [uid]
        # ---- leads
        first_lead = (Lead.select(Lead.id).order_by(Lead.id.desc()).scalar() or 0) + 1
        first_task = (Task.select(Task.id).order_by(Task.id.desc()).scalar() or 0) + 1
        lead_rows, hist_rows, fu_rows, task_rows = [], [], [], []
        counters: dict[tuple[str, str], int] = {}
        src_keys = list(SOURCES)
        stage_weights = [40, 28, 20, 12][:len(stages)] + [10] * max(0, len(stages) - 4)
        stage_bits = {k: 1 << i for k, i in db.execute_sql("SELECT key, id FROM stage") if i < 63}
        seen_upto = [0] * len(stages)  # the bits of the stages a lead that reached stage s walked through
        for s_ in range(len(stages)):
            seen_upto[s_] = (seen_upto[s_ - 1] if s_ else 0) | stage_bits.get(stages[s_], 0)
        loaded = 0
        lead_cols = ("id", "code", "company", "contact_name", "title", "phone", "phone_rev", "email", "source",
                     "industry", "company_size", "region", "first_contact_at", "need", "owner_id", "priority",
                     "amount_cents", "expected_close_date", "stage", "status", "stage_entered_at",
                     "last_activity_at", "next_follow_up_at", "plan_until", "stay_reason", "incomplete", "escalated",
                     "dup_suspected", "won_amount_cents", "product", "won_at", "lost_reason", "lost_at",
                     "wake_up_at", "pause_reason", "missed_calls", "created_at", "updated_at", "assigned_at",
                     "version", "pinyin", "stages_seen")
        # the history's lead copies (schema v5) and lead.stages_seen are written here: their triggers have
        # nothing to do, and are off meanwhile
        hist_cols = ("lead_id", "stage", "entered_at", "left_at", "user_id", "reason", "lead_owner_id",
                     "lead_created_at", "lead_batch_id")
        fu_cols = ("lead_id", "user_id", "at", "method", "reached", "summary", "sentiment", "next_at")
        task_cols = ("id", "lead_id", "owner_id", "kind", "title", "priority", "due_at", "remind_minutes", "status",
                     "created_at")
        # each name's pinyin once: the demo draws its 1M names from ~85k (3,000 companies, 82,000 contacts), more
        # than spelling's own cache holds, which made it read most of them afresh (~60 s of a 1M demo)
        known: dict[str, str] = {}

        def spelled(*names: str) -> str | None:  # spelling(*names), each name's part remembered
            for n in names:
                if n not in known:
                    known[n] = spelling(n) or ""
            return " ".join(known[n] for n in names if known[n]) or None

        methods = ["phone", "phone", "phone", "wechat", "visit", "email", "meeting"]
        sentiments = ["positive", "neutral", "hesitant", "resistant"]

        # the rows of one batch are written while the next batch is generated (PostgreSQL; SQLite: in turn)
        writer = bulk.BackgroundWriter(db)

        def flush(final: bool = False) -> None:
            nonlocal lead_rows, hist_rows, fu_rows, task_rows
            if len(lead_rows) >= 20000 or final:
                batches = [("lead", lead_cols, lead_rows), ("stage_history", hist_cols, hist_rows),
                           ("follow_up", fu_cols, fu_rows), ("task", task_cols, task_rows)]
                writer.submit(batches)
                if final:
                    writer.wait()
                lead_rows, hist_rows, fu_rows, task_rows = [], [], [], []
                if progress:
                    progress(loaded, leads)

        task_id = first_task
        # rule 2 has run all along: a pending lead assigned longer ago than that is flagged already (else the
        # first app start escalates a backlog of them, 1000 notifications at a time)
        escalated_before = now_ts - settings.escalate_after_days * 86400
        tz = ctx.tz
        tz_offset = int(now.astimezone(tz).utcoffset().total_seconds())
        days: dict[int, datetime] = {}
        day_strs: dict[int, str] = {}
        custom_pattern = settings.code_pattern != "{SOURCE}-{YYYYMMDD}-{SEQ:03}"

        def day_str(day_no: int, day: datetime) -> str:
            text = day_strs.get(day_no)
            if text is None:
                text = day_strs[day_no] = day.strftime("%Y%m%d")
            return text

        try:
            for i in range(leads):
                lid = first_lead + i
                cn = rng.random() < 0.7
                created = now_ts - int(rng.random() * 180 * 86400) - 3600
                source = rng.choice(src_keys)
                day_no = (created + tz_offset) // 86400
                day = days.get(day_no)
                if day is None:
                    # local calendar day at this moment's offset: one date string per day_no
                    day = days[day_no] = datetime(1970, 1, 1) + timedelta(days=day_no)
                key = (source, day_no)
                counters[key] = counters.get(key, 0) + 1
                code = lead_code(settings.code_pattern, source, day, counters[key]) if custom_pattern else \
                    f"{source.upper()}-{day_str(day_no, day)}-{counters[key]:03d}"
                owner = rng.choice(owners)
                prio = rng.choices(["high", "medium", "low"], [2, 5, 3])[0]
                roll = rng.random()
                status = ("won" if roll < .15 else "lost" if roll < .25 else "dormant" if roll < .30 else
                          "paused" if roll < .33 else "pending" if roll < .45 else "in_progress")
                if status == "won":
                    reached = len(stages) - 1
                elif status == "pending":
                    reached = 0
                else:
                    reached = rng.choices(range(len(stages)), stage_weights)[0]
                # stage walk
                t = created
                span = max(3600, now_ts - created)
                enter_times = []
                for s in range(reached + 1):
                    enter_times.append(t)
                    t = t + int(rng.random() * span / (reached + 2))
                stage = stages[reached]
                for s in range(reached + 1):
                    left = enter_times[s + 1] if s < reached else None
                    hist_rows.append((lid, stages[s], enter_times[s], left, owner, None, owner, created, None))
                stage_entered = enter_times[-1]
                if rng.random() < 0.25 and status in ("in_progress", "pending"):  # some that sit long
                    stage_entered = min(stage_entered, now_ts - int((8 + rng.random() * 20) * 86400))
                    stage_entered = max(stage_entered, created)
                    hist_rows[-1] = (lid, stage, stage_entered, None, owner, None, owner, created, None)
                amount = None if rng.random() < 1 / 7 else rng.randrange(5, 500) * 100000
                won_amt = product = won_at = lost_reason = lost_at = wake = pause = None
                first_contact = None if status == "pending" else created + int(rng.random() * 2 * 86400)
                end = now_ts
                if status == "won":
                    won_at = min(now_ts - 60, stage_entered + int(rng.random() * 20 * 86400))
                    won_amt = amount or rng.randrange(10, 300) * 100000
                    product = rng.choice(PRODUCTS)
                    hist_rows[-1] = (lid, stage, stage_entered, won_at, owner, None, owner, created, None)
                    hist_rows.append((lid, "won", won_at, None, owner, None, owner, created, None))
                    end = won_at
                elif status == "lost":
                    lost_at = min(now_ts - 60, stage_entered + int(rng.random() * 20 * 86400))
                    lost_reason = rng.choice(LOST_REASONS)
                    hist_rows[-1] = (lid, stage, stage_entered, lost_at, owner, None, owner, created, None)
                    hist_rows.append((lid, "lost", lost_at, None, owner, None, owner, created, None))
                    end = lost_at
                elif status == "dormant":
                    wake = now_ts + int(rng.random() * 60 * 86400)
                elif status == "paused":
                    pause = rng.choice(["客户预算冻结", "Waiting for budget", "项目延期"])
                if first_contact is not None:  # never after the lead was won or lost, nor later than now
                    first_contact = min(first_contact, end)
                # follow-ups
                last_act = first_contact
                n_fu = 0 if status == "pending" else rng.choice([1, 1, 2, 2, 3])
                missed = 0
                for k in range(n_fu):
                    at = (first_contact or created) + int((end - (first_contact or created)) * (k + 1) / (n_fu + 1))
                    ok = rng.random() > 0.2
                    missed = 0 if ok else missed + 1
                    fu_rows.append((lid, owner, at, rng.choice(methods), ok, rng.choice(SUMMARIES),
                                    rng.choice(sentiments) if ok else None, None))
                    last_act = at
                # next task
                next_due = None
                if status in ("pending", "in_progress"):
                    r = rng.random()
                    if r < 0.15:
                        next_due = now_ts - int((0.1 + rng.random() * 6) * 86400)
                    elif r < 0.25:
                        _start, tomorrow = rules_day(ctx, now)
                        next_due = now_ts + int(rng.random() * max(60, tomorrow - now_ts - 60))
                    elif r < 0.92:
                        next_due = now_ts + int((1 + rng.random() * 13) * 86400)
                    kind = "first_contact" if status == "pending" else "follow_up"
                    if status == "pending" and next_due is None:
                        next_due = int(first_contact_due(now - timedelta(seconds=now_ts - created), prio,
                                                         settings).timestamp())
                    if next_due is not None:
                        task_rows.append((task_id, lid, owner, kind, N_("First contact") if kind == "first_contact"
                                          else N_("Follow up"), prio, next_due, 15, "open", created))
                        task_id += 1
                elif status in ("paused", "dormant") and rng.random() < 0.7:
                    next_due = wake or now_ts + int((3 + rng.random() * 20) * 86400)
                    task_rows.append((task_id, lid, owner, "wake_up" if status == "dormant" else "follow_up",
                                      N_("Wake up") if status == "dormant" else N_("Follow up"), prio, next_due, 15,
                                      "open", created))
                    task_id += 1
                phone = f"+861{rng.choice('3456789')}{(lid * 7919 + seed * 104729) % 1000000000:09d}"
                email = (f"{code.lower().replace('-', '.')}@example.com" if rng.random() < 0.4 else None)
                company, contact = _company(rng, cn, i), _name(rng, cn)
                lead_rows.append((
                    lid, code, company, contact, rng.choice([None, "经理", "采购主管", "CTO", "总监"]),
                    phone, search.reversed_digits(phone), email, source, rng.choice(INDUSTRIES),
                    rng.choice(["1-50", "50-200", "200-1000", "1000+", None]), rng.choice(REGIONS), first_contact,
                    rng.choice(NEEDS), owner, prio, amount,
                    (datetime.fromordinal(day.toordinal() + rng.randrange(20, 120))).strftime("%Y-%m-%d"),
                    stage, status, stage_entered, last_act, next_due, next_due, None, "",
                    status == "pending" and created <= escalated_before, False, won_amt, product, won_at,
                    lost_reason, lost_at, wake, pause, missed, created, now_ts, created, 1, spelled(company, contact),
                    seen_upto[reached] | (stage_bits.get(status, 0) if status in ("won", "lost") else 0)))
                loaded += 1
                flush()
            flush(final=True)
        finally:
            writer.close()
        for (source, day_no), n in counters.items():
            day = day_str(day_no, days[day_no])
            prefix = settings.code_pattern.split("{SEQ", 1)[0].format(
                SOURCE=source.upper(), source=source, YYYYMMDD=day, YYYY=day[:4], MM=day[4:6], DD=day[6:])
            CodeCounter.insert(prefix=prefix, last=n).on_conflict(
                conflict_target=[CodeCounter.prefix], update={CodeCounter.last: n}).execute()
        deferred.__exit__(None, None, None)
        bulk.reset_sequences(db, ["lead", "task"])
        search.resume(db, rebuild=True)
        seen_off.__exit__(None, None, None)
        paused.__exit__(None, None, None)
        changes.record(ctx, "demo", None, "load", {"leads": [None, leads], "reps": [None, reps], "seed": [None, seed]},
                       user_id=uid)
    if not ctx.is_postgres:
        db.execute_sql("PRAGMA analysis_limit = 2000")  # sampled statistics: enough for the planner, fast at 1M
    # the tables it filled only (a bare ANALYZE reads every schema on PostgreSQL; on SQLite, statistics of the change
    # log taken while it held one entry told the planner it stays that small, and every live poll and batch undo,
    # `id > ?` in id order, scanned the whole log)
    for table in FILLED:
        db.execute_sql(f'ANALYZE "{table}"')
    return {"leads": leads, "reps": reps, "teams": len(team_ids), "admin": admin}


def rules_day(ctx: Session, now):
    from ...domain.rules import day_bounds

    start, tomorrow = day_bounds(now, ctx.tz)
    return int(start.timestamp()), int(tomorrow.timestamp())


__all__ = ["generate", "clear", "has_data", "ALL_MODELS"]
