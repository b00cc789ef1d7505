# P-Screen2Vec — two commands: `make run` (set up everything, run the main job) and `make test`.
# Everything it downloads goes to .deps/ (git-ignored); nothing needs root except, on a bare
# machine, installing Java 17 and Maven (done with apt-get when running as root).

SHELL := /bin/bash
ROOT  := $(abspath .)
MVN   ?= mvn -B -ntp
MPJ_DIR := $(ROOT)/.deps/mpj
MVN_ARGS := -Dmpj.home=$(MPJ_DIR)
# nvcc for the CUDA kernels (cuda-check, the build): NVCC, else PATH, else /usr/local/cuda
NVCC ?= $(or $(shell command -v nvcc 2>/dev/null),$(wildcard /usr/local/cuda/bin/nvcc))

.PHONY: all tools mpj data deps build test run study clean help bench-collectives
.PHONY: iproute2 bench-emulated validate-model projections bench-emulated-host bench-pinned

all: build

help:
	@echo "make run     set up (MPJ Express, data, build), run the local study and write its report"
	@echo "make study STUDY=NAME   run configs/study/NAME.properties and its report (local, local-full)"
	@echo "make test    unit tests and real multi-rank MPJ job tests"
	@echo "make build   compile and package target/pscreen2vec.jar (+ target/lib)"
	@echo "make deps    only prepare MPJ Express (.deps/mpj) and Fashion-MNIST (.deps/data)"
	@echo "make bench-collectives   allreduce sweep (2 and 4 ranks, multicore and niodev) + plot"
	@echo "make bench-emulated   collectives on emulated 1 and 10 Gbit/s links, 2-4 ranks; calibrate; validate (root)"
	@echo "make validate-model   bench-emulated with 3 repeats, then training on emulated links vs the model and auto vs fixed (root, ~1.5 h)"
	@echo "make bench-emulated-host   what the emulation's host side costs: qdisc, MTU, netfilter, unshaped (root, ~12 min; EMU_HOST_RATE=10gbit)"
	@echo "make projections      cost-model projections to 512 workers: plots/projection/*.png (also the paper model at CPU and H200 step times)"
	@echo "make cuda-check   compile every CUDA kernel; registers, spills, shared memory (in make test where nvcc exists)"
	@echo "make gpu-test     GPU tests (tag gpu): CudaOps conformance, a training step per model GPU vs CPU"
	@echo "make gpu-bundle   target/pscreen2vec-gpu.tar.gz: GPU tests, bench-kernels, train.sh for a GPU node without registry"
	@echo "make gpu-bundle-check   the bundle checked without a GPU (in make test where nvcc and jlink exist)"
	@echo "make bench-kernels   CUDA kernels' bandwidth vs a device copy, GEMM TFLOP/s, step GPU vs CPU (GPU)"
	@echo "make bench-conv   Fashion CNN step and epoch at 1 thread: im2col, direct plain Java, direct + Vector API vs PyTorch"
	@echo "make bench-threads   Fashion MLP and local Screen2Vec training at 1 and 2 BLAS threads (2 must not be slower; ~3 min)"
	@echo "make bench-pinned   Screen2Vec step with products on pinned arrays vs copied operands, alternated (~2 min)"
	@echo "make bench-wire   ring allreduce over niodev vs PyTorch gloo, 64 MiB, 2 and 4 ranks, alternated (needs python3-torch)"
	@echo "make native-mpj   MPJ's native device on Open MPI for -dev native (.deps/mpj-native)"
	@echo "make bench-overlap   overlap of sync with backward: 2 workers, emulated 1 Gbit/s, overlap off/on (root, ~20 min)"
	@echo "make clean   remove build output (keeps .deps and results)"

