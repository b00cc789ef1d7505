package org.pscreen2vec.ops;

/**
 * The numeric kernels the layers call. Model code is written once against this interface; a
 * backend decides where and how the arithmetic runs: {@code ops.cpu.CpuOps} (float, ND4J/OpenBLAS
 * GEMM, or plain Java without native code), {@code ops.ref.ReferenceOps} (double, plain Java: the
 * reference that gradient checks and the conformance suite use) and, later, a CUDA backend.
 * Each backend implements every method itself (none inherits kernels from another, so none can
 * silently fall back to a slow path), and all pass one conformance suite ({@code
 * OpsConformance} in the tests).
 *
 * <p>Conventions: matrices are row-major slices; a kernel that produces a gradient of a parameter
 * or of a shared input <em>adds</em> to its output ({@code +=}, named "...Into" or documented so);
 * every other kernel overwrites its output. Outputs may alias inputs only where stated.
 */
public interface Ops {
  /** "cpu" (ND4J float), "java-float", "java-double", ... */
  String name();

  /** True when buffers hold doubles (the gradient-check backend). */
  boolean isDouble();

  /** A new zeroed buffer of n elements in this backend's storage. */
  Buf alloc(int n);

  /** Matrix-product counters (calls, FLOPs, time), for bench-step's utilisation figures. */
  GemmCounters counters();

  // ---------------------------------------------------------------- host transfers

  /**
   * dst[dstOff + i] = src[srcOff + i] for i < n: host floats into a buffer of this backend (a
   * device copy on an accelerator). The only way code outside {@code ops} writes a buffer in bulk.
   */
  void upload(float[] src, int srcOff, Buf dst, int dstOff, int n);

  /**
   * dst[dstOff + i] = src[srcOff + i] for i < n, rounded to float: a buffer's elements into host
   * floats (what a communicator sends). The only way code outside {@code ops} reads in bulk.
   */
  void download(Buf src, int srcOff, float[] dst, int dstOff, int n);

  /**
   * The heap array that <em>is</em> buffer b, when this backend keeps b as one whole {@code
   * float[]} (offset 0, same length), else null. Lets a communicator send and receive a
   * buffer in place on the CPU (MPJ needs heap arrays); where this returns null (doubles, a
   * slice, device memory) the caller copies through {@link #download} and {@link #upload}.
   * Like {@link java.nio.ByteBuffer#hasArray}: a capability, not a cast.
   */
  float[] hostArray(Buf b);

  // ---------------------------------------------------------------- matrix products

  /**
   * {@code C(m,n) = alpha * op(A) * op(B) + beta * C}. op(A) is (m,k): A is stored (m,k), or (k,m)
   * when {@code transA}; op(B) is (k,n): B stored (k,n), or (n,k) when {@code transB}.
   */
  void gemm(boolean transA, boolean transB, int m, int n, int k, double alpha, Buf a, Buf b,
      double beta, Buf c);

  /**
   * Promises that {@code b} does not change until the returned handle is closed, so that a backend
   * may keep a copy of it next to its products for that long (the CPU backend keeps one off-heap
   * copy of a held matrix instead of copying it into native memory for every product: a
   * recurrent layer's weights, multiplied once per time step). Writing b while it is held is a
   * programming error with undefined results. By default nothing is kept.
   */
  default Held hold(Buf b) {
    return Held.NONE;
  }

  /** A {@link #hold}; closing it ends the promise. */
  interface Held extends AutoCloseable {
    Held NONE = () -> { };

    @Override
    void close();
  }

  // ---------------------------------------------------------------- element-wise

  void fill(Buf x, double v);

  /** dst = src (equal lengths). */
  void copy(Buf src, Buf dst);

  /** y += alpha * x. */
  void axpy(double alpha, Buf x, Buf y);

  /** x *= alpha. */
  void scale(Buf x, double alpha);

  /** out = a * b (element-wise; out may alias a or b). */
  void mul(Buf a, Buf b, Buf out);

  /** out += a * b (element-wise). */
  void mulAddInto(Buf a, Buf b, Buf out);

  /** y = max(x, 0); y may alias x. */
  void relu(Buf x, Buf y);

  /** dx = dy * (y > 0), from the forward output y; dx may alias dy. */
  void reluBackward(Buf y, Buf dy, Buf dx);

  /** y = tanh(x); y may alias x. */
  void tanh(Buf x, Buf y);

  /** dx = dy * (1 - y^2); dx may alias dy. */
  void tanhBackward(Buf y, Buf dy, Buf dx);

  /** y = 1 / (1 + exp(-x)); y may alias x. */
  void sigmoid(Buf x, Buf y);

