package org.pscreen2vec.model;

import java.util.List;
import org.pscreen2vec.model.layers.Conv2d;
import org.pscreen2vec.model.layers.Linear;
import org.pscreen2vec.model.layers.MaxPool2;
import org.pscreen2vec.model.layers.SoftmaxCrossEntropy;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * Fashion-MNIST baseline CNN on NHWC images: conv 5x5 (c1) + ReLU + 2x2 max-pool, conv 5x5 (c2) +
 * ReLU + pool, one dense layer to the classes. 28 x 28 -> 14 x 14 -> 7 x 7.
 *
 * <p>Each block pools before its ReLU: max-pooling commutes with ReLU (both orders give the same
 * outputs, and the same gradients: a window whose maximum is not positive passes none either
 * way, otherwise the first maximum gets it), so ReLU and its backward run on a quarter of the
 * values. The activations are kept between steps (see {@link #kept}), so a tape is valid until
 * the next forward.
 */
public final class FashionCnn implements ImageClassifier {
  private final Ops ops;
  private final int side;
  private final int c1;
  private final int c2;
  private final int classes;
  private final Conv2d conv1;
  private final Conv2d conv2;
  private final MaxPool2 pool1;
  private final MaxPool2 pool2;
  /**
   * Activations and their gradients kept between steps, one per role (Y1 .. DY1), grown to the
   * largest batch seen and sliced for smaller ones; one above {@link #KEEP_LIMIT} floats (an
   * evaluation batch of a thousand images) is a buffer of its own, dropped after use.
   */
  private final Buf[] kept = new Buf[7];
  private static final int Y1 = 0;
  private static final int Z1 = 1;
  private static final int Y2 = 2;
  private static final int Z2 = 3;
  private static final int DY2 = 4;
  private static final int DZ1 = 5;
  private static final int DY1 = 6;
  static final int KEEP_LIMIT = 1 << 21;
  private final Linear dense;
  private final ParameterStore store;
  private final GradientReady.Hook ready;

  private record Tape(Conv2d.Tape t1, Buf y1, MaxPool2.Tape p1, Buf z1, Conv2d.Tape t2, Buf y2,
      MaxPool2.Tape p2, Buf z2, Buf logits) {}

  /** @param side image side (28; a multiple of 4), c1/c2 channels of the two blocks */
  public FashionCnn(Ops ops, int side, int c1, int c2, int classes, long seed) {
    if (side % 4 != 0) {
      throw new IllegalArgumentException("image side must be a multiple of 4, was " + side);
    }
    this.ops = ops;
    this.side = side;
    this.c1 = c1;
    this.c2 = c2;
    this.classes = classes;
    ParameterStore.Builder b = new ParameterStore.Builder();
    conv1 = new Conv2d(ops, b, "conv1", 1, c1, 5);
    conv2 = new Conv2d(ops, b, "conv2", c1, c2, 5);
    pool1 = new MaxPool2(ops);
    pool2 = new MaxPool2(ops);
    dense = new Linear(ops, b, "dense", (side / 4) * (side / 4) * c2, classes);
    store = b.build(ops, seed);
    ready = new GradientReady.Hook(store, "dense", "conv2", "conv1");
  }

  @Override
  public void onGradientsReady(GradientReady listener) {
    ready.set(listener);
  }

  @Override
  public String name() {
    return "fashion-cnn";
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

  private Tape forward(Buf x, int n) {
    int s = side;
    int h = side / 2;
    int q = side / 4;
    Buf y1 = buf(Y1, n * s * s * c1);
    Conv2d.Tape t1 = conv1.forward(x, n, s, s, y1);
    Buf z1 = buf(Z1, n * h * h * c1);
    MaxPool2.Tape p1 = pool1.forward(y1, n, s, s, c1, z1);
    ops.relu(z1, z1);
    Buf y2 = buf(Y2, n * h * h * c2);
    Conv2d.Tape t2 = conv2.forward(z1, n, h, h, y2);
    Buf z2 = buf(Z2, n * q * q * c2);
    MaxPool2.Tape p2 = pool2.forward(y2, n, h, h, c2, z2);
    ops.relu(z2, z2);
    Buf logits = dense.forward(z2, n);
    return new Tape(t1, y1, p1, z1, t2, y2, p2, z2, logits);
  }

  /** The kept buffer of a role, at least len floats, as exactly len floats. */
  private Buf buf(int role, int len) {
    if (len > KEEP_LIMIT) {
      return ops.alloc(len);
    }
    Buf b = kept[role];
    if (b == null || b.length() < len) {
      kept[role] = b = ops.alloc(len);
    }
    return b.length() == len ? b : b.slice(0, len);
  }

  @Override
  public Buf logits(Buf x, int n) {
    return forward(x, n).logits();
  }

  @Override
  public double lossAndGradients(Buf x, int[] labels, int n) {
    Tape t = forward(x, n);
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.apply(ops, t.logits(), n, classes, labels, null, 1);
    Buf dz2 = dense.backward(t.z2(), n, ce.dLogits());
    ready.done("dense");
    ops.reluBackward(t.z2(), dz2, dz2);
    Buf dy2 = buf(DY2, t.y2().length());
    pool2.backward(t.p2(), dz2, dy2);
    Buf dz1 = buf(DZ1, t.z1().length());
    conv2.backward(t.t2(), dy2, dz1);
    ready.done("conv2");
    ops.reluBackward(t.z1(), dz1, dz1);
    Buf dy1 = buf(DY1, t.y1().length());
    pool1.backward(t.p1(), dz1, dy1);
    conv1.backward(t.t1(), dy1, null);
    ready.done("conv1");
    return ce.loss();
  }
}
