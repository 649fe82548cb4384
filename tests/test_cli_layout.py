"""The command line's package: every command and action has a handler in a dispatch table,
and its modules import neither each other in a cycle nor each other's underscore names."""
import argparse
import ast
from pathlib import Path

from tui_crm.cli import database, dispatch, leads, users
from tui_crm.cli.parser import build_parser, tui_args

CLI = Path(dispatch.__file__).parent


def subparsers(parser):
    return next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction)).choices


def test_every_command_and_action_has_a_handler():
    commands = subparsers(build_parser())
    assert set(dispatch.COMMANDS) == set(commands) | {None}
    for name, table in (("leads", leads.LEADS_ACTIONS), ("users", users.USERS_ACTIONS), ("db", database.DB_ACTIONS)):
        assert set(table) == set(subparsers(commands[name])), name


def cli_imports(path: Path):
    """(module, imported names) for each import of a sibling module, inside functions too."""
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            yield node.module or "", [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("tui_crm.cli"):
            yield node.module.removeprefix("tui_crm.cli").lstrip("."), [a.name for a in node.names]


def test_no_cycle_and_no_private_names_among_the_cli_modules():
    graph = {}
    for f in CLI.glob("*.py"):
        me = "" if f.stem == "__init__" else f.stem
        graph[me] = set()
        for mod, names in cli_imports(f):
            assert not [n for n in names if n.startswith("_") and n != "__version__"], (f.name, mod, names)
            graph[me] |= {mod} if mod else set(names)
    seen, stack = set(), []

    def visit(m):
        assert m not in stack, " -> ".join(stack + [m])
        if m in seen:
            return
        stack.append(m)
        for n in graph.get(m, ()):
            visit(n)
        stack.pop()
        seen.add(m)

    for m in graph:
        visit(m)
    assert graph["dispatch"] and "" not in set().union(*graph.values())  # submodules never import the package


APP_STARTS = [[], ["--db", "/tmp/x.db"], ["--db=/tmp/x.db", "--user", "boss"], ["--user", "rep1", "--lang", "zh"],
              ["--lang=en", "--money", "cn", "--db", "postgresql://u@h/db"], ["--user", "a", "--user", "b"],
              ["--db="], ["--money=plain", "--lang", "zh", "--user=王"]]
NOT_APP_STARTS = [["report"], ["--db", "x", "users", "list"], ["--help"], ["-h"], ["--us", "boss"], ["--lang", "fr"],
                  ["--money=eur"], ["--db"], ["--user", "--db", "x"], ["--db", "x", "--"], ["--verbose"], ["x"]]


def test_the_app_start_reads_its_options_as_the_full_parser_does():
    # tui_args (the app's start without building every command's parser) gives build_parser's Namespace, or leaves it
    for argv in APP_STARTS:
        assert tui_args(argv) == build_parser().parse_args(argv), argv
    for argv in NOT_APP_STARTS:
        assert tui_args(argv) is None, argv
