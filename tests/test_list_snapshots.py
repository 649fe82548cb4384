"""Snapshots of the list, the detail and the queue at 80x24 and 140x40 (fixed clock, seeded data)."""
from __future__ import annotations

import pytest

from rep_fixtures import app_for, seed
from tui_helpers import settle

SIZES = [(80, 24), (140, 40)]


@pytest.fixture
def url(sqlite_url):
    seed(sqlite_url)
    return sqlite_url


def settle_then(*keys):
    async def run_before(pilot):
        await settle(pilot.app)
        for key in keys:
            await pilot.press(key)
            await settle(pilot.app)
        await pilot.pause()

    return run_before


@pytest.mark.parametrize("size", SIZES)
def test_list_snapshot(url, size, snap_compare):
    assert snap_compare(app_for(url, tick_seconds=0), terminal_size=size, run_before=settle_then())


@pytest.mark.parametrize("size", SIZES)
def test_detail_snapshot(url, size, snap_compare):
    assert snap_compare(app_for(url, tick_seconds=0), terminal_size=size, run_before=settle_then("enter"))


@pytest.mark.parametrize("size", SIZES)
def test_queue_snapshot(url, size, snap_compare):
    assert snap_compare(app_for(url, tick_seconds=0), terminal_size=size, run_before=settle_then("2"))
