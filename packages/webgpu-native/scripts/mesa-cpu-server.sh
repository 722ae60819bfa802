#!/usr/bin/env bash
# Runs a command as on a CPU server with Mesa's Vulkan drivers installed (Dawn then finds no
# adapter: it rejects lavapipe, and no Intel/AMD device exists), without changing this machine:
# Debian's mesa-vulkan-drivers is downloaded and unpacked into a temporary folder, and the command
# runs in a private mount namespace (root: unshare -m) where /usr/local/share/vulkan holds Mesa's
# driver manifests, which the Vulkan loader searches. Unset VK_ICD_FILENAMES to see the fallback.
#   packages/webgpu-native/scripts/mesa-cpu-server.sh env -u VK_ICD_FILENAMES node -e "..."
set -euo pipefail
[ $# -gt 0 ] || { echo "usage: $0 COMMAND [ARGS...]" >&2; exit 2; }
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
(cd "$work" && apt-get download mesa-vulkan-drivers >/dev/null 2>&1) || { echo "apt-get download mesa-vulkan-drivers failed (run apt-get update?)" >&2; exit 1; }
dpkg -x "$work"/mesa-vulkan-drivers_*.deb "$work/root"
for f in "$work"/root/usr/share/vulkan/*/*.json; do
  # manifests name their libraries by absolute path: point them into the unpacked tree
  sed -i -E "s#\"library_path\": \"(/usr/lib/[^\"]*)\"#\"library_path\": \"$work/root\\1\"#; s#\"library_path\": \"(lib[^\"/]*)\"#\"library_path\": \"$work/root/usr/lib/x86_64-linux-gnu/\\1\"#" "$f"
done
unshare -m --propagation private bash -c '
  mount -t tmpfs tmpfs /usr/local/share
  mkdir -p /usr/local/share/vulkan
  cp -r "$0"/root/usr/share/vulkan/icd.d "$0"/root/usr/share/vulkan/implicit_layer.d /usr/local/share/vulkan/
  exec "$@"' "$work" "$@"
