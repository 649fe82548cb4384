"""First screen: the time from starting ``tui-crm`` in a terminal until the list shows its
first page, beside a bare Textual app that shows one line (the baseline), in the same run.

    python bench/bench_start.py [--db /tmp/k1.db --db /tmp/m1.db] [--runs 5] [--user root] [--compare TREE]
                                [--callgrind [--keep DIR]]

Each run starts every program in a fresh tmux server (140x40) and polls the pane until the
marker is on screen: a lead code (SOURCE-YYYYMMDD-NNN) for tui-crm, the line ``ready`` for the
baseline. Runs are interleaved so load changes hit all alike. Prints JSON with the medians, the
ratio to the baseline, and the machine's load average.

``--callgrind``: instead of timing, counts the instructions each program runs from its start to its first
paint, whatever the machine's load (valgrind's callgrind, once each, in tmux: bench/paint_probe.py ends the
process when the terminal is handed the frame holding the marker); ``--keep DIR`` keeps callgrind's files for
``callgrind_annotate --inclusive=yes``.
"""
from __future__ import annotations

import argparse
import itertools
import json
import os
import re
import shlex
import statistics
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
BARE = '''
from textual.app import App
from textual.widgets import Static


class Bare(App):
    def compose(self):
        yield Static("ready")


Bare().run()
'''
_RUN = itertools.count()
CODE = re.compile(r"[A-Z]+-\d{8}-\d{3}")


def _tui_crm() -> str:
    exe = os.path.join(os.path.dirname(sys.executable), "tui-crm")
    return exe if os.path.exists(exe) else "tui-crm"


def first_screen(command: str, marker, timeout: float = 60.0) -> float:
    """Seconds from launching COMMAND in a new tmux server until MARKER matches the pane."""
    sock = f"bench-start-{os.getpid()}-{next(_RUN)}"  # a server per run: a dying one refuses new sessions
    tmux = ["tmux", "-L", sock]
    t0 = time.perf_counter()
    subprocess.run(tmux + ["new-session", "-d", "-x", "140", "-y", "40", command], check=True)
    try:
        while time.perf_counter() - t0 < timeout:
            pane = subprocess.run(tmux + ["capture-pane", "-p", "-t", "0"], capture_output=True,
                                  text=True).stdout
            if marker(pane):
                return time.perf_counter() - t0
            time.sleep(0.005)
        raise TimeoutError(f"nothing on screen after {timeout}s: {command}")
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)


def instructions(probe_args: list[str], out: str, env: str = "", timeout: float = 900.0) -> int:
    """Instructions run by ``paint_probe.py PROBE_ARGS`` under callgrind in a new tmux server (140x40)."""
    sock = f"bench-start-cg-{os.getpid()}-{next(_RUN)}"
    tmux = ["tmux", "-L", sock]
    probe = os.path.join(HERE, "paint_probe.py")
    command = (f"{env}valgrind --tool=callgrind --callgrind-out-file={shlex.quote(out)} "
               f"{shlex.quote(sys.executable)} {shlex.quote(probe)} {shlex.join(probe_args)} 2>{shlex.quote(out)}.log")
    subprocess.run(tmux + ["new-session", "-d", "-x", "140", "-y", "40", command], check=True)
    t0 = time.perf_counter()
    try:
        while subprocess.run(tmux + ["has-session"], capture_output=True).returncode == 0:
            if time.perf_counter() - t0 > timeout:
                raise TimeoutError(f"still running after {timeout}s: {command}")
            time.sleep(0.2)
    finally:
        subprocess.run(tmux + ["kill-server"], capture_output=True)
    with open(out) as f:
        for line in f:
            if line.startswith("summary:"):
                return int(line.split()[1])
    raise RuntimeError(f"no callgrind summary in {out}: see {out}.log")


