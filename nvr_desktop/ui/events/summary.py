"""The summary tab of the event panel: detections and alerts per camera and device over a chosen period (the same
report the periodic writer and `events report` make), exportable as CSV or JSON."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QFileDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from nvr_desktop.core.errors import NvrError
from nvr_desktop.core.models import Principal
from nvr_desktop.ui.labels import error_text

if TYPE_CHECKING:
    from nvr_desktop.app import Services
    from nvr_desktop.events.reports import Report

PERIODS = (timedelta(minutes=15), timedelta(hours=1), timedelta(hours=24), timedelta(days=7))


class SummaryView(QWidget):
    """Counts over the last 15 minutes, hour, day or week; export to a file."""

    COLUMNS = ("scope", "name", "detections", "alerts", "info", "warning", "critical", "pending")

    def __init__(self, services: Services, principal: Principal, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("eventSummary")
        self._services = services
        self._principal = principal
        self.report: Report | None = None
        self.period_combo = QComboBox(self)
        self.period_combo.setObjectName("summaryPeriod")
        labels = (self.tr("Last 15 minutes"), self.tr("Last hour"), self.tr("Last 24 hours"), self.tr("Last 7 days"))
        for label, span in zip(labels, PERIODS, strict=True):
            self.period_combo.addItem(label, span)
        self.period_combo.setCurrentIndex(1)
        self.period_combo.currentIndexChanged.connect(self.refresh)
        refresh = QPushButton(self.tr("Re&fresh"), self)
        refresh.clicked.connect(self.refresh)
        self.csv_button = QPushButton(self.tr("Export &CSV…"), self)
        self.csv_button.setObjectName("summaryCsv")
        self.csv_button.clicked.connect(lambda: self.ask_export("csv"))
        self.json_button = QPushButton(self.tr("Export &JSON…"), self)
        self.json_button.setObjectName("summaryJson")
        self.json_button.clicked.connect(lambda: self.ask_export("json"))
        top = QHBoxLayout()
        top.addWidget(self.period_combo)
        top.addWidget(refresh)
        top.addStretch(1)
        top.addWidget(self.csv_button)
        top.addWidget(self.json_button)
        self.table = QTableWidget(0, len(self.COLUMNS), self)
        self.table.setObjectName("summaryTable")
        self.table.setHorizontalHeaderLabels(
            [
                self.tr("Scope"),
                self.tr("Name"),
                self.tr("Detections"),
                self.tr("Alerts"),
                self.tr("Info"),
                self.tr("Warning"),
                self.tr("Critical"),
                self.tr("Pending"),
            ]
        )
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().hide()
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setSectionResizeMode(1, QHeaderView.ResizeMode.Stretch)
        self.note = QLabel(self)
        self.note.setObjectName("summaryNote")
        self.note.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 0)
        layout.addLayout(top)
        layout.addWidget(self.table, 1)
        layout.addWidget(self.note)

    def refresh(self) -> None:
        """Build the report for the chosen period."""
        end = datetime.now(UTC)
        span: timedelta = self.period_combo.currentData()
        try:
            report = self._services.reports.build(self._principal, end - span, end)
        except NvrError as err:
            self.report = None
            self.table.setRowCount(0)
            self.note.setText(error_text(err, self._services.secrets))
            return
        self.report = report
        rows = [(self.tr("All"), "—", report.total)]
        rows += [
            (self.tr("Camera"), report.camera_names.get(cid, str(cid)), c) for cid, c in sorted(report.cameras.items())
        ]
        rows += [(self.tr("Device"), device, c) for device, c in sorted(report.devices.items())]
        self.table.setRowCount(len(rows))
        for row, (scope, name, counts) in enumerate(rows):
            values = (counts.detections, counts.alerts, counts.info, counts.warning, counts.critical, counts.pending)
            for column, text in enumerate((scope, name, *(str(v) for v in values))):
                self.table.setItem(row, column, QTableWidgetItem(text))
        self.note.setText(
            self.tr("Alerts pending now: %1. Edge devices heard from: %2.")
            .replace("%1", str(report.pending_now))
            .replace("%2", ", ".join(sorted(report.devices_seen)) or "—")
        )

    def export(self, path: Path, kind: str) -> Path:
        """Write the shown report to path as "csv" or "json" (building it first if needed)."""
        if self.report is None:
            self.refresh()
        if self.report is None:
            raise ValueError("there is no report to export")
        text = self.report.to_csv() if kind == "csv" else self.report.to_json()
        path.write_text(text, encoding="utf-8")
        return path

    def ask_export(self, kind: str) -> None:
        """Ask where to save, then export."""
        stamp = datetime.now().strftime("%Y%m%d-%H%M")
        suggested = str(self._services.paths.base / f"summary-{stamp}.{kind}")
        name, _ = QFileDialog.getSaveFileName(self, self.tr("Export the summary"), suggested, f"*.{kind}")
        if not name:
            return
        try:
            self.export(Path(name), kind)
        except (OSError, ValueError) as err:
            self.note.setText(self.tr("Could not save the summary: %1").replace("%1", str(err)))
            return
        self.note.setText(self.tr("Saved %1.").replace("%1", name))
