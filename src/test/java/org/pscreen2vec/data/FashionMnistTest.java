package org.pscreen2vec.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.ByteArrayOutputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class FashionMnistTest {
  @TempDir
  Path dir;

  /** An IDX image file of count images of rows x cols, pixel (i, p) = (i * 7 + p) % 256. */
  static byte[] images(int magic, int count, int rows, int cols) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(magic);
    d.writeInt(count);
    d.writeInt(rows);
    d.writeInt(cols);
    for (int i = 0; i < count; i++) {
      for (int p = 0; p < rows * cols; p++) {
        d.writeByte((i * 7 + p) % 256);
      }
    }
    return b.toByteArray();
  }

  static byte[] labels(int magic, int... values) throws IOException {
    ByteArrayOutputStream b = new ByteArrayOutputStream();
    DataOutputStream d = new DataOutputStream(b);
    d.writeInt(magic);
    d.writeInt(values.length);
    for (int v : values) {
      d.writeByte(v);
    }
    return b.toByteArray();
  }

  void write(String name, byte[] bytes, boolean gzip) throws IOException {
    try (OutputStream o = gzip ? new GZIPOutputStream(Files.newOutputStream(dir.resolve(name
        + ".gz"))) : Files.newOutputStream(dir.resolve(name))) {
      o.write(bytes);
    }
  }

  @Test
  void readsGzippedAndPlainFilesAlike() throws IOException {
    write("train-images-idx3-ubyte", images(0x803, 3, 4, 5), true);
    write("train-labels-idx1-ubyte", labels(0x801, 9, 0, 4), true);
    write("t10k-images-idx3-ubyte", images(0x803, 3, 4, 5), false);
    write("t10k-labels-idx1-ubyte", labels(0x801, 9, 0, 4), false);
    ImageSet train = FashionMnist.load(dir, FashionMnist.Split.TRAIN);
    ImageSet test = FashionMnist.load(dir, FashionMnist.Split.TEST);
    for (ImageSet s : new ImageSet[] {train, test}) {
      assertEquals(3, s.count());
      assertEquals(4, s.rows());
      assertEquals(5, s.cols());
      assertArrayEquals(new int[] {9, 0, 4}, s.labels());
      assertEquals(60, s.pixels().length);
      assertEquals((2 * 7 + 3) / 255f, s.pixels()[2 * 20 + 3]);
    }
    assertArrayEquals(train.pixels(), test.pixels());
  }

  @Test
  void badFilesAreErrorsNamingTheFileAndTheProblem() throws IOException {
    write("train-labels-idx1-ubyte", labels(0x801, 1, 2), false);
    assertBad("missing", "train-images-idx3-ubyte");

    write("train-images-idx3-ubyte", images(0x801, 2, 2, 2), false);
    assertBad("magic number 0x00000801", "train-images-idx3-ubyte");

    byte[] ok = images(0x803, 2, 2, 2);
    write("train-images-idx3-ubyte", Arrays.copyOf(ok, ok.length - 1), false);
    assertBad("is 23 bytes but its header promises 24 (truncated", "train-images-idx3-ubyte");
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gzip(Arrays.copyOf(ok, ok.length - 1)));
    assertBad("truncated: 7 of 8 bytes of pixels", "train-images-idx3-ubyte.gz");
    Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));

    write("train-images-idx3-ubyte", Arrays.copyOf(ok, 10), false);
    assertBad("header is incomplete", "train-images-idx3-ubyte");

    write("train-images-idx3-ubyte", Arrays.copyOf(ok, ok.length + 1), false);
    assertBad("(extra data after the last item)", "train-images-idx3-ubyte");

    write("train-images-idx3-ubyte", images(0x803, 3, 2, 2), false);
    assertBad("3 images but", "train-images-idx3-ubyte");

    write("train-images-idx3-ubyte", images(0x803, 2, 0, 2), false);
    assertBad("bad dimensions", "train-images-idx3-ubyte");

    write("train-images-idx3-ubyte", ok, false);
    write("train-labels-idx1-ubyte", labels(0x801, 1, 10), false);
    assertBad("label 10 of item 1", "train-labels-idx1-ubyte");

    write("train-labels-idx1-ubyte", labels(0x801, 1, 2), false);
    headersThatLieAboutTheirSizeAreRefusedBeforeAllocating(ok);
    byte[] gz = gzip(ok);
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), Arrays.copyOf(gz, gz.length - 12));
    assertBad("", "train-images-idx3-ubyte.gz"); // gzip cut short: truncated or corrupt
    gz[gz.length / 2] ^= 0x5A;
    gz[gz.length / 2 + 1] ^= 0x33;
    Files.write(dir.resolve("train-images-idx3-ubyte.gz"), gz);
    assertBad("", "train-images-idx3-ubyte.gz");
  }

  /**
   * A header claiming 2^31 labels or 127 x 4096 x 4096 pixels must not make the reader allocate
   * gigabytes: plain files are measured first, gzipped ones are read as the data arrives. Runs in
   * the test JVM's default heap, where such an allocation would fail with OutOfMemoryError.
   */
  private void headersThatLieAboutTheirSizeAreRefusedBeforeAllocating(byte[] images)
      throws IOException {
    byte[] lying = labels(0x801, 1, 2);
    ByteBuffer.wrap(lying).putInt(4, Integer.MAX_VALUE - 16);
    write("train-labels-idx1-ubyte", lying, false);
    assertBad("header promises 2147483639", "train-labels-idx1-ubyte");
    write("train-labels-idx1-ubyte", lying, true);
    assertBad("truncated: 2 of 2147483631 bytes of labels", "train-labels-idx1-ubyte.gz");
    Files.delete(dir.resolve("train-labels-idx1-ubyte.gz"));

    byte[] labels127 = new byte[8 + 127];
    ByteBuffer.wrap(labels127).putInt(0x801).putInt(127);
    write("train-labels-idx1-ubyte", labels127, false);
    byte[] huge = new byte[16 + 100]; // the header of 127 x 4096 x 4096 images, then 100 pixels
    ByteBuffer.wrap(huge).putInt(0x803).putInt(127).putInt(4096).putInt(4096);
    write("train-images-idx3-ubyte", huge, true);
    assertBad("truncated: 100 of 2130706432 bytes of pixels", "train-images-idx3-ubyte.gz");
    Files.delete(dir.resolve("train-images-idx3-ubyte.gz"));

    write("train-labels-idx1-ubyte", labels(0x801), false);
    write("train-images-idx3-ubyte", images(0x803, 0, 28, 28), false);
    assertBad("holds no labels", "train-labels-idx1-ubyte");
    write("train-images-idx3-ubyte", images, false);
    write("train-labels-idx1-ubyte", labels(0x801, 1, 2), false);
  }

  @Test
  void aFifoIsRefusedNotWaitedOn() throws Exception {
    write("train-labels-idx1-ubyte", labels(0x801, 1, 2), false);
    Path fifo = dir.resolve("train-images-idx3-ubyte");
    Process p = new ProcessBuilder("mkfifo", fifo.toString()).start();
    assumeTrue(p.waitFor() == 0, "mkfifo is not available");
    assertTimeoutPreemptively(Duration.ofSeconds(10),
        () -> assertBad("is not a regular file", "train-images-idx3-ubyte"));
  }

  @Test
  void theRealDataSetWhenTheMakefileHasFetchedIt() throws IOException {
    Path real = Path.of(System.getProperty("pscreen2vec.home", "."),
        ".deps/data/fashion-mnist");
    assumeTrue(Files.isRegularFile(real.resolve("t10k-images-idx3-ubyte.gz"))
        || Files.isRegularFile(real.resolve("t10k-images-idx3-ubyte")),
        "Fashion-MNIST is not in " + real + " (make fetches it)");
    ImageSet test = FashionMnist.load(real, FashionMnist.Split.TEST);
    assertEquals(10_000, test.count());
    assertEquals(28, test.rows());
    assertEquals(28, test.cols());
    int[] perClass = new int[10];
    for (int l : test.labels()) {
      perClass[l]++;
    }
    assertArrayEquals(new int[] {1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000, 1000},
        perClass);
    double mean = 0;
    for (float p : test.pixels()) {
      mean += p;
    }
    mean /= test.pixels().length;
    assertTrue(mean > 0.2 && mean < 0.4, "mean pixel " + mean); // Fashion-MNIST's is about 0.286
  }

  static byte[] gzip(byte[] b) throws IOException {
    ByteArrayOutputStream o = new ByteArrayOutputStream();
    try (GZIPOutputStream g = new GZIPOutputStream(o)) {
      g.write(b);
    }
    return o.toByteArray();
  }

  void assertBad(String what, String file) {
    BadInputException e = assertThrows(BadInputException.class,
        () -> FashionMnist.load(dir, FashionMnist.Split.TRAIN));
    assertTrue(e.getMessage().contains(file), e.getMessage());
    assertTrue(e.getMessage().contains(what), e.getMessage());
  }
}
