"""Launch NVR Desktop: `python main.py --help` lists the options and admin subcommands."""

import multiprocessing

from nvr_desktop.cli import main

if __name__ == "__main__":
    multiprocessing.freeze_support()  # the stream processes of a packaged (PyInstaller) build start here
    raise SystemExit(main())
