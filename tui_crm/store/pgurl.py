"""PostgreSQL URLs: what libpq is given, and what may be shown.

- A URL's libpq parameters (``sslmode``, ``sslrootcert``, ``connect_timeout``,
  ``application_name``, ``options``, ``service`` and every other one libpq knows)
  reach libpq as written; libpq itself parses the URL, so ``~/.pgpass``,
  ``PGSERVICEFILE``, ``PGPASSWORD`` and friends work as they do for psql.
- ``schema=NAME`` is ours (a schema of its own: tests, several teams on one
  server); it becomes ``-c search_path=NAME,public`` in ``options``.
- A password in a URL is never shown: :func:`redact` is the one form of a URL
  that may be printed or written (``postgresql://user:***@host/db``), and
  :func:`scrub` takes the password out of any text (an error message).
- Every connection is named ``tui-crm:LOGIN`` (:func:`application_name`), with
  the URL's own ``application_name`` kept after it.
"""
from __future__ import annotations

import re
from urllib.parse import unquote

from ..i18n import _

PREFIXES = ("postgres://", "postgresql://")
OURS = ("schema",)  # query parameters of tui-crm, not of libpq
_USERINFO = re.compile(r"^(?P<scheme>postgres(?:ql)?://)(?P<user>[^:@/?#]*):(?P<password>[^@/?#]*)@")
_QUERY_PASSWORD = re.compile(r"(?P<key>(?:^|[?&])password=)(?P<password>[^&#]*)", re.IGNORECASE)


def is_postgres(url: str) -> bool:
    return url.startswith(PREFIXES)


def passwords(url: str) -> list[str]:
    """The password(s) written in ``url`` (userinfo, ``password=``), raw and decoded; empty if none."""
    if not is_postgres(url):
        return []
    found = []
    m = _USERINFO.match(url)
    if m and m.group("password"):
        found.append(m.group("password"))
    query = url.split("?", 1)[1] if "?" in url else ""
    found += [m.group("password") for m in _QUERY_PASSWORD.finditer("?" + query) if m.group("password")]
    return sorted({p for raw in found for p in (raw, unquote(raw)) if p}, key=len, reverse=True)


def has_password(url: str) -> bool:
    """True when ``url`` carries a password (it must not be written into files such as authorized_keys)."""
    return bool(passwords(url))


def redact(url: str) -> str:
    """``url`` as it may be shown: ``postgresql://user:***@host/db``; any other URL or path unchanged."""
    if not is_postgres(url):
        return url
    out = _USERINFO.sub(lambda m: f"{m.group('scheme')}{m.group('user')}:***@", url, count=1)
    if "?" in out:
        head, query = out.split("?", 1)
        query = _QUERY_PASSWORD.sub(lambda m: f"{m.group('key')}***", "?" + query)[1:]
        out = f"{head}?{query}"
    return out


def scrub(text: str, url: str | None) -> str:
    """``text`` with ``url`` redacted and its password replaced by ``***`` wherever it appears."""
    if not url or not text:
        return text
    if url in text:
        text = text.replace(url, redact(url))
    for secret in passwords(url):
        text = text.replace(secret, "***")
    return text


def split_ours(url: str) -> tuple[str, dict[str, str]]:
    """``url`` without tui-crm's own query parameters, and those parameters."""
    if "?" not in url:
        return url, {}
    head, query = url.split("?", 1)
    keep, ours = [], {}
    for part in query.split("&"):
        key, _eq, value = part.partition("=")
        if key in OURS:
            ours[key] = unquote(value)
        elif part:
            keep.append(part)
    return (f"{head}?{'&'.join(keep)}" if keep else head), ours


def libpq_dsn(url: str) -> tuple[str, dict[str, str]]:
    """What to hand libpq for ``url``: the URL (``postgresql://`` form, tui-crm's parameters removed)
    and keyword parameters that override it (``options`` with the schema's search path merged in).
    Raises ValueError with libpq's own message for a URL libpq cannot read."""
    from psycopg2.extensions import parse_dsn

    dsn, ours = split_ours(url)
    if dsn.startswith("postgres://"):
        dsn = "postgresql://" + dsn[len("postgres://"):]
    try:
        given = parse_dsn(dsn)
    except Exception as exc:  # psycopg2.ProgrammingError: "invalid dsn: …"
        raise ValueError(scrub(str(exc).strip().splitlines()[0] if str(exc).strip() else repr(exc), url)) from None
    extra: dict[str, str] = {}
    schema = ours.get("schema")
    if schema:
        if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_$]*", schema):
            raise ValueError(_("schema={schema}: not a schema name", schema=schema))
        extra["options"] = " ".join(p for p in (given.get("options"), f"-csearch_path={schema},public") if p)
    extra["application_name"] = application_name(None, given.get("application_name"))
    return dsn, extra


def given_application_name(url: str) -> str | None:
    """The ``application_name`` the URL itself gives, if any."""
    from psycopg2.extensions import parse_dsn

    try:
        return parse_dsn(libpq_dsn(url)[0]).get("application_name")
    except ValueError:
        return None


def application_name(login: str | None, given: str | None = None) -> str:
    """``tui-crm:LOGIN`` (``tui-crm`` before the user is known), then the URL's own name if it gave one;
    libpq keeps 63 bytes of it."""
    name = f"tui-crm:{login}" if login else "tui-crm"
    return f"{name} ({given})" if given and not given.startswith("tui-crm") else name

