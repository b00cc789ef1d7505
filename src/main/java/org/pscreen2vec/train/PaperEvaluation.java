package org.pscreen2vec.train;

import java.util.IdentityHashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.ops.Buf;

/**
 * The original's evaluation of next-screen prediction: each held-out window's predicted
 * embedding against every candidate screen (every held-out screen, or every screen) by cosine
 * similarity; the rank of the true next screen gives top-1 and the top 0.01 / 0.1 / 1 / 5 %
 * buckets (rank at most ceil(p N), at least 1, of N candidates), and the normalised RMSE is
 * sqrt(sum ||prediction - target||^2 / sum ||target||^2) over the windows. Ties count against
 * the target. Chance top-1 is 1 / N.
 */
public final class PaperEvaluation {
  /** The top-% buckets the original reports. */
  static final double[] BUCKETS = {0.01, 0.1, 1, 5};
  static final String[] BUCKET_NAMES = {"0.01", "0.1", "1", "5"};

  private final Screen2Vec model;
  private final Featurizer features;
  private final Map<String, String> descriptions;
  private final Function<Screen, float[]> layout;
  private final int layoutWidth;
  private final int chunk;

  /** What the evaluation found. */
  public record Result(int windows, int candidates, int top1, int[] inBucket, double nrmse) {
    public Map<String, Double> metrics() {
      Map<String, Double> m = new LinkedHashMap<>();
      double n = Math.max(1, windows);
      m.put("paper_top1", top1 / n);
      for (int b = 0; b < BUCKETS.length; b++) {
        m.put("paper_top_" + BUCKET_NAMES[b] + "pct", inBucket[b] / n);
      }
      m.put("paper_nrmse", nrmse);
      m.put("paper_candidates", (double) candidates);
      m.put("paper_chance_top1", candidates == 0 ? 0 : 1.0 / candidates);
      m.put("paper_top1_over_chance", top1 / n * candidates);
      return m;
    }
  }

  public PaperEvaluation(Screen2Vec model, Featurizer features, Map<String, String> descriptions,
      Function<Screen, float[]> layout, int layoutWidth, int chunk) {
    this.model = model;
    this.features = features;
    this.descriptions = descriptions;
    this.layout = layout;
    this.layoutWidth = layoutWidth;
    this.chunk = chunk;
  }

  /** Windows (context then target) against the candidate screens, which hold every target. */
  public Result run(List<List<Screen>> windows, List<Screen> candidates) {
    int dim = model.config().dim();
    int n = candidates.size();
    double[][] emb = new double[n][];
    Map<Screen, Integer> index = new IdentityHashMap<>();
    for (int from = 0; from < n; from += chunk) {
      int size = Math.min(chunk, n - from);
      List<Screen> part = candidates.subList(from, from + size);
      float[] e = host(model.embed(features.screens(part, descriptions, layout, layoutWidth)));
      for (int i = 0; i < size; i++) {
        emb[from + i] = row(e, i, dim);
        index.put(part.get(i), from + i);
      }
    }
    double[] norms = new double[n];
    for (int i = 0; i < n; i++) {
      norms[i] = norm(emb[i]);
    }
    int top1 = 0;
    int[] inBucket = new int[BUCKETS.length];
    double errSq = 0;
    double targetSq = 0;
    int counted = 0;
    for (int from = 0; from < windows.size(); from += chunk) {
      int size = Math.min(chunk, windows.size() - from);
      List<List<Screen>> part = windows.subList(from, from + size);
      float[] pred = host(model.predict(features.windows(part, descriptions, layout,
          layoutWidth)));
      for (int b = 0; b < size; b++) {
        List<Screen> w = part.get(b);
        Integer target = index.get(w.get(w.size() - 1));
        if (target == null) {
          throw new IllegalArgumentException("a window's target is not among the candidates");
        }
        double[] p = row(pred, b, dim);
        double pn = norm(p);
        double own = cosine(p, pn, emb[target], norms[target]);
        int rank = 1;
        for (int j = 0; j < n; j++) {
          if (j != target && cosine(p, pn, emb[j], norms[j]) >= own) {
            rank++;
          }
        }
        top1 += rank == 1 ? 1 : 0;
        for (int k = 0; k < BUCKETS.length; k++) {
          if (rank <= Math.max(1, (int) Math.ceil(BUCKETS[k] / 100 * n))) {
            inBucket[k]++;
          }
        }
        for (int d = 0; d < dim; d++) {
          double diff = p[d] - emb[target][d];
          errSq += diff * diff;
          targetSq += emb[target][d] * emb[target][d];
        }
        counted++;
      }
    }
    return new Result(counted, n, top1, inBucket,
        targetSq > 0 ? Math.sqrt(errSq / targetSq) : Double.NaN);
  }

  /** A chunk's embeddings on the host, by one download (a GPU buffer's host memory is stale). */
  private float[] host(Buf b) {
    float[] out = new float[b.length()];
    model.parameters().ops().download(b, 0, out, 0, out.length);
    return out;
  }

  private static double[] row(float[] b, int r, int dim) {
    double[] out = new double[dim];
    for (int d = 0; d < dim; d++) {
      out[d] = b[r * dim + d];
    }
    return out;
  }

  private static double norm(double[] v) {
    double s = 0;
    for (double x : v) {
      s += x * x;
    }
    return Math.sqrt(s);
  }

  private static double cosine(double[] a, double an, double[] b, double bn) {
    if (an == 0 || bn == 0) {
      return 0;
    }
    double s = 0;
    for (int i = 0; i < a.length; i++) {
      s += a[i] * b[i];
    }
    return s / (an * bn);
  }
}
