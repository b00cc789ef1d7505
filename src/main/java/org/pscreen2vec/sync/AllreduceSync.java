package org.pscreen2vec.sync;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.run.Timeline;

/**
 * Synchronous data parallelism by allreduce (ring, naive, star or MPJ's): the whole gradient —
 * dense parameters AND every embedding table as a dense (rows, dim) block — is summed across the
 * workers. That is what an allreduce framework does with a sparse variable it does not treat
 * specially, and the baseline the hybrid strategy improves on.
 *
 * <p>Each step is one or more fused buffers. Without overlap, one: {@code [dense | per table:
 * rows * (dim + 1) | samples | control]}. With overlap ({@link BucketedSync}), the dense
 * gradient's buckets other than the last are reduced while backward still runs, each as
 * {@code [bucket | samples]} by a communication thread; the last bucket (it holds the first
 * registered parameters, whose gradients backward produces last) travels with the tables and the
 * control block in the final buffer. Each table row carries a touched flag so the union of
 * touched rows is known exactly (a touched row whose gradient sums to zero still gets its
 * optimizer step, as under a parameter server). Gradients are weighted by samples before the
 * sum and divided by the total after; the pass that weights them also looks for a non-finite
 * value ({@link StepControl}), so the guard costs no pass of its own. Every element goes through
 * the same operations in both modes, so overlap changes a result only where the allreduce sums
 * an element's contributions in another order (ring on 3+ ranks: its segments move).
 */
public final class AllreduceSync implements GradientSync, BucketedSync {
  private static final int WEIGH_CHUNK = 2048; // floats weighed, then checked, while in L1
  private final Allreduce allreduce;
  private final Communicator comm;
  private final boolean includeSparse;
  private final String spanName; // the timeline's name of the allreduce phase
  private float[] fused = new float[0];
  private long sent;
  private long received;
  // the step in progress
  private DenseGradients dense;
  private int samples;
  private StepControl control;
  private CommThread thread; // created on the first overlapped bucket
  private final List<float[]> bucketBuffers = new ArrayList<>(); // per bucket index, reused
  private int submitted;
  private long busyNanos; // this step's time inside allreduces and their passes (all threads)
  private long exchangeNanos; // the part of busyNanos inside the allreduce calls themselves

  /**
   * Makes every worker start from worker 0's parameters (and tables, when they are allreduced
   * too), as DDP does at construction; that traffic is not counted in {@link #bytesSent}.
   *
   * @param includeSparse false when another mechanism (parameter servers) handles the tables and
   *                      only the dense part should be allreduced
   * @param params        the model's dense parameters and gradients
   * @param tables        the model's embedding tables, in the model's order
   */
  public AllreduceSync(Allreduce allreduce, Communicator comm, boolean includeSparse,
      DenseGradients params, List<EmbeddingTable> tables) {
    this.allreduce = allreduce;
    this.comm = comm;
    this.includeSparse = includeSparse;
    this.spanName = "allreduce " + allreduce.name();
    broadcastFromFirst(params.params(), params.length());
    if (includeSparse) {
      for (EmbeddingTable t : tables) {
        float[] v = t.valueArray();
        broadcastFromFirst(v, v.length);
      }
    }
  }

  /**
   * Worker 0's values everywhere: the others contribute zeros to a sum, and x + 0 is exactly x,
   * so every worker ends with worker 0's bits (a zero's sign aside).
   */
  private void broadcastFromFirst(float[] values, int n) {
    if (comm.size() == 1 || n == 0) {
      return;
    }
    if (comm.rank() != 0) {
      Arrays.fill(values, 0, n, 0f);
    }
    allreduce.allreduce(values, 0, n, Allreduce.Op.SUM);
  }

  @Override
  public String name() {
    return allreduce.name();
  }

  /** The control block rides in the last fused buffer (only when the tables are ours too). */
  @Override
  public boolean carriesControl() {
    return includeSparse;
  }

  @Override
  public List<SparseGradients> synchronize(DenseGradients d, List<SparseGradients> sparse,
      int n) {
    return synchronize(d, sparse, n, null);
  }

  @Override
  public List<SparseGradients> synchronize(DenseGradients d, List<SparseGradients> sparse,
      int n, StepControl c) {
    begin(d, n, c);
    return finish(0, d.length(), sparse);
  }