# Java 17 and Maven: present on the CI image; installed with apt-get where we are root.
tools:
	@if ! command -v java >/dev/null || ! command -v mvn >/dev/null || ! java -version 2>&1 | grep -qE 'version "(1[7-9]|2[0-9])'; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "[make] installing openjdk-17-jdk-headless and maven"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq openjdk-17-jdk-headless maven; \
	  else \
	    echo "[make] ERROR: need Java 17+ and Maven on PATH. On Debian: sudo apt-get install openjdk-17-jdk-headless maven"; exit 1; \
	  fi; \
	fi
	@for t in apt-get dpkg; do command -v $$t >/dev/null || { [ -d "$${MPJ_HOME:-/nonexistent}/lib" ] || echo "[make] note: $$t not found; set MPJ_HOME and FASHION_MNIST_DIR to your own copies"; }; done

mpj: tools
	@bin/prepare-mpj

data: tools
	@bin/prepare-data

deps: mpj data

build: mpj
	$(MVN) $(MVN_ARGS) -DskipTests package

# Unit tests (surefire) and job tests (failsafe *IT: real MPJ jobs on multicore and niodev, and
# on the native device where native-mpj-try could build it).
test: deps iproute2 native-mpj-try $(if $(NVCC),cuda-check gpu-bundle-check)
	$(MVN) $(MVN_ARGS) verify

# The main job: the local study (Screen2Vec and the Fashion-MNIST baselines, every strategy on 2
# workers against 1 worker, 2 repeats; configs/study/local.properties), then its report:
# results/local/REPORT.md and plots/local/*.png. About 6 minutes on 2 cores.
run: build data
	@$(MAKE) --no-print-directory study STUDY=local

# Any study: make study STUDY=local-full (configs/study/<STUDY>.properties). Resumes where an
# interrupted run of the same study stopped; the report is written even when some runs failed.
STUDY ?= local
study: build data
	@echo "[make study] $(STUDY): cells of configs/study/$(STUDY).properties (bin/pscreen2vec study --config ... --dry-run lists them)"; \
	bin/pscreen2vec study --config configs/study/$(STUDY).properties; rc=$$?; \
	echo "[make study] report"; \
	bin/pscreen2vec report --study $(STUDY) || exit $$?; \
	echo "[make study] done: $(ROOT)/results/$(STUDY)/REPORT.md, plots in $(ROOT)/plots/$(STUDY)/"; \
	exit $$rc

# Allreduce sweep as nccl-tests does it: 4 KiB..256 MiB x4, 2 and 4 ranks, both devices, then
# plots/collectives-busbw.png. Takes ~10 minutes on 2 cores. BENCH_ARGS adds options.
BENCH_ARGS ?=
bench-collectives: build
	@set -e; sweep=sweep-$$(date +%Y%m%d-%H%M%S); \
	for dev in multicore niodev; do for np in 2 4; do \
	  echo "[make bench-collectives] $$np ranks, $$dev"; \
	  PSCREEN2VEC_JOB_ID=$$sweep-$$dev-np$$np bin/pscreen2vec -np $$np -dev $$dev bench-collectives $(BENCH_ARGS); \
	done; done; \
	bin/pscreen2vec plot-collectives --jobs $$sweep

# MPJ Express's native device over Open MPI (bin/prepare-native-mpj): Open MPI from Debian
# (installed with apt-get as root), MPJ 0.44's C sources from Debian's source package, cached in
# .deps/src, compiled into .deps/mpj-native/libnativempjdev.so; then -dev native runs.
.PHONY: native-mpj native-mpj-try
native-mpj: mpj
	@bin/prepare-native-mpj
# For make test: build it where possible; where not, NativeDeviceIT skips and says why.
native-mpj-try: mpj
	@bin/prepare-native-mpj || echo "[make] note: the native device could not be built" \
	  "(above): NativeDeviceIT will be skipped"

clean:
	$(MVN) $(MVN_ARGS) -q clean || rm -rf target

