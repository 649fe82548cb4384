"""Administration (``6``; admins, and supervisors for what their team's services allow them): users, teams,
stages, assignment rules (in the order they are tried; the dry run over the last 50 leads), auto-tag rules,
and the pick lists: sources and lost reasons (admin_lists). ``[`` / ``]`` switch section; ``n`` adds,
``enter`` / ``e`` edits, ``d`` deactivates a user (with handover) or removes a rule, a source or a reason,
``r`` retires or restores a source, ``J`` / ``K`` move a rule, a source or a reason down / up, ``y`` runs the
rules' dry run. Every change goes through
an admin service, which checks the actor and writes the audit entry; a refusal is said in the status line.
"""
from __future__ import annotations

from rich.cells import cell_len
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.screen import Screen
from textual.widgets import DataTable, Header, Static

from ..domain.vocab import ROLES
from ..i18n import _, get_lang, label
from ..services import admin
from ..services.admin import rules, teams
from ..services.errors import ServiceError
from ..widgets.footer import TranslatedFooter
from . import admin_forms as forms
from . import admin_lists as lists
from .commands import CommandList
from .messages import LiveChanges
from .styles import css

SECTIONS = ("users", "teams", "stages", "rules", "auto_tags", "sources", "lost_reasons")
# a supervisor's: their team's users (name, language, zone; handover within the team), its numbers, and the
# rules that give it leads (to read); the rest is an admin's and not shown to them
TEAM_SECTIONS = ("users", "teams", "rules")
MOVABLE = ("rules", *lists.LISTS)


def section_names() -> dict[str, str]:
    return {"users": _("Users"), "teams": _("Teams"), "stages": _("Stages"), "rules": _("Assignment rules"),
            "auto_tags": _("Auto tags"), "sources": _("Sources"), "lost_reasons": _("Lost reasons")}


WIDEST = 28  # cells of any column but the last


def _rows(ctx, section: str) -> tuple[list[str], list[tuple], list]:
    """On the database thread: (column titles, rows of cells, the items behind them)."""
    if section in lists.LISTS:
        return lists.list_rows(ctx, section)
    if section == "users":
        items = admin.list_users(ctx)
        return ([_("login"), _("name"), _("role"), _("team"), _("active"), _("language"), _("time zone")],
                [(u.login, u.name, label(ROLES, u.role), u.team or "–", _("yes") if u.active else _("no"),
                  u.lang or "–", u.tz or "–") for u in items], items)
    if section == "teams":
        items = teams.list_teams(ctx)
        return ([_("team"), _("supervisor"), _("members"), _("own numbers")],
                [(t.name, t.supervisor or "–", str(t.members), ", ".join(f"{k}={v}" for k, v in t.settings.items())
                  or "–") for t in items], items)
    if section == "stages":
        items = list(ctx.stages)
        return ([_("stage"), _("probability")], [(s.label(get_lang()), f"{s.probability}%") for s in items], items)
    if section == "rules":
        items = rules.list_rules(ctx)
        return ([_("order"), _("matches"), _("goes to"), _("daily cap")],
                [(str(r.position), r.condition_text(), r.target_text(), str(r.cap or "–")) for r in items], items)
    items = rules.list_auto_tags(ctx)
    return ([_("tag"), _("sources"), _("keywords")],
            [(a.tag, a.sources_text(), ", ".join(a.keywords) or "*") for a in items], items)


class AdminCommands(CommandList):
    def commands(self):
        screen = self.screen
        if not isinstance(screen, AdminScreen):
            return
        for key, name in section_names().items():
            if key not in screen.sections:
                continue
            yield _("Administration: {section}", section=name), lambda k=key: screen.show_section(k), ""
        yield _("Administration: add"), screen.action_add, ""
        yield _("Administration: edit"), screen.action_edit, ""
        yield _("Administration: deactivate or remove"), screen.action_remove, ""
        yield _("Administration: hand a user's leads and tasks over"), screen.action_hand_over, ""
        yield _("Administration: move up"), lambda: screen.run_worker(screen.action_move(-1)), ""
        yield _("Administration: move down"), lambda: screen.run_worker(screen.action_move(1)), ""
        yield _("Administration: retire or restore the source"), screen.action_retire, ""
        yield _("Administration: dry run of the rules"), screen.action_dry_run, ""


