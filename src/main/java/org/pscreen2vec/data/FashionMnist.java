package org.pscreen2vec.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.zip.GZIPInputStream;
import java.util.zip.ZipException;

/**
 * Fashion-MNIST from its IDX files ({@code train-images-idx3-ubyte}, {@code
 * train-labels-idx1-ubyte}, {@code t10k-...}), gzipped ({@code .gz}, as Debian's {@code
 * dataset-fashion-mnist} ships them) or not. Magic numbers, counts, dimensions, labels and file
 * lengths are checked; anything wrong is a {@link BadInputException} naming the file and the
 * problem.
 */
public final class FashionMnist {
  public static final int CLASSES = 10;
  private static final int IMAGES_MAGIC = 0x00000803; // unsigned bytes, 3 dimensions
  private static final int LABELS_MAGIC = 0x00000801; // unsigned bytes, 1 dimension
  private static final int MAX_SIDE = 4096;

  /** The two parts of the data set and their file-name prefixes. */
  public enum Split {
    TRAIN("train"), TEST("t10k");

    private final String prefix;

    Split(String prefix) {
      this.prefix = prefix;
    }

    public String imagesFile() {
      return prefix + "-images-idx3-ubyte";
    }

    public String labelsFile() {
      return prefix + "-labels-idx1-ubyte";
    }
  }

  private FashionMnist() {}

  /** Loads a split from {@code dir}, taking {@code NAME.gz} or else {@code NAME} for each file. */
  public static ImageSet load(Path dir, Split split) throws IOException {
    return read(find(dir, split.imagesFile()), find(dir, split.labelsFile()));
  }

  /** Reads an images file and its labels file (each gzipped or not). */
  public static ImageSet read(Path imagesFile, Path labelsFile) throws IOException {
    int[] labels = readLabels(labelsFile);
    try (DataInputStream in = open(imagesFile)) {
      int magic = in.readInt();
      if (magic != IMAGES_MAGIC) {
        throw new BadInputException(imagesFile, String.format(
            "magic number 0x%08x is not that of an IDX image file (0x%08x)", magic, IMAGES_MAGIC));
      }
      int count = in.readInt();
      int rows = in.readInt();
      int cols = in.readInt();
      if (count < 0 || rows < 1 || rows > MAX_SIDE || cols < 1 || cols > MAX_SIDE) {
        throw new BadInputException(imagesFile, "bad dimensions " + count + " x " + rows + " x "
            + cols);
      }
      if (count != labels.length) {
        throw new BadInputException(imagesFile, count + " images but " + labelsFile + " has "
            + labels.length + " labels");
      }
      if (count == 0) {
        throw new BadInputException(imagesFile, "holds no images (its header says 0)");
      }
      long size = (long) count * rows * cols;
      if (size > Integer.MAX_VALUE - 8) {
        throw new BadInputException(imagesFile, "too many pixels: " + size);
      }
      expectLength(imagesFile, 16 + size);
      byte[] raw = readFully(in, (int) size, imagesFile, "pixels");
      expectEnd(in, imagesFile);
      float[] pixels = new float[raw.length]; // (count, rows * cols)
      for (int i = 0; i < raw.length; i++) {
        pixels[i] = (raw[i] & 0xFF) / 255f;
      }
      return new ImageSet(count, rows, cols, pixels, labels);
    } catch (EOFException e) {
      throw new BadInputException(imagesFile, "truncated: the header is incomplete");
    } catch (ZipException e) {
      throw new BadInputException(imagesFile, "corrupt gzip data: " + e.getMessage());
    }
  }