  @Override
  public void begin(DenseGradients d, int n, StepControl c) {
    if (c != null && !includeSparse) {
      throw new IllegalStateException("the control block travels only with the tables");
    }
    this.dense = d;
    this.samples = n;
    this.control = c;
    this.submitted = 0;
    this.busyNanos = 0;
    this.exchangeNanos = 0;
    if (c != null) {
      c.clearFindings();
    }
  }

  @Override
  public void submit(int from, int to) {
    if (thread == null) {
      thread = new CommThread("comm-" + comm.name() + "-rank" + comm.rank(), comm.deadlineNanos());
    }
    int k = submitted++;
    while (bucketBuffers.size() <= k) {
      bucketBuffers.add(new float[0]);
    }
    if (bucketBuffers.get(k).length != to - from + 1) {
      bucketBuffers.set(k, new float[to - from + 1]);
    }
    float[] buf = bucketBuffers.get(k);
    thread.submit(() -> {
      long t0 = System.nanoTime();
      reduceBucket(buf, from, to);
      busyNanos += System.nanoTime() - t0; // only this thread writes it until drained
    });
  }

  /** {@code [bucket | samples]}: weighted, checked, summed, divided back into the gradient. */
  private void reduceBucket(float[] buf, int from, int to) {
    int n = to - from;
    int bad = weigh(dense.grads(), from, buf, 0, n, samples);
    if (bad >= 0 && control != null) {
      control.foundDense(from + bad);
    }
    buf[n] = samples;
    reduce(buf);
    float inv = buf[n] > 0 ? 1f / buf[n] : 0f;
    float[] g = dense.grads();
    for (int i = 0; i < n; i++) {
      g[from + i] = buf[i] * inv;
    }
  }

  @Override
  public List<SparseGradients> finish(int from, int to, List<SparseGradients> sparse) {
    if (thread != null) {
      thread.drain(submitted); // the communication thread is idle from here on
    }
    long t0 = System.nanoTime();
    List<SparseGradients> out = reduceLast(from, to, sparse);
    busyNanos += System.nanoTime() - t0;
    dense = null;
    return out;
  }

  @Override
  public long lastBusyNanos() {
    return busyNanos;
  }

  /** The packing into the fused buffers and back out: busy time outside the allreduce calls. */
  @Override
  public long lastLocalNanos() {
    return Math.max(0, busyNanos - exchangeNanos);
  }

  /** {@code [dense[from, to) | tables | samples | control]}: the step's last (or only) buffer. */
  private List<SparseGradients> reduceLast(int from, int to, List<SparseGradients> sparse) {
    int n = to - from;
    long total = n + 1L + (control != null ? StepControl.floats(comm.size()) : 0);
    if (includeSparse) {
      for (SparseGradients s : sparse) {
        total += (long) s.tableRows() * (s.dim() + 1);
      }
    }
    if (total > Integer.MAX_VALUE - 8) {
      throw new IllegalStateException("fused gradient of " + total + " floats exceeds one array");
    }
    if (fused.length != total) {
      fused = new float[(int) total];
    }
    float w = samples;
    float[] g = dense.grads();
    int bad = weigh(g, from, fused, 0, n, w);
    if (bad >= 0 && control != null) {
      control.foundDense(from + bad);
    }
    int pos = n;
    if (includeSparse) {
      for (int t = 0; t < sparse.size(); t++) {
        SparseGradients s = sparse.get(t);
        int stride = s.dim() + 1;
        Arrays.fill(fused, pos, pos + s.tableRows() * stride, 0f);
        boolean finite = true;
        for (int i = 0; i < s.count(); i++) {
          int base = pos + s.ids()[i] * stride;
          finite &= weigh(s.rows(), i * s.dim(), fused, base, s.dim(), w) < 0;
          fused[base + s.dim()] = 1f;
        }
        if (!finite && control != null) {
          control.foundTable(t);
        }
        pos += s.tableRows() * stride;
      }
    }
    int samplesAt = pos;
    fused[samplesAt] = samples;
    if (control != null) {
      control.write(fused, samplesAt + 1);
    }
    reduce(fused);
    if (control != null) {
      control.read(fused, samplesAt + 1);
    }
    float totalSamples = fused[samplesAt];
    float inv = totalSamples > 0 ? 1f / totalSamples : 0f;
    for (int i = 0; i < n; i++) {
      g[from + i] = fused[i] * inv;
    }
    if (!includeSparse) {
      return sparse;
    }
    List<SparseGradients> out = new ArrayList<>(sparse.size());
    pos = n;
    for (SparseGradients s : sparse) {
      out.add(unfuse(s, pos, inv));
      pos += s.tableRows() * (s.dim() + 1);
    }
    return out;
  }

