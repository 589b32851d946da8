"""The database handle: WAL SQLite, migrations on open, one writer thread, reads from any thread."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any, TypeVar

from alembic import command
from alembic.config import Config
from alembic.util import CommandError
from sqlalchemy import create_engine, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DatabaseError, OperationalError
from sqlalchemy.orm import Session

from nvr_desktop.core.errors import StorageError

T = TypeVar("T")
log = logging.getLogger("storage.db")
MIGRATIONS = Path(__file__).with_name("migrations")
WRITE_TIMEOUT_S = 60.0


def _on_connect(dbapi_conn: Any, _record: Any) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA busy_timeout=30000")
    cur.close()


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs this package's migrations on the given engine."""
    cfg = Config()
    cfg.set_main_option("script_location", str(MIGRATIONS))
    cfg.attributes["engine"] = engine
    return cfg


class Database:
    """One SQLite file. Writes run serially on the writer thread; reads run on the caller's thread."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.parent.mkdir(parents=True, exist_ok=True)
        self.engine = create_engine(
            f"sqlite:///{path}",
            connect_args={"timeout": 30, "check_same_thread": False},
        )
        event.listen(self.engine, "connect", _on_connect)
        self._writer = ThreadPoolExecutor(max_workers=1, thread_name_prefix="db-writer")
        self._writer_ident: int | None = None
        self._closed = False

    def migrate(self) -> None:
        """Bring the schema to the newest migration."""
        try:
            command.upgrade(alembic_config(self.engine), "head")
        except (OperationalError, DatabaseError) as err:
            raise StorageError(f"cannot open the database {self.path}: {err.orig}") from None
        except CommandError as err:  # a revision this build does not know: a newer version wrote the database
            raise StorageError(
                f"cannot open the database {self.path}: it was made by a newer version of NVR Desktop or another "
                f"program ({err}); run that version, or restore a backup made by this one"
            ) from None

    def read(self, fn: Callable[[Session], T]) -> T:
        """Run fn in a read-only session on this thread."""
        with Session(self.engine, expire_on_commit=False) as session:
            return fn(session)

    def _run_write(self, fn: Callable[[Session], T]) -> T:
        self._writer_ident = threading.get_ident()
        with Session(self.engine, expire_on_commit=False) as session, session.begin():
            return fn(session)

    def write(self, fn: Callable[[Session], T]) -> T:
        """Run fn in one transaction on the writer thread and return its result (or raise its error)."""
        if self._closed:
            raise RuntimeError("database is closed")
        if threading.get_ident() == self._writer_ident:
            with Session(self.engine, expire_on_commit=False) as session, session.begin():
                return fn(session)
        return self._writer.submit(self._run_write, fn).result(timeout=WRITE_TIMEOUT_S)

    def close(self) -> None:
        """Finish queued writes, stop the writer thread and release the file."""
        if self._closed:
            return
        self._closed = True
        self._writer.shutdown(wait=True)
        self.engine.dispose()
