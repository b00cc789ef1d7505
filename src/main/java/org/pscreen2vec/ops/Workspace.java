package org.pscreen2vec.ops;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * A training step's temporaries, kept from one step to the next (issue 15). A step of the paper
 * Screen2Vec allocated about 300 MB of activations and gradients, a dozen arrays of 25 MB each,
 * all above G1's humongous threshold: every step paid for zeroing and collecting them, and in a
 * multicore job their humongous allocations started a concurrent mark nearly every step.
 *
 * <p>A workspace hands out buffers only inside a {@link #begin scope}, and only to the thread
 * that opened it; the k-th buffer taken in a scope is backed by the storage of the k-th buffer
 * of the previous scope (allocated, or grown when too small, at {@link #GROWTH} times the
 * request, so that batches a little larger than the first do not reallocate). A model's step
 * takes its buffers in the same order every time, so the storage settles at the largest batch
 * seen. Outside a scope
 * (evaluation, embeddings returned to a caller) and on other threads every take is a plain
 * {@link Ops#alloc}, so nothing that escapes a step can be overwritten by the next one.
 *
 * <p>The rule for the owner: nothing taken in a scope may be used after the next {@link
 * #begin}. A step's tape and its gradients of activations satisfy it; a model's parameter
 * gradients, which a communication thread reads, do not come from here.
 */
public final class Workspace {
  /** Headroom of a grown buffer over the request that outgrew it. */
  static final double GROWTH = 1.125;

  private final Ops ops;
  /** Storage of the k-th take of a scope (capacity = its length), reused by the next scope. */
  private final List<Buf> kept = new ArrayList<>();
  private Thread owner; // the thread inside a scope, null outside
  private int next;     // takes so far in the current scope
  private boolean poison;

  public Workspace(Ops ops) {
    this.ops = ops;
  }

  /** A workspace no one opens: every take allocates (layers built without a model's own). */
  public static Workspace none(Ops ops) {
    return new Workspace(ops);
  }

  /** The open scope; closing it ends reuse until the next {@link #begin}. */
  public interface Scope extends AutoCloseable {
    @Override
    void close();
  }

  /**
   * Opens a scope on the calling thread: the buffers of the previous scope are free again. A
   * scope opened while another is open fails (a step inside a step would reuse its own tape).
   */
  public Scope begin() {
    if (owner != null) {
      throw new IllegalStateException("a workspace scope is already open on thread "
          + owner.getName());
    }
    owner = Thread.currentThread();
    next = 0;
    if (poison) {
      for (Buf b : kept) {
        ops.fill(b, Double.NaN);
      }
    }
    return () -> owner = null;
  }

  /** n elements, all zero (what {@link Ops#alloc} gives). */
  public Buf zeroed(int n) {
    Buf b = take(n);
    if (b != null) {
      ops.fill(b, 0);
      return b;
    }
    return ops.alloc(n);
  }

  /**
   * n elements of unspecified content: for a caller whose next call writes all n of them
   * (a product with beta 0, a gather, a bag mean), so that clearing them first would be wasted.
   */
  public Buf overwritten(int n) {
    Buf b = take(n);
    return b != null ? b : ops.alloc(n);
  }

  /**
   * Tests: fill the kept buffers with NaN at every {@link #begin}, so that a value a step reads
   * without having written it in that step shows up in its results.
   */
  public void poisonOnBegin(boolean on) {
    this.poison = on;
  }

  /** Elements held between scopes (the memory the reuse costs). */
  public long heldElements() {
    return kept.stream().mapToLong(Buf::length).sum();
  }

  /** The k-th kept buffer as n elements, or null outside the owner's scope. */
  private Buf take(int n) {
    if (n < 0) {
      throw new IllegalArgumentException("a buffer of " + n + " elements");
    }
    if (owner != Thread.currentThread()) {
      return null;
    }
    int k = next++;
    if (k == kept.size()) {
      kept.add(null);
    }
    Buf b = kept.get(k);
    if (b == null || b.length() < n) {
      b = ops.alloc((int) Math.min(Integer.MAX_VALUE - 8, (long) (n * GROWTH)));
      kept.set(k, b);
    }
    return b.length() == n ? b : b.slice(0, n);
  }

  @Override
  public String toString() {
    return "Workspace" + Arrays.toString(kept.stream().mapToInt(Buf::length).toArray());
  }
}
