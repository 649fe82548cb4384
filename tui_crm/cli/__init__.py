"""The command line: ``tui-crm COMMAND ...``; without a command it opens the TUI.

Scripts rely on its commands, options, output and exit codes, so they change only
by being extended. Exit codes: 0 success; 1 a user error (one line on stderr, no
traceback); 2 a usage error (argparse); 130 interrupted. Textual is imported only
when the TUI opens.
"""
from .dispatch import main

__all__ = ["main"]
