"""The footer rebuilds only when the keys it shows change (issue 17: Textual rebuilt it on every focus
change and mount, four times before the first screen was painted, some twenty styled widgets each time)."""
from textual.widgets import Footer

from tui_crm import i18n
from tui_crm.app import CrmApp
from tui_crm.services.admin import demo
from tui_crm.services.context import open_session
from tui_helpers import settle, wait_for


async def test_same_keys_no_rebuild_other_keys_or_language_a_rebuild(sqlite_url):
    ctx = open_session(sqlite_url)
    demo.generate(ctx, leads=10, reps=2, seed=1, admin_login="boss")
    ctx.act_as("rep1")
    app = CrmApp(ctx)
    try:
        async with app.run_test(size=(120, 30)) as pilot:
            await settle(app)
            footer = app.screen.query_one(Footer)
            await wait_for(pilot, lambda: len(footer.children) > 3, what="the footer's keys")
            await settle(app)
            keys = list(footer.children)
            # what Textual calls on a focus change or a mount (from the footer's own task, as Textual does)
            footer.call_later(footer.bindings_changed, app.screen)
            await settle(app)
            assert list(footer.children) == keys  # the same widgets: not rebuilt

            i18n.set_lang("zh")  # other labels to show: rebuilt, in Chinese
            footer.call_later(footer.bindings_changed, app.screen)

            def text() -> str:
                return " ".join(str(getattr(k, "description", "")) for k in footer.children)

            await wait_for(pilot, lambda: "线索" in text(), what="a rebuilt footer in Chinese")
            assert "Leads" not in text() and not set(footer.children) & set(keys)
    finally:
        i18n.set_lang("en")
