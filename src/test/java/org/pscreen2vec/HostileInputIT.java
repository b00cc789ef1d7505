package org.pscreen2vec;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.pscreen2vec.testutil.Launcher;

/**
 * Bad input as a new user meets it, through the real launcher and a real MPJ job: every case must
 * end with its documented exit status (2 bad configuration, 4 bad input file), say what is wrong
 * in one line naming the file or key, print no stack trace, and leave nothing running. Files are
 * built here from small real IDX and RICO-format data, each broken in one way.
 */
class HostileInputIT {
  @TempDir
  static Path dir;

  private static final int ROWS = 28;

  /** A Fashion-MNIST-shaped folder of n training and n test images (real IDX format, gzipped). */
  private static Path fashion(String name, int n) throws IOException {
    Path d = Files.createDirectories(dir.resolve(name));
    for (String split : new String[] {"train", "t10k"}) {
      writeGz(d.resolve(split + "-images-idx3-ubyte.gz"), images(n, ROWS, ROWS));
      writeGz(d.resolve(split + "-labels-idx1-ubyte.gz"), labels(n, 10));
    }
    return d;
  }

  private static byte[] images(int n, int rows, int cols) {
    ByteBuffer b = ByteBuffer.allocate(16 + n * rows * cols);
    b.putInt(0x803).putInt(n).putInt(rows).putInt(cols);
    for (int i = 16; i < b.capacity(); i++) {
      b.put(i, (byte) (i * 7));
    }
    return b.array();
  }

  private static byte[] labels(int n, int classes) {
    ByteBuffer b = ByteBuffer.allocate(8 + n);
    b.putInt(0x801).putInt(n);
    for (int i = 0; i < n; i++) {
      b.put((byte) (i % classes));
    }
    return b.array();
  }

  private static void writeGz(Path f, byte[] bytes) throws IOException {
    try (OutputStream o = new GZIPOutputStream(Files.newOutputStream(f))) {
      o.write(bytes);
    }
  }

