package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.FileAlreadyExistsException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SyntheticRicoTest {
  @TempDir
  Path dir;

  static String key(String pkg, String trace, String screen) {
    return pkg + "/" + trace + "/" + screen;
  }

  @Test
  void generatedDataReadBackGivesExactlyTheGeneratedComponents() throws Exception {
    List<SyntheticRico.GeneratedScreen> generated = new ArrayList<>();
    SyntheticRico.Config config = new SyntheticRico.Config(3, 400, 6, 3, 15, 2);
    SyntheticRico.Summary sum = SyntheticRico.generate(config, dir, generated::add);
    assertEquals(400, generated.size());
    assertEquals(400, sum.screens());

    RicoData data = new RicoReader(RicoReader.Options.defaults()).read(dir);
    assertEquals(400, data.stats().screensKept());
    assertEquals(0, data.stats().screensSkipped());
    assertEquals(sum.traces(), data.traces().size());

    Map<String, SyntheticRico.GeneratedScreen> byKey = new HashMap<>();
    Map<String, List<String>> traceOrder = new HashMap<>();
    for (var g : generated) {
      byKey.put(key(g.packageName(), g.traceId(), g.screenId()), g);
      traceOrder.computeIfAbsent(g.packageName() + "/" + g.traceId(), k -> new ArrayList<>())
          .add(g.screenId());
    }
    for (Trace t : data.traces()) {
      assertEquals(traceOrder.get(t.packageName() + "/" + t.id()),
          t.screens().stream().map(Screen::id).toList(), "order of " + t.id());
      for (Screen s : t.screens()) {
        var g = byKey.get(key(t.packageName(), t.id(), s.id()));
        assertEquals(g.components(), s.components(), "components of " + g);
        assertEquals(g.activity(), s.activity());
        assertEquals(g.packageName(), s.packageName());
      }
      assertTrue(Files.isRegularFile(dir.resolve("filtered_traces").resolve(t.packageName())
          .resolve(t.id()).resolve("gestures.json")));
    }
    assertArrayEquals(sum.stats().classHistogram(), data.stats().classHistogram());
    // (the generator lists apps by index, the reader by folder name: compare the distributions)
    assertArrayEquals(Arrays.stream(sum.stats().depthPerScreen()).sorted().toArray(),
        Arrays.stream(data.stats().depthPerScreen()).sorted().toArray());

    // combined/ holds every screen once, under a global id
    List<Screen> combined = new RicoReader(RicoReader.Options.defaults().withCombined(true))
        .read(dir).combined();
    assertEquals(400, combined.size());
    assertEquals(sorted(generated.stream().map(g -> g.components().toString())),
        sorted(combined.stream().map(s -> s.components().toString())));
    // one description per app, naming the app's topic
    assertEquals(6, data.descriptions().size());
    for (String d : data.descriptions().values()) {
      assertTrue(d.contains(" app for "), d);
    }
  }

  @Test
  void theSameSeedGivesTheSameFilesWhateverTheThreadCount() throws Exception {
    Map<String, String> a = tree(gen(5, 150, 1, "a"));
    Map<String, String> b = tree(gen(5, 150, 2, "b"));
    assertEquals(a, b);
    assertNotEquals(a, tree(gen(6, 150, 2, "c")));
  }

  @Test
  void statisticsLookLikeRico() throws Exception {
    SyntheticRico.Summary s = SyntheticRico.generate(new SyntheticRico.Config(11, 600, 10, 3, 15,
        2), dir, null);
    int[] comps = s.stats().componentsPerScreen();
    Arrays.sort(comps);
    int median = comps[comps.length / 2];
    assertTrue(median >= 15 && median <= 80, "median components " + median); // tens per screen
    int[] depth = s.stats().depthPerScreen();
    assertTrue(Arrays.stream(depth).min().getAsInt() >= 6, "trees several levels deep");
    long[] h = s.stats().classHistogram();
    assertTrue(Arrays.stream(h).filter(x -> x > 0).count() >= 20, Arrays.toString(h));
    // layouts and text views dominate, as in RICO
    long total = Arrays.stream(h).sum();
    assertTrue(h[ClassLabels.LAYOUT] > total / 5, Arrays.toString(h));
    assertTrue(h[ClassLabels.TEXT_INPUT] + h[ClassLabels.TEXT_BUTTON] > total / 5);
  }

  @Test
  void nextScreenIsPredictableFarAboveChanceAndAShuffledControlIsAtChance() throws Exception {
    SyntheticRico.generate(new SyntheticRico.Config(21, 2400, 24, 3, 15, 2), dir, null);
    RicoData data = new RicoReader(RicoReader.Options.defaults()).read(dir);
    List<List<String>> train = new ArrayList<>();
    List<List<String>> test = new ArrayList<>();
    for (int i = 0; i < data.traces().size(); i++) {
      List<String> seq = data.traces().get(i).screens().stream().map(Screen::activity).toList();
      (i % 2 == 0 ? train : test).add(seq);
    }
    double[] real = NextScreenModel.evaluate(train, test);
    java.util.Random r = new java.util.Random(1);
    double[] shuffled = NextScreenModel.evaluate(shuffle(train, r), shuffle(test, r));
    // real[0]: the model's accuracy; real[1]: chance (the app's most frequent screen, no context)
    System.out.printf("next-screen accuracy %.3f (chance %.3f); shuffled %.3f (chance %.3f)%n",
        real[0], real[1], shuffled[0], shuffled[1]);
    assertTrue(real[0] > 0.45, "accuracy " + real[0]);
    assertTrue(real[0] > real[1] + 0.25, "accuracy " + real[0] + " vs chance " + real[1]);
    assertTrue(Math.abs(shuffled[0] - shuffled[1]) < 0.08,
        "shuffled " + shuffled[0] + " vs chance " + shuffled[1]);
  }

  @Test
  void screenTypesHaveCharacteristicComponents() throws Exception {
    SyntheticRico.generate(new SyntheticRico.Config(31, 800, 12, 3, 15, 2), dir, null);
    List<Screen> screens = new RicoReader(RicoReader.Options.defaults()).read(dir)
        .traceScreens();
    // nearest centroid on the class histogram, trained on even screens, tested on odd ones
    Map<String, double[]> centroid = new TreeMap<>();
    Map<String, Integer> n = new HashMap<>();
    for (int i = 0; i < screens.size(); i += 2) {
      String t = type(screens.get(i));
      double[] c = centroid.computeIfAbsent(t, k -> new double[GuiComponent.CLASS_COUNT]);
      double[] h = histogram(screens.get(i));
      for (int j = 0; j < c.length; j++) {
        c[j] += h[j];
      }
      n.merge(t, 1, Integer::sum);
    }
    centroid.forEach((t, c) -> Arrays.setAll(c, j -> c[j] / n.get(t)));
    int right = 0;
    int total = 0;
    Map<String, Integer> freq = new HashMap<>();
    for (int i = 1; i < screens.size(); i += 2) {
      double[] h = histogram(screens.get(i));
      String best = null;
      double bestD = Double.MAX_VALUE;
      for (var e : centroid.entrySet()) {
        double d = 0;
        for (int j = 0; j < h.length; j++) {
          d += (h[j] - e.getValue()[j]) * (h[j] - e.getValue()[j]);
        }
        if (d < bestD) {
          bestD = d;
          best = e.getKey();
        }
      }
      right += type(screens.get(i)).equals(best) ? 1 : 0;
      freq.merge(type(screens.get(i)), 1, Integer::sum);
      total++;
    }
    double chance = freq.values().stream().mapToInt(Integer::intValue).max().getAsInt()
        / (double) total;
    double accuracy = right / (double) total;
    System.out.printf("screen type from class histogram: accuracy %.3f (chance %.3f)%n", accuracy,
        chance);
    assertTrue(accuracy > 0.8 && accuracy > chance + 0.4, accuracy + " vs chance " + chance);
  }

  @Test
  void refusesToWriteOverAnExistingDataSetAndValidatesItsConfig() throws Exception {
    Files.createDirectories(dir.resolve("filtered_traces"));
    assertThrows(FileAlreadyExistsException.class,
        () -> SyntheticRico.generate(SyntheticRico.Config.of(1, 10), dir, null));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticRico.Config(1, 0, 1, 3, 5, 1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticRico.Config(1, 10, 11, 3, 5,
        1));
    assertThrows(IllegalArgumentException.class, () -> new SyntheticRico.Config(1, 10, 2, 5, 3,
        1));
  }

  static String type(Screen s) {
    return s.activity().substring(s.activity().lastIndexOf('.') + 1);
  }

  static double[] histogram(Screen s) {
    double[] h = new double[GuiComponent.CLASS_COUNT];
    for (GuiComponent c : s.components()) {
      h[c.classLabel()] += 1.0 / s.components().size();
    }
    return h;
  }

  static List<List<String>> shuffle(List<List<String>> traces, java.util.Random r) {
    List<List<String>> out = new ArrayList<>();
    for (List<String> t : traces) {
      List<String> c = new ArrayList<>(t);
      java.util.Collections.shuffle(c, r);
      out.add(c);
    }
    return out;
  }

  Path gen(long seed, int screens, int threads, String name) throws Exception {
    Path out = dir.resolve(name);
    SyntheticRico.generate(new SyntheticRico.Config(seed, screens, 3, 3, 15, threads), out, null);
    return out;
  }

  /** Relative path -> SHA-256 of every file under root. */
  static Map<String, String> tree(Path root) throws Exception {
    Map<String, String> out = new TreeMap<>();
    try (Stream<Path> s = Files.walk(root)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        byte[] d = MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p));
        out.put(root.relativize(p).toString(), java.util.HexFormat.of().formatHex(d));
      }
    }
    return out;
  }

  static List<String> sorted(Stream<String> s) {
    return s.sorted().toList();
  }
}
