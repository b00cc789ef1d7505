package org.pscreen2vec.model.layers;

/**
 * Bags of row ids in CSR form: bag b holds ids[offsets[b] .. offsets[b+1]).
 *
 * @param ids     all ids, bag after bag
 * @param offsets (count + 1) bag boundaries, offsets[0] = 0, non-decreasing
 */
public record TokenBags(int[] ids, int[] offsets) {
  public TokenBags {
    if (offsets.length < 1 || offsets[0] != 0 || offsets[offsets.length - 1] != ids.length) {
      throw new IllegalArgumentException("offsets must start at 0 and end at ids.length");
    }
    for (int i = 1; i < offsets.length; i++) {
      if (offsets[i] < offsets[i - 1]) {
        throw new IllegalArgumentException("offsets must not decrease (at " + i + ")");
      }
    }
  }

  public int count() {
    return offsets.length - 1;
  }

  /** Builds bags from one id array per bag. */
  public static TokenBags of(int[]... bags) {
    int total = 0;
    for (int[] b : bags) {
      total += b.length;
    }
    int[] ids = new int[total];
    int[] offsets = new int[bags.length + 1];
    int at = 0;
    for (int i = 0; i < bags.length; i++) {
      System.arraycopy(bags[i], 0, ids, at, bags[i].length);
      at += bags[i].length;
      offsets[i + 1] = at;
    }
    return new TokenBags(ids, offsets);
  }
}
