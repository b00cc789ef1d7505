#!/usr/bin/env bash
# Checks, without a GPU, that the GPU test bundle still works where it will next be used (GPU
# nodes are lent rarely; a bundle that rotted between two of them wastes the lease):
#   - it stays under 64 MiB;
#   - its jlinked Java runtime starts;
#   - its run.sh finds the ops.cuda tests: they run, the GPU ones report "no GPU" and none fails;
#     bench-kernels exits 2 with "no GPU";
#   - its launcher, MPJ Express and runtime train a model with --backend auto (the CPU here) on
#     2 ranks.
#   gpu-bundle-check.sh BUNDLE.tar.gz
set -uo pipefail
bundle="${1:?usage: gpu-bundle-check.sh BUNDLE.tar.gz}"
fail() { echo "[gpu-bundle-check] FAILED: $*"; exit 1; }
[ -f "$bundle" ] || fail "no $bundle"
size=$(stat -c %s "$bundle")
[ "$size" -le $((64 * 1024 * 1024)) ] || fail "$bundle is $size bytes, over 64 MiB"
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
tar xzf "$bundle" -C "$dir" || fail "cannot unpack $bundle"
b="$dir/pscreen2vec-gpu"
"$b/jre/bin/java" -version >/dev/null 2>&1 || fail "the bundled Java runtime does not start"
(cd "$b" && ./run.sh > "$dir/run.log" 2>&1)
rc=$?
[ "$rc" = 0 ] || { tail -30 "$dir/run.log"; fail "run.sh exited $rc"; }
ok=$(sed -n 's/^\[ *\([0-9]*\) tests successful *\]$/\1/p' "$dir/run.log")
failed=$(sed -n 's/^\[ *\([0-9]*\) tests failed *\]$/\1/p' "$dir/run.log")
[ "${ok:-0}" -gt 0 ] && [ "${failed:-1}" = 0 ] || { tail -30 "$dir/run.log"; fail "tests: ${ok:-?} passed, ${failed:-?} failed"; }
grep -q "no GPU" "$dir/run.log" || fail "the GPU tests did not report 'no GPU'"
grep -q "bench-kernels exit 2" "$dir/run.log" || fail "bench-kernels did not exit 2 without a GPU"
(
  cd "$b"
  here="$b"
  source "$b/env.sh" # what train.sh runs with
  export PSCREEN2VEC_RESULTS="$dir/results"
  timeout 120 bin/pscreen2vec -np 2 train --model fashion-mlp --strategy ring --backend auto \
    --set max.steps=3 --deadline 60
) > "$dir/train.log" 2>&1 || { tail -30 "$dir/train.log"; fail "a 2-rank training run in the bundle failed"; }
echo "[gpu-bundle-check] $bundle: $((size / 1024)) KiB; runtime starts; run.sh: $ok tests passed, GPU tests 'no GPU', bench-kernels exit 2; bundle launcher trained 2 ranks"
