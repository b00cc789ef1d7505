package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Real-world mess: wrong types, odd values, broken bytes, deep and huge files. */
class RicoRobustnessTest {
  @TempDir
  Path dir;

  private final RicoReader reader = new RicoReader(RicoReader.Options.defaults());

  /** A screen whose root LinearLayout holds the given children (JSON text). */
  static String screen(String children) {
    return "{\"activity_name\":\"a.b/a.b.Main\",\"activity\":{\"root\":{\"class\":"
        + "\"android.widget.LinearLayout\",\"visible-to-user\":true,\"bounds\":[0,0,1440,2560],"
        + "\"children\":[" + children + "]}}}";
  }

  static final String IMAGE = "{\"class\":\"android.widget.ImageView\",\"visible-to-user\":true,"
      + "\"bounds\":[0,0,100,100]}";

  Path write(String name, String json) throws IOException {
    return write(name, json.getBytes(StandardCharsets.UTF_8));
  }

  Path write(String name, byte[] bytes) throws IOException {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  Screen read(String json) throws IOException {
    return reader.readScreen(write("s.json", json), "fallback");
  }

  SkipReason reasonOf(RicoReader r, Path f) {
    return assertThrows(BadInputException.class, () -> r.readScreen(f, "x")).reason();
  }

  @Test
  void wronglyTypedFieldsAreIgnoredNotFatal() throws IOException {
    Screen s = read(screen("{\"class\":[1,2],\"text\":5,\"visible-to-user\":true,"
        + "\"bounds\":\"wide\",\"clickable\":\"yes\"},"
        + "{\"class\":\"android.widget.TextView\",\"text\":null,\"visible-to-user\":true,"
        + "\"bounds\":[1,2,3]},"
        + "{\"class\":\"android.widget.Button\",\"text\":{\"a\":1},\"visible-to-user\":1,"
        + "\"bounds\":[0,0,9,9]},"
        + "{\"class\":\"android.widget.Button\",\"text\":\"Go\",\"visible-to-user\":true,"
        + "\"bounds\":[1,\"2\",3,4],\"children\":null},"
        + "{\"class\":\"android.widget.FrameLayout\",\"visible-to-user\":true,\"bounds\":[0,0,5,5],"
        + "\"children\":[1,\"x\",null,[],true," + IMAGE + "]}"));
    assertEquals(List.of(
        new GuiComponent("", 2, 0, 0, 1440, 2560),
        new GuiComponent("", 0, 0, 0, 0, 0),     // class not a string, bounds not an array
        new GuiComponent("", 11, 0, 0, 0, 0),    // text null, bounds of three numbers
        new GuiComponent("Go", 20, 0, 0, 0, 0),  // the visible:1 Button is left out; bad bounds
        new GuiComponent("", 2, 0, 0, 5, 5),
        new GuiComponent("", 9, 0, 0, 100, 100)), // the one object among the children
        s.components());
  }

  @Test
  void boundsAreClippedOrderedAndTruncated() throws IOException {
    Screen s = read(screen("{\"class\":\"android.widget.ImageView\",\"visible-to-user\":true,"
        + "\"bounds\":[1e400,-7.9,-3,2559.9]},"
        + "{\"class\":\"android.widget.ImageView\",\"visible-to-user\":true,"
        + "\"bounds\":[900,800,100,99999999999999999999]}"));
    assertEquals(new GuiComponent("", 9, 0, 0, 1440, 2559), s.components().get(1));
    assertEquals(new GuiComponent("", 9, 100, 800, 900, 2560), s.components().get(2));
  }

  @Test
  void longTextIsCutToTheCapAndHugeStringsCostNoMemory() throws IOException {
    String huge = "x".repeat(3_000_000);
    Screen s = read(screen("{\"class\":\"android.widget.TextView\",\"visible-to-user\":true,"
        + "\"bounds\":[0,0,10,10],\"text\":\"" + huge + "\",\"content-desc\":[\"" + huge
        + "\"]}," + IMAGE));
    assertEquals(1000, s.components().get(1).text().length());
    RicoReader tiny = new RicoReader(RicoReader.Options.defaults().withLimits(4, 1000, 100));
    Screen t = tiny.readScreen(write("t.json", screen("{\"class\":\"android.widget.TextView\","
        + "\"visible-to-user\":true,\"text\":\"abcdefgh\"}")), "x");
    assertEquals("abcd", t.components().get(1).text());
  }

  @Test
  void aFileKeepsAtMostItsBudgetOfTextHoweverManyNodesCarryText() throws IOException {
    // 3,000 nodes with 1,000-character class names and texts: 6M characters, within budget;
    // 6,000 of them: 12M characters, over the 8M budget, so the last ones keep no text
    for (int nodes : new int[] {3000, 6000}) {
      String big = "x".repeat(999);
      StringBuilder sb = new StringBuilder();
      for (int i = 0; i < nodes; i++) {
        sb.append(i == 0 ? "" : ",").append("{\"class\":\"a.").append(big)
            .append("\",\"text\":\"").append(big).append(i % 10)
            .append("\",\"visible-to-user\":true}");
      }
      RicoReader roomy = new RicoReader(RicoReader.Options.defaults()
          .withLimits(1000, 200_000, 10_000));
      Screen s = roomy.readScreen(write("budget.json", screen(sb.toString())), "x");
      assertEquals(nodes + 1, s.components().size());
      String last = s.components().get(nodes).text();
      assertEquals(nodes == 3000 ? 1000 : 0, last.length());
    }
  }

  @Test
  void invalidUtf8BecomesReplacementCharactersAndEscapesDecode() throws IOException {
    byte[] head = screen("{\"class\":\"android.widget.TextView\",\"visible-to-user\":true,"
        + "\"text\":\"caf").getBytes(StandardCharsets.UTF_8);
    byte[] bad = {(byte) 0xC3, '!', (byte) 0xFF, (byte) 0xE2, (byte) 0x82};
    byte[] tail = ("\\u00e9 \\ud83d\\ude00 \u00fc\"}," + IMAGE + "]}}}")
        .getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[head.length - 4 + bad.length + tail.length];
    // head ends with the closing "]}}}" of screen(); cut it and splice the bad bytes in
    System.arraycopy(head, 0, all, 0, head.length - 4);
    System.arraycopy(bad, 0, all, head.length - 4, bad.length);
    System.arraycopy(tail, 0, all, head.length - 4 + bad.length, tail.length);
    Path f = write("utf.json", all);
    Screen s = reader.readScreen(f, "x");
    assertEquals("caf\uFFFD!\uFFFD\uFFFD\u00e9 \ud83d\ude00 \u00fc", s.components().get(1).text());
    RicoData d = new RicoReader(RicoReader.Options.defaults()).read(traceFolder(f));
    assertTrue(d.stats().format().contains("1 with invalid UTF-8 replaced"), d.stats().format());
  }

  @Test
  void brokenDocumentsAreSkippedWithTheirReason() throws IOException {
    String ok = screen(IMAGE);
    assertEquals(SkipReason.MALFORMED_JSON,
        reasonOf(reader, write("a.json", ok.substring(0, ok.length() / 2))));
    assertEquals(SkipReason.MALFORMED_JSON, reasonOf(reader, write("b.json", "")));
    assertEquals(SkipReason.MALFORMED_JSON, reasonOf(reader, write("c.json", ok + " {}")));
    assertEquals(SkipReason.MALFORMED_JSON, reasonOf(reader, write("d.json",
        ok.replace("[0,0,100,100]", "[0,0,100,100,]"))));
    assertEquals(SkipReason.MALFORMED_JSON, reasonOf(reader, write("e.json",
        ok.replace("true", "tru"))));
    assertEquals(SkipReason.NO_ROOT, reasonOf(reader, write("f.json", "[1,2,3]")));
    assertEquals(SkipReason.NO_ROOT, reasonOf(reader, write("g.json",
        "{\"activity\":{\"root\":null}}")));
    assertEquals(SkipReason.TOO_FEW_COMPONENTS, reasonOf(reader, write("h.json",
        screen(""))));
    BadInputException e = assertThrows(BadInputException.class,
        () -> reader.readScreen(dir.resolve("missing.json"), "x"));
    assertEquals(SkipReason.UNREADABLE, e.reason());
    assertTrue(e.getMessage().contains("missing.json"));
  }

  @Test
  void aTreeOneHundredThousandLevelsDeepIsReadWithoutRecursion() throws IOException {
    int levels = 100_000;
    StringBuilder sb = new StringBuilder("{\"activity\":{\"root\":");
    for (int i = 0; i < levels; i++) {
      sb.append("{\"class\":\"android.widget.FrameLayout\",\"children\":[");
    }
    sb.append("{\"class\":\"android.widget.TextView\",\"text\":\"deep\","
        + "\"visible-to-user\":true,\"bounds\":[0,0,10,10]},").append(IMAGE);
    for (int i = 0; i < levels; i++) {
      sb.append("],\"visible-to-user\":false}");
    }
    sb.append("}}");
    Path f = write("deep.json", sb.toString());
    Screen s = reader.readScreen(f, "x");
    assertEquals(List.of("deep", ""), s.components().stream().map(GuiComponent::text).toList());
    RicoData d = reader.read(traceFolder(f));
    assertEquals(levels, d.stats().depthPerScreen()[0]);
  }

  @Test
  void limitsOnNodesNestingAndComponentsSkipTheScreen() throws IOException {
    StringBuilder many = new StringBuilder(IMAGE);
    for (int i = 0; i < 99; i++) {
      many.append(',').append(IMAGE);
    }
    Path f = write("many.json", screen(many.toString()));
    RicoReader small = new RicoReader(RicoReader.Options.defaults().withLimits(100, 50, 5000));
    assertEquals(SkipReason.TOO_MANY_NODES, reasonOf(small, f));
    RicoReader fewComponents = new RicoReader(RicoReader.Options.defaults()
        .withLimits(100, 1000, 20));
    assertEquals(SkipReason.TOO_MANY_COMPONENTS, reasonOf(fewComponents, f));
    String nested = "[".repeat(2_000_000) + "]".repeat(2_000_000);
    Path g = write("nested.json", screen(IMAGE + "," + IMAGE).replace("\"bounds\":[0,0,1440",
        "\"junk\":" + nested + ",\"bounds\":[0,0,1440"));
    assertEquals(SkipReason.TOO_DEEP, reasonOf(reader, g));
  }

  @Test
  void aMalformedDescriptionsFileIsIgnoredUnlessStrict() throws IOException {
    Path root = traceFolder(write("d.json", screen(IMAGE)));
    Files.writeString(root.resolve(AppDescriptions.FILE_NAME),
        "package,description\na.b,\"never closed\n");
    RicoData d = reader.read(root);
    assertEquals(1, d.stats().screensKept());
    assertTrue(d.descriptions().isEmpty());
    BadInputException e = assertThrows(BadInputException.class,
        () -> new RicoReader(RicoReader.Options.defaults().withStrict(true)).read(root));
    assertTrue(e.getMessage().contains(AppDescriptions.FILE_NAME), e.getMessage());
    assertTrue(e.getMessage().contains("unterminated quote"), e.getMessage());
    Files.writeString(root.resolve(AppDescriptions.FILE_NAME), "pkg;description\n");
    assertThrows(BadInputException.class,
        () -> new RicoReader(RicoReader.Options.defaults().withStrict(true)).read(root));
  }

  /** Moves a file into a one-trace RICO folder and returns the folder. */
  Path traceFolder(Path file) throws IOException {
    Path root = dir.resolve("rico-" + file.getFileName());
    Path vh = root.resolve("filtered_traces/a.b/trace_0/view_hierarchies");
    Files.createDirectories(vh);
    Files.copy(file, vh.resolve("1.json"));
    return root;
  }
}
