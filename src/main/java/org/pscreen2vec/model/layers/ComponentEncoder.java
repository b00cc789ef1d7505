package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * UI2Vec's GUI-component embedding: [text(dim) ; class(classDim)] -> Linear -> dim, with the text
 * a mean bag of hashed features from the shared text table.
 */
public final class ComponentEncoder {
  private final Ops ops;
  private final EmbeddingBag text;
  private final Embedding classes;
  private final Linear lin;
  private final int dim;
  private Workspace ws;

  /** Backward needs: the text bag, the classes, the concatenated input (n, dim + classDim). */
  public record Tape(EmbeddingBag.Tape text, int[] classes, Buf cat, int n, Buf out) {}

  /** {@code classCount} GUI classes (the data's labelling), each embedded in classDim. */
  public ComponentEncoder(Ops ops, ParameterStore.Builder store, String name,
      EmbeddingTable table, int classCount, int classDim) {
    this.ops = ops;
    this.dim = table.dim();
    this.text = new EmbeddingBag(ops, table);
    this.classes = new Embedding(ops, store, name + ".class", classCount, classDim);
    this.lin = new Linear(ops, store, name + ".lin", dim + classDim, dim);
    this.ws = Workspace.none(ops);
  }

  /** Where forward and backward take their buffers from, for this layer and its parts. */
  public void workspace(Workspace w) {
    this.ws = w;
    text.workspace(w);
    classes.workspace(w);
    lin.workspace(w);
  }

  public EmbeddingBag textBag() {
    return text;
  }

  public int dim() {
    return dim;
  }

  /** The class embeddings (classCount, classDim). */
  public Embedding classes() {
    return classes;
  }

  /** out(n, dim) for n components (texts as bags, class labels). */
  public Tape forward(TokenBags texts, int[] classLabels, boolean training) {
    int n = classLabels.length;
    int cd = classes.dim();
    EmbeddingBag.Tape tt = text.forward(texts, training);
    Buf ce = classes.forward(classLabels);
    Buf cat = ws.overwritten(n * (dim + cd)); // (n, dim + classDim), both parts copied in
    ops.copyColumns(tt.out(), dim, 0, cat, dim + cd, 0, n, dim);
    ops.copyColumns(ce, cd, 0, cat, dim + cd, dim, n, cd);
    Buf out = lin.forward(cat, n);
    return new Tape(tt, classLabels, cat, n, out);
  }

  /** Adds the gradients of dOut(n, dim) to the linear layer, the class table and the text rows. */
  public void backward(Tape t, Buf dOut) {
    int cd = classes.dim();
    Buf dCat = lin.backward(t.cat(), t.n(), dOut);
    Buf dText = ws.overwritten(t.n() * dim); // (n, dim) copied whole
    ops.copyColumns(dCat, dim + cd, 0, dText, dim, 0, t.n(), dim);
    Buf dClass = ws.overwritten(t.n() * cd); // (n, classDim) copied whole
    ops.copyColumns(dCat, dim + cd, dim, dClass, cd, 0, t.n(), cd);
    text.backward(t.text(), dText);
    classes.backward(t.classes(), dClass);
  }
}
