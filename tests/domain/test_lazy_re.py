"""domain.lazy_re: a pattern compiled on its first use (issue 17: the first screen compiles none of the date,
amount and pinyin patterns), then as fast as a compiled one."""
import re

from tui_crm.domain import lazy_re, parse, spell
from tui_crm.domain.lazy_re import lazy


def test_compiled_on_first_use_and_kept():
    p = lazy(r"(?P<y>\d{4})-(?P<m>\d\d)", re.I)
    assert "match" not in vars(p)  # not compiled yet
    m = p.match("2024-11 x")
    assert m["y"] == "2024" and m.re.pattern == p.pattern and p.flags & re.I
    assert vars(p)["match"] == re.compile(r"(?P<y>\d{4})-(?P<m>\d\d)", re.I).match  # kept: no second compile
    assert p.sub("_", "1999-01 and 2000-02") == "_ and _" and p.findall("2024-11") == [("2024", "11")]


def test_the_domain_patterns_wait_for_their_first_use():
    # a fresh look at the modules' patterns: the ones a test has not used yet are not compiled (it can fail: a
    # re.compile left at module level is a re.Pattern, not a LazyPattern)
    for module in (parse, spell):
        patterns = [v for v in vars(module).values() if isinstance(v, (re.Pattern, lazy_re.LazyPattern))]
        assert patterns and all(isinstance(p, lazy_re.LazyPattern) for p in patterns), module.__name__
