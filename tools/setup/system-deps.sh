#!/usr/bin/env bash
# Installs the Debian packages the test suite uses, when they are missing:
#   dataset-fashion-mnist  Fashion-MNIST (IDX files in /usr/share/datasets/fashion-mnist) for the
#                          training and certification tests on real data.
#   libvulkan1 chromium-common  the Vulkan loader and SwiftShader's Vulkan driver
#                          (/usr/lib/chromium/vk_swiftshader_icd.json): a WebGPU adapter for
#                          @rs/webgpu-native's tests on machines without a GPU driver.
#   librsvg2-bin           rsvg-convert, which `rsmooth analyze --plot curve.png` uses to render PNG.
#   redis-server           Redis for @rs/queue's and `rsmooth worker`'s tests: each test starts its own
#                          server on a free loopback port with a password (the package's service is
#                          not used; apt may start it on 127.0.0.1:6379, which no test touches).
# Without apt-get (not Debian/Ubuntu) it says what is missing and exits 0: the tests that need a
# package are then skipped, visibly, with the reason.
set -euo pipefail
packages=(dataset-fashion-mnist libvulkan1 chromium-common librsvg2-bin redis-server)
missing=()
for p in "${packages[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "system packages present: ${packages[*]}"
  exit 0
fi
if ! command -v apt-get >/dev/null 2>&1; then
  echo "warning: apt-get not found; missing ${missing[*]}: the tests that need them will be skipped" >&2
  exit 0
fi
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get install -y --no-install-recommends "${missing[@]}" || { $sudo apt-get update && $sudo apt-get install -y --no-install-recommends "${missing[@]}"; }
