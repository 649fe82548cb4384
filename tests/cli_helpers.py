"""Run the real `tui-crm` command in a subprocess with a fixed clock."""
from __future__ import annotations

import json
import os
import subprocess
import sys

NOW_ENV = "2024-11-01T10:00:00+08:00"


def run(*args, user="boss", db=None, env=None, check=None):
    e = dict(os.environ)
    e.update({"TUI_CRM_NOW": NOW_ENV, "TZ": "Asia/Shanghai", "LANG": "en_US.UTF-8"})
    e.pop("TUI_CRM_DB", None)
    if env:
        e.update(env)
    cmd = [sys.executable, "-m", "tui_crm"]
    if db:
        cmd += ["--db", db]
    if user:
        cmd += ["--user", user]
    proc = subprocess.run(cmd + list(args), capture_output=True, text=True, env=e, timeout=300)
    if check is not None:
        assert proc.returncode == check, (proc.returncode, proc.stdout, proc.stderr)
    return proc


def run_json(*args, **kw):
    proc = run(*args, check=0, **kw)
    return json.loads(proc.stdout)
