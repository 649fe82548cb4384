"""One lead: a compact header, its open tasks, and its timeline, newest first."""
from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.screen import Screen
from textual.widgets import Header, OptionList, Static
from textual.widgets.option_list import Option

from ..domain.parse import format_amount
from ..domain.vocab import FIELD_TITLES, PRIORITIES, SOURCES, STATUSES
from ..i18n import _, label, pgettext
from ..services import leads
from ..services.leads import pages
from ..services.activity import tasks
from ..services.activity.task_text import task_text
from ..services.activity.timeline_text import kind_label
from ..services.errors import Unavailable
from ..widgets.markup import escape
from ..wording import due_text, short_when, stage_label
from ..widgets.footer import TranslatedFooter
from .lead_actions import LeadActions
from .messages import LiveChanges, OverdueTick
from .styles import css



class LeadDetailScreen(LeadActions, Screen):
    CSS_PATH = css("detail")
    BINDINGS = [
        Binding("escape", "back", _("Back"), id="detail.back"),
        Binding("p", "outcome('paused')", _("Pause"), id="detail.pause"),
        Binding("z", "outcome('dormant')", _("Dormant"), id="detail.dormant"),
        Binding("u", "outcome('in_progress')", _("Reopen"), show=False, id="detail.reopen"),
        Binding("a", "reassign", _("Reassign"), show=False, id="detail.reassign"),
        Binding("plus", "add_task", _("Add task"), id="detail.task"),
        Binding("s", "share", _("Share"), show=False, tooltip=_("share with a colleague"), id="detail.share"),
        Binding("c", "task_done", _("Task done"), id="detail.done"),
        Binding("n", "new_lead", _("New"), show=False, tooltip=_("new lead"), id="lead.new"),
    ] + [b for b in LeadActions.LEAD_BINDINGS if b.action != "open_lead"] + [LeadActions.TAG_BINDING]

    def __init__(self, ctx, lead_id: int, *, from_queue: bool = False):
        super().__init__()
        self.ctx = ctx
        self.lead_id = lead_id
        self.from_queue = from_queue
        self.data: leads.LeadDetail | None = None
        self.revealed = False

    def compose(self) -> ComposeResult:
        yield Header()
        yield Static(id="detail-header")
        yield Static(id="detail-warnings")
        yield OptionList(id="detail-tasks")
        yield VerticalScroll(Static(id="timeline"), id="timeline-box")
        yield TranslatedFooter()

    async def on_mount(self) -> None:
        await self.load()
        self.query_one("#detail-tasks", OptionList).focus()

    async def load(self) -> None:
        try:
            self.data = await self.app.db(leads.load_detail, self.ctx, self.lead_id, self.revealed)
        except Unavailable:  # the app says so; the detail stays and reads again when the database is back
            return
        except Exception as exc:  # the lead went away or out of scope meanwhile
            self.app.notify(str(exc), severity="error")
            if self.is_current:
                self.app.pop_screen()
            return
        if self.is_attached:  # not when the user left the detail while it loaded
            self.paint()

    def current_lead(self):
        return self.data.lead if self.data else None

    def action_share(self) -> None:
        """``s``: share the lead with a colleague, or stop (share_form.py)."""
        from .share_form import ShareForm

        if self.data is None:
            return

        async def saved(result):
            if result:
                await self.after_write(self.data.lead.id)

        self.app.push_screen(ShareForm(self.ctx, self.data.lead), callback=saved)

    def open_lead(self, lead_id: int, **kwargs) -> None:
        pass

    # ------------------------------------------------------------ painting
    def paint(self) -> None:
        d = self.data
        if d is None:
            return
        v = d.lead
        stage = stage_label(self.ctx, v.stage)
        contact = " · ".join(x for x in (v.phone, v.email, v.other_contact) if x)
        if v.masked:
            contact += "  " + _("(masked: v reveals)")
        state = due_text(self.ctx, v)
        if v.stalled:
            state += " · " + _("stalled")
        lines = [
            f"[b]{escape(v.code)}[/b]  {escape(v.company)}  ·  {escape(v.contact_name)}"
            + (f" ({escape(v.title)})" if v.title else ""),
            f"{escape(contact) or '–'}",
            _("stage: {stage} · status: {status} · priority: {priority} · owner: {owner}", stage=stage,
              status=label(STATUSES, v.status), priority=label(PRIORITIES, v.priority), owner=v.owner_name),
            self._money_line(v, state),
            _("need: {need}", need=escape(v.need or "–")),
        ]
        profile = self._profile(v)
        if profile:
            lines.append(profile)
        if v.tags:
            lines.append(_("tags: {tags}", tags=escape(" ".join("#" + t for t in v.tags))))
        header = self.query_one("#detail-header", Static)
        header.update("\n".join(lines))
        header.set_class(v.due_state == "overdue", "overdue")
        header.set_class(v.due_state == "today", "today")
        warnings = []
        if v.overstayed and not v.stay_reason and v.status not in ("won", "lost", "dormant"):
            warnings.append(_("⚠ more than {days} days in this stage: stay reason missing (e to add)",
                              days=self.ctx.settings.stall_after_days))
        if d.suggest_lost:
            warnings.append(_("⚠ {n} calls in a row not reached: consider marking it lost (x)",
                              n=self.ctx.settings.missed_calls_for_lost))
        if v.incomplete:
            missing = ", ".join(_(FIELD_TITLES.get(f, f)) for f in v.incomplete)
            warnings.append(_("⚠ incomplete: {fields}", fields=missing))
        if v.escalated and v.status not in ("won", "lost"):  # a closed lead's escalation asks nothing more of anyone
            warnings.append(_("⚠ escalated: not contacted in time") + " · " + (
                _("why: {note}", note=escape(v.escalation_note)) if v.escalation_note
                else _("e records why")))
        if v.status == "paused":
            warnings.append(_("paused until {date}: no reminders, not in the agenda",
                              date=short_when(v.wake_up_at, self.ctx.tz)) if v.wake_up_at
                            else _("paused: no reminders, not in the agenda until resumed (u)"))
        warnings += self._outcome_lines(v)
        box = self.query_one("#detail-warnings", Static)
        box.update("\n".join(warnings))
        box.display = bool(warnings)
        self._paint_tasks()
        self._paint_timeline()

    # the rest of what the record holds (the templates' columns), those filled in, in the edit form's order: the
    # detail showed none of them, though `e` kept them
    PROFILE = ("region", "industry", "company_size", "pain_points", "budget", "decision_maker", "obstacle",
               "expected_close_date", "follow_up_days", "next_action", "remarks")

    def _profile(self, v) -> str:
        parts = [_("{field}: {value}", field=_(FIELD_TITLES[f]), value=getattr(v, f)) for f in self.PROFILE
                 if getattr(v, f) not in (None, "")]
        return escape(" · ".join(parts))

    def _outcome_lines(self, v) -> list[str]:
        """won: amount, product, when · lost: reason, when · paused: why · dormant: when it wakes up."""
        when = (v.won_at if v.status == "won" else v.lost_at if v.status == "lost" else None)
        if v.status in ("won", "lost"):
            parts = [_("outcome: {status}", status=label(STATUSES, v.status))]
            if v.status == "won" and v.won_amount_cents is not None:
                parts.append(format_amount(v.won_amount_cents))
            parts += [x for x in (v.product if v.status == "won" else v.lost_reason,) if x]
            if when:
                parts.append(short_when(when, self.ctx.tz))
            return [escape(" · ".join(parts))]
        if v.status == "paused" and v.pause_reason:
            return [escape(_("paused: {reason}", reason=v.pause_reason))]
        if v.status == "dormant" and v.wake_up_at:
            return [escape(_("dormant: wakes up {when}", when=short_when(v.wake_up_at, self.ctx.tz)))]
        return []

    def _money_line(self, v, state: str) -> str:
        """Source, amount, probability, next; a won lead shows the amount won (the expected one beside it)."""
        source = label({**SOURCES, **self.ctx.sources}, v.source)

        def amount(cents):  # with the currency its import file named
            return format_amount(cents) + (f" {v.currency}" if v.currency and cents is not None else "")

        if v.status == "won" and v.won_amount_cents is not None:
            return _("source: {source} · amount won: {amount} (expected {expected}) · next: {next}", source=source,
                     amount=amount(v.won_amount_cents), expected=amount(v.amount_cents), next=state)
        return _("source: {source} · amount: {amount} · probability: {p}% · next: {next}", source=source,
                 amount=amount(v.amount_cents), p=v.probability, next=state)

    def _paint_tasks(self) -> None:
        tl = self.query_one("#detail-tasks", OptionList)
        keep = tl.highlighted
        tl.clear_options()
        if not self.data.tasks:
            tl.add_option(Option(_("no open tasks (+ adds one)"), id="none", disabled=True))
        for t in self.data.tasks:
            when = short_when(t.due_at, self.ctx.tz)
            if t.overdue:
                when = _("overdue") + " " + when
            elif t.due_today:
                when = _("today") + " " + when
            text = f"{when}  {task_text(t)}  [{label(PRIORITIES, t.priority)}]"
            style = "red" if t.overdue else ("yellow" if t.due_today else "")
            tl.add_option(Option(f"[{style}]{escape(text)}[/]" if style else escape(text), id=f"t{t.id}"))
        if keep is not None and keep < tl.option_count:
            tl.highlighted = keep
        elif self.data.tasks:
            tl.highlighted = 0

    def _paint_timeline(self) -> None:
        lines = [f"[b]{_('Timeline')}[/b] " + _("(newest first)")]
        for item in self.data.timeline:  # in words, in the reader's language (services.activity.timeline_text)
            when = item.at.astimezone(self.ctx.tz).strftime("%Y-%m-%d %H:%M")
            lines.append(f"{when}  [b]{escape(kind_label(item.kind))}[/b]  "
                         + pgettext("timeline", "{user}: {text}", user=escape(item.user), text=escape(item.text)))
        if not self.data.timeline:
            lines.append(_("nothing yet"))
        self.query_one("#timeline", Static).update("\n".join(lines))

    # ------------------------------------------------------------ actions
    def action_back(self) -> None:
        self.app.pop_screen()

    async def after_write(self, lead_id) -> None:
        await self.load()

    async def followup_saved(self, lead_id: int) -> None:
        if self.from_queue and self.is_current:
            below = self.app.screen_stack[-2] if len(self.app.screen_stack) > 1 else None
            if hasattr(below, "followup_logged"):  # the queue selects the next task, not this one
                below.followup_logged()
            self.app.pop_screen()

    async def show_revealed(self, view) -> None:
        self.revealed = True
        await self.load()

    def action_reassign(self) -> None:
        from .forms import ReassignForm

        async def done(ok):
            if ok:
                await self.load()

        if self.data:
            self.app.push_screen(ReassignForm(self.ctx, self.data.lead), callback=done)

    def action_add_task(self) -> None:
        from .task_forms import TaskForm

        async def done(ok):
            if ok:
                await self.load()

        if self.data:
            self.app.push_screen(TaskForm(self.ctx, self.data.lead), callback=done)

    def _selected_task(self):
        tl = self.query_one("#detail-tasks", OptionList)
        if self.data is None or tl.highlighted is None or not self.data.tasks:
            return None
        return self.data.tasks[tl.highlighted] if tl.highlighted < len(self.data.tasks) else None

    async def action_task_done(self) -> None:
        task = self._selected_task()
        if task is None:
            self.app.notify(_("no task selected"), severity="warning")
            return
        if await self.run_write(tasks.complete_task, self.ctx, task.id, None, lead_id=self.lead_id):
            self.app.notify(_("task done: {title}", title=_(task.title)))

    # ------------------------------------------------------------ timer and live
    def on_overdue_tick(self, message: OverdueTick) -> None:
        if self.data is None:
            return
        before = pages.due_signature(self.data.lead)
        after = pages.reapply_due(self.ctx, self.data.lead)
        if before != after:
            self.paint()

    async def on_live_changes(self, message: LiveChanges) -> None:
        if message.everything or (self.lead_id in message.lead_ids and self.data is not None):
            await self.load()
