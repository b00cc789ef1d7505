package org.pscreen2vec.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.model.LayoutAutoencoder;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.ops.Buf;

/** The layout autoencoder on the distinct screens' layout bitmaps; evaluation: held-out MSE. */
public final class LayoutTask implements Task<LayoutTask.Batch> {
  private static final int EVAL_BATCH = 64;
  private final LayoutAutoencoder model;
  private final Featurizer features;
  private final List<Screen> train;
  private final List<Screen> test;

  public LayoutTask(LayoutAutoencoder model, Featurizer features, TraceSplit split) {
    this.model = model;
    this.features = features;
    this.train = TraceSplit.screens(split.train());
    this.test = TraceSplit.screens(split.test());
  }

  @Override
  public Model model() {
    return model;
  }

  @Override
  public int trainSize() {
    return train.size();
  }

  private List<float[]> layouts(List<Screen> screens, int[] items) {
    List<float[]> l = new ArrayList<>(items.length);
    for (int i : items) {
      l.add(screens.get(i).layout());
    }
    return l;
  }

  /** A step's layout bitmaps x(items, LAYOUT_SIZE). */
  public record Batch(int size, Buf layouts) implements Task.Batch {
    @Override
    public RowRequest rows() {
      return RowRequest.NONE;
    }
  }

  @Override
  public Batch batch(int[] items) {
    return items.length == 0 ? new Batch(0, null)
        : new Batch(items.length, features.stack(layouts(train, items), Screen.LAYOUT_SIZE));
  }

  @Override
  public double step(Batch batch) {
    return batch.size() == 0 ? 0 : model.lossAndGradients(batch.layouts(), batch.size());
  }

  @Override
  public Map<String, Double> evaluate() {
    double sum = 0;
    for (int from = 0; from < test.size(); from += EVAL_BATCH) {
      int n = Math.min(EVAL_BATCH, test.size() - from);
      int[] items = new int[n];
      for (int i = 0; i < n; i++) {
        items[i] = from + i;
      }
      sum += n * model.reconstructionError(
          features.stack(layouts(test, items), Screen.LAYOUT_SIZE), n);
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("test_mse", sum / Math.max(1, test.size()));
    return m;
  }

  @Override
  public String describe() {
    return String.format("%d training and %d held-out screens", train.size(), test.size());
  }
}
