"""The video wall area in the middle of the main window."""
