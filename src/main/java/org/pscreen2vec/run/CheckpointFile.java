package org.pscreen2vec.run;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.CRC32C;
import java.util.zip.CheckedInputStream;
import java.util.zip.CheckedOutputStream;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.ops.Buf;

/**
 * The one on-disk format of checkpoints (a model, a training state, a server's shard): named text
 * fields and named float arrays, checked on the way in before anything is used.
 *
 * <pre>
 *   int   magic "PS2V"          long  crc32c of every byte before it
 *   int   version (2)           (nothing after it)
 *   long  length of the whole file
 *   utf   kind ("model", "train", "server")
 *   int   fields, then (utf key, utf value) each
 *   int   arrays, then (utf name, int length) each: the directory
 *   float values of every array in directory order, big-endian
 * </pre>
 *
 * Reading ({@link #open}) checks, in order: a regular file, the magic, the version, the length
 * (truncated, or trailing bytes), the checksum (any flipped bit), then the header; every problem
 * is a {@link BadInputException} whose one-line message names the file and what is wrong. Callers
 * compare fields and the directory with what they expect before {@link Contents#read reading}
 * values, so nothing is allocated from a length a file declares. Written atomically.
 */
public final class CheckpointFile {
  static final int MAGIC = 0x50533256; // "PS2V"
  public static final int VERSION = 2;
  private static final int TRAILER = 8;

  /** A run folder's checkpoints: {@code checkpoints/step-NNNNNNNNN/}. */
  public static final String FOLDER = "checkpoints";
  /** The workers' file in a checkpoint folder (written by worker 0). */
  public static final String TRAIN_FILE = "train.ckpt";

  private CheckpointFile() {}

  /** The folder of the checkpoint after {@code step} steps. */
  public static Path stepDir(Path runDir, long step) {
    return runDir.resolve(FOLDER).resolve(String.format("step-%09d", step));
  }

  /** Parameter server s's file in a checkpoint folder. */
  public static Path serverFile(Path stepDir, int server) {
    return stepDir.resolve("server-" + server + ".ckpt");
  }

  /** Collects fields and arrays, then writes them. Arrays are written from their buffers. */
  public static final class Writer {
    private final String kind;
    private final Map<String, String> fields = new LinkedHashMap<>();
    private final Map<String, Buf> arrays = new LinkedHashMap<>();

    public Writer(String kind) {
      this.kind = kind;
    }

    public Writer field(String key, Object value) {
      fields.put(key, String.valueOf(value));
      return this;
    }

    public Writer array(String name, Buf values) {
      if (arrays.put(name, values) != null) {
        throw new IllegalArgumentException("array " + name + " added twice");
      }
      return this;
    }

    /** Writes the file atomically (temp file, fsync, rename). */
    public void write(Path file) throws IOException {
      long dataBytes = 0;
      for (Buf b : arrays.values()) {
        dataBytes += 4L * b.length();
      }
      long header = headerBytes();
      long length = header + dataBytes + TRAILER;
      AtomicFiles.write(file, out -> {
        CRC32C crc = new CRC32C();
        CheckedOutputStream checked = new CheckedOutputStream(out, crc);
        DataOutputStream d = new DataOutputStream(new BufferedOutputStream(checked, 1 << 16));
        d.writeInt(MAGIC);
        d.writeInt(VERSION);
        d.writeLong(length);
        d.writeUTF(kind);
        d.writeInt(fields.size());
        for (Map.Entry<String, String> e : fields.entrySet()) {
          d.writeUTF(e.getKey());
          d.writeUTF(e.getValue());
        }
        d.writeInt(arrays.size());
        for (Map.Entry<String, Buf> e : arrays.entrySet()) {
          d.writeUTF(e.getKey());
          d.writeInt(e.getValue().length());
        }
        byte[] chunk = new byte[1 << 16];
        ByteBuffer bb = ByteBuffer.wrap(chunk); // big-endian
        for (Buf b : arrays.values()) {
          for (int i = 0; i < b.length(); i++) {
            if (!bb.hasRemaining()) {
              d.write(chunk, 0, bb.position());
              bb.clear();
            }
            bb.putFloat((float) b.get(i));
          }
        }
        d.write(chunk, 0, bb.position());
        d.flush();
        new DataOutputStream(out).writeLong(crc.getValue());
      });
    }

    private long headerBytes() {
      long n = 4 + 4 + 8 + utf(kind) + 4 + 4;
      for (Map.Entry<String, String> e : fields.entrySet()) {
        n += utf(e.getKey()) + utf(e.getValue());
      }
      for (String name : arrays.keySet()) {
        n += utf(name) + 4;
      }
      return n;
    }