  /** dx = dy * y * (1 - y); dx may alias dy. */
  void sigmoidBackward(Buf y, Buf dy, Buf dx);

  // ---------------------------------------------------------------- rows and columns

  /** x(rows, cols)[r, :] += v(cols) for every row. */
  void addRowVector(Buf x, int rows, int cols, Buf v);

  /** out(cols) += sum over rows of x(rows, cols) (a bias gradient). */
  void sumRowsInto(Buf x, int rows, int cols, Buf out);

  /**
   * dst(rows, dstCols)[r, dstCol + j] = src(rows, srcCols)[r, srcCol + j] for j < width: the
   * forward of a concatenation and the backward of a split, and vice versa.
   */
  void copyColumns(Buf src, int srcCols, int srcCol, Buf dst, int dstCols, int dstCol, int rows,
      int width);

  /** out(rows, cols)[r] = keep[r] ? a[r] : b[r]; out may alias a or b. */
  void selectRows(boolean[] keep, Buf a, Buf b, Buf out, int cols);

  /** x(rows, cols)[r] = 0 where !keep[r]. */
  void zeroRows(boolean[] keep, Buf x, int cols);

  // ---------------------------------------------------------------- embeddings

  /** out(ids.length, dim)[i] = table(?, dim)[ids[i]]. */
  void gatherRows(Buf table, int dim, int[] ids, Buf out);

  /** dTable(?, dim)[ids[i]] += dOut(ids.length, dim)[i]; repeated ids accumulate. */
  void scatterAddRows(Buf dOut, int dim, int[] ids, Buf dTable);

  /**
   * Mean embedding bags: out(bags, dim)[b] = mean of table[ids[j]] for j in
   * [offsets[b], offsets[b+1]); an empty bag gives zeros. offsets has bags + 1 entries.
   */
  void bagMean(Buf table, int dim, int[] ids, int[] offsets, Buf out);

  /**
   * Backward of {@link #bagMean} into compact row gradients: dRows(?, dim)[slots[j]] +=
   * dOut[b] / |bag b| for each j of bag b (slots[j] is the compact row of ids[j]).
   */
  void bagMeanBackward(Buf dOut, int dim, int[] slots, int[] offsets, Buf dRows);

  // ---------------------------------------------------------------- losses

  /**
   * Softmax cross-entropy of each row of logits(rows, cols) against column targets[r], over the
   * columns where allowed(rows, cols) is true (null: all). Writes dLogits = scale * (softmax -
   * onehot), 0 at disallowed columns (dLogits may alias logits) and returns the summed loss (not
   * scaled). The target column must be allowed.
   */
  double softmaxCrossEntropy(Buf logits, int rows, int cols, int[] targets, boolean[] allowed,
      Buf dLogits, double scale);

  /** Returns sum (p - t)^2 and writes dPred = scale * 2 (p - t). */
  double squaredError(Buf pred, Buf target, Buf dPred, double scale);

  // ---------------------------------------------------------------- convolution (NHWC)

  /**
   * Patches of x(n, h, w, c) for a k x k kernel, stride 1, zero padding pad, same output size:
   * cols(n * h * w, k * k * c), patch order (ky, kx, c).
   */
  void im2col(Buf x, int n, int h, int w, int c, int k, int pad, Buf cols);

  /** Backward of {@link #im2col}: dx(n, h, w, c) = sum of the patch gradients (overwrites dx). */
  void col2im(Buf dCols, int n, int h, int w, int c, int k, int pad, Buf dx);

  /** 2 x 2 max pooling, stride 2: y(n, h/2, w/2, c); argmax(y.length) records the source index. */
  void maxPool2(Buf x, int n, int h, int w, int c, Buf y, int[] argmax);

  /** dx = 0, then dx[argmax[i]] += dy[i]. */
  void maxPool2Backward(Buf dy, int[] argmax, Buf dx);

  // ---------------------------------------------------------------- whole convolution layers

  /**
   * Floats of scratch that {@link #conv2d} and {@link #conv2dBackward} need for this geometry:
   * by default the patch matrix (n h w, k k cin) of the im2col path; a backend that convolves
   * directly may ask for less (its packed copy of x) or for 0 (then pass null).
   */
  default long conv2dScratch(int n, int h, int w, int cin, int k) {
    return (long) n * h * w * k * k * cin;
  }

