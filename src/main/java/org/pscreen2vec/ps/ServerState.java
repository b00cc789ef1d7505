package org.pscreen2vec.ps;

import java.util.Arrays;
import java.util.List;
import java.util.TreeMap;
import java.util.function.Supplier;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.optim.DenseOptimizer;
import org.pscreen2vec.optim.SparseOptimizer;

/**
 * What one parameter server holds and how it applies updates: its dense shard and its rows of each
 * sparse table, with the same optimizers the workers would use, under a {@link Consistency} mode.
 * {@link #serve} answers a request now or says "not yet" (null); the caller keeps order.
 */
public final class ServerState {
  private final int server;
  private final Partition part;
  private final List<TableSpec> tables;
  private final int workers;
  private final Consistency consistency;
  private final int shardStart;
  private final float[] dense; // (shardLength) this server's dense parameters
  private final DenseOptimizer denseOpt;
  private final float[] denseAcc; // (shardLength) BSP: sum of samples-weighted gradients
  private final boolean[] densePushed; // (workers) BSP: pushed in the current round
  private int densePushes;
  private long denseSamples;
  private int denseVersion; // updates applied to the dense shard
  private boolean denseInit;
  private final EmbeddingTable[] local; // (tables) (localRows, dim) rows this server holds
  private final SparseOptimizer[] sparseOpt;
  private final TreeMap<Integer, float[]>[] rowAcc; // (tables) BSP: local row -> summed gradient
  private final boolean[][] rowsPushed; // (tables, workers)
  private final int[] rowPushes;
  private final long[] rowSamples;
  private final int[] tableVersion; // updates applied per table
  private final boolean[] tableInit;
  private final int[] clock; // (workers) steps each worker has pushed (SSP)
  private final int[] marks; // duplicate-id detection, stamped with markEpoch
  private int markEpoch;
  private int maxStaleness;

  /** How a request was answered: nothing to send, data, or an error message. */
  public record Result(float[] data, String error) {
    static final Result OK = new Result(null, null);

    static Result data(float[] d) {
      return new Result(d, null);
    }

    static Result error(String e) {
      return new Result(null, e);
    }
  }

  @SuppressWarnings("unchecked")
  public ServerState(int server, Partition part, List<TableSpec> tables, int workers,
      Consistency consistency, Ops ops, Supplier<DenseOptimizer> denseOptimizer,
      Supplier<SparseOptimizer> sparseOptimizer) {
    this.server = server;
    this.part = part;
    this.tables = List.copyOf(tables);
    this.workers = workers;
    this.consistency = consistency;
    this.shardStart = part.shardStart(server);
    int n = part.shardLength(server);
    this.dense = new float[n];
    this.denseAcc = new float[consistency.mode() == Consistency.Mode.BSP ? n : 0];
    this.densePushed = new boolean[workers];
    this.denseOpt = denseOptimizer.get();
    denseOpt.initialise(n);
    this.denseInit = n == 0;
    int t = tables.size();
    this.local = new EmbeddingTable[t];
    this.sparseOpt = new SparseOptimizer[t];
    this.rowAcc = new TreeMap[t];
    this.rowsPushed = new boolean[t][workers];
    this.rowPushes = new int[t];
    this.rowSamples = new long[t];
    this.tableVersion = new int[t];
    this.tableInit = new boolean[t];
    int maxLocal = 0;
    for (int i = 0; i < t; i++) {
      TableSpec s = tables.get(i);
      int rows = part.localRows(server, s.rows());
      maxLocal = Math.max(maxLocal, rows);
      rowAcc[i] = new TreeMap<>();
      if (rows > 0) {
        local[i] = new EmbeddingTable(ops, s.name() + "@server" + server, rows, s.dim(), 0, 0);
        sparseOpt[i] = sparseOptimizer.get();
        sparseOpt[i].initialise(rows, s.dim());
      } else {
        tableInit[i] = true;
      }
    }
    this.marks = new int[maxLocal];
    this.clock = new int[workers];
  }

