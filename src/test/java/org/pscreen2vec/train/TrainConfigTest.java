package org.pscreen2vec.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TrainConfigTest {
  @Test
  void defaultsAndOverrides() {
    TrainConfig c = TrainConfig.of(Map.of("model", "fashion-mlp", "batch", "16"));
    assertEquals("fashion-mlp", c.model());
    assertEquals(16, c.batch());
    assertEquals(0.001, c.lr());
    assertEquals(64, c.with(Map.of("batch", "64")).batch());
  }

  @Test
  void badSettingsFailWithMessagesNamingTheKey() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.of(Map.of("bacth", "3")));
    assertTrue(e.getMessage().contains("bacth") && e.getMessage().contains("batch"),
        e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(Map.of("model", "x")));
    assertTrue(e.getMessage().contains("screen2vec"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(Map.of("batch", "0")));
    assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(Map.of("lr", "-1")));
    assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.of(Map.of("layout.sizes", "64,x")));
    assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.of(Map.of("layout.mode", "frozen")));
    assertThrows(IllegalArgumentException.class,
        () -> TrainConfig.load(null, List.of("novalue")));
  }

  @Test
  void everyShippedConfigIsValid() throws Exception {
    Path dir = Paths.get(System.getProperty("pscreen2vec.home", ".")).resolve("configs");
    try (var files = Files.list(dir)) {
      List<Path> list = files.filter(p -> p.toString().endsWith(".properties")).toList();
      assertTrue(list.size() >= 8, "configs present: " + list);
      for (Path p : list) {
        TrainConfig c = TrainConfig.load(p, List.of());
        assertTrue(p.getFileName().toString().startsWith(c.model() + "-"), p.toString());
        String name = p.getFileName().toString();
        boolean paperSize = (name.contains("paper") || name.equals("screen2vec-joint.properties"))
            && !name.contains("-local");
        if (paperSize && !c.model().equals("layout-ae")) {
          assertEquals(768, c.getInt("dim"), p + " uses the paper's dim");
          assertEquals(16, c.getInt("nearest"));
          assertEquals(0.001, c.lr());
        }
        if (c.model().equals("screen2vec") && !name.startsWith("screen2vec-local")) {
          // the faithful workloads: every paper setting (local versions: smaller sizes only)
          assertEquals("true", c.get("screen.coords"), name);
          assertEquals("outside", c.get("screen.description"), name);
          assertEquals("full", c.get("windows"), name);
          assertEquals("paper", c.get("eval"), name);
          assertTrue(c.getInt("negatives") > 0 && c.getInt("global.batch") > 0, name);
          assertEquals(name.contains("joint") ? "joint" : "frozen", c.layoutMode(), name);
          if (paperSize) {
            assertEquals(128, c.getInt("negatives"), name);
            assertEquals(256, c.getInt("global.batch"), name);
            assertEquals("2048,256,64", c.get("layout.sizes"), name);
          }
        }
        if (name.equals("ui2vec-paper.properties")) {
          assertEquals("concat", c.get("ui2vec.head"));
        }
      }
    }
  }

  private static String refused(Map<String, String> settings) {
    return assertThrows(IllegalArgumentException.class, () -> TrainConfig.of(settings))
        .getMessage();
  }

  @Test
  void everyKeyIsCheckedForTypeRangeFinitenessAndOverflow() {
    for (String[] bad : new String[][] {{"lr", "Infinity"}, {"lr", "NaN"}, {"sparse.lr", "-0.1"},
        {"momentum", "1"}, {"layout.ae.weight", "-Infinity"}, {"eval.fraction", "1"},
        {"seed", "x"}, {"epochs", "99999999999"}, {"nearest", "1025"}, {"negatives", "-1"},
        {"global.batch", "-8"}, {"windows", "some"}, {"eval", "fast"}, {"ui2vec.head", "sum"},
        {"screen.coords", "yes"}, {"screen.description", "both"}, {"dim", "0"},
        {"mlp.sizes", "784,,10"}, {"eval.candidates", "train"}}) {
      String m = refused(Map.of(bad[0], bad[1]));
      assertTrue(m.startsWith(bad[0] + " "), bad[0] + "=" + bad[1] + ": " + m);
      assertTrue(m.contains(bad[1]) || m.contains("sizes"), m);
      assertTrue(!m.contains("\n"), "one line: " + m);
    }
    String m = refused(Map.of("text.buckets", "1048576", "dim", "4096"));
    assertTrue(m.contains("text.buckets x dim"), m);
    m = refused(Map.of("layout.sizes", "1000000,64"));
    assertTrue(m.contains("layout.sizes"), m);
    m = refused(Map.of("nearest", "1024", "dim", "2048"));
    assertTrue(m.contains("nearest x dim"), m);
  }

  @Test
  void globalBatchIsSplitEvenlyOrRefused() {
    TrainConfig c = TrainConfig.of(Map.of("global.batch", "256", "batch", "7"));
    assertEquals(256, c.workerBatch(1));
    assertEquals(64, c.workerBatch(4));
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> c.workerBatch(3));
    assertTrue(e.getMessage().contains("global.batch=256") && e.getMessage().contains("3"),
        e.getMessage());
    assertEquals(7, TrainConfig.of(Map.of("batch", "7")).workerBatch(3));
  }
}
