package org.pscreen2vec.ps;

import java.util.ArrayList;
import java.util.List;

/**
 * Every check a parameter server makes on what arrives, in one place: SETUP, then each request's
 * header (before anything is allocated or received for it), the payload sizes the header implies,
 * and the row ids. A check returns null when all is well, else the text of the error reply.
 */
final class RequestValidator {
  private final int workers;
  private final int server;
  private final Partition part;
  private final List<TableSpec> tables;
  private final int shardStart;
  private final int shardLength;
  private final int[] marks; // (largest local table) duplicate-id detection, stamped with markEpoch
  private int markEpoch;

  /** Largest samples one push may stand for (a step's batch); weighs it in a BSP round's mean. */
  static final int MAX_SAMPLES = 1 << 24;

  RequestValidator(int workers, int server, Partition part, List<TableSpec> tables) {
    this.workers = workers;
    this.server = server;
    this.part = part;
    this.tables = List.copyOf(tables);
    this.shardStart = part.shardStart(server);
    this.shardLength = part.shardLength(server);
    int maxLocal = 0;
    for (TableSpec s : tables) {
      maxLocal = Math.max(maxLocal, part.localRows(server, s.rows()));
    }
    this.marks = new int[maxLocal];
  }

  /** The first request of a job must be worker 0's SETUP with a plausible payload length. */
  static String setupHeader(int[] h) {
    int n = h[Wire.H_COUNT];
    if (h[Wire.H_MAGIC] != Wire.MAGIC || h[Wire.H_OP] != Op.SETUP.code() || n < 2
        || n > 2 + 2 * Wire.MAX_TABLES) {
      return "worker 0's first request is not a valid SETUP (" + Op.name(h[Wire.H_OP]) + ", " + n
          + " ints)";
    }
    return null;
  }

  /**
   * The tables a SETUP payload {dense length, tables, rows_0, dim_0, ...} describes.
   *
   * @throws PsException when the payload does not describe a model
   */
  static List<TableSpec> setupTables(int[] p) {
    int n = p.length;
    if (p[0] < 0 || p[1] < 0 || n != 2 + 2 * p[1]) {
      throw new PsException("SETUP describes " + p[1] + " tables in " + n + " ints");
    }
    List<TableSpec> tables = new ArrayList<>();
    for (int t = 0; t < p[1]; t++) {
      int rows = p[2 + 2 * t];
      int dim = p[3 + 2 * t];
      if (rows < 1 || dim < 1 || (long) rows * dim > Integer.MAX_VALUE - 8) {
        throw new PsException("SETUP table " + t + " has " + rows + " x " + dim + " entries");
      }
      tables.add(new TableSpec("table" + t, rows, dim));
    }
    return tables;
  }

  /** Header checks that need no payload, for a header that came from rank {@code source}. */
  String header(int[] h, int source) {
    if (source < 0 || source >= workers) {
      return "rank " + source + " is not a worker";
    }
    if (h[Wire.H_MAGIC] != Wire.MAGIC) {
      return String.format("bad magic/version 0x%08x (expected 0x%08x)", h[Wire.H_MAGIC],
          Wire.MAGIC);
    }
    if (h[Wire.H_WORKER] != source) {
      return "header says worker " + h[Wire.H_WORKER] + " but it came from rank " + source;
    }
    if (h[Wire.H_STEP] < 0) {
      return "negative step " + h[Wire.H_STEP];
    }
    if (h[Wire.H_SAMPLES] < 0 || h[Wire.H_SAMPLES] > MAX_SAMPLES) {
      return "sample count " + h[Wire.H_SAMPLES] + " outside 0.." + MAX_SAMPLES
          + " (it weighs this worker's gradient in the round's mean)";
    }
    Op op = Op.of(h[Wire.H_OP]);
    if ((op == Op.INIT_DENSE || op == Op.INIT_ROWS) && source != 0) {
      return op + " from worker " + source + ": only worker 0 sends initial values";
    }
    int count = h[Wire.H_COUNT];
    if (op != null && op.dense()) {
      if (h[Wire.H_TABLE] != -1) {
        return op + " must name table -1 (dense), not " + h[Wire.H_TABLE];
      }
      if (count != shardLength || h[Wire.H_WIDTH] != shardStart) {
        return String.format("%s of %d floats at offset %d does not match this server's shard "
            + "(%d floats at %d)", op, count, h[Wire.H_WIDTH], shardLength, shardStart);
      }
    } else if (op != null && op.rows()) {
      int t = h[Wire.H_TABLE];
      if (t < 0 || t >= tables.size()) {
        return "unknown table " + t + " (this job has " + tables.size() + ")";
      }
      TableSpec s = tables.get(t);
      int rows = part.localRows(server, s.rows());
      if (h[Wire.H_WIDTH] != s.dim()) {
        return "row width " + h[Wire.H_WIDTH] + " for table '" + s.name() + "' of width "
            + s.dim();
      }
      if (op == Op.INIT_ROWS ? count != rows : count < 0 || count > rows) {
        return String.format("%s with %d rows, but this server holds %d rows of table '%s'",
            op, count, rows, s.name());
      }
    } else if (op == Op.DONE) {
      if (count != 0) {
        return "DONE carries no payload, but count is " + count;
      }
    } else {
      return "unknown operation " + h[Wire.H_OP];
    }
    return null;
  }

  /** Elements (ids + floats) the worker sends after this header; -1 when not computable. */
  long payloadElements(int[] h) {
    long v = valueFloats(h);
    Op op = Op.of(h[Wire.H_OP]);
    long ids = op != null && op.carriesIds() ? h[Wire.H_COUNT] : 0;
    return v < 0 || ids < 0 ? -1 : v + ids;
  }

  /** Floats of values the worker sends after this header (0 for pulls); -1 when invalid. */
  long valueFloats(int[] h) {
    Op op = Op.of(h[Wire.H_OP]);
    long count = h[Wire.H_COUNT];
    if (op == null || !op.carriesValues()) {
      return 0;
    }
    if (op.dense()) {
      return count;
    }
    return count < 0 || h[Wire.H_WIDTH] < 0 ? -1 : count * h[Wire.H_WIDTH];
  }

  /**
   * Pushed and initial values must be finite: one worker's NaN would poison every worker's
   * parameters at the next pull. Null when all are, else the error naming the first bad one.
   */
  static String finite(float[] values, int worker) {
    for (int i = 0; i < values.length; i++) {
      if (!Float.isFinite(values[i])) {
        return "worker " + worker + " sent " + values[i] + " at element " + i + " of "
            + values.length + " (a diverged or corrupted gradient); the request is refused";
      }
    }
    return null;
  }

  /** Row ids must belong to this server, be in range and (for pushes and pulls) distinct. */
  String ids(int[] h, int[] ids) {
    TableSpec s = tables.get(h[Wire.H_TABLE]);
    markEpoch++;
    for (int id : ids) {
      if (id < 0 || id >= s.rows()) {
        return "row id " + id + " is outside table '" + s.name() + "' (" + s.rows() + " rows)";
      }
      if (part.owner(id) != server) {
        return "row id " + id + " belongs to server " + part.owner(id) + ", not " + server;
      }
      int l = part.local(id);
      if (marks[l] == markEpoch) {
        return "row id " + id + " appears twice in one request";
      }
      marks[l] = markEpoch;
    }
    return null;
  }
}
