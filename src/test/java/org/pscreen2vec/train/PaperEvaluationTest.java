package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.model.TestScreens;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.ref.ReferenceOps;

/**
 * The paper evaluation against a direct computation in the test (every candidate embedded on its
 * own, cosine and ranks by hand), and full windows: one contiguous window per trace per step.
 */
class PaperEvaluationTest {
  private final Ops ops = new ReferenceOps();
  private final Featurizer f = new Featurizer(ops, new TextHasher(64, 16), 8);
  private final Screen2Vec model = new Screen2Vec(ops, new Screen2Vec.Config(6, 2, 64,
      new int[] {Screen.LAYOUT_SIZE, 3}, Screen2Vec.LayoutMode.NONE, 0, true, false), 3);

  private double[] row(Buf b, int r, int dim) {
    double[] out = new double[dim];
    for (int d = 0; d < dim; d++) {
      out[d] = b.get(r * dim + d);
    }
    return out;
  }

  private static double cos(double[] a, double[] b) {
    double ab = 0;
    double aa = 0;
    double bb = 0;
    for (int i = 0; i < a.length; i++) {
      ab += a[i] * b[i];
      aa += a[i] * a[i];
      bb += b[i] * b[i];
    }
    return ab / Math.sqrt(aa * bb);
  }

  @Test
  void ranksAndBucketsMatchADirectComputation() {
    List<Trace> traces = TestScreens.traces(31, 12);
    List<List<Screen>> windows = Screen2VecTask.lastWindows(traces, 3);
    List<Screen> candidates = TraceSplit.screens(traces);
    int n = candidates.size();
    // chunk 5: batches of different sizes than the direct computation's one-at-a-time
    PaperEvaluation.Result r = new PaperEvaluation(model, f, TestScreens.descriptions(), null, 0,
        5).run(windows, candidates);
    int top1 = 0;
    int[] buckets = new int[4];
    double[] pct = {0.01, 0.1, 1, 5};
    for (List<Screen> w : windows) {
      double[] p = row(model.predict(f.windows(List.of(w), TestScreens.descriptions(), null, 0)),
          0, 6);
      double[][] e = new double[n][];
      int target = -1;
      for (int j = 0; j < n; j++) {
        e[j] = row(model.embed(f.screens(List.of(candidates.get(j)), TestScreens.descriptions(),
            null, 0)), 0, 6);
        if (candidates.get(j) == w.get(w.size() - 1)) {
          target = j;
        }
      }
      int rank = 1;
      for (int j = 0; j < n; j++) {
        if (j != target && cos(p, e[j]) >= cos(p, e[target])) {
          rank++;
        }
      }
      top1 += rank == 1 ? 1 : 0;
      for (int k = 0; k < 4; k++) {
        buckets[k] += rank <= Math.max(1, Math.ceil(pct[k] / 100 * n)) ? 1 : 0;
      }
    }
    assertEquals(windows.size(), r.windows());
    assertEquals(n, r.candidates());
    assertEquals(top1, r.top1());
    assertEquals(java.util.Arrays.toString(buckets), java.util.Arrays.toString(r.inBucket()));
    for (int k = 1; k < 4; k++) {
      assertTrue(r.inBucket()[k] >= r.inBucket()[k - 1] && r.inBucket()[0] >= r.top1());
    }
    assertTrue(r.nrmse() > 0 && Double.isFinite(r.nrmse()));
    assertEquals(1.0 / n, r.metrics().get("paper_chance_top1"), 1e-12);
  }

  @Test
  void aTargetAloneRanksFirst() {
    List<Trace> traces = TestScreens.traces(32, 4);
    List<List<Screen>> windows = Screen2VecTask.lastWindows(traces, 3);
    List<Screen> targets = new ArrayList<>();
    windows.forEach(w -> targets.add(w.get(w.size() - 1)));
    PaperEvaluation.Result r = new PaperEvaluation(model, f, TestScreens.descriptions(), null, 0,
        64).run(windows.subList(0, 1), targets.subList(0, 1));
    assertEquals(1, r.windows());
    assertEquals(1, r.top1());
    assertEquals(1.0, r.metrics().get("paper_top1_over_chance"), 1e-12);
  }

  @Test
  void fullWindowsTakeOneContiguousWindowPerTrace() {
    List<Trace> traces = TestScreens.traces(33, 20);
    TraceSplit split = TraceSplit.of(traces, TestScreens.descriptions(), 0.2, 1);
    Screen2VecTask task = new Screen2VecTask(model, f, split, null, 0,
        new Screen2VecTask.Options(3, true, 4, 16, true, false, 1));
    assertEquals(split.train().stream().filter(t -> t.screens().size() >= 2).count(),
        task.trainSize());
    int[] all = new int[task.trainSize()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    Screen2VecTask.Batch b = task.batch(all);
    Screen2Vec.WindowBatch w = b.windows();
    assertEquals(all.length, w.size());
    for (int i = 0; i < w.size(); i++) {
      assertTrue(w.lengths()[i] >= 1 && w.lengths()[i] <= 2, "context of at most window - 1");
    }
    assertTrue(Double.isFinite(task.step(b)));
    assertTrue(task.evaluate().containsKey("paper_top_5pct"));
  }
}