    private static long utf(String s) {
      long n = 2;
      for (int i = 0; i < s.length(); i++) {
        char c = s.charAt(i);
        n += c >= 1 && c <= 0x7f ? 1 : c <= 0x7ff ? 2 : 3;
      }
      if (n - 2 > 65535) {
        throw new IllegalArgumentException("checkpoint field too long (" + (n - 2) + " bytes)");
      }
      return n;
    }
  }

  /** A checked file's header: its kind, fields and array directory. */
  public static final class Contents {
    private final Path file;
    private final String kind;
    private final Map<String, String> fields;
    private final Map<String, Integer> arrays;
    private final long dataStart;

    private Contents(Path file, String kind, Map<String, String> fields,
        Map<String, Integer> arrays, long dataStart) {
      this.file = file;
      this.kind = kind;
      this.fields = Collections.unmodifiableMap(fields);
      this.arrays = Collections.unmodifiableMap(arrays);
      this.dataStart = dataStart;
    }

    public Path file() {
      return file;
    }

    public String kind() {
      return kind;
    }

    public Map<String, String> fields() {
      return fields;
    }

    /** A field, or a {@link BadInputException} naming it when it is missing. */
    public String field(String key) throws BadInputException {
      String v = fields.get(key);
      if (v == null) {
        throw new BadInputException(file, "has no field '" + key + "' (not a " + kind
            + " checkpoint of this version?)");
      }
      return v;
    }

    public long longField(String key) throws BadInputException {
      try {
        return Long.parseLong(field(key));
      } catch (NumberFormatException e) {
        throw new BadInputException(file, "field '" + key + "' is not a whole number");
      }
    }

    public double doubleField(String key) throws BadInputException {
      try {
        return Double.parseDouble(field(key));
      } catch (NumberFormatException e) {
        throw new BadInputException(file, "field '" + key + "' is not a number");
      }
    }

    /** Array names and lengths, in file order. */
    public Map<String, Integer> arrays() {
      return arrays;
    }

    /**
     * Reads every array into the buffer of the same name. The names and lengths must be exactly
     * the directory's (checked before a value is read); the message names the first difference.
     */
    public void read(Map<String, Buf> into) throws IOException {
      List<String> problems = new ArrayList<>();
      for (Map.Entry<String, Integer> e : arrays.entrySet()) {
        Buf b = into.get(e.getKey());
        if (b == null) {
          problems.add("it holds '" + e.getKey() + "' that this run does not have");
        } else if (b.length() != e.getValue()) {
          problems.add("'" + e.getKey() + "' has " + e.getValue() + " values, this run "
              + b.length() + " (another shape)");
        }
      }
      for (String name : into.keySet()) {
        if (!arrays.containsKey(name)) {
          problems.add("'" + name + "' is missing");
        }
      }
      if (!problems.isEmpty()) {
        throw new BadInputException(file, "does not fit this run: " + String.join("; ",
            problems));
      }
      try (InputStream in = new BufferedInputStream(Files.newInputStream(file), 1 << 16)) {
        in.skipNBytes(dataStart);
        byte[] chunk = new byte[1 << 16];
        for (Map.Entry<String, Integer> e : arrays.entrySet()) {
          Buf b = into.get(e.getKey());
          int n = e.getValue();
          int i = 0;
          while (i < n) {
            int m = Math.min(n - i, chunk.length / 4);
            in.readNBytes(chunk, 0, m * 4);
            ByteBuffer bb = ByteBuffer.wrap(chunk, 0, m * 4);
            for (int k = 0; k < m; k++) {
              b.set(i + k, bb.getFloat());
            }
            i += m;
          }
        }
      }
    }
  }

