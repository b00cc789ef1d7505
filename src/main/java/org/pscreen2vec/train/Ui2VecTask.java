package org.pscreen2vec.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.model.Ui2Vec;
import org.pscreen2vec.nn.RowRequest;

/**
 * UI2Vec on hidden components: every component with text of every training screen is an item.
 * Evaluation on held-out screens: text accuracy among the evaluation batch's candidate texts,
 * class accuracy over the 26 classes among the targets whose class is not 0 (unknown), as the
 * original counts it.
 */
public final class Ui2VecTask implements Task<Ui2VecTask.Batch> {
  private final Ui2Vec model;
  private final Featurizer features;
  private final int nearest;
  private final int evalBatch;
  private final List<Screen> trainScreens = new ArrayList<>();
  private final int[] trainComps;
  private final List<Screen> testScreens = new ArrayList<>();
  private final int[] testComps;

  public Ui2VecTask(Ui2Vec model, Featurizer features, TraceSplit split, int nearest,
      int evalBatch) {
    this.model = model;
    this.features = features;
    this.nearest = nearest;
    this.evalBatch = evalBatch;
    this.trainComps = items(TraceSplit.screens(split.train()), trainScreens);
    this.testComps = items(TraceSplit.screens(split.test()), testScreens);
    if (trainComps.length == 0) {
      throw new IllegalArgumentException("no training component with text");
    }
  }

  private static int[] items(List<Screen> screens, List<Screen> owner) {
    List<Integer> comps = new ArrayList<>();
    for (Screen s : screens) {
      for (int c = 0; c < s.components().size(); c++) {
        if (!s.components().get(c).text().isEmpty() && s.nearest()[c].length > 0) {
          owner.add(s);
          comps.add(c);
        }
      }
    }
    return comps.stream().mapToInt(Integer::intValue).toArray();
  }

  @Override
  public Model model() {
    return model;
  }

  @Override
  public int trainSize() {
    return trainComps.length;
  }

  private Ui2Vec.Batch batch(List<Screen> screens, int[] comps, int[] items) {
    List<Screen> s = new ArrayList<>(items.length);
    int[] c = new int[items.length];
    for (int i = 0; i < items.length; i++) {
      s.add(screens.get(items[i]));
      c[i] = comps[items[i]];
    }
    return features.components(s, c, nearest);
  }

  /** A step's components and the text rows they read. */
  public record Batch(int size, Ui2Vec.Batch components, RowRequest rows)
      implements Task.Batch {}

  @Override
  public Batch batch(int[] items) {
    if (items.length == 0) {
      return new Batch(0, null, new RowRequest(new int[][] {new int[0]}));
    }
    Ui2Vec.Batch b = batch(trainScreens, trainComps, items);
    return new Batch(items.length, b, new RowRequest(new int[][] {RowRequest.distinct(
        b.contextTexts().ids(), b.targetTexts().ids())}));
  }

  @Override
  public double step(Batch batch) {
    return batch.size() == 0 ? 0 : model.lossAndGradients(batch.components()).loss();
  }

  @Override
  public Map<String, Double> evaluate() {
    double loss = 0;
    int text = 0;
    int cls = 0;
    int clsCounted = 0;
    int n = 0;
    for (int from = 0; from < testComps.length; from += evalBatch) {
      int size = Math.min(evalBatch, testComps.length - from);
      int[] items = new int[size];
      for (int i = 0; i < size; i++) {
        items[i] = from + i;
      }
      Ui2Vec.Result r = model.evaluate(batch(testScreens, testComps, items));
      loss += r.loss() * r.n();
      text += r.textCorrect();
      cls += r.classCorrect();
      clsCounted += r.classCounted();
      n += r.n();
    }
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("test_loss", loss / Math.max(1, n));
    m.put("text_accuracy", (double) text / Math.max(1, n));
    m.put("class_accuracy", (double) cls / Math.max(1, clsCounted));
    return m;
  }

  @Override
  public String describe() {
    return String.format("%d training and %d held-out components with text", trainComps.length,
        testComps.length);
  }
}
