"""Small widgets shared by the dialogs and the main window."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtGui import QColor, QIcon, QPalette
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.ui.i18n import resources_dir

ERROR_COLOR = QColor("#ff6b6b")


def app_icon() -> QIcon:
    """The application's logo (an SVG under resources/icons)."""
    return QIcon(str(resources_dir() / "icons" / "nvr-desktop.svg"))


class ErrorLabel(QLabel):
    """A red, word-wrapped message line that stays hidden until there is something to say."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorLabel")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        # Red even without the style sheet (the style sheet sets the same colour).
        palette = self.palette()
        palette.setColor(QPalette.ColorRole.WindowText, ERROR_COLOR)
        self.setPalette(palette)
        self.setVisible(False)

    def show_message(self, text: str) -> None:
        """Show text (an empty text hides the label)."""
        self.setText(text)
        self.setVisible(bool(text))

    def clear_message(self) -> None:
        """Hide the label."""
        self.show_message("")


class DialogHeader(QWidget):
    """The logo, a bold title and a muted subtitle at the top of a dialog."""

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.logo = QLabel(self)
        self.logo.setObjectName("dialogLogo")
        self.logo.setPixmap(app_icon().pixmap(QSize(52, 52)))
        self.logo.setFixedSize(56, 56)
        self.logo.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.title = QLabel(title, self)
        self.title.setObjectName("dialogTitle")
        self.subtitle = QLabel(subtitle, self)
        self.subtitle.setObjectName("dialogSubtitle")
        self.subtitle.setWordWrap(True)
        texts = QVBoxLayout()
        texts.setSpacing(2)
        texts.addWidget(self.title)
        texts.addWidget(self.subtitle)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        row.addWidget(self.logo, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(texts, 1)


def dialog_buttons(
    dialog: QDialog, primary_text: str, quit_text: str
) -> tuple[QDialogButtonBox, QPushButton, QPushButton]:
    """The primary action and Quit buttons of the first-run and login dialogs (Quit rejects the dialog)."""
    buttons = QDialogButtonBox(dialog)
    primary = QPushButton(primary_text, dialog)
    primary.setObjectName("primaryButton")
    primary.setDefault(True)
    quit_button = QPushButton(quit_text, dialog)
    buttons.addButton(primary, QDialogButtonBox.ButtonRole.AcceptRole)
    buttons.addButton(quit_button, QDialogButtonBox.ButtonRole.RejectRole)
    quit_button.clicked.connect(dialog.reject)
    return buttons, primary, quit_button


def stack_dialog(dialog: QDialog, header: QWidget, form: QLayout, error: QWidget, buttons: QWidget) -> None:
    """Lay out a dialog as header, form, error line and buttons, with the house margins."""
    layout = QVBoxLayout(dialog)
    layout.setContentsMargins(24, 22, 24, 18)
    layout.setSpacing(16)
    layout.addWidget(header)
    layout.addLayout(form)
    layout.addWidget(error)
    layout.addStretch(1)
    layout.addWidget(buttons)
