package org.pscreen2vec.sync;

import java.util.ArrayList;
import java.util.List;
import org.pscreen2vec.collective.Allreduce;
import org.pscreen2vec.comm.Communicator;
import org.pscreen2vec.nn.DenseGradients;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.SparseGradients;
import org.pscreen2vec.run.Timeline;

/**
 * Synchronous data parallelism by allreduce (ring, naive, star or MPJ's): the whole gradient —
 * dense parameters AND every embedding table as a dense (rows, dim) block — goes through one
 * fused allreduce per step. That is what an allreduce framework does with a sparse variable it
 * does not treat specially, and the baseline the hybrid strategy improves on.
 *
 * <p>Fused buffer layout: {@code [dense (length) | per table: rows * (dim + 1) | samples]}; each
 * table row carries a touched flag so the union of touched rows is known exactly (a touched row
 * whose gradient sums to zero still gets its optimizer step, as under a parameter server).
 * Gradients are weighted by samples before the sum and divided by the total after.
 */
public final class AllreduceSync implements GradientSync {
  private final Allreduce allreduce;
  private final Communicator comm;
  private final boolean includeSparse;
  private final String spanName; // the timeline's name of the allreduce phase
  private float[] fused = new float[0];
  private long sent;
  private long received;

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
      java.util.Arrays.fill(values, 0, n, 0f);
    }
    allreduce.allreduce(values, 0, n, Allreduce.Op.SUM);
  }

  @Override
  public String name() {
    return allreduce.name();
  }

  @Override
  public List<SparseGradients> synchronize(DenseGradients dense, List<SparseGradients> sparse,
      int samples) {
    int n = dense.length();
    long total = n + 1L;
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
    } else {
      java.util.Arrays.fill(fused, n, fused.length, 0f);
    }
    float w = samples;
    float[] g = dense.grads();
    for (int i = 0; i < n; i++) {
      fused[i] = w * g[i];
    }
    int pos = n;
    if (includeSparse) {
      for (SparseGradients s : sparse) {
        int stride = s.dim() + 1;
        for (int i = 0; i < s.count(); i++) {
          int base = pos + s.ids()[i] * stride;
          for (int j = 0; j < s.dim(); j++) {
            fused[base + j] = w * s.rows()[i * s.dim() + j];
          }
          fused[base + s.dim()] = 1f;
        }
        pos += s.tableRows() * stride;
      }
    }
    fused[fused.length - 1] = samples;
    long s0 = comm.bytesSent();
    long r0 = comm.bytesReceived();
    try (Timeline.Span sp = Timeline.span(spanName)) {
      allreduce.allreduce(fused, 0, fused.length, Allreduce.Op.SUM);
      sent += comm.bytesSent() - s0;
      received += comm.bytesReceived() - r0;
      sp.bytes(comm.bytesSent() - s0);
    }
    float totalSamples = fused[fused.length - 1];
    float inv = totalSamples > 0 ? 1f / totalSamples : 0f;
    for (int i = 0; i < n; i++) {
      g[i] = fused[i] * inv;
    }
    if (!includeSparse) {
      return sparse;
    }
    List<SparseGradients> out = new ArrayList<>(sparse.size());
    pos = n;
    for (SparseGradients s : sparse) {
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
      out.add(new SparseGradients(s.table(), s.tableRows(), s.dim(), ids, rows, touched,
          s.values()));
      pos += s.tableRows() * stride;
    }
    return out;
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

  /** Floats in the fused buffer of the last step. */
  public int fusedLength() {
    return fused.length;
  }
}
