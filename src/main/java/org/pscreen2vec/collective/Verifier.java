package org.pscreen2vec.collective;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pscreen2vec.collective.Allreduce.Op;

/**
 * The wrong-element check: compares a rank's result with the answer computed from every source
 * rank's {@link Inputs} — bit for bit where the inputs are exact (integer-valued floats, NaN,
 * +Inf), else within {@link #RELATIVE_TOLERANCE} of a double-precision sum. Counts what it checks
 * and keeps the first few failures for the log.
 */
public final class Verifier {
  /** |result - double reference| must be within this times the sum of |contributions|. */
  public static final double RELATIVE_TOLERANCE = 1e-5;
  private static final int MAX_REPORTED = 5;
  private static final int BLOCK = 4096; // elements whose references are summed together

  private int checks;
  private long wrong;
  private final List<String> failures = new ArrayList<>();

  /** Checked calls so far. */
  public int checks() {
    return checks;
  }

  /** Wrong elements (and other failures) found on this rank so far. */
  public long wrong() {
    return wrong;
  }

  /** The first few failures, described. */
  public List<String> failures() {
    return List.copyOf(failures);
  }

  /**
   * Checks {@code buf[0 .. n)} after one call whose result is {@code op} over the inputs of
   * {@code sources}; returns the number of wrong elements.
   */
  public long values(float[] buf, int n, Inputs in, int[] sources, Op op, String what) {
    checks++;
    long bad = in.exact() ? exact(buf, n, in, sources, op, what)
        : tolerant(buf, n, in, sources, op, what);
    wrong += bad;
    return bad;
  }

  private long exact(float[] buf, int n, Inputs in, int[] sources, Op op, String what) {
    // the same float operation as Allreduce.finish, so an exact average matches bit for bit
    float inv = op == Op.AVERAGE && sources.length > 1 ? 1.0f / sources.length : 1.0f;
    double[] sum = new double[Math.min(n, BLOCK)]; // exact: integers, sums far below 2^53
    long bad = 0;
    for (int from = 0; from < n; from += BLOCK) {
      int len = Math.min(BLOCK, n - from);
      Arrays.fill(sum, 0);
      for (int q : sources) {
        in.accumulate(q, from, len, sum, null);
      }
      for (int k = 0; k < len; k++) {
        float expect = inv == 1.0f ? (float) sum[k] : (float) sum[k] * inv;
        float got = buf[from + k];
        if (Float.isNaN(expect) ? !Float.isNaN(got)
            : Float.floatToRawIntBits(got) != Float.floatToRawIntBits(expect)) {
          bad++;
          report(what + " [" + (from + k) + "] = " + got + ", exact " + expect);
        }
      }
    }
    return bad;
  }

  private long tolerant(float[] buf, int n, Inputs in, int[] sources, Op op, String what) {
    double scale = op == Op.AVERAGE ? 1.0 / sources.length : 1;
    double[] sum = new double[Math.min(n, BLOCK)];
    double[] abs = new double[sum.length];
    long bad = 0;
    for (int from = 0; from < n; from += BLOCK) {
      int len = Math.min(BLOCK, n - from);
      Arrays.fill(sum, 0);
      Arrays.fill(abs, 0);
      for (int q : sources) {
        in.accumulate(q, from, len, sum, abs);
      }
      for (int k = 0; k < len; k++) {
        double err = Math.abs(buf[from + k] - sum[k] * scale);
        if (!(err <= RELATIVE_TOLERANCE * abs[k] * scale + Float.MIN_NORMAL)) {
          bad++;
          report(what + " [" + (from + k) + "] = " + buf[from + k] + ", reference "
              + sum[k] * scale + " (error " + err + ")");
        }
      }
    }
    return bad;
  }

  /** Counts one failure that is not an element (e.g. a rank whose bits differ). */
  public void fail(String message) {
    wrong++;
    report(message);
  }

  private void report(String message) {
    if (failures.size() < MAX_REPORTED) {
      failures.add(message);
    }
  }
}
