"""Help > About: name, version, licence."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QDialogButtonBox, QLabel, QPushButton, QVBoxLayout, QWidget

from nvr_desktop import APP_NAME, __version__
from nvr_desktop.ui.widgets import DialogHeader

LICENCE = "GPL-3.0-or-later"


class AboutDialog(QDialog):
    """The app's name, version and licence."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("aboutDialog")
        self.setWindowTitle(self.tr("About NVR Desktop"))
        header = DialogHeader(APP_NAME, self.tr("Version %1").replace("%1", __version__), self)
        self.body = QLabel(
            self.tr(
                "A network video recorder for Windows and Linux PCs: a live wall of up to 128 cameras, "
                "recording, playback and events."
            )
            + "\n\n"
            + self.tr("Licence: %1").replace("%1", LICENCE)
            + "\n"
            + self.tr("This program comes with absolutely no warranty."),
            self,
        )
        self.body.setObjectName("aboutBody")
        self.body.setWordWrap(True)
        self.body.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        buttons = QDialogButtonBox(self)
        close = QPushButton(self.tr("Close"), self)
        close.setDefault(True)
        buttons.addButton(close, QDialogButtonBox.ButtonRole.AcceptRole)
        close.clicked.connect(self.accept)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 22, 24, 18)
        layout.setSpacing(16)
        layout.addWidget(header)
        layout.addWidget(self.body)
        layout.addWidget(buttons)
        self.setMinimumWidth(440)
