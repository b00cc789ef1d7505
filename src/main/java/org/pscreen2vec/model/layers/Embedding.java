package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/** A small dense lookup table (e.g. the 26 GUI classes): out[i] = E[ids[i]]. */
public final class Embedding {
  private final Ops ops;
  private final int count;
  private final int dim;
  private final DenseParam table; // (count, dim)
  private Workspace ws;

  public Embedding(Ops ops, ParameterStore.Builder store, String name, int count, int dim) {
    this.ops = ops;
    this.count = count;
    this.dim = dim;
    this.table = store.add(name, count, dim, Init.uniform(0.5));
    this.ws = Workspace.none(ops);
  }

  /** Where forward takes its outputs from (default: fresh buffers). */
  public void workspace(Workspace w) {
    this.ws = w;
  }

  public int dim() {
    return dim;
  }

  /** The table itself (count, dim), for heads that score against the class embeddings. */
  public DenseParam table() {
    return table;
  }

  /** out(ids.length, dim). */
  public Buf forward(int[] ids) {
    for (int id : ids) {
      if (id < 0 || id >= count) {
        throw new IndexOutOfBoundsException("id " + id + " outside 0.." + (count - 1));
      }
    }
    Buf out = ws.overwritten(ids.length * dim); // the gather writes every row
    ops.gatherRows(table.value(), dim, ids, out);
    return out;
  }

  /** Adds dOut(ids.length, dim) into the table's gradient (repeated ids accumulate). */
  public void backward(int[] ids, Buf dOut) {
    ops.scatterAddRows(dOut, dim, ids, table.grad());
  }
}