  /** Largest staleness (steps ahead of the slowest worker) a pull was served with. */
  public int maxStaleness() {
    return maxStaleness;
  }

  /** (localRows, dim) this server's rows of table t, or null when it holds none. */
  public EmbeddingTable localTable(int t) {
    return local[t];
  }

  /** The optimizer state of table t (moments by name), or null when the server holds no rows. */
  public java.util.Map<String, org.pscreen2vec.ops.Buf> sparseState(int t) {
    return sparseOpt[t] == null ? null : sparseOpt[t].state();
  }

  public Partition partition() {
    return part;
  }

  public int serverIndex() {
    return server;
  }

  /** (shardLength) the dense shard (tests and checkpoints). */
  public float[] denseShard() {
    return dense;
  }

  /** Which workers a synchronous round is still waiting for ("" when none). */
  public String waitingFor() {
    if (consistency.mode() != Consistency.Mode.BSP) {
      return "";
    }
    StringBuilder sb = new StringBuilder();
    if (densePushes > 0) {
      sb.append("dense round ").append(denseVersion).append(" waits for worker(s) ")
          .append(missing(densePushed));
    }
    for (int t = 0; t < tables.size(); t++) {
      if (rowPushes[t] > 0) {
        sb.append(sb.length() > 0 ? "; " : "").append("table '").append(tables.get(t).name())
            .append("' round ").append(tableVersion[t]).append(" waits for worker(s) ")
            .append(missing(rowsPushed[t]));
      }
    }
    return sb.toString();
  }

  private static String missing(boolean[] pushed) {
    StringBuilder sb = new StringBuilder();
    for (int w = 0; w < pushed.length; w++) {
      if (!pushed[w]) {
        sb.append(sb.length() > 0 ? ", " : "").append(w);
      }
    }
    return sb.toString();
  }

  /** Header checks that need no payload; null when the header is acceptable. */
  public String validate(int[] h, int source) {
    if (h[Wire.H_MAGIC] != Wire.MAGIC) {
      return String.format("bad magic/version 0x%08x (expected 0x%08x)", h[Wire.H_MAGIC],
          Wire.MAGIC);
    }
    int op = h[Wire.H_OP];
    if (h[Wire.H_WORKER] != source) {
      return "header says worker " + h[Wire.H_WORKER] + " but it came from rank " + source;
    }
    if (h[Wire.H_STEP] < 0) {
      return "negative step " + h[Wire.H_STEP];
    }
    if (h[Wire.H_SAMPLES] < 0) {
      return "negative sample count " + h[Wire.H_SAMPLES];
    }
    int count = h[Wire.H_COUNT];
    switch (op) {
      case Wire.INIT_DENSE, Wire.PUSH_DENSE, Wire.PULL_DENSE -> {
        if (h[Wire.H_TABLE] != -1) {
          return Wire.opName(op) + " must name table -1 (dense), not " + h[Wire.H_TABLE];
        }
        if (count != dense.length || h[Wire.H_WIDTH] != shardStart) {
          return String.format("%s of %d floats at offset %d does not match this server's shard "
              + "(%d floats at %d)", Wire.opName(op), count, h[Wire.H_WIDTH], dense.length,
              shardStart);
        }
      }
      case Wire.INIT_ROWS, Wire.PUSH_ROWS, Wire.PULL_ROWS -> {
        int t = h[Wire.H_TABLE];
        if (t < 0 || t >= tables.size()) {
          return "unknown table " + t + " (this job has " + tables.size() + ")";
        }
        int rows = part.localRows(server, tables.get(t).rows());
        if (h[Wire.H_WIDTH] != tables.get(t).dim()) {
          return "row width " + h[Wire.H_WIDTH] + " for table '" + tables.get(t).name()
              + "' of width " + tables.get(t).dim();
        }
        if (op == Wire.INIT_ROWS ? count != rows : count < 0 || count > rows) {
          return String.format("%s with %d rows, but this server holds %d rows of table '%s'",
              Wire.opName(op), count, rows, tables.get(t).name());
        }
      }
      case Wire.DONE -> {
        if (count != 0) {
          return "DONE carries no payload, but count is " + count;
        }
      }
      default -> {
        return "unknown operation " + op;
      }
    }
    return null;
  }

