"""Settings for administrators: the interface language (English or Spanish), used from the next start."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from nvr_desktop.app import Services

# Each language under its own name, so a user who cannot read the current one still finds theirs.
LANGUAGE_NAMES = {"en": "English", "es": "Español"}


class SettingsDialog(QDialog):
    """Choose the interface language; saved to config.toml and audited."""

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self.saved = False
        self.setObjectName("settingsDialog")
        self.setWindowTitle(self.tr("Settings"))
        self.language_combo = QComboBox(self)
        self.language_combo.setObjectName("settingsLanguage")
        for code, name in LANGUAGE_NAMES.items():
            self.language_combo.addItem(name, code)
        current = services.settings.language()
        self.language_combo.setCurrentIndex(max(0, self.language_combo.findData(current)))
        self.note = QLabel(self.tr("The new language is used when NVR Desktop starts again."), self)
        self.note.setObjectName("settingsNote")
        self.note.setWordWrap(True)
        self.error_label = ErrorLabel(self)
        form = QFormLayout()
        form.addRow(self.tr("Language:"), self.language_combo)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel, self)
        buttons.button(QDialogButtonBox.StandardButton.Save).setText(self.tr("&Save"))
        buttons.button(QDialogButtonBox.StandardButton.Cancel).setText(self.tr("Cancel"))
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addLayout(form)
        layout.addWidget(self.note)
        layout.addWidget(self.error_label)
        layout.addWidget(buttons)
        self.resize(420, 0)

    def save(self) -> bool:
        """Store the choice; the dialog closes when it was stored."""
        try:
            self._services.settings.set_language(self._principal, self.language_combo.currentData())
        except NvrError as err:
            self.error_label.show_message(error_text(err, self._services.secrets))
            return False
        self.saved = True
        self.accept()
        return True
