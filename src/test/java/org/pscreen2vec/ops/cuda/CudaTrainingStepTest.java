package org.pscreen2vec.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.sync.NoSync;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;
import org.pscreen2vec.train.Trainer;

/**
 * A whole training step of each model (its local configuration, one worker, no strategy: batch,
 * forward, backward, optimizer) on the GPU against the same steps on the CPU in plain Java (no
 * ND4J, so the GPU test bundle runs it): the same items, the same initial parameters; the losses
 * of three consecutive steps (the later ones computed from parameters the GPU updated) and the
 * parameters after them must agree. Tagged gpu; "skipped: no GPU" elsewhere.
 */
@Tag("gpu")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CudaTrainingStepTest {
  /** Relative tolerance of a loss: float sums over a batch in two different orders. */
  static final double LOSS_TOL = 1e-3;
  /**
   * Parameters after the steps: at least 99 % within 1e-4 of the CPU's, and none further than
   * Adam can move one (lr per step, twice: a gradient near 0 may round to opposite signs on the
   * two backends, and Adam moves either way by up to lr). A missing or wrong update moves most
   * parameters by ~lr and fails the first bound; a wrong kernel fails the losses.
   */
  static final double PARAM_CLOSE = 1e-4;
  static final double CLOSE_FRACTION = 0.99;
  static final int STEPS = 3;

  private CudaOps gpu;
  private String noGpu;

  @BeforeAll
  void open() {
    try {
      gpu = CudaOps.open(0, false);
    } catch (NoGpuException e) {
      noGpu = e.getMessage();
    }
  }

  @BeforeEach
  void needsGpu() {
    Assumptions.assumeTrue(gpu != null, () -> "skipped: " + noGpu);
  }

  static Stream<String> models() {
    return TrainConfig.MODELS.stream();
  }

  @ParameterizedTest
  @MethodSource("models")
  void stepOnGpuMatchesCpu(String model) throws Exception {
    Path file = Tasks.home().resolve("configs").resolve(model + "-local.properties");
    assumeTrue(Files.isRegularFile(file), "no " + file);
    TrainConfig c = TrainConfig.load(file, List.of("batch=16"));
    Ops cpu = CpuOps.plainJava();
    Task<?> onCpu;
    Task<?> onGpu;
    try {
      onCpu = Tasks.create(c, cpu);
      onGpu = Tasks.create(c, gpu);
    } catch (java.io.IOException e) {
      Assumptions.abort("skipped " + model + ": its data is not here (" + e.getMessage() + ")");
      return;
    }
    Trainer tc = new Trainer(c, onCpu, cpu, new NoSync(), 0, 1, null);
    Trainer tg = new Trainer(c, onGpu, gpu, new NoSync(), 0, 1, null);
    Random rnd = new Random(7);
    int batch = Math.min(c.batch(), onCpu.trainSize());
    for (int s = 1; s <= STEPS; s++) {
      int[] items = new int[batch];
      for (int i = 0; i < batch; i++) {
        items[i] = rnd.nextInt(onCpu.trainSize());
      }
      double lc = tc.step(items, s).loss();
      double lg = tg.step(items, s).loss();
      assertTrue(Double.isFinite(lg), model + " step " + s + ": GPU loss " + lg);
      assertEquals(lc, lg, LOSS_TOL * Math.max(1, Math.abs(lc)), model + " step " + s + " loss");
    }
    Buf pc = onCpu.model().parameters().values();
    Buf pg = onGpu.model().parameters().values();
    float[] hc = new float[pc.length()];
    float[] hg = new float[pg.length()];
    cpu.download(pc, 0, hc, 0, hc.length);
    gpu.download(pg, 0, hg, 0, hg.length);
    double lr = c.getDouble("lr");
    double bound = 2 * lr * STEPS + 1e-5;
    long close = 0;
    double worst = 0;
    int at = -1;
    for (int i = 0; i < hc.length; i++) {
      double d = Math.abs(hc[i] - hg[i]);
      if (d <= PARAM_CLOSE) {
        close++;
      }
      if (!(d <= worst)) {
        worst = d;
        at = i;
      }
    }
    assertTrue(close >= CLOSE_FRACTION * hc.length, model + ": only " + close + " of "
        + hc.length + " parameters within " + PARAM_CLOSE + " after " + STEPS + " steps");
    assertTrue(worst <= bound, model + ": parameter " + at + " differs by " + worst + " (bound "
        + bound + ")");
  }
}
