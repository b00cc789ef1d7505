package org.pscreen2vec.model;

import org.pscreen2vec.ops.Buf;

/** Rank of a target among a row's allowed candidates (1 = best; ties count against the target). */
public final class Ranking {
  private Ranking() {}

  /** Rank of column target in row r of scores(rows, cols) among allowed columns (null: all). */
  public static int rank(Buf scores, int r, int cols, int target, boolean[] allowed) {
    double s = scores.get(r * cols + target);
    int rank = 1;
    for (int j = 0; j < cols; j++) {
      if (j != target && (allowed == null || allowed[r * cols + j])
          && scores.get(r * cols + j) >= s) {
        rank++;
      }
    }
    return rank;
  }

  /** Number of allowed candidates of row r. */
  public static int candidates(int r, int cols, boolean[] allowed) {
    if (allowed == null) {
      return cols;
    }
    int c = 0;
    for (int j = 0; j < cols; j++) {
      if (allowed[r * cols + j]) {
        c++;
      }
    }
    return c;
  }
}
