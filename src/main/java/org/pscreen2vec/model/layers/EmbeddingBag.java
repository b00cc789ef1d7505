package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * Mean of table rows per bag (a text = its hashed word unigrams and character trigrams). An empty
 * bag (empty text) gives a zero vector and no gradient; a row repeated in a bag counts each time.
 */
public final class EmbeddingBag {
  private final Ops ops;
  private final EmbeddingTable table;
  private Workspace ws;

  /** What backward needs: the bags and their compact gradient rows (null when not training). */
  public record Tape(TokenBags bags, int[] slots, Buf out) {}

  public EmbeddingBag(Ops ops, EmbeddingTable table) {
    this.ops = ops;
    this.table = table;
    this.ws = Workspace.none(ops);
  }

  /** Where forward takes its outputs from (default: fresh buffers). */
  public void workspace(Workspace w) {
    this.ws = w;
  }

  public EmbeddingTable table() {
    return table;
  }

  /** out(bags, dim); when training, registers the rows with the table's sparse gradient. */
  public Tape forward(TokenBags bags, boolean training) {
    Buf out = ws.overwritten(bags.count() * table.dim()); // bagMean writes every bag
    ops.bagMean(table.values(), table.dim(), bags.ids(), bags.offsets(), out);
    int[] slots = training ? table.slotsFor(bags.ids()) : null;
    return new Tape(bags, slots, out);
  }

  /** Adds the gradient of dOut(bags, dim) into the table's compact gradient rows. */
  public void backward(Tape tape, Buf dOut) {
    if (tape.slots() == null) {
      throw new IllegalStateException("backward of a bag computed without training");
    }
    ops.bagMeanBackward(dOut, table.dim(), tape.slots(), tape.bags().offsets(), table.gradRows());
  }
}
