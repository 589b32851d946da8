"""PTZ controls over the wall's full-size view of an ONVIF camera: hold a direction (buttons or arrow keys) to move,
+ / - to zoom, release to stop; presets to go to and to save.

Shown only to users with the PTZ permission on that camera (the service checks again on every command). Commands run
in order on the panel's "ptz" thread (ui/playback/jobs.py `Background`): the GUI never waits for a camera.
"""

from __future__ import annotations

from typing import Any, Protocol

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (
    QComboBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.core.urls import SecretRegistry
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.playback.jobs import Background

SPEED = 0.5
MARGIN = 16
#: key -> (pan, tilt, zoom) while held
KEY_VECTORS: dict[int, tuple[float, float, float]] = {
    Qt.Key.Key_Left.value: (-SPEED, 0.0, 0.0),
    Qt.Key.Key_Right.value: (SPEED, 0.0, 0.0),
    Qt.Key.Key_Up.value: (0.0, SPEED, 0.0),
    Qt.Key.Key_Down.value: (0.0, -SPEED, 0.0),
    Qt.Key.Key_Plus.value: (0.0, 0.0, SPEED),
    Qt.Key.Key_Equal.value: (0.0, 0.0, SPEED),  # the + key without Shift on most layouts
    Qt.Key.Key_Minus.value: (0.0, 0.0, -SPEED),
}


class PtzService(Protocol):
    """What the panel needs from services.ptz (nvr_desktop/services/ptz.py)."""

    def capable(self, actor: Principal, camera_id: int) -> bool:
        """May the actor move this camera, and does it speak ONVIF?"""

    def move(self, actor: Principal, camera_id: int, pan: float, tilt: float, zoom: float) -> None:
        """Continuous move."""

    def stop(self, actor: Principal, camera_id: int) -> None:
        """Stop."""

    def presets(self, actor: Principal, camera_id: int) -> list[Any]:
        """Presets (token, name)."""

    def goto_preset(self, actor: Principal, camera_id: int, preset_token: str) -> None:
        """Go to a preset."""

    def set_preset(self, actor: Principal, camera_id: int, name: str) -> str:
        """Save a preset."""


class PtzPanel(QFrame):
    """A small control pad floating in the bottom-right corner of the wall while it shows a PTZ camera alone."""

    def __init__(
        self, service: PtzService, principal: Principal, wall: QWidget, secrets: SecretRegistry | None = None
    ) -> None:
        super().__init__(wall)
        self.setObjectName("ptzPanel")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self._service = service
        self._principal = principal
        self._secrets = secrets
        self._wall = wall
        self.camera_id: int | None = None
        self._moving: tuple[float, float, float] | None = None
        self._presets: list[Any] = []
        self.jobs = Background("ptz", self)

        title = QLabel(self.tr("PTZ"), self)
        title.setObjectName("ptzTitle")
        pad = QGridLayout()
        pad.setSpacing(4)
        self.buttons: dict[str, QPushButton] = {}
        for name, text, tip, vector, row, col in (
            ("up", "▲", self.tr("Tilt up (Up arrow)"), (0.0, SPEED, 0.0), 0, 1),
            ("left", "◀", self.tr("Pan left (Left arrow)"), (-SPEED, 0.0, 0.0), 1, 0),
            ("right", "▶", self.tr("Pan right (Right arrow)"), (SPEED, 0.0, 0.0), 1, 2),
            ("down", "▼", self.tr("Tilt down (Down arrow)"), (0.0, -SPEED, 0.0), 2, 1),
            ("zoom_in", "+", self.tr("Zoom in (+)"), (0.0, 0.0, SPEED), 0, 3),
            ("zoom_out", "−", self.tr("Zoom out (-)"), (0.0, 0.0, -SPEED), 2, 3),
        ):
            button = self._pad_button(name, text, tip)
            button.pressed.connect(lambda v=vector: self.start_move(*v))
            button.released.connect(self.stop_move)
            pad.addWidget(button, row, col)
        stop = self._pad_button("stop", "■", self.tr("Stop"))
        stop.clicked.connect(self.stop_move)
        pad.addWidget(stop, 1, 1)

        self.preset_combo = QComboBox(self)
        self.preset_combo.setObjectName("ptzPresets")
        self.preset_combo.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.goto_button = QPushButton(self.tr("Go"), self)
        self.goto_button.setObjectName("ptzGoto")
        self.goto_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.goto_button.clicked.connect(self.goto_selected)
        self.preset_name = QLineEdit(self)
        self.preset_name.setObjectName("ptzPresetName")
        self.preset_name.setPlaceholderText(self.tr("New preset name"))
        self.save_button = QPushButton(self.tr("Save"), self)
        self.save_button.setObjectName("ptzSave")
        self.save_button.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.save_button.clicked.connect(self.save_preset)
        goto_row = QHBoxLayout()
        goto_row.addWidget(self.preset_combo, 1)
        goto_row.addWidget(self.goto_button)
        save_row = QHBoxLayout()
        save_row.addWidget(self.preset_name, 1)
        save_row.addWidget(self.save_button)
        self.error_label = QLabel(self)
        self.error_label.setObjectName("ptzError")
        self.error_label.setWordWrap(True)
        self.error_label.setStyleSheet("color: #ff7b72;")
        self.error_label.setVisible(False)

        box = QVBoxLayout(self)
        box.setContentsMargins(10, 8, 10, 10)
        box.setSpacing(6)
        box.addWidget(title)
        box.addLayout(pad)
        box.addLayout(goto_row)
        box.addLayout(save_row)
        box.addWidget(self.error_label)
        # The theme gives push buttons a minimum width and padding meant for words; the pad's glyph buttons are small.
        self.setStyleSheet(
            'QPushButton[ptzPad="true"] { min-width: 0px; padding: 0px; font-size: 15px; }'
            " QFrame#ptzPanel { background-color: rgba(13, 17, 23, 225); border: 1px solid #30363d;"
            " border-radius: 6px; }"
            " QPushButton#ptzGoto, QPushButton#ptzSave { min-width: 0px; padding: 4px 12px; }"
        )
        self.setFixedWidth(240)
        self.setVisible(False)
        wall.installEventFilter(self)

    def _pad_button(self, name: str, text: str, tip: str) -> QPushButton:
        button = QPushButton(text, self)
        button.setObjectName(f"ptz_{name}")
        button.setToolTip(tip)
        button.setProperty("ptzPad", True)
        button.setFixedSize(44, 34)
        button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the wall keeps the keyboard
        self.buttons[name] = button
        return button

    # ---- showing ----

    @property
    def active(self) -> bool:
        """True while the panel drives a camera."""
        return self.camera_id is not None

    def set_camera(self, camera_id: int | None) -> None:
        """The wall's full-size camera (None: back to the grid); shown only for a PTZ camera this user may move."""
        if self._moving is not None:
            self.stop_move()
        capable = camera_id is not None and self._service.capable(self._principal, camera_id)
        self.camera_id = camera_id if capable else None
        self.error_label.setVisible(False)
        self.preset_combo.clear()
        self._presets = []
        self.setVisible(self.camera_id is not None)
        if self.camera_id is not None:
            self._place()
            self.raise_()
            self.load_presets()

    def _place(self) -> None:
        self.adjustSize()
        area = self._wall.rect()
        self.move(area.right() - self.width() - MARGIN, area.bottom() - self.height() - MARGIN - 24)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Stay in the wall's corner when it is resized."""
        if watched is self._wall and event.type() == QEvent.Type.Resize and self.isVisible():
            self._place()
        return False

    # ---- commands ----

    def _submit(self, work: Any, done: Any = None) -> None:
        self.jobs.submit(work, done or (lambda _result: None), self._failed)

    def _failed(self, err: Exception) -> None:
        message = error_text(err, self._secrets) if isinstance(err, NvrError) else type(err).__name__
        self.error_label.setText(message)
        self.error_label.setVisible(True)
        self._place()

    def start_move(self, pan: float, tilt: float, zoom: float) -> None:
        """Move at these velocities until stop_move()."""
        camera = self.camera_id
        if camera is None:
            return
        self._moving = (pan, tilt, zoom)
        self.error_label.setVisible(False)
        self._submit(lambda: self._service.move(self._principal, camera, pan, tilt, zoom))

    def stop_move(self) -> None:
        """Stop moving."""
        camera = self.camera_id
        self._moving = None
        if camera is not None:
            self._submit(lambda: self._service.stop(self._principal, camera))

    def handle_key(self, key: int, pressed: bool) -> bool:
        """Arrow keys pan and tilt, + and - zoom, while held; True when the key was a PTZ key."""
        vector = KEY_VECTORS.get(key)
        if vector is None or not self.active:
            return False
        if pressed:
            self.start_move(*vector)
        elif self._moving is not None:
            self.stop_move()
        return True

    def load_presets(self) -> None:
        """Fetch the camera's presets into the list."""
        camera = self.camera_id
        if camera is not None:
            self._submit(lambda: self._service.presets(self._principal, camera), self._show_presets)

    def _show_presets(self, presets: list[Any]) -> None:
        self._presets = presets
        self.preset_combo.clear()
        for preset in presets:
            self.preset_combo.addItem(preset.name or preset.token, preset.token)

    def goto_selected(self) -> None:
        """Go to the preset chosen in the list."""
        camera, token = self.camera_id, self.preset_combo.currentData()
        if camera is not None and token:
            self._submit(lambda: self._service.goto_preset(self._principal, camera, str(token)))

    def save_preset(self) -> None:
        """Save the current position under the typed name, then reload the list."""
        camera, name = self.camera_id, self.preset_name.text().strip()
        if camera is None or not name:
            return
        self.preset_name.clear()
        self._submit(
            lambda: self._service.set_preset(self._principal, camera, name), lambda _token: self.load_presets()
        )

    def release(self) -> None:
        """Stop the worker thread (bounded wait)."""
        self.jobs.stop()
