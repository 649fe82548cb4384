"""Schema v12 (team operations): team settings, assignment and auto-tag rules, the assignments the rules made,
and a task's sentiment change. Its own module: store/schema.py holds the steps before it."""
from __future__ import annotations

import peewee as pw

from .models import AssignmentRule, AutoTagRule, LeadAssignment
from . import migrating

NEW_TABLES = (AssignmentRule, AutoTagRule, LeadAssignment)


def step_12(db: pw.Database) -> None:
    """v12: ``team.settings`` (the team's own rule numbers), ``task.sentiment_before/after``, and the tables
    ``assignment_rule``, ``auto_tag_rule`` and ``lead_assignment``."""
    migrator = migrating.migrator(db)
    ops = []
    if "settings" not in {c.name for c in db.get_columns("team")}:
        ops.append(migrator.add_column("team", "settings", pw.TextField(null=True)))
    task_cols = {c.name for c in db.get_columns("task")}
    for col in ("sentiment_before", "sentiment_after"):
        if col not in task_cols:
            ops.append(migrator.add_column("task", col, pw.CharField(max_length=16, null=True)))
    if ops:
        migrating.migrate(*ops)
    db.create_tables(NEW_TABLES, safe=True)
