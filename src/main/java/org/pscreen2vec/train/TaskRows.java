package org.pscreen2vec.train;

import java.util.Arrays;

/** Distinct row ids of several id arrays (for {@link Task#tableRows}). */
final class TaskRows {
  private TaskRows() {}

  static int[] distinct(int[]... arrays) {
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
}
