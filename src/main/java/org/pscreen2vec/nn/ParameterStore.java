package org.pscreen2vec.nn;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * All dense parameters of a model in ONE flat value buffer, and their gradients in a second flat
 * buffer with the same layout, so that a synchronization strategy moves one buffer (tensor fusion
 * for free): {@link #gradArray()} is the whole gradient, {@link #valueArray()} the whole model.
 * Layers hold {@link DenseParam} views. Sparse tables are separate ({@link EmbeddingTable}).
 *
 * <p>Built in two phases: layers {@link Builder#add add} their parameters while the model is
 * constructed, then {@link Builder#build} allocates and initializes. Initialization is
 * deterministic: each parameter draws from its own generator seeded by (seed, name), so the values
 * do not depend on the order in which layers were created nor on the backend's precision.
 */
public final class ParameterStore {
  private final Ops ops;
  private final List<DenseParam> params;
  private final Buf values; // (size) every dense parameter, back to back
  private final Buf grads;  // (size) their gradients, same layout
  private final HostSide hostGrads;  // see hostGrads(): the live buffer, or a staging copy
  private final HostSide hostValues;

  private ParameterStore(Ops ops, List<DenseParam> params, int size, long seed) {
    this.ops = ops;
    this.params = Collections.unmodifiableList(params);
    this.values = ops.alloc(size);
    this.grads = ops.alloc(size);
    this.hostGrads = new HostSide(ops, grads, "the dense gradients");
    this.hostValues = new HostSide(ops, values, "the dense parameters");
    for (DenseParam p : params) {
      p.bind(values, grads);
      SplittableRandom rnd = new SplittableRandom(seed ^ Hashing.hash64(p.name()));
      if (ops.isDouble()) { // the gradient-check backend keeps the draws in double
        Buf v = p.value();
        for (int i = 0; i < p.size(); i++) {
          v.set(i, p.init().next(rnd, p.rows(), p.cols()));
        }
      } else { // through upload: a device buffer's host memory is not the buffer
        float[] v = new float[p.size()];
        for (int i = 0; i < v.length; i++) {
          v[i] = (float) p.init().next(rnd, p.rows(), p.cols());
        }
        ops.upload(v, 0, values, p.offset(), v.length);
      }
    }
  }

  /** Collects parameters while a model is being constructed. */
  public static final class Builder {
    private final List<DenseParam> params = new ArrayList<>();
    private final Map<String, DenseParam> byName = new LinkedHashMap<>();
    private int size;
    private boolean built;

    /** Adds a (rows, cols) parameter; names must be unique within the model. */
    public DenseParam add(String name, int rows, int cols, Init init) {
      if (built) {
        throw new IllegalStateException("store already built; cannot add " + name);
      }
      if (rows < 1 || cols < 1) {
        throw new IllegalArgumentException("parameter " + name + " must have positive shape, was "
            + rows + " x " + cols);
      }
      if (byName.containsKey(name)) {
        throw new IllegalArgumentException("parameter name " + name + " is used twice");
      }
      long end = (long) size + (long) rows * cols;
      if (end > Integer.MAX_VALUE - 8) {
        throw new IllegalArgumentException("the dense parameters exceed one Java array ("
            + end + " elements)");
      }
      DenseParam p = new DenseParam(name, size, rows, cols, init);
      params.add(p);
      byName.put(name, p);
      size = (int) end;
      return p;
    }

    public int size() {
      return size;
    }

    public ParameterStore build(Ops ops, long seed) {
      built = true;
      return new ParameterStore(ops, params, size, seed);
    }
  }

  public Ops ops() {
    return ops;
  }

  /** Number of dense scalars. */
  public int size() {
    return values.length();
  }

  public List<DenseParam> params() {
    return params;
  }

  /** (size) all values. */
  public Buf values() {
    return values;
  }

  /** (size) all gradients. */
  public Buf grads() {
    return grads;
  }

  /**
   * The gradients on the host: on a backend whose buffers are host arrays ({@link
   * Ops#hostArray}), the live gradient buffer itself, so that {@link #gradsToHost} and {@link
   * #gradsFromHost} cost nothing; elsewhere (a GPU) a host staging array of {@link #size()} that
   * those two methods fill from and drain into the device buffer. Communication reads and writes
   * this array, and only between those two calls.
   */
  public float[] hostGrads() {
    return hostGrads.array();
  }

  /** Makes {@code hostGrads()[from, to)} equal to the gradient buffer (a download, or nothing). */
  public void gradsToHost(int from, int to) {
    hostGrads.toHost(from, to);
  }

  /** Makes the gradient buffer's {@code [from, to)} equal to {@code hostGrads()} (an upload, or nothing). */
  public void gradsFromHost(int from, int to) {
    hostGrads.fromHost(from, to);
  }

  /** The values on the host, as {@link #hostGrads()} is for the gradients. */
  public float[] hostValues() {
    return hostValues.array();
  }

  /** Makes {@code hostValues()[from, to)} equal to the values (a download, or nothing). */
  public void valuesToHost(int from, int to) {
    hostValues.toHost(from, to);
  }

  /** Makes the values' {@code [from, to)} equal to {@code hostValues()} (an upload, or nothing). */
  public void valuesFromHost(int from, int to) {
    hostValues.fromHost(from, to);
  }

  /**
   * All values on the host, current as of this call: {@link #valuesToHost} over the whole store,
   * then {@link #hostValues()} (the live buffer on host backends, a copy on a GPU). Writes into
   * it reach the buffer only through {@link #valuesFromHost}. For readers such as checksums.
   */
  public float[] valueArray() {
    valuesToHost(0, size());
    return hostValues();
  }

  /** All gradients on the host, current as of this call, as {@link #valueArray()} is for values. */
  public float[] gradArray() {
    gradsToHost(0, size());
    return hostGrads();
  }

  public void zeroGrads() {
    ops.fill(grads, 0);
  }

  /**
   * The dense gradients of this step, for {@code GradientSync}, over {@link #hostGrads()} and
   * {@link #hostValues()}. Transfers nothing: the caller moves the ranges it communicates with
   * {@link #gradsToHost}/{@link #gradsFromHost} (and the values, for strategies that apply the
   * update).
   */
  public DenseGradients denseGradients() {
    return new DenseGradients(hostGrads(), hostValues(), size());
  }
}