  private static byte[] gz(byte[] bytes) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (OutputStream g = new GZIPOutputStream(o)) {
      g.write(bytes);
    }
    return o.toByteArray();
  }

  private static Path rico; // a small generated RICO-format data set

  @BeforeAll
  static void data() throws IOException {
    rico = dir.resolve("rico");
    Launcher.Result r = Launcher.run(Duration.ofMinutes(3), "gen-data", "--out", rico.toString(),
        "--screens", "120", "--threads", "1");
    assertEquals(0, r.exitCode(), r.toString());
  }

  /** One broken input: how to make it, the train arguments, the status and words expected. */
  record Case(String name, int status, String expected, String[] args) {
    @Override
    public String toString() {
      return name;
    }
  }

  private static Case fashionCase(String name, int status, String expected, Path data,
      String... more) {
    List<String> a = new ArrayList<>(List.of("--config", "configs/fashion-mlp-local.properties",
        "--set", "data=" + data, "--set", "max.steps=2"));
    a.addAll(Arrays.asList(more));
    return new Case(name, status, expected, a.toArray(String[]::new));
  }

  private static Case configCase(String name, String expected, String... sets) {
    List<String> a = new ArrayList<>(List.of("--config", "configs/screen2vec-local.properties",
        "--set", "data=" + rico, "--set", "max.steps=2"));
    for (String s : sets) {
      a.add("--set");
      a.add(s);
    }
    return new Case(name, 2, expected, a.toArray(String[]::new));
  }

  static Stream<Arguments> cases() throws IOException {
    List<Case> c = new ArrayList<>();
    Path missing = fashion("missing", 8);
    Files.delete(missing.resolve("t10k-labels-idx1-ubyte.gz"));
    c.add(fashionCase("missing file", 4, "t10k-labels-idx1-ubyte.gz: missing", missing));

    Path trunc = fashion("truncated", 8);
    Files.delete(trunc.resolve("train-images-idx3-ubyte.gz"));
    byte[] img = images(8, ROWS, ROWS);
    Files.write(trunc.resolve("train-images-idx3-ubyte"), Arrays.copyOf(img, img.length - 100));
    c.add(fashionCase("truncated file", 4, "train-images-idx3-ubyte: is 6188 bytes but its "
        + "header promises 6288 (truncated", trunc));

    Path magic = fashion("bad-magic", 8);
    byte[] lab = labels(8, 10);
    lab[2] = 9;
    writeGz(magic.resolve("train-labels-idx1-ubyte.gz"), lab);
    c.add(fashionCase("bad magic number", 4, "train-labels-idx1-ubyte.gz: magic number "
        + "0x00000901", magic));

    Path corrupt = fashion("corrupt-gzip", 8);
    byte[] z = gz(images(8, ROWS, ROWS));
    z[z.length / 2] ^= 0x55;
    z[z.length / 2 + 1] ^= 0x2A;
    Files.write(corrupt.resolve("train-images-idx3-ubyte.gz"), z);
    c.add(fashionCase("corrupt gzip", 4, "train-images-idx3-ubyte.gz: ", corrupt));

    c.add(fashionCase("label out of range", 4, "label 10 of item 3",
        labelOutOfRange(fashion("label-range", 8))));

    Path lying = fashion("labels-2g", 8);
    ByteBuffer huge = ByteBuffer.allocate(8 + 8).putInt(0x801).putInt(Integer.MAX_VALUE - 16);
    writeGz(lying.resolve("train-labels-idx1-ubyte.gz"), huge.array());
    c.add(fashionCase("labels header claiming 2^31 items", 4, "truncated: 8 of 2147483631 bytes "
        + "of labels", lying));

    Path bigImages = fashion("images-127x4096x4096", 127);
    ByteBuffer h = ByteBuffer.allocate(16 + 64).putInt(0x803).putInt(127).putInt(4096)
        .putInt(4096);
    writeGz(bigImages.resolve("train-images-idx3-ubyte.gz"), h.array());
    c.add(fashionCase("images header of 127 x 4096 x 4096", 4, "truncated: 64 of 2130706432 "
        + "bytes of pixels", bigImages));

    Path zero = fashion("zero-items", 8);
    writeGz(zero.resolve("train-images-idx3-ubyte.gz"), images(0, ROWS, ROWS));
    writeGz(zero.resolve("train-labels-idx1-ubyte.gz"), labels(0, 10));
    c.add(fashionCase("a data set with zero items", 4, "holds no labels", zero));

    Path size = fashion("wrong-size", 8);
    for (String split : new String[] {"train", "t10k"}) {
      writeGz(size.resolve(split + "-images-idx3-ubyte.gz"), images(8, 16, 16));
    }
    c.add(fashionCase("images of the wrong size", 4, "16 x 16", size));

    Path noTraces = Files.createDirectories(dir.resolve("rico-empty/filtered_traces"));
    c.add(new Case("RICO folder without traces", 4, "holds no usable screen", new String[] {
        "--config", "configs/screen2vec-local.properties", "--set", "data="
            + noTraces.getParent(), "--set", "max.steps=2"}));

    c.add(configCase("seed not a number", "seed", "seed=abc"));
    c.add(configCase("weight not a number", "layout.ae.weight", "layout.ae.weight=x"));
    c.add(configCase("infinite learning rate", "lr", "lr=Infinity"));
    c.add(configCase("nearest above its limit", "nearest", "nearest=100000"));
    c.add(configCase("table larger than an array", "text.buckets", "text.buckets=2000000000"));
    Path latin1 = dir.resolve("latin1.properties");
    Files.write(latin1, "model = screen2vec\n# caf\u00e9\nepochs = 1\n".getBytes(
        StandardCharsets.ISO_8859_1));
    c.add(new Case("configuration file not UTF-8", 2, "latin1.properties", new String[] {
        "--config", latin1.toString(), "--set", "data=" + rico}));
    return c.stream().map(Arguments::of);
  }

  private static Path labelOutOfRange(Path d) throws IOException {
    byte[] l = labels(8, 10);
    l[8 + 3] = 10;
    writeGz(d.resolve("train-labels-idx1-ubyte.gz"), l);
    return d;
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void endsWithItsStatusOneLineAndNoTrace(Case c) {
    List<String> args = new ArrayList<>(List.of("-np", "1", "train"));
    args.addAll(Arrays.asList(c.args()));
    Launcher.Result r = Launcher.run(Duration.ofMinutes(2), args.toArray(String[]::new));
    assertEquals(c.status(), r.exitCode(), c.name() + ": " + r);
    String all = r.all();
    assertTrue(all.contains(c.expected()), c.name() + ": the message names '" + c.expected()
        + "'\n" + r);
    assertTrue(all.lines().noneMatch(l -> l.matches("\\s+at [\\w.$]+\\(.*\\)")),
        c.name() + ": no stack trace\n" + r);
    long lines = all.lines().filter(l -> l.contains(c.expected())).count();
    assertEquals(1, lines, c.name() + ": the problem is said once\n" + r);
    assertEquals(List.of(), Launcher.leftovers(r.jobId()), c.name() + ": nothing left running");
  }

  /** A FIFO named *.json used to block the reader forever; now it is a counted, logged skip. */
  @Test
  void aFifoInARicoFolderIsSkippedNotWaitedOn() throws Exception {
    Path copy = dir.resolve("rico-fifo");
    Launcher.Result g = Launcher.run(Duration.ofMinutes(3), "gen-data", "--out", copy.toString(),
        "--screens", "120", "--threads", "1");
    assertEquals(0, g.exitCode(), g.toString());
    Path victim;
    try (Stream<Path> s = Files.walk(copy)) {
      victim = s.filter(p -> p.toString().endsWith(".json")
          && p.getParent().getFileName().toString().equals("view_hierarchies")).sorted()
          .findFirst().orElseThrow();
    }
    Files.delete(victim);
    Process p = new ProcessBuilder("mkfifo", victim.toString()).start();
    assumeTrue(p.waitFor() == 0, "mkfifo is not available");
    Launcher.Result r = Launcher.run(Duration.ofMinutes(2), "-np", "1", "train", "--config",
        "configs/screen2vec-local.properties", "--set", "data=" + copy, "--set", "max.steps=2");
    assertEquals(0, r.exitCode(), r.toString());
    assertTrue(r.all().contains("not a regular file"), r.toString());
    assertTrue(r.all().contains("{UNREADABLE=1}"), r.toString());
  }
}
