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

from .i18n import _, normalize_lang

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
    """The login of the account this process runs as (its effective uid), never LOGNAME/USER,
    which anyone can set."""
    try:
        import pwd

        return pwd.getpwuid(os.geteuid()).pw_name
    except ImportError:  # pragma: no cover - not POSIX
        return getpass.getuser()
    except KeyError:  # pragma: no cover - a uid without a passwd entry
        return str(os.geteuid())


LOCALE_VARIABLES = ("LC_ALL", "LC_MESSAGES", "LANG")


def env_lang(names: tuple[str, ...] = LOCALE_VARIABLES) -> str | None:
    """The language the first of these environment variables that names one asks for, ``en`` or
    ``zh``; None when none does (unset, empty, ``C`` or ``POSIX``)."""
    for name in names:
        lang = normalize_lang(os.environ.get(name))
        if lang:
            return lang
    return None


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


def _config_file(path: Path) -> dict:
    """The config file's tables; empty when there is none."""
    try:
        text = path.read_text("utf-8")
    except FileNotFoundError:
        return {}
    except OSError as exc:
        raise ConfigError(_("cannot read {file}: {error}", file=path, error=exc.strerror or exc)) from None
    try:
        return tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(_("{file}: not valid TOML: {error}", file=path, error=exc)) from None


def file_lang(path: Path | None = None) -> str | None:
    """``lang = "zh"`` (or ``"en"``) at the top of the config file; None when not set or the file cannot
    be read (the app reports a broken file when it reads the keymap)."""
    try:
        value = _config_file(path or config_path()).get("lang")
    except ConfigError:
        return None
    return normalize_lang(value) if isinstance(value, str) else None


def keymap(path: Path | None = None) -> dict[str, str]:
    """The ``[keymap]`` table of the config file: binding id -> keys (``"screen.board" = "f3"``,
    ``"lead.followup" = "f,ctrl+l"``); empty when there is no file. The ids are the ``id=`` of the
    app's and the screens' bindings (``?`` shows each key's)."""
    table = _config_file(path or config_path()).get("keymap", {})
    if not isinstance(table, dict) or not all(isinstance(v, str) and v.strip() for v in table.values()):
        raise ConfigError(_("{file}: [keymap] maps a binding id to keys, e.g. \"screen.board\" = \"f3\"", file=path))
    return {str(k): v.replace(" ", "") for k, v in table.items()}


def poll_seconds() -> float:
    """How often the app reads the change log for live updates: TUI_CRM_POLL, else 1 s."""
    return float(os.environ.get("TUI_CRM_POLL", "1.0"))
