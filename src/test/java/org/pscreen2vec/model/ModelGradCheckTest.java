package org.pscreen2vec.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.ref.ReferenceOps;

/** Every whole model against central differences, in double precision, on tiny shapes. */
class ModelGradCheckTest {
  private final Ops ops = new ReferenceOps();

  private Buf random(int n, long seed) {
    Random r = new Random(seed);
    Buf b = ops.alloc(n);
    for (int i = 0; i < n; i++) {
      b.set(i, r.nextGaussian());
    }
    return b;
  }

  /**
   * Moves every parameter off its initial value: zero biases behind all-zero ReLU inputs put
   * pre-activations exactly on the kink, where central differences disagree with any subgradient.
   */
  private static <M extends Model> M jittered(M m, long seed) {
    Random r = new Random(seed);
    Buf v = m.parameters().values();
    for (int i = 0; i < v.length(); i++) {
      v.set(i, v.get(i) + 0.1 * r.nextGaussian());
    }
    return m;
  }

  @Test
  void fashionMlp() {
    FashionMlp m = jittered(new FashionMlp(ops, new int[] {12, 5, 4, 3}, 1), 1);
    Buf x = random(4 * 12, 2);
    int[] labels = {0, 2, 1, 2};
    GradCheck.checkModel(m, () -> {
      m.zeroGrads();
      return m.lossAndGradients(x, labels, 4);
    }, 30, 3);
  }

  @Test
  void fashionCnn() {
    FashionCnn m = jittered(new FashionCnn(ops, 8, 2, 3, 3, 1), 2);
    Buf x = random(2 * 64, 4);
    int[] labels = {1, 2};
    GradCheck.checkModel(m, () -> {
      m.zeroGrads();
      return m.lossAndGradients(x, labels, 2);
    }, 30, 5);
  }

  @Test
  void layoutAutoencoder() {
    LayoutAutoencoder m = jittered(new LayoutAutoencoder(ops, new int[] {20, 6, 3}, 1), 1);
    Buf x = random(3 * 20, 6);
    GradCheck.checkModel(m, () -> {
      m.zeroGrads();
      return m.lossAndGradients(x, 3);
    }, 30, 7);
  }

