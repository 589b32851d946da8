"""The PySide6 desktop interface: the only package that imports Qt (and it never imports PyAV)."""
