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
  /**
   * Groups the positions 0 .. keys.length-1 by keys[i]; keys must lie in [0, limit). A counting
   * sort where the key range is at most a few times the positions (a table's ids for a batch:
   * O(n + limit), 0.3 ms for 131,072 ids where sorting took 6 ms), a sort otherwise.
   */
  public static Groups of(int[] positionKeys, int limit, String what) {
    return of(positionKeys, limit, what, limit <= 4L * positionKeys.length + 4096);
  }

  /** As {@link #of(int[], int, String)}, by a counting sort or a comparison sort (for tests). */
  static Groups of(int[] positionKeys, int limit, String what, boolean counting) {
    int n = positionKeys.length;
    for (int i = 0; i < n; i++) {
      int k = positionKeys[i];
      if (k < 0 || k >= limit) {
        throw new IndexOutOfBoundsException(what + " " + k + " at position " + i
            + " is outside [0, " + limit + ")");
      }
    }
    return counting ? counted(positionKeys, limit) : sorted(positionKeys);
  }

  /** Counts per key, then places positions in increasing order: stable by construction. */
  private static Groups counted(int[] positionKeys, int limit) {
    int n = positionKeys.length;
    int[] next = new int[limit + 1]; // first the counts, then each key's next slot
    for (int k : positionKeys) {
      next[k + 1]++;
    }
    int groups = 0;
    for (int k = 0; k < limit; k++) {
      if (next[k + 1] > 0) {
        groups++;
      }
      next[k + 1] += next[k];
    }
    int[] starts = new int[groups + 1];
    int[] keys = new int[groups];
    int g = 0;
    for (int k = 0; k < limit; k++) {
      if (next[k + 1] > next[k]) {
        keys[g] = k;
        starts[g++] = next[k];
      }
    }
    starts[groups] = n;
    int[] order = new int[n];
    for (int i = 0; i < n; i++) {
      order[next[positionKeys[i]]++] = i;
    }
    return new Groups(order, starts, keys);
  }

  private static Groups sorted(int[] positionKeys) {
    int n = positionKeys.length;
    long[] packed = new long[n];
    for (int i = 0; i < n; i++) {
      packed[i] = ((long) positionKeys[i] << 32) | i; // by (key, position): stable by key
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
