"""tui-crm: a keyboard-driven sales CRM for the terminal."""

from . import pg_driver

pg_driver.install()  # psycopg2 only once a PostgreSQL database is opened

__version__ = "0.1.0"