class AdminScreen(Screen):
    CSS_PATH = css("team")
    COMMANDS = {AdminCommands}
    BINDINGS = [
        Binding("right_square_bracket", "section(1)", _("Next section"), id="admin.next"),
        Binding("left_square_bracket", "section(-1)", _("Prev section"), show=False, id="admin.prev"),
        Binding("n", "add", _("Add"), id="admin.add"),
        Binding("enter,e", "edit", _("Edit"), id="admin.edit"),
        Binding("d", "remove", _("Deactivate/remove"), id="admin.remove"),
        Binding("h", "hand_over", _("Hand over"), show=False, tooltip=_("a user's open leads and tasks to others"),
                id="admin.handover"),
        Binding("K", "move(-1)", _("Move up"), show=False, id="admin.up"),
        Binding("J", "move(1)", _("Move down"), show=False, id="admin.down"),
        Binding("r", "retire", _("Retire/restore"), show=False, tooltip=_("a source: no new leads from it, or again"),
                id="admin.retire"),
        Binding("y", "dry_run", _("Dry run"), show=False, tooltip=_("who the last 50 leads would go to"),
                id="admin.dry"),
    ]

    def __init__(self, ctx):
        super().__init__()
        self.ctx = ctx
        self.section = "users"
        self.sections = SECTIONS if ctx.actor.is_admin else TEAM_SECTIONS
        self.items: list = []
        self.rows: list[tuple] = []

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="admin-sections", markup=False)
        yield DataTable(id="admin-table", cursor_type="row", zebra_stripes=True)
        yield Static(id="status", markup=False)
        yield TranslatedFooter()

    async def on_mount(self) -> None:
        self.title = _("Administration")
        self.query_one(DataTable).focus()
        await self.reload()

    def show_sections(self) -> None:
        """The sections, the current one in brackets, and the ``[ ]`` hint when it fits whole (never cut)."""
        names = section_names()
        line = "  ".join(f"[{names[s]}]" if s == self.section else names[s] for s in self.sections)
        hint = "   " + _("[ ] switch")
        fits = cell_len(line + hint) <= self.size.width
        self.query_one("#admin-sections", Static).update(line + hint if fits else line)

    def on_resize(self) -> None:
        self.show_sections()

    async def reload(self) -> None:
        status = self.query_one("#status", Static)
        self.show_sections()
        try:
            cols, rows, items = await self.app.db(_rows, self.ctx, self.section)
        except ServiceError as exc:  # a rep, or a supervisor where only admins may look
            status.update(str(exc))
            self.items = []
            self.query_one(DataTable).clear(columns=True)
            return
        table = self.query_one(DataTable)
        keep = table.cursor_row
        table.clear(columns=True)
        for i, col in enumerate(cols):  # as wide as its widest cell: the table's own measure kept the widths of
            wide = max([cell_len(col)] + [cell_len(str(r[i])) for r in rows])  # the last section; at most WIDEST but
            table.add_column(col, width=wide if i == len(cols) - 1 else min(wide, WIDEST))  # the last (a long name
        for row in rows:  # pushed the team, language and zone off the screen)
            table.add_row(*(Text(str(c), no_wrap=True, overflow="ellipsis") for c in row))
        self.items, self.rows = items, rows
        if items:
            table.move_cursor(row=min(keep, len(items) - 1))
        status.update(_("{n} entries", n=len(items)))

    def current(self):
        table = self.query_one(DataTable)
        return self.items[table.cursor_row] if self.items and table.cursor_row < len(self.items) else None

    # ------------------------------------------------------------ keys
    def show_section(self, name: str) -> None:
        self.section = name
        self.run_worker(self.reload(), exclusive=True, group="reload")

    def action_section(self, step: int) -> None:
        self.show_section(self.sections[(self.sections.index(self.section) + step) % len(self.sections)])

    def _open(self, form, added: bool = False) -> None:
        before = list(self.rows)

        async def saved(result):
            if result:
                await self.reload()
                if added:  # the cursor on the row just added (the first one that was not there before)
                    new = [i for i, row in enumerate(self.rows) if row not in before]
                    if new:
                        self.query_one(DataTable).move_cursor(row=new[0])

        self.app.push_screen(form, callback=saved)

    def action_add(self) -> None:
        if not self.ctx.actor.is_admin:  # the services refuse it too: adding users, teams and rules is an admin's
            self.app.notify(_("only an admin adds users, teams and rules: a supervisor edits their team's users "
                              "(e, h) and numbers"), severity="warning")
            return
        if self.section in lists.LISTS:
            self._open(lists.add_form(self.ctx, self.section), added=True)
            return
        make = {"users": forms.UserAddForm, "teams": forms.TeamForm, "stages": forms.StagesForm,
                "rules": forms.RuleForm, "auto_tags": forms.AutoTagForm}[self.section]
        self._open(make(self.ctx), added=self.section != "stages")

    def on_data_table_row_selected(self, event: DataTable.RowSelected) -> None:
        self.action_edit()

    def action_edit(self) -> None:
        item = self.current()
        if self.section == "stages":
            self._open(forms.StagesForm(self.ctx))
        elif item is None:
            return
        elif self.section in lists.LISTS:
            self._open(lists.edit_form(self.ctx, self.section, item))
        elif self.section == "users":
            self._open(forms.UserEditForm(self.ctx, item))
        elif self.section == "teams":
            self._open(forms.TeamForm(self.ctx, item))
        else:
            self.app.notify(_("a rule is changed by adding a new one and removing the old (d)"), severity="warning")

    def action_remove(self) -> None:
        item = self.current()
        if item is None:
            return
        if self.section == "users":
            if not self.ctx.actor.is_admin:  # the service refuses it too (leads.deactivate)
                self.app.notify(_("only an admin deactivates a user: h hands their open leads and tasks over"),
                                severity="warning")
                return
            self._open(forms.DeactivateForm(self.ctx, item))
        elif self.section in ("rules", "auto_tags"):
            fn = rules.remove_rule if self.section == "rules" else rules.remove_auto_tag
            self.run_worker(self._write(fn, item.id), group="write")
        elif self.section in lists.LISTS:
            self.run_worker(self._write(*lists.remove(self.section, item)), group="write")
        else:
            self.app.notify(_("stages are removed in the stages form (enter)"), severity="warning")

    async def _write(self, fn, *args) -> None:
        try:
            done = await self.app.write(fn, self.ctx, *args)
        except ServiceError as exc:
            self.app.notify(str(exc), severity="error")
        else:
            if fn is lists.lost_reasons.remove_reason:
                self.app.notify(_("lost reason {reason} removed: {n} leads lost with it keep it", reason=done[0],
                                  n=done[1]))
        await self.reload()

    async def action_move(self, step: int) -> None:
        item = self.current()
        if self.section not in MOVABLE or item is None:
            return
        if self.section == "rules":
            await self._write(rules.move_rule, item.id, max(1, item.position + step))
        else:
            await self._write(*lists.move(self.section, item, step))
        table = self.query_one(DataTable)
        table.move_cursor(row=max(0, min(len(self.items) - 1, table.cursor_row + step)))

    def action_hand_over(self) -> None:
        item = self.current()
        if self.section == "users" and item is not None:
            self._open(forms.HandoverForm(self.ctx, item))

    def action_retire(self) -> None:
        item = self.current()
        if self.section == "sources" and item is not None:
            self.run_worker(self._write(*lists.retire(item)), group="write")

    def action_dry_run(self) -> None:
        from .admin_dry_run import DryRunScreen

        self.app.push_screen(DryRunScreen(self.ctx))

    async def on_live_changes(self, message: LiveChanges) -> None:
        if message.everything or any(e.entity in ("user", "team", "stage", "rule", "settings", "tag_rule", "source",
                                                  "lost_reason")
                                     for e in message.entries):
            self.run_worker(self.reload(), exclusive=True, group="reload")