# ---- emulated network and cost model (docs/NETWORK.md) ----------------------------------------
# iproute2 (ip, tc) for -emulate: installed with apt-get when root; otherwise EmulateIT skips
# its emulated tests and says why.
iproute2:
	@if ! command -v ip >/dev/null || ! command -v tc >/dev/null; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    echo "[make] installing iproute2 (ip, tc) for the emulated-network tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iproute2; \
	  else \
	    echo "[make] note: no iproute2 and not root: the emulated-network tests will be skipped"; \
	  fi; \
	fi

# Collectives on emulated links (1 and 10 Gbit/s, 2-4 ranks), a calibration per rate and the
# model's error on every row: results/calibration-<rate>.properties and
# results/emulated-<time>-validation-<rate>.md. Needs root. ~20 min on 2 cores.
EMU_RATES ?= 1gbit 10gbit
EMU_RANKS ?= 2 3 4
EMU_REPEATS ?= 1
bench-emulated: build iproute2
	bin/bench-emulated "$(EMU_RATES)" "$(EMU_RANKS)" $(EMU_REPEATS)

# ... and training: every strategy at 2-4 workers per rate against the model, auto against the
# fixed strategies (results/emulated-<rate>/<study>/REPORT.md, section "Cost model").
# VALIDATE_REPEATS=3 runs every training cell three times and compares medians
# (docs/PERFORMANCE.md, "round 5": +25 min at 10 Gbit/s, about +35 min at 1 Gbit/s).
VALIDATE_REPEATS ?=
validate-model: build iproute2
	bin/bench-emulated "$(EMU_RATES)" "$(EMU_RANKS)" 3
	SKIP_CALIBRATION=1 AUTO=1 REPEATS=$(VALIDATE_REPEATS) bin/validate-emulated "$(EMU_RATES)"

# EMU_HOST_RATE=10gbit EMU_HOST_VARIANTS="default=tbf/1500/0/-/- unshaped=tbf/1500/0/-/100gbit"
# asks whether the links bind at that rate on this host: where the unshaped ring is no faster,
# the host, not the emulated links, sets the time (docs/NETWORK.md, "Links or host").
EMU_HOST_RATE ?= 1gbit
EMU_HOST_VARIANTS ?=
bench-emulated-host: build iproute2
	bin/bench-emulated-host $(EMU_HOST_RATE) 3 $(if $(EMU_HOST_VARIANTS),"$(EMU_HOST_VARIANTS)")

# Projections of every strategy to 512 workers on four networks, for Screen2Vec and the
# Fashion-MNIST baselines: plots/projection/<workload>-<networks>.png (+ .md, .csv).
# The paper-size Screen2Vec at two measured compute times per step (docs/PERFORMANCE.md, "CUDA
# backend on an H200"): 608 ms on the 2-core CPU VM (ND4J, 2 threads), 41 ms on an H200.
PAPER_COMPUTE_MS ?= 608 41
projections: build
	@for w in screen2vec fashion-mlp fashion-cnn; do \
	  bin/pscreen2vec project --workload $$w --network 1gbe,10gbe,100gbe,hdr || exit $$?; \
	done
	@for ms in $(PAPER_COMPUTE_MS); do \
	  bin/pscreen2vec project --config configs/screen2vec-paper.properties --set layout.mode=none \
	    --compute-ms $$ms --network 10gbe,100gbe,hdr --out plots/projection/paper-$${ms}ms || exit $$?; \
	done

# ---- CUDA backend (src/main/cuda, ops.cuda; docs/GPU.md) ----
# NVCC (top of this file): without nvcc the build skips the kernels and `make test` skips cuda-check.
GPU_BUNDLE ?= target/pscreen2vec-gpu.tar.gz
.PHONY: cuda-check gpu-test gpu-bundle gpu-bundle-check bench-kernels

# Compiles every kernel (sm_80 + sm_90 SASS, compute_90 PTX) and prints registers, spills, shared
# memory and stack per kernel; fails if one does not compile.
cuda-check:
	@NVCC=$(NVCC) src/main/cuda/build.sh check

