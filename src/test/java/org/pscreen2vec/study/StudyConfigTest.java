package org.pscreen2vec.study;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class StudyConfigTest {
  private static final Path HOME = Paths.get(".").toAbsolutePath().normalize();

  @TempDir
  Path tmp;

  private StudyConfig study(String text) throws IOException {
    Path f = tmp.resolve("s.properties");
    Files.writeString(f, text);
    return StudyConfig.load(f, HOME);
  }

  private static final String TWO = """
      strategies = ring, ps
      workers = 2, 4
      servers = 1, 2
      consistency = bsp, ssp:2
      repeats = 3
      workload.mlp.config = configs/fashion-mlp-local.properties
      workload.mlp.set = epochs=1, max.steps=5
      workload.mlp.target = test_accuracy:0.5
      workload.s2v.config = configs/screen2vec-local.properties
      """;

  @Test
  void cellsAreTheBaselinePlusEveryCombinationPerWorkloadAndDevice() throws IOException {
    StudyConfig s = study(TWO);
    assertEquals("s", s.name(), "the name defaults to the file's");
    List<Cell> cells = s.cells();
    // per workload: baseline + 2 worker counts x (ring + ps x 2 servers x 2 consistencies)
    assertEquals(2 * (1 + 2 * (1 + 2 * 2)), cells.size());
    for (int i = 0; i < cells.size(); i++) {
      assertEquals(i + 1, cells.get(i).number(), "numbered from 1 in order");
    }
    Cell base = cells.get(0);
    assertTrue(base.isBaseline());
    assertEquals(1, base.workers());
    assertEquals("mlp.multicore.none.w1", base.key());
    Cell ps = cells.stream().filter(c -> c.key().equals("mlp.multicore.ps.w4.s2.ssp2"))
        .findFirst().orElseThrow();
    assertEquals(6, ps.ranks());
    assertEquals("s.mlp.multicore.ps.w4.s2.ssp2.r3", ps.jobId("s", 3));
    List<String> args = ps.trainArgs("mlp", "/r");
    assertEquals(List.of("train", "--config", HOME.resolve("configs/fashion-mlp-local.properties")
        .toString(), "--strategy", "ps", "--experiment", "mlp", "--results", "/r", "--set",
        "checkpoint.epochs=false", "--set", "epochs=1", "--set", "max.steps=5", "--servers", "2", "--consistency", "ssp:2"), args);
    assertEquals(3, s.repeats());
    assertEquals("test_accuracy", s.workloads().get(0).targetMetric());
    assertFalse(s.workloads().get(0).targetFalls());
    assertTrue(s.workloads().get(1).multimodal());
    // per workload: 1 rank: baseline; 2: ring w2; 3: ps w2 s1 (x2 consistencies); 4: ring w4 and
    // ps w2 s2 (x2); 5: ps w4 s1 (x2); 6: ps w4 s2 (x2) -- and two workloads
    Map<Integer, Integer> sizes = new java.util.TreeMap<>();
    s.cellsByRanks().forEach((ranks, list) -> sizes.put(ranks, list.size()));
    assertEquals(Map.of(1, 2, 2, 2, 3, 4, 4, 6, 5, 4, 6, 4), sizes);
  }

  @Test
  void strongScalingSplitsTheGlobalBatchAndRefusesUnevenSplits() throws IOException {
    StudyConfig s = study("scaling = strong\nworkers = 2, 4\nstrategies = ring\n"
        + "workload.mlp.config = configs/fashion-mlp-local.properties\n");
    List<Cell> cells = s.cells();
    assertEquals(64, cells.get(0).batch(), "the baseline trains the whole global batch");
    assertEquals(32, cells.get(1).batch());
    assertEquals(16, cells.get(2).batch());
    assertEquals("mlp.multicore.ring.w4.b16", cells.get(2).key());
    assertTrue(cells.get(2).trainArgs("mlp", "/r").containsAll(List.of("--set", "batch=16")));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> study(
        "scaling = strong\nworkers = 3\nworkload.mlp.config = "
            + "configs/fashion-mlp-local.properties\n"));
    assertTrue(e.getMessage().contains("3 workers cannot share evenly"), e.getMessage());
  }

  @Test
  void badStudiesAreRefusedNamingTheFileAndKey() {
    String wl = "workload.mlp.config = configs/fashion-mlp-local.properties\n";
    String[][] cases = {
        {"unknown key 'repeat'", "repeat = 2\n" + wl},
        {"strategy 'allreduce' is unknown", "strategies = ring, allreduce\n" + wl},
        {"device 'gpu' is unknown", "devices = gpu\n" + wl},
        {"names no workload", "repeats = 2\n"},
        {"does not exist", "workload.x.config = configs/nope.properties\n"},
        {"workload 'mlp'", "workload.mlp.set = lr=-1\n" + wl},
        {"must be METRIC:VALUE", "workload.mlp.target = 0.5\n" + wl},
        {"workers holds 'two'", "workers = 2, two\n" + wl},
        {"not a whole number", "workers = 2.5\n" + wl},
        {"scaling must be weak or strong", "scaling = linear\n" + wl},
        {"is not workload.<name>.config", "workload.mlp.conf = x\n" + wl},
    };
    for (String[] c : cases) {
      String msg = c[0];
      String text = c[1];
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> study(text), msg);
      assertTrue(e.getMessage().contains(msg), "expected '" + msg + "' in: " + e.getMessage());
      assertTrue(e.getMessage().contains("s.properties"), "names the file: " + e.getMessage());
    }
  }

  @Test
  void cellListsSelectByNumberAndRange() throws IOException {
    List<Cell> all = study(TWO).cells();
    assertEquals(List.of(1, 3, 4, 5), Cell.select(all, "1,3-5").stream()
        .map(Cell::number).toList());
    assertEquals(List.of(2), Cell.select(all, " 2 ,2").stream().map(Cell::number)
        .toList());
    assertEquals(all, Cell.select(all, null));
    for (String bad : List.of("0", "23", "x", "5-3", "1-")) {
      assertThrows(IllegalArgumentException.class, () -> Cell.select(all, bad), bad);
    }
  }

  @Test
  void durationsReadAsAPersonWouldSayThem() {
    assertEquals("12 s", StudyRunner.duration(12.4));
    assertEquals("3 min 10 s", StudyRunner.duration(190));
    assertEquals("1 h 02 min", StudyRunner.duration(3720));
  }

  @Test
  void overridesKeepTheCommasOfListValues() {
    assertEquals(List.of("epochs=1", "max.steps=60", "cnn.channels=8,16", "layout.sizes=64, 16",
        "lr=0.01"), StudyConfig.overrides(
            "epochs=1, max.steps=60, cnn.channels=8,16,layout.sizes=64, 16 , lr=0.01"));
    assertEquals(List.of(), StudyConfig.overrides(" "));
  }
}
