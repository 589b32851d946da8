"""The main window: camera tree on the left, the wall in the middle, menus and a status bar."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QModelIndex, QSortFilterProxyModel, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QActionGroup, QCloseEvent, QKeyEvent, QKeySequence
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QDockWidget,
    QHeaderView,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QSystemTrayIcon,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop import APP_NAME
from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.core.roles import Permission
from nvr_desktop.media.state import StreamState
from nvr_desktop.ui.bridge import StreamBridge
from nvr_desktop.ui.dialogs.about import AboutDialog
from nvr_desktop.ui.dialogs.add_camera import AddCameraDialog
from nvr_desktop.ui.dialogs.backup import BackupDialog
from nvr_desktop.ui.dialogs.camera_settings import CameraSettingsDialog
from nvr_desktop.ui.dialogs.edge_devices import EdgeDevicesDialog
from nvr_desktop.ui.dialogs.settings import SettingsDialog
from nvr_desktop.ui.dialogs.users import UsersDialog
from nvr_desktop.ui.events.panel import AlertBanner, AlertNotifier, EventPanel
from nvr_desktop.ui.labels import error_text, role_label
from nvr_desktop.ui.models.camera_tree import CAMERA_ID_ROLE, CameraTreeModel
from nvr_desktop.ui.overview import OverviewPanel
from nvr_desktop.ui.playback.clock import clock_text, date_text, to_local, utc_now
from nvr_desktop.ui.playback.window import PlaybackWindow
from nvr_desktop.ui.wall.ports import LiveFactory
from nvr_desktop.ui.wall.ptz_panel import PtzPanel
from nvr_desktop.ui.wall.video_wall import VideoWall, WallCamera
from nvr_desktop.ui.widgets import app_icon

if TYPE_CHECKING:
    from nvr_desktop.app import Services

#: Wall layouts offered in View > Layout (number of tiles).
LAYOUTS = (1, 4, 9, 16, 25, 36, 64, 128)
DEFAULT_LAYOUT = 4
# Cameras > Record for: the durations offered, in minutes (Other duration… asks for any up to a day).
RECORD_FOR_MINUTES = (1, 5, 15, 30, 60)
MAX_RECORD_MINUTES = 24 * 60


class CameraTreeView(QTreeView):
    """The camera tree: drag-only, several cameras can be selected and dragged at once."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("cameraTree")
        self.setDragEnabled(True)
        self.setDragDropMode(QAbstractItemView.DragDropMode.DragOnly)
        self.setDefaultDropAction(Qt.DropAction.CopyAction)
        self.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setUniformRowHeights(True)
        self.setAnimated(True)
        self.setAllColumnsShowFocus(True)


