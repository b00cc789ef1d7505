#!/usr/bin/env bash
# Compiles pinned_gemm.c (cblas_sgemm on pinned Java arrays, see its header) into a JNI library,
# packed as a resource of ops.cpu:
#
#   build.sh OUT_DIR JAVA_HOME   write OUT_DIR/libpinnedgemm-linux-x86_64.so (a compile error fails
#                                the build: this is the project's own code)
#
# Without gcc (CC, else PATH; CC=none pretends there is none) or the JDK's JNI headers it says so
# and exits 0: the build goes on, and matrix products copy their operands as before (slower).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:?usage: build.sh OUT_DIR JAVA_HOME}"
jdk="${2:?usage: build.sh OUT_DIR JAVA_HOME}"
lib="$out/libpinnedgemm-linux-x86_64.so"
cc="${CC:-$(command -v gcc || true)}"
[ -n "$cc" ] && ! command -v "$cc" >/dev/null && cc=""  # CC=none: as if absent
if [ "$(uname -s -m)" != "Linux x86_64" ]; then
  echo "[gemm] not Linux x86_64: products copy their operands"; exit 0
fi
if [ -z "$cc" ]; then
  echo "[gemm] no C compiler (gcc; set CC): products copy their operands (slower)"; exit 0
fi
if [ ! -f "$jdk/include/jni.h" ]; then
  echo "[gemm] no JNI headers under $jdk/include: products copy their operands (slower)"; exit 0
fi
mkdir -p "$out"
if [ -f "$lib" ] && [ "$lib" -nt "$here/pinned_gemm.c" ] && [ "$lib" -nt "$0" ]; then
  echo "[gemm] $(basename "$lib") up to date"; exit 0
fi
tmp="$(mktemp)"
trap 'rm -f "$tmp"' EXIT
"$cc" -O2 -std=c99 -Wall -Wextra -shared -fPIC -I"$jdk/include" -I"$jdk/include/linux" \
  -o "$tmp" "$here/pinned_gemm.c" -ldl
chmod 644 "$tmp"
mv "$tmp" "$lib"
echo "[gemm] $(basename "$lib") ($(stat -c %s "$lib") bytes, $("$cc" --version | head -1))"
