package org.pscreen2vec.data;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
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
      long size = (long) count * rows * cols;
      if (size > Integer.MAX_VALUE - 8) {
        throw new BadInputException(imagesFile, "too many pixels: " + size);
      }
      byte[] raw = new byte[(int) size];
      readFully(in, raw, imagesFile, "pixels");
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
      byte[] raw = new byte[count];
      readFully(in, raw, file, "labels");
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
    throw new BadInputException(gz, "missing (neither " + name + ".gz nor " + name
        + " is in " + dir + ")");
  }

  /** Opens a file, unzipping it when it starts with the gzip magic bytes. */
  private static DataInputStream open(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file, "missing");
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

  private static void readFully(DataInputStream in, byte[] dst, Path file, String what)
      throws IOException {
    int off = 0;
    while (off < dst.length) {
      int n = in.read(dst, off, dst.length - off);
      if (n < 0) {
        throw new BadInputException(file, "truncated: " + off + " of " + dst.length
            + " bytes of " + what);
      }
      off += n;
    }
  }

  private static void expectEnd(DataInputStream in, Path file) throws IOException {
    if (in.read() >= 0) {
      throw new BadInputException(file, "unexpected data after the last item");
    }
  }
}
