"""``db restore`` keeps the audit log: the current change log's entries that a backup lacks are appended to
the restored one, then a ``restore`` entry (PRODUCT §7: the change log is append-only; a restore must not
be a way to erase who revealed what).

Works on two plain sqlite3 connections: ``current`` (the database being replaced) and ``staged`` (a private
copy of the backup, which then replaces it in one step).
"""
from __future__ import annotations

import json
import sqlite3

COLUMNS = "id, at, user_id, entity, entity_id, lead_id, action, diff"
PAGE = 5000


def merge(current: sqlite3.Connection, staged: sqlite3.Connection, login: str | None, now: int,
          file_name: str) -> int:
    """Append to ``staged``'s change log every entry of ``current``'s that it does not hold (same id, time,
    user, what and values), then the restore entry by ``login``. An entry keeps its user and lead when the
    backup knows them (by login and by lead code); when not, it names them (``by``, ``lead_code``) so the
    audit still says who did what to which lead. Returns how many entries were appended (the restore entry
    not counted)."""
    cur_logins = dict(current.execute('SELECT id, login FROM "user"'))
    new_logins = dict(staged.execute('SELECT id, login FROM "user"'))
    new_users = {lg: uid for uid, lg in new_logins.items()}
    codes: dict[int, str | None] = {}
    kept, last = 0, None
    while True:
        page = current.execute(f'SELECT {COLUMNS} FROM "change" WHERE id > ? ORDER BY id LIMIT ?',
                               (-1 if last is None else last, PAGE)).fetchall()
        if not page:
            break
        last = page[-1][0]
        theirs = {r[0]: r for r in staged.execute(f'SELECT {COLUMNS} FROM "change" WHERE id BETWEEN ? AND ?',
                                                  (page[0][0], last))}
        for row in page:
            other = theirs.get(row[0])
            if other is not None and _same(row, other, cur_logins, new_logins):
                continue
            _append(current, staged, row, cur_logins, new_users, codes)
            kept += 1
    who = new_users.get(login)
    diff = {"file": file_name, "entries_kept": kept}
    if who is None and login:
        diff["by"] = login
    staged.execute('INSERT INTO "change" (at, user_id, entity, entity_id, lead_id, action, diff) '
                   "VALUES (?, ?, 'database', NULL, NULL, 'restore', ?)", (now, who, json.dumps(diff)))
    return kept


def _same(row, other, cur_logins: dict, new_logins: dict) -> bool:
    """The same entry: everything equal, the user compared by login."""
    return (row[1], row[3], row[4], row[5], row[6], row[7]) == (other[1], other[3], other[4], other[5],
                                                                 other[6], other[7]) \
        and cur_logins.get(row[2]) == new_logins.get(other[2])


def _append(current, staged, row, cur_logins: dict, new_users: dict, codes: dict) -> None:
    _id, at, user_id, entity, entity_id, lead_id, action, diff_text = row
    try:
        diff = json.loads(diff_text or "{}")
    except ValueError:
        diff = {"diff": diff_text}
    if not isinstance(diff, dict):
        diff = {"diff": diff}
    login = cur_logins.get(user_id)
    new_user = new_users.get(login) if login else None
    if login and new_user is None:
        diff.setdefault("by", login)
    new_lead = None
    if lead_id is not None:
        if lead_id not in codes:
            got = current.execute('SELECT code FROM "lead" WHERE id = ?', (lead_id,)).fetchone()
            codes[lead_id] = got[0] if got else None
        code = codes[lead_id]
        if code is not None:
            got = staged.execute('SELECT id FROM "lead" WHERE code = ?', (code,)).fetchone()
            new_lead = got[0] if got else None
            if new_lead is None:
                diff.setdefault("lead_code", code)
    staged.execute('INSERT INTO "change" (at, user_id, entity, entity_id, lead_id, action, diff) '
                   "VALUES (?, ?, ?, ?, ?, ?, ?)", (at, new_user, entity, entity_id, new_lead, action,
                                                    json.dumps(diff, ensure_ascii=False)))
