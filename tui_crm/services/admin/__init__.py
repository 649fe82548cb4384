"""Running a tui-crm: users, stages and settings, database maintenance, SSH access keys, demo data and the
audit log.

`keys`, `demo`, `audit`, `audit_text` (an audit entry in words), `teams` (teams and their rule numbers),
`rules` (assignment and auto-tag rules), `sources` and `lost_reasons` (the pick lists) are used as modules;
the rest by the names below. Each is loaded on first use (PEP 562): the command line reads the user's language through ``saved_prefs`` before anything
else, and that must not import the demo, the audit or the roles (tests/test_startup_imports.py)."""
from ...lazy import lazy_names

_MODULES = ("audit", "audit_text", "demo", "keys", "lost_reasons", "rules", "sources", "teams")
_NAMES = {
    "database": ("backup", "check", "repair", "require_database_admin", "restore", "upgrade"),
    "roles": ("sync_roles",),
    "stages": ("get_settings", "save_settings", "set_stages"),
    "users": ("UserView", "add_user", "first_user", "get_user", "list_users", "saved_language", "saved_money",
              "saved_prefs", "set_user", "set_user_prefs"),
}

__getattr__, __dir__, __all__ = lazy_names(__name__, globals(), _MODULES, _NAMES)
