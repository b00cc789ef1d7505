package org.pscreen2vec.ops.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.pscreen2vec.testutil.RunFiles.epochRows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.run.CheckpointFile;
import org.pscreen2vec.testutil.Launcher;

/**
 * Item 1 of issue 16 without a GPU: every code path of a training run moves parameters,
 * gradients and tables through {@code Ops.upload/download} and never reads or writes a buffer's
 * heap memory behind the backend. Each case trains twice as a real MPJ job, with {@code --backend
 * cpu} and with {@code --backend cpu-staged} ({@link StagedCpuOps}: the same arithmetic, but
 * {@code hostArray} is null and every buffer's heap array is NaN and never written), and requires
 * the two runs to be <em>bitwise</em> equal (tolerance 0: the staged backend only adds copies of
 * floats, so any difference is a path that went around it): the epoch rows (losses, evaluation
 * metrics) and every array of the final model checkpoint. Covers the four models alone, and
 * Screen2Vec (dense parameters and tables) under a 2-rank ring, parameter servers and the hybrid.
 */
class StagedBackendIT {
  private static final Duration LIMIT = Duration.ofMinutes(4);

  private static final Map<String, List<String>> MODELS = Map.of(
      "fashion-mlp", List.of("--model", "fashion-mlp", "--set", "max.steps=6"),
      "fashion-cnn", List.of("--model", "fashion-cnn", "--set", "max.steps=3",
          "--set", "eval.batch=100"),
      "screen2vec", List.of("--model", "screen2vec", "--set", "dim=8", "--set",
          "text.buckets=256", "--set", "layout.sizes=4,2", "--set", "synthetic.screens=300",
          "--set", "batch=4", "--set", "max.steps=6", "--set", "eval.batch=8",
          "--set", "checksum.every=2"),
      "ui2vec", List.of("--model", "ui2vec", "--set", "dim=8", "--set", "text.buckets=256",
          "--set", "synthetic.screens=200", "--set", "batch=8", "--set", "max.steps=6",
          "--set", "eval.batch=16"));

  @ParameterizedTest(name = "{0} on {1} rank(s), strategy {2}")
  @CsvSource({
      "fashion-mlp, 1, none",
      "fashion-cnn, 1, none",
      "screen2vec, 1, none",
      "ui2vec, 1, none",
      "fashion-mlp, 2, ring",
      "screen2vec, 2, ring",
      "screen2vec, 3, ps",
      "screen2vec, 3, hybrid"})
  void stagedRunIsBitwiseTheCpuRun(String model, int np, String strategy) throws Exception {
    String exp = "staged-" + model + "-" + strategy;
    Path cpu = train(exp, model, np, strategy, "cpu");
    Path staged = train(exp, model, np, strategy, "cpu-staged");
    List<String> want = epochRows(cpu);
    assertFalse(want.size() < 2, "no epoch row in " + cpu);
    assertEquals(want, epochRows(staged), "epoch rows (loss, metrics) of cpu vs cpu-staged");
    Map<String, float[]> a = modelArrays(cpu.resolve("checkpoint.bin"));
    Map<String, float[]> b = modelArrays(staged.resolve("checkpoint.bin"));
    assertEquals(a.keySet(), b.keySet());
    for (String k : a.keySet()) {
      float[] x = a.get(k);
      float[] y = b.get(k);
      for (int i = 0; i < x.length; i++) {
        assertTrue(Float.floatToRawIntBits(x[i]) == Float.floatToRawIntBits(y[i]),
            k + "[" + i + "]: cpu " + x[i] + ", cpu-staged " + y[i]);
      }
      assertTrue(Arrays.stream(box(x)).noneMatch(v -> v.isNaN()), k + " holds NaN");
    }
  }

  private static Path train(String exp, String model, int np, String strategy, String backend) {
    List<String> args = new ArrayList<>(List.of("-np", String.valueOf(np), "-dev", "multicore",
        "train"));
    args.addAll(MODELS.get(model));
    if (!strategy.equals("none")) {
      args.addAll(List.of("--strategy", strategy));
    }
    if (strategy.equals("ps") || strategy.equals("hybrid")) {
      args.addAll(List.of("--servers", "1"));
    }
    args.addAll(List.of("--backend", backend, "--experiment", exp));
    Launcher.Result r = Launcher.run(LIMIT, args.toArray(new String[0]));
    assertEquals(0, r.exitCode(), r.toString());
    return Launcher.resultsDir().resolve(exp).resolve(r.jobId());
  }

  private static Map<String, float[]> modelArrays(Path file) throws Exception {
    CheckpointFile.Contents c = CheckpointFile.open(file, "model");
    Map<String, float[]> arrays = new LinkedHashMap<>();
    Map<String, Buf> into = new LinkedHashMap<>();
    c.arrays().forEach((k, n) -> {
      float[] a = new float[n];
      arrays.put(k, a);
      into.put(k, new FloatBuf(a));
    });
    c.read(into);
    return arrays;
  }

  private static Float[] box(float[] a) {
    Float[] out = new Float[a.length];
    for (int i = 0; i < a.length; i++) {
      out[i] = a[i];
    }
    return out;
  }
}
