"""The report: its figures (`figures`), the SQL blocks they are built from (`sql`), the funnel's
reached counts and stays (`funnel`), and its text / CSV / JSON rendering (`render`)."""
from . import figures, funnel, render, sql

__all__ = ["figures", "funnel", "render", "sql"]
