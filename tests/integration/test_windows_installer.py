"""The Windows installer: the NSIS script compiles (warnings are errors), and its installer works under Wine.

The real bundle is built on Windows (installer/README.md); here a dummy bundle stands in. makensis (Debian `nsis`)
checks the script; Wine (Debian `wine` + `wine64`, 64-bit only) runs the 64-bit installer silently in a throwaway
prefix, then its uninstaller. Both come from `installer/system-deps.sh test`.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "windows" / "nvr-desktop.nsi"
EXE_PAYLOAD = b"MZ dummy payload"
ZIP_PAYLOAD = b"PK dummy"
UNINSTALL_KEY = r"HKLM\Software\Microsoft\Windows\CurrentVersion\Uninstall\NVR Desktop"
APP_KEY = r"HKLM\Software\NVR Desktop"
# A shell link file starts with its header size (0x4C) and the ShellLink CLSID {00021401-0000-0000-C000-000000000046}.
LNK_HEADER = bytes.fromhex("4c0000000114020000000000c000000000000046")

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="checked with Debian's makensis and Wine")


def _makensis(*args: str) -> None:
    """Run makensis with warnings as errors; fail (not skip) when it is missing."""
    makensis = shutil.which("makensis")
    if makensis is None:
        pytest.fail("makensis is missing: run `make test` (installer/system-deps.sh test installs nsis)", pytrace=False)
    done = subprocess.run([makensis, "-WX", "-V2", *args], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr


def _compile(tmp_path: Path, version: str) -> Path:
    """The installer compiled around a dummy bundle (an exe and an _internal folder)."""
    bundle = tmp_path / "bundle" / "nvr-desktop"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "nvr-desktop.exe").write_bytes(EXE_PAYLOAD)
    (bundle / "_internal" / "base_library.zip").write_bytes(ZIP_PAYLOAD)
    installer = tmp_path / f"nvr-desktop-{version}-windows-x64-installer.exe"
    _makensis(f"-DBUNDLE={bundle}", f"-DOUTFILE={installer}", f"-DVERSION={version}", str(SCRIPT))
    return installer


def test_the_nsis_script_compiles_without_warnings(tmp_path: Path) -> None:
    installer = _compile(tmp_path, "0.1.0")
    header = installer.read_bytes()
    assert header[:2] == b"MZ"
    # A 64-bit installer: the PE header's machine field is AMD64 (0x8664).
    pe = int.from_bytes(header[0x3C:0x40], "little")
    assert header[pe : pe + 4] == b"PE\0\0"
    assert int.from_bytes(header[pe + 4 : pe + 6], "little") == 0x8664
    script = SCRIPT.read_text(encoding="utf-8")
    # The headless service is optional (unticked), and the uninstaller removes it and only what was installed.
    assert 'Section /o "$(SecServiceName)"' in script
    assert 'schtasks /Delete /F /TN "${TASK}"' in script
    assert 'RMDir /r "$INSTDIR"' not in script


# schtasks stand-in: Wine's own schtasks cannot create a boot task (it takes only /XML), and the test must not
# depend on it anyway. This one, an NSIS program too, appends its command line to C:\schtasks.log and exits 0.
SCHTASKS_STAND_IN = r"""Target amd64-unicode
OutFile "${OUTFILE}"
SilentInstall silent
RequestExecutionLevel user
Section
  FileOpen $0 "C:\schtasks.log" a
  FileSeek $0 0 END
  FileWrite $0 "$CMDLINE$\r$\n"
  FileClose $0
