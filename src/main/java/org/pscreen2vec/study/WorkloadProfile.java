package org.pscreen2vec.study;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.pscreen2vec.cost.Workload;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;

/**
 * A workload's cost profile from its model classes: the model is built from the training
 * configuration, and its dense parameter count, its tables' sizes and the rows the first
 * batches touch are read off it; the compute per step is given (a study's measured one-worker
 * step) or timed here (forward and backward, one thread, the JIT's first steps left out).
 * Built-in names are the local study's workloads.
 */
public final class WorkloadProfile {
  private WorkloadProfile() {}

  private record Spec(String config, List<String> overrides) {}

  private static final Map<String, Spec> BUILT_IN = new LinkedHashMap<>();

  static {
    // the local study's workloads (configs/study/local.properties), with its overrides
    BUILT_IN.put("screen2vec", new Spec("configs/screen2vec-local.properties",
        List.of("text.buckets=262144")));
    BUILT_IN.put("fashion-mlp", new Spec("configs/fashion-mlp-local.properties", List.of()));
    BUILT_IN.put("fashion-cnn", new Spec("configs/fashion-cnn-local.properties",
        List.of("cnn.channels=8,16")));
  }

  public static List<String> names() {
    return List.copyOf(BUILT_IN.keySet());
  }

  /** A built-in workload; {@code computeSeconds < 0}: timed on this machine. */
  public static Workload named(String name, Path home, double computeSeconds) throws IOException {
    Spec s = BUILT_IN.get(name.toLowerCase(Locale.ROOT));
    if (s == null) {
      throw new IllegalArgumentException("unknown workload '" + name + "'; built in: "
          + String.join(", ", BUILT_IN.keySet()) + " (or --config FILE)");
    }
    return of(name, TrainConfig.load(home.resolve(s.config()), s.overrides()), computeSeconds,
        s.config() + (s.overrides().isEmpty() ? "" : " " + String.join(" ", s.overrides())));
  }

  /** The profile of a training configuration; {@code computeSeconds < 0}: timed here. */
  public static Workload of(String name, TrainConfig config, double computeSeconds,
      String what) throws IOException {
    Task<?> task = Tasks.create(config, new CpuOps(1));
    Model model = task.model();
    double dense = 4.0 * model.parameters().denseGradients().length();
    double tableBytes = 0;
    double rowBytes = 0;
    for (EmbeddingTable t : model.tables()) {
      tableBytes += 4.0 * t.rows() * t.dim();
      rowBytes = Math.max(rowBytes, 4.0 * t.dim() + 4); // values and the row id
    }
    List<RowRequest> probe = SparsityProbe.firstBatches(task, config, 0, 1);
    double touched = 0;
    for (RowRequest r : probe) {
      for (int t = 0; t < model.tables().size(); t++) {
        touched += r.ids(t).length;
      }
    }
    touched /= Math.max(1, probe.size());
    String compute = "given";
    if (computeSeconds < 0) {
      computeSeconds = timeSteps(task, config);
      compute = "timed here";
    }
    return new Workload(name, dense, tableBytes, model.tables().size(), rowBytes, touched,
        computeSeconds, false,
        String.format(Locale.ROOT, "model classes of %s: %.0f dense parameters, %d table(s) of "
            + "%.1f MB, %.0f rows touched per step (first %d batches), compute %.1f ms (%s)",
            what, dense / 4, model.tables().size(), tableBytes / 1e6, touched, probe.size(),
            computeSeconds * 1e3, compute));
  }

  /** Median forward+backward time over steps of epoch 0: up to 20 steps or 5 s, the first half
   * left out (the JIT warms up there). */
  private static <B extends Task.Batch> double timeSteps(Task<B> task, TrainConfig config) {
    List<Double> ms = new ArrayList<>();
    org.pscreen2vec.data.Sharding.Shard shard = org.pscreen2vec.data.Sharding.shard(
        task.trainSize(), config.workerBatch(1), config.seed(), 0, 0, 1);
    long start = System.nanoTime();
    for (int s = 0; s < Math.min(20, shard.steps()); s++) {
      if (s >= 4 && System.nanoTime() - start > 5_000_000_000L) {
        break;
      }
      B batch = task.batch(shard.batch(s));
      long t0 = System.nanoTime();
      task.model().zeroGrads();
      task.step(batch);
      ms.add((System.nanoTime() - t0) / 1e6);
    }
    double[] v = ms.stream().skip(ms.size() / 2).mapToDouble(Double::doubleValue).sorted()
        .toArray();
    return v.length == 0 ? 0 : v[v.length / 2] / 1e3;
  }
}
