"""The rows of an import into PostgreSQL are converted on a thread of their own ahead of the writer
(services/importing/read.converted_ahead): in the file's order, a failure of the converter raised where the
writer reads, a writer that stops early (an error of its own) stops the thread before it goes on, and the GIL
changes hands in short turns while the thread runs (tui_crm/threads.py)."""
from __future__ import annotations

import sys
import threading

import pytest

from tui_crm import threads
from tui_crm.services.importing.read import converted, converted_ahead, open_table


def _csv(tmp_path, n: int) -> str:
    path = tmp_path / "rows.csv"
    path.write_text("Company,Phone\n" + "".join(f"Co {i},139{i:08d}\n" for i in range(n)), encoding="utf-8")
    return str(path)


def _readers() -> list:
    return [t for t in threading.enumerate() if t.name == "import-reader"]


def test_the_parts_come_in_the_files_order_as_without_the_thread(tmp_path):
    path = _csv(tmp_path, 2600)
    convert = lambda line, cells: (line, cells[0])  # noqa: E731
    plain = open_table(path)
    ahead = open_table(path)
    try:
        assert [p for p, _pos in converted_ahead(ahead, convert, depth=2)] == [p for p, _pos in converted(plain, convert)]
    finally:
        plain.close()
        ahead.close()
    assert _readers() == []


def test_a_failing_conversion_is_raised_to_the_writer(tmp_path):
    table = open_table(_csv(tmp_path, 1200))

    def convert(line, cells):
        if cells[0] == "Co 777":
            raise ValueError("cell 777 is bad")
        return cells[0]

    got = []
    with pytest.raises(ValueError, match="cell 777 is bad"):
        for part, _pos in converted_ahead(table, convert):
            got.extend(part)
    table.close()
    assert got == [f"Co {i}" for i in range(500)]  # the whole parts before the failing one, nothing after
    assert _readers() == []


def test_a_writer_that_stops_early_stops_the_reader(tmp_path):
    table = open_table(_csv(tmp_path, 20000))
    converted_rows = []

    def convert(line, cells):
        converted_rows.append(line)
        return line

    parts = converted_ahead(table, convert, depth=2)
    next(parts)
    parts.close()  # the writer failed: the generator is closed
    assert _readers() == []
    seen = len(converted_rows)
    table.close()
    assert seen < 20000 and len(converted_rows) == seen  # it stopped, and stays stopped


def test_the_gil_changes_hands_in_short_turns_while_the_reader_runs_and_as_before_after(tmp_path):
    """A writer's statement waited up to the switch interval (5 ms) to take the GIL back from the converter."""
    before = sys.getswitchinterval()
    table = open_table(_csv(tmp_path, 3000))
    seen = []
    for _part, _pos in converted_ahead(table, lambda line, cells: line, depth=2):
        seen.append(sys.getswitchinterval())
    table.close()
    assert seen and max(seen) <= threads.SHORT_TURN < before
    assert sys.getswitchinterval() == before
    table = open_table(_csv(tmp_path, 20000))
    parts = converted_ahead(table, lambda line, cells: line, depth=2)
    next(parts)
    assert sys.getswitchinterval() <= threads.SHORT_TURN
    parts.close()  # stopped early: put back too
    table.close()
    assert sys.getswitchinterval() == before


def test_short_turns_nest_and_the_last_holder_puts_the_interval_back():
    before = sys.getswitchinterval()
    with threads.short_turns():
        with threads.short_turns():
            assert sys.getswitchinterval() <= threads.SHORT_TURN
        assert sys.getswitchinterval() <= threads.SHORT_TURN  # the outer holder still runs
    assert sys.getswitchinterval() == before
    with pytest.raises(RuntimeError):
        with threads.short_turns():
            raise RuntimeError("a failing import")
    assert sys.getswitchinterval() == before
