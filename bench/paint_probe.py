"""A start-up that ends right after its first paint, for instruction counts (``bench_start.py --callgrind``).

    python bench/paint_probe.py bare
    python bench/paint_probe.py crm --db DB --user boss [tui-crm's other options]

Run in a terminal (tmux). ``bare`` is bench_start's baseline, a Textual app that shows one line; ``crm`` is
``tui-crm`` as a user starts it (its command line's ``main``: language, parser, session, the TUI). Both end
with ``os._exit(0)`` at the moment the terminal driver is handed the first frame that holds their marker (the
line ``ready``; a lead code, SOURCE-YYYYMMDD-NNN), the same marker bench_start's tmux poll waits for: what is
counted is the start to the first paint, not the way out. Nothing of tui-crm is changed but that one write.
With ``PAINT_PROBE_PROFILE=FILE`` in the environment, the main thread runs under cProfile and its statistics
are written to FILE just before the exit.
"""
from __future__ import annotations

import os
import re
import sys

CODE = re.compile(r"[A-Z]+-\d{8}-\d{3}")
PROFILE = None


def exit_on_marker(seen) -> None:
    """End the process when the terminal driver writes a frame that ``seen(text)`` recognises."""
    from textual.drivers.linux_driver import LinuxDriver

    write = LinuxDriver.write

    def probe_write(self, data: str) -> None:
        write(self, data)
        if seen(data):
            if PROFILE is not None:
                PROFILE.disable()
                PROFILE.dump_stats(os.environ["PAINT_PROBE_PROFILE"])
            os._exit(0)

    LinuxDriver.write = probe_write


def bare() -> None:
    from textual.app import App
    from textual.widgets import Static

    class Bare(App):
        def compose(self):
            yield Static("ready")

    exit_on_marker(lambda text: "ready" in text)
    Bare().run()


def crm(argv: list[str]) -> int:
    from tui_crm.cli import main

    exit_on_marker(lambda text: CODE.search(text) is not None)
    return main(argv)


if __name__ == "__main__":
    if os.environ.get("PAINT_PROBE_PROFILE"):
        import cProfile

        PROFILE = cProfile.Profile()
        PROFILE.enable()
    if sys.argv[1:2] == ["bare"]:
        bare()
    else:
        raise SystemExit(crm(sys.argv[2:]))
