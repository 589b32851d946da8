"""NVR Desktop: a PC network video recorder."""

__version__ = "0.1.0"
APP_NAME = "NVR Desktop"
APP_ID = "nvr-desktop"
