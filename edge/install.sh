#!/usr/bin/env bash
# Installs (or upgrades) the NVR Desktop edge agent on Raspberry Pi OS / Debian. Idempotent; run as root:
#   sudo edge/install.sh dist/nvr_desktop-0.1.0-py3-none-any.whl
# It creates the nvr-edge system user, a venv under /opt/nvr-edge, installs the wheel's `edge` package with the
# pinned `edge` extra (OpenCV headless, zeroconf, numpy; not the desktop's Qt and PyAV), copies the config
# template to /etc/nvr-edge/agent.toml if there is none, and installs and enables the systemd unit.
set -euo pipefail

PREFIX=/opt/nvr-edge
VENV=$PREFIX/venv
CONF_DIR=/etc/nvr-edge
STATE_DIR=/var/lib/nvr-edge
SERVICE_USER=nvr-edge
UNIT=nvr-edge-agent.service
UNIT_PATH=/etc/systemd/system/$UNIT

die() { echo "install.sh: $*" >&2; exit 1; }

[ "$#" -eq 1 ] || die "usage: sudo $0 path/to/nvr_desktop-VERSION-py3-none-any.whl"
wheel=$(readlink -f -- "$1")
[ -f "$wheel" ] || die "no wheel at $1 (build one with: python -m pip wheel --no-deps -w dist .)"
[ "$(id -u)" -eq 0 ] || die "run as root (sudo)"
command -v python3 >/dev/null 2>&1 || die "python3 is missing: apt-get install python3"

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

install -d -m 0755 "$PREFIX"
[ -x "$VENV/bin/python" ] || python3 -m venv "$VENV"

# The wheel is the whole nvr-desktop distribution: install it without the desktop's dependencies, then exactly the
# pins its metadata lists for the `edge` extra.
"$VENV/bin/python" -m pip install -q --no-deps --force-reinstall "$wheel"
mapfile -t edge_requirements < <("$VENV/bin/python" -I - "$wheel" <<'PY'
import re
import sys
import zipfile

with zipfile.ZipFile(sys.argv[1]) as wheel:
    name = next(n for n in wheel.namelist() if n.endswith(".dist-info/METADATA"))
    metadata = wheel.read(name).decode("utf-8")
for line in metadata.splitlines():
    match = re.fullmatch(r"Requires-Dist: (.+?)\s*;\s*extra\s*==\s*['\"]edge['\"]", line)
    if match and not match.group(1).startswith("nvr-desktop"):
        print(match.group(1).replace(" ", ""))
PY
)
[ "${#edge_requirements[@]}" -gt 0 ] || die "the wheel lists no requirements for the edge extra"
# The desktop's own dependencies are absent on purpose: --no-warn-conflicts keeps pip from calling that an error.
"$VENV/bin/python" -m pip install -q --no-warn-conflicts "${edge_requirements[@]}"
# -I: never the current folder's edge/ (this script may run from a checkout), only what the venv holds.
"$VENV/bin/python" -I -c 'import cv2, zeroconf, edge.agent' || die "the agent does not import in $VENV"

package_dir=$("$VENV/bin/python" -I -c 'import edge, pathlib; print(pathlib.Path(edge.__file__).parent)')
install -d -m 0750 -o root -g "$SERVICE_USER" "$CONF_DIR"
if [ ! -e "$CONF_DIR/agent.toml" ]; then
  install -m 0640 -o root -g "$SERVICE_USER" "$package_dir/agent.example.toml" "$CONF_DIR/agent.toml"
  echo "install.sh: wrote $CONF_DIR/agent.toml from the template: set device_id and the source"
else
  echo "install.sh: keeping the existing $CONF_DIR/agent.toml"
fi

install -m 0644 "$package_dir/$UNIT" "$UNIT_PATH"
if command -v systemctl >/dev/null 2>&1 && [ -d /run/systemd/system ]; then
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
