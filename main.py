"""Launch NVR Desktop: `python main.py --help` lists the options and admin subcommands."""

from nvr_desktop.cli import main

if __name__ == "__main__":
    raise SystemExit(main())
