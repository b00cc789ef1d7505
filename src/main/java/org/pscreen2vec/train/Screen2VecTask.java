package org.pscreen2vec.train;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.nn.RowRequest;

/**
 * Screen2Vec on trace windows: predict a window's last screen from the ones before it.
 *
 * <p>Training items are either every prefix window of every trace ({@code windows=prefixes}: at
 * most {@code window} screens ending at each screen after the first) or the traces themselves
 * ({@code windows=full}, the original's way: each step takes one window of {@code window}
 * screens per trace at a random start, the whole trace when it is shorter). Each step may add
 * {@code negatives} random training screens to every window's candidates.
 *
 * <p>Evaluation always ranks each held-out window's true screen among its candidates (the other
 * held-out targets of its evaluation batch and its own context screens) by dot product: top-1,
 * top-5, mean reciprocal rank, and the top-1 a random ranking would get (chance) — the fast
 * per-epoch metric. With {@code eval=paper} it adds the original's evaluation
 * ({@link PaperEvaluation}).
 */
public final class Screen2VecTask implements Task<Screen2VecTask.Batch> {
  /**
   * How windows, negatives and evaluation are made.
   *
   * @param window     screens per window, the target included
   * @param full       one random full window per trace per step instead of every prefix
   * @param negatives  random training screens added to each step's candidates
   * @param evalBatch  windows per evaluation batch
   * @param paperEval  also the original's evaluation
   * @param evalAll    the paper evaluation's candidates are every screen, not the held-out ones
   * @param seed       of the window starts and negatives
   */
  public record Options(int window, boolean full, int negatives, int evalBatch,
      boolean paperEval, boolean evalAll, long seed) {}

  private final Screen2Vec model;
  private final Featurizer features;
  private final TraceSplit split;
  private final Options options;
  private final List<List<Screen>> trainWindows; // prefixes only
  private final List<Trace> trainTraces;         // full only: traces of two screens or more
  private final List<List<Screen>> testWindows;
  private final List<Screen> trainScreens;
  private final Function<Screen, float[]> layout; // null: no layout input
  private final int layoutWidth;
  private final Random random;

  /** Every prefix window, no negatives, in-batch evaluation (the project's first workload). */
  public Screen2VecTask(Screen2Vec model, Featurizer features, TraceSplit split, int window,
      Function<Screen, float[]> layout, int layoutWidth, int evalBatch) {
    this(model, features, split, layout, layoutWidth,
        new Options(window, false, 0, evalBatch, false, false, 1));
  }

  public Screen2VecTask(Screen2Vec model, Featurizer features, TraceSplit split,
      Function<Screen, float[]> layout, int layoutWidth, Options options) {
    this.model = model;
    this.features = features;
    this.split = split;
    this.options = options;
    this.layout = layout;
    this.layoutWidth = layoutWidth;
    this.random = new Random(options.seed() * 0x9E3779B97F4A7C15L + 17);
    this.trainTraces = split.train().stream().filter(t -> t.screens().size() >= 2).toList();
    this.trainWindows = options.full() ? List.of()
        : TraceSplit.windows(split.train(), options.window());
    this.testWindows = options.full() ? lastWindows(split.test(), options.window())
        : TraceSplit.windows(split.test(), options.window());
    this.trainScreens = TraceSplit.screens(split.train());
    if (trainSize() == 0) {
      throw new IllegalArgumentException("no training window: the traces need at least two "
          + "screens each");
    }
  }

  /** Each trace's last window of at most {@code size} screens (fixed, for evaluation). */
  static List<List<Screen>> lastWindows(List<Trace> traces, int size) {
    List<List<Screen>> out = new ArrayList<>();
    for (Trace t : traces) {
      List<Screen> s = t.screens();
      if (s.size() >= 2) {
        out.add(s.subList(Math.max(0, s.size() - size), s.size()));
      }
    }
    return out;
  }

  @Override
  public Model model() {
    return model;
  }

  @Override
  public int trainSize() {
    return options.full() ? trainTraces.size() : trainWindows.size();
  }

  /** The training windows of these items (full: a window at a random start of each trace). */
  private List<List<Screen>> trainWindows(int[] items) {
    List<List<Screen>> w = new ArrayList<>(items.length);
    for (int i : items) {
      if (!options.full()) {
        w.add(trainWindows.get(i));
        continue;
      }
      List<Screen> s = trainTraces.get(i).screens();
      int len = Math.min(options.window(), s.size());
      int start = random.nextInt(s.size() - len + 1);
      w.add(s.subList(start, start + len));
    }
    return w;
  }

  private List<Screen> negatives() {
    List<Screen> n = new ArrayList<>(options.negatives());
    for (int i = 0; i < options.negatives(); i++) {
      n.add(trainScreens.get(random.nextInt(trainScreens.size())));
    }
    return n;
  }

  /** A step's windows and the text rows they read. */
  public record Batch(int size, Screen2Vec.WindowBatch windows, RowRequest rows)
      implements Task.Batch {}

  @Override
  public Batch batch(int[] items) {
    if (items.length == 0) {
      return new Batch(0, null, new RowRequest(new int[][] {new int[0]}));
    }
    // valid until the next batch (the step's): its layout rows are reused (issue 15)
    Screen2Vec.WindowBatch b = features.trainingWindows(trainWindows(items), negatives(),
        split.descriptions(), layout, layoutWidth);
    return new Batch(items.length, b, new RowRequest(new int[][] {RowRequest.distinct(
        b.screens().compTexts().ids(), b.screens().descTexts().ids())}));
  }

  @Override
  public double step(Batch batch) {
    return batch.size() == 0 ? 0 : model.lossAndGradients(batch.windows()).loss();
  }

  private Screen2Vec.WindowBatch testBatch(int from, int size) {
    return features.windows(testWindows.subList(from, from + size), split.descriptions(), layout,
        layoutWidth);
  }

  @Override
  public Map<String, Double> evaluate() {
    double loss = 0;
    double top1 = 0;
    double top5 = 0;
    double rr = 0;
    double chance = 0;
    int n = 0;
    for (int from = 0; from < testWindows.size(); from += options.evalBatch()) {
      int size = Math.min(options.evalBatch(), testWindows.size() - from);
      Screen2Vec.Result r = model.evaluate(testBatch(from, size));
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
    if (options.paperEval()) {
      List<Trace> pool = new ArrayList<>(split.test());
      if (options.evalAll()) {
        pool.addAll(0, split.train());
      }
      m.putAll(new PaperEvaluation(model, features, split.descriptions(), layout, layoutWidth,
          options.evalBatch()).run(testWindows, TraceSplit.screens(pool)).metrics());
    }
    return m;
  }

  @Override
  public String describe() {
    return String.format("%d training traces (%d %s), %d held-out traces (%d windows), "
        + "%d distinct training screens, %d random negatives per step", split.train().size(),
        trainSize(), options.full() ? "traces, one full window each per epoch" : "windows",
        split.test().size(), testWindows.size(), trainScreens.size(), options.negatives());
  }
}
