"""The Textual app: screens by key, help, command palette, the live change poller
and the overdue timer.

Screens never touch the store and never wait on it on the UI thread: every
service call goes through :meth:`CrmApp.db`, which runs it on the app's one
database thread (one connection, so ``PRAGMA data_version`` means "someone
else committed") and awaits the result; slow counts go through :meth:`CrmApp.db_side`
on the second. Those are the app's two connections (the UI thread's own is closed).
When the database fails: app_faults.py.
"""
from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from functools import partial

from textual.app import App
from textual.binding import Binding
from textual.worker import WorkerFailed

from . import app_faults, app_guard, config
from .domain.text import printable
from .i18n import _
from .screens.commands import ExportCommands, GoToCommands, ImportCommands
from .screens.messages import LiveChanges, OpenLead, OverdueTick
from .screens.styles import css
from .services.context import Session
from .services.errors import Deactivated, Unavailable


class CrmApp(App):
    """tui-crm. ``ctx`` is the acting user's session."""

    TITLE = "tui-crm"
    # what every screen shares, and the first screen's (the list's: a screen's CSS_PATH read when it opens makes
    # Textual parse every sheet again, issue 17); each other screen's stylesheets come with it when it is first
    # opened (its CSS_PATH, screens/styles.py); DEFAULT_CSS only in reusable widgets
    CSS_PATH = css("theme", "list")
    ENABLE_COMMAND_PALETTE = True
    COMMANDS = App.COMMANDS | {GoToCommands, ImportCommands, ExportCommands}

    BINDINGS = [
        Binding("1", "show('list')", _("Leads"), tooltip=_("lead list"), id="screen.list"),
        Binding("2", "show('queue')", _("Today"), tooltip=_("today's queue"), id="screen.queue"),
        Binding("3", "show('board')", _("Board"), id="screen.board"),
        Binding("4", "show('stats')", _("Stats"), id="screen.stats"),
        Binding("l", "show('list')", _("Leads"), show=False, tooltip=_("lead list"), id="screen.list.l"),
        Binding("t", "show('queue')", _("Today"), show=False, tooltip=_("today's queue"), id="screen.queue.t"),
        Binding("b", "show('board')", _("Board"), show=False, id="screen.board.b"),
        Binding("s", "show('stats')", _("Stats"), show=False, id="screen.stats.s"),
        Binding("i", "show('inbox')", _("Inbox"), show=False, tooltip=_("notifications"), id="screen.inbox"),
        Binding("5", "show('audit')", _("Audit"), show=False, tooltip=_("audit log (supervisors, admins)"),
                id="screen.audit"),
        Binding("k", "show('tasks')", _("Tasks"), show=False, tooltip=_("tasks: mine, my team's, by status"),
                id="screen.tasks"),
        Binding("6", "show('admin')", _("Admin"), show=False, tooltip=_("administration: users, teams, stages, rules"),
                id="screen.admin"),
        Binding("question_mark", "help", _("Help"), id="help"),
        Binding("ctrl+p", "command_palette", _("palette"), show=False, priority=True, tooltip=_("command palette"),
                id="palette"),
        Binding("q", "quit", _("Quit"), id="quit"),
    ]

    def __init__(self, ctx: Session, *, tick_seconds: float | None = None, poll_seconds: float | None = None,
                 sweep_seconds: float | None = None, sweep_every: float | None = None, **kwargs):
        super().__init__(**kwargs)
        self.ctx = ctx
        ctx.for_screens()  # memory flat at 1M leads: a small SQLite page cache per connection
        # the rule sweep (services.activity.sweep) this long after start (`tui-crm` passes 1 s), then every
        # `sweep_every` s (default: the sweep_seconds setting); None: this app sweeps not at all
        self.sweep_seconds = sweep_seconds
        self.sweep_every = sweep_every if sweep_every is not None else ctx.settings.sweep_seconds
        self.sweeps = 0  # sweeps finished (tests wait on it)
        self.sub_title = printable(f"{ctx.actor.name} · {_(ctx.actor.role)}")  # a name stored before: no escapes
        self.tick_seconds = tick_seconds if tick_seconds is not None else ctx.settings.overdue_tick_seconds
        self.poll_seconds = poll_seconds if poll_seconds is not None else config.poll_seconds()
        self._executor = ThreadPoolExecutor(1, thread_name_prefix="crm-db")
        # counts over a million rows take up to a second: on their own connection, so pages never queue behind them
        self._side = ThreadPoolExecutor(1, thread_name_prefix="crm-db-counts", initializer=ctx.label_thread,
                                        initargs=("counts",))
        self.db_state = app_faults.DatabaseState(self)
        self._in_flight = 0
        self._deactivated: str | None = None  # why the app ends: its user was deactivated meanwhile
        self._feed = None
        self._seen_notification = 0
        self.live_ticks = 0  # polls done
        self._started = False  # first_page_shown: the poll, timers and sweep are running
        self.previous_screen_name: str | None = None  # the main screen shown before this one (inbox: escape)

    def notify(self, message: str, *, title: str = "", severity="information", timeout: float | None = None,
               markup: bool = False) -> None:
        """A toast. Never markup: messages quote companies, names and refusals as they were typed
        (``Markup [/b] Inc`` in a message killed the screen); screens' ``notify`` comes here too."""
        super().notify(printable(message), title=printable(title), severity=severity, timeout=timeout, markup=False)

    # ------------------------------------------------------------ the database threads
    async def db(self, fn, /, *args, **kwargs):
        """Run a service call on the database thread; the UI keeps running meanwhile. A lost connection
        is made again and the call run again when nothing of it was saved (``Session.call``); a database
        that still fails raises :class:`Unavailable` (a ServiceError: one line for the user)."""
        return await self._run_on(self._executor, False, fn, *args, **kwargs)

    async def db_side(self, fn, /, *args, **kwargs):
        """A slow read (counts, the stats panel's report) on the second database thread."""
        return await self._run_on(self._side, False, fn, *args, **kwargs)

    async def _run_on(self, executor, write: bool, fn, /, *args, **kwargs):
        def run():
            result = self.ctx.call(self._as_active, fn, *args, **kwargs)
            self.db_state.worked(write)
            return result

        self._in_flight += 1
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, run)
        except Deactivated as exc:  # the user was deactivated while the app was open: it ends, saying why
            if self._deactivated is None:
                self._deactivated = str(exc)
                self.exit(return_code=1, message=self._deactivated)
            raise
        except Exception as exc:
            err = self.db_state.failure(exc)
            if err is None:
                raise
            raise err from exc
        finally:
            self._in_flight -= 1

    def _as_active(self, fn, /, *args, **kwargs):
        """A service call, after checking that the acting user is still active (the live feed's poll is one
        too, so an idle app notices within a poll)."""
        self.ctx.ensure_active()
        return fn(*args, **kwargs)

    @property
    def db_busy(self) -> bool:
        """A service call is running or waiting on one of the database threads."""
        return self._in_flight > 0

    async def write(self, fn, /, *args, **kwargs):
        """A write: run it, then let every open screen see it (our own commits do not move data_version)."""
        result = await self._run_on(self._executor, True, fn, *args, **kwargs)
        self.wrote()
        return result

    def wrote(self) -> None:
        """This app wrote (a write above, a batch on the side thread): every open screen reads it at once."""
        if self._feed is not None:
            self._feed.invalidate()
        self.run_worker(self._poll_once(), group="poll")

    # screens are built lazily so `import tui_crm.app` stays cheap
    def screen_factory(self, name: str):
        from .screens import registry

        return registry.make(name, self)

    async def on_mount(self) -> None:
        from .services import changes

        try:
            self.set_keymap(config.keymap())
        except config.ConfigError as exc:  # the default keys stay; the user reads why
            self.notify(str(exc), severity="error", timeout=10)
        self.db_state.attach()
        if self.ctx.is_postgres:  # the UI thread reads nothing itself: two connections, not three
            self.ctx.close()
        app_guard.watch_terminal(self)
        self.action_show("list")
        # the feed's starting point is read on the database thread before the list's first page (the thread
        # runs calls in order): no change falls between them; everything else waits for the first paint
        self._feed = await self.db(changes.ChangeFeed, self.ctx)

    def first_page_shown(self) -> None:
        """The list painted its first page (or could not read it): only now the rest of the start, so that
        nothing competes with the first paint (issue 17): the inbox's last id, the change poll, the overdue
        timer and the rule sweep. Called once; later calls do nothing."""
        if self._started:
            return
        self._started = True
        self.run_worker(self._start_live(), group="start")

    async def _start_live(self) -> None:
        from .services import activity

        if not self.is_running:  # it ended before its first page was painted
            return
        try:
            seen = await self.db(activity.notifications, self.ctx, True, 1)
            self._seen_notification = max([n.id for n in seen] or [0])
        except Unavailable:  # said in the header; toasts start from the next notification read
            pass
        self.set_timer(self.poll_seconds, self._next_poll)
        if self.tick_seconds:
            self.set_interval(self.tick_seconds, self._tick)
        if self.sweep_seconds is not None:
            self.set_timer(self.sweep_seconds, lambda: self.run_worker(self._sweep(), group="sweep"))

    async def _sweep(self) -> None:
        """The rule sweep (escalations, reminders, wake-ups, complete-record tasks) on the side thread, never on
        the UI thread (at 1M leads a sweep takes 1-2 s); the next one is scheduled only after this one
        finished. What it notifies reaches every app (this one too) through the change feed."""
        from .services import activity

        try:
            result = await self.db_side(activity.sweep, self.ctx)
        except Exception:  # noqa: BLE001 — a broken connection: the next sweep tries again
            result = None
        self.sweeps += 1
        if result is not None and any(result.to_dict().values()) and self._feed is not None:
            self._feed.invalidate()  # our own commits do not move SQLite's data_version
            self.call_later(self._poll_once)
        if self.is_running and self.sweep_every:
            self.set_timer(self.sweep_every, self._sweep)

    def on_unmount(self) -> None:
        self.db_state.detach()
        self._executor.shutdown(wait=False, cancel_futures=True)
        self._side.shutdown(wait=False, cancel_futures=True)

    # ------------------------------------------------------------ live
    def _next_poll(self) -> None:
        """Each poll in a worker: a timer's callback runs in the app's own queue, and a poll waiting on a lost
        connection there would hold every key of the app until it came back."""
        self.run_worker(self._poll_loop(), group="poll")

    async def _poll_loop(self) -> None:
        try:
            await self._poll_once()
        finally:  # the next poll only after this one finished
            if self.is_running:
                self.set_timer(self.poll_seconds, self._next_poll)

    async def _poll_once(self) -> None:
        if self._feed is None:
            return
        try:
            entries, jumped = await self.db(self._feed.catch_up)
        except Unavailable:  # said in the header and a toast; the next poll tries again
            return
        except Exception as exc:  # a broken connection must not kill the app
            self.notify(str(exc), severity="error")
            return
        self.live_ticks += 1
        if not entries:
            return
        # far behind (a big batch elsewhere): the feed jumped over what it did not read; every screen reads again
        if jumped or any(e.entity in ("stage", "settings", "source", "lost_reason") for e in entries):  # elsewhere
            await self.db(self.ctx.reload_config)  # `>` and the list's stage filter use the new stage order
            await self.restage_board()
        for screen in self.open_screens():
            screen.post_message(LiveChanges(list(entries), everything=jumped))
        if jumped or any(e.entity == "notification" and e.entity_id == self.ctx.actor.id for e in entries):
            await self._toast_notifications()

    async def restage_board(self) -> None:
        """The board's columns are the open stages: when they changed, the board is built again (in place,
        when it is in front; else the next time it is shown)."""
        name = "main:board"
        if not self.is_screen_installed(name):
            return
        old = self.get_screen(name)
        if list(old.stage_keys) == self.ctx.stage_keys:
            return
        if old not in self.screen_stack:
            self.uninstall_screen(name)
            await old.remove()
        elif self.screen is old:
            new = self.screen_factory("board")
            await self.switch_screen(new)
            self.uninstall_screen(name)
            self.install_screen(new, name)
            await old.remove()
        # else: a dialog or the detail over the board; the board asks again when it is back in front

    def open_screens(self) -> list:
        """The stacked screens and the main screens installed but not shown (they refresh on return)."""
        stacked = list(self.screen_stack)
        kept = [s for s in self._installed_screens.values() if not isinstance(s, type) and s not in stacked]
        return [s for s in stacked + kept if s.is_attached]

    async def _toast_notifications(self) -> None:
        from .services import activity

        fresh = [n for n in await self.db(activity.notifications, self.ctx, True, 5) if n.id > self._seen_notification]
        for n in reversed(fresh):
            self.notify(n.text, title=_("Notification"), timeout=8)
        if fresh:
            self._seen_notification = max(n.id for n in fresh)

    def _handle_exception(self, error: Exception) -> None:
        """A database failure that escaped a worker (a board reload, a count) was said already: the app
        runs on. Once the app is ending because its user was deactivated, what the refused call leaves
        behind (the caller's error, a screen that could not load) is not a crash either: the one line that
        says why stays the app's last word. Anything else ends it, as Textual does."""
        if self._deactivated is not None:
            return
        if isinstance(error, WorkerFailed) and isinstance(error.error, Unavailable):
            return
        super()._handle_exception(error)

    def _tick(self) -> None:
        if not self.screen_stack:  # the app is closing: its screens are gone before its timers
            return
        if self.db_state.reconnecting:  # no reads queued behind the reconnect; all screens re-read once back
            return
        self.screen.post_message(OverdueTick())

    def on_key(self, event) -> None:
        from .screens.form_base import FormScreen

        if isinstance(self.screen, FormScreen) and self.screen.take_typed_ahead(event):
            event.stop()

    def on_open_lead(self, message: OpenLead) -> None:
        """The one way to a lead's detail, asked for by any screen or form; asked twice for the lead already
        in front (enter reaches both the table and the screen's key), it is shown once."""
        from .screens.lead_detail import LeadDetailScreen

        if isinstance(self.screen, LeadDetailScreen) and self.screen.lead_id == message.lead_id:
            return
        self.push_screen(LeadDetailScreen(self.ctx, message.lead_id, from_queue=message.from_queue))

    # ------------------------------------------------------------ screens
    def action_show(self, name: str) -> None:
        current = self.screen
        if getattr(current, "screen_name", None) == name:
            return
        shown = [getattr(s, "screen_name", None) for s in self.screen_stack]
        self.previous_screen_name = next((n for n in reversed(shown) if n), self.previous_screen_name)
        # keep one instance per main screen; dialogs on top are dropped
        while len(self.screen_stack) > 1 and getattr(self.screen, "screen_name", None) is None:
            self.pop_screen()
        installed = f"main:{name}"
        if not self.is_screen_installed(installed):
            self.install_screen(self.screen_factory(name), installed)
        if len(self.screen_stack) > 1:
            self.switch_screen(installed)
        else:
            self.push_screen(installed)

    def action_help(self) -> None:
        from .screens.help import HelpScreen, key_lines

        self.push_screen(HelpScreen(*key_lines(self, self.screen.active_bindings)))

    # ------------------------------------------------------------ remote sessions write no server files
    def deliver_text(self, *args, **kwargs):
        return app_guard.refuse_remote(self) if self.ctx.remote else super().deliver_text(*args, **kwargs)

    def deliver_binary(self, *args, **kwargs):
        return app_guard.refuse_remote(self) if self.ctx.remote else super().deliver_binary(*args, **kwargs)

    def save_screenshot(self, *args, **kwargs):
        return app_guard.refuse_remote(self) if self.ctx.remote else super().save_screenshot(*args, **kwargs)

    # ------------------------------------------------------------ the palette in the user's language
    def action_command_palette(self) -> None:
        from textual.command import CommandPalette

        from .screens.palette import command_palette

        if self.use_command_palette and not CommandPalette.is_open(self):
            self.push_screen(command_palette())

    def search_themes(self) -> None:
        from .screens.palette import theme_palette

        self.push_screen(theme_palette())

    def get_system_commands(self, screen):
        from textual.app import SystemCommand

        from .screens.palette import translated

        for command in super().get_system_commands(screen):
            shot = command.title == "Screenshot"
            command = translated(command, self.action_help)
            if self.ctx.remote and shot:
                command = SystemCommand(command.title, app_guard.remote_hint(), partial(app_guard.refuse_remote, self))
            yield command
