package org.pscreen2vec.ops.cuda;

import java.util.Arrays;

/**
 * Positions grouped by key, for the kernels that add rows into a table (scatter-add, the
 * embedding-bag backward, sparse Adam and Adagrad): group g covers {@code order[starts[g] ..
 * starts[g+1])}, the positions whose key is {@code keys[g]}, in increasing position order. One
 * GPU thread per (group, column) then combines a repeated id's rows in position order and writes
 * the row once: no atomics, a deterministic result, and the same as applying the rows one after
 * another (what the reference does).
 *
 * @param order positions sorted by key, stable (ties in position order)
 * @param starts groups + 1 entries
 * @param keys the key of each group, ascending
 */
public record Groups(int[] order, int[] starts, int[] keys) {
  /** Groups the positions 0 .. keys.length-1 by keys[i]; keys must lie in [0, limit). */
  public static Groups of(int[] positionKeys, int limit, String what) {
    int n = positionKeys.length;
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      int k = positionKeys[i];
      if (k < 0 || k >= limit) {
        throw new IndexOutOfBoundsException(what + " " + k + " at position " + i
            + " is outside [0, " + limit + ")");
      }
      packed[i] = ((long) k << 32) | i; // sorting by (key, position) is a stable sort by key
    }
    Arrays.sort(packed);
    int[] order = new int[n];
    int[] starts = new int[n + 1];
    int[] keys = new int[n];
    int groups = 0;
    for (int q = 0; q < n; q++) {
      int k = (int) (packed[q] >>> 32);
      order[q] = (int) packed[q];
      if (q == 0 || k != keys[groups - 1]) {
        keys[groups] = k;
        starts[groups] = q;
        groups++;
      }
    }
    starts[groups] = n;
    return new Groups(order, Arrays.copyOf(starts, groups + 1), Arrays.copyOf(keys, groups));
  }

  public int count() {
    return keys.length;
  }
}
