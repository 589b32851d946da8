"""The add-camera wizard: a typed URL, a DVR/NVR from a brand template, a network scan, or ONVIF discovery.

Every network action (probe, scan, discovery, ONVIF queries, the bulk add) runs on the dialog's "onboarding" thread
(ui/playback/jobs.py `Background`): the thread never touches Qt; results and bulk-add progress reach the GUI
thread through deques drained by timers. Candidates are probed before they are saved; passwords go to the keyring
through the camera service.
"""

from __future__ import annotations

import collections
import threading
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QComboBox,
    QDialog,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSpinBox,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Camera, Principal
from nvr_desktop.ui.dialogs.probe_view import show_probe
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.playback.jobs import Background
from nvr_desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from nvr_desktop.app import Services

DRAIN_MS = 50
THUMB_SIZE = (320, 180)
#: Ports that do not serve RTSP (HTTP, ONVIF, vendor SDKs): never used to build a stream URL.
_NOT_RTSP = frozenset({80, 8000, 8899, 37777, 34567})


def _cell(text: str) -> QTableWidgetItem:
    item = QTableWidgetItem(text)
    item.setFlags(Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable)
    return item


def _table(parent: QWidget, name: str, headers: list[str]) -> QTableWidget:
    table = QTableWidget(0, len(headers), parent)
    table.setObjectName(name)
    table.setHorizontalHeaderLabels(headers)
    table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
    table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
    table.setAlternatingRowColors(True)
    table.verticalHeader().setVisible(False)
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
    table.horizontalHeader().setStretchLastSection(True)
    return table


