# P-Screen2Vec — two commands: `make run` (set up everything, run the main job) and `make test`.
# Everything it downloads goes to .deps/ (git-ignored); nothing needs root except, on a bare
# machine, installing Java 17 and Maven (done with apt-get when running as root).

SHELL := /bin/bash
ROOT  := $(abspath .)
MVN   ?= mvn -B -ntp
MPJ_DIR := $(ROOT)/.deps/mpj
MVN_ARGS := -Dmpj.home=$(MPJ_DIR)

.PHONY: all tools mpj data deps build test run study clean help bench-collectives

all: build

help:
	@echo "make run     set up (MPJ Express, data, build), run the local study and write its report"
	@echo "make study STUDY=NAME   run configs/study/NAME.properties and its report (local, local-full)"
	@echo "make test    unit tests and real multi-rank MPJ job tests"
	@echo "make build   compile and package target/pscreen2vec.jar (+ target/lib)"
	@echo "make deps    only prepare MPJ Express (.deps/mpj) and Fashion-MNIST (.deps/data)"
	@echo "make bench-collectives   allreduce sweep (2 and 4 ranks, multicore and niodev) + plot"
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

# Unit tests (surefire) and job tests (failsafe *IT: real MPJ jobs on multicore and niodev).
test: deps
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

clean:
	$(MVN) $(MVN_ARGS) -q clean || rm -rf target
