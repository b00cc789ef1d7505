package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.data.SyntheticRico;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.sync.NoSync;

/**
 * End to end on a small generated RICO-format folder, through the data package's reader and the
 * CPU backend: every RICO model trains a few steps, and screen2vec runs with frozen layout codes
 * from a layout-ae checkpoint.
 */
class TasksTest {
  @TempDir
  static Path tmp;
  static Path data;

  @BeforeAll
  static void generate() throws Exception {
    data = tmp.resolve("rico");
    SyntheticRico.generate(new SyntheticRico.Config(3, 150, 3, 3, 8, 1), data, null);
  }

  private static TrainConfig config(String model, Map<String, String> extra) {
    Map<String, String> m = new HashMap<>(Map.of("model", model, "data", data.toString(),
        "epochs", "1", "max.steps", "3", "batch", "8", "dim", "8", "text.buckets", "512",
        "layout.sizes", "8,4", "eval.batch", "16", "eval.fraction", "0.2"));
    m.putAll(extra);
    return TrainConfig.of(m);
  }

  @Test
  void ricoModelsTrainOnGeneratedData() throws Exception {
    for (String model : new String[] {"ui2vec", "layout-ae", "screen2vec"}) {
      Path run = Files.createDirectories(tmp.resolve("run-" + model));
      Trainer.Result r = train(config(model, Map.of()), run);
      assertEquals(3, r.steps(), model);
      assertTrue(Double.isFinite(r.lastEpochLoss()), model + " loss " + r.lastEpochLoss());
      assertTrue(!r.metrics().isEmpty(), model);
      assertTrue(Files.size(run.resolve("checkpoint.bin")) > 0);
    }
  }

  @Test
  void frozenLayoutCodesComeFromALayoutCheckpoint() throws Exception {
    Path ae = Files.createDirectories(tmp.resolve("ae"));
    train(config("layout-ae", Map.of()), ae);
    TrainConfig frozen = config("screen2vec", Map.of("layout.mode", "frozen",
        "layout.checkpoint", ae.resolve("checkpoint.bin").toString()));
    Trainer.Result r = train(frozen, null);
    assertTrue(r.metrics().containsKey("top1"));
    TrainConfig mismatch = config("screen2vec", Map.of("layout.mode", "frozen",
        "layout.sizes", "16,4", "layout.checkpoint", ae.resolve("checkpoint.bin").toString()));
    assertThrows(java.io.IOException.class,
        () -> train(mismatch, null));
  }

  /** The model first, then one worker without a strategy, as the train subcommand does. */
  private static Trainer.Result train(TrainConfig c, Path runDir) throws java.io.IOException {
    CpuOps ops = new CpuOps(1);
    return new Trainer(c, Tasks.create(c, ops), ops, new NoSync(), 0, 1, runDir).run();
  }
}
