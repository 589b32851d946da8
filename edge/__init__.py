"""The NVR Desktop edge agent for Raspberry Pi (motion detection, store-and-forward to the desktop)."""

__version__ = "0.1.0"
