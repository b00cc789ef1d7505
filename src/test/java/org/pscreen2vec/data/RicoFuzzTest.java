package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * 1,000 random mutations of valid RICO files (truncation, deletions, type swaps, deep nesting,
 * huge strings, byte flips, junk): the reader returns a screen or a {@link BadInputException},
 * never anything else, and never hangs.
 */
class RicoFuzzTest {
  private static final int MUTATIONS = 1000;
  private static final String[] VALUES = {"[]", "{}", "\"s\"", "7", "-1.5e3", "null", "true",
      "false", "[{}]", "{\"children\":[]}"};

  @TempDir
  Path dir;

  static List<byte[]> seeds() throws Exception {
    Path root = Path.of(RicoFuzzTest.class.getResource("/rico").toURI())
        .resolve("filtered_traces/com.example.recipes/trace_0/view_hierarchies");
    List<byte[]> out = new ArrayList<>();
    for (String f : new String[] {"3.json", "7.json", "10.json"}) {
      out.add(Files.readAllBytes(root.resolve(f)));
    }
    return out;
  }

  static byte[] mutate(byte[] in, Random r) {
    String s = new String(in, StandardCharsets.ISO_8859_1); // byte-preserving
    int p = r.nextInt(s.length());
    switch (r.nextInt(8)) {
      case 0: // truncation
        return s.substring(0, p).getBytes(StandardCharsets.ISO_8859_1);
      case 1: // deletion
        s = s.substring(0, p) + s.substring(Math.min(s.length(), p + 1 + r.nextInt(60)));
        break;
      case 2: { // type swap of some value
        int q = s.indexOf(':', p);
        if (q < 0) {
          q = s.indexOf(':');
        }
        int end = q + 1;
        while (end < s.length() && ",}]".indexOf(s.charAt(end)) < 0) {
          end++;
        }
        s = s.substring(0, q + 1) + VALUES[r.nextInt(VALUES.length)] + s.substring(end);
        break;
      }
      case 3: { // deep nesting, closed or not
        int q = s.indexOf("\"children\"", p);
        q = q < 0 ? s.indexOf("\"children\"") : q;
        int open = s.indexOf('[', q) + 1;
        int depth = 5_000 + r.nextInt(35_000);
        boolean visible = r.nextBoolean();
        String level = visible
            ? "{\"visible-to-user\":true,\"bounds\":[0,0,9,9],\"children\":[" : "{\"children\":[";
        StringBuilder sb = new StringBuilder(s.substring(0, open));
        sb.append(level.repeat(depth));
        if (r.nextInt(4) > 0) {
          sb.append("]}".repeat(depth)).append(',');
        }
        sb.append(s.substring(open));
        s = sb.toString();
        break;
      }
      case 4: { // huge string, as text or as an unknown field
        int q = s.indexOf('{', p);
        q = q < 0 ? s.indexOf('{') : q;
        String huge = "\u00e9x\\n".repeat(50_000 + r.nextInt(250_000));
        s = s.substring(0, q + 1) + (r.nextBoolean() ? "\"text\":\"" : "\"pad\":\"") + huge
            + "\"," + s.substring(q + 1);
        break;
      }
      case 5: { // byte flips, invalid UTF-8 included
        char[] c = s.toCharArray();
        for (int i = 0; i < 1 + r.nextInt(10); i++) {
          c[r.nextInt(c.length)] = (char) r.nextInt(256);
        }
        s = new String(c);
        break;
      }
      case 6: { // duplicated span
        int q = Math.min(s.length(), p + 1 + r.nextInt(200));
        s = s.substring(0, q) + s.substring(p, q) + s.substring(q);
        break;
      }
      default: { // structural junk
        String junk = "{}[],:\"\\";
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < 1 + r.nextInt(5); i++) {
          sb.append(junk.charAt(r.nextInt(junk.length())));
        }
        s = s.substring(0, p) + sb + s.substring(p);
      }
    }
    return s.getBytes(StandardCharsets.ISO_8859_1);
  }

  @Test
  void mutatedFilesGiveAScreenOrASkipNeverACrashOrAHang() throws Exception {
    List<byte[]> seeds = seeds();
    RicoReader reader = new RicoReader(RicoReader.Options.defaults());
    Map<SkipReason, Integer> reasons = new EnumMap<>(SkipReason.class);
    int[] kept = new int[1];
    Path f = dir.resolve("fuzz.json");
    assertTimeoutPreemptively(Duration.ofSeconds(90), () -> {
      Random r = new Random(20210101);
      for (int i = 0; i < MUTATIONS; i++) {
        byte[] m = mutate(seeds.get(i % seeds.size()), r);
        if (r.nextInt(5) == 0) {
          m = mutate(m, r); // some get two mutations
        }
        Files.write(f, m);
        try {
          Screen s = reader.readScreen(f, "x");
          assertNotNull(s);
          assertEquals(Screen.LAYOUT_SIZE, s.layout().length);
          assertTrue(s.components().size() >= 2);
          kept[0]++;
        } catch (BadInputException e) {
          assertNotNull(e.reason());
          assertTrue(e.getMessage().startsWith(f.toString()), e.getMessage());
          reasons.merge(e.reason(), 1, Integer::sum);
        }
      }
    });
    // the mutations really reached the different paths
    assertTrue(kept[0] > 100, "kept " + kept[0]);
    assertTrue(reasons.getOrDefault(SkipReason.MALFORMED_JSON, 0) > 100, reasons.toString());
    assertTrue(reasons.containsKey(SkipReason.TOO_MANY_COMPONENTS), reasons.toString());
  }

  @Test
  void aFolderOfMutatedFilesIsReadLenientlyAndStrictModeNamesABadOne() throws Exception {
    List<byte[]> seeds = seeds();
    Path vh = dir.resolve("rico/filtered_traces/a.b/trace_0/view_hierarchies");
    Files.createDirectories(vh);
    Random r = new Random(7);
    for (int i = 0; i < 60; i++) {
      byte[] m = seeds.get(i % seeds.size());
      if (i % 2 == 1) {
        m = mutate(m, r);
      }
      Files.write(vh.resolve(i + ".json"), m);
    }
    Path root = dir.resolve("rico");
    RicoData d = assertTimeoutPreemptively(Duration.ofSeconds(60),
        () -> new RicoReader(RicoReader.Options.defaults()).read(root));
    assertEquals(60, d.stats().files());
    assertEquals(60, d.stats().screensKept() + d.stats().screensSkipped());
    assertTrue(d.stats().screensKept() >= 30);
    if (d.stats().skipped().keySet().stream().anyMatch(SkipReason::badFile)) {
      BadInputException e = assertThrows(BadInputException.class,
          () -> new RicoReader(RicoReader.Options.defaults().withStrict(true)).read(root));
      assertTrue(e.getMessage().startsWith(vh.toString()), e.getMessage());
      assertTrue(e.reason().badFile());
    }
  }
}
