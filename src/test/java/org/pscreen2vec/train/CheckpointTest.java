package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.data.ImageSet;
import org.pscreen2vec.model.FashionMlp;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.optim.SparseOptimizer;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.sync.NoSync;

/**
 * Training checkpoints on real files: a resumed run ends bitwise where an uninterrupted one does,
 * and every damaged or foreign checkpoint is refused with a one-line message naming the file and
 * the difference (exit status 4 in a job: {@link BadInputException}).
 */
class CheckpointTest {
  private final Ops ops = CpuOps.plainJava();

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

  private TrainConfig config(String... extra) {
    Map<String, String> m = new java.util.HashMap<>(Map.of("model", "fashion-mlp", "epochs", "2",
        "batch", "16", "lr", "0.01", "mlp.sizes", "16,8,2", "checkpoint.every", "5"));
    for (String kv : extra) {
      m.put(kv.substring(0, kv.indexOf('=')), kv.substring(kv.indexOf('=') + 1));
    }
    return TrainConfig.of(m);
  }

  private Trainer trainer(TrainConfig c, Path dir, Path resume, int hidden) {
    FashionTask task = new FashionTask(ops, new FashionMlp(ops, new int[] {16, hidden, 2}, 1),
        images(200, 1), images(100, 2));
    return new Trainer(c, task, ops, new NoSync(), 0, 1, dir).with(new Trainer.Options(
        new TrainingCheckpoint.Setup("none", "bsp", 1, 0, task.trainSize()), null, resume));
  }

  /** Uninterrupted run into dir; returns its final model file. */
  private Path uninterrupted(Path dir) throws IOException {
    trainer(config(), dir, null, 8).run();
    return dir.resolve("checkpoint.bin");
  }

