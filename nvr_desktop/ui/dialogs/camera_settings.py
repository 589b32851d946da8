"""Editing a camera (administrators): name, stream URLs, login, transport, recording and server-side motion, with a
connection test that shows a picture. The password goes to the keyring and is never shown; left empty it stays."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QSlider,
    QSpinBox,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError, SecretStoreError, ValidationError
from nvr_desktop.core.models import Camera, Principal, RecordMode
from nvr_desktop.core.motion import MotionSettings, parse_polygon
from nvr_desktop.services.cameras import CameraSpec
from nvr_desktop.ui.dialogs.probe_view import show_probe
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.playback.jobs import Background
from nvr_desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from nvr_desktop.app import Services

THUMB = (320, 180)


def polygon_lines(polygons: tuple[Any, ...]) -> str:
    """Polygons as the dialog shows them: one per line, "x,y x,y x,y" in fractions of the frame."""
    return "\n".join(" ".join(f"{x:g},{y:g}" for x, y in polygon) for polygon in polygons)


def parse_polygon_lines(text: str) -> tuple[Any, ...]:
    """The polygons typed one per line (blank lines skipped); ValidationError names the bad point."""
    return tuple(parse_polygon(line) for line in text.splitlines() if line.strip())


class CameraSettingsDialog(QDialog):
    """Change one camera; `saved` holds the camera as stored once Save succeeded."""

    def __init__(self, services: Services, principal: Principal, camera: Camera, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self.camera = camera
        self.saved: Camera | None = None
        self.jobs = Background("camera-test", self)
        self.setObjectName("cameraSettingsDialog")
        self.setWindowTitle(self.tr("Camera settings — %1").replace("%1", camera.name))

        self.tabs = QTabWidget(self)
        self.tabs.addTab(self._general(), self.tr("Connection"))
        self.tabs.addTab(self._recording(), self.tr("Recording"))
        self.tabs.addTab(self._motion(), self.tr("Motion"))
        self.error_label = ErrorLabel(self)
        self.save_button = QPushButton(self.tr("&Save"), self)
        self.save_button.setObjectName("primaryButton")
        self.save_button.clicked.connect(self.save)
        cancel = QPushButton(self.tr("Cancel"), self)
        cancel.clicked.connect(self.reject)
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.save_button)
        buttons.addWidget(cancel)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(self.tabs, 1)
        layout.addWidget(self.error_label)
        layout.addLayout(buttons)
        self.resize(760, 520)

    # ---- pages -------------------------------------------------------------------------------------

    def _general(self) -> QWidget:
        camera = self.camera
        page = QWidget(self)
        self.name_edit = QLineEdit(camera.name, page)
        self.name_edit.setObjectName("cameraName")
        self.enabled_check = QCheckBox(self.tr("Enabled (connect, show and record it)"), page)
        self.enabled_check.setChecked(camera.enabled)
        self.main_edit = QLineEdit(camera.main_url, page)
        self.main_edit.setObjectName("cameraMainUrl")
        self.sub_edit = QLineEdit(camera.sub_url or "", page)
        self.sub_edit.setObjectName("cameraSubUrl")
        self.sub_edit.setPlaceholderText(self.tr("optional: a smaller stream for the wall's tiles"))
        self.transport_combo = QComboBox(page)
        self.transport_combo.addItem(self.tr("TCP (works through firewalls)"), "tcp")
        self.transport_combo.addItem(self.tr("UDP (less delay on a clean network)"), "udp")
        self.transport_combo.setCurrentIndex(max(0, self.transport_combo.findData(camera.transport)))
        self.user_edit = QLineEdit(camera.username or "", page)
        self.user_edit.setObjectName("cameraUser")
        self.password_edit = QLineEdit(page)
        self.password_edit.setObjectName("cameraPassword")
        self.password_edit.setEchoMode(QLineEdit.EchoMode.Password)
        self.password_edit.setPlaceholderText(
            self.tr("unchanged (kept in the keyring)") if camera.has_password else self.tr("none")
        )
        self.clear_password_check = QCheckBox(self.tr("Remove the stored password"), page)
        self.clear_password_check.setVisible(camera.has_password)
        form = QFormLayout()
        form.addRow(self.tr("Name:"), self.name_edit)
        form.addRow("", self.enabled_check)
        form.addRow(self.tr("Main stream URL:"), self.main_edit)
        form.addRow(self.tr("Sub-stream URL:"), self.sub_edit)
        form.addRow(self.tr("RTSP transport:"), self.transport_combo)
        form.addRow(self.tr("User name:"), self.user_edit)
        form.addRow(self.tr("Password:"), self.password_edit)
        form.addRow("", self.clear_password_check)
        self.test_button = QPushButton(self.tr("&Test connection"), page)
        self.test_button.setObjectName("cameraTest")
        self.test_button.clicked.connect(self.test_connection)
        self.thumbnail = QLabel(self.tr("No picture yet"), page)
        self.thumbnail.setObjectName("cameraThumbnail")
        self.thumbnail.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.thumbnail.setFixedSize(*THUMB)
        self.probe_label = QLabel(page)
        self.probe_label.setObjectName("cameraProbe")
        self.probe_label.setWordWrap(True)
        side = QVBoxLayout()
        side.addWidget(self.thumbnail)
        side.addWidget(self.probe_label)
        side.addWidget(self.test_button)
        side.addStretch(1)
        row = QHBoxLayout(page)
        row.addLayout(form, 1)
        row.addLayout(side)
        return page

    def _recording(self) -> QWidget:
        camera = self.camera
        page = QWidget(self)
        self.mode_combo = QComboBox(page)
        self.mode_combo.setObjectName("cameraRecordMode")
        for label, mode in (
            (self.tr("Off"), RecordMode.OFF),
            (self.tr("Continuous"), RecordMode.CONTINUOUS),
            (self.tr("Weekly schedule"), RecordMode.SCHEDULE),
            (self.tr("On events (with pre- and post-roll)"), RecordMode.EVENTS),
        ):
            self.mode_combo.addItem(label, mode)
        self.mode_combo.setCurrentIndex(max(0, self.mode_combo.findData(camera.record_mode)))
        self.schedule_edit = QLineEdit(camera.record_schedule, page)
        self.schedule_edit.setObjectName("cameraSchedule")
        self.schedule_edit.setPlaceholderText(self.tr("e.g. mon-fri 08:00-18:00; sat 09:00-13:00"))
        self.segment_spin = QSpinBox(page)
        self.segment_spin.setRange(10, 3600)
        self.segment_spin.setSuffix(" s")
        self.segment_spin.setValue(camera.segment_seconds)
        self.days_spin = QSpinBox(page)
        self.days_spin.setObjectName("cameraRetentionDays")
        self.days_spin.setRange(0, 3650)
        self.days_spin.setSpecialValueText(self.tr("no limit"))
        self.days_spin.setSuffix(self.tr(" days"))
        self.days_spin.setValue(camera.retention_days or 0)
        self.size_spin = QDoubleSpinBox(page)
        self.size_spin.setRange(0, 100_000)
        self.size_spin.setDecimals(1)
        self.size_spin.setSpecialValueText(self.tr("no limit"))
        self.size_spin.setSuffix(" GB")
        self.size_spin.setValue(camera.retention_gb or 0)
        form = QFormLayout(page)
        form.addRow(self.tr("Record:"), self.mode_combo)
        form.addRow(self.tr("Schedule:"), self.schedule_edit)
        form.addRow(self.tr("Segment length:"), self.segment_spin)
        form.addRow(self.tr("Keep at most:"), self.days_spin)
        form.addRow(self.tr("Use at most:"), self.size_spin)
        return page

    def _motion(self) -> QWidget:
        motion = self.camera.motion
        page = QWidget(self)
        self.motion_check = QCheckBox(self.tr("Look for motion in this camera's video (for cameras without an agent)"))
        self.motion_check.setObjectName("cameraMotion")
        self.motion_check.setChecked(motion.enabled)
        self.sensitivity_slider = QSlider(Qt.Orientation.Horizontal, page)
        self.sensitivity_slider.setObjectName("cameraSensitivity")
        self.sensitivity_slider.setRange(1, 10)
        self.sensitivity_slider.setValue(motion.sensitivity)
        self.sensitivity_label = QLabel(str(motion.sensitivity), page)
        self.sensitivity_slider.valueChanged.connect(lambda value: self.sensitivity_label.setText(str(value)))
        sensitivity = QHBoxLayout()
        sensitivity.addWidget(self.sensitivity_slider, 1)
        sensitivity.addWidget(self.sensitivity_label)
        self.zones_edit = QPlainTextEdit(polygon_lines(motion.zones), page)
        self.zones_edit.setObjectName("cameraZones")
        self.zones_edit.setPlaceholderText(
            self.tr("empty: the whole picture; one polygon per line, e.g. 0,0.5 1,0.5 1,1 0,1")
        )
        self.masks_edit = QPlainTextEdit(polygon_lines(motion.masks), page)
        self.masks_edit.setObjectName("cameraMasks")
        self.masks_edit.setPlaceholderText(self.tr("areas never watched (trees, a road), one polygon per line"))
        hint = QLabel(
            self.tr(
                "Points are fractions of the picture: 0,0 is the top left corner, 1,1 the bottom right. "
                "Detections become events like an edge agent's, with a snapshot."
            ),
            page,
        )
        hint.setWordWrap(True)
        form = QFormLayout(page)
        form.addRow("", self.motion_check)
        form.addRow(self.tr("Sensitivity:"), sensitivity)
        form.addRow(self.tr("Zones:"), self.zones_edit)
        form.addRow(self.tr("Masks:"), self.masks_edit)
        form.addRow("", hint)
        return page

    # ---- actions -----------------------------------------------------------------------------------

    def spec(self) -> CameraSpec:
        """What the form says, as a change to the camera (ValidationError on a bad polygon)."""
        camera = self.camera
        sub = self.sub_edit.text().strip()
        password = self.password_edit.text()
        motion = MotionSettings(
            enabled=self.motion_check.isChecked(),
            sensitivity=self.sensitivity_slider.value(),
            min_area=camera.motion.min_area,
            zones=parse_polygon_lines(self.zones_edit.toPlainText()),
            masks=parse_polygon_lines(self.masks_edit.toPlainText()),
            warmup_frames=camera.motion.warmup_frames,
            fps=camera.motion.fps,
            cooldown_s=camera.motion.cooldown_s,
            burst=camera.motion.burst,
        )
        return CameraSpec(
            name=self.name_edit.text(),
            main_url=self.main_edit.text().strip(),
            sub_url=sub or None,
            clear_sub_url=not sub and camera.sub_url is not None,
            username=self.user_edit.text().strip(),
            password=password or None,
            clear_password=self.clear_password_check.isChecked() and not password,
            enabled=self.enabled_check.isChecked(),
            transport=self.transport_combo.currentData(),
            record_mode=RecordMode(self.mode_combo.currentData()),
            record_schedule=self.schedule_edit.text().strip(),
            segment_seconds=self.segment_spin.value(),
            retention_days=self.days_spin.value() or None,
            retention_gb=self.size_spin.value() or None,
            motion=motion,
        )

    def save(self) -> bool:
        """Store the changes; the running app takes them up at once (recording, motion, the wall)."""
        try:
            self.saved = self._services.cameras.update(self._principal, self.camera.id, self.spec())
        except (NvrError, ValidationError) as err:
            self.error_label.show_message(error_text(err, self._services.secrets))
            return False
        runtime = self._services.runtime
        if runtime is not None:
            runtime.recording.reload()
            if runtime.motion is not None:
                runtime.motion.reload()
        self.accept()
        return True

    def test_connection(self) -> None:
        """Probe the main URL as typed (with the typed password, or the stored one) and show a picture."""
        url = self.main_edit.text().strip()
        user = self.user_edit.text().strip() or None
        password = self.password_edit.text() or None
        stored = password is None and self.camera.has_password and url == self.camera.main_url
        actor, camera_id, onboarding = self._principal, self.camera.id, self._services.onboarding
        cameras, transport = self._services.cameras, self.transport_combo.currentData()

        def work() -> Any:
            target = url
            if stored:
                login = cameras.stream_login(actor, camera_id)
                if login.login_missing:  # dialling without it would only be refused (and could lock the account)
                    raise SecretStoreError(
                        "the camera's password is not in this machine's keyring: type it and test again"
                    )
                target = login.url
            return onboarding.probe(
                actor,
                target,
                username=None if stored else user,
                password=None if stored else password,
                transport=transport,
                thumbnail=True,
            )

        self.test_button.setEnabled(False)
        self.thumbnail.setText(self.tr("Connecting…"))
        self.jobs.submit(work, self._show_probe, self._probe_failed)

    def _probe_failed(self, err: Exception) -> None:
        self.test_button.setEnabled(True)
        self.thumbnail.setText(self.tr("No picture"))
        message = error_text(err, self._services.secrets) if isinstance(err, NvrError) else type(err).__name__
        self.probe_label.setText(self.tr("Failed: %1").replace("%1", message))

    def _show_probe(self, result: Any) -> None:
        self.test_button.setEnabled(True)
        show_probe(result, self.probe_label, self.thumbnail, THUMB)

    def done(self, result: int) -> None:
        """Stop the test thread with the dialog (bounded wait)."""
        self.jobs.stop()
        super().done(result)
