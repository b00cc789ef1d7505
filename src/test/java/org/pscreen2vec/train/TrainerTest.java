package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.data.ImageSet;
import org.pscreen2vec.features.Featurizer;
import org.pscreen2vec.features.TextHasher;
import org.pscreen2vec.model.FashionMlp;
import org.pscreen2vec.model.Screen2Vec;
import org.pscreen2vec.model.TestScreens;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.Adam;
import org.pscreen2vec.sync.GradientSync;
import org.pscreen2vec.sync.NoSync;

/** The single-worker loop on in-memory data (plain-Java float ops: no native start-up). */
class TrainerTest {
  private final Ops ops = CpuOps.plainJava();

  /** Two-class images: class 1 has a bright left half. */
  private static ImageSet images(int n, long seed) {
    Random r = new Random(seed);
    float[] px = new float[n * 16];
    int[] labels = new int[n];
    for (int i = 0; i < n; i++) {
      labels[i] = r.nextInt(2);
      for (int j = 0; j < 16; j++) {
        px[i * 16 + j] = r.nextFloat() * 0.5f + (labels[i] == 1 && j % 4 < 2 ? 0.5f : 0);
      }
    }
    return new ImageSet(n, 4, 4, px, labels);
  }

  @Test
  void fashionMlpLearnsAndWritesItsFiles(@TempDir Path dir) throws Exception {
    TrainConfig c = TrainConfig.of(Map.of("model", "fashion-mlp", "epochs", "3", "batch", "16",
        "lr", "0.01", "mlp.sizes", "16,8,2"));
    FashionTask task = new FashionTask(ops, new FashionMlp(ops, new int[] {16, 8, 2}, 1),
        images(200, 1), images(100, 2));
    Trainer.Result r = new Trainer(c, task, ops, new NoSync(), 0, 1, dir).run();
    assertEquals(3 * 13, r.steps());
    assertTrue(r.metrics().get("test_accuracy") > 0.9, "accuracy " + r.metrics());
    List<String> epochs = Files.readAllLines(dir.resolve("epochs.csv"));
    assertEquals(4, epochs.size());
    assertTrue(epochs.get(0).startsWith("epoch,steps,samples,train_loss"));
    assertEquals(40, Files.readAllLines(dir.resolve("steps-rank0.csv")).size());
    // the checkpoint restores the trained parameters exactly
    FashionMlp fresh = new FashionMlp(ops, new int[] {16, 8, 2}, 99);
    Checkpoint.load(dir.resolve("checkpoint.bin"), fresh);
    assertArrayEquals(task.model().parameters().valueArray(),
        fresh.parameters().valueArray());
  }

  @Test
  void screen2vecStepsRunAndTheLossFalls() throws Exception {
    TrainConfig c = TrainConfig.of(Map.of("model", "screen2vec", "epochs", "8", "batch", "8",
        "lr", "0.01", "sparse.lr", "0.05", "dim", "8", "text.buckets", "256",
        "layout.sizes", "4,2", "eval.batch", "16"));
    Screen2Vec model = new Screen2Vec(ops, new Screen2Vec.Config(8, 3, 256,
        Tasks.layoutSizes(c), Screen2Vec.LayoutMode.JOINT, 0.1), 1);
    TraceSplit split = TraceSplit.of(TestScreens.traces(5, 24), TestScreens.descriptions(),
        0.2, 1);
    Screen2VecTask task = new Screen2VecTask(model, new Featurizer(ops, new TextHasher(256, 16),
        8), split, 3, org.pscreen2vec.data.Screen::layout,
        org.pscreen2vec.data.Screen.LAYOUT_SIZE, 16);
    Trainer trainer = new Trainer(c, task, ops, new NoSync(), 0, 1, null);
    int[] all = new int[task.trainSize()];
    for (int i = 0; i < all.length; i++) {
      all[i] = i;
    }
    double first = trainer.step(all, 1).loss();
    double last = first;
    for (int t = 2; t <= 30; t++) {
      last = trainer.step(all, t).loss();
    }
    assertTrue(last < 0.7 * first, "loss " + first + " -> " + last);
    assertTrue(task.batch(all).rows().ids(0).length > 0, "the rows a step reads are known");
    Map<String, Double> m = task.evaluate();
    assertTrue(m.get("chance_top1") > 0 && m.get("chance_top1") < 1, m.toString());
  }

  @Test
  void emptyBatchesContributeNothing() {
    TrainConfig c = TrainConfig.of(Map.of("model", "fashion-mlp", "mlp.sizes", "16,8,2"));
    FashionTask task = new FashionTask(ops, new FashionMlp(ops, new int[] {16, 8, 2}, 1),
        images(10, 1), images(10, 2));
    Trainer trainer = new Trainer(c, task, ops, new NoSync(), 0, 1, null);
    float[] before = task.model().parameters().valueArray().clone();
    Trainer.StepTimes st = trainer.step(new int[0], 1);
    assertEquals(0.0, st.loss());
    assertArrayEquals(before, task.model().parameters().valueArray(),
        "Adam with a zero gradient on the first step leaves the parameters alone");
  }

  /** Records what the trainer hands a strategy. */
  private static final class RecordingSync implements GradientSync {
    final java.util.List<int[]> prepared = new java.util.ArrayList<>();
    final java.util.List<int[]> pushed = new java.util.ArrayList<>();
    int denseLength;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public void fetch(org.pscreen2vec.nn.RowRequest rows) {
      prepared.add(rows.ids(0).clone());
    }

    @Override
    public java.util.List<org.pscreen2vec.nn.SparseGradients> synchronize(
        org.pscreen2vec.nn.DenseGradients dense,
        java.util.List<org.pscreen2vec.nn.SparseGradients> sparse, int samples) {
      denseLength = dense.length();
      pushed.add(java.util.Arrays.copyOf(sparse.get(0).ids(), sparse.get(0).count()));
      return sparse;
    }
  }

  @Test
  void strategiesSeeTheRowsAStepReadsBeforeItAndItsGradientsAfter() {
    TrainConfig c = TrainConfig.of(Map.of("model", "screen2vec", "batch", "4", "dim", "4",
        "text.buckets", "128", "layout.mode", "none"));
    Screen2Vec model = new Screen2Vec(ops, new Screen2Vec.Config(4, 2, 128,
        Tasks.layoutSizes(c), Screen2Vec.LayoutMode.NONE, 0), 1);
    TraceSplit split = TraceSplit.of(TestScreens.traces(6, 6), TestScreens.descriptions(), 0.2,
        1);
    Screen2VecTask task = new Screen2VecTask(model, new Featurizer(ops, new TextHasher(128, 16),
        8), split, 3, null, 0, 8);
    RecordingSync sync = new RecordingSync();
    Trainer trainer = new Trainer(c, task, ops, sync, 0, 1, null);
    trainer.step(new int[] {0, 1, 2}, 1);
    assertEquals(model.parameters().size(), sync.denseLength);
    java.util.Set<Integer> read = new java.util.HashSet<>();
    for (int id : sync.prepared.get(0)) {
      read.add(id);
    }
    assertTrue(sync.pushed.get(0).length > 0);
    for (int id : sync.pushed.get(0)) {
      assertTrue(read.contains(id), "row " + id + " has a gradient but was not prepared");
    }
    assertEquals(sync.pushed.get(0).length, read.size(), "every prepared row is touched");
  }
}