# The GPU tests (JUnit tag gpu): conformance suite on CudaOps, a training step per model on GPU vs
# CPU. Without a GPU each reports "skipped: no GPU: <reason>".
gpu-test: mpj
	$(MVN) $(MVN_ARGS) -Dtest.excludedGroups=none -Dgroups=gpu -Dtest='Cuda*' \
	  -Dsurefire.failIfNoSpecifiedTests=false test

# A tarball (<= 64 MiB) that runs the GPU tests and bench-kernels on a GPU node with no registry:
# tar xzf target/pscreen2vec-gpu.tar.gz && pscreen2vec-gpu/run.sh
gpu-bundle: mpj data
	$(MVN) $(MVN_ARGS) -DskipTests package test-compile
	@ls ~/.m2/repository/org/junit/platform/junit-platform-console-standalone/*/*.jar >/dev/null 2>&1 \
	  || $(MVN) dependency:get -Dartifact=org.junit.platform:junit-platform-console-standalone:1.14.1
	src/main/cuda/gpu-bundle.sh target $(GPU_BUNDLE)

# The bundle checked without a GPU (in make test where nvcc and jlink exist): under 64 MiB, its
# Java runtime starts, run.sh runs the tests (the GPU ones "no GPU"), its launcher trains 2 ranks.
# GPU nodes are lent rarely: a bundle that rotted in between would waste the lease.
gpu-bundle-check:
	@if command -v jlink >/dev/null; then \
	  $(MAKE) --no-print-directory gpu-bundle && src/main/cuda/gpu-bundle-check.sh $(GPU_BUNDLE); \
	else echo "[gpu-bundle-check] skipped: no jlink (a JDK 17) for the bundle's Java runtime"; fi

# Kernel bandwidth vs a device copy, GEMM TFLOP/s, screen2vec-paper step GPU vs CPU (needs a GPU).
bench-kernels: build
	bin/pscreen2vec bench-kernels $(BENCH_ARGS)

# ---- CPU kernels and thread defaults (docs/PERFORMANCE.md, "Convolution, threads and the wire") ----
.PHONY: bench-conv bench-threads
# The Fashion CNN (8/16 channels, the layers of PyTorch's reference figure) at one thread: the
# im2col + GEMM path (-Dpscreen2vec.conv=im2col), the direct one in plain Java
# (PSCREEN2VEC_VECTOR=0) and with the Vector API's weight gradient (the default), alternated with
# PyTorch's (bin/torch-fashion-cnn; skipped when python3-torch is not installed), 3 rounds; median
# step and thread CPU per step; then one training epoch of each (results/bench-conv/).
CONV_STEP = bench-step --models fashion-cnn --set cnn.channels=8,16 --threads 1 --steps 200 --warmup 50
CONV_PATHS = im2col:0 direct:0 direct:1
bench-conv: build data
	@uptime
	@for round in 1 2 3; do for p in $(CONV_PATHS); do conv=$${p%:*}; vec=$${p#*:}; \
	  PSCREEN2VEC_VECTOR=$$vec PSCREEN2VEC_JVM_OPTS="-Dpscreen2vec.conv=$$conv" bin/pscreen2vec $(CONV_STEP) 2>&1 \
	    | grep 'ms/step' | sed "s/^.*BenchStepCommand - /[$$conv vector=$$vec] /"; done; \
	  bin/torch-fashion-cnn $${FASHION_MNIST_DIR:-.deps/data/fashion-mnist} --steps 200 --warmup 50; done
	@for p in $(CONV_PATHS); do conv=$${p%:*}; vec=$${p#*:}; echo "[$$conv vector=$$vec] one epoch:"; \
	  PSCREEN2VEC_VECTOR=$$vec PSCREEN2VEC_JVM_OPTS="-Dpscreen2vec.conv=$$conv" bin/pscreen2vec -np 1 train \
	    --config configs/fashion-cnn-local.properties --set epochs=1 --set cnn.channels=8,16 \
	    --threads 1 --experiment bench-conv 2>&1 | grep -E 'epoch 1|samples/s' | tail -2; done
	@bin/torch-fashion-cnn $${FASHION_MNIST_DIR:-.deps/data/fashion-mnist} --steps 20 --warmup 20 --epoch | tail -1
	@uptime

# Our ring over niodev against gloo (Debian's python3-torch) in the same minutes: issue 15's wire
# target as a ratio. WIRE_ROUNDS alternations (default 3).
.PHONY: bench-wire
bench-wire: build
	bin/bench-wire $(or $(WIRE_ROUNDS),3)

# The Fashion MLP and local Screen2Vec at 1 and 2 BLAS threads, one niodev rank (pinned products),
# THREADS_ROUNDS alternated rounds: training runs' throughput over all their steps (samples/s:
# a thread rule's tail shows here, not in a median; docs/PERFORMANCE.md, "Thread switches") and
# their median step. 2 threads must not be slower. About 3 minutes.
THREADS_ROUNDS ?= 3
bench-threads: build
	@uptime
	@for r in $$(seq $(THREADS_ROUNDS)); do for m in fashion-mlp:1500 screen2vec:400; do for t in 1 2; do \
	  PSCREEN2VEC_RESULTS="$(CURDIR)/results/bench-threads" bin/pscreen2vec -np 1 -dev niodev train \
	    --config configs/$${m%:*}-local.properties --set max.steps=$${m#*:} \
	    --set checkpoint.epochs=false --threads $$t --experiment $${m%:*} >/dev/null 2>&1 \
	    || { echo "bench-threads: $${m%:*} at $$t thread(s) failed"; exit 1; }; \
	  awk -F, -v r=$$r 'NR == 1 { for (i = 1; i <= NF; i++) c[$$i] = i; next } { last = $$0 } \
	    END { split(last, v, ","); printf "[r%s] %-12s %s thread(s): %9.1f samples/s over %s steps, median step %s ms\n", \
	      r, v[c["model"]], v[c["threads"]], v[c["samples_per_s"]], v[c["steps"]], v[c["median_step_ms"]] }' \
	    "$(CURDIR)/results/bench-threads/$${m%:*}/summary.csv"; \
	done; done; done
	@uptime

# Matrix products on pinned arrays (on the thread allowance from 16 M multiply-adds) against
# copied operands (most products under 512 M on one thread) (ops/cpu/PinnedGemm, CpuOps), one
# jar, alternated: the Screen2Vec step (paper size without its layout part, and local) at
# PINNED_THREADS, PINNED_ROUNDS rounds (docs/PERFORMANCE.md, "Matrix products on pinned arrays")
PINNED_THREADS ?= 2
PINNED_ROUNDS ?= 3
bench-pinned: build
	@uptime
	@for size in paper:8 local:40; do for r in $$(seq $(PINNED_ROUNDS)); do for v in copied pinned; do \
	  opts=; [ $$v = copied ] && opts=-Dpscreen2vec.gemm.pinned=false; \
	  PSCREEN2VEC_JVM_OPTS="$$opts" bin/pscreen2vec bench-step --models screen2vec \
	    --sizes $${size%:*} --set layout.mode=none --steps $${size#*:} --warmup 2 \
	    --threads $(PINNED_THREADS) 2>&1 | grep 'ms/step' | sed "s/^.*BenchStepCommand - /[$$v r$$r] /"; \
	done; done; done
	@uptime

# Overlap of communication with backward (issue 15; docs/PERFORMANCE.md, "Overlap"): Screen2Vec
# local on 2 workers over an emulated 1 Gbit/s link, overlap off and on (25, 4, 2 MiB buckets),
# OVERLAP_REPEATS times (default 3), against the same run's compute and sync (root, ~20 min).
.PHONY: bench-overlap
bench-overlap: build iproute2
	bin/bench-overlap 1gbit $(or $(OVERLAP_REPEATS),3) 25 4 2
