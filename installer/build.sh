#!/usr/bin/env bash
# Builds the Linux release: the PyInstaller one-folder bundle, a tarball and a .deb.
# Usage: installer/build.sh [--dist DIR] [--work DIR] [--python PY]   (defaults: dist, build, .venv/bin/python)
# Produces DIR/nvr-desktop/, DIR/nvr-desktop-VERSION-linux-x86_64.tar.gz and DIR/nvr-desktop_VERSION_amd64.deb.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
dist=$root/dist
work=$root/build
python=$root/.venv/bin/python
while [ $# -gt 0 ]; do
  case "$1" in
    --dist) dist=$(realpath -m "$2"); shift 2 ;;
    --work) work=$(realpath -m "$2"); shift 2 ;;
    --python) python=$2; shift 2 ;;
    *) echo "usage: $0 [--dist DIR] [--work DIR] [--python PY]" >&2; exit 2 ;;
  esac
done
[ "$(uname -m)" = x86_64 ] || { echo "build.sh: builds x86_64 packages only (this is $(uname -m))" >&2; exit 2; }
version=$("$python" -c 'import nvr_desktop; print(nvr_desktop.__version__)')
start=$(date +%s)

echo "== bundle: PyInstaller -> $dist/nvr-desktop"
"$python" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath "$dist" --workpath "$work/pyinstaller" "$root/installer/nvr-desktop.spec"
bundle=$dist/nvr-desktop
QT_QPA_PLATFORM=offscreen "$bundle/nvr-desktop" --self-test >/dev/null || {
  echo "build.sh: the bundle's self-test failed:" >&2
  QT_QPA_PLATFORM=offscreen "$bundle/nvr-desktop" --self-test >&2 || true
  exit 1
}

echo "== tarball"
tarball=$dist/nvr-desktop-$version-linux-x86_64.tar.gz
tar -C "$dist" --owner=0 --group=0 -czf "$tarball" nvr-desktop

echo "== .deb"
stage=$work/deb/nvr-desktop_${version}_amd64
rm -rf "$stage"
install -d "$stage/DEBIAN" "$stage/opt" "$stage/usr/bin" "$stage/usr/share/applications" \
  "$stage/usr/share/icons/hicolor/scalable/apps" "$stage/usr/share/doc/nvr-desktop" "$stage/lib/systemd/system"
cp -a "$bundle" "$stage/opt/nvr-desktop"
ln -s ../../opt/nvr-desktop/nvr-desktop "$stage/usr/bin/nvr-desktop"  # relative: also works in a scratch root
install -m 0644 "$root/installer/linux/nvr-desktop.desktop" "$stage/usr/share/applications/"
install -m 0644 "$root/resources/icons/nvr-desktop.svg" "$stage/usr/share/icons/hicolor/scalable/apps/"
install -m 0644 "$root/installer/linux/nvr-desktop-headless.service" "$stage/lib/systemd/system/"
install -m 0644 "$root/README.md" "$stage/usr/share/doc/nvr-desktop/README.md"
cat > "$stage/usr/share/doc/nvr-desktop/copyright" <<COPYRIGHT
NVR Desktop $version, GPL-3.0-or-later (see /usr/share/common-licenses/GPL-3).
The bundle under /opt/nvr-desktop includes third-party libraries under their own licences, among them
Qt/PySide6 (LGPL-3.0) and FFmpeg from the PyAV wheel (built with libx264 and libx265: GPL).
COPYRIGHT
install -m 0755 "$root/installer/linux/postinst" "$root/installer/linux/prerm" "$root/installer/linux/postrm" \
  "$stage/DEBIAN/"
size_kb=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat > "$stage/DEBIAN/control" <<CONTROL
Package: nvr-desktop
Version: $version
Architecture: amd64
Maintainer: NVR Desktop developers <dev@nvr-desktop.invalid>
Installed-Size: $size_kb
Depends: libc6 (>= 2.36), libgl1, libegl1, fontconfig-config, fonts-dejavu-core, passwd
Recommends: nmap, gnome-keyring
Section: video
Priority: optional
Homepage: https://nvr-desktop.invalid
Description: PC network video recorder
 A live video wall of up to 128 IP cameras (RTSP, HTTP-MJPEG), stream-copy
 recording to MP4, playback and export, events from Raspberry Pi edge agents,
 and users with roles. Includes an optional headless service
 (nvr-desktop-headless.service, not enabled on install).
CONTROL
deb=$dist/nvr-desktop_${version}_amd64.deb
dpkg-deb --build --root-owner-group -Zzstd "$stage" "$deb" >/dev/null

echo "== built in $(( $(date +%s) - start )) s"
du -sh "$bundle" "$tarball" "$deb"