class AddCameraDialog(QDialog):
    """Find, test and add cameras; `added` lists the cameras saved while it was open."""

    MANUAL, DVR, SCAN, ONVIF = range(4)

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._onboarding = services.onboarding
        self._principal = principal
        self.added: list[Camera] = []
        #: Where WS-Discovery probes go: None is the multicast group; tests aim it at a simulator on 127.0.0.1.
        self.discovery_target: tuple[str, int] | None = None
        self.discovery_interface: str | None = None
        self.discovery_timeout_s = 2.0
        self._found: list[Any] = []
        self._device: Any = None
        self._cancel = threading.Event()
        self._progress: collections.deque[Any] = collections.deque()
        self.jobs = Background("onboarding", self)
        self._progress_timer = QTimer(self)
        self._progress_timer.setInterval(DRAIN_MS)
        self._progress_timer.timeout.connect(self._drain_progress)
        self.setObjectName("addCameraDialog")
        self.setWindowTitle(self.tr("Add cameras"))

        credentials = QGroupBox(self.tr("Camera login (stored in the system keyring)"), self)
        self.user_edit = QLineEdit(self)
        self.user_edit.setObjectName("cameraUser")
        self.user_edit.setPlaceholderText(self.tr("e.g. admin"))
        self.password_edit = QLineEdit(self)
        self.password_edit.setObjectName("cameraPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        login = QHBoxLayout(credentials)
        login.addWidget(QLabel(self.tr("User name"), self))
        login.addWidget(self.user_edit, 1)
        login.addWidget(QLabel(self.tr("Password"), self))
        login.addWidget(self.password_edit, 1)

        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("addCameraTabs")
        self.tabs.addTab(self._manual_page(), self.tr("Stream URL"))
        self.tabs.addTab(self._dvr_page(), self.tr("DVR / NVR"))
        self.tabs.addTab(self._scan_page(), self.tr("Network scan"))
        self.tabs.addTab(self._onvif_page(), self.tr("ONVIF"))
        self.tabs.currentChanged.connect(lambda _index: self._update_buttons())

        self.progress_bar = QProgressBar(self)
        self.progress_bar.setObjectName("addProgress")
        self.progress_bar.setVisible(False)
        self.status_label = QLabel(self)
        self.status_label.setObjectName("addStatus")
        self.status_label.setWordWrap(True)
        self.error_label = ErrorLabel(self)
        self.cancel_button = QPushButton(self.tr("Cancel adding"), self)
        self.cancel_button.setObjectName("cancelAdd")
        self.cancel_button.setEnabled(False)
        self.cancel_button.clicked.connect(self.cancel)
        self.add_button = QPushButton(self.tr("Test and add"), self)
        self.add_button.setObjectName("primaryButton")
        self.add_button.clicked.connect(self.add)
        close = QPushButton(self.tr("Close"), self)
        close.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.cancel_button)
        buttons.addWidget(self.add_button)
        buttons.addWidget(close)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(credentials)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.status_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.progress_bar)
        layout.addLayout(buttons)
        self.resize(820, 560)
        self._update_buttons()

    # ---- pages ----

    def _manual_page(self) -> QWidget:
        page = QWidget(self)
        self.name_edit = QLineEdit(page)
        self.name_edit.setObjectName("cameraName")
        self.url_edit = QLineEdit(page)
        self.url_edit.setObjectName("mainUrl")
        self.url_edit.setPlaceholderText("rtsp://192.168.1.64:554/Streaming/Channels/101")
        self.sub_url_edit = QLineEdit(page)
        self.sub_url_edit.setObjectName("subUrl")
        self.sub_url_edit.setPlaceholderText(self.tr("optional: a smaller stream for the wall"))
        self.test_button = QPushButton(self.tr("Test connection"), page)
        self.test_button.setObjectName("testConnection")
        self.test_button.clicked.connect(self.test_connection)
        self.thumbnail = QLabel(page)
        self.thumbnail.setObjectName("thumbnail")
        self.thumbnail.setFixedSize(*THUMB_SIZE)
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setText(self.tr("No picture yet"))
        self.thumbnail.setStyleSheet("background: #111; color: #888; border: 1px solid #333;")
        self.probe_label = QLabel(page)
        self.probe_label.setObjectName("probeResult")
        self.probe_label.setWordWrap(True)
        form = QFormLayout()
        form.addRow(self.tr("Name"), self.name_edit)
        form.addRow(self.tr("Main stream URL"), self.url_edit)
        form.addRow(self.tr("Sub-stream URL"), self.sub_url_edit)
        side = QVBoxLayout()
        side.addWidget(self.test_button, 0, Qt.AlignmentFlag.AlignLeft)
        side.addWidget(self.thumbnail)
        side.addWidget(self.probe_label)
        side.addStretch(1)
        row = QHBoxLayout(page)
        row.addLayout(form, 1)
        row.addLayout(side)
        return page

    def _dvr_page(self) -> QWidget:
        page = QWidget(self)
        self.brand_combo = QComboBox(page)
        self.brand_combo.setObjectName("brand")
        for brand, label in self._onboarding.brands():
            self.brand_combo.addItem(label, brand)
        self.host_edit = QLineEdit(page)
        self.host_edit.setObjectName("dvrHost")
        self.host_edit.setPlaceholderText("192.168.1.108")
        self.port_spin = QSpinBox(page)
        self.port_spin.setObjectName("dvrPort")
        self.port_spin.setRange(1, 65535)
        self.port_spin.setValue(554)
        self.channels_spin = QSpinBox(page)
        self.channels_spin.setObjectName("dvrChannels")
        self.channels_spin.setRange(1, 256)
        self.channels_spin.setValue(4)
        self.path_edit = QLineEdit(page)
        self.path_edit.setObjectName("dvrPath")
        self.path_edit.setPlaceholderText(self.tr("optional: your own path, e.g. /cam{channel}"))
        self.prefix_edit = QLineEdit(page)
        self.prefix_edit.setObjectName("dvrPrefix")
        self.prefix_edit.setPlaceholderText(self.tr("e.g. Warehouse (cameras: Warehouse ch1, ch2...)"))
        form = QFormLayout(page)
        form.addRow(self.tr("Brand"), self.brand_combo)
        form.addRow(self.tr("Host"), self.host_edit)
        form.addRow(self.tr("RTSP port"), self.port_spin)
        form.addRow(self.tr("Channels"), self.channels_spin)
        form.addRow(self.tr("Stream path"), self.path_edit)
        form.addRow(self.tr("Name prefix"), self.prefix_edit)
        hint = QLabel(self.tr("One camera per channel; each channel is tested before it is saved."), page)
        hint.setWordWrap(True)
        form.addRow(hint)
        return page

    def _scan_page(self) -> QWidget:
        page = QWidget(self)
        self.range_edit = QLineEdit(page)
        self.range_edit.setObjectName("scanRange")
        self.range_edit.setPlaceholderText("192.168.1.0/24")
        self.range_edit.textChanged.connect(self._range_changed)
        self.extra_ports_edit = QLineEdit(page)
        self.extra_ports_edit.setObjectName("scanPorts")
        self.extra_ports_edit.setPlaceholderText(self.tr("optional, e.g. 10554, 9000"))
        self.confirm_check = QCheckBox(self.tr("I may scan this range"), page)
        self.confirm_check.setObjectName("scanConfirm")
        self.confirm_check.toggled.connect(lambda _on: self._update_buttons())
        self.scan_button = QPushButton(self.tr("Scan"), page)
        self.scan_button.setObjectName("scanButton")
        self.scan_button.clicked.connect(self.scan)
        self.scan_table = _table(
            page,
            "scanResults",
            [self.tr("Host"), self.tr("Open ports"), self.tr("ONVIF"), self.tr("Name"), self.tr("Brand")],
        )
        self.scan_table.itemSelectionChanged.connect(self._update_buttons)
        self.use_button = QPushButton(self.tr("Use selected device"), page)
        self.use_button.setObjectName("useDevice")
        self.use_button.clicked.connect(self.use_selected)
        form = QFormLayout()
        form.addRow(self.tr("Address or range"), self.range_edit)
        form.addRow(self.tr("Other ports"), self.extra_ports_edit)
        form.addRow("", self.confirm_check)
        actions = QHBoxLayout()
        actions.addWidget(self.scan_button)
        actions.addStretch(1)
        actions.addWidget(self.use_button)
        column = QVBoxLayout(page)
        column.addLayout(form)
        column.addLayout(actions)
        column.addWidget(self.scan_table, 1)
        return page

    def _onvif_page(self) -> QWidget:
        page = QWidget(self)
        self.discover_button = QPushButton(self.tr("Discover ONVIF devices"), page)
        self.discover_button.setObjectName("discoverButton")
        self.discover_button.clicked.connect(self.discover)
        self.xaddr_edit = QLineEdit(page)
        self.xaddr_edit.setObjectName("onvifAddress")
        self.xaddr_edit.setPlaceholderText("http://192.168.1.64/onvif/device_service")
        self.xaddr_edit.textChanged.connect(lambda _text: self._update_buttons())
        self.profiles_button = QPushButton(self.tr("Get profiles"), page)
        self.profiles_button.setObjectName("profilesButton")
        self.profiles_button.clicked.connect(self.load_profiles)
        self.device_label = QLabel(page)
        self.device_label.setObjectName("onvifDevice")
        self.profiles_table = _table(
            page,
            "onvifProfiles",
            [
                self.tr("Profile"),
                self.tr("Encoding"),
                self.tr("Resolution"),
                self.tr("Frame rate"),
                self.tr("PTZ"),
                self.tr("Stream URI"),
            ],
        )
        self.profiles_table.itemSelectionChanged.connect(self._update_buttons)
        address = QHBoxLayout()
        address.addWidget(QLabel(self.tr("Device address"), page))
        address.addWidget(self.xaddr_edit, 1)
        address.addWidget(self.profiles_button)
        column = QVBoxLayout(page)
        column.addWidget(self.discover_button, 0, Qt.AlignmentFlag.AlignLeft)
        column.addLayout(address)
        column.addWidget(self.device_label)
        column.addWidget(self.profiles_table, 1)
        hint = QLabel(self.tr("The selected profile is the main stream; the smallest other one feeds the wall."), page)
        hint.setWordWrap(True)
        column.addWidget(hint)
        return page

    # ---- state ----

    @property
    def busy(self) -> bool:
        """True while a network job runs or its result waits to be shown."""
        return self.jobs.busy

    def _credentials(self) -> tuple[str | None, str | None]:
        return self.user_edit.text().strip() or None, self.password_edit.text() or None

    def _update_buttons(self) -> None:
        idle = not self.jobs.busy
        page = self.tabs.currentIndex()
        self.test_button.setEnabled(idle)
        self.scan_button.setEnabled(idle and self.confirm_check.isChecked() and bool(self.range_edit.text().strip()))
        self.discover_button.setEnabled(idle)
        self.profiles_button.setEnabled(idle and bool(self.xaddr_edit.text().strip()))
        self.use_button.setEnabled(bool(self.scan_table.selectedItems()))
        can_add = page in (self.MANUAL, self.DVR) or (page == self.ONVIF and self._device is not None)
        self.add_button.setEnabled(idle and can_add)

    def _busy(self, text: str) -> None:
        self.error_label.clear_message()
        self.status_label.setText(text)
        self._update_buttons()

    def _failed(self, err: Exception) -> None:
        if isinstance(err, NvrError):
            message = error_text(err, self._services.secrets)
        else:
            message = self.tr("Unexpected error: %1").replace("%1", type(err).__name__)
        self.status_label.clear()
        self.error_label.show_message(message)
        self._finish_bulk()
        self._update_buttons()

    def _run(self, status: str, work: Any, done: Any) -> None:
        self.jobs.submit(work, lambda result: self._done(done, result), self._failed)
        self._busy(status)

    def _done(self, done: Any, result: Any) -> None:
        self.status_label.clear()
        done(result)
        self._update_buttons()

    # ---- manual URL and test connection ----

    def test_connection(self) -> None:
        """Probe the main URL off the GUI thread and show what it serves, with a thumbnail."""
        url = self.url_edit.text()
        user, password = self._credentials()

        def work() -> Any:
            return self._onboarding.probe(self._principal, url, username=user, password=password, thumbnail=True)

        self.thumbnail.setText(self.tr("Connecting…"))
        self._run(self.tr("Testing the connection…"), work, self._show_probe)

    def _show_probe(self, result: Any) -> None:
        show_probe(result, self.probe_label, self.thumbnail, THUMB_SIZE)

    # ---- scan ----

    def _range_changed(self, text: str) -> None:
        self.confirm_check.setChecked(False)
        try:
            what = self._onboarding.scanner.describe(text) if text.strip() else ""
        except NvrError as err:
            self.confirm_check.setText(self.tr("I may scan this range"))
            self.error_label.show_message(error_text(err))
        else:
            self.error_label.clear_message()
            label = self.tr("I may scan %1").replace("%1", what) if what else self.tr("I may scan this range")
            self.confirm_check.setText(label)
        self._update_buttons()

    def _ports(self) -> tuple[int, ...]:
        from nvr_desktop.net.scan import CAMERA_PORTS

        extra = [p for p in self.extra_ports_edit.text().replace(",", " ").split() if p.isdigit()]
        return (*CAMERA_PORTS, *(int(p) for p in extra))

    def scan(self) -> None:
        """nmap over the confirmed range plus a WS-Discovery probe; the results merged, one row per host."""
        if not self.confirm_check.isChecked():
            return
        text = self.range_edit.text()
        ports = self._ports()

        def work() -> Any:
            hits = self._onboarding.scan(self._principal, text, ports=ports, confirm=True)
            try:
                matches = self._discover()
            except NvrError:  # no multicast route: the scan's own results still count
                matches = []
            return self._onboarding.merge(hits, matches)

        self._run(self.tr("Scanning…"), work, self._show_scan)

    def _discover(self) -> Any:
        return self._onboarding.discover_onvif(
            self._principal,
            timeout_s=self.discovery_timeout_s,
            target=self.discovery_target,
            interface=self.discovery_interface,
        )

    def _show_scan(self, found: list[Any]) -> None:
        self._found = found
        self.scan_table.setRowCount(len(found))
        for row, device in enumerate(found):
            ports = ", ".join(str(p) for p in device.open_ports)
            onvif = self.tr("yes") if device.onvif_xaddr else ""
            for column, text in enumerate((device.host, ports, onvif, device.name, device.brand_hint)):
                self.scan_table.setItem(row, column, _cell(text))
        self.status_label.setText(self.tr("%n device(s) found", None, len(found)))

    def use_selected(self) -> None:
        """Take the selected scan result to the ONVIF page (if it speaks ONVIF) or the URL page."""
        rows = self.scan_table.selectionModel().selectedRows()
        if not rows:
            return
        device = self._found[rows[0].row()]
        if device.onvif_xaddr:
            self.xaddr_edit.setText(device.onvif_xaddr)
            self.tabs.setCurrentIndex(self.ONVIF)
            return
        rtsp = [p for p in device.open_ports if p not in _NOT_RTSP] or [554]
        brand = device.brand_hint if device.brand_hint in dict(self._onboarding.brands()) else "generic"
        try:
            self.url_edit.setText(self._onboarding.template_url(brand, device.host, rtsp[0]))
        except NvrError as err:
            self.error_label.show_message(error_text(err))
            return
        self.name_edit.setText(device.name or device.host)
        self.tabs.setCurrentIndex(self.MANUAL)

    # ---- ONVIF ----

    def discover(self) -> None:
        """WS-Discovery; the devices found go to the scan page's table (merged by host)."""
        self._run(
            self.tr("Looking for ONVIF devices…"),
            lambda: self._onboarding.merge([], self._discover()),
            self._show_discovered,
        )

    def _show_discovered(self, found: list[Any]) -> None:
        self._show_scan(found)
        if found and found[0].onvif_xaddr and not self.xaddr_edit.text().strip():
            self.xaddr_edit.setText(found[0].onvif_xaddr)

    def load_profiles(self) -> None:
        """Ask the device for its identity, profiles and stream URIs with the login above."""
        xaddr = self.xaddr_edit.text().strip()
        user, password = self._credentials()

        def work() -> Any:
            return self._onboarding.describe_onvif(self._principal, xaddr, username=user, password=password)

        self._device = None
        self._run(self.tr("Asking the device…"), work, self._show_device)

    def _show_device(self, device: Any) -> None:
        self._device = device
        info = device.info
        self.device_label.setText(
            self.tr("%1 %2, firmware %3")
            .replace("%1", info.manufacturer)
            .replace("%2", info.model)
            .replace("%3", info.firmware or "?")
        )
        profiles = list(device.profiles)
        self.profiles_table.setRowCount(len(profiles))
        for row, p in enumerate(profiles):
            cells = (
                p.name,
                p.encoding,
                f"{p.width}x{p.height}",
                f"{p.fps:g}",
                self.tr("yes") if p.ptz else "",
                device.stream_uris.get(p.token, ""),
            )
            for column, text in enumerate(cells):
                self.profiles_table.setItem(row, column, _cell(text))
        main, _sub = device.main_and_sub()
        if main is not None:
            self.profiles_table.selectRow([p.token for p in profiles].index(main.token))

    def _onvif_candidate(self) -> Any:
        user, password = self._credentials()
        rows = self.profiles_table.selectionModel().selectedRows()
        token = self._device.profiles[rows[0].row()].token if rows else None
        return self._onboarding.onvif_candidate(self._device, main_token=token, username=user, password=password)

    # ---- adding ----

    def candidates(self) -> list[Any]:
        """What the current page would add (raises ValidationError for bad input)."""
        user, password = self._credentials()
        page = self.tabs.currentIndex()
        if page == self.MANUAL:
            return [
                self._onboarding.manual_candidate(
                    self.name_edit.text(),
                    self.url_edit.text(),
                    self.sub_url_edit.text(),
                    username=user,
                    password=password,
                )
            ]
        if page == self.DVR:
            return self._dvr_candidates(user, password)
        if page == self.ONVIF and self._device is not None:
            return [self._onvif_candidate()]
        return []

    def _dvr_candidates(self, user: str | None, password: str | None) -> list[Any]:
        return list(
            self._onboarding.dvr_candidates(
                str(self.brand_combo.currentData()),
                self.host_edit.text(),
                path=self.path_edit.text(),
                port=self.port_spin.value(),
                channels=self.channels_spin.value(),
                name_prefix=self.prefix_edit.text(),
                username=user,
                password=password,
            )
        )

    def add(self) -> None:
        """Probe and save the current page's camera(s), with progress and a cancel button."""
        try:
            found = self.candidates()
        except NvrError as err:
            self._failed(err)
            return
        if not found:
            return
        self._cancel = threading.Event()
        cancel = self._cancel
        progress = self._progress

        def work() -> Any:
            return self._onboarding.add_many(self._principal, found, progress=progress.append, cancel=cancel)

        self.progress_bar.setRange(0, len(found))
        self.progress_bar.setValue(0)
        self.progress_bar.setVisible(True)
        self.cancel_button.setEnabled(True)
        self._progress_timer.start()
        self._run(self.tr("Testing and adding %n camera(s)…", None, len(found)), work, self._bulk_done)

    def cancel(self) -> None:
        """Start no further probes; those running finish (each is bounded by its timeout)."""
        self._cancel.set()
        self.cancel_button.setEnabled(False)
        self.status_label.setText(self.tr("Cancelling…"))

    def _drain_progress(self) -> None:
        while self._progress:
            step = self._progress.popleft()
            self.progress_bar.setValue(step.done)
            outcome = step.outcome
            if outcome.camera is not None:
                line = self.tr("%1: added").replace("%1", outcome.candidate.name)
            else:
                line = self.tr("%1: not added (%2)").replace("%1", outcome.candidate.name).replace("%2", outcome.error)
            self.status_label.setText(line)

    def _bulk_done(self, result: Any) -> None:
        self._drain_progress()
        self._finish_bulk()
        self.added.extend(result.added)
        added, failed = len(result.added), len(result.failed)
        text = self.tr("%n camera(s) added", None, added)
        if failed:
            problems = "; ".join(f"{o.candidate.name}: {o.error}" for o in result.failed[:5])
            self.error_label.show_message(self.tr("%n not added: %1", None, failed).replace("%1", problems))
        if result.cancelled:
            text += " " + self.tr("(cancelled)")
        self.status_label.setText(text)

    def _finish_bulk(self) -> None:
        self._progress_timer.stop()
        self.cancel_button.setEnabled(False)

    def done(self, result: int) -> None:
        """Closing cancels a bulk add and stops the worker thread (bounded wait)."""
        self._cancel.set()
        self._progress_timer.stop()
        self.jobs.stop()
        super().done(result)
