package org.pscreen2vec.nn;

import java.util.Arrays;
import java.util.SplittableRandom;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * A sparse parameter: a (rows, dim) table of which a step touches few rows (hashed text
 * features). Kept out of the flat dense store; its gradient is row-sparse: the distinct rows the
 * step used (in first-use order) and one compact gradient row each.
 *
 * <p>Protocol per step: {@link #zeroGrad}; forward passes call {@link #slotsFor} (training only)
 * to map row ids to compact gradient rows; backward passes add into {@link #gradRows}; the trainer
 * hands {@link #sparseGradients} to the synchronization strategy.
 */
public final class EmbeddingTable {
  private final Ops ops;
  private final String name;
  private final int rows;
  private final int dim;
  private final Buf values; // (rows, dim)
  private final int[] slotOf; // (rows) compact gradient row of each row id, -1 when untouched
  private int[] ids = new int[64]; // (count) touched row ids in first-use order
  private int count;
  private Buf grad; // (capacity, dim) compact gradient rows, first count valid

  public EmbeddingTable(Ops ops, String name, int rows, int dim, double initRange, long seed) {
    if (rows < 1 || dim < 1) {
      throw new IllegalArgumentException("table " + name + " needs positive rows and dim, was "
          + rows + " x " + dim);
    }
    if ((long) rows * dim > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException("table " + name + " (" + rows + " x " + dim
          + ") exceeds one Java array");
    }
    this.ops = ops;
    this.name = name;
    this.rows = rows;
    this.dim = dim;
    this.values = ops.alloc(rows * dim);
    this.slotOf = new int[rows];
    Arrays.fill(slotOf, -1);
    SplittableRandom rnd = new SplittableRandom(seed ^ Hashing.hash64(name));
    float[] chunk = new float[Math.min(rows * dim, 1 << 16)]; // uploaded piece by piece
    for (int from = 0; from < rows * dim; from += chunk.length) {
      int n = Math.min(chunk.length, rows * dim - from);
      for (int i = 0; i < n; i++) {
        chunk[i] = (float) ((2 * rnd.nextDouble() - 1) * initRange);
      }
      ops.upload(chunk, 0, values, from, n);
    }
    this.grad = ops.alloc(64 * dim);
  }

  public String name() {
    return name;
  }

  public int rows() {
    return rows;
  }

  public int dim() {
    return dim;
  }

  /** (rows, dim) the table. */
  public Buf values() {
    return values;
  }

  /**
   * (rows, dim) the table as the live host array (CPU backends): what a strategy broadcasts and
   * a parameter server fills. Throws where the backend keeps no such array.
   */
  public float[] valueArray() {
    return floats(values);
  }

  /** Forgets the previous step's touched rows (touched entries only: O(count)). */
  public void zeroGrad() {
    for (int i = 0; i < count; i++) {
      slotOf[ids[i]] = -1;
    }
    ops.fill(grad.slice(0, count * dim), 0);
    count = 0;
  }

  /** Registers row ids used by a training forward pass; returns their compact gradient rows. */
  public int[] slotsFor(int[] rowIds) {
    int[] slots = new int[rowIds.length];
    for (int i = 0; i < rowIds.length; i++) {
      int id = rowIds[i];
      if (id < 0 || id >= rows) {
        throw new IndexOutOfBoundsException("row " + id + " outside table " + name + " of "
            + rows + " rows");
      }
      int s = slotOf[id];
      if (s < 0) {
        s = count++;
        if (s == ids.length) {
          ids = Arrays.copyOf(ids, 2 * s);
        }
        ids[s] = id;
        slotOf[id] = s;
      }
      slots[i] = s;
    }
    return slots;
  }

  /** Number of distinct rows touched this step. */
  public int touched() {
    return count;
  }

  /** (touched, dim) compact gradient rows; backward passes add to them. */
  public Buf gradRows() {
    int need = count * dim;
    if (grad.length() < need) {
      Buf bigger = ops.alloc(Math.max(need, grad.length() * 2));
      ops.copy(grad, bigger.slice(0, grad.length()));
      grad = bigger;
    }
    return grad.slice(0, need);
  }

  /** The touched row ids in first-use order (a copy). */
  public int[] touchedIds() {
    return Arrays.copyOf(ids, count);
  }

  /** This step's row-sparse gradient over live buffers (float backends only). */
  public SparseGradients sparseGradients() {
    gradRows(); // capacity for every registered row
    return new SparseGradients(name, rows, dim, ids, floats(grad), count, floats(values));
  }

  private float[] floats(Buf b) {
    float[] a = ops.hostArray(b);
    if (a == null) {
      throw new IllegalStateException("table " + name + " is not a host float array on backend "
          + ops.name());
    }
    return a;
  }
}
