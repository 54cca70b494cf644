#!/usr/bin/env bash
# Device-bound sessions need a Chromium that can make software device keys for testing
# (EnableBoundSessionCredentialsSoftwareKeysForManualTesting). Debian 12's Chromium 150 has that switch;
# later builds dropped it and bind only with a hardware key (a TPM), which test machines lack. This puts
# Chromium 150 next to the system's own, in .cache/dbsc-chromium, without installing it: only the device
# binding tests launch it (e2e/support/dbsc-browser.ts). DBSC_CHROMIUM names another such browser instead.
set -euo pipefail

VERSION='150.0.7871.100-1~deb12u1'
dest="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/.cache/dbsc-chromium"

if [[ -n "${DBSC_CHROMIUM:-}" || -x "$dest/usr/lib/chromium/chromium" ]]; then exit 0; fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-deb >/dev/null; then
  echo "install-dbsc-chromium: no apt-get here; set DBSC_CHROMIUM to a Chromium with DBSC software keys" >&2
  exit 0
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
download() {
  (cd "$work" && apt-get download -q -o APT::Sandbox::User=root "chromium=$VERSION" "chromium-common=$VERSION")
}
download || { apt-get update -q && download; }
mkdir -p "$dest"
for deb in "$work"/*.deb; do dpkg-deb -x "$deb" "$dest"; done
"$dest/usr/lib/chromium/chromium" --version
