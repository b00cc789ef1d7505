package org.pscreen2vec.sync;

import java.util.ArrayList;
import java.util.List;

/**
 * Gradient buckets as DDP forms them: the dense parameters in reverse registration order (the
 * order backward produces their gradients, output layers first), packed greedily into buckets of
 * at most {@code capFloats}; a parameter is never split, so one larger than the cap makes a bucket
 * of its own. Parameters are contiguous in the flat buffer, so a bucket is a range
 * {@code [from, to)} of it; bucket 0 ends at the buffer's end and each next one ends where the
 * previous began. Every worker computes the same plan from the same shapes, so all of them
 * reduce the same buckets in the same order.
 */
public final class Buckets {
  /** One bucket: {@code [from, to)} of the flat dense buffer, parameters {@code [firstParam, endParam)}. */
  public record Bucket(int from, int to, int firstParam, int endParam) {
    public int length() {
      return to - from;
    }
  }

  private Buckets() {}

  /**
   * @param offsets   (params) each parameter's offset in the flat buffer, in registration order,
   *                  increasing and contiguous ({@code offsets[p] + sizes[p] == offsets[p + 1]})
   * @param sizes     (params) each parameter's length
   * @param capFloats largest bucket (floats), at least 1
   */
  public static List<Bucket> plan(int[] offsets, int[] sizes, long capFloats) {
    if (offsets.length != sizes.length) {
      throw new IllegalArgumentException(offsets.length + " offsets for " + sizes.length
          + " sizes");
    }
    if (capFloats < 1) {
      throw new IllegalArgumentException("bucket cap must be at least 1 float, was " + capFloats);
    }
    for (int p = 0; p + 1 < offsets.length; p++) {
      if (offsets[p] + sizes[p] != offsets[p + 1]) {
        throw new IllegalArgumentException("parameter " + (p + 1) + " does not start where "
            + "parameter " + p + " ends (" + offsets[p + 1] + " != " + (offsets[p] + sizes[p])
            + ")");
      }
    }
    List<Bucket> out = new ArrayList<>();
    int end = offsets.length; // parameters [p, end) are in the open bucket
    long open = 0;
    for (int p = offsets.length - 1; p >= 0; p--) {
      if (open > 0 && open + sizes[p] > capFloats) {
        out.add(new Bucket(offsets[p + 1], offsets[end - 1] + sizes[end - 1], p + 1, end));
        end = p + 1;
        open = 0;
      }
      open += sizes[p];
    }
    if (open > 0) {
      out.add(new Bucket(offsets[0], offsets[end - 1] + sizes[end - 1], 0, end));
    }
    return out;
  }

  /** Floats in {@code mb} MiB (at least one). */
  public static long capFloats(double mb) {
    return Math.max(1, (long) (mb * (1 << 20) / 4));
  }
}