  @Test
  void resumingFromAMidEpochCheckpointEndsBitwiseLikeTheUninterruptedRun(@TempDir Path tmp)
      throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    byte[] reference = Files.readAllBytes(uninterrupted(a));
    // 13 steps per epoch; checkpoints kept: the newest two (step 25 and the end, 26)
    List<Path> kept = TrainingCheckpoint.complete(a.resolve(CheckpointFile.FOLDER), 0);
    assertEquals(List.of("step-000000025", "step-000000026"),
        kept.stream().map(p -> p.getFileName().toString()).toList());
    // a second run that stops (is resumed) from step 10: copy the run as it was then
    trainer(config("max.steps=10"), b, null, 8).run();
    Files.delete(b.resolve("checkpoint.bin"));
    Path step10 = CheckpointFile.stepDir(b, 10);
    assertTrue(Files.isRegularFile(step10.resolve(CheckpointFile.TRAIN_FILE)));
    Trainer.Result r = trainer(config(), b, step10, 8).run();
    assertEquals(26, r.steps());
    assertArrayEquals(reference, Files.readAllBytes(b.resolve("checkpoint.bin")),
        "the resumed run's final parameters differ from the uninterrupted run's");
    assertEquals(Files.readAllLines(a.resolve("epochs.csv")).stream().map(CheckpointTest::noTime)
        .toList(), Files.readAllLines(b.resolve("epochs.csv")).stream()
        .map(CheckpointTest::noTime).toList());
    assertEquals(27, Files.readAllLines(b.resolve("steps-rank0.csv")).size(),
        "every step once in steps-rank0.csv");
  }

  /** An epochs.csv row without its timing columns (seconds, samples/s, eval seconds). */
  private static String noTime(String row) {
    String[] c = row.split(",");
    return c[0] + "," + c[1] + "," + c[2] + "," + c[3] + "," + c[6] + "," + c[7];
  }

  @Test
  void aDamagedOrForeignCheckpointIsRefusedWithOneLineNamingTheProblem(@TempDir Path tmp)
      throws IOException {
    uninterrupted(tmp.resolve("a"));
    Path good = CheckpointFile.stepDir(tmp.resolve("a"), 25).resolve(CheckpointFile.TRAIN_FILE);
    byte[] bytes = Files.readAllBytes(good);
    List<String[]> cases = new ArrayList<>();
    cases.add(damage(tmp, "truncated", java.util.Arrays.copyOf(bytes, bytes.length - 100),
        "truncated"));
    byte[] flipped = bytes.clone();
    flipped[bytes.length / 2] ^= 0x10;
    cases.add(damage(tmp, "flipped", flipped, "corrupted: checksum"));
    byte[] trailing = java.util.Arrays.copyOf(bytes, bytes.length + 7);
    cases.add(damage(tmp, "trailing", trailing, "7 trailing bytes"));
    byte[] magic = bytes.clone();
    magic[0] = 'X';
    cases.add(damage(tmp, "magic", magic, "is not a pscreen2vec checkpoint"));
    byte[] version = bytes.clone();
    version[7] = 9;
    cases.add(damage(tmp, "version", version, "format version 9"));
    cases.add(damage(tmp, "random", new byte[4096], "is not a pscreen2vec checkpoint"));
    for (String[] c : cases) {
      BadInputException e = assertThrows(BadInputException.class,
          () -> trainer(config(), tmp.resolve("r-" + c[0]), Path.of(c[1]), 8).run(), c[0]);
      assertOneLine(e, c[2], c[0]);
    }
    // another shape (a hidden layer of 9, not 8)
    BadInputException shape = assertThrows(BadInputException.class,
        () -> trainer(config(), tmp.resolve("r-shape"), good.getParent(), 9).run());
    assertOneLine(shape, "another shape", "shape");
    // another configuration (same shapes): the stored configuration is compared
    BadInputException cfg = assertThrows(BadInputException.class,
        () -> trainer(config("seed=7"), tmp.resolve("r-cfg"), good.getParent(), 8).run());
    assertOneLine(cfg, "seed=1 in the checkpoint, 7 now", "config");
    assertTrue(cfg.getMessage().contains("every key must match except"), cfg.getMessage());
    // another model: a model checkpoint (kind) and a layout-ae-style name mismatch
    BadInputException kind = assertThrows(BadInputException.class,
        () -> Checkpoint.load(good, new FashionMlp(ops, new int[] {16, 8, 2}, 1)));
    assertOneLine(kind, "is a train checkpoint, not a model checkpoint", "kind");
    // another data set (more training items)
    FashionTask bigger = new FashionTask(ops, new FashionMlp(ops, new int[] {16, 8, 2}, 1),
        images(300, 1), images(100, 2));
    BadInputException data = assertThrows(BadInputException.class,
        () -> new Trainer(config(), bigger, ops, new NoSync(), 0, 1, tmp.resolve("r-data"))
            .with(new Trainer.Options(new TrainingCheckpoint.Setup("none", "bsp", 1, 0, 300),
                null, good.getParent())).run());
    assertOneLine(data, "data.train_size 200, this run has 300", "data");
  }

  private static String[] damage(Path tmp, String name, byte[] content, String expected)
      throws IOException {
    Path dir = tmp.resolve("bad-" + name).resolve(CheckpointFile.FOLDER).resolve("step-000000025");
    Files.createDirectories(dir);
    Files.write(dir.resolve(CheckpointFile.TRAIN_FILE), content, StandardOpenOption.CREATE);
    return new String[] {name, dir.toString(), expected};
  }

  private static void assertOneLine(Exception e, String expected, String what) {
    String m = e.getMessage();
    assertTrue(m.contains(expected), what + ": '" + m + "' should say '" + expected + "'");
    assertTrue(m.contains(CheckpointFile.TRAIN_FILE) || m.contains(".ckpt") || m.contains("bin"),
        what + ": the message names the file: " + m);
    assertFalse(m.contains("\n"), what + ": one line: " + m);
  }

  @Test
  void optimizerStateAndStepCountRoundTrip(@TempDir Path tmp) throws IOException {
    trainer(config("max.steps=7"), tmp, null, 8).run();
    TrainingCheckpoint.State s = freshState("none", 0);
    var dense = s.dense();
    TrainingCheckpoint.Position p = TrainingCheckpoint.load(CheckpointFile.stepDir(tmp, 7)
        .resolve(CheckpointFile.TRAIN_FILE), s, 0);
    assertEquals(7, p.step());
    assertEquals(0, p.epoch());
    assertEquals(7, p.stepInEpoch());
    assertEquals(7, dense.steps(), "Adam's step count (bias correction) is restored");
    assertTrue(dense.state().get("m").get(0) != 0 || dense.state().get("m").get(1) != 0);
  }

  /** A fresh MLP run's state to load a checkpoint into (strategy and server ranks as given). */
  private TrainingCheckpoint.State freshState(String strategy, int servers) {
    FashionTask task = new FashionTask(ops, new FashionMlp(ops, new int[] {16, 8, 2}, 1),
        images(200, 1), images(100, 2));
    TrainConfig c = config();
    var dense = Trainer.denseOptimizer(c, ops);
    dense.initialise(task.model().parameters().size());
    return new TrainingCheckpoint.State(task.model(), c, dense, List.<SparseOptimizer>of(),
        new TrainingCheckpoint.Setup(strategy, "bsp", 1, servers, 200));
  }

  /**
   * A checkpoint is complete with the server files its train.ckpt asks for: none when the run
   * used no servers (auto leaving a job's server ranks idle), each one when they held state.
   */
  @Test
  void aCheckpointIsCompleteWithTheServerFilesItNames(@TempDir Path tmp) throws IOException {
    trainer(config("max.steps=7"), tmp, null, 8).run();
    Path folder = tmp.resolve(CheckpointFile.FOLDER);
    List<Path> before = TrainingCheckpoint.complete(folder, 2);
    assertTrue(before.contains(CheckpointFile.stepDir(tmp, 7)),
        "written by a run whose servers held nothing: complete also for a job with 2 servers");
    TrainingCheckpoint.State s = freshState("ps", 2);
    Path step9 = CheckpointFile.stepDir(tmp, 9);
    TrainingCheckpoint.save(step9.resolve(CheckpointFile.TRAIN_FILE), s,
        TrainingCheckpoint.Position.START, 2);
    Files.createFile(CheckpointFile.serverFile(step9, 0));
    assertEquals(before, TrainingCheckpoint.complete(folder, 2), "server 1's file is missing");
    Files.createFile(CheckpointFile.serverFile(step9, 1));
    assertEquals(step9, TrainingCheckpoint.resolve(tmp, 2), "now complete: the newest");
    BadInputException e = assertThrows(BadInputException.class,
        () -> TrainingCheckpoint.load(step9.resolve(CheckpointFile.TRAIN_FILE), s, 0));
    assertOneLine(e, "server_files 2, this run has 0", "servers idle on resume");
  }
}
