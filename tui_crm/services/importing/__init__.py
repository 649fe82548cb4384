"""Importing leads from CSV / XLSX: the run (`run`), reading files (`read`), mapping headers to
fields (`columns`), converting one row (`rows`), writing a chunk (`write`) and batches after the
fact (`batches`: undo, clean-up). The names below are what the CLI and the import screen call."""
from .batches import batches, clean_abandoned, undo
from .columns import FIELDS, map_headers, preview, samples
from .explain import dates_line, file_line, mapping_head, mapping_lines, sample_text, value_lines
from .read import UnreadableFile, open_table
from .refusals import Group, Refusal, grouped, refusal_kinds, write_refusals
from .options import ImportOptions, ImportResult
from .run import TXN_SECONDS, run_import

__all__ = ["batches", "clean_abandoned", "undo", "FIELDS", "map_headers", "UnreadableFile", "open_table",
           "TXN_SECONDS", "ImportOptions", "ImportResult", "preview", "Refusal", "refusal_kinds", "run_import",
           "write_refusals", "Group", "grouped", "samples", "mapping_head", "mapping_lines", "sample_text",
           "value_lines", "dates_line", "file_line"]