SectionEnd
"""


class Wine:
    """A throwaway 64-bit Wine prefix; no X server, nothing written to the real home, schtasks a logging stand-in."""

    def __init__(self, root: Path) -> None:
        self.prefix = root / "prefix"
        self.drive_c = self.prefix / "drive_c"
        self.schtasks_log = self.drive_c / "schtasks.log"
        home = root / "home"
        home.mkdir()
        env = {key: value for key, value in os.environ.items() if key not in ("DISPLAY", "WAYLAND_DISPLAY")}
        env.update(
            HOME=str(home),  # Wine links the prefix's user folders to the home's
            XDG_CONFIG_HOME=str(home / ".config"),
            XDG_DATA_HOME=str(home / ".local" / "share"),
            XDG_CACHE_HOME=str(home / ".cache"),
            LC_ALL="C.UTF-8",  # English messages from Wine's programs (reg)
            WINEPREFIX=str(self.prefix),
            WINEARCH="win64",
            WINEDEBUG="-all",
            # No Mono or Gecko install prompt; no menu entries or icons mirrored into the (temp) home; the
            # schtasks.exe in system32 is the stand-in (native), not Wine's builtin.
            WINEDLLOVERRIDES="mscoree,mshtml=;winemenubuilder.exe=d;schtasks.exe=n",
        )
        self.env = env

    def run(self, *args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        """`wine ARGS`, bounded; returns when that program ends, whatever Wine keeps running after it."""
        # Output goes to files, not pipes: the wineserver and Wine's services that a call starts inherit its
        # output, and a pipe would stay open (and the call wait) until they quit, so each call would start them
        # all again (seconds each).
        with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
            done = subprocess.run(["wine", *args], env=self.env, stdout=out, stderr=err, timeout=timeout)
            out.seek(0)
            err.seek(0)
            return subprocess.CompletedProcess(
                done.args, done.returncode, out.read().decode(errors="replace"), err.read().decode(errors="replace")
            )

    def wait_idle(self) -> None:
        """Wait until every process of the prefix has ended and the server has flushed the registry and quit."""
        subprocess.run(["wineserver", "-w"], env=self.env, timeout=60, check=True)

    def kill(self) -> None:
        """End whatever still runs in the prefix (a no-op when nothing does) and wait for the server to quit."""
        subprocess.run(["wineserver", "-k"], env=self.env, capture_output=True, timeout=30)
        subprocess.run(["wineserver", "-w"], env=self.env, capture_output=True, timeout=30)

    def reg_values(self, key: str, view: str = "/reg:64") -> dict[str, str] | None:
        """A registry key's values (64-bit view by default) as {name: data}, or None when the key does not exist."""
        done = self.run("reg", "query", key, view)
        if done.returncode != 0:
            # Only a missing key counts as "no key"; any other failure of reg (or Wine) fails the test.
            assert "Unable to find the specified registry key" in done.stdout, done.stdout + done.stderr
            return None
        values = {}
        for line in done.stdout.splitlines():
            parts = line.strip().split("    ", 2)
            if len(parts) == 3 and parts[1].startswith("REG_"):
                values[parts[0]] = parts[2]
        return values

    def schtasks_calls(self) -> list[str]:
        """The command lines the stand-in was run with since the last call (the log is emptied)."""
        if not self.schtasks_log.exists():
            return []
        calls = self.schtasks_log.read_text(encoding="ascii").splitlines()
        self.schtasks_log.unlink()
        return calls