class MainWindow(QMainWindow):
    """The window a logged-in user works in."""

    layoutChanged = Signal(int)

    def __init__(
        self,
        services: Services,
        principal: Principal,
        make_live: LiveFactory,
        parent: QWidget | None = None,
        *,
        demo: bool = False,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._demo = demo
        self.principal = principal
        self.layout_tiles = DEFAULT_LAYOUT
        self._dialogs: list[QDialog] = []
        self.setObjectName("mainWindow")
        self.setWindowTitle(f"{APP_NAME} — {principal.name} ({role_label(principal.role)})")
        self.setWindowIcon(app_icon())

        self.camera_model = CameraTreeModel(self)
        self.camera_proxy = QSortFilterProxyModel(self)
        self.camera_proxy.setSourceModel(self.camera_model)
        self.camera_proxy.setRecursiveFilteringEnabled(True)
        self.camera_proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.camera_proxy.setFilterKeyColumn(CameraTreeModel.NAME_COLUMN)

        self.bridge = StreamBridge(self)
        self._live = make_live(self.bridge.relay)
        live = self._live
        self.wall = VideoWall(live.supervisor.frames, live.supervisor, self, snapshot_dir=services.paths.snapshots)
        self.wall.set_layout(self.layout_tiles)
        self.bridge.stateChanged.connect(self.wall.on_state)
        self.bridge.stateChanged.connect(self.camera_model.set_stream_state)
        self.wall.pageChanged.connect(self._show_page)
        self.ptz_panel: PtzPanel | None = None
        if principal.can(Permission.PTZ):
            self.ptz_panel = PtzPanel(services.ptz, principal, self.wall, services.secrets)
            self.wall.ptz = self.ptz_panel
            self.wall.soloChanged.connect(self.ptz_panel.set_camera)
        # The banner tells of alerts when there is no system tray; it sits above the wall and never takes focus.
        self.alert_banner = AlertBanner(self)
        central = QWidget(self)
        central.setObjectName("centralArea")
        column = QVBoxLayout(central)
        column.setContentsMargins(0, 0, 0, 0)
        column.setSpacing(0)
        column.addWidget(self.alert_banner)
        column.addWidget(self.wall, 1)
        self.setCentralWidget(central)
        self._recording = services.runtime.recording if services.runtime is not None else None
        self._playback: PlaybackWindow | None = None
        self._build_camera_dock()
        self._build_event_dock()
        self._build_status_bar()
        self._build_menus()
        self._recording_timer = QTimer(self)
        self._recording_timer.setInterval(1000)
        self._recording_timer.timeout.connect(self.poll_recording)
        if self._recording is not None:
            self._recording_timer.start()
        self.resize(1280, 800)
        self.refresh_cameras()
        self.connect_streams()
        self.camera_tree.setFocus()

    # ---- construction ------------------------------------------------------------------------------

    def _build_camera_dock(self) -> None:
        self.camera_filter = QLineEdit(self)
        self.camera_filter.setObjectName("cameraFilter")
        self.camera_filter.setPlaceholderText(self.tr("Filter cameras…"))
        self.camera_filter.setClearButtonEnabled(True)
        self.camera_filter.textChanged.connect(self._filter_cameras)
        self.camera_tree = CameraTreeView(self)
        self.camera_tree.doubleClicked.connect(lambda index: self._open_camera(index))
        self.camera_tree.setModel(self.camera_proxy)
        header = self.camera_tree.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(CameraTreeModel.NAME_COLUMN, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(CameraTreeModel.STATUS_COLUMN, QHeaderView.ResizeMode.ResizeToContents)
        panel = QWidget(self)
        panel.setObjectName("cameraPanel")
        layout = QVBoxLayout(panel)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.setSpacing(6)
        layout.addWidget(self.camera_filter)
        layout.addWidget(self.camera_tree, 1)
        self.camera_dock = QDockWidget(self.tr("Cameras"), self)
        self.camera_dock.setObjectName("cameraDock")
        self.camera_dock.setAllowedAreas(Qt.DockWidgetArea.LeftDockWidgetArea | Qt.DockWidgetArea.RightDockWidgetArea)
        self.camera_dock.setWidget(panel)
        self.camera_dock.setMinimumWidth(240)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.camera_dock)
        self.resizeDocks([self.camera_dock], [310], Qt.Orientation.Horizontal)  # group titles fit beside a status

    def _build_event_dock(self) -> None:
        self.event_panel = EventPanel(self._services, self.principal, self)
        self.event_dock = QDockWidget(self.tr("Events and alerts"), self)
        self.event_dock.setObjectName("eventDock")
        self.event_dock.setWidget(self.event_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.event_dock)
        self.resizeDocks([self.event_dock], [300], Qt.Orientation.Vertical)
        self.tray: QSystemTrayIcon | None = None
        if QSystemTrayIcon.isSystemTrayAvailable():
            self.tray = QSystemTrayIcon(app_icon(), self)
            self.tray.setToolTip(APP_NAME)
            self.tray.show()
        self.alert_notifier = AlertNotifier(self.alert_banner, self.tray)
        self.event_panel.alertRaised.connect(self.alert_notifier.notify)
        services, principal = self._services, self.principal
        self.overview_panel = OverviewPanel(lambda: services.overview.snapshot(principal), self)
        self.overview_dock = QDockWidget(self.tr("Overview"), self)
        self.overview_dock.setObjectName("overviewDock")
        self.overview_dock.setWidget(self.overview_panel)
        self.addDockWidget(Qt.DockWidgetArea.BottomDockWidgetArea, self.overview_dock)
        self.tabifyDockWidget(self.event_dock, self.overview_dock)
        self.event_dock.raise_()

    def _build_status_bar(self) -> None:
        self.user_label = QLabel(
            self.tr("Logged in as %1 (%2)")
            .replace("%1", self.principal.name)
            .replace("%2", role_label(self.principal.role)),
            self,
        )
        self.user_label.setObjectName("statusUser")
        self.camera_count_label = QLabel(self)
        self.camera_count_label.setObjectName("statusCameras")
        self.page_label = QLabel(self)
        self.page_label.setObjectName("statusPage")
        self.alarm_label = QLabel(self)
        self.alarm_label.setObjectName("statusAlarm")
        self.alarm_label.setStyleSheet(
            "QLabel#statusAlarm { background: #b3261e; color: white; font-weight: bold; padding: 1px 8px; }"
        )
        self.alarm_label.hide()
        self.storage_label = QLabel(self)
        self.storage_label.setObjectName("statusStorage")
        self.storage_label.hide()
        self.manual_label = QLabel(self)
        self.manual_label.setObjectName("statusManualRecording")
        self.manual_label.setStyleSheet("QLabel#statusManualRecording { color: #ff7b72; padding: 0px 6px; }")
        self.manual_label.hide()
        self._storage_polls = 0
        status = self.statusBar()
        # Permanent widgets sit on the right, so temporary messages on the left never overlap them.
        status.addPermanentWidget(self.alarm_label)
        status.addPermanentWidget(self.manual_label)
        status.addPermanentWidget(self.storage_label)
        status.addPermanentWidget(self.user_label)
        status.addPermanentWidget(self.page_label)
        status.addPermanentWidget(self.camera_count_label)

    def _build_menus(self) -> None:
        bar = self.menuBar()

        self.file_menu = bar.addMenu(self.tr("&File"))
        self.action_backup = QAction(self.tr("&Back up database…"), self)
        self.action_backup.setObjectName("actionBackup")
        self.action_backup.setEnabled(self.principal.can(Permission.MANAGE_SETTINGS))
        self.action_backup.setStatusTip(
            self.tr("Save a copy of the database (users, cameras, events; no camera passwords)")
            if self.action_backup.isEnabled()
            else self.tr("Only administrators can back up the database")
        )
        self.action_backup.triggered.connect(self.show_backup)
        self.file_menu.addAction(self.action_backup)
        self.file_menu.addSeparator()
        self.action_quit = QAction(self.tr("&Quit"), self)
        self.action_quit.setShortcut(QKeySequence.StandardKey.Quit)
        self.action_quit.setMenuRole(QAction.MenuRole.QuitRole)
        self.action_quit.triggered.connect(self.close)
        self.file_menu.addAction(self.action_quit)

        self.view_menu = bar.addMenu(self.tr("&View"))
        self.layout_menu = self.view_menu.addMenu(self.tr("&Layout"))
        self.layout_group = QActionGroup(self)
        self.layout_group.setExclusive(True)
        self.layout_actions: dict[int, QAction] = {}
        for tiles in LAYOUTS:
            action = QAction(self.tr("%n tile(s)", "", tiles), self)
            action.setCheckable(True)
            action.setChecked(tiles == self.layout_tiles)
            action.setData(tiles)
            action.triggered.connect(lambda _checked=False, n=tiles: self.set_layout(n))
            self.layout_group.addAction(action)
            self.layout_menu.addAction(action)
            self.layout_actions[tiles] = action
        self.action_next_page = QAction(self.tr("&Next page"), self)
        self.action_next_page.setShortcut(QKeySequence(Qt.Key.Key_PageDown))
        self.action_next_page.triggered.connect(self.wall.next_page)
        self.action_previous_page = QAction(self.tr("&Previous page"), self)
        self.action_previous_page.setShortcut(QKeySequence(Qt.Key.Key_PageUp))
        self.action_previous_page.triggered.connect(self.wall.previous_page)
        self.action_cycle = QAction(self.tr("&Cycle pages every 10 s"), self)
        self.action_cycle.setCheckable(True)
        self.action_cycle.toggled.connect(self._cycle_pages)
        for action in (self.action_next_page, self.action_previous_page, self.action_cycle):
            self.view_menu.addAction(action)
        self.view_menu.addSeparator()
        self.views_menu = self.view_menu.addMenu(self.tr("Saved &views"))
        self.views_menu.aboutToShow.connect(self._fill_views_menu)
        self.action_save_view = QAction(self.tr("&Save view…"), self)
        self.action_save_view.triggered.connect(self.ask_save_view)
        self.view_menu.addAction(self.action_save_view)
        self.view_menu.addSeparator()
        self.action_fullscreen = QAction(self.tr("&Full screen"), self)
        self.action_fullscreen.setCheckable(True)
        self.action_fullscreen.setShortcut(QKeySequence(Qt.Key.Key_F11))
        self.action_fullscreen.toggled.connect(self.set_full_screen)
        self.view_menu.addAction(self.action_fullscreen)
        toggle_tree = self.camera_dock.toggleViewAction()
        toggle_tree.setText(self.tr("Camera &tree"))
        self.view_menu.addAction(toggle_tree)
        toggle_events = self.event_dock.toggleViewAction()
        toggle_events.setText(self.tr("&Events and alerts"))
        toggle_events.setShortcut(QKeySequence("Ctrl+E"))
        self.view_menu.addAction(toggle_events)
        toggle_overview = self.overview_dock.toggleViewAction()
        toggle_overview.setText(self.tr("&Overview"))
        toggle_overview.setShortcut(QKeySequence("Ctrl+Shift+O"))
        self.view_menu.addAction(toggle_overview)

        self.cameras_menu = bar.addMenu(self.tr("&Cameras"))
        self.action_add_camera = QAction(self.tr("&Add camera…"), self)
        self.action_add_camera.setObjectName("actionAddCamera")
        self.action_add_camera.setShortcut(QKeySequence("Ctrl+N"))
        self.action_add_camera.setEnabled(self.principal.can(Permission.MANAGE_CAMERAS))
        if self.action_add_camera.isEnabled():
            tip = self.tr("Add cameras by URL, DVR/NVR channels, network scan or ONVIF discovery")
        else:
            tip = self.tr("Only administrators can add cameras")
        self.action_add_camera.setToolTip(tip)
        self.action_add_camera.setStatusTip(tip)
        self.action_add_camera.triggered.connect(self.show_add_camera)
        self.cameras_menu.addAction(self.action_add_camera)
        self.action_camera_settings = QAction(self.tr("Camera &settings…"), self)
        self.action_camera_settings.setObjectName("actionCameraSettings")
        self.action_camera_settings.setShortcut(QKeySequence("Ctrl+I"))
        self.action_camera_settings.setEnabled(self.principal.can(Permission.MANAGE_CAMERAS))
        self.action_camera_settings.setStatusTip(
            self.tr("Edit the selected camera: URLs, login, recording, motion")
            if self.action_camera_settings.isEnabled()
            else self.tr("Only administrators can change cameras")
        )
        self.action_camera_settings.triggered.connect(self.show_camera_settings)
        self.cameras_menu.addAction(self.action_camera_settings)
        self.cameras_menu.setToolTipsVisible(True)
        self.cameras_menu.addSeparator()
        self.action_record = QAction(self.tr("Start &recording"), self)
        self.action_record.setObjectName("actionRecord")
        self.action_record.setShortcut(QKeySequence("Ctrl+R"))
        self.action_record.setStatusTip(self.tr("Record the selected camera now, until you stop it"))
        self.action_record.triggered.connect(self.toggle_manual_recording)
        can_record = self._recording is not None and self.principal.can(Permission.RECORD_CONTROL)
        self.action_record.setEnabled(can_record)
        self.cameras_menu.addAction(self.action_record)
        self.record_for_menu = self.cameras_menu.addMenu(self.tr("Record &for"))
        self.record_for_menu.setObjectName("menuRecordFor")
        self.record_for_menu.setEnabled(can_record)
        self.record_for_menu.menuAction().setStatusTip(
            self.tr("Record the selected camera now for a while; it stops by itself (Stop recording ends it early)")
        )
        self.record_for_actions: dict[int, QAction] = {}
        for minutes in RECORD_FOR_MINUTES:
            action = self.record_for_menu.addAction(self.tr("%n minute(s)", "", minutes))
            action.setData(minutes)
            action.triggered.connect(lambda _checked=False, m=minutes: self.record_for(m * 60))
            self.record_for_actions[minutes] = action
        self.record_for_menu.addSeparator()
        self.action_record_other = self.record_for_menu.addAction(self.tr("&Other duration…"))
        self.action_record_other.triggered.connect(self.ask_record_duration)
        self.cameras_menu.addSeparator()
        self.action_refresh = QAction(self.tr("&Reload camera list"), self)
        self.action_refresh.setShortcut(QKeySequence.StandardKey.Refresh)
        self.action_refresh.triggered.connect(self._camera_changed)
        self.cameras_menu.addAction(self.action_refresh)

        self.tools_menu = bar.addMenu(self.tr("&Tools"))
        self.action_users = QAction(self.tr("&Users…"), self)
        self.action_users.setEnabled(self.principal.can(Permission.MANAGE_USERS))
        if not self.action_users.isEnabled():
            self.action_users.setToolTip(self.tr("Only administrators can manage users"))
        self.action_users.triggered.connect(self.show_users)
        self.tools_menu.addAction(self.action_users)
        self.action_playback = QAction(self.tr("&Playback and export…"), self)
        self.action_playback.setObjectName("actionPlayback")
        self.action_playback.setShortcut(QKeySequence("Ctrl+P"))
        self.action_playback.setEnabled(self.principal.can(Permission.PLAYBACK))
        if not self.action_playback.isEnabled():
            self.action_playback.setToolTip(self.tr("Your role cannot play back recordings"))
        self.action_playback.triggered.connect(self.show_playback)
        self.tools_menu.insertAction(self.action_users, self.action_playback)
        self.action_edge = QAction(self.tr("&Edge devices…"), self)
        self.action_edge.setObjectName("actionEdgeDevices")
        self.action_edge.setEnabled(self.principal.can(Permission.MANAGE_EDGE))
        if not self.action_edge.isEnabled():
            self.action_edge.setToolTip(self.tr("Only administrators can pair edge devices"))
        self.action_edge.triggered.connect(self.show_edge_devices)
        self.tools_menu.addAction(self.action_edge)
        self.action_settings = QAction(self.tr("&Settings…"), self)
        self.action_settings.setObjectName("actionSettings")
        self.action_settings.setMenuRole(QAction.MenuRole.PreferencesRole)
        self.action_settings.setEnabled(self.principal.can(Permission.MANAGE_SETTINGS))
        if not self.action_settings.isEnabled():
            self.action_settings.setToolTip(self.tr("Only administrators can change settings"))
        self.action_settings.triggered.connect(self.show_settings)
        self.tools_menu.addAction(self.action_settings)
        self.tools_menu.setToolTipsVisible(True)

        self.help_menu = bar.addMenu(self.tr("&Help"))
        self.action_about = QAction(self.tr("&About NVR Desktop"), self)
        self.action_about.setMenuRole(QAction.MenuRole.AboutRole)
        self.action_about.triggered.connect(self.show_about)
        self.help_menu.addAction(self.action_about)

    # ---- behaviour ---------------------------------------------------------------------------------

    def refresh_cameras(self) -> None:
        """Reload the cameras this user may see (the service filters them) into the tree."""
        try:
            cameras = self._services.cameras.list(self.principal)
        except NvrError as err:
            cameras = []
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
        self.camera_model.set_cameras(cameras)
        self.camera_tree.expandAll()
        self.camera_count_label.setText(self.tr("%n camera(s)", "", len(cameras)))

    def _filter_cameras(self, text: str) -> None:
        self.camera_proxy.setFilterFixedString(text.strip())
        self.camera_tree.expandAll()

    def _camera_name(self, camera_id: int) -> str | None:
        camera = self.camera_model.camera(camera_id)
        return camera.name if camera is not None else None

    def connect_streams(self) -> None:
        """Connect the cameras this user may see (demo cameras when none exists) and put them on the wall."""
        try:
            live = self._live.connect(self.principal, demo=self._demo)
        except NvrError as err:
            live = []
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
        self.wall.set_cameras([WallCamera(c.id, c.name, c.demo) for c in live])
        connected = {c.id for c in live}
        for camera_id in self.camera_model.camera_ids():
            if camera_id in connected:  # what the engine knows already (a state change may never come)
                stats = self._live.supervisor.stats(camera_id)
                if stats.state is not StreamState.STOPPED:  # stopped: nothing reported yet
                    self.camera_model.set_stream_state(camera_id, stats)
            else:
                self.camera_model.forget_state(camera_id)
        if any(c.demo for c in live):
            self.statusBar().showMessage(self.tr("Showing built-in demo cameras: no camera is configured yet."), 30_000)
        self._show_page(self.wall.page, self.wall.pages)

    def _cycle_pages(self, on: bool) -> None:
        self.wall.set_auto_cycle(10 if on else None)

    def _show_page(self, page: int, pages: int) -> None:
        self.page_label.setText(self.tr("Page %1 of %2").replace("%1", str(page + 1)).replace("%2", str(pages)))

    def _open_camera(self, index: QModelIndex) -> None:
        camera_id = index.data(CAMERA_ID_ROLE)
        if isinstance(camera_id, int):
            self.wall.show_solo(camera_id)

    def set_layout(self, tiles: int) -> None:
        """Show the wall with this many tiles per page."""
        if tiles not in self.layout_actions:
            raise ValueError(f"unsupported layout: {tiles} tiles")
        self.layout_actions[tiles].setChecked(True)
        if tiles != self.layout_tiles or self.wall.layout_tiles != tiles:
            self.layout_tiles = tiles
            self.wall.set_layout(tiles)
            self._show_page(self.wall.page, self.wall.pages)
            self.layoutChanged.emit(tiles)

    def save_view(self, name: str) -> bool:
        """Save the wall's layout and tile arrangement as a named view of this user."""
        try:
            self._services.views.save(self.principal, name, self.wall.layout_tiles, self.wall.slots())
        except NvrError as err:
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
            return False
        self.statusBar().showMessage(self.tr("Saved the view “%1”.").replace("%1", name.strip()), 5_000)
        return True

    def ask_save_view(self) -> None:
        """Ask for a name and save the current view."""
        name, ok = QInputDialog.getText(self, self.tr("Save view"), self.tr("Name of the view:"))
        if ok and name.strip():
            self.save_view(name)

    def load_view(self, name: str) -> bool:
        """Restore one of this user's saved views."""
        for view in self._services.views.list(self.principal):
            if view.name == name:
                self.set_layout(view.layout)
                self.wall.set_slots(list(view.camera_ids))
                return True
        return False

    def _fill_views_menu(self) -> None:
        self.views_menu.clear()
        views = self._services.views.list(self.principal)
        if not views:
            empty = self.views_menu.addAction(self.tr("No saved views"))
            empty.setEnabled(False)
        for view in views:
            action = self.views_menu.addAction(view.name)
            action.setData(view.name)
            action.triggered.connect(self._load_view_from_action)

    def _load_view_from_action(self) -> None:
        action = self.sender()
        if isinstance(action, QAction):
            self.load_view(str(action.data()))

    def set_full_screen(self, on: bool) -> None:
        """Enter or leave full screen (F11)."""
        if on:
            self.showFullScreen()
        else:
            self.showNormal()
        if self.action_fullscreen.isChecked() != on:
            self.action_fullscreen.setChecked(on)

    def show_users(self) -> UsersDialog:
        """Open the users list (admins only)."""
        dialog = UsersDialog(self._services, self.principal, self)
        self._open(dialog)
        return dialog

    def show_edge_devices(self) -> EdgeDevicesDialog:
        """Open the edge devices (admins only); a first pairing starts the listener without a restart."""
        dialog = EdgeDevicesDialog(self._services, self.principal, self)
        dialog.paired.connect(lambda _device: self.ensure_listener())
        self._open(dialog)
        return dialog

    def selected_camera_id(self) -> int | None:
        """The camera selected on the wall, else the one current in the tree."""
        if self.wall.selected is not None:
            return self.wall.selected
        index = self.camera_tree.currentIndex()
        value = index.data(CAMERA_ID_ROLE) if index.isValid() else None
        return int(value) if isinstance(value, int) else None

    def show_camera_settings(self, camera_id: int | None = None) -> CameraSettingsDialog | None:
        """Edit a camera (the selected one by default); the wall and the tree follow a saved change."""
        camera_id = camera_id if isinstance(camera_id, int) and not isinstance(camera_id, bool) else None
        camera_id = camera_id if camera_id is not None else self.selected_camera_id()
        if camera_id is None:
            self.statusBar().showMessage(self.tr("Select a camera in the tree or on the wall first."), 10_000)
            return None
        try:
            camera = self._services.cameras.get(self.principal, camera_id)
        except NvrError as err:
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
            return None
        dialog = CameraSettingsDialog(self._services, self.principal, camera, self)
        dialog.accepted.connect(self._camera_changed)
        self._open(dialog)
        return dialog

    def _camera_changed(self) -> None:
        self.refresh_cameras()
        self.connect_streams()

    def show_settings(self) -> SettingsDialog:
        """Open Tools > Settings (admins only)."""
        dialog = SettingsDialog(self._services, self.principal, self)
        self._open(dialog)
        return dialog

    def show_backup(self) -> BackupDialog:
        """Open File > Back up database (admins only)."""
        dialog = BackupDialog(self._services, self.principal, self)
        self._open(dialog)
        return dialog

    def ensure_listener(self) -> None:
        """Start the edge listener if a device was paired since the app started."""
        self._services.ensure_listener()

    def show_add_camera(self) -> AddCameraDialog:
        """Open the add-camera wizard; the camera list and the wall reload when it closes having added any."""
        dialog = AddCameraDialog(self._services, self.principal, self)
        dialog.finished.connect(lambda _result=0, d=dialog: self._camera_changed() if d.added else None)
        self._open(dialog)
        return dialog

    def show_about(self) -> AboutDialog:
        """Open Help > About."""
        dialog = AboutDialog(self)
        self._open(dialog)
        return dialog

    def _open(self, dialog: QDialog) -> None:
        # Window-modal and non-blocking; the window keeps a reference so it can close it with itself.
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, True)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.finished.connect(lambda _result=0, d=dialog: self._forget(d))
        self._dialogs.append(dialog)
        dialog.show()

    def _forget(self, dialog: QDialog) -> None:
        if dialog in self._dialogs:
            self._dialogs.remove(dialog)

    def open_dialogs(self) -> list[QDialog]:
        """Dialogs this window opened that are still open."""
        return list(self._dialogs)

    def changeEvent(self, event: QEvent) -> None:
        """Keep View > Full screen ticked the way the window really is."""
        if event.type() == QEvent.Type.WindowStateChange and hasattr(self, "action_fullscreen"):
            blocked = self.action_fullscreen.blockSignals(True)
            self.action_fullscreen.setChecked(self.isFullScreen())
            self.action_fullscreen.blockSignals(blocked)
        super().changeEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        """Escape leaves full screen."""
        if event.key() == Qt.Key.Key_Escape and self.isFullScreen():
            self.set_full_screen(False)
            event.accept()
            return
        super().keyPressEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        """Close the dialogs this window opened along with it, then every stream."""
        for dialog in list(self._dialogs):
            dialog.close()
        self.shutdown_streams()
        super().closeEvent(event)

    def show_playback(self) -> PlaybackWindow | None:
        """Open (or raise) the playback window, starting with the selected camera."""
        if self._playback is not None:
            self._playback.show()
            self._playback.raise_()
            return self._playback
        selected = self.wall.selected
        real = selected is not None and not any(c.id == selected and c.demo for c in self.wall.cameras())
        try:
            port = self._services.playback_port(self.principal)
            self._playback = PlaybackWindow(
                port,
                self,
                cameras=[selected] if real and selected is not None else None,
                snapshot_dir=self._services.paths.snapshots,
            )
        except NvrError as err:
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
            return None
        self._playback.show()
        return self._playback

    # ---- recording --------------------------------------------------------------------------------

    def poll_recording(self) -> None:
        """Show which cameras record (the tiles' red dot) and any storage alarm."""
        if self._recording is None:
            return
        recording = self._recording.recording_camera_ids()
        manual = self._recording.manual_recordings()
        for camera in self.wall.cameras():
            until = manual.get(camera.id)
            note = self.tr("until %1").replace("%1", self._until_text(until)) if until is not None else ""
            self.wall.set_recording(camera.id, camera.id in recording, note)
        for camera_id in self.camera_model.camera_ids():
            self._mark_recording_in_tree(camera_id, camera_id in recording, camera_id in manual, manual.get(camera_id))
        self._show_manual(manual)
        alarms = self._recording.alarms()
        if alarms:
            self.alarm_label.setText("⚠ " + "; ".join(a.message[:1].upper() + a.message[1:] for a in alarms))
            self.alarm_label.setToolTip(self.tr("Recording is stopped or failing: free disk space or fix the folder."))
        self.alarm_label.setVisible(bool(alarms))
        if self._storage_polls % 30 == 0:
            self._show_storage()
        if self._storage_polls % 10 == 5:
            self.ensure_listener()  # a device paired from the CLI while the window is open
        self._storage_polls += 1
        selected = self.wall.selected
        self.action_record.setText(
            self.tr("Stop &recording") if selected is not None and selected in manual else self.tr("Start &recording")
        )

    def _show_storage(self) -> None:
        """Free space on the recordings disk and how many days of footage fit at the recent rate."""
        if self._recording is None:
            return
        recordings = self._recording.recordings
        try:
            free_gb = recordings.free_bytes() / 1024**3
        except NvrError:
            self.storage_label.hide()
            return
        days = recordings.forecast_days()
        text = self.tr("Disk: %1 GB free").replace("%1", f"{free_gb:.0f}")
        if days is not None:
            text += " · " + self.tr("about %1 days fit").replace("%1", f"{days:.0f}" if days >= 1 else f"{days:.1f}")
        self.storage_label.setText(text)
        self.storage_label.setToolTip(str(recordings.root))
        self.storage_label.show()

    def _until_text(self, until: datetime) -> str:
        """When a manual recording ends, in local time (with the day when it is not today)."""
        text = clock_text(until)
        if to_local(until).date() != to_local(utc_now()).date():
            text = f"{date_text(until)} {text}"
        return text

    def _mark_recording_in_tree(self, camera_id: int, writing: bool, manual: bool, until: datetime | None) -> None:
        if not (writing or manual):
            self.camera_model.set_recording(camera_id, False)
            return
        if until is not None:
            tip = self.tr("Manual recording until %1").replace("%1", self._until_text(until))
        elif manual:
            tip = self.tr("Manual recording until you stop it")
        else:
            tip = self.tr("Recording")
        if manual and not writing:
            tip += "\n" + self.tr("Waiting for the camera's video")
        self.camera_model.set_recording(camera_id, True, tip)

    def _show_manual(self, manual: dict[int, datetime | None]) -> None:
        """The status bar's note of manual recordings: which cameras, and until when."""
        if not manual:
            self.manual_label.hide()
            return
        lines = []
        for camera_id, until in sorted(manual.items()):
            name = self._camera_name(camera_id) or str(camera_id)
            lines.append(
                self.tr("%1 until %2").replace("%1", name).replace("%2", self._until_text(until))
                if until is not None
                else self.tr("%1 until you stop it").replace("%1", name)
            )
        if len(lines) == 1:
            text = "● " + self.tr("Recording %1").replace("%1", lines[0])
        else:
            text = "● " + self.tr("Manual recording: %n camera(s)", "", len(lines))
        self.manual_label.setText(text)
        self.manual_label.setToolTip("\n".join(lines))
        self.manual_label.show()

    def record_for(self, seconds: float) -> bool:
        """Record the selected camera now for this many seconds (Cameras > Record for); it stops by itself."""
        camera_id = self.wall.selected
        demo = any(c.id == camera_id and c.demo for c in self.wall.cameras())
        if self._recording is None or camera_id is None or demo:
            self.statusBar().showMessage(self.tr("Select a camera tile first."), 5_000)
            return False
        try:
            until = self._recording.start_manual(self.principal, camera_id, seconds)
        except NvrError as err:
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
            return False
        self.statusBar().showMessage(
            self.tr("Recording until %1; Stop recording (Ctrl+R) ends it earlier.").replace(
                "%1", self._until_text(until)
            ),
            10_000,
        )
        self.poll_recording()
        return True

    def ask_record_duration(self) -> QInputDialog:
        """Ask how many minutes to record the selected camera for (Cameras > Record for > Other duration…); OK
        records it."""
        dialog = QInputDialog(self)
        dialog.setObjectName("recordForDialog")
        dialog.setInputMode(QInputDialog.InputMode.IntInput)
        dialog.setWindowTitle(self.tr("Record for"))
        dialog.setLabelText(self.tr("Record the selected camera for (minutes):"))
        dialog.setIntRange(1, MAX_RECORD_MINUTES)
        dialog.setIntValue(10)
        dialog.intValueSelected.connect(lambda minutes: self.record_for(minutes * 60))
        self._open(dialog)
        return dialog

    def toggle_manual_recording(self) -> None:
        """Start (or stop) a manual recording of the selected camera."""
        camera_id = self.wall.selected
        demo = any(c.id == camera_id and c.demo for c in self.wall.cameras())
        if self._recording is None or camera_id is None or demo:
            self.statusBar().showMessage(self.tr("Select a camera tile first."), 5_000)
            return
        try:
            if camera_id in self._recording.manual_camera_ids():
                self._recording.stop_manual(self.principal, camera_id)
                self.statusBar().showMessage(self.tr("Stopped recording."), 5_000)
            else:
                self._recording.start_manual(self.principal, camera_id)
                self.statusBar().showMessage(self.tr("Recording until you stop it."), 5_000)
        except NvrError as err:
            self.statusBar().showMessage(error_text(err, self._services.secrets), 10_000)
        self.poll_recording()

    def shutdown_streams(self) -> None:
        """Stop painting and close every camera connection (bounded wait)."""
        self._recording_timer.stop()
        self.event_panel.release()
        self.overview_panel.release()
        if self.tray is not None:
            self.tray.hide()
        if self._playback is not None:
            self._playback.release()
            self._playback.close()
            self._playback = None
        if self.ptz_panel is not None:
            self.ptz_panel.release()
        self.wall.release()
        self.bridge.stop()
        self._live.close()