  /**
   * One convolution layer: y(n, h, w, cout) = x(n, h, w, cin) convolved with wt(k k cin, cout)
   * (patch order (ky, kx, c) as {@link #im2col}), stride 1, zero padding k / 2, plus
   * bias(cout); k odd. scratch ({@link #conv2dScratch} floats; null when
   * that is 0) keeps what {@link
   * #conv2dBackward} needs from this call. The default is {@link #im2col} into scratch, one
   * {@link #gemm} and {@link #addRowVector}: every backend has it, and one may do better.
   */
  default void conv2d(Buf x, int n, int h, int w, int cin, int k, Buf wt, Buf bias, int cout,
      Buf y, Buf scratch) {
    int rows = n * h * w;
    if (rows == 0) {
      return; // no pixels: nothing to write (scratch may then be null)
    }
    im2col(x, n, h, w, cin, k, k / 2, scratch);
    gemm(false, false, rows, cout, k * k * cin, 1, scratch, wt, 0, y);
    addRowVector(y, rows, cout, bias);
  }

  /**
   * Backward of the last {@link #conv2d} with this x (unchanged since), wt and scratch: adds
   * the weight gradient to dWt(k k cin, cout) and the column sums of dy(n h w, cout) to
   * dBias(cout), and writes the input gradient dx(n, h, w, cin) (overwritten) unless dx is
   * null. May overwrite scratch. The default: two {@link #gemm}s on the patches left in
   * scratch, {@link #sumRowsInto}, and {@link #col2im} of the patch gradients (written into
   * scratch once the weight gradient has read the patches).
   */
  default void conv2dBackward(Buf x, int n, int h, int w, int cin, int k, Buf wt, int cout,
      Buf dy, Buf dWt, Buf dBias, Buf dx, Buf scratch) {
    int rows = n * h * w;
    int patch = k * k * cin;
    if (rows == 0) {
      return; // no pixels: the gradients gain nothing
    }
    gemm(true, false, patch, cout, rows, 1, scratch, dy, 1, dWt);
    sumRowsInto(dy, rows, cout, dBias);
    if (dx != null) {
      gemm(false, true, rows, patch, cout, 1, dy, wt, 0, scratch);
      col2im(scratch, n, h, w, cin, k, k / 2, dx);
    }
  }

  // ---------------------------------------------------------------- optimizer updates

  /** SGD with momentum: v = mu v + g; p -= lr v. */
  void sgdMomentum(Buf p, Buf g, Buf v, double lr, double mu);

  /**
   * Adam with bias correction for step t (1-based) over all elements.
   */
  void adam(Buf p, Buf g, Buf m, Buf v, double lr, double b1, double b2, double eps, long t);

  /**
   * Lazy Adam on the rows ids[i] of a table(?, dim) with compact gradients rows(ids.length, dim);
   * the moments m, v have the table's shape; t is the global step (bias correction as in
   * TensorFlow's LazyAdam).
   */
  void sparseAdam(Buf table, int dim, int[] ids, Buf rows, Buf m, Buf v, double lr, double b1,
      double b2, double eps, long t);

  /** Adagrad on the rows ids[i]: acc += g^2; p -= lr g / (sqrt(acc) + eps). */
  void sparseAdagrad(Buf table, int dim, int[] ids, Buf rows, Buf acc, double lr, double eps);

  // ---------------------------------------------------------------- fused layer steps

  /**
   * x(rows, cols)[r] = tanh(x[r] + v) in place: {@link #addRowVector} then {@link #tanh} in one
   * pass (the RNN cell's step). Equal to that pair: bitwise on the CPU backends.
   */
  void biasTanh(Buf x, int rows, int cols, Buf v);

  /**
   * dx = dy * (1 - y^2) (dx may alias dy), then out(cols) += the column sums of dx(rows, cols):
   * {@link #tanhBackward} then {@link #sumRowsInto} in one pass. y, dy, dx have equal lengths.
   */
  void tanhBackwardSumRows(Buf y, Buf dy, Buf dx, int rows, int cols, Buf out);

  /**
   * The LSTM cell's element-wise step: gates(rows, 4 hidden) holds the pre-activations [i|f|g|o]
   * and is overwritten with their activations (sigmoid, sigmoid, tanh, sigmoid); then
   * c = f * cPrev + i * g and h = o * tanh(c), each (rows, hidden). On the CPU bitwise the same
   * element-wise kernels called one after another.
   */
  void lstmCellForward(Buf gates, Buf cPrev, Buf c, Buf h, int rows, int hidden);

  /**
   * Its backward from the forward's gates (activations), cPrev and c: with dC = dh * o *
   * (1 - tanh(c)^2) + dc (dc null: no gradient from a later step), writes dGates(rows, 4 hidden),
   * the gradients of the pre-activations, and dcPrev = dC * f.
   */
  void lstmCellBackward(Buf gates, Buf cPrev, Buf c, Buf dh, Buf dc, Buf dGates, Buf dcPrev,
      int rows, int hidden);
}
