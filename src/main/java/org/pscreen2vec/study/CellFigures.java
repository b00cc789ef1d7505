package org.pscreen2vec.study;

import java.util.List;
import java.util.function.ToDoubleFunction;
import org.pscreen2vec.run.Stats;

/**
 * A cell's figures over its repeats: median, min and max of each, and the speed-up over the
 * single-worker baseline of the same workload and device (ratio of job throughputs).
 *
 * @param baseline the baseline cell's figures; null for the baseline itself (its speed-up is
 *                 against its own median) and when the study has no baseline for this cell
 * @param failed   repeats that ran and failed (from runs.csv, latest attempt of each)
 */
record CellFigures(Cell cell, List<RunFigures> runs, CellFigures baseline, int failed) {

  boolean complete() {
    return !runs.isEmpty();
  }

  Stats stats(ToDoubleFunction<RunFigures> f) {
    return Stats.of(runs.stream().mapToDouble(f).filter(Double::isFinite).toArray());
  }

  Stats stepMs() {
    return stats(RunFigures::stepMs);
  }

  Stats samplesPerSecond() {
    return stats(RunFigures::samplesPerSecond);
  }

  Stats bytesPerStep() {
    return stats(RunFigures::bytesPerStep);
  }

  Stats secondsToTarget() {
    return stats(RunFigures::secondsToTarget);
  }

  /** A final metric (evaluation metric or train_loss) over the repeats. */
  Stats metric(String name) {
    return stats(r -> r.metrics().getOrDefault(name, Double.NaN));
  }

  /**
   * Speed-up over the baseline: each repeat's throughput over the baseline's median, so the
   * min-max range shows this cell's spread (the baseline's own spread is in its row).
   */
  Stats speedup() {
    CellFigures b = cell.isBaseline() ? this : baseline;
    if (b == null || !b.complete()) {
      return Stats.of(new double[0]);
    }
    double base = b.samplesPerSecond().median();
    return stats(r -> r.samplesPerSecond() / base);
  }

  /** Parallel efficiency: speed-up / workers. */
  Stats efficiency() {
    Stats s = speedup();
    int w = cell.workers();
    return new Stats(s.median() / w, s.min() / w, s.max() / w, s.n());
  }

  /** The repeat whose throughput is the median (for curves). */
  RunFigures medianRun() {
    double m = samplesPerSecond().median();
    RunFigures best = runs.get(0);
    for (RunFigures r : runs) {
      if (Math.abs(r.samplesPerSecond() - m) < Math.abs(best.samplesPerSecond() - m)) {
        best = r;
      }
    }
    return best;
  }
}
