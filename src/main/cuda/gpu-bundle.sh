#!/usr/bin/env bash
# Packs what the GPU checks need into one tarball for a GPU node that reaches no package
# registry: the project's classes (with the kernels' fatbin), its test classes, JavaCPP and the
# CUDA presets (classes + linux-x86_64 JNI), Log4j, Commons CLI, MPJ's mpj.jar (Main references
# it), XChart (a registered command uses it), the JUnit console launcher, configs/, the launcher
# (bin/) with MPJ Express (.deps/mpj) for train.sh, and the
# Fashion-MNIST test split when present (also linked under the training split's names: the GPU
# tests need a few batches of real images, not 26 MB of them), and a Java 17 runtime cut down by
# jlink to the modules the code uses (GPU nodes may have no Java; GPU_BUNDLE_JRE=0 leaves it out);
# no ND4J or OpenBLAS native jar (the GPU-vs-CPU comparisons use the plain-Java CPU backend).
# Fails if the tarball exceeds 64 MiB.
#
#   gpu-bundle.sh BUILD_DIR OUT.tar.gz
# On the GPU node:  tar xzf pscreen2vec-gpu.tar.gz && pscreen2vec-gpu/run.sh
#                   (tests and bench-kernels), pscreen2vec-gpu/train.sh (whole training runs)
set -euo pipefail
root="$(cd "$(dirname "$0")/../../.." && pwd)"
build="${1:?usage: gpu-bundle.sh BUILD_DIR OUT.tar.gz}"
out="${2:?usage: gpu-bundle.sh BUILD_DIR OUT.tar.gz}"
limit=$((64 * 1024 * 1024))
console="${JUNIT_CONSOLE:-$(ls ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/*/junit-platform-console-standalone-*.jar 2>/dev/null | sort -V | tail -1)}"
[ -f "$build/pscreen2vec.jar" ] || { echo "[gpu-bundle] no $build/pscreen2vec.jar: build first"; exit 1; }
[ -d "$build/test-classes" ] || { echo "[gpu-bundle] no $build/test-classes: run mvn test-compile"; exit 1; }
[ -f "$console" ] || { echo "[gpu-bundle] junit-platform-console-standalone not in ~/.m2 (mvn dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1)"; exit 1; }
[ "$(unzip -l "$build/pscreen2vec.jar" | grep -c 'ops/cuda/kernels.fatbin')" -gt 0 ] \
  || { echo "[gpu-bundle] $build/pscreen2vec.jar has no kernels.fatbin (built without nvcc)"; exit 1; }

stage="$(mktemp -d)"
trap 'rm -rf "$stage"' EXIT
b="$stage/pscreen2vec-gpu"
mkdir -p "$b/lib" "$b/data"
cp "$build/pscreen2vec.jar" "$b/lib/"
(cd "$build/test-classes" && jar cf "$b/lib/pscreen2vec-tests.jar" .)
for pat in 'javacpp-*.jar' 'cuda-*.jar' 'log4j-*.jar' 'slf4j-api-*.jar' 'commons-cli-*.jar' \
           'xchart-*.jar' 'VectorGraphics2D-*.jar' 'graphics2d-*.jar' 'pdfbox-*.jar' \
           'fontbox-*.jar' 'animated-gif-lib-*.jar' 'commons-logging-*.jar'; do
  cp $build/lib/$pat "$b/lib/"
done
cp "${MPJ_HOME:-$root/.deps/mpj}/lib/mpj.jar" "$b/lib/"
cp "$console" "$b/lib/junit-platform-console-standalone.jar"
cp -r "$root/configs" "$b/"
# the launcher and MPJ Express, for train.sh (whole training runs on the GPU through mpjrun)
mkdir -p "$b/bin" "$b/.deps"
cp "$root"/bin/pscreen2vec "$root"/bin/pscreen2vec-emulate "$b/bin/"
cp -r "${MPJ_HOME:-$root/.deps/mpj}" "$b/.deps/mpj"
fashion="${FASHION_MNIST_DIR:-$root/.deps/data/fashion-mnist}"
if [ -d "$fashion" ]; then
  mkdir -p "$b/data/fashion-mnist"
  for kind in images-idx3 labels-idx1; do
    src="$(ls "$fashion"/t10k-$kind-ubyte.gz "$fashion"/t10k-$kind-ubyte 2>/dev/null | head -1 || true)"
    [ -n "$src" ] || { echo "[gpu-bundle] no t10k-$kind-ubyte(.gz) in $fashion"; exit 1; }
    name="$(basename "$src")"
    cp -L "$src" "$b/data/fashion-mnist/$name"
    ln -s "$name" "$b/data/fashion-mnist/${name/t10k/train}"
  done
  printf '%s\n' "The Fashion-MNIST test split (10,000 images); the train-* names link to it so that" \
    "the GPU tests' few training batches are real images within the 64 MiB bundle." \
    > "$b/data/fashion-mnist/README"