  /**
   * Opens and checks a checkpoint file: kind, magic, version, exact length, checksum, header.
   *
   * @param expectedKind "model", "train" or "server"
   */
  public static Contents open(Path file, String expectedKind) throws IOException {
    if (!Files.exists(file)) {
      throw new BadInputException(file, "no such checkpoint");
    }
    if (!Files.isRegularFile(file)) {
      throw new BadInputException(file, "is not a regular file");
    }
    long size = Files.size(file);
    long length;
    try (DataInputStream d = new DataInputStream(Files.newInputStream(file))) {
      if (size < 16) {
        throw new BadInputException(file, "is not a pscreen2vec checkpoint (only " + size
            + " bytes; truncated?)");
      }
      int magic = d.readInt();
      if (magic != MAGIC) {
        throw new BadInputException(file, String.format("is not a pscreen2vec checkpoint "
            + "(magic 0x%08x, expected 0x%08x \"PS2V\")", magic, MAGIC));
      }
      int version = d.readInt();
      if (version != VERSION) {
        throw new BadInputException(file, "is a checkpoint of format version " + version
            + "; this pscreen2vec reads version " + VERSION + " (write it again with this "
            + "version)");
      }
      length = d.readLong();
    }
    if (size < length) {
      throw new BadInputException(file, "is truncated: " + size + " of " + length + " bytes");
    }
    if (size > length) {
      throw new BadInputException(file, "has " + (size - length) + " trailing bytes after its "
          + "end (" + length + " bytes); it was appended to or overwritten in part");
    }
    long stored;
    CRC32C crc = new CRC32C();
    try (InputStream in = new CheckedInputStream(new BufferedInputStream(
        Files.newInputStream(file), 1 << 16), crc)) {
      byte[] buf = new byte[1 << 16];
      long left = length - TRAILER;
      while (left > 0) {
        int n = in.read(buf, 0, (int) Math.min(buf.length, left));
        if (n < 0) {
          throw new BadInputException(file, "is truncated while being read");
        }
        left -= n;
      }
      long sum = crc.getValue();
      stored = new DataInputStream(in).readLong();
      if (stored != sum) {
        throw new BadInputException(file, String.format("is corrupted: checksum 0x%08x, the "
            + "file says 0x%08x (a changed or damaged byte)", sum, stored));
      }
    }
    try (CountingInput counting = new CountingInput(new BufferedInputStream(
        Files.newInputStream(file), 1 << 16))) {
      DataInputStream d = new DataInputStream(counting);
      Map<String, String> fields = readFields(d, file, expectedKind);
      int nArrays = d.readInt();
      if (nArrays < 0 || nArrays > 100_000) {
        throw new BadInputException(file, "declares " + nArrays + " arrays");
      }
      Map<String, Integer> arrays = new LinkedHashMap<>();
      long data = 0;
      for (int i = 0; i < nArrays; i++) {
        String name = d.readUTF();
        int n = d.readInt();
        if (n < 0) {
          throw new BadInputException(file, "array '" + name + "' declares " + n + " values");
        }
        arrays.put(name, n);
        data += 4L * n;
      }
      long dataStart = counting.count;
      if (dataStart + data + TRAILER != length) {
        throw new BadInputException(file, "its arrays declare " + data + " bytes, but "
            + (length - dataStart - TRAILER) + " follow the header");
      }
      return new Contents(file, expectedKind, fields, arrays, dataStart);
    } catch (EOFException e) {
      throw new BadInputException(file, "its header runs past the end of the file");
    }
  }

  /** The magic, version, length, kind and fields at the start of a file; positioned after. */
  private static Map<String, String> readFields(DataInputStream d, Path file, String expectedKind)
      throws IOException {
    d.skipNBytes(16);
    String kind = d.readUTF();
    if (!kind.equals(expectedKind)) {
      throw new BadInputException(file, "is a " + kind + " checkpoint, not a " + expectedKind
          + " checkpoint");
    }
    int nFields = d.readInt();
    if (nFields < 0 || nFields > 100_000) {
      throw new BadInputException(file, "declares " + nFields + " fields");
    }
    Map<String, String> fields = new LinkedHashMap<>();
    for (int i = 0; i < nFields; i++) {
      fields.put(d.readUTF(), d.readUTF());
    }
    return fields;
  }

  /**
   * The text fields of a checkpoint, read from its header only: no checksum pass over a file that
   * may be hundreds of MB, so a field read here is a hint for choosing among checkpoints, and
   * {@link #open} still checks the whole file before anything is used.
   */
  public static Map<String, String> peekFields(Path file, String expectedKind)
      throws IOException {
    try (DataInputStream d = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(file), 1 << 16))) {
      return readFields(d, file, expectedKind);
    } catch (EOFException e) {
      throw new BadInputException(file, "its header runs past the end of the file");
    }
  }

  /** Counts the bytes read, so the header's size is known. */
  private static final class CountingInput extends java.io.FilterInputStream {
    long count;

    CountingInput(InputStream in) {
      super(in);
    }

    @Override
    public int read() throws IOException {
      int b = super.read();
      if (b >= 0) {
        count++;
      }
      return b;
    }

    @Override
    public int read(byte[] b, int off, int len) throws IOException {
      int n = super.read(b, off, len);
      if (n > 0) {
        count += n;
      }
      return n;
    }

    @Override
    public long skip(long n) throws IOException {
      long s = super.skip(n);
      count += s;
      return s;
    }
  }
}
