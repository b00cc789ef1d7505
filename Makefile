# P-Screen2Vec — two commands: `make run` (set up everything, run the main job) and `make test`.
# Everything it downloads goes to .deps/ (git-ignored); nothing needs root except, on a bare
# machine, installing Java 17 and Maven (done with apt-get when running as root).

SHELL := /bin/bash
ROOT  := $(abspath .)
MVN   ?= mvn -B -ntp
MPJ_DIR := $(ROOT)/.deps/mpj
MVN_ARGS := -Dmpj.home=$(MPJ_DIR)
NP    ?= 4

.PHONY: all tools mpj data deps build test run clean help bench-collectives

all: build

help:
	@echo "make run     set up (MPJ Express, data, build) and run the main job"
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

# The main job: check the job machinery, train Screen2Vec on one worker (the baseline every
# speed-up is measured against), then the same steps on 2 workers under ring, ps and hybrid with
# a 2^18-row text table, and print the comparison. A few minutes on 2 cores.
COMPARE_SET ?= --set text.buckets=262144 --set epochs=1 --set max.steps=40
run: build data
	@set -e; \
	echo "[make run] 1/4 self-test, $(NP) ranks, multicore and niodev"; \
	bin/pscreen2vec -np $(NP) selftest; \
	bin/pscreen2vec -np $(NP) -dev niodev selftest; \
	echo "[make run] 2/4 Screen2Vec on one worker (configs/screen2vec-local.properties)"; \
	bin/pscreen2vec -np 1 train --model screen2vec --experiment make-run-baseline; \
	echo "[make run] 3/4 the same model, 2 workers, under ring, ps and hybrid (40 steps each)"; \
	bin/pscreen2vec -np 2 train --model screen2vec --strategy ring $(COMPARE_SET) --experiment make-run-compare; \
	bin/pscreen2vec -np 3 train --model screen2vec --strategy ps --servers 1 $(COMPARE_SET) --experiment make-run-compare; \
	bin/pscreen2vec -np 3 train --model screen2vec --strategy hybrid --servers 1 $(COMPARE_SET) --experiment make-run-compare; \
	echo "[make run] 4/4 comparison (results/make-run-compare/summary.csv, newest rows):"; \
	head -1 results/make-run-compare/summary.csv | cut -d, -f4,6,7,11-14 | tr , '\t'; \
	tail -3 results/make-run-compare/summary.csv | cut -d, -f4,6,7,11-14 | tr , '\t'; \
	echo "[make run] done. Output: $(ROOT)/results/ (selftest/, make-run-baseline/, make-run-compare/:"; \
	echo "           one folder per job with run.json, epochs.csv, steps-rank<r>.csv, per-rank logs)"

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
