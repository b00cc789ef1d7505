#!/usr/bin/env bash
# Compiles src/main/cuda/kernels.cu (every kernel) into ONE fatbin: SASS for sm_80 and sm_90 and
# PTX compute_90 (JIT-compiled by the driver on newer GPUs).
#
#   build.sh build OUT_DIR   write OUT_DIR/kernels.fatbin and OUT_DIR/kernels.txt (the kernel
#                            names ptxas compiled; Kernels.java checks its launchers against it)
#   build.sh check           compile with ptxas -v; print registers, spills, shared memory and
#                            stack per kernel and architecture; then compile the kernels as C++
#                            and run them on the CPU against direct loops (emulate/); exit 1 if a
#                            kernel does not compile or disagrees
#
# Without nvcc (NVCC, else PATH, else /usr/local/cuda/bin/nvcc; NVCC=none pretends there is none)
# both say so and exit 0, so a
# machine without CUDA still builds the rest (the CUDA backend then reports "no kernels").
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
mode="${1:-check}"
nvcc="${NVCC:-$(command -v nvcc || true)}"
[ -z "${NVCC:-}" ] && [ -z "$nvcc" ] && [ -x /usr/local/cuda/bin/nvcc ] && nvcc=/usr/local/cuda/bin/nvcc
[ -n "$nvcc" ] && [ ! -x "$nvcc" ] && ! command -v "$nvcc" >/dev/null && nvcc=""  # NVCC=none: as if absent
if [ -z "$nvcc" ]; then
  echo "[cuda] nvcc not found: skipped compiling the CUDA kernels (set NVCC or install the CUDA toolkit)"
  exit 0
fi
archs=(-gencode arch=compute_80,code=sm_80 -gencode arch=compute_90,code=sm_90
       -gencode arch=compute_90,code=compute_90)
log="$(mktemp)"
trap 'rm -f "$log" "${tmp:-}" "${exe:-}"' EXIT

case "$mode" in
  build)
    out="${2:?usage: build.sh build OUT_DIR}"
    mkdir -p "$out"
    if [ -f "$out/kernels.fatbin" ] && [ -f "$out/kernels.txt" ] \
       && [ -z "$(find "$here" -newer "$out/kernels.fatbin" -type f)" ]; then
      echo "[cuda] kernels.fatbin up to date"; exit 0
    fi
    tmp="$(mktemp)"
    if ! "$nvcc" -fatbin -O3 -std=c++17 --Werror all-warnings "${archs[@]}" -Xptxas -v \
         -o "$tmp" "$here/kernels.cu" >"$log" 2>&1; then
      cat "$log"; echo "[cuda] nvcc failed on src/main/cuda/kernels.cu"; exit 1
    fi
    chmod 644 "$tmp"
    mv "$tmp" "$out/kernels.fatbin"
    sed -n "s/.*Compiling entry function '\([A-Za-z0-9_]*\)' for 'sm_90'.*/\1/p" "$log" \
      | sort -u > "$out/kernels.txt"
    echo "[cuda] $(wc -l < "$out/kernels.txt") kernels -> $out/kernels.fatbin ($(stat -c %s "$out/kernels.fatbin") bytes; sm_80, sm_90 SASS + compute_90 PTX; $("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/CUDA \1/p'))"
    ;;
  check)
    tmp="$(mktemp)"
    if ! "$nvcc" -fatbin -O3 -std=c++17 --Werror all-warnings "${archs[@]}" -Xptxas -v \
         -o "$tmp" "$here/kernels.cu" >"$log" 2>&1; then
      cat "$log"; echo "[cuda-check] FAILED: a kernel does not compile"; exit 1
    fi
    echo "[cuda-check] $("$nvcc" --version | sed -n 's/.*release \([0-9.]*\).*/CUDA \1/p'), src/main/cuda/kernels.cu, ptxas -v:"
    printf "%-18s %-6s %5s %7s %7s %6s %6s\n" kernel arch regs spill_st spill_ld smem stack
    awk '
      /Compiling entry function/ { match($0, /function .[A-Za-z0-9_]+/); k = substr($0, RSTART + 10, RLENGTH - 10);
                                   match($0, /for .sm_[0-9]+/); a = substr($0, RSTART + 5, RLENGTH - 5) }
      /bytes stack frame/ { stack = $1; st = $5; ld = $9 }
      /Used [0-9]+ registers/ { regs = $0; sub(/.*Used /, "", regs); sub(/ registers.*/, "", regs);
                                smem = 0; if (match($0, /[0-9]+ bytes smem/)) smem = substr($0, RSTART, RLENGTH - 11);
                                rows[++n] = sprintf("%-18s %-6s %5s %7s %7s %6s %6s", k, a, regs, st, ld, smem, stack);
                                if (st + ld > 0) spills++ }
      END { for (i = 1; i <= n; i++) print rows[i] | "LC_ALL=C sort -b -k2,2 -k1,1"; close("LC_ALL=C sort -b -k2,2 -k1,1");
            printf "[cuda-check] %d kernel builds (kernels x architectures), %d with spills\n", n, spills + 0 }' "$log"
    # the kernels' index arithmetic, run on the CPU against direct loops (emulate/emulate.cpp)
    cxx="${CXX:-$(command -v g++ || command -v clang++ || true)}"
    if [ -z "$cxx" ]; then
      echo "[cuda-check] no C++ compiler: skipped the host emulation of the kernels"
    else
      exe="$(mktemp)" # not $tmp: that still names the fatbin, which the trap removes too
      "$cxx" -std=c++20 -O1 -Wall -Werror -Wno-unknown-pragmas -pthread -o "$exe" "$here/emulate/emulate.cpp" \
        || { echo "[cuda-check] FAILED: the host emulation does not compile"; exit 1; }
      "$exe" || { echo "[cuda-check] FAILED: a kernel disagrees with its direct loop"; exit 1; }
    fi
    ;;
  *) echo "usage: build.sh build OUT_DIR | check"; exit 2 ;;
esac
