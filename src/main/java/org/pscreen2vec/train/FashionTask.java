package org.pscreen2vec.train;

import java.util.LinkedHashMap;
import java.util.Map;
import org.pscreen2vec.data.ImageSet;
import org.pscreen2vec.model.ImageClassifier;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.model.Ranking;
import org.pscreen2vec.model.layers.SoftmaxCrossEntropy;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/** Fashion-MNIST classification: training split for steps, the test split for accuracy. */
public final class FashionTask implements Task<FashionTask.Batch> {
  private static final int EVAL_BATCH = 1000;
  private final Ops ops;
  private final ImageClassifier model;
  private final ImageSet train;
  private final ImageSet test;

  public FashionTask(Ops ops, ImageClassifier model, ImageSet train, ImageSet test) {
    this.ops = ops;
    this.model = model;
    this.train = train;
    this.test = test;
  }

  @Override
  public Model model() {
    return model;
  }

  @Override
  public int trainSize() {
    return train.count();
  }

  /** x(items, pixels) gathered from the image set. */
  private Buf images(ImageSet set, int[] items) {
    int px = set.rows() * set.cols();
    Buf x = ops.alloc(items.length * px);
    for (int i = 0; i < items.length; i++) {
      ops.upload(set.pixels(), items[i] * px, x, i * px, px);
    }
    return x;
  }

  private static int[] labels(ImageSet set, int[] items) {
    int[] l = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      l[i] = set.labels()[items[i]];
    }
    return l;
  }

  /** A step's images x(items, pixels) and labels. */
  public record Batch(int size, Buf images, int[] labels) implements Task.Batch {
    @Override
    public RowRequest rows() {
      return RowRequest.NONE;
    }
  }

  @Override
  public Batch batch(int[] items) {
    return items.length == 0 ? new Batch(0, null, new int[0])
        : new Batch(items.length, images(train, items), labels(train, items));
  }

  @Override
  public double step(Batch batch) {
    return batch.size() == 0 ? 0
        : model.lossAndGradients(batch.images(), batch.labels(), batch.size());
  }

  @Override
  public Map<String, Double> evaluate() {
    int correct = 0;
    double loss = 0;
    for (int from = 0; from < test.count(); from += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, test.count() - from);
      int[] items = new int[n];
      for (int i = 0; i < n; i++) {
        items[i] = from + i;
      }
      int[] y = labels(test, items);
      Buf logits = model.logits(images(test, items), n);
      loss += n * SoftmaxCrossEntropy.apply(ops, logits, n, model.classes(), y, null, 1).loss();
      float[] scores = Ranking.toHost(ops, logits); // once: device memory is not the heap
      for (int i = 0; i < n; i++) {
        if (Ranking.rank(scores, i, model.classes(), y[i], null) == 1) {
          correct++;
        }
      }
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("test_loss", loss / test.count());
    m.put("test_accuracy", (double) correct / test.count());
    return m;
  }

  @Override
  public String describe() {
    return String.format("Fashion-MNIST: %d training and %d test images of %dx%d", train.count(),
        test.count(), train.rows(), train.cols());
  }
}
