"""Running a tui-crm: users, stages and settings, database maintenance, SSH access keys, demo data and the
audit log.

`keys`, `demo`, `audit`, `audit_text` (an audit entry in words), `teams` (teams and their rule numbers) and
`rules` (assignment and auto-tag rules) are used as modules; the rest by the names below. Each is loaded on
first use (PEP 562): the command line reads the user's language through ``saved_prefs`` before anything
else, and that must not import the demo, the audit or the roles (tests/test_startup_imports.py)."""
from importlib import import_module

_MODULES = ("audit", "audit_text", "demo", "keys", "rules", "teams")
_NAMES = {
    "database": ("backup", "check", "require_database_admin", "restore", "upgrade"),
    "roles": ("sync_roles",),
    "stages": ("get_settings", "save_settings", "set_stages"),
    "users": ("UserView", "add_user", "first_user", "get_user", "list_users", "saved_language", "saved_money",
              "saved_prefs", "set_user", "set_user_prefs"),
}
_WHERE = {name: module for module, names in _NAMES.items() for name in names}

__all__ = [*_MODULES, *_WHERE]


def __getattr__(name: str):
    if name in _MODULES:
        value = import_module(f"{__name__}.{name}")
    elif name in _WHERE:
        value = getattr(import_module(f"{__name__}.{_WHERE[name]}"), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__():
    return sorted([*globals(), *__all__])
