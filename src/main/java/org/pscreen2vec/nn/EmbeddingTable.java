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
 *
 * <p>The host side, as {@link ParameterStore} has one for the dense buffers: {@link #hostValues()}
 * is the live table where the backend keeps it as a host array ({@link Ops#hostArray}: no copy
 * ever), else a host mirror that {@link #valuesToHost}/{@link #valuesFromHost} (whole table) and
 * {@link #rowsToHost}/{@link #rowsFromHost} (some rows) fill from and drain into the backend's
 * buffer. Strategies that broadcast, pull or fill rows work on that array and move exactly the
 * rows they touched; nothing reads a device buffer's host memory behind the backend.
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
  private final HostSide host; // (rows, dim) the live table, or a host mirror
  private float[] hostGrad = new float[0]; // (capacity, dim) staging of the gradient rows

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
    this.host = new HostSide(ops, values, "table " + name);
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
   * (rows, dim) the table on the host: the live buffer on a backend that keeps it as a host array
   * (then every method below costs nothing), else a host mirror, current only for what {@link
   * #valuesToHost} or {@link #rowsToHost} last brought over. What a strategy broadcasts and a
   * parameter server fills.
   */
  public float[] hostValues() {
    return host.array();
  }

  /** Makes the whole {@link #hostValues()} equal to the table (a download, or nothing). */
  public void valuesToHost() {
    host.toHost(0, rows * dim);
  }

  /** Makes the whole table equal to {@link #hostValues()} (an upload, or nothing). */
  public void valuesFromHost() {
    host.fromHost(0, rows * dim);
  }

  /** Makes rows {@code ids[0, count)} of {@link #hostValues()} equal to the table's. */
  public void rowsToHost(int[] ids, int count) {
    moveRows(ids, count, false);
  }

  /** Makes the table's rows {@code ids[0, count)} equal to {@link #hostValues()}'s. */
  public void rowsFromHost(int[] ids, int count) {
    moveRows(ids, count, true);
  }

  /** One transfer per run of consecutive ids (sorted ids, as requests are, make long runs). */
  private void moveRows(int[] ids, int count, boolean up) {
    if (!host.staged()) {
      return;
    }
    for (int i = 0; i < count; ) {
      int first = ids[i];
      int j = i + 1;
      while (j < count && ids[j] == ids[j - 1] + 1) {
        j++;
      }
      if (first < 0 || ids[j - 1] >= rows) {
        throw new IndexOutOfBoundsException("rows " + first + ".." + ids[j - 1] + " outside table "
            + name + " of " + rows + " rows");
      }
      if (up) {
        host.fromHost(first * dim, ids[j - 1] * dim + dim);
      } else {
        host.toHost(first * dim, ids[j - 1] * dim + dim);
      }
      i = j;
    }
  }


  /**
   * The whole table on the host, current as of this call ({@link #valuesToHost}, then {@link
   * #hostValues()}): for readers such as checksums. Writes reach the table only through {@link
   * #valuesFromHost}.
   */
  public float[] valueArray() {
    valuesToHost();
    return hostValues();
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

  /**
   * This step's row-sparse gradient: the gradient rows are the live buffer on a host backend,
   * else the {@code count x dim} touched rows downloaded into a host staging array (only those);
   * the values are {@link #hostValues()} (not refreshed here).
   */
  public SparseGradients sparseGradients() {
    Buf g = gradRows(); // capacity for every registered row
    float[] rowsOnHost = ops.hostArray(grad);
    if (rowsOnHost == null) {
      if (hostGrad.length < g.length()) {
        hostGrad = new float[Math.max(g.length(), 2 * hostGrad.length)];
      }
      ops.download(g, 0, hostGrad, 0, g.length());
      rowsOnHost = hostGrad;
    }
    return new SparseGradients(name, rows, dim, ids, rowsOnHost, count, hostValues());
  }
}
