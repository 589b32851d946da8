"""The Windows installer script compiles with NSIS (warnings are errors) around a dummy bundle.

The real bundle is built on Windows (installer/README.md); here makensis (Debian `nsis`, installed by
`installer/system-deps.sh test`) checks the script itself.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "installer" / "windows" / "nvr-desktop.nsi"

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="checked with Debian's makensis")


def test_the_nsis_script_compiles_without_warnings(tmp_path: Path) -> None:
    makensis = shutil.which("makensis")
    if makensis is None:
        pytest.fail("makensis is missing: run `make test` (installer/system-deps.sh test installs nsis)", pytrace=False)
    bundle = tmp_path / "nvr-desktop"
    (bundle / "_internal").mkdir(parents=True)
    (bundle / "nvr-desktop.exe").write_bytes(b"MZ dummy payload")
    (bundle / "_internal" / "base_library.zip").write_bytes(b"PK dummy")
    installer = tmp_path / "nvr-desktop-0.1.0-windows-x64-installer.exe"
    done = subprocess.run(
        [makensis, "-WX", "-V2", f"-DBUNDLE={bundle}", f"-DOUTFILE={installer}", "-DVERSION=0.1.0", str(SCRIPT)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert installer.read_bytes()[:2] == b"MZ"
    script = SCRIPT.read_text(encoding="utf-8")
    # The headless service is optional (unticked), and the uninstaller removes it and only what was installed.
    assert 'Section /o "$(SecServiceName)"' in script
    assert 'schtasks /Delete /F /TN "${TASK}"' in script
    assert 'RMDir /r "$INSTDIR"' not in script