@pytest.fixture(scope="module")
def installer(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The installer, version 1.2.3, around the dummy bundle."""
    return _compile(tmp_path_factory.mktemp("nsis"), "1.2.3")


@pytest.fixture(scope="module")
def wine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Wine]:
    """One fresh prefix for this module's tests (each leaves it as it found it), its server killed at the end."""
    if shutil.which("wine") is None or shutil.which("wineserver") is None:
        pytest.fail(
            "wine is missing: run `make test` (installer/system-deps.sh test installs wine and wine64)", pytrace=False
        )
    root = tmp_path_factory.mktemp("wine")
    stand_in_source = root / "schtasks.nsi"
    stand_in_source.write_text(SCHTASKS_STAND_IN, encoding="utf-8")
    stand_in = root / "schtasks.exe"
    _makensis(f"-DOUTFILE={stand_in}", str(stand_in_source))
    prefix = Wine(root)
    try:
        booted = prefix.run("wineboot", "--init", timeout=120)
        assert booted.returncode == 0, booted.stdout + booted.stderr
        shutil.copyfile(stand_in, prefix.drive_c / "windows" / "system32" / "schtasks.exe")
        yield prefix
    finally:
        prefix.kill()


def _assert_shortcut(path: Path, *targets: bytes) -> None:
    data = path.read_bytes()
    assert data[: len(LNK_HEADER)] == LNK_HEADER, f"{path.name} is not a shell link"
    for target in targets:
        assert target in data, f"{path.name} lacks {target!r}"


START_MENU = ("ProgramData", "Microsoft", "Windows", "Start Menu", "Programs", "NVR Desktop")
TASK_CALLS_ON_UNINSTALL = [
    'schtasks /End /TN "NVR Desktop headless"',
    'schtasks /Delete /F /TN "NVR Desktop headless"',
]


def test_a_silent_install_under_wine_puts_files_links_and_entry_and_the_uninstaller_removes_them(
    installer: Path, wine: Wine
) -> None:
    # No spaces in /D: Wine quotes an argument with spaces, and NSIS wants /D= unquoted.
    installed = wine.run(installer.as_posix(), "/S", r"/D=C:\Apps\nvr-desktop")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    home = wine.drive_c / "Apps" / "nvr-desktop"
    assert (home / "nvr-desktop.exe").read_bytes() == EXE_PAYLOAD
    assert (home / "_internal" / "base_library.zip").read_bytes() == ZIP_PAYLOAD
    assert (home / "uninstall.exe").read_bytes()[:2] == b"MZ"
    menu = wine.drive_c.joinpath(*START_MENU)
    assert sorted(p.name for p in menu.iterdir()) == [
        "NVR Desktop self-test.lnk",
        "NVR Desktop.lnk",
        "Uninstall NVR Desktop.lnk",
    ]
    _assert_shortcut(menu / "NVR Desktop.lnk", rb"C:\Apps\nvr-desktop\nvr-desktop.exe")
    # The 64-bit cmd.exe (system32, not syswow64), with the self-test as its argument (UTF-16 in the link).
    _assert_shortcut(
        menu / "NVR Desktop self-test.lnk",
        rb"C:\windows\system32\cmd.exe",
        '/k ""C:\\Apps\\nvr-desktop\\nvr-desktop.exe" --self-test"'.encode("utf-16-le"),
    )
    _assert_shortcut(menu / "Uninstall NVR Desktop.lnk", rb"C:\Apps\nvr-desktop\uninstall.exe")

    entry = wine.reg_values(UNINSTALL_KEY)
    assert entry is not None, "no Add/Remove Programs entry"
    assert entry["DisplayName"] == "NVR Desktop"
    assert entry["DisplayVersion"] == "1.2.3"
    assert entry["InstallLocation"] == r"C:\Apps\nvr-desktop"
    assert entry["UninstallString"] == r'"C:\Apps\nvr-desktop\uninstall.exe"'
    assert entry["QuietUninstallString"] == r'"C:\Apps\nvr-desktop\uninstall.exe" /S'
    assert wine.reg_values(APP_KEY) == {"InstallDir": r"C:\Apps\nvr-desktop"}
    # Written to the 64-bit registry view, not to the 32-bit one (WOW6432Node).
    assert wine.reg_values(UNINSTALL_KEY, "/reg:32") is None
    # The headless service is unticked by default.
    assert wine.schtasks_calls() == []
    assert not (wine.drive_c / "ProgramData" / "nvr-desktop").exists()

    # A file of the user's in the install folder: the uninstaller removes only what it installed.
    (home / "notes.txt").write_text("mine", encoding="utf-8")
    uninstalled = wine.run(r"C:\Apps\nvr-desktop\uninstall.exe", "/S")
    assert uninstalled.returncode == 0, uninstalled.stdout + uninstalled.stderr
    # The uninstaller copies itself to %TEMP% and runs from there: wait for that copy to finish.
    wine.wait_idle()

    assert sorted(p.name for p in home.iterdir()) == ["notes.txt"]
    assert not menu.exists()
    assert wine.reg_values(UNINSTALL_KEY) is None
    assert wine.reg_values(APP_KEY) is None
    assert wine.schtasks_calls() == TASK_CALLS_ON_UNINSTALL  # a task it may have made is always removed


def test_a_silent_install_with_service_under_wine_registers_the_boot_task_and_the_uninstall_keeps_the_data(
    installer: Path, wine: Wine
) -> None:
    wine.schtasks_calls()  # forget any calls a failed earlier test left in the log
    installed = wine.run(installer.as_posix(), "/S", "/SERVICE")
    assert installed.returncode == 0, installed.stdout + installed.stderr

    # The default folder is the 64-bit Program Files.
    home = wine.drive_c / "Program Files" / "NVR Desktop"
    assert (home / "nvr-desktop.exe").read_bytes() == EXE_PAYLOAD
    data = wine.drive_c / "ProgramData" / "nvr-desktop"
    assert data.is_dir()
    assert wine.schtasks_calls() == [
        r'schtasks /Create /F /TN "NVR Desktop headless" /SC ONSTART /RU SYSTEM /RL HIGHEST'
        r' /TR "\"C:\Program Files\NVR Desktop\nvr-desktop.exe\" --headless --basedir \"C:\ProgramData\nvr-desktop\""'
    ]
    assert wine.reg_values(APP_KEY) == {"InstallDir": r"C:\Program Files\NVR Desktop", "HeadlessTask": "0x1"}

    (data / "nvr.db").write_bytes(b"recordings index")
    uninstalled = wine.run(r"C:\Program Files\NVR Desktop\uninstall.exe", "/S")
    assert uninstalled.returncode == 0, uninstalled.stdout + uninstalled.stderr
    wine.wait_idle()

    assert wine.schtasks_calls() == TASK_CALLS_ON_UNINSTALL
    assert not home.exists()
    assert not wine.drive_c.joinpath(*START_MENU).exists()
    assert wine.reg_values(UNINSTALL_KEY) is None
    assert wine.reg_values(APP_KEY) is None
    assert (data / "nvr.db").read_bytes() == b"recordings index"
