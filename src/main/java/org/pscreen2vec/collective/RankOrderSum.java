package org.pscreen2vec.collective;

/**
 * The sum of p rows in rank order, ((row 0 + row 1) + row 2) + ..., one pass over the slice per
 * row: the first pass stores row 0 + row 1, each later pass adds its row. Every element sees the
 * same additions in the same order as a per-element loop over the ranks, so the result is
 * bitwise the same on every rank; but each pass is a plain two-operand loop, which HotSpot runs
 * about 5x faster than a per-element loop over a variable rank count (84 MB on 2 rows: 9 against
 * 48 ms; docs/PERFORMANCE.md, "Naive and star: the sum in passes").
 */
final class RankOrderSum {
  private RankOrderSum() {}

  /**
   * Writes the sum of rows 0..p-1 into {@code out[from, from + len)}. Row {@code own} is that
   * slice itself (the caller's own contribution, read before it is overwritten); every other row
   * q is {@code rows[base + q * stride, base + q * stride + len)}. {@code own} is 0, 1, or -1
   * when every row is in {@code rows}: a caller whose own row is 2 or more copies it into {@code
   * rows} first, since the first pass overwrites the slice.
   */
  static void sum(float[] out, int from, int len, float[] rows, int base, int stride, int p,
      int own) {
    if (own > 1 || p < 2) {
      throw new IllegalArgumentException("rank-order sum: own row " + own + " of " + p
          + " rows; it must be 0, 1 or -1 (copied into the rows), and p at least 2");
    }
    float[] a = own == 0 ? out : rows;
    int ao = own == 0 ? from : base;
    float[] b = own == 1 ? out : rows;
    int bo = own == 1 ? from : base + stride;
    for (int i = 0; i < len; i++) {
      out[from + i] = a[ao + i] + b[bo + i];
    }
    for (int q = 2; q < p; q++) {
      int o = base + q * stride;
      for (int i = 0; i < len; i++) {
        out[from + i] += rows[o + i];
      }
    }
  }
}
