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
        if (p.toString().contains("paper") && !c.model().equals("layout-ae")) {
          assertEquals(768, c.getInt("dim"), p + " uses the paper's dim");
          assertEquals(16, c.getInt("nearest"));
          assertEquals(0.001, c.lr());
        }
      }
    }
  }
}
