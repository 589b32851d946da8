#!/usr/bin/env bash
# Installs (or upgrades) the NVR Desktop edge agent on Raspberry Pi OS / Debian. Idempotent; run as root:
#   sudo ./install.sh nvr_edge_agent-0.1.0-py3-none-any.whl        (the agent's wheel: make edge-wheel)
# It creates the nvr-edge system user, a venv under /opt/nvr-edge, installs the agent's wheel there with its pinned
# dependencies (OpenCV headless, zeroconf, numpy), copies the config template to /etc/nvr-edge/agent.toml if there
# is none, and installs and enables the systemd unit.
#   ./install.sh --check WHEEL     only checks that WHEEL is the agent's wheel (no root needed, changes nothing).
#   DESTDIR=DIR ./install.sh WHEEL installs under DIR and leaves the system alone (no user, no owners, no apt-get,
#                                  no systemctl; the venv works only where it was made): for testing this script.
set -euo pipefail

DESTDIR=${DESTDIR:-}
PREFIX=$DESTDIR/opt/nvr-edge
VENV=$PREFIX/venv
CONF_DIR=$DESTDIR/etc/nvr-edge
STATE_DIR=/var/lib/nvr-edge
SERVICE_USER=nvr-edge
UNIT=nvr-edge-agent.service
UNIT_PATH=$DESTDIR/etc/systemd/system/$UNIT

die() { echo "install.sh: $*" >&2; exit 1; }

check_only=0
if [ "${1-}" = "--check" ]; then check_only=1; shift; fi
[ "$#" -eq 1 ] || die "usage: sudo $0 [--check] path/to/nvr_edge_agent-VERSION-py3-none-any.whl"
wheel=$(readlink -f -- "$1")
[ -f "$wheel" ] || die "no wheel at $1 (build it in a checkout with: make edge-wheel)"
command -v python3 >/dev/null 2>&1 || die "python3 is missing: apt-get install python3"

# The agent's wheel, not the desktop's (nvr_desktop-*.whl holds the edge package too, but not its dependencies).
version=$(python3 -I - "$wheel" <<'PY'
import sys
import zipfile
from email.parser import Parser

path = sys.argv[1]
try:
    with zipfile.ZipFile(path) as wheel:
        names = set(wheel.namelist())
        metadata_name = next((n for n in names if n.count("/") == 1 and n.endswith(".dist-info/METADATA")), None)
        metadata = Parser().parsestr(wheel.read(metadata_name).decode("utf-8")) if metadata_name else None
except (OSError, zipfile.BadZipFile) as exc:
    sys.exit(f"install.sh: {path} is not a wheel ({exc})")
name = metadata["Name"] if metadata else None
if name == "nvr-desktop":
    sys.exit(
        f"install.sh: {path} is the desktop's wheel (nvr-desktop); the Pi needs the agent's:"
        " build it with `make edge-wheel`, then pass dist/nvr_edge_agent-VERSION-py3-none-any.whl"
    )
if name != "nvr-edge-agent":
    sys.exit(f"install.sh: {path} is not the edge agent's wheel (its name: {name or 'none'})")
missing = {"edge/__main__.py", "edge/agent.example.toml", "edge/nvr-edge-agent.service"} - names
if missing:
    sys.exit(f"install.sh: {path} lacks {', '.join(sorted(missing))}")
print(metadata["Version"])
PY
) || exit 1
echo "install.sh: $(basename -- "$wheel") is nvr-edge-agent $version"
[ "$check_only" -eq 0 ] || exit 0

owner=()
if [ -z "$DESTDIR" ]; then
  [ "$(id -u)" -eq 0 ] || die "run as root (sudo)"
  if ! python3 -c 'import ensurepip, venv' >/dev/null 2>&1; then
    echo "install.sh: installing python3-venv"
    apt-get update -q >/dev/null
    DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends python3-venv >/dev/null
  fi
  if ! id -u "$SERVICE_USER" >/dev/null 2>&1; then
    echo "install.sh: creating the system user $SERVICE_USER"
    useradd --system --home-dir "$STATE_DIR" --no-create-home --shell /usr/sbin/nologin "$SERVICE_USER"
  fi
  if getent group video >/dev/null 2>&1; then
    usermod -a -G video "$SERVICE_USER"
  fi
  owner=(-o root -g "$SERVICE_USER")
fi

install -d -m 0755 "$PREFIX"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"

# Earlier versions of this script installed the desktop's wheel here (for its edge package): remove it first, or it
# would keep claiming the agent's files.
purelib=$("$VENV/bin/python" -I -c 'import sysconfig; print(sysconfig.get_path("purelib"))')
if compgen -G "$purelib/nvr_desktop-*.dist-info" >/dev/null; then
  echo "install.sh: removing the desktop's wheel from $VENV (the agent now has its own)"
  "$VENV/bin/python" -m pip uninstall -q -y nvr-desktop
fi
# The agent with its pinned dependencies; then the wheel alone once more, because pip keeps an installed version it
# takes for the same one, and a rebuilt wheel must replace it.
"$VENV/bin/python" -m pip install -q "$wheel"
"$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$wheel"
# -I: never the current folder's edge/ (this script may run from a checkout), only what the venv holds.
"$VENV/bin/python" -I -c 'import cv2, zeroconf, edge.agent' || die "the agent does not import in $VENV"

package_dir=$("$VENV/bin/python" -I -c 'import edge, pathlib; print(pathlib.Path(edge.__file__).parent)')
install -d -m 0750 "${owner[@]}" "$CONF_DIR"
if [ ! -e "$CONF_DIR/agent.toml" ]; then
  install -m 0640 "${owner[@]}" "$package_dir/agent.example.toml" "$CONF_DIR/agent.toml"
  echo "install.sh: wrote $CONF_DIR/agent.toml from the template: set device_id and the source"
else
  echo "install.sh: keeping the existing $CONF_DIR/agent.toml"
fi

mkdir -p -- "$(dirname -- "$UNIT_PATH")"
install -m 0644 "$package_dir/$UNIT" "$UNIT_PATH"
if [ -n "$DESTDIR" ]; then
  echo "install.sh: installed under $DESTDIR; no user, systemd or ownership changes were made"
elif command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
  systemctl daemon-reload
  systemctl enable "$UNIT" >/dev/null
  if [ -s "$CONF_DIR/token" ]; then
    systemctl restart "$UNIT"
    echo "install.sh: $UNIT (re)started; follow it with: journalctl -u $UNIT -f"
  else
    echo "install.sh: $UNIT is enabled; put the pairing token from \`python main.py edge add DEVICE\` in"
    echo "  $CONF_DIR/token (chown root:$SERVICE_USER, chmod 0640), then: systemctl start $UNIT"
  fi
else
  echo "install.sh: systemd is not running here; the unit is installed at $UNIT_PATH"
fi
