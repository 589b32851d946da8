"""The playback window: pick cameras, find footage on the timeline, play them in step, snapshot and export.

Everything reaches the recordings through RecordingsPort. Blocking calls that can take long (thumbnails, exports)
run on named Python threads that never touch Qt; their results come back through GUI-thread timers.
"""

from __future__ import annotations

import collections
import logging
import re
import threading
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta, tzinfo
from pathlib import Path

from PySide6.QtCore import QDate, QSize, Qt, QTime, QTimer, Signal
from PySide6.QtGui import QAction, QCloseEvent, QKeySequence, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QDateEdit,
    QFileDialog,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QMessageBox,
    QProgressDialog,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QTimeEdit,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.recording import PLAYBACK_SPEEDS
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.playback.clock import Clock, clock_text, day_span, local_day, moment_text, to_local, utc_now
from nvr_desktop.ui.playback.grid import PlaybackGrid
from nvr_desktop.ui.playback.icons import media_icon
from nvr_desktop.ui.playback.jobs import Background
from nvr_desktop.ui.playback.ports import (
    MAX_PLAYBACK_CAMERAS,
    ExportedFile,
    PlaybackCamera,
    PlaybackControl,
    ProtectionChange,
    RecordingsPort,
    TimelineData,
)
from nvr_desktop.ui.playback.timeline import (
    THUMB_BOX,
    TimelineWidget,
    gap_cause_label,
    merged_ranges,
    picture_to_qimage,
)
from nvr_desktop.ui.widgets import ErrorLabel

log = logging.getLogger("ui.playback")

#: Playback rates offered, slowest first.
SPEEDS = PLAYBACK_SPEEDS
REFRESH_MS = 40  # 25 Hz: pictures and the cursor
SEEK_COALESCE_MS = 80  # while scrubbing, at most one seek this often
FETCH_DELAY_MS = 150  # after zooming or panning, reload the timeline data once it settles
RELOAD_MS = 30_000  # reload the data of a view that reaches the present (recording goes on)
EXPORT_POLL_MS = 100
LIVE_EDGE = timedelta(seconds=30)  # "Now" plays from this long ago: the newest seconds are still being written
JUMP_SEARCH = timedelta(days=7)
MIN_BOTTOM_H = 150
RESTART_SLACK_S = 2.0  # "previous" inside a recording goes to its start unless already within this many seconds

#: Asks the user for a folder (parent, title); None when cancelled.
FolderChooser = Callable[[QWidget, str], Path | None]
#: Shows an error to the user (title, message).
ErrorSink = Callable[[str, str], None]
# Asks the user to confirm (title, question); True to go ahead.
Confirm = Callable[[str, str], bool]


def _speed_text(speed: float) -> str:
    return f"1/{round(1 / speed)}×" if speed < 1 else f"{speed:g}×"


def _file_stem(name: str, camera_id: int) -> str:
    """A camera name made safe for a file name."""
    stem = re.sub(r"[^\w-]+", "_", name, flags=re.UNICODE).strip("_")
    return stem or f"camera{camera_id}"


def _ask_folder(parent: QWidget, title: str) -> Path | None:
    chosen = QFileDialog.getExistingDirectory(parent, title, str(Path.home()))
    return Path(chosen) if chosen else None


