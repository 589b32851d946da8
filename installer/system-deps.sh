#!/usr/bin/env bash
# Installs the Debian/Ubuntu packages NVR Desktop needs, only those missing, only when run as root.
# Usage: installer/system-deps.sh run|test|package
set -euo pipefail
profile=${1:-run}
# Qt's xcb/offscreen platforms and fonts; python3-venv for a fresh Debian/Ubuntu; nmap for the camera scan.
run_pkgs="python3-venv nmap libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0 libfontconfig1 libdbus-1-3 fonts-dejavu-core
  libglib2.0-0 libxcb-cursor0 libxcb-icccm4 libxcb-keysyms1 libxcb-image0 libxcb-render-util0 libxcb-shape0"
# Building the bundle and the .deb: PyInstaller reads binaries with binutils (objdump); dpkg-deb, zstd;
# desktop-file-validate checks the menu entry.
package_pkgs="$run_pkgs binutils dpkg zstd desktop-file-utils"
# Real peers for the tests: shellcheck lints edge/install.sh; GStreamer's RTSP server, ffmpeg as the reference reader, nmap on loopback; and
# what tests/e2e/test_package.py needs to build the .deb; makensis compiles the Windows installer script and Wine
# runs that (64-bit) installer and its uninstaller: wine64 alone, no i386 multiarch (wine32) needed.
test_pkgs="$package_pkgs shellcheck nsis wine wine64 ffmpeg nmap python3-gi gir1.2-gst-rtsp-server-1.0 gstreamer1.0-plugins-base
  gstreamer1.0-plugins-good gstreamer1.0-plugins-bad"
case "$profile" in
  run) wanted=$run_pkgs ;;
  test) wanted=$test_pkgs ;;
  package) wanted=$package_pkgs ;;
  *) echo "usage: $0 run|test|package" >&2; exit 2 ;;
esac
command -v dpkg-query >/dev/null 2>&1 || { echo "system-deps: not a Debian-based system; install the packages listed in README.md by hand" >&2; exit 0; }
missing=""
for pkg in $wanted; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "system-deps: missing Debian packages:$missing" >&2
  echo "system-deps: run 'sudo apt-get install$missing' (or run make as root)" >&2
  [ "$profile" = run ] && exit 0 || exit 1
fi
echo "system-deps: installing$missing"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
# shellcheck disable=SC2086
apt-get install -y -q --no-install-recommends $missing >/dev/null
