"""What the lead list's table (widgets/lead_table.py) asks for: pages by key or offset and the count, read on the
app's database threads with the list's current query, and the wording of a row's due date and stage."""
from __future__ import annotations

from ..services.leads import pages
from ..wording import due_text, stage_label


class ListLoader:
    """What the table asks for, answered on the database thread; `screen` is the list (its app and `list_query`)."""

    def __init__(self, screen):
        self.screen = screen

    @property
    def app(self):
        return self.screen.app

    async def after(self, key, n):
        return await self.app.db(pages.after, self.app.ctx, self.screen.list_query, key, n)

    async def before(self, key, n):
        return await self.app.db(pages.before, self.app.ctx, self.screen.list_query, key, n)

    async def at(self, offset, n):
        return await self.app.db(pages.at_offset, self.app.ctx, self.screen.list_query, offset, n)

    async def count(self):
        return await self.app.db_side(pages.count, self.app.ctx, self.screen.list_query)

    def key(self, view):
        return pages.key_of(self.screen.list_query, view)

    def due_text(self, view):
        return due_text(self.app.ctx, view)

    def stage_label(self, key):
        return stage_label(self.app.ctx, key)
