"""Malformed CSV: every row the file's own rules break is refused with its line, column and reason,
the rows around it are read as written, and nothing is guessed (the real import, real files)."""
from __future__ import annotations

import pytest

from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.store.models import Lead

from cli_helpers import run

sqlite = pytest.mark.parametrize("db_url", ["sqlite"], indirect=True)  # reading files: one backend is enough


def imported(world, tmp_path, data: bytes):
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    res = run_import(world.ctx, str(path), ImportOptions())
    refused = sorted((r.line, r.column, r.reason) for r in res.refusals if r.outcome == "refused")
    return res, refused, sorted(lead.company for lead in Lead.select())


@sqlite
def test_an_unterminated_quote_is_refused_not_imported(world, tmp_path):
    res, refused, companies = imported(world, tmp_path, b'company\n"unterminated')
    assert companies == []
    assert [(line, col) for line, col, _r in refused] == [(2, "company")]
    assert "never closed" in refused[0][2]


@sqlite
def test_an_unterminated_quote_refuses_its_line_and_reads_the_lines_after_it(world, tmp_path):
    data = b'company,phone\nAcme,13900000001\n"Beta,13900000002\nGamma,13900000003\nDelta,13900000004\n'
    res, refused, companies = imported(world, tmp_path, data)
    assert companies == ["Acme", "Delta", "Gamma"]
    assert [(line, col) for line, col, _r in refused] == [(3, "company")]


@sqlite
def test_text_after_a_closing_quote_is_refused(world, tmp_path):
    res, refused, companies = imported(world, tmp_path, b'company,phone\n"Acme"Ltd,13900000001\nGamma,13900000003\n')
    assert companies == ["Gamma"]  # not 'AcmeLtd'
    assert [(line, col) for line, col, _r in refused] == [(2, "company")]
    assert "closing quote" in refused[0][2]


@sqlite
def test_a_row_longer_than_the_header_is_refused_naming_the_extra_cell(world, tmp_path):
    data = b'company,phone,need\nAcme,13900000001,servers,Tuesday\nGamma,13900000003,desks,\n'
    res, refused, companies = imported(world, tmp_path, data)
    assert companies == ["Gamma"]  # an empty cell past the header is no problem
    assert refused == [(2, "#4", "the row has 4 cells, the header 3: a delimiter or a quote out of place?")]


@sqlite
def test_a_nul_byte_refuses_its_row_only(world, tmp_path):
    res, refused, companies = imported(world, tmp_path, b'company,phone\nAc\x00me,13900000001\nGamma,13900000003\n')
    assert companies == ["Gamma"]
    assert [(line, col) for line, col, _r in refused] == [(2, "company")]
    assert "NUL" in refused[0][2]


@sqlite
def test_gbk_rows_in_a_utf8_file_are_refused_not_garbled(world, tmp_path):
    data = "company,phone\n".encode() + "".join(f"张三公司{i},1390000{i:04d}\n" for i in range(40)).encode() \
        + "李四公司,13900009999\n".encode("gbk") + "王五公司,13900008888\n".encode()
    res, refused, companies = imported(world, tmp_path, data)
    assert len(companies) == 41 and "王五公司" in companies
    assert not any("\ufffd" in c or "\udc80" <= max(c) for c in companies)
    assert [(line, col) for line, col, _r in refused] == [(42, "company")]
    assert "UTF-8" in refused[0][2]
    assert [r.value for r in res.refusals if r.line == 42] == ["李四公司"]  # shown as the bytes meant it


@sqlite
def test_utf8_rows_in_a_gbk_file_are_refused_not_garbled(world, tmp_path):
    data = ("company,phone\n" + "".join(f"张三公司{i},1390000{i:04d}\n" for i in range(40))).encode("gbk") \
        + "李四公司,13900009999\n".encode("utf-8")
    res, refused, companies = imported(world, tmp_path, data)
    assert len(companies) == 40
    assert [(line, col) for line, col, _r in refused] == [(42, "company")]
    assert "UTF-8" in refused[0][2] and "GB18030" in refused[0][2]


def test_the_command_line_lists_each_refused_row_with_line_column_and_reason(tmp_path):
    db, errors, path = str(tmp_path / "c.db"), str(tmp_path / "errors.csv"), tmp_path / "bad.csv"
    path.write_bytes(b'company,phone\nAcme,13900000001,x\n"Beta,13900000002\nGamma,13900000003\n')
    run("users", "add", "boss", "--name", "Boss", "--role", "admin", db=db, check=0)
    proc = run("import", str(path), "--errors", errors, db=db, check=0)
    assert "1 new" in proc.stdout and "2 refused" in proc.stdout
    text = open(errors, encoding="utf-8").read()
    assert "2,#3,x," in text and "3,company," in text and "never closed" in text
