"""Alembic environment: runs migrations on the engine handed in by Database.migrate()."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Engine

from nvr_desktop.storage.schema import Base

engine: Engine = context.config.attributes["engine"]
with engine.begin() as connection:
    context.configure(connection=connection, target_metadata=Base.metadata, render_as_batch=True)
    context.run_migrations()
