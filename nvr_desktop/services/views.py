"""Saved wall views: a user's named layouts (tile count and camera order)."""

from __future__ import annotations

import json
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from nvr_desktop.core.errors import NotFoundError, ValidationError
from nvr_desktop.core.grid import check_layout
from nvr_desktop.core.models import Principal
from nvr_desktop.core.roles import Permission
from nvr_desktop.security.access import AccessControl
from nvr_desktop.storage.database import Database
from nvr_desktop.storage.schema import ViewRow, utcnow

MAX_VIEW_NAME = 64


@dataclass(frozen=True)
class View:
    """A saved layout: tile count and the camera shown in each tile (None: empty tile)."""

    name: str
    layout: int
    camera_ids: tuple[int | None, ...]


def _view(row: ViewRow) -> View:
    ids = json.loads(row.camera_ids)
    return View(row.name, row.layout, tuple(int(i) if i is not None else None for i in ids))


class ViewService:
    """Saves, lists and deletes a user's views; cameras the user may not see are dropped on load."""

    def __init__(self, db: Database, access: AccessControl) -> None:
        self._db = db
        self._access = access

    def save(self, actor: Principal, name: str, layout: int, camera_ids: list[int | None]) -> View:
        """Create or replace the actor's view called name."""
        self._access.require(actor, Permission.LIVE_VIEW, action="view.save")
        clean = name.strip()
        if not clean or len(clean) > MAX_VIEW_NAME or any(ord(c) < 32 for c in clean):
            raise ValidationError(f"a view name needs 1-{MAX_VIEW_NAME} printable characters")
        try:
            check_layout(layout)
        except ValueError as err:
            raise ValidationError(str(err)) from None
        payload = json.dumps(list(camera_ids))

        def upsert(session: Session) -> View:
            row = session.scalars(
                select(ViewRow).where(ViewRow.user_id == actor.user_id, ViewRow.name == clean)
            ).first()
            if row is None:
                row = ViewRow(user_id=actor.user_id, name=clean, layout=layout, camera_ids=payload, created_at=utcnow())
                session.add(row)
            else:
                row.layout, row.camera_ids = layout, payload
            session.flush()
            return _view(row)

        return self._db.write(upsert)

    def list(self, actor: Principal) -> list[View]:
        """The actor's views by name, each limited to cameras the actor may see now."""
        visible = self._access.visible_camera_ids(actor)
        rows = self._db.read(
            lambda s: list(s.scalars(select(ViewRow).where(ViewRow.user_id == actor.user_id).order_by(ViewRow.name)))
        )
        views = [_view(r) for r in rows]
        if visible is None:
            return views
        return [View(v.name, v.layout, tuple(c if c in visible else None for c in v.camera_ids)) for v in views]

    def delete(self, actor: Principal, name: str) -> None:
        """Delete one of the actor's views."""

        def remove(session: Session) -> None:
            row = session.scalars(select(ViewRow).where(ViewRow.user_id == actor.user_id, ViewRow.name == name)).first()
            if row is None:
                raise NotFoundError(f"no view named '{name}'")
            session.delete(row)

        self._db.write(remove)