fi
jre="no Java runtime"
if [ "${GPU_BUNDLE_JRE:-1}" != 0 ]; then
  jlink="${JAVA_HOME:+$JAVA_HOME/bin/}jlink"
  command -v "$jlink" >/dev/null || { echo "[gpu-bundle] no jlink (a JDK 17); GPU_BUNDLE_JRE=0 bundles no Java"; exit 1; }
  # the modules jdeps finds in the project, its tests and the test runner, plus java.logging,
  # java.xml (Log4j's configuration) and jdk.zipfs (JUnit scans the test jar as a file system)
  mods="$("${JAVA_HOME:+$JAVA_HOME/bin/}jdeps" --multi-release 17 --ignore-missing-deps --print-module-deps \
    -cp "$(ls "$b"/lib/*.jar | paste -sd:)" "$b/lib/pscreen2vec.jar" "$b/lib/pscreen2vec-tests.jar" \
    "$b/lib/junit-platform-console-standalone.jar" 2>/dev/null | tail -1)"
  [ -n "$mods" ] || { echo "[gpu-bundle] jdeps found no modules"; exit 1; }
  "$jlink" --add-modules "$mods,java.logging,java.xml,jdk.zipfs" --strip-debug --no-header-files \
    --no-man-pages --compress=2 --output "$b/jre" 2>&1 | grep -v 'incubator modules' || true
  [ -x "$b/jre/bin/java" ] || { echo "[gpu-bundle] jlink made no runtime"; exit 1; }
  # native debug symbols are most of libjvm.so's size; the class-data archive is an optimisation
  command -v strip >/dev/null && strip --strip-debug "$b/jre/lib/server/libjvm.so"
  rm -f "$b/jre/lib/server/classes"*.jsa
  jre="a Java runtime ($("$b/jre/bin/java" -version 2>&1 | head -1))"
fi
cat > "$b/env.sh" <<'ENV'
# Sourced (with $here set to the bundle's folder) by run.sh and train.sh, and by make's
# gpu-bundle-check: the bundle's Java runtime first on PATH (GPU nodes may have none), its class
# path, its Fashion-MNIST data, and the CUDA 13 libraries' folders where a toolkit or driver put
# them (the presets carry only JNI glue).
[ -x "$here/jre/bin/java" ] && export PATH="$here/jre/bin:$PATH"
export PSCREEN2VEC_CLASSPATH="$(ls "$here"/lib/*.jar | grep -v junit-platform-console | paste -sd:)"
export FASHION_MNIST_DIR="$here/data/fashion-mnist"
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64 /usr/local/nvidia/lib64; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
ENV
cat > "$b/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on a GPU node (an NVIDIA driver >= 580, CUDA 13 libcudart/libcublas): the CUDA backend's
# tests (conformance suite on the GPU, host logic, a training step of each model on GPU vs
# plain-Java CPU), then bench-kernels. Everything lands in results/.
# Exit status: that of the tests (bench-kernels runs anyway; its status is printed).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
source "$here/env.sh"
mkdir -p results
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee results/nvidia-smi.txt
java -Dpscreen2vec.home="$here" -jar lib/junit-platform-console-standalone.jar execute \
  --class-path "$PSCREEN2VEC_CLASSPATH" --select-package org.pscreen2vec.ops.cuda \
  --fail-if-no-tests --details tree --disable-banner --disable-ansi-colors \
  --config "junit.jupiter.execution.timeout.default=${GPU_TEST_TIMEOUT:-120 s}" \
  --reports-dir results/junit 2>&1 | tee results/gpu-tests.txt
tests=${PIPESTATUS[0]}
java -Dpscreen2vec.home="$here" -cp "$PSCREEN2VEC_CLASSPATH" org.pscreen2vec.Main bench-kernels \
  --results results "$@" 2>&1 | tee results/bench-kernels.txt
echo "[run.sh] tests exit $tests, bench-kernels exit ${PIPESTATUS[0]}; results in $here/results"
exit "$tests"
RUN
chmod +x "$b/run.sh"
cat > "$b/train.sh" <<'TRAIN'
#!/usr/bin/env bash
# Whole training runs with --backend cuda through the launcher (MPJ multicore ranks sharing the
# GPU by local rank): Screen2Vec (local size) under a 2-rank ring and under the hybrid (2 workers
# and 1 parameter server), and the Fashion-MNIST CNN on one rank. Logs and run folders land in
# results/train. Exit status: 0 when every run exits 0, else that of the first that did not.
# The bundle's Fashion-MNIST "training split" is its test split (see data/fashion-mnist/README):
# the CNN's accuracy here is on images it trained on.
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
source "$here/env.sh"
export PSCREEN2VEC_RESULTS="$here/results/train"
mkdir -p "$PSCREEN2VEC_RESULTS"
status=0
one() {  # name, launcher arguments...
  local name=$1; shift
  local t0=$SECONDS
  bin/pscreen2vec "$@" > "$PSCREEN2VEC_RESULTS/$name.log" 2>&1
  local rc=$?
  echo "[train.sh] $name: exit $rc after $((SECONDS - t0)) s"
  grep -E "backend cuda|epoch [0-9]+ done|ERROR" "$PSCREEN2VEC_RESULTS/$name.log" | cut -c1-200
  [ "$status" = 0 ] && status=$rc
}
one screen2vec-ring -np 2 train --model screen2vec --strategy ring --backend cuda --deadline 120 "$@"
one screen2vec-hybrid -np 3 train --model screen2vec --strategy hybrid --servers 1 \
  --backend cuda --deadline 120 "$@"
one fashion-cnn -np 1 train --model fashion-cnn --backend cuda --deadline 120
echo "[train.sh] exit $status; logs in $PSCREEN2VEC_RESULTS"
exit "$status"
TRAIN
chmod +x "$b/train.sh"
mkdir -p "$(dirname "$out")"
tar czf "$out" -C "$stage" pscreen2vec-gpu
size=$(stat -c %s "$out")
echo "[gpu-bundle] $out: $((size / 1024)) KiB ($(ls "$b/lib" | wc -l) jars, configs, $( [ -d "$b/data/fashion-mnist" ] && echo 'Fashion-MNIST test split' || echo 'no Fashion-MNIST'), $jre)"
if [ "$size" -gt "$limit" ]; then
  echo "[gpu-bundle] FAILED: larger than 64 MiB"; exit 1
fi
