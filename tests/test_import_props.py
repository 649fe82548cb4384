"""Property tests (hypothesis): leads written to CSV in any encoding/dialect come back exactly.

Random company/contact/need/remarks text with CJK, commas, semicolons, tabs, quotes and newlines
inside cells; UTF-8 (with and without BOM) or GB18030; comma, semicolon or tab. A real import
into a fresh SQLite file per example, then the stored fields are compared with what was written.
"""
from __future__ import annotations

import csv
import os
import shutil
import tempfile
import unicodedata

from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st

from tui_crm.services.admin.users import add_user
from tui_crm.services.context import open_session
from tui_crm.services.importing.run import ImportOptions, run_import
from tui_crm.services.importing.cells import PLACEHOLDERS
from tui_crm.store import db as store_db
from tui_crm.store.models import Lead

ALPHABET = list("abcxyzABC0123 星河科技有限公司张三李四王五需求预算，。、“”《》") + [",", ";", "\t", '"', "'", "\n", "/", "-"]


def cell(max_size: int):
    return (st.text(alphabet=ALPHABET, min_size=1, max_size=max_size)
            .map(lambda s: s.strip())
            .filter(lambda s: s and s.lower() not in PLACEHOLDERS)
            # a ' before = + - @ is an export's formula guard, taken off on import: not this property's text
            .filter(lambda s: not (s[:1] == "'" and s[1:2] in ("=", "+", "-", "@"))))


lead = st.fixed_dictionaries({"company": cell(30), "contact_name": cell(20), "need": cell(40), "remarks": cell(40)})


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(rows=st.lists(lead, min_size=1, max_size=6),
       encoding=st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]),
       delimiter=st.sampled_from([",", ";", "\t"]))
@example(rows=[{"company": "0", "contact_name": "0", "need": "0", "remarks": "'\t0"}],
         encoding="utf-8", delimiter=",")  # found by hypothesis: the ' was taken for an export's quote
@example(rows=[{"company": "0", "contact_name": "0", "need": "0", "remarks": "预"}],
         encoding="gb18030", delimiter=",")  # found by hypothesis: 预 in GB18030 is D4 A4, valid UTF-8 too
def test_csv_rows_come_back_exactly(rows, encoding, delimiter):
    """Rows come back exactly as written. A GB18030 file whose bytes are also valid UTF-8 (预 is D4 A4, which
    UTF-8 reads as Ԥ) cannot be told apart from UTF-8: the import reads a valid UTF-8 file as UTF-8 (so a
    European Café is never read as Chinese), and the rows come back as those bytes read as UTF-8."""
    folder = tempfile.mkdtemp(prefix="imp_prop_")
    path, dbfile = os.path.join(folder, "leads.csv"), os.path.join(folder, "p.db")
    with open(path, "w", newline="", encoding=encoding) as fh:
        w = csv.writer(fh, delimiter=delimiter)
        w.writerow(["company", "contact", "phone", "need", "remarks"])
        for i, r in enumerate(rows):
            w.writerow([r["company"], r["contact_name"], f"139{i:08d}", r["need"], r["remarks"]])
    ctx = open_session(dbfile)
    try:
        add_user(ctx, "boss", "Boss", role="admin")
        ctx.act_as("boss")
        res = run_import(ctx, path, ImportOptions())
        assert (res.new, res.refused, res.blank) == (len(rows), 0, 0), res.refusals
        got = list(Lead.select(Lead.company, Lead.contact_name, Lead.phone, Lead.need, Lead.remarks)
                   .where(Lead.batch == res.batch_id).order_by(Lead.id).dicts())
        with open(path, "rb") as fh:
            raw = fh.read()
        try:
            ambiguous = encoding == "gb18030" and bool(raw.decode("utf-8"))
        except UnicodeDecodeError:
            ambiguous = False

        def read(cell: str) -> str:
            return cell.encode("gb18030").decode("utf-8") if ambiguous else cell

        # such a reading may hold control characters, which the import rightly drops: not this property's case
        assume(not any(unicodedata.category(c) in ("Cc", "Cf") and c not in "\t\n"
                       for r in rows for v in r.values() for c in read(v)))

        want = [{"company": read(r["company"]), "contact_name": read(r["contact_name"]), "phone": f"+86139{i:08d}",
                 "need": read(r["need"]), "remarks": read(r["remarks"])} for i, r in enumerate(rows)]
        assert got == want
    finally:
        store_db._OPEN.pop(dbfile).close()
        shutil.rmtree(folder, ignore_errors=True)  # each example's folder (hypothesis runs 25): none left in /tmp
