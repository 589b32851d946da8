"""File > Back up database… for administrators: the same online backup as `backup create`, on a short-lived
"database-backup" thread (the GUI never waits on the disk); a GUI timer picks the result up."""

from __future__ import annotations

import collections
import threading
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import ConflictError, NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.labels import error_text
from nvr_desktop.ui.widgets import ErrorLabel

if TYPE_CHECKING:
    from nvr_desktop.app import Services
    from nvr_desktop.storage.backup import BackupInfo

POLL_MS = 100


class BackupDialog(QDialog):
    """Choose a file and write a consistent copy of the database to it (works while cameras record)."""

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._principal = principal
        self._results: collections.deque[BackupInfo | NvrError] = collections.deque(maxlen=1)
        self._worker: threading.Thread | None = None
        self.saved: BackupInfo | None = None
        self.setObjectName("backupDialog")
        self.setWindowTitle(self.tr("Back up database"))
        stamp = datetime.now().strftime("%Y-%m-%d-%H%M")
        self.path_edit = QLineEdit(str(Path.home() / f"nvr-backup-{stamp}.sqlite3"), self)
        self.path_edit.setObjectName("backupPath")
        self.browse_button = QPushButton(self.tr("&Browse…"), self)
        self.browse_button.clicked.connect(self.browse)
        self.replace_box = QCheckBox(self.tr("&Replace the file if it exists"), self)
        self.replace_box.setObjectName("backupReplace")
        self.note = QLabel(
            self.tr(
                "The backup holds users, cameras, views, the recording index, events, alerts and the audit log. "
                "Camera passwords and edge pairing tokens are not in it: they stay in this computer's keyring. "
                "Recordings and snapshots are files and are not in it either."
            ),
            self,
        )
        self.note.setObjectName("backupNote")
        self.note.setWordWrap(True)
        self.result_label = QLabel(self)
        self.result_label.setObjectName("backupResult")
        self.result_label.setWordWrap(True)
        self.error_label = ErrorLabel(self)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        self.buttons.button(QDialogButtonBox.StandardButton.Close).setText(self.tr("Close"))
        self.backup_button = self.buttons.addButton(self.tr("Back &up"), QDialogButtonBox.ButtonRole.ActionRole)
        self.backup_button.setObjectName("backupStart")
        self.backup_button.clicked.connect(self.start)
        self.buttons.rejected.connect(self.reject)
        row = QHBoxLayout()
        row.addWidget(self.path_edit, 1)
        row.addWidget(self.browse_button)
        self._layout = layout = QVBoxLayout(self)
        layout.setContentsMargins(16, 16, 16, 12)
        layout.addWidget(QLabel(self.tr("Save the backup to:"), self))
        layout.addLayout(row)
        layout.addWidget(self.replace_box)
        layout.addWidget(self.note)
        layout.addWidget(self.result_label)
        layout.addWidget(self.error_label)
        layout.addWidget(self.buttons)
        self._poll_timer = QTimer(self)
        self._poll_timer.setInterval(POLL_MS)
        self._poll_timer.timeout.connect(self.poll)
        self.setMinimumWidth(560)
        self._fit()

    def _fit(self) -> None:
        # The wrapped labels need the height for this width (a dialog's minimum size ignores height-for-width).
        height = self._layout.totalHeightForWidth(self.width())
        self.resize(self.width(), max(height, self._layout.minimumSize().height()))

    def browse(self) -> None:
        """Pick the file with the platform's save dialog."""
        name, _filter = QFileDialog.getSaveFileName(
            self, self.tr("Back up database"), self.path_edit.text(), self.tr("SQLite database (*.sqlite3 *.db)")
        )
        if name:
            self.path_edit.setText(name)

    @property
    def busy(self) -> bool:
        """True while a backup is being written."""
        return self._worker is not None and self._worker.is_alive()

    def start(self) -> bool:
        """Start writing the backup on a worker thread; False when one is already under way or no file is named."""
        text = self.path_edit.text().strip()
        if self.busy or not text:
            return False
        self.error_label.clear_message()
        self.result_label.setText(self.tr("Backing up…"))
        self._fit()
        self.backup_button.setEnabled(False)
        target, force = Path(text).expanduser(), self.replace_box.isChecked()
        self._worker = threading.Thread(target=self._work, args=(target, force), name="database-backup", daemon=True)
        self._worker.start()
        self._poll_timer.start()
        return True

    def _work(self, target: Path, force: bool) -> None:
        try:
            self._results.append(self._services.backup.create(self._principal, target, force=force))
        except NvrError as err:
            self._results.append(err)

    def poll(self) -> bool:
        """Show the worker's result once it is there; True when there was one."""
        if not self._results:
            return False
        result = self._results.popleft()
        self._poll_timer.stop()
        self.backup_button.setEnabled(True)
        if isinstance(result, ConflictError):  # the service's message names the CLI's --force
            self.result_label.clear()
            self.error_label.show_message(
                self.tr("This file exists already: choose another name, or tick “Replace the file if it exists”.")
            )
        elif isinstance(result, NvrError):
            self.result_label.clear()
            self.error_label.show_message(error_text(result, self._services.secrets))
        if isinstance(result, NvrError):
            self._fit()
            return True
        self.saved = result
        counts = result.counts
        self.result_label.setText(
            self.tr("Saved %1 (%2 KiB, schema revision %3). Cameras: %4, users: %5, segments: %6, events: %7.")
            .replace("%1", str(result.path))
            .replace("%2", f"{result.size / 1024:.0f}")
            .replace("%3", result.revision)
            .replace("%4", str(counts["cameras"]))
            .replace("%5", str(counts["users"]))
            .replace("%6", str(counts["segments"]))
            .replace("%7", str(counts["events"]))
        )
        self._fit()
        return True

    def done(self, result: int) -> None:
        """Close; a backup under way finishes first (it takes a moment even for a large database)."""
        self._poll_timer.stop()
        if self._worker is not None:
            self._worker.join(60)
        super().done(result)
