"""Detections, events, alert rules, notifications and reports (no Qt)."""
