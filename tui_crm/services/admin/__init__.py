"""Running a tui-crm: users, stages and settings, database maintenance, SSH access keys, demo data and the
audit log.

`keys`, `demo`, `audit`, `audit_text` (an audit entry in words), `teams` (teams and their rule numbers) and
`rules` (assignment and auto-tag rules) are used as modules; the rest by the names below."""
from . import audit, audit_text, demo, keys, rules, teams
from .database import backup, check, require_database_admin, restore, upgrade
from .roles import sync_roles
from .stages import get_settings, save_settings, set_stages
from .users import UserView, add_user, first_user, get_user, list_users, saved_language, saved_money, saved_prefs, set_user, set_user_prefs

__all__ = ["audit", "audit_text", "demo", "keys", "rules", "teams", "backup", "check", "require_database_admin",
           "restore", "upgrade", "sync_roles",
           "get_settings", "save_settings", "set_stages", "UserView", "add_user", "first_user", "get_user",
           "list_users", "saved_language", "saved_money", "saved_prefs", "set_user", "set_user_prefs"]
