package org.pscreen2vec.model.layers;

/**
 * Variable-length sequences without padding (PyTorch's PackedSequence): the batch's rows sorted
 * by length, longest first, so that the rows still running at step t are a prefix of that order.
 * A packed tensor holds, step after step, one row per running sequence: step t's rows are
 * [{@link #offset}(t), offset(t) + {@link #running}(t)), in sorted order. A recurrent layer then
 * multiplies only real rows (a padded batch spends its products and non-linearities on rows that
 * are thrown away: at the paper's sizes most of a screen batch, whose longest screen has far more
 * components than the typical one).
 */
public final class Packing {
  private final int[] lengths;  // (batch) as given
  private final int[] order;    // (batch) sorted position j -> row of the batch
  private final int[] rank;     // (batch) row -> sorted position
  private final int[] running;  // (steps) rows still running at step t, non-increasing
  private final int[] offsets;  // (steps + 1) first packed row of step t

  private Packing(int[] lengths, int[] order, int[] rank, int[] running, int[] offsets) {
    this.lengths = lengths;
    this.order = order;
    this.rank = rank;
    this.running = running;
    this.offsets = offsets;
  }

  /**
   * The packing of sequences of the given lengths (each in 0..steps): a stable sort by length,
   * longest first (rows of equal length keep their order).
   */
  public static Packing of(int steps, int[] lengths) {
    int batch = lengths.length;
    int[] count = new int[steps + 1];
    for (int r = 0; r < batch; r++) {
      if (lengths[r] < 0 || lengths[r] > steps) {
        throw new IllegalArgumentException("length " + lengths[r] + " of row " + r
            + " is outside 0.." + steps);
      }
      count[lengths[r]]++;
    }
    int[] start = new int[steps + 1]; // first sorted position of each length, longest first
    for (int len = steps - 1, at = count[steps]; len >= 0; len--) {
      start[len] = at;
      at += count[len];
    }
    int[] order = new int[batch];
    int[] rank = new int[batch];
    for (int r = 0; r < batch; r++) {
      int j = start[lengths[r]]++;
      order[j] = r;
      rank[r] = j;
    }
    int[] running = new int[steps];
    int[] offsets = new int[steps + 1];
    int alive = batch;
    for (int t = 0; t < steps; t++) {
      alive -= count[t]; // rows of length t stop before step t
      running[t] = alive;
      offsets[t + 1] = offsets[t] + alive;
    }
    return new Packing(lengths.clone(), order, rank, running, offsets);
  }

  public int steps() {
    return running.length;
  }

  public int batch() {
    return order.length;
  }

  /** Packed rows in all: the sum of the lengths. */
  public int total() {
    return offsets[running.length];
  }

  /** Rows still running at step t (a prefix of the sorted order). */
  public int running(int t) {
    return running[t];
  }

  /** First packed row of step t. */
  public int offset(int t) {
    return offsets[t];
  }

  /** The batch row at sorted position j. */
  public int order(int j) {
    return order[j];
  }

  /** Sorted position of batch row r. */
  public int rank(int r) {
    return rank[r];
  }

  public int length(int r) {
    return lengths[r];
  }

  /** The packed row of batch row r at step t (t below its length). */
  public int row(int r, int t) {
    return offsets[t] + rank[r];
  }

  /**
   * For each packed row, the row of a time-major padded (steps, batch) tensor it comes from:
   * t * batch + r.
   */
  public int[] paddedRows() {
    int[] idx = new int[total()];
    for (int t = 0; t < running.length; t++) {
      for (int j = 0; j < running[t]; j++) {
        idx[offsets[t] + j] = t * order.length + order[j];
      }
    }
    return idx;
  }
}
