package org.pscreen2vec.train;

import java.util.List;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.nn.SparseGradients;

/**
 * Numerical guards of a step: the first non-finite value of the loss or of a gradient, named by
 * its parameter block, and a checksum of the parameters that workers compare (they must hold the
 * same bits under every deterministic strategy).
 */
final class Guards {
  /** No non-finite value. */
  static final int NONE = Integer.MIN_VALUE;
  /** The loss itself is not finite. */
  static final int LOSS = -1;

  private Guards() {}

  /** Table t's code in {@link #check}'s result. */
  static int tableCode(int t) {
    return -2 - t;
  }

  /**
   * {@link #NONE}, {@link #LOSS}, the index of the dense parameter (in the model's order) holding
   * the first non-finite gradient, or {@link #tableCode} of the first table with one.
   */
  static int check(double loss, Model model, float[] denseGrads, int n,
      List<SparseGradients> sparse) {
    if (!Double.isFinite(loss)) {
      return LOSS;
    }
    int i = firstNonFinite(denseGrads, 0, n);
    if (i >= 0) {
      return blockOf(model, i);
    }
    for (int t = 0; t < sparse.size(); t++) {
      SparseGradients g = sparse.get(t);
      if (firstNonFinite(g.rows(), 0, g.count() * g.dim()) >= 0) {
        return tableCode(t);
      }
    }
    return NONE;
  }

  /** The index of the dense parameter holding flat index i (0 if none does). */
  static int blockOf(Model model, int i) {
    List<DenseParam> ps = model.parameters().params();
    for (int p = 0; p < ps.size(); p++) {
      if (i >= ps.get(p).offset() && i < ps.get(p).offset() + ps.get(p).size()) {
        return p;
      }
    }
    return 0;
  }

  /** "the loss", "parameter block 'enc.w1'" or "table 'text'". */
  static String describe(int code, Model model) {
    if (code == LOSS) {
      return "the loss";
    }
    if (code >= 0) {
      return "the gradient of parameter block '" + model.parameters().params().get(code).name()
          + "'";
    }
    List<EmbeddingTable> tables = model.tables();
    int t = -2 - code;
    return "the gradient of table '" + (t < tables.size() ? tables.get(t).name() : "#" + t)
        + "'";
  }

  /**
   * Index of the first NaN or infinity in a[from, from+n), or -1. x * 0 is 0 for every finite x
   * and NaN otherwise, so four running sums of it find one in a pass the JIT keeps short; only
   * when one is found is the place searched.
   */
  static int firstNonFinite(float[] a, int from, int n) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    int end = from + n;
    int i = from;
    for (; i + 3 < end; i += 4) {
      s0 += a[i] * 0f;
      s1 += a[i + 1] * 0f;
      s2 += a[i + 2] * 0f;
      s3 += a[i + 3] * 0f;
    }
    for (; i < end; i++) {
      s0 += a[i] * 0f;
    }
    if (s0 + s1 + s2 + s3 == 0f) {
      return -1;
    }
    for (int j = from; j < end; j++) {
      if (!Float.isFinite(a[j])) {
        return j;
      }
    }
    return -1;
  }

  /** A 64-bit checksum of the bits of the dense parameters and (when asked) the tables. */
  static long checksum(Model model, boolean tables) {
    ParameterStore store = model.parameters();
    store.valuesToHost(0, store.size());
    long h = mix(store.hostValues(), store.size(), 0x9E3779B97F4A7C15L);
    if (tables) {
      for (EmbeddingTable t : model.tables()) {
        float[] v = t.valueArray();
        h = mix(v, v.length, h);
      }
    }
    return h;
  }

  private static long mix(float[] a, int n, long seed) {
    long h0 = seed;
    long h1 = seed ^ 0xC2B2AE3D27D4EB4FL;
    int i = 0;
    for (; i + 1 < n; i += 2) {
      h0 = (h0 ^ Float.floatToRawIntBits(a[i])) * 0x9E3779B97F4A7C15L;
      h1 = (h1 ^ Float.floatToRawIntBits(a[i + 1])) * 0xBF58476D1CE4E5B9L;
    }
    if (i < n) {
      h0 = (h0 ^ Float.floatToRawIntBits(a[i])) * 0x9E3779B97F4A7C15L;
    }
    return Long.rotateLeft(h0, 31) ^ h1 ^ n;
  }
}
