"""Settings that come from the environment and the platform."""
from __future__ import annotations

import getpass
import os
import tomllib
from datetime import tzinfo
from functools import lru_cache
from pathlib import Path
from zoneinfo import ZoneInfo

import platformdirs

from .i18n import _

APP_NAME = "tui-crm"


def default_db_path() -> Path:
    return Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "crm.db"


def db_url(cli_value: str | None) -> str:
    """--db, else TUI_CRM_DB, else a file in the user data directory."""
    chosen = cli_value or os.environ.get("TUI_CRM_DB")
    if chosen:
        return chosen
    path = default_db_path()
    path.parent.mkdir(parents=True, exist_ok=True)
    return str(path)


def os_login() -> str:
    try:
        return getpass.getuser()
    except Exception:  # pragma: no cover - no passwd entry
        return "admin"


LANG_VARIABLES = ("TUI_CRM_LANG", "LC_ALL", "LC_MESSAGES", "LANG")


def env_lang() -> str | None:
    """The language the environment asks for (TUI_CRM_LANG, then the locale's LC_ALL, LC_MESSAGES,
    LANG), ``en`` or ``zh``; None when none is set to a language (unset, empty, ``C`` or ``POSIX``)."""
    from .i18n import normalize_lang

    for name in LANG_VARIABLES:
        lang = normalize_lang(os.environ.get(name))
        if lang:
            return lang
    return None


def default_lang() -> str:
    return env_lang() or "en"


@lru_cache(maxsize=1)
def local_tz() -> tzinfo:
    """The machine's time zone (TZ wins), as a ZoneInfo where possible."""
    name = os.environ.get("TZ")
    if name:
        try:
            return ZoneInfo(name.lstrip(":"))
        except Exception:
            pass
    try:
        link = os.path.realpath("/etc/localtime")
        if "zoneinfo/" in link:
            return ZoneInfo(link.split("zoneinfo/", 1)[1])
    except Exception:  # pragma: no cover
        pass
    return ZoneInfo("UTC")


def tz_by_name(name: str | None) -> tzinfo:
    if not name:
        return local_tz()
    return ZoneInfo(name)


class ConfigError(ValueError):
    """The config file cannot be used; the message says why in one line."""


def config_path() -> Path:
    """TUI_CRM_CONFIG, else ``config.toml`` in the user config directory."""
    chosen = os.environ.get("TUI_CRM_CONFIG")
    return Path(chosen) if chosen else Path(platformdirs.user_config_dir(APP_NAME, appauthor=False)) / "config.toml"


def keymap(path: Path | None = None) -> dict[str, str]:
    """The ``[keymap]`` table of the config file: binding id -> keys (``"screen.board" = "f3"``,
    ``"lead.followup" = "f,ctrl+l"``); empty when there is no file. The ids are the ``id=`` of the
    app's and the screens' bindings (``?`` shows each key's)."""
    path = path or config_path()
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(_("cannot read {file}: {error}", file=path, error=exc.strerror or exc)) from None
    try:
        table = tomllib.loads(text).get("keymap", {})
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{file}: not valid TOML: {error}", file=path, error=exc)) from None
    if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise ConfigError(_("{file}: [keymap] maps a binding id to keys, e.g. \"screen.board\" = \"f3\"", file=path))
    return {str(k): v.replace(" ", "") for k, v in table.items()}


def poll_seconds() -> float:
    """How often the app reads the change log for live updates: TUI_CRM_POLL, else 1 s."""
    return float(os.environ.get("TUI_CRM_POLL", "1.0"))
