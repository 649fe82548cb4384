"""``t`` on a lead (list row, detail, board card): its tags in one field, as they are; saving adds the new
ones and removes the ones taken out (the tags service writes one audited entry). Tags split on , ; ， ； 、."""
from __future__ import annotations

from ..domain.tags import split_tags
from ..i18n import _, get_lang
from ..services.leads import tags
from .form_base import Field, FormScreen

TAGS_LIMIT = 1000


class TagForm(FormScreen):
    LIMITS = {"tags": TAGS_LIMIT}

    def __init__(self, ctx, lead):
        self.lead = lead
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("Tags: {code} {company}", code=self.lead.code, company=self.lead.company)

    def make_fields(self):
        joined = ("，" if get_lang() == "zh" else ", ").join(self.lead.tags or [])
        return [Field("tags", _("tags"), joined, _("split by , ; 、 · empty: no tags"))]

    def check(self, v):
        return {"tags": split_tags(v["tags"])}, {}

    async def save(self, c):
        old, new = list(self.lead.tags or []), c["tags"]
        add = [t for t in new if t not in old]
        remove = [t for t in old if t not in new]
        if add or remove:
            await self.app.write(tags.tag_leads, self.ctx, [self.lead.id], add, remove)
        return True
