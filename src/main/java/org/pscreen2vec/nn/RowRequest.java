package org.pscreen2vec.nn;

import java.util.Arrays;

/**
 * The rows of each embedding table (in the model's table order) that one step reads: distinct
 * ids per table. A strategy whose tables live elsewhere (parameter servers) fetches exactly these
 * before the step; models without tables make {@link #NONE}.
 */
public record RowRequest(int[][] ids) {
  /** No table, no rows. */
  public static final RowRequest NONE = new RowRequest(new int[0][]);

  /** The distinct ids of table {@code t}; none for a table the request does not name. */
  public int[] ids(int t) {
    return t < ids.length ? ids[t] : new int[0];
  }

  /** One table's distinct ids from several id arrays (sorted, duplicates removed). */
  public static int[] distinct(int[]... arrays) {
    int n = 0;
    for (int[] a : arrays) {
      n += a.length;
    }
    int[] all = new int[n];
    int at = 0;
    for (int[] a : arrays) {
      System.arraycopy(a, 0, all, at, a.length);
      at += a.length;
    }
    Arrays.sort(all);
    int k = 0;
    for (int i = 0; i < n; i++) {
      if (i == 0 || all[i] != all[i - 1]) {
        all[k++] = all[i];
      }
    }
    return Arrays.copyOf(all, k);
  }

  /** Every row of tables with these row counts (what evaluation needs). */
  public static RowRequest all(int... tableRows) {
    int[][] ids = new int[tableRows.length][];
    for (int t = 0; t < ids.length; t++) {
      ids[t] = new int[tableRows[t]];
      Arrays.setAll(ids[t], i -> i);
    }
    return new RowRequest(ids);
  }
}
