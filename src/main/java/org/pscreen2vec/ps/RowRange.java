package org.pscreen2vec.ps;

import java.util.Map;
import java.util.TreeMap;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.optim.SparseOptimizer;

/** A server's rows of one sparse table: ids with {@code id % servers == server} ({@link Partition}). */
final class RowRange extends KeyRange {
  private final Partition part;
  private final int dim;
  private final EmbeddingTable local; // (localRows, dim), null when this server holds no rows
  private final SparseOptimizer optimizer; // null when this server holds no rows
  private final TreeMap<Integer, float[]> sum = new TreeMap<>(); // BSP: local row -> (dim) sum

  RowRange(TableSpec spec, int server, Partition part, int workers, Ops ops,
      SparseOptimizer optimizer) {
    super("table '" + spec.name() + "'", workers, part.localRows(server, spec.rows()) == 0);
    this.part = part;
    this.dim = spec.dim();
    int rows = part.localRows(server, spec.rows());
    if (rows > 0) {
      this.local = new EmbeddingTable(ops, spec.name() + "@server" + server, rows, dim, 0, 0);
      this.optimizer = optimizer;
      optimizer.initialise(rows, dim);
    } else {
      this.local = null;
      this.optimizer = null;
    }
  }

  /** (localRows, dim) the rows, or null when this server holds none. */
  EmbeddingTable table() {
    return local;
  }

  /** The optimizer state (moments by name), or null when this server holds no rows. */
  Map<String, Buf> optimizerState() {
    return optimizer == null ? null : optimizer.state();
  }

  @Override
  void load(float[] values) {
    if (local != null) {
      System.arraycopy(values, 0, local.hostValues(), 0, values.length);
      local.valuesFromHost();
    }
  }

  @Override
  float[] read(int[] ids) {
    if (ids.length == 0) {
      return new float[0];
    }
    int[] rows = localIds(ids);
    local.rowsToHost(rows, rows.length); // nothing to copy on a host backend
    float[] v = local.hostValues();
    float[] out = new float[ids.length * dim]; // (ids, dim)
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(v, rows[i] * dim, out, i * dim, dim);
    }
    return out;
  }

  @Override
  void applyNow(ServerRequest push, float scale, long update) {
    int[] ids = push.ids();
    float[] rows = push.values(); // (ids, dim)
    if (push.samples() > 0 && ids.length > 0) {
      scale(rows, scale);
      optimizer.step(local.values(), dim, localIds(ids), new FloatBuf(rows), update);
    }
  }

  @Override
  void accumulate(ServerRequest push, float weight) {
    int[] ids = push.ids();
    float[] rows = push.values(); // (ids, dim)
    for (int i = 0; i < ids.length; i++) {
      float[] acc = sum.computeIfAbsent(part.local(ids[i]), k -> new float[dim]);
      for (int j = 0; j < dim; j++) {
        acc[j] += weight * rows[i * dim + j];
      }
    }
  }

  /** One optimizer step over the union of rows the workers pushed, in ascending row order. */
  @Override
  void applyRound(float scale, long update) {
    int n = sum.size();
    if (n == 0) {
      return;
    }
    int[] ids = new int[n];
    float[] rows = new float[n * dim]; // (n, dim)
    int i = 0;
    for (Map.Entry<Integer, float[]> e : sum.entrySet()) {
      ids[i] = e.getKey();
      float[] acc = e.getValue();
      for (int j = 0; j < dim; j++) {
        rows[i * dim + j] = acc[j] * scale;
      }
      i++;
    }
    optimizer.step(local.values(), dim, ids, new FloatBuf(rows), update);
  }

  @Override
  void clearRound() {
    sum.clear();
  }

  @Override
  String pushName(int step) {
    return "rows of " + label() + " for step " + step;
  }

  private int[] localIds(int[] ids) {
    int[] out = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      out[i] = part.local(ids[i]);
    }
    return out;
  }
}
