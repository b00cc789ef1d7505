package org.pscreen2vec.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.pscreen2vec.cost.Calibration;
import org.pscreen2vec.cost.Network;
import org.pscreen2vec.cost.ServerCost;
import org.pscreen2vec.results.CsvTable;
import org.pscreen2vec.testutil.Launcher;

/**
 * The report's validation of the cost model on a real study (the Fashion-MNIST MLP, ring on 2
 * niodev workers, and its 1-worker baseline): the local packing passes it adds to the model's
 * exchange are the run's own (rank 0's median of {@code sync_local_ms} after the first tenth of
 * the steps), and for a run that did not measure them the model's figure takes their place, so
 * the predicted sync moves by exactly the difference.
 */
class ValidationReportIT {
  private static final String STUDY = "validation-it";

  @Test
  void theMeasuredLocalPassesReplaceTheModelsInThePredictedSync() throws IOException {
    Path results = Launcher.resultsDir().resolve("validation-it-" + ProcessHandle.current().pid());
    Files.createDirectories(results);
    Path config = results.resolve(STUDY + ".properties");
    Files.writeString(config, String.join("\n",
        "repeats = 1", "devices = niodev", "strategies = ring", "workers = 2",
        "timeout.seconds = 120",
        "workload.mlp.config = configs/fashion-mlp-local.properties",
        "workload.mlp.set = epochs=1, max.steps=12", ""));
    // a calibration whose gamma (1 ns/B) makes the model's packing (2 passes over 0.94 MB) 1.9 ms
    Path cal = results.resolve("calibration.properties");
    // taken on emulated 10 Gbit/s links (1.177 GB/s of TCP goodput), which a message at
    // 1 GB/s does not reach: the report must say that the host, not the links, bounded it
    Calibration.write(cal, new Network("validation-it", 50e-6, 1e-9, Double.POSITIVE_INFINITY,
        1e-9, "test"), Map.of(), ServerCost.NONE, 1 / Network.wireOf("10gbit"),
        "ValidationReportIT");
    Map<String, String> env = Map.of("PSCREEN2VEC_RESULTS", results.toString(),
        "PSCREEN2VEC_CALIBRATION", cal.toString());
    Launcher.Result study = Launcher.run(Duration.ofMinutes(4), env, "study", "--config",
        config.toString());
    assertEquals(0, study.exitCode(), study.toString());

    Path steps = results.resolve(STUDY).resolve("mlp")
        .resolve(STUDY + ".mlp.niodev.ring.w2.r1").resolve("steps-rank0.csv");
    double local = medianAfterWarmUp(steps, "sync_local_ms");
    assertTrue(local > 0, "ring packs its gradients: " + local + " ms");

    String md = report(env, results);
    assertTrue(md.contains("The host, not the emulated links, bounded this calibration's "
        + "collectives: one message moved 1.000 GB/s, 85 % of a link's TCP goodput (1.177 GB/s)"
        + ": the ranks' own copies, not the link, set a message's rate; the ports explained the "
        + "rings (no switch limit)."), md);
    String[] measured = ringRow(md);
    assertEquals(String.format(Locale.ROOT, "%.1f", local), measured[7],
        "the run's own local passes");
    double modelLocal = Double.parseDouble(measured[8]);
    assertEquals(2 * 940_584 * 1e-9 * 1e3, modelLocal, 0.2,
        "the model's: 2 passes over the MLP's 940,584 gradient bytes at gamma 1 ns/B");

    // the same run without the column filled in: the model's local passes in their place
    List<String> lines = Files.readAllLines(steps);
    List<String> blanked = new ArrayList<>();
    blanked.add(lines.get(0));
    for (String line : lines.subList(1, lines.size())) {
      blanked.add(line.substring(0, line.lastIndexOf(',') + 1));
    }
    Files.write(steps, blanked);
    String[] modelled = ringRow(report(env, results));
    assertEquals("–", modelled[7], "no measured local passes");
    double moved = Double.parseDouble(modelled[12]) - Double.parseDouble(measured[12]);
    assertEquals(modelLocal - local, moved, 0.15, "predicted sync moves by model's - measured");
  }

  private static String report(Map<String, String> env, Path results) throws IOException {
    Launcher.Result r = Launcher.run(Duration.ofMinutes(2), env, "report", "--study", STUDY,
        "--plots", results.resolve("plots").toString());
    assertEquals(0, r.exitCode(), r.toString());
    return Files.readString(results.resolve(STUDY).resolve("REPORT.md"));
  }

  /** The validation table's ring row, split at '|' (cell 1 is the workload). */
  private static String[] ringRow(String md) {
    String row = md.lines().filter(l -> l.startsWith("| mlp | ring | 2 |")).findFirst()
        .orElse(null);
    assertNotNull(row, "a validation row for ring on 2 workers:\n" + md);
    String[] cells = row.split("\\|");
    for (int i = 0; i < cells.length; i++) {
      cells[i] = cells[i].trim();
    }
    return cells;
  }

  private static double medianAfterWarmUp(Path csv, String column) throws IOException {
    CsvTable t = CsvTable.read(csv, column);
    int n = t.rows().size();
    List<Double> v = new ArrayList<>();
    for (int i = Math.max(1, n / 10); i < n; i++) {
      v.add(t.number(t.rows().get(i), column));
    }
    v.sort(null);
    return v.get(v.size() / 2);
  }
}