  @Test
  void ui2vec() {
    Ui2Vec m = new Ui2Vec(ops, 4, 2, 64, 1);
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 16);
    List<Screen> screens = new ArrayList<>();
    List<Integer> comps = new ArrayList<>();
    Random r = new Random(8);
    for (Trace t : TestScreens.traces(9, 3)) {
      for (Screen s : t.screens()) {
        screens.add(s);
        comps.add(r.nextInt(s.components().size()));
      }
    }
    Ui2Vec.Batch batch = f.components(screens,
        comps.stream().mapToInt(Integer::intValue).toArray(), 16);
    GradCheck.checkModel(m, () -> {
      m.zeroGrads();
      return m.lossAndGradients(batch).loss();
    }, 20, 10);
  }

  /** The original's head: the n nearest concatenated (zero-padded) -> dim + classDim. */
  @Test
  void ui2vecConcatHead() {
    Ui2Vec m = jittered(new Ui2Vec(ops, 4, 2, 64, Ui2Vec.Head.CONCAT, 3, 1), 14);
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 16);
    List<Screen> screens = new ArrayList<>();
    List<Integer> comps = new ArrayList<>();
    Random r = new Random(15);
    for (Trace t : TestScreens.traces(16, 3)) {
      for (Screen s : t.screens()) {
        screens.add(s);
        comps.add(r.nextInt(s.components().size()));
      }
    }
    Ui2Vec.Batch batch = f.components(screens,
        comps.stream().mapToInt(Integer::intValue).toArray(), 3);
    boolean padded = false;
    for (int b = 0; b < batch.size(); b++) {
      padded |= batch.contextOffsets()[b + 1] - batch.contextOffsets()[b] < 3;
    }
    assertTrue(padded, "some target has fewer than n neighbours (zero padding is checked)");
    GradCheck.checkModel(m, () -> {
      m.zeroGrads();
      return m.lossAndGradients(batch).loss();
    }, 20, 17);
  }

  private static List<List<Screen>> windows(List<Trace> traces, int maxContext) {
    List<List<Screen>> out = new ArrayList<>();
    for (Trace t : traces) {
      for (int j = 1; j < t.screens().size(); j++) {
        out.add(t.screens().subList(Math.max(0, j - maxContext), j + 1));
      }
    }
    return out;
  }

  private void checkScreen2Vec(Screen2Vec.LayoutMode mode, int[] layoutSizes, long seed) {
    checkScreen2Vec(new Screen2Vec.Config(4, 2, 64, layoutSizes, mode, 0.5), 0, seed);
  }

  /** Whole model with {@code negatives} random screens of other traces among the candidates. */
  private void checkScreen2Vec(Screen2Vec.Config config, int negatives, long seed) {
    Screen2Vec.LayoutMode mode = config.mode();
    int[] layoutSizes = config.layoutSizes();
    Screen2Vec m = jittered(new Screen2Vec(ops, config, seed), seed);
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 4);
    List<List<Screen>> w = windows(TestScreens.traces(seed, 2), 3);
    List<Screen> neg = new ArrayList<>();
    for (Trace t : TestScreens.traces(seed + 100, negatives)) {
      neg.add(t.screens().get(0));
    }
    Random r = new Random(seed);
    java.util.function.Function<Screen, float[]> layout = switch (mode) {
      case JOINT -> Screen::layout;
      case FROZEN -> s -> new float[] {r.nextFloat(), r.nextFloat()};
      case NONE -> null;
    };
    Screen2Vec.WindowBatch batch = f.windows(w, neg, TestScreens.descriptions(), layout,
        layoutSizes[mode == Screen2Vec.LayoutMode.FROZEN ? layoutSizes.length - 1 : 0]);
    assertTrue(batch.steps() >= 2, "windows of different lengths (padding)");
    for (int b = 0; b < batch.size(); b++) {
      for (int k = 1; k <= negatives; k++) {
        assertTrue(batch.allowed()[b * batch.screens().size() + batch.screens().size() - k],
            "every negative is a candidate of every window");
      }
    }
    GradCheck.checkModel(m, () -> {
      m.zeroGrads();
      return m.lossAndGradients(batch).loss();
    }, 12, seed);
  }

  @Test
  void screen2vecJointLayout() {
    checkScreen2Vec(Screen2Vec.LayoutMode.JOINT, new int[] {Screen.LAYOUT_SIZE, 3, 2}, 11);
  }

  @Test
  void screen2vecFrozenLayout() {
    checkScreen2Vec(Screen2Vec.LayoutMode.FROZEN, new int[] {Screen.LAYOUT_SIZE, 3, 2}, 12);
  }

  @Test
  void screen2vecWithoutLayout() {
    checkScreen2Vec(Screen2Vec.LayoutMode.NONE, new int[] {Screen.LAYOUT_SIZE, 3, 2}, 13);
  }

  /** Component bounds into the RNN (dim + 4), description inside. */
  @Test
  void screen2vecCoordinates() {
    checkScreen2Vec(new Screen2Vec.Config(4, 2, 64, new int[] {Screen.LAYOUT_SIZE, 3, 2},
        Screen2Vec.LayoutMode.JOINT, 0.5, true, true), 0, 21);
  }

  /** The released v4 encoder: bounds, [state ; frozen code] -> dim, description outside. */
  @Test
  void screen2vecV4Combine() {
    checkScreen2Vec(new Screen2Vec.Config(4, 2, 64, new int[] {Screen.LAYOUT_SIZE, 3, 2},
        Screen2Vec.LayoutMode.FROZEN, 0, true, false), 0, 22);
  }

  /** Random negative screens encoded with gradient (joint layout, so every part sees them). */
  @Test
  void screen2vecRandomNegatives() {
    checkScreen2Vec(new Screen2Vec.Config(4, 2, 64, new int[] {Screen.LAYOUT_SIZE, 3, 2},
        Screen2Vec.LayoutMode.JOINT, 0.5, true, false), 3, 23);
  }

  /** The paper workload's dense parameters: within 2 % of 7.1 M (docs/MODEL.md's arithmetic). */
  @Test
  void screen2vecPaperDenseParameters() {
    Screen2Vec m = new Screen2Vec(org.pscreen2vec.ops.cpu.CpuOps.plainJava(),
        new Screen2Vec.Config(768, 6, 1, new int[] {Screen.LAYOUT_SIZE, 2048, 256, 64},
            Screen2Vec.LayoutMode.FROZEN, 0, true, false), 1);
    long rnn = 772L * 768 + 768L * 768 + 768;
    long combine = 832L * 768 + 768;
    long lstm = 4L * (768 * 768 + 768 * 768 + 768);
    long comp = 26L * 6 + 774L * 768 + 768;
    assertEquals(rnn + combine + lstm + comp, m.parameters().size());
    assertEquals(7_140_252, m.parameters().size());
    assertTrue(Math.abs(m.parameters().size() - 7.1e6) / 7.1e6 < 0.02);
  }
}
