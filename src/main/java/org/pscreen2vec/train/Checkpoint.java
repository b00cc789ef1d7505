package org.pscreen2vec.train;

import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.pscreen2vec.data.BadInputException;
import org.pscreen2vec.model.Model;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.run.CheckpointFile;

/**
 * A trained model's parameters on disk ({@code checkpoint.bin} at the end of a run; what
 * {@code layout.checkpoint} reads): the model's name, the resolved configuration, the dense
 * buffer and every table, in the checked format of {@link CheckpointFile} (kind "model").
 * Training checkpoints, which also hold optimizer state and the position, are
 * {@link TrainingCheckpoint}.
 */
public final class Checkpoint {
  private Checkpoint() {}

  public static void save(Path file, Model model, TrainConfig config) throws IOException {
    CheckpointFile.Writer w = new CheckpointFile.Writer("model");
    w.field("model", model.name()).field("config", config.toString());
    shapes(model).forEach(w::field);
    onHost(model.parameters().ops(), modelArrays(model)).forEach(w::array);
    w.write(file);
  }

  /**
   * Loads into a model of the same name and shapes; the stored configuration is returned. Any
   * problem (missing, truncated, corrupted, another model or shape) is a {@link BadInputException}
   * naming the file and the difference.
   */
  public static String load(Path file, Model model) throws IOException {
    CheckpointFile.Contents c = CheckpointFile.open(file, "model");
    String name = c.field("model");
    if (!name.equals(model.name())) {
      throw new BadInputException(file, "holds a " + name + " model, not " + model.name());
    }
    checkShapes(c, model);
    readOnHost(c, model.parameters().ops(), modelArrays(model));
    return c.field("config");
  }

  /** "shape.dense" and "shape.table.NAME" (rows x dim) fields of a model. */
  static Map<String, String> shapes(Model model) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("shape.dense", String.valueOf(model.parameters().size()));
    for (EmbeddingTable t : model.tables()) {
      m.put("shape.table." + t.name(), t.rows() + "x" + t.dim());
    }
    return m;
  }

  /** The stored shapes must be the model's; the message names each difference. */
  static void checkShapes(CheckpointFile.Contents c, Model model) throws BadInputException {
    StringBuilder diff = new StringBuilder();
    for (Map.Entry<String, String> e : shapes(model).entrySet()) {
      String stored = c.fields().get(e.getKey());
      if (!e.getValue().equals(stored)) {
        diff.append(diff.length() > 0 ? "; " : "").append(e.getKey().substring(6)).append(' ')
            .append(stored == null ? "absent" : stored).append(" in the file, ")
            .append(e.getValue()).append(" in this model");
      }
    }
    if (diff.length() > 0) {
      throw new BadInputException(c.file(), "holds a " + model.name() + " of another shape ("
          + diff + "); the configuration's sizes (dim, text.buckets, layout.sizes, "
          + "mlp.sizes, cnn.channels, ...) must be the ones it was written with");
    }
  }

  /**
   * The buffers' values as host buffers that {@code CheckpointFile} may read element by element:
   * each buffer itself where the backend keeps it as a host array, else a downloaded copy (a
   * GPU buffer's heap memory is not its value).
   */
  static Map<String, Buf> onHost(Ops ops, Map<String, Buf> bufs) {
    Map<String, Buf> m = new LinkedHashMap<>();
    bufs.forEach((k, b) -> {
      if (ops.hostArray(b) != null) {
        m.put(k, b);
      } else {
        float[] a = new float[b.length()];
        ops.download(b, 0, a, 0, a.length);
        m.put(k, new FloatBuf(a));
      }
    });
    return m;
  }

  /** Reads the stored arrays into bufs: in place on a host backend, else through host copies. */
  static void readOnHost(CheckpointFile.Contents c, Ops ops, Map<String, Buf> bufs)
      throws IOException {
    Map<String, Buf> host = new LinkedHashMap<>();
    bufs.forEach((k, b) -> host.put(k, ops.hostArray(b) != null ? b : new FloatBuf(
        new float[b.length()])));
    c.read(host);
    for (Map.Entry<String, Buf> e : bufs.entrySet()) {
      Buf h = host.get(e.getKey());
      if (h != e.getValue()) {
        ops.upload(((FloatBuf) h).array(), 0, e.getValue(), 0, h.length());
      }
    }
  }

  /** The model's buffers by checkpoint name: "dense", then "table.NAME" for each table. */
  static Map<String, Buf> modelArrays(Model model) {
    Map<String, Buf> m = new LinkedHashMap<>();
    m.put("dense", model.parameters().values());
    for (EmbeddingTable t : model.tables()) {
      m.put("table." + t.name(), t.values());
    }
    return m;
  }
}