def _ask_yes_no(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(parent, title, question, defaultButton=QMessageBox.StandardButton.No)
    return answer == QMessageBox.StandardButton.Yes


class PlaybackWindow(QWidget):
    """Synchronized playback of up to 16 cameras with a timeline, snapshots and export."""

    exported = Signal(list)  # paths written by a finished export

    def __init__(
        self,
        port: RecordingsPort,
        parent: QWidget | None = None,
        *,
        now: Clock = utc_now,
        zone: tzinfo | None = None,
        cameras: Sequence[int] | None = None,
        snapshot_dir: Path | None = None,
        choose_folder: FolderChooser | None = None,
        show_error: ErrorSink | None = None,
        confirm: Confirm | None = None,
        refresh_ms: int = REFRESH_MS,
    ) -> None:
        super().__init__(parent)
        self.setWindowFlag(Qt.WindowType.Window, True)
        self.setObjectName("playbackWindow")
        self.setWindowTitle(self.tr("Playback"))
        self._port = port
        self._now = now
        self._zone = zone
        self.snapshot_dir = snapshot_dir
        self._choose_folder = choose_folder or _ask_folder
        self._show_error_hook = show_error
        self._confirm = confirm or (lambda title, question: _ask_yes_no(self, title, question))
        self.message_box: QMessageBox | None = None
        self._cameras: dict[int, str] = {}
        self._selected: list[int] = []
        self._control: PlaybackControl | None = None
        self._data: TimelineData | None = None
        self._fetched: tuple[tuple[int, ...], datetime, datetime] | None = None
        self._position = now() - timedelta(minutes=5)
        self._speed = 1.0
        self._playing = False
        self._pending_seek: datetime | None = None
        self._export_cancel: threading.Event | None = None
        self._export_progress: collections.deque[float] = collections.deque(maxlen=1)
        self.export_dialog: QProgressDialog | None = None
        self.export_notes: list[str] = []  # why files of the last export end early
        self._export_jobs = Background("playback-export", self)
        self._time_typed = False
        self._user_sized = False  # once the user drags the splitter, the timeline keeps their height
        self._released = False
        self._box: tuple[int, int] = (0, 0)

        self._build()
        self._build_actions()

        self._tick = QTimer(self)
        self._tick.setTimerType(Qt.TimerType.PreciseTimer)
        self._tick.timeout.connect(self._on_tick)
        self._tick.start(refresh_ms)
        self._seek_timer = QTimer(self)
        self._seek_timer.setSingleShot(True)
        self._seek_timer.setInterval(SEEK_COALESCE_MS)
        self._seek_timer.timeout.connect(self._apply_pending_seek)
        self._fetch_timer = QTimer(self)
        self._fetch_timer.setSingleShot(True)
        self._fetch_timer.setInterval(FETCH_DELAY_MS)
        self._fetch_timer.timeout.connect(self.refresh_timeline)
        self._reload_timer = QTimer(self)
        self._reload_timer.timeout.connect(self._reload_if_live)
        self._reload_timer.start(RELOAD_MS)
        self._apply_timer = QTimer(self)
        self._apply_timer.setSingleShot(True)
        self._apply_timer.setInterval(0)
        self._apply_timer.timeout.connect(lambda: self._apply_selection(self._checked_ids()))
        self._export_timer = QTimer(self)
        self._export_timer.setInterval(EXPORT_POLL_MS)
        self._export_timer.timeout.connect(self._show_export_progress)

        self.timeline.show_around(now(), timedelta(hours=1), at=0.9)
        self.timeline.set_cursor(self._position)
        self._sync_day(self._position)
        self.reload_cameras()
        initial = list(cameras) if cameras is not None else list(self._cameras)[:1]
        self.set_selected_cameras(initial)
        self._show_selection_count()
        self._update_enabled()
        self.resize(1280, 800)

    # ---- construction ----------------------------------------------------------------------------------------

    def _build(self) -> None:
        self.camera_list = QListWidget(self)
        self.camera_list.setObjectName("playbackCameras")
        self.camera_list.setUniformItemSizes(True)
        self.camera_list.itemChanged.connect(self._camera_toggled)
        self.selection_label = QLabel(self)
        self.selection_label.setObjectName("playbackSelection")
        self.limit_label = ErrorLabel(self)
        self.day_edit = QDateEdit(self)
        self.day_edit.setObjectName("playbackDay")
        self.day_edit.setCalendarPopup(True)
        self.day_edit.setDisplayFormat("ddd d MMM yyyy")
        self.day_edit.dateChanged.connect(self.go_to_day)
        self.time_edit = QTimeEdit(self)
        self.time_edit.setObjectName("playbackTime")
        self.time_edit.setDisplayFormat("HH:mm:ss")
        self.time_edit.timeChanged.connect(self._time_changed)
        self.time_edit.editingFinished.connect(self._time_entered)
        self.now_button = QPushButton(self.tr("Now"), self)
        self.now_button.setObjectName("playbackNow")
        self.now_button.setToolTip(self.tr("Go to the newest footage"))
        self.now_button.clicked.connect(self.go_to_now)

        panel = QWidget(self)
        panel.setObjectName("playbackPanel")
        title = QLabel(self.tr("Cameras"), panel)
        title.setObjectName("playbackPanelTitle")
        goto_title = QLabel(self.tr("Go to"), panel)
        goto_title.setObjectName("playbackGotoTitle")
        for heading in (title, goto_title):
            font = heading.font()
            font.setBold(True)
            heading.setFont(font)
        self.day_edit.setToolTip(self.tr("Show a whole day"))
        self.day_edit.setAccessibleName(self.tr("Day"))
        self.time_edit.setToolTip(self.tr("Type a time of that day and press Enter"))
        self.time_edit.setAccessibleName(self.tr("Time"))
        goto = QGridLayout()
        goto.setContentsMargins(0, 0, 0, 0)
        goto.setSpacing(6)
        goto.addWidget(self.day_edit, 0, 0, 1, 2)
        goto.addWidget(self.time_edit, 1, 0)
        goto.addWidget(self.now_button, 1, 1)
        goto.setColumnStretch(0, 1)
        side = QVBoxLayout(panel)
        side.setContentsMargins(8, 8, 8, 8)
        side.setSpacing(6)
        side.addWidget(title)
        side.addWidget(self.camera_list, 1)
        side.addWidget(self.selection_label)
        side.addWidget(self.limit_label)
        side.addSpacing(6)
        side.addWidget(goto_title)
        side.addLayout(goto)
        panel.setMinimumWidth(240)

        self.grid = PlaybackGrid(self, zone=self._zone)
        self.grid.tileClicked.connect(lambda _cid: self.grid.setFocus())

        top = QSplitter(Qt.Orientation.Horizontal, self)
        top.setObjectName("playbackTopSplitter")
        top.addWidget(panel)
        top.addWidget(self.grid)
        top.setStretchFactor(0, 0)
        top.setStretchFactor(1, 1)
        top.setChildrenCollapsible(False)
        top.setSizes([250, 1030])

        self.previous_button = self._tool("previous", self.tr("Previous recording"), self.jump_previous)
        self.step_back_button = self._tool("step-back", self.tr("One frame back (Left)"), lambda: self.step(-1))
        self.play_button = self._tool("play", self.tr("Play (Space)"), self.toggle_play)
        self.play_button.setObjectName("playbackPlay")
        self.step_forward_button = self._tool(
            "step-forward", self.tr("One frame forward (Right)"), lambda: self.step(1)
        )
        self.next_button = self._tool("next", self.tr("Next recording"), self.jump_next)
        self.speed_combo = QComboBox(self)
        self.speed_combo.setObjectName("playbackSpeed")
        self.speed_combo.setToolTip(self.tr("Playback speed (+ and -)"))
        self.speed_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        for speed in SPEEDS:
            self.speed_combo.addItem(_speed_text(speed), speed)
        self.speed_combo.setCurrentIndex(SPEEDS.index(1.0))
        self.speed_combo.currentIndexChanged.connect(lambda index: self.set_speed(SPEEDS[index]))
        self.time_label = QLabel(self)
        self.time_label.setObjectName("playbackClock")
        self.time_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.time_label.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("playbackStatus")
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)
        self.status_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        # A long message is cut (its tooltip holds it whole) rather than pushing the buttons out of the window.
        self.status_label.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.snapshot_button = QPushButton(media_icon("snapshot"), self.tr("Snapshot"), self)
        self.snapshot_button.setObjectName("playbackSnapshot")
        self.snapshot_button.setToolTip(self.tr("Save the selected tile's picture as a JPEG"))
        self.snapshot_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.snapshot_button.clicked.connect(lambda: self.save_snapshot())
        self.export_button = QPushButton(media_icon("export"), self.tr("Export…"), self)
        self.export_button.setObjectName("playbackExport")
        self.export_button.setToolTip(
            self.tr("Export the range chosen with Shift+drag on the timeline (or the visible span) as MP4 files")
        )
        self.export_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.export_button.clicked.connect(lambda: self.export())
        self.protect_button = QPushButton(media_icon("lock"), self.tr("Protect"), self)
        self.protect_button.setObjectName("playbackProtect")
        self.protect_button.setToolTip(
            self.tr(
                "Protect the recordings of the range chosen with Shift+drag (or those at the cursor) "
                "so retention never deletes them"
            )
        )
        self.protect_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.protect_menu = QMenu(self.protect_button)
        self.protect_menu.setObjectName("playbackProtectMenu")
        self.action_protect = self.protect_menu.addAction(media_icon("lock"), self.tr("&Protect recordings"))
        self.action_protect.triggered.connect(lambda _checked=False: self.protect())
        self.action_unprotect = self.protect_menu.addAction(self.tr("&Remove protection…"))
        self.action_unprotect.triggered.connect(lambda _checked=False: self.unprotect())
        self.protect_button.setMenu(self.protect_menu)

        transport = QHBoxLayout()
        transport.setContentsMargins(8, 4, 8, 4)
        transport.setSpacing(4)
        for button in (
            self.previous_button,
            self.step_back_button,
            self.play_button,
            self.step_forward_button,
            self.next_button,
        ):
            transport.addWidget(button)
        transport.addSpacing(8)
        transport.addWidget(self.speed_combo)
        transport.addSpacing(12)
        transport.addWidget(self.time_label, 1)
        transport.addWidget(self.status_label, 1)
        transport.addSpacing(8)
        transport.addWidget(self.snapshot_button)
        transport.addWidget(self.protect_button)
        transport.addWidget(self.export_button)

        self.timeline = TimelineWidget(self, zone=self._zone, now=self._now)
        self.timeline.scrubbed.connect(self._scrubbed)
        self.timeline.cursorChosen.connect(self.seek)
        self.timeline.viewChanged.connect(lambda _a, _b: self._fetch_timer.start())
        self.timeline.rangeSelected.connect(self._range_selected)
        self.timeline.selectionCleared.connect(self._range_cleared)
        box = (
            round(THUMB_BOX.width() * self.devicePixelRatioF()),
            round(THUMB_BOX.height() * self.devicePixelRatioF()),
        )
        port = self._port
        self.timeline.set_thumbnail_source(lambda cid, when: port.thumbnail(cid, when, box))

        bottom = QWidget(self)
        bottom.setObjectName("playbackBottom")
        lower = QVBoxLayout(bottom)
        lower.setContentsMargins(0, 0, 0, 0)
        lower.setSpacing(0)
        self._transport = QWidget(bottom)
        self._transport.setObjectName("playbackTransport")
        self._transport.setLayout(transport)
        lower.addWidget(self._transport)
        lower.addWidget(self.timeline, 1)

        split = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter = split
        split.setObjectName("playbackSplitter")
        split.splitterMoved.connect(self._user_resized)
        split.addWidget(top)
        split.addWidget(bottom)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 0)
        split.setChildrenCollapsible(False)
        split.setSizes([560, 240])
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(split)

    def _tool(self, icon: str, tip: str, slot: Callable[[], object]) -> QToolButton:
        button = QToolButton(self)
        button.setIcon(media_icon(icon))
        button.setIconSize(QSize(22, 22))
        button.setAutoRaise(True)
        button.setToolTip(tip)
        button.setAccessibleName(tip)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # keys stay with the grid: Space plays, arrows step
        button.clicked.connect(lambda _checked=False: slot())
        return button

    def _build_actions(self) -> None:
        def action(keys: Sequence[QKeySequence | Qt.Key], slot: Callable[[], object]) -> QAction:
            act = QAction(self)
            act.setShortcuts([QKeySequence(k) for k in keys])
            act.setShortcutContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            act.triggered.connect(lambda _checked=False: slot())
            self.addAction(act)
            return act

        self.action_play = action([Qt.Key.Key_Space], self.toggle_play)
        self.action_step_back = action([Qt.Key.Key_Left], lambda: self.step(-1))
        self.action_step_forward = action([Qt.Key.Key_Right], lambda: self.step(1))
        self.action_faster = action([Qt.Key.Key_Plus, Qt.Key.Key_Equal], self.faster)
        self.action_slower = action([Qt.Key.Key_Minus], self.slower)
        self.action_clear_range = action([Qt.Key.Key_Escape], self.timeline.clear_selection)

    # ---- cameras ---------------------------------------------------------------------------------------------

    def reload_cameras(self) -> None:
        """Reload the cameras the user may play back into the list (ticks are kept)."""
        try:
            cameras: Sequence[PlaybackCamera] = self._port.cameras()
        except NvrError as err:
            cameras = []
            self._error(self.tr("Playback"), error_text(err))
        self._cameras = {c.id: c.name for c in cameras}
        blocked = self.camera_list.blockSignals(True)
        self.camera_list.clear()
        for camera in cameras:
            item = QListWidgetItem(camera.name, self.camera_list)
            item.setData(Qt.ItemDataRole.UserRole, camera.id)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked if camera.id in self._selected else Qt.CheckState.Unchecked)
        self.camera_list.blockSignals(blocked)
        kept = [cid for cid in self._selected if cid in self._cameras]
        if kept != self._selected:
            self._apply_selection(kept)

    def selected_cameras(self) -> list[int]:
        """Cameras played back, in tile order."""
        return list(self._selected)

    def set_selected_cameras(self, camera_ids: Sequence[int]) -> bool:
        """Play back these cameras; more than 16 is refused with a message (False)."""
        ids = [cid for cid in dict.fromkeys(camera_ids) if cid in self._cameras]
        if len(ids) > MAX_PLAYBACK_CAMERAS:
            self._refuse_more()
            return False
        blocked = self.camera_list.blockSignals(True)
        for row in range(self.camera_list.count()):
            item = self.camera_list.item(row)
            on = item.data(Qt.ItemDataRole.UserRole) in ids
            item.setCheckState(Qt.CheckState.Checked if on else Qt.CheckState.Unchecked)
        self.camera_list.blockSignals(blocked)
        self.limit_label.clear_message()
        self._apply_selection(ids)
        return True

    def set_camera_checked(self, camera_id: int, checked: bool) -> bool:
        """Tick or untick a camera as a user would; False when a 17th camera is refused."""
        for row in range(self.camera_list.count()):
            item = self.camera_list.item(row)
            if item.data(Qt.ItemDataRole.UserRole) == camera_id:
                item.setCheckState(Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
                return item.checkState() == (Qt.CheckState.Checked if checked else Qt.CheckState.Unchecked)
        return False

    def _checked_ids(self) -> list[int]:
        checked = []
        for row in range(self.camera_list.count()):
            item = self.camera_list.item(row)
            if item.checkState() == Qt.CheckState.Checked:
                checked.append(int(item.data(Qt.ItemDataRole.UserRole)))
        # Keep the order cameras were ticked in, new ones at the end, so tiles do not jump around.
        return [cid for cid in self._selected if cid in checked] + [cid for cid in checked if cid not in self._selected]

    def _camera_toggled(self, item: QListWidgetItem) -> None:
        if item.checkState() == Qt.CheckState.Checked and len(self._checked_ids()) > MAX_PLAYBACK_CAMERAS:
            blocked = self.camera_list.blockSignals(True)
            item.setCheckState(Qt.CheckState.Unchecked)
            self.camera_list.blockSignals(blocked)
            self._refuse_more()
            return
        self.limit_label.clear_message()
        self._apply_timer.start()  # several ticks in one event-loop turn reopen the playback once

    def _refuse_more(self) -> None:
        self.limit_label.show_message(
            self.tr("At most %1 cameras play back together. Untick one first.").replace("%1", str(MAX_PLAYBACK_CAMERAS))
        )

    def _apply_selection(self, camera_ids: list[int], *, reopen: bool = False) -> None:
        """Show and play back exactly these cameras, keeping the time, speed and play state."""
        if not reopen and camera_ids == self._selected and (self._control is not None or not camera_ids):
            return
        self._close_control()
        self._selected = list(camera_ids)
        named = [(cid, self._cameras.get(cid, str(cid))) for cid in self._selected]
        self.grid.set_cameras(named)
        self.timeline.set_cameras(named)
        self._show_selection_count()
        if self._selected:
            try:
                self._control = self._port.open_playback(list(self._selected), self.grid.video_box())
            except NvrError as err:
                self._error(self.tr("Playback"), error_text(err))
            else:
                self._box = self.grid.video_box()
                self.grid.set_source(self._control.frames)
                self._control.set_speed(self._speed)
                self._control.seek(self._position)
                if self._playing:
                    self._control.play()
        self._fetched = None
        self.refresh_timeline()
        self._update_enabled()
        self._update_statuses()
        self._fit_timeline()

    def _show_selection_count(self) -> None:
        self.selection_label.setText(
            self.tr("%1 of %2 cameras selected")
            .replace("%1", str(len(self._selected)))
            .replace("%2", str(MAX_PLAYBACK_CAMERAS))
        )

    def _user_resized(self, _pos: int, _index: int) -> None:
        self._user_sized = True

    def _fit_timeline(self) -> None:
        """Give the timeline the height its rows need (within limits) until the user sizes it."""
        if self._user_sized:
            return
        total = sum(self.splitter.sizes()) or self.height()
        wanted = self.transport_height() + self.timeline.preferred_height()
        bottom = max(MIN_BOTTOM_H, min(wanted, total * 45 // 100))
        self.splitter.setSizes([max(1, total - bottom), bottom])

    def transport_height(self) -> int:
        """Height of the transport bar above the timeline."""
        return self._transport.sizeHint().height()

    def _close_control(self) -> None:
        control, self._control = self._control, None
        self.grid.set_source(None)
        if control is not None:
            try:
                control.close()
            except Exception:  # a failing engine must not keep the window from closing
                log.exception("closing the playback failed")

    @property
    def control(self) -> PlaybackControl | None:
        """The running playback, if cameras are selected."""
        return self._control

    def _update_enabled(self) -> None:
        has = self._control is not None
        for widget in (
            self.previous_button,
            self.step_back_button,
            self.play_button,
            self.step_forward_button,
            self.next_button,
            self.speed_combo,
        ):
            widget.setEnabled(has)
        self.snapshot_button.setEnabled(has and self.snapshot_dir is not None)
        self.export_button.setEnabled(bool(self._selected) and self._export_cancel is None)
        self.protect_button.setEnabled(bool(self._selected))

    # ---- transport -----------------------------------------------------------------------------------------------

    @property
    def position(self) -> datetime:
        """The time cursor."""
        return self._position

    @property
    def playing(self) -> bool:
        """True while playing."""
        return self._playing

    @property
    def speed(self) -> float:
        """The playback rate."""
        return self._speed

    def play(self) -> None:
        """Start playing at the current speed."""
        self._playing = True
        if self._control is not None:
            self._control.play()
        self._show_play_state()

    def pause(self) -> None:
        """Stop at the current picture."""
        self._playing = False
        if self._control is not None:
            self._control.pause()
        self._show_play_state()

    def toggle_play(self) -> None:
        """Play when paused, pause when playing (Space)."""
        if self._playing:
            self.pause()
        else:
            self.play()

    def set_speed(self, speed: float) -> None:
        """Change the rate to the nearest offered one (1/8x to 16x)."""
        nearest = min(SPEEDS, key=lambda s: abs(s - speed))
        self._speed = nearest
        index = SPEEDS.index(nearest)
        if self.speed_combo.currentIndex() != index:
            blocked = self.speed_combo.blockSignals(True)
            self.speed_combo.setCurrentIndex(index)
            self.speed_combo.blockSignals(blocked)
        if self._control is not None:
            self._control.set_speed(nearest)

    def faster(self) -> None:
        """Double the speed, up to 16x (+)."""
        self.set_speed(SPEEDS[min(len(SPEEDS) - 1, SPEEDS.index(self._speed) + 1)])

    def slower(self) -> None:
        """Halve the speed, down to 1/8x (-)."""
        self.set_speed(SPEEDS[max(0, SPEEDS.index(self._speed) - 1)])

    def step(self, direction: int) -> None:
        """One frame forward (+1) or back (-1); pauses (Left / Right)."""
        if self._control is None:
            return
        if self._playing:
            self.pause()
        self._control.step(1 if direction > 0 else -1)

    def seek(self, when: datetime) -> None:
        """Move the time cursor (and every tile) to a time, bringing it into the timeline's view."""
        self._seek_timer.stop()
        self._pending_seek = None
        self._position = when
        if not self.timeline.view_start <= when < self.timeline.view_end:
            self.timeline.show_around(when)
            self.refresh_timeline()
        self.timeline.set_cursor(when)
        self.grid.set_time(when)
        self._show_time(when)
        if self._control is not None:
            self._control.seek(when)
        self._update_statuses()

    def _scrubbed(self, when: datetime) -> None:
        self._pending_seek = when
        self._position = when
        self.grid.set_time(when)
        self._show_time(when)
        self._update_statuses()
        if not self._seek_timer.isActive():
            self._seek_timer.start()

    def _apply_pending_seek(self) -> None:
        when, self._pending_seek = self._pending_seek, None
        if when is not None and self._control is not None:
            self._control.seek(when)

    def _show_play_state(self) -> None:
        self.play_button.setIcon(media_icon("pause" if self._playing else "play"))
        tip = self.tr("Pause (Space)") if self._playing else self.tr("Play (Space)")
        self.play_button.setToolTip(tip)
        self.play_button.setAccessibleName(tip)

    def _show_time(self, when: datetime) -> None:
        self.time_label.setText(moment_text(when, self._zone))
        self._sync_day(when)

    def _sync_day(self, when: datetime) -> None:
        local = to_local(when, self._zone)
        if not self.day_edit.hasFocus():  # never overwrite what the user is typing
            blocked = self.day_edit.blockSignals(True)
            self.day_edit.setDate(local_day(when, self._zone))
            self.day_edit.blockSignals(blocked)
        if not self.time_edit.hasFocus():
            blocked = self.time_edit.blockSignals(True)
            self.time_edit.setTime(QTime(local.hour, local.minute, local.second))
            self.time_edit.blockSignals(blocked)
            self._time_typed = False

    # ---- the refresh tick --------------------------------------------------------------------------------------

    def _on_tick(self) -> None:
        control = self._control
        if control is None:
            return
        playing = control.playing
        if playing != self._playing:  # the engine stopped by itself (end of footage)
            self._playing = playing
            self._show_play_state()
        if not self.timeline.scrubbing and self._pending_seek is None:
            position = control.position
            if position != self._position:
                self._position = position
                self.timeline.set_cursor(position)
                self.grid.set_time(position)
                self._show_time(position)
                self._follow(position)
        if self.grid.poll() or playing:
            self._update_statuses()
        box = self.grid.video_box()
        if box != self._box:  # the tiles changed size: let the engine scale to it
            self._box = box
            control.set_box(box)

    def _follow(self, position: datetime) -> None:
        """Keep the cursor in view while playing: page the timeline on when it runs off an edge."""
        if not self._playing:
            return
        if position >= self.timeline.view_end or position < self.timeline.view_start:
            self.timeline.show_around(position, at=0.1)

    def _update_statuses(self) -> None:
        """Per tile: the picture, 'Loading…' while the engine decodes, or 'No recording' and why."""
        data = self._data
        when = self._position
        known = data is not None and data.covers(when)
        for camera_id in self._selected:
            recorded = self.timeline.recorded_at(camera_id, when) if known else self.grid.has_picture(camera_id)
            if recorded and self.grid.has_picture(camera_id):
                text = ""
            elif recorded:
                text = self.tr("Loading…")
            else:
                gap = self.timeline.gap_at(camera_id, when) if known else None
                text = self.tr("No recording")
                if gap is not None:
                    text += "\n" + gap_cause_label(gap.cause)
            self.grid.set_status(camera_id, text)

    # ---- timeline data and navigation ------------------------------------------------------------------------------

    def refresh_timeline(self, force: bool = False) -> None:
        """Load the recordings around the visible span (skipped when what is loaded already covers it)."""
        ids = tuple(self._selected)
        if not ids:
            self._data = None
            self._fetched = None
            self.timeline.set_data(None)
            return
        view_start, view_end = self.timeline.view_start, self.timeline.view_end
        fetched = self._fetched
        if (
            not force
            and fetched is not None
            and fetched[0] == ids
            and fetched[1] <= view_start
            and view_end <= fetched[2]
        ):
            return
        margin = view_end - view_start
        start, end = view_start - margin, view_end + margin
        try:
            data = self._port.timeline(list(ids), start, end)
        except NvrError as err:
            self._status(error_text(err))
            return
        self._data = data
        self._fetched = (ids, start, end)
        self.timeline.set_data(data)
        self._update_statuses()

    def _reload_if_live(self) -> None:
        if self.timeline.view_end >= self._now() - timedelta(minutes=1):
            self.refresh_timeline(force=True)

    @property
    def timeline_data(self) -> TimelineData | None:
        """The recordings the timeline shows."""
        return self._data

    def _range_starts(self, data: TimelineData | None) -> list[float]:
        if data is None:
            return []
        starts: set[float] = set()
        for camera_id in self._selected:
            starts.update(a for a, _b in merged_ranges(data.track(camera_id)))
        return sorted(starts)

    def _find(self, forward: bool) -> datetime | None:
        now = self._position.timestamp()
        later = [t for t in self._range_starts(self._data) if t > now + 0.5]
        earlier = [t for t in self._range_starts(self._data) if t < now - RESTART_SLACK_S]
        found = (later[0] if later else None) if forward else (earlier[-1] if earlier else None)
        if found is None and self._selected:
            # Past what is loaded: ask the service for a week further on.
            start, end = (
                (self._position, self._position + JUMP_SEARCH)
                if forward
                else (self._position - JUMP_SEARCH, self._position)
            )
            try:
                wider = self._port.timeline(list(self._selected), start, end)
            except NvrError as err:
                self._status(error_text(err))
                return None
            starts = self._range_starts(wider)
            later = [t for t in starts if t > now + 0.5]
            earlier = [t for t in starts if t < now - RESTART_SLACK_S]
            found = (later[0] if later else None) if forward else (earlier[-1] if earlier else None)
        return datetime.fromtimestamp(found, UTC) if found is not None else None

    def jump_next(self) -> bool:
        """Go to the start of the next recording of any selected camera."""
        when = self._find(forward=True)
        if when is None:
            self._status(self.tr("No later recording"))
            return False
        self._go(when)
        return True

    def jump_previous(self) -> bool:
        """Go to the start of this recording, or of the one before when already there."""
        when = self._find(forward=False)
        if when is None:
            self._status(self.tr("No earlier recording"))
            return False
        self._go(when)
        return True

    def _go(self, when: datetime) -> None:
        if not self.timeline.view_start <= when < self.timeline.view_end:
            self.timeline.show_around(when, at=0.1)
            self.refresh_timeline()
        self.seek(when)

    def go_to_day(self, day: QDate) -> None:
        """Show a whole local day and go to its first footage (its start when it has none)."""
        start, end = day_span(day, self._zone)
        self.timeline.set_view(start, end - start)
        self.refresh_timeline()
        a, b = start.timestamp(), end.timestamp()
        starts = [
            max(lo, a)
            for camera_id in self._selected
            for lo, hi in (merged_ranges(self._data.track(camera_id)) if self._data is not None else [])
            if hi > a and lo < b
        ]
        first = datetime.fromtimestamp(min(starts), UTC) if starts else start
        self.seek(first)

    def go_to_time(self, day: QDate, clock: QTime) -> None:
        """Go to a local date and time (the earlier one when clocks went back)."""
        naive = datetime(day.year(), day.month(), day.day(), clock.hour(), clock.minute(), clock.second())
        when = (naive.replace(tzinfo=self._zone) if self._zone is not None else naive.astimezone()).astimezone(UTC)
        self._go(when)

    def _time_changed(self, _value: QTime) -> None:
        self._time_typed = True  # only user edits arrive here: updates from the cursor block signals

    def _time_entered(self) -> None:
        if self._time_typed:
            self._time_typed = False
            self.go_to_time(self.day_edit.date(), self.time_edit.time())

    def go_to_now(self) -> None:
        """Show the last hour and play from just before now (the newest seconds are still being written)."""
        now = self._now()
        self.timeline.show_around(now, timedelta(hours=1), at=0.9)
        self.refresh_timeline()
        self.seek(now - LIVE_EDGE)

    # ---- snapshot ---------------------------------------------------------------------------------------------

    def save_snapshot(self, camera_id: int | None = None) -> Path | None:
        """Save the picture of a tile (default: the selected one) as <camera>_<UTC time>.jpg in snapshot_dir."""
        camera_id = camera_id if camera_id is not None else self.grid.selected
        folder = self.snapshot_dir
        if camera_id is None or folder is None:
            return None
        picture = self._control.snapshot(camera_id) if self._control is not None else None
        if picture is not None:
            image, when = picture_to_qimage(picture.image), picture.time
        else:
            shown = self.grid.picture(camera_id)
            if shown is None or self.grid.status(camera_id):
                self._status(self.tr("No picture to save at this time"))
                return None
            image, when = shown, self._position
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except OSError as err:
            self._error(
                self.tr("Snapshot"),
                self.tr("Cannot create the folder %1: %2")
                .replace("%1", str(folder))
                .replace("%2", err.strerror or str(err)),
            )
            return None
        stem = f"{_file_stem(self.grid.name_of(camera_id), camera_id)}_{when.astimezone(UTC):%Y%m%dT%H%M%S_%fZ}"
        path = folder / f"{stem}.jpg"
        counter = 2
        while path.exists():
            path = folder / f"{stem}-{counter}.jpg"
            counter += 1
        # PySide6 6.11 stubs say bytes, the binding takes only str.
        if not image.save(str(path), "JPG", 92):  # type: ignore[call-overload]
            self._error(self.tr("Snapshot"), self.tr("Cannot write %1").replace("%1", str(path)))
            return None
        self._status(self.tr("Snapshot saved: %1").replace("%1", str(path)))
        return path

    # ---- export -----------------------------------------------------------------------------------------------

    def export_range(self) -> tuple[datetime, datetime]:
        """What Export writes: the range chosen on the timeline, else the visible span."""
        return self.timeline.selection or (self.timeline.view_start, self.timeline.view_end)

    def export(self, start: datetime | None = None, end: datetime | None = None, folder: Path | None = None) -> bool:
        """Export the selected cameras over a range into a folder (asked when not given); False if not started."""
        if self._export_cancel is not None or not self._selected:
            return False
        if start is None or end is None:
            start, end = self.export_range()
        if folder is None:
            folder = self._choose_folder(self, self.tr("Export to folder"))
            if folder is None:
                return False
        ids = list(self._selected)
        cancel = threading.Event()
        progress = self._export_progress
        progress.clear()
        progress.append(0.0)
        self._export_cancel = cancel
        dialog = QProgressDialog(self.tr("Exporting %n camera(s)…", "", len(ids)), self.tr("Cancel"), 0, 1000, self)
        dialog.setObjectName("playbackExportProgress")
        dialog.setWindowTitle(self.tr("Export"))
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setMinimumDuration(0)
        dialog.setAutoClose(False)
        dialog.setAutoReset(False)
        dialog.canceled.connect(self.cancel_export)
        dialog.setValue(0)
        dialog.show()
        self.export_dialog = dialog
        port, a, b = self._port, start, end
        self._export_jobs.submit(
            lambda: port.export(ids, a, b, folder, progress.append, cancel),
            lambda results: self._export_done(folder, results),
            self._export_failed,
        )
        self._export_timer.start()
        self._update_enabled()
        return True

    @property
    def exporting(self) -> bool:
        """True while an export runs."""
        return self._export_cancel is not None

    def cancel_export(self) -> None:
        """Ask the running export to stop (it deletes what it wrote)."""
        if self._export_cancel is not None:
            self._export_cancel.set()
            if self.export_dialog is not None:
                self.export_dialog.setLabelText(self.tr("Cancelling…"))

    def _show_export_progress(self) -> None:
        dialog = self.export_dialog
        if dialog is not None and self._export_progress:
            dialog.setValue(round(max(0.0, min(1.0, self._export_progress[-1])) * 1000))

    def _finish_export(self) -> threading.Event | None:
        self._export_timer.stop()
        cancel, self._export_cancel = self._export_cancel, None
        dialog, self.export_dialog = self.export_dialog, None
        if dialog is not None:
            dialog.canceled.disconnect(self.cancel_export)
            dialog.close()
            dialog.deleteLater()
        self._update_enabled()
        return cancel

    def _export_done(self, folder: Path, results: Sequence[ExportedFile]) -> None:
        self._finish_export()
        paths = [r.path for r in results]
        done = self.tr("Exported %n file(s) to %1", "", len(paths)).replace("%1", str(folder))
        notes = [self._cut_short_text(r) for r in results if r.cut_short]
        self.export_notes = notes
        self._status(" ".join([done, *notes]))
        if notes:
            self._show_message(self.tr("Export finished early"), "\n\n".join([done, *notes]))
        self.exported.emit(paths)

    def _cut_short_text(self, result: ExportedFile) -> str:
        name = self._cameras.get(result.camera_id, str(result.camera_id))
        return (
            self.tr("%1 ends early, at %2: %3.")
            .replace("%1", name)
            .replace("%2", moment_text(result.end, self._zone))
            .replace("%3", result.cut_short)
        )

    def _export_failed(self, err: Exception) -> None:
        cancel = self._finish_export()
        if cancel is not None and cancel.is_set():
            self._status(self.tr("Export cancelled"))
        elif isinstance(err, NvrError):
            self._error(self.tr("Export failed"), error_text(err))
        else:
            log.error("export failed: %r", err)
            self._error(
                self.tr("Export failed"), self.tr("The export failed: %1").replace("%1", str(err) or type(err).__name__)
            )

    # ---- protection -----------------------------------------------------------------------------------------------

    def protect_range(self) -> tuple[datetime, datetime]:
        """What Protect acts on: the range chosen on the timeline, else the instant at the cursor (its files)."""
        return self.timeline.selection or (self._position, self._position)

    def protect(self, start: datetime | None = None, end: datetime | None = None) -> ProtectionChange | None:
        """Protect the recordings of the ticked cameras over a range (default: protect_range()) against retention;
        None when nothing was asked or the service refused."""
        return self._set_protection(True, start, end)

    def unprotect(self, start: datetime | None = None, end: datetime | None = None) -> ProtectionChange | None:
        """Remove the protection of the ticked cameras' recordings over a range, once the user confirms."""
        return self._set_protection(False, start, end)

    def _set_protection(self, protected: bool, start: datetime | None, end: datetime | None) -> ProtectionChange | None:
        if not self._selected:
            return None
        if start is None or end is None:
            start, end = self.protect_range()
        ids = list(self._selected)
        if not protected:
            question = (
                self.tr("Remove the protection of the recordings of %n camera(s) %1?", "", len(ids)).replace(
                    "%1", self._span_text(start, end)
                )
                + "\n\n"
                + self.tr("Retention may then delete them: footage older than a camera's limit goes within a minute.")
            )
            if not self._confirm(self.tr("Remove protection"), question):
                return None
        try:
            change = self._port.protect(ids, start, end, protected)
        except NvrError as err:
            self._error(self.tr("Protect recordings"), error_text(err))
            return None
        self._status(self._protection_text(change, protected))
        self.refresh_timeline(force=True)
        return change

    def _span_text(self, start: datetime, end: datetime) -> str:
        if end <= start:
            return self.tr("at %1").replace("%1", clock_text(start, self._zone))
        same_day = local_day(start, self._zone) == local_day(end, self._zone)
        return (
            self.tr("from %1 to %2")
            .replace("%1", clock_text(start, self._zone) if same_day else moment_text(start, self._zone))
            .replace("%2", clock_text(end, self._zone) if same_day else moment_text(end, self._zone))
        )

    def _protection_text(self, change: ProtectionChange, protected: bool) -> str:
        if not change.files:
            return self.tr("No recordings there")
        span = self._span_text(min(a for a, _b in change.files), max(b for _a, b in change.files))
        count = len(change.files)
        if protected and change.changed:
            text = self.tr("Protected %n recording file(s) %1.", "", count)
        elif protected:
            text = self.tr("Already protected: %n recording file(s) %1.", "", count)
        elif change.changed:
            text = self.tr("Removed the protection of %n recording file(s) %1.", "", count)
        else:
            text = self.tr("Not protected: %n recording file(s) %1.", "", count)
        return text.replace("%1", span)

    # ---- timeline selection -------------------------------------------------------------------------------------

    def _range_selected(self, start: datetime, end: datetime) -> None:
        self.export_button.setText(self.tr("Export range…"))
        self.export_button.setMinimumWidth(self.export_button.sizeHint().width())  # the longer text must not clip
        same_day = local_day(start, self._zone) == local_day(end, self._zone)
        self._status(
            self.tr("Range chosen: %1 to %2")
            .replace("%1", clock_text(start, self._zone) if same_day else moment_text(start, self._zone))
            .replace("%2", clock_text(end, self._zone) if same_day else moment_text(end, self._zone))
        )

    def _range_cleared(self) -> None:
        self.export_button.setText(self.tr("Export…"))

    # ---- messages ---------------------------------------------------------------------------------------------

    def _status(self, text: str) -> None:
        self.status_label.setText(text)
        self.status_label.setToolTip(text)

    def _error(self, title: str, text: str) -> None:
        self._status(text)
        if self._show_error_hook is not None:
            self._show_error_hook(title, text)
            return
        self._show_message(title, text, QMessageBox.Icon.Warning)

    def _show_message(self, title: str, text: str, icon: QMessageBox.Icon = QMessageBox.Icon.Information) -> None:
        if self.message_box is not None:
            self.message_box.close()
        box = QMessageBox(icon, title, text, QMessageBox.StandardButton.Ok, self)
        box.setObjectName("playbackError" if icon == QMessageBox.Icon.Warning else "playbackMessage")
        box.setWindowModality(Qt.WindowModality.WindowModal)
        box.open()  # non-blocking: the tick keeps running
        self.message_box = box

    # ---- shutdown -------------------------------------------------------------------------------------------

    def release(self) -> None:
        """Stop timers and threads and close the playback (bounded waits); showing the window again resumes."""
        self._released = True
        self._playing = False
        self._show_play_state()
        for timer in (
            self._tick,
            self._seek_timer,
            self._fetch_timer,
            self._reload_timer,
            self._apply_timer,
            self._export_timer,
        ):
            timer.stop()
        if self._export_cancel is not None:
            self._export_cancel.set()
        self._export_jobs.stop()
        self._export_cancel = None
        if self.export_dialog is not None:
            self.export_dialog.close()
            self.export_dialog = None
        self.timeline.release()
        self._close_control()

    def showEvent(self, event: QShowEvent) -> None:
        """Fit the timeline to its rows once the window has its size; reopen the playback after a close."""
        super().showEvent(event)
        if self._released:
            self._released = False
            self._tick.start()
            self._reload_timer.start()
            self._apply_selection(list(self._selected), reopen=True)
        self._fit_timeline()

    def closeEvent(self, event: QCloseEvent) -> None:
        """Closing the window stops playback and any export."""
        self.release()
        super().closeEvent(event)
