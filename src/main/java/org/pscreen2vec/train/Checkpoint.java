package org.pscreen2vec.train;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.run.AtomicFiles;

/**
 * A model's parameters on disk: magic, the model name, the resolved configuration (one line),
 * the dense buffer, then each table (name, rows, dim, values). Big-endian floats. Written
 * atomically.
 */
public final class Checkpoint {
  private static final int MAGIC = 0x50533256; // "PS2V"
  private static final int VERSION = 1;

  private Checkpoint() {}

  public static void save(Path file, Model model, TrainConfig config) throws IOException {
    AtomicFiles.write(file, out -> {
      DataOutputStream d = new DataOutputStream(new BufferedOutputStream(out, 1 << 16));
      d.writeInt(MAGIC);
      d.writeInt(VERSION);
      d.writeUTF(model.name());
      d.writeUTF(config.toString());
      writeBuf(d, model.parameters().values());
      d.writeInt(model.tables().size());
      for (EmbeddingTable t : model.tables()) {
        d.writeUTF(t.name());
        d.writeInt(t.rows());
        d.writeInt(t.dim());
        writeBuf(d, t.values());
      }
      d.flush();
    });
  }

  /** Loads into a model of the same name and shapes; the stored configuration is returned. */
  public static String load(Path file, Model model) throws IOException {
    try (DataInputStream d = new DataInputStream(new BufferedInputStream(
        Files.newInputStream(file), 1 << 16))) {
      if (d.readInt() != MAGIC || d.readInt() != VERSION) {
        throw new IOException(file + " is not a pscreen2vec checkpoint (version " + VERSION + ")");
      }
      String name = d.readUTF();
      if (!name.equals(model.name())) {
        throw new IOException(file + " holds a " + name + " model, not " + model.name());
      }
      String config = d.readUTF();
      readBuf(d, model.parameters().values(), file, "dense parameters");
      int tables = d.readInt();
      if (tables != model.tables().size()) {
        throw new IOException(file + " has " + tables + " tables, the model "
            + model.tables().size());
      }
      for (EmbeddingTable t : model.tables()) {
        String tn = d.readUTF();
        int rows = d.readInt();
        int dim = d.readInt();
        if (!tn.equals(t.name()) || rows != t.rows() || dim != t.dim()) {
          throw new IOException(file + ": table " + tn + " " + rows + "x" + dim
              + " does not match " + t.name() + " " + t.rows() + "x" + t.dim());
        }
        readBuf(d, t.values(), file, "table " + tn);
      }
      return config;
    }
  }

  private static void writeBuf(DataOutputStream d, Buf b) throws IOException {
    d.writeInt(b.length());
    for (int i = 0; i < b.length(); i++) {
      d.writeFloat((float) b.get(i));
    }
  }

  private static void readBuf(DataInputStream d, Buf b, Path file, String what)
      throws IOException {
    int n = d.readInt();
    if (n != b.length()) {
      throw new IOException(file + ": " + what + " have " + n + " values, the model "
          + b.length() + " (a different configuration?)");
    }
    for (int i = 0; i < n; i++) {
      b.set(i, d.readFloat());
    }
  }
}
