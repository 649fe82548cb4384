"""tui-crm: a keyboard-driven sales CRM for the terminal."""

__version__ = "0.1.0"
