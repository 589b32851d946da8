"""Dialogs: first run, login, users list, about."""