  /** Elements (ids + floats) the worker sends after this header; -1 when not computable. */
  public long declaredPayloadFloats(int[] h) {
    long v = declaredValueFloats(h);
    int op = h[Wire.H_OP];
    long ids = op == Wire.PUSH_ROWS || op == Wire.PULL_ROWS ? h[Wire.H_COUNT] : 0;
    return v < 0 || ids < 0 ? -1 : v + ids;
  }

  /** Floats of values the worker sends after this header (0 for pulls); -1 when invalid. */
  public long declaredValueFloats(int[] h) {
    long count = h[Wire.H_COUNT];
    return switch (h[Wire.H_OP]) {
      case Wire.INIT_DENSE, Wire.PUSH_DENSE -> count;
      case Wire.INIT_ROWS, Wire.PUSH_ROWS -> count < 0 || h[Wire.H_WIDTH] < 0 ? -1
          : count * h[Wire.H_WIDTH];
      default -> 0;
    };
  }

  /** Row ids must belong to this server, be in range and (for pushes and pulls) distinct. */
  public String validateIds(int[] h, int[] ids) {
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

  /** Answers a validated request, or returns null when it must wait (order is kept by caller). */
  public Result serve(ParameterServer.Pending p, int w) {
    int[] h = p.header();
    int op = h[Wire.H_OP];
    int step = h[Wire.H_STEP];
    int t = h[Wire.H_TABLE];
    switch (op) {
      case Wire.INIT_DENSE -> {
        System.arraycopy(p.values(), 0, dense, 0, dense.length);
        denseInit = true;
        return Result.OK;
      }
      case Wire.INIT_ROWS -> {
        if (local[t] == null) {
          return Result.OK;
        }
        float[] v = ((FloatBuf) local[t].values()).array();
        System.arraycopy(p.values(), 0, v, 0, p.values().length);
        tableInit[t] = true;
        return Result.OK;
      }
      case Wire.PUSH_DENSE -> {
        return denseInit ? pushDense(p, w, step) : null;
      }
      case Wire.PULL_DENSE -> {
        if (!denseInit || !mayServePull(step, denseVersion)) {
          return null;
        }
        return Result.data(dense.clone());
      }
      case Wire.PUSH_ROWS -> {
        return tableInit[t] ? pushRows(p, w, step, t) : null;
      }
      case Wire.PULL_ROWS -> {
        if (!tableInit[t] || !mayServePull(step, tableVersion[t])) {
          return null;
        }
        return Result.data(pullRows(t, p.ids()));
      }
      case Wire.DONE -> {
        return Result.OK;
      }
      default -> {
        return Result.error("unknown operation " + op);
      }
    }
  }

  /** BSP: the version must have reached the step. SSP: the worker may not run too far ahead. */
  private boolean mayServePull(int step, int version) {
    int slowest = Integer.MAX_VALUE;
    for (int c : clock) {
      slowest = Math.min(slowest, c);
    }
    switch (consistency.mode()) {
      case BSP:
        return version >= step;
      case SSP:
        if ((long) step - slowest > consistency.staleness()) {
          return false;
        }
        break;
      default:
        break;
    }
    maxStaleness = Math.max(maxStaleness, Math.max(0, step - slowest));
    return true;
  }

  private Result pushDense(ParameterServer.Pending p, int w, int step) {
    int samples = p.header()[Wire.H_SAMPLES];
    clock[w] = Math.max(clock[w], step + 1);
    float[] g = p.values(); // (shardLength) gradient of this worker's mean loss
    if (consistency.mode() != Consistency.Mode.BSP) {
      if (samples > 0) {
        scale(g, 1.0f / workers);
        denseOpt.step(new FloatBuf(dense), new FloatBuf(g));
      }
      denseVersion++;
      return Result.OK;
    }
    if (step > denseVersion) {
      return null;
    }
    if (step < denseVersion || densePushed[w]) {
      return Result.error("worker " + w + " pushed dense step " + step + " twice (server is at "
          + denseVersion + ")");
    }
    float weight = samples;
    for (int i = 0; i < g.length; i++) {
      denseAcc[i] += weight * g[i];
    }
    densePushed[w] = true;
    densePushes++;
    denseSamples += samples;
    if (densePushes == workers) {
      if (denseSamples > 0) {
        scale(denseAcc, 1.0f / denseSamples);
        denseOpt.step(new FloatBuf(dense), new FloatBuf(denseAcc));
      }
      Arrays.fill(denseAcc, 0);
      Arrays.fill(densePushed, false);
      densePushes = 0;
      denseSamples = 0;
      denseVersion++;
    }
    return Result.OK;
  }

  private Result pushRows(ParameterServer.Pending p, int w, int step, int t) {
    int samples = p.header()[Wire.H_SAMPLES];
    int dim = tables.get(t).dim();
    clock[w] = Math.max(clock[w], step + 1);
    int[] ids = p.ids();
    float[] rows = p.values();
    int[] localIds = new int[ids.length];
    for (int i = 0; i < ids.length; i++) {
      localIds[i] = part.local(ids[i]);
    }
    if (consistency.mode() != Consistency.Mode.BSP) {
      if (samples > 0 && ids.length > 0) {
        scale(rows, 1.0f / workers);
        sparseOpt[t].step(local[t].values(), local[t].dim(), localIds, new FloatBuf(rows), ++tableVersion[t]);
      } else {
        tableVersion[t]++;
      }
      return Result.OK;
    }
    if (step > tableVersion[t]) {
      return null;
    }
    if (step < tableVersion[t] || rowsPushed[t][w]) {
      return Result.error("worker " + w + " pushed rows of table '" + tables.get(t).name()
          + "' for step " + step + " twice (server is at " + tableVersion[t] + ")");
    }
    float weight = samples;
    for (int i = 0; i < localIds.length; i++) {
      float[] acc = rowAcc[t].computeIfAbsent(localIds[i], k -> new float[dim]);
      for (int j = 0; j < dim; j++) {
        acc[j] += weight * rows[i * dim + j];
      }
    }
    rowsPushed[t][w] = true;
    rowPushes[t]++;
    rowSamples[t] += samples;
    if (rowPushes[t] == workers) {
      applyRows(t, dim);
    }
    return Result.OK;
  }

  /** BSP: one optimizer step over the union of rows the workers pushed, in ascending row order. */
  private void applyRows(int t, int dim) {
    int n = rowAcc[t].size();
    if (n > 0 && rowSamples[t] > 0) {
      int[] ids = new int[n];
      float[] rows = new float[n * dim];
      float inv = 1.0f / rowSamples[t];
      int i = 0;
      for (var e : rowAcc[t].entrySet()) {
        ids[i] = e.getKey();
        float[] acc = e.getValue();
        for (int j = 0; j < dim; j++) {
          rows[i * dim + j] = acc[j] * inv;
        }
        i++;
      }
      sparseOpt[t].step(local[t].values(), local[t].dim(), ids, new FloatBuf(rows), tableVersion[t] + 1L);
    }
    rowAcc[t].clear();
    Arrays.fill(rowsPushed[t], false);
    rowPushes[t] = 0;
    rowSamples[t] = 0;
    tableVersion[t]++;
  }

  private float[] pullRows(int t, int[] ids) {
    if (ids.length == 0) {
      return new float[0];
    }
    int dim = tables.get(t).dim();
    float[] v = ((FloatBuf) local[t].values()).array();
    float[] out = new float[ids.length * dim];
    for (int i = 0; i < ids.length; i++) {
      System.arraycopy(v, part.local(ids[i]) * dim, out, i * dim, dim);
    }
    return out;
  }

  private static void scale(float[] a, float s) {
    for (int i = 0; i < a.length; i++) {
      a[i] *= s;
    }
  }
}