  private static int[] readLabels(Path file) throws IOException {
    try (DataInputStream in = open(file)) {
      int magic = in.readInt();
      if (magic != LABELS_MAGIC) {
        throw new BadInputException(file, String.format(
            "magic number 0x%08x is not that of an IDX label file (0x%08x)", magic, LABELS_MAGIC));
      }
      int count = in.readInt();
      if (count < 0 || count > Integer.MAX_VALUE - 8) {
        throw new BadInputException(file, "bad label count " + count);
      }
      if (count == 0) {
        throw new BadInputException(file, "holds no labels (its header says 0)");
      }
      expectLength(file, 8 + (long) count);
      byte[] raw = readFully(in, count, file, "labels");
      expectEnd(in, file);
      int[] labels = new int[count];
      for (int i = 0; i < count; i++) {
        labels[i] = raw[i] & 0xFF;
        if (labels[i] >= CLASSES) {
          throw new BadInputException(file, "label " + labels[i] + " of item " + i
              + " is outside 0.." + (CLASSES - 1));
        }
      }
      return labels;
    } catch (EOFException e) {
      throw new BadInputException(file, "truncated: the header is incomplete");
    } catch (ZipException e) {
      throw new BadInputException(file, "corrupt gzip data: " + e.getMessage());
    }
  }

  private static Path find(Path dir, String name) throws IOException {
    Path gz = dir.resolve(name + ".gz");
    if (Files.isRegularFile(gz)) {
      return gz;
    }
    Path plain = dir.resolve(name);
    if (Files.isRegularFile(plain)) {
      return plain;
    }
    for (Path p : new Path[] {gz, plain}) {
      if (Files.exists(p)) {
        return p; // not a regular file: open() says so
      }
    }
    throw new BadInputException(gz, "missing (neither " + name + ".gz nor " + name
        + " is in " + dir + ")");
  }

  /** Opens a file, unzipping it when it starts with the gzip magic bytes. */
  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file, Files.exists(file)
          ? "is not a regular file (a folder, FIFO or device cannot be read as IDX data)"
          : "missing (run 'make data', or set FASHION_MNIST_DIR to a folder with the 4 IDX files)");
    }
    InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16);
    in.mark(2);
    int b0 = in.read();
    int b1 = in.read();
    in.reset();
    if (b0 == 0x1f && b1 == 0x8b) {
      try {
        in = new BufferedInputStream(new GZIPInputStream(in, 1 << 16), 1 << 16);
      } catch (IOException e) {
        in.close();
        throw new BadInputException(file, "corrupt gzip header: " + e.getMessage());
      }
    }
    return new DataInputStream(in);
  }

  /**
   * Reads {@code n} bytes, allocating as the data arrives (never more than twice what the file
   * really holds), so a header that lies about its size cannot make the reader allocate gigabytes
   * before the first byte: a short file ends as "truncated" instead.
   */
  private static byte[] readFully(DataInputStream in, int n, Path file, String what)
      throws IOException {
    byte[] dst = new byte[Math.min(n, 1 << 20)];
    int off = 0;
    while (off < n) {
      if (off == dst.length) {
        dst = Arrays.copyOf(dst, (int) Math.min(n, 2L * dst.length));
      }
      int got = in.read(dst, off, dst.length - off);
      if (got < 0) {
        throw new BadInputException(file, "truncated: " + off + " of " + n + " bytes of " + what
            + " (the header promises more than the file holds; fetch the file again)");
      }
      off += got;
    }
    return dst;
  }

  /**
   * An uncompressed file must be exactly header + items long; checked before reading so a header
   * claiming billions of items is refused at once. (A gzipped file's length says nothing exact;
   * {@link #readFully} bounds its allocation instead.)
   */
  private static void expectLength(Path file, long expected) throws IOException {
    if (isGzip(file)) {
      return;
    }
    long actual = Files.size(file);
    if (actual != expected) {
      throw new BadInputException(file, "is " + actual + " bytes but its header promises "
          + expected + (actual < expected ? " (truncated; fetch the file again)"
              : " (extra data after the last item)"));
    }
  }

  private static boolean isGzip(Path file) throws IOException {
    try (InputStream in = Files.newInputStream(file)) {
      return in.read() == 0x1f && in.read() == 0x8b;
    }
  }

  private static void expectEnd(DataInputStream in, Path file) throws IOException {
    if (in.read() >= 0) {
      throw new BadInputException(file, "unexpected data after the last item");
    }
  }
}
