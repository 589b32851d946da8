"""Queries over the recording index (segments and gaps). Paths are stored relative to the recordings folder."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from pathlib import Path

from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import Session

from nvr_desktop.core.recording import Gap, GapCause, SegmentInfo, SegmentState
from nvr_desktop.storage.schema import GapRow, SegmentRow


def _segment(row: SegmentRow, root: Path) -> SegmentInfo:
    return SegmentInfo(
        id=row.id,
        camera_id=row.camera_id,
        path=root / row.path,
        start=row.start,
        end=row.end,
        bytes=row.bytes,
        codec=row.codec,
        width=row.width,
        height=row.height,
        state=SegmentState(row.state),
        protected=row.protected,
    )


def _gap(row: GapRow) -> Gap:
    return Gap(camera_id=row.camera_id, start=row.start, end=row.end, cause=GapCause(row.cause), id=row.id)


def insert_segment(
    session: Session,
    root: Path,
    camera_id: int,
    path: Path,
    start: datetime,
    *,
    end: datetime | None = None,
    size: int = 0,
    codec: str = "",
    width: int = 0,
    height: int = 0,
    state: SegmentState = SegmentState.OPEN,
) -> SegmentInfo:
    """Index a segment (open while it is written)."""
    row = SegmentRow(
        camera_id=camera_id,
        path=path.relative_to(root).as_posix(),
        start=start,
        end=end,
        bytes=size,
        codec=codec,
        width=width,
        height=height,
        state=state.value,
        protected=False,
    )
    session.add(row)
    session.flush()
    return _segment(row, root)


def finish_segment(
    session: Session, segment_id: int, end: datetime, size: int, state: SegmentState = SegmentState.CLOSED
) -> None:
    """Record a segment's end, size and final state."""
    session.execute(
        update(SegmentRow).where(SegmentRow.id == segment_id).values(end=end, bytes=size, state=state.value)
    )


def set_protected(session: Session, segment_ids: Iterable[int], protected: bool) -> int:
    """Lock (or unlock) segments against retention; returns how many rows changed."""
    ids = list(segment_ids)
    result = session.execute(update(SegmentRow).where(SegmentRow.id.in_(ids)).values(protected=protected))
    return int(getattr(result, "rowcount", 0) or 0)


def delete_segments(session: Session, segment_ids: Iterable[int]) -> None:
    """Forget segments whose files retention deleted."""
    session.execute(delete(SegmentRow).where(SegmentRow.id.in_(list(segment_ids))))


def segments(
    session: Session,
    root: Path,
    *,
    camera_ids: Iterable[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    states: Iterable[SegmentState] | None = None,
) -> list[SegmentInfo]:
    """Segments by camera and start time, optionally those overlapping [start, end) (open ones count as ongoing)."""
    query = select(SegmentRow).order_by(SegmentRow.camera_id, SegmentRow.start, SegmentRow.id)
    if camera_ids is not None:
        query = query.where(SegmentRow.camera_id.in_(list(camera_ids)))
    if end is not None:
        query = query.where(SegmentRow.start < end)
    if start is not None:
        query = query.where(or_(SegmentRow.end.is_(None), SegmentRow.end > start))
    if states is not None:
        query = query.where(SegmentRow.state.in_([s.value for s in states]))
    return [_segment(r, root) for r in session.scalars(query)]


def segment(session: Session, root: Path, segment_id: int) -> SegmentInfo | None:
    """One segment by id."""
    row = session.get(SegmentRow, segment_id)
    return None if row is None else _segment(row, root)


def indexed_paths(session: Session) -> set[str]:
    """Every relative path the index knows."""
    return set(session.scalars(select(SegmentRow.path)))


def insert_gap(session: Session, camera_id: int, start: datetime, cause: GapCause) -> Gap:
    """Open a gap (no footage from start on)."""
    row = GapRow(camera_id=camera_id, start=start, end=None, cause=cause.value)
    session.add(row)
    session.flush()
    return _gap(row)


def close_gap(session: Session, gap_id: int, end: datetime) -> None:
    """Footage resumed at end."""
    session.execute(update(GapRow).where(GapRow.id == gap_id).values(end=end))


def gaps(
    session: Session,
    *,
    camera_ids: Iterable[int] | None = None,
    start: datetime | None = None,
    end: datetime | None = None,
    open_only: bool = False,
) -> list[Gap]:
    """Gaps by camera and time, optionally those overlapping [start, end) or still open."""
    query = select(GapRow).order_by(GapRow.camera_id, GapRow.start, GapRow.id)
    if camera_ids is not None:
        query = query.where(GapRow.camera_id.in_(list(camera_ids)))
    if end is not None:
        query = query.where(GapRow.start < end)
    if start is not None:
        query = query.where(or_(GapRow.end.is_(None), GapRow.end > start))
    if open_only:
        query = query.where(GapRow.end.is_(None))
    return [_gap(r) for r in session.scalars(query)]
