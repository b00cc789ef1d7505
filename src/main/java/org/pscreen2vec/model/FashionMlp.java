package org.pscreen2vec.model;

import java.util.List;
import org.pscreen2vec.model.layers.Activation;
import org.pscreen2vec.model.layers.Mlp;
import org.pscreen2vec.model.layers.SoftmaxCrossEntropy;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** Fashion-MNIST baseline: 784 -> 256 -> 128 -> 10 with ReLU, softmax cross-entropy. */
public final class FashionMlp implements ImageClassifier {
  private final Ops ops;
  private final Mlp mlp;
  private final ParameterStore store;
  private final int classes;
  private final GradientReady.Hook ready; // coarse: the MLP's backward is one call

  /** @param sizes layer sizes, input first and classes last, e.g. {784, 256, 128, 10} */
  public FashionMlp(Ops ops, int[] sizes, long seed) {
    this.ops = ops;
    ParameterStore.Builder b = new ParameterStore.Builder();
    this.mlp = new Mlp(ops, b, "mlp", sizes, Activation.RELU, Activation.IDENTITY);
    this.store = b.build(ops, seed);
    this.classes = sizes[sizes.length - 1];
    this.ready = new GradientReady.Hook(store, "mlp");
  }

  @Override
  public void onGradientsReady(GradientReady listener) {
    ready.set(listener);
  }

  @Override
  public String name() {
    return "fashion-mlp";
  }

  @Override
  public ParameterStore parameters() {
    return store;
  }

  @Override
  public List<EmbeddingTable> tables() {
    return List.of();
  }

  @Override
  public int classes() {
    return classes;
  }

  @Override
  public Buf logits(Buf x, int n) {
    return mlp.forward(x, n).out();
  }

  @Override
  public double lossAndGradients(Buf x, int[] labels, int n) {
    Mlp.Tape t = mlp.forward(x, n);
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.apply(ops, t.out(), n, classes, labels, null, 1);
    mlp.backward(t, ce.dLogits(), false);
    ready.done("mlp");
    return ce.loss();
  }
}
