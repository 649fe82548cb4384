"""``s`` on the detail: share the lead with a colleague (a collaborator sees it, logs on it and sees its contacts
unmasked), or stop sharing it with ``-login``; ``leads.share`` checks that the user may (owner, supervisor,
admin) and writes the audited entry."""
from __future__ import annotations

from ..domain import limits
from ..i18n import _
from ..services import leads
from .form_base import Field, FormScreen


class ShareForm(FormScreen):
    LIMITS = {"login": limits.NAME}

    def __init__(self, ctx, lead):
        self.lead = lead
        super().__init__(ctx)

    def title_text(self) -> str:
        return _("Share {code} {company} with", code=self.lead.code, company=self.lead.company)

    def make_fields(self):
        return [Field("login", _("colleague (login)"), "", _("-login stops sharing with them"))]

    def check(self, v):
        login = v["login"].strip()
        remove = login.startswith("-")
        login = login.lstrip("-").strip()
        return {"login": login, "remove": remove}, ({} if login else {"login": _("required")})

    async def save(self, c):
        changed = await self.app.write(leads.share, self.ctx, self.lead.id, c["login"], remove=c["remove"])
        if not changed:
            self.app.notify(_("nothing changed: {login} was already so", login=c["login"]))
        return True
