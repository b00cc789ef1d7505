package org.pscreen2vec.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Paths;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.cost.Workload;
import org.pscreen2vec.nn.RowRequest;
import org.pscreen2vec.ops.cpu.CpuOps;
import org.pscreen2vec.train.Task;
import org.pscreen2vec.train.Tasks;
import org.pscreen2vec.train.TrainConfig;

/**
 * A workload's cost profile is read off its model: table bytes and row bytes from the table's
 * shape (exact arithmetic), dense bytes from the parameter count, touched rows from the first
 * batches (the mean of their distinct-id counts, recomputed here with a fresh task).
 */
class WorkloadProfileTest {
  private static final List<String> SMALL = List.of("model=screen2vec", "dim=8",
      "text.buckets=256", "layout.sizes=16,4", "synthetic.screens=300", "batch=4");

  @Test
  void profileComesFromTheModel() throws Exception {
    TrainConfig c = TrainConfig.load(null, SMALL);
    Workload w = WorkloadProfile.of("small", c, 0.005, "test");
    assertEquals(256.0 * 8 * 4, w.tableBytes(), 0); // 256 rows x 8 floats
    assertEquals(4.0 * 8 + 4, w.rowBytes(), 0); // values and the row id
    assertEquals(0.005, w.computeSeconds(), 0);
    Task<?> task = Tasks.create(c, CpuOps.plainJava());
    assertEquals(4.0 * task.model().parameters().denseGradients().length(), w.denseBytes(), 0);
    double sum = 0;
    List<RowRequest> probe = SparsityProbe.firstBatches(task, c, 0, 1);
    for (RowRequest r : probe) {
      sum += r.ids(0).length;
    }
    assertEquals(sum / probe.size(), w.touchedRowsPerWorker(), 1e-12);
    assertTrue(w.touchedRowsPerWorker() > 0 && w.touchedRowsPerWorker() <= 256, w.toString());
    assertTrue(w.source().contains("model classes of test"), w.source());
  }

  @Test
  void unknownBuiltInNamesTheKnownOnes() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> WorkloadProfile.named("nope", Paths.get("."), 1));
    assertTrue(e.getMessage().contains("screen2vec, fashion-mlp, fashion-cnn"), e.getMessage());
  }
}