def count_instructions(a, dbs: list[str]) -> dict:
    keep = a.keep or tempfile.mkdtemp(prefix="bench-start-cg-")
    os.makedirs(keep, exist_ok=True)
    load_before = load()
    counts = {"bare_textual": instructions(["bare"], os.path.join(keep, "callgrind.bare"))}
    for db in dbs:
        name = os.path.basename(db)
        crm = ["crm", "--db", db, "--user", a.user]
        counts[name] = instructions(crm, os.path.join(keep, f"callgrind.{name}"))
        if a.compare:
            counts[f"{name} ({a.compare})"] = instructions(
                crm, os.path.join(keep, f"callgrind.{name}.compare"), f"env PYTHONPATH={shlex.quote(a.compare)} ")
    base = counts["bare_textual"]
    return {"bench": "first_screen_instructions", "load_before": load_before, "load_after": load(),
            "baseline_bare_textual_instructions": base, "callgrind_files": keep,
            "figures": {name: {"instructions": n, "ratio_to_bare": round(n / base, 2)}
                        for name, n in counts.items() if name != "bare_textual"}}


def load() -> str:
    return " ".join(f"{x:.1f}" for x in os.getloadavg())


def main(argv=None) -> dict:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--db", action="append", help="database(s) to open (repeat); default /tmp/k1.db")
    p.add_argument("--user", default="root")
    p.add_argument("--runs", type=int, default=5)
    p.add_argument("--compare", metavar="TREE", help="also time another checkout of tui-crm (e.g. main's worktree)")
    p.add_argument("--callgrind", action="store_true", help="count instructions to the first paint instead")
    p.add_argument("--keep", metavar="DIR", help="with --callgrind: keep callgrind's files in DIR")
    a = p.parse_args(argv)
    dbs = a.db or ["/tmp/k1.db"]
    # as installed (pip writes .pyc files): an editable checkout under PYTHONDONTWRITEBYTECODE would
    # compile every module on every start and measure the compiler instead
    import compileall

    compileall.compile_dir(os.path.join(HERE, "..", "tui_crm"), quiet=1)
    if a.compare:
        compileall.compile_dir(os.path.join(a.compare, "tui_crm"), quiet=1)
    if a.callgrind:
        out = count_instructions(a, dbs)
        print(json.dumps(out, indent=1))
        return out
    with tempfile.TemporaryDirectory() as tmp:
        bare = os.path.join(tmp, "bare.py")
        with open(bare, "w") as f:
            f.write(BARE)
        programs = {"bare_textual": (f"{shlex.quote(sys.executable)} {bare}", lambda s: "ready" in s)}
        for db in dbs:
            cmd = f"{shlex.quote(_tui_crm())} --db {shlex.quote(db)} --user {shlex.quote(a.user)}"
            programs[os.path.basename(db)] = (cmd, lambda s: CODE.search(s) is not None)
            if a.compare:
                other = (f"env PYTHONPATH={shlex.quote(a.compare)} {shlex.quote(sys.executable)} -m tui_crm "
                         f"--db {shlex.quote(db)} --user {shlex.quote(a.user)}")
                programs[f"{os.path.basename(db)} ({a.compare})"] = (other, lambda s: CODE.search(s) is not None)
        times: dict[str, list[float]] = {k: [] for k in programs}
        load_before = load()
        first_screen(programs["bare_textual"][0], programs["bare_textual"][1])  # warm the file cache
        for _ in range(a.runs):
            for name, (cmd, marker) in programs.items():
                times[name].append(first_screen(cmd, marker))
    base = statistics.median(times["bare_textual"])
    out = {"bench": "first_screen", "runs": a.runs, "load_before": load_before, "load_after": load(),
           "baseline_bare_textual_s": round(base, 3),
           "figures": {name: {"median_s": round(statistics.median(v), 3), "min_s": round(min(v), 3),
                              "ratio_to_bare": round(statistics.median(v) / base, 2)}
                       for name, v in times.items() if name != "bare_textual"},
           "samples_s": {k: [round(x, 3) for x in v] for k, v in times.items()}}
    print(json.dumps(out, indent=1))
    return out


if __name__ == "__main__":
    main()