  /** The union of the workers' touched rows of one table, read from the fused buffer at pos. */
  private SparseGradients unfuse(SparseGradients s, int pos, float inv) {
    int stride = s.dim() + 1;
    int touched = 0;
    for (int r = 0; r < s.tableRows(); r++) {
      if (fused[pos + r * stride + s.dim()] != 0f) {
        touched++;
      }
    }
    int[] ids = new int[touched];
    float[] rows = new float[touched * s.dim()];
    int k = 0;
    for (int r = 0; r < s.tableRows(); r++) {
      int base = pos + r * stride;
      if (fused[base + s.dim()] != 0f) {
        ids[k] = r;
        for (int j = 0; j < s.dim(); j++) {
          rows[k * s.dim() + j] = fused[base + j] * inv;
        }
        k++;
      }
    }
    return new SparseGradients(s.table(), s.tableRows(), s.dim(), ids, rows, touched,
        s.values());
  }

  private void reduce(float[] buf) {
    long s0 = comm.bytesSent();
    long r0 = comm.bytesReceived();
    long t0 = System.nanoTime();
    try (Timeline.Span sp = Timeline.span(spanName)) {
      allreduce.allreduce(buf, 0, buf.length, Allreduce.Op.SUM);
      exchangeNanos += System.nanoTime() - t0; // one thread at a time, as busyNanos
      sent += comm.bytesSent() - s0;
      received += comm.bytesReceived() - r0;
      sp.bytes(comm.bytesSent() - s0);
    }
  }

  /**
   * {@code dst[at + i] = w * src[from + i]} for i in [0, n), and the index i of the first
   * non-finite value, or -1. In chunks that stay in the L1 cache: a plain (vectorized) weighting
   * loop, then four running sums of {@code x * 0} over the chunk just written (0 for every finite
   * x, NaN otherwise), so the check costs no pass over memory of its own; only when one is found
   * is the place searched (in {@code src}, else in {@code dst}: a weighted value that overflowed).
   */
  static int weigh(float[] src, int from, float[] dst, int at, int n, float w) {
    float s0 = 0;
    float s1 = 0;
    float s2 = 0;
    float s3 = 0;
    for (int c = 0; c < n; c += WEIGH_CHUNK) {
      int len = Math.min(WEIGH_CHUNK, n - c);
      int so = from + c;
      int d = at + c;
      for (int i = 0; i < len; i++) {
        dst[d + i] = w * src[so + i];
      }
      int i = 0;
      for (; i + 7 < len; i += 8) {
        s0 += (dst[d + i] + dst[d + i + 4]) * 0f;
        s1 += (dst[d + i + 1] + dst[d + i + 5]) * 0f;
        s2 += (dst[d + i + 2] + dst[d + i + 6]) * 0f;
        s3 += (dst[d + i + 3] + dst[d + i + 7]) * 0f;
      }
      for (; i < len; i++) {
        s0 += dst[d + i] * 0f;
      }
    }
    if (s0 + s1 + s2 + s3 == 0f) {
      return -1;
    }
    for (int j = 0; j < n; j++) {
      if (!Float.isFinite(src[from + j])) {
        return j;
      }
    }
    for (int j = 0; j < n; j++) {
      if (!Float.isFinite(dst[at + j])) {
        return j;
      }
    }
    return -1;
  }

  /** Bytes this rank sent for the allreduces (ring: 2(p-1)/p of the fused buffer per step). */
  @Override
  public long bytesSent() {
    return sent;
  }

  @Override
  public long bytesReceived() {
    return received;
  }

  /** Floats in the last fused buffer of the last step. */
  public int fusedLength() {
    return fused.length;
  }

  @Override
  public void close() {
    if (thread != null) {
      thread.close();
      thread = null;
    }
  }
}
