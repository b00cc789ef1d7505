package org.pscreen2vec.features;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.data.Screen;
import org.pscreen2vec.data.Trace;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.model.TestScreens;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;

/**
 * {@link Featurizer#trainingWindows}: a training batch's layout rows reuse the last training
 * batch's storage and hold exactly what {@link Featurizer#windows} gives for the same windows
 * (a larger batch after a smaller one, a smaller after a larger); a batch from {@code windows}
 * (evaluation) is its own and survives the next training batch.
 */
class FeaturizerTrainingWindowsTest {
  private final Ops ops = CpuOps.plainJava();

  private static List<List<Screen>> windows(long seed, int traces) {
    List<List<Screen>> out = new ArrayList<>();
    for (Trace t : TestScreens.traces(seed, traces)) {
      for (int j = 1; j < t.screens().size(); j++) {
        out.add(t.screens().subList(Math.max(0, j - 2), j + 1));
      }
    }
    return out;
  }

  private Screen2Vec.WindowBatch training(Featurizer f, List<List<Screen>> w) {
    return f.trainingWindows(w, List.of(), TestScreens.descriptions(), Screen::layout,
        Screen.LAYOUT_SIZE);
  }

  private Screen2Vec.WindowBatch fresh(Featurizer f, List<List<Screen>> w) {
    return f.windows(w, List.of(), TestScreens.descriptions(), Screen::layout,
        Screen.LAYOUT_SIZE);
  }

  private static float[] storage(Screen2Vec.WindowBatch b) {
    return ((FloatBuf) b.screens().layout()).array();
  }

  @Test
  void trainingBatchesReuseTheirLayoutRowsAndHoldTheFreshValues() {
    Featurizer f = new Featurizer(ops, new TextHasher(64, 32), 6);
    List<List<Screen>> small = windows(41, 2);
    List<List<Screen>> big = windows(42, 5);
    Screen2Vec.WindowBatch evaluation = fresh(f, small);
    double[] evaluationLayout = evaluation.screens().layout().toDoubles();
    Screen2Vec.WindowBatch first = training(f, big);
    float[] kept = storage(first);
    assertNotSame(storage(evaluation), kept);
    Screen2Vec.WindowBatch second = training(f, small);
    assertSame(kept, storage(second), "the smaller batch reuses the larger one's rows");
    assertArrayEquals(fresh(f, small).screens().layout().toDoubles(),
        second.screens().layout().toDoubles(), 0.0, "small after big");
    assertArrayEquals(fresh(f, small).screens().compBounds().toDoubles(),
        second.screens().compBounds().toDoubles(), 0.0, "bounds, small after big");
    Screen2Vec.WindowBatch third = training(f, big);
    assertArrayEquals(fresh(f, big).screens().layout().toDoubles(),
        third.screens().layout().toDoubles(), 0.0, "big after small");
    assertArrayEquals(evaluationLayout, evaluation.screens().layout().toDoubles(), 0.0,
        "an evaluation batch after two training batches");
  }
}
