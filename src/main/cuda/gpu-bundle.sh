#!/usr/bin/env bash
# Packs what the GPU checks need into one tarball for a GPU node that reaches no package
# registry: the project's classes (with the kernels' fatbin), its test classes, JavaCPP and the
# CUDA presets (classes + linux-x86_64 JNI), Log4j, Commons CLI, MPJ's mpj.jar (Main references
# it), XChart (a registered command uses it), the JUnit console launcher, configs/ and the
# Fashion-MNIST files when present; no ND4J or OpenBLAS native jar (the GPU-vs-CPU comparisons
# use the plain-Java CPU backend). Fails if the tarball exceeds 64 MiB.
#
#   gpu-bundle.sh BUILD_DIR OUT.tar.gz
# On the GPU node:  tar xzf pscreen2vec-gpu.tar.gz && pscreen2vec-gpu/run.sh
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
fashion="${FASHION_MNIST_DIR:-$root/.deps/data/fashion-mnist}"
[ -d "$fashion" ] && cp -rL "$fashion" "$b/data/fashion-mnist"
cat > "$b/run.sh" <<'RUN'
#!/usr/bin/env bash
# Runs on a GPU node (Java 17, an NVIDIA driver >= 580, CUDA 13 libcudart/libcublas on the
# library path): the CUDA backend's tests (conformance suite on the GPU, host logic, a training
# step of each model on GPU vs plain-Java CPU), then bench-kernels. Everything lands in results/.
# Exit status: that of the tests (bench-kernels runs anyway; its status is printed).
set -uo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cd "$here"
cp="$(ls lib/*.jar | grep -v junit-platform-console | tr '\n' ':')"
export FASHION_MNIST_DIR="$here/data/fashion-mnist"
# the CUDA 13 runtime libraries where a toolkit put them (the presets carry only JNI glue)
for d in /usr/local/cuda/lib64 /usr/local/cuda-13*/lib64; do
  [ -d "$d" ] && export LD_LIBRARY_PATH="${LD_LIBRARY_PATH:+$LD_LIBRARY_PATH:}$d"
done
mkdir -p results
nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv 2>&1 | tee results/nvidia-smi.txt
java -Dpscreen2vec.home="$here" -jar lib/junit-platform-console-standalone.jar execute \
  --class-path "$cp" --select-package org.pscreen2vec.ops.cuda --details tree \
  --reports-dir results/junit 2>&1 | tee results/gpu-tests.txt
tests=${PIPESTATUS[0]}
java -Dpscreen2vec.home="$here" -cp "$cp" org.pscreen2vec.Main bench-kernels --results results \
  "$@" 2>&1 | tee results/bench-kernels.txt
echo "[run.sh] tests exit $tests, bench-kernels exit ${PIPESTATUS[0]}; results in $here/results"
exit "$tests"
RUN
chmod +x "$b/run.sh"
mkdir -p "$(dirname "$out")"
tar czf "$out" -C "$stage" pscreen2vec-gpu
size=$(stat -c %s "$out")
echo "[gpu-bundle] $out: $((size / 1024)) KiB ($(ls "$b/lib" | wc -l) jars, configs, $( [ -d "$b/data/fashion-mnist" ] && echo Fashion-MNIST || echo 'no Fashion-MNIST'))"
if [ "$size" -gt "$limit" ]; then
  echo "[gpu-bundle] FAILED: larger than 64 MiB"; exit 1
fi
