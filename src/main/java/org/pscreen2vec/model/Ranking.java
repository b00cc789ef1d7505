package org.pscreen2vec.model;

import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * Rank of a target among a row's allowed candidates (1 = best; ties count against the target).
 * Scores are ranked on the host: {@link #toHost} copies a score buffer once (a download on a
 * GPU, where reading a buffer element by element would see its stale host memory), then {@link
 * #rank(float[], int, int, int, boolean[])} ranks each row of that copy.
 */
public final class Ranking {
  private Ranking() {}

  /** The buffer's values on the host, by one {@link Ops#download}. */
  public static float[] toHost(Ops ops, Buf scores) {
    float[] out = new float[scores.length()];
    ops.download(scores, 0, out, 0, out.length);
    return out;
  }

  /** Rank of column target in row r of scores(rows, cols) among allowed columns (null: all). */
  public static int rank(float[] scores, int r, int cols, int target, boolean[] allowed) {
    float s = scores[r * cols + target];
    int rank = 1;
    for (int j = 0; j < cols; j++) {
      if (j != target && (allowed == null || allowed[r * cols + j])
          && scores[r * cols + j] >= s) {
        rank++;
      }
    }
    return rank;
  }

  /**
   * The same over a buffer read element by element: correct only where the buffer is host
   * memory (the CPU backends); elsewhere use {@link #toHost} first.
   */
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
