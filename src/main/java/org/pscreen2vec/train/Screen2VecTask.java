package org.pscreen2vec.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.nn.RowRequest;

/**
 * Screen2Vec on trace windows: predict a window's last screen from the ones before it. Evaluation
 * ranks each held-out window's true screen among its candidates (the other held-out targets of
 * its evaluation batch and its own context screens): top-1, top-5, mean reciprocal rank, and the
 * top-1 a random ranking would get (chance).
 */
public final class Screen2VecTask implements Task<Screen2VecTask.Batch> {
  private final Screen2Vec model;
  private final Featurizer features;
  private final TraceSplit split;
  private final List<List<Screen>> trainWindows;
  private final List<List<Screen>> testWindows;
  private final Function<Screen, float[]> layout; // null: no layout input
  private final int layoutWidth;
  private final int evalBatch;

  public Screen2VecTask(Screen2Vec model, Featurizer features, TraceSplit split, int window,
      Function<Screen, float[]> layout, int layoutWidth, int evalBatch) {
    this.model = model;
    this.features = features;
    this.split = split;
    this.trainWindows = TraceSplit.windows(split.train(), window);
    this.testWindows = TraceSplit.windows(split.test(), window);
    this.layout = layout;
    this.layoutWidth = layoutWidth;
    this.evalBatch = evalBatch;
    if (trainWindows.isEmpty()) {
      throw new IllegalArgumentException("no training window: the traces need at least two "
          + "screens each");
    }
  }

  @Override
  public Model model() {
    return model;
  }

  @Override
  public int trainSize() {
    return trainWindows.size();
  }

  private Screen2Vec.WindowBatch batch(List<List<Screen>> source, int[] items) {
    List<List<Screen>> w = new ArrayList<>(items.length);
    for (int i : items) {
      w.add(source.get(i));
    }
    return features.windows(w, split.descriptions(), layout, layoutWidth);
  }

  /** A step's windows and the text rows they read. */
  public record Batch(int size, Screen2Vec.WindowBatch windows, RowRequest rows)
      implements Task.Batch {}

  @Override
  public Batch batch(int[] items) {
    if (items.length == 0) {
      return new Batch(0, null, new RowRequest(new int[][] {new int[0]}));
    }
    Screen2Vec.WindowBatch b = batch(trainWindows, items);
    return new Batch(items.length, b, new RowRequest(new int[][] {RowRequest.distinct(
        b.screens().compTexts().ids(), b.screens().descTexts().ids())}));
  }

  @Override
  public double step(Batch batch) {
    return batch.size() == 0 ? 0 : model.lossAndGradients(batch.windows()).loss();
  }

  @Override
  public Map<String, Double> evaluate() {
    double loss = 0;
    double top1 = 0;
    double top5 = 0;
    double rr = 0;
    double chance = 0;
    int n = 0;
    for (int from = 0; from < testWindows.size(); from += evalBatch) {
      int size = Math.min(evalBatch, testWindows.size() - from);
      int[] items = new int[size];
      for (int i = 0; i < size; i++) {
        items[i] = from + i;
      }
      Screen2Vec.Result r = model.evaluate(batch(testWindows, items));
      loss += r.traceLoss() * r.n();
      top1 += r.top1();
      top5 += r.top5();
      rr += r.reciprocalRankSum();
      chance += r.chanceSum();
      n += r.n();
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("test_loss", loss / Math.max(1, n));
    m.put("top1", top1 / Math.max(1, n));
    m.put("top5", top5 / Math.max(1, n));
    m.put("mrr", rr / Math.max(1, n));
    m.put("chance_top1", chance / Math.max(1, n));
    m.put("top1_over_chance", chance > 0 ? top1 / chance : 0);
    return m;
  }

  @Override
  public String describe() {
    return String.format("%d training traces (%d windows), %d held-out traces (%d windows), "
        + "%d distinct training screens", split.train().size(), trainWindows.size(),
        split.test().size(), testWindows.size(), TraceSplit.screens(split.train()).size());
  }
}
