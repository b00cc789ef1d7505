package org.pscreen2vec.train;

import java.util.Arrays;
import java.util.List;
import org.pscreen2vec.model.GradientReady;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.sync.BucketedSync;
import org.pscreen2vec.sync.Buckets;

/**
 * Hands the dense gradient to a {@link BucketedSync} bucket by bucket as backward finishes them:
 * the model says which ranges are final ({@link GradientReady}); a bucket goes (copied to the
 * host first, which on a GPU is a download) once all its parameters are final and every bucket
 * before it in the plan has gone, so every worker submits the same buckets in the same order
 * whatever its model reports. The last bucket of the plan is never submitted here: it travels
 * with the tables and the step's control block when the step's backward has returned
 * ({@link #flush}).
 */
final class BucketFeeder implements GradientReady {
  private final ParameterStore store;
  private final BucketedSync sync;
  private final List<Buckets.Bucket> plan;
  private final int[] bucketOf;  // (params) the bucket of each parameter
  private final boolean[] ready; // (params) final this step
  private final int[] pending;   // (buckets) parameters not yet final
  private int next;              // the next bucket to submit

  BucketFeeder(ParameterStore store, BucketedSync sync, long capFloats) {
    this.store = store;
    this.sync = sync;
    List<DenseParam> ps = store.params();
    int[] offsets = new int[ps.size()];
    int[] sizes = new int[ps.size()];
    for (int p = 0; p < ps.size(); p++) {
      offsets[p] = ps.get(p).offset();
      sizes[p] = ps.get(p).size();
    }
    this.plan = Buckets.plan(offsets, sizes, capFloats);
    this.bucketOf = new int[ps.size()];
    for (int b = 0; b < plan.size(); b++) {
      for (int p = plan.get(b).firstParam(); p < plan.get(b).endParam(); p++) {
        bucketOf[p] = b;
      }
    }
    this.ready = new boolean[ps.size()];
    this.pending = new int[plan.size()];
  }

  List<Buckets.Bucket> plan() {
    return plan;
  }

  /** Before each step's backward. */
  void begin() {
    Arrays.fill(ready, false);
    for (int b = 0; b < plan.size(); b++) {
      pending[b] = plan.get(b).endParam() - plan.get(b).firstParam();
    }
    next = 0;
  }

  @Override
  public void ready(int from, int to) {
    List<DenseParam> ps = store.params();
    for (int p = 0; p < ps.size(); p++) {
      DenseParam d = ps.get(p);
      if (!ready[p] && d.offset() >= from && d.offset() + d.size() <= to) {
        ready[p] = true;
        pending[bucketOf[p]]--;
      }
    }
    while (next < plan.size() - 1 && pending[next] == 0) {
      submit(plan.get(next++));
    }
  }

  /** After backward: submits what is left but the last bucket, and returns the last one. */
  Buckets.Bucket flush() {
    while (next < plan.size() - 1) {
      submit(plan.get(next++));
    }
    return plan.isEmpty() ? new Buckets.Bucket(0, 0, 0, 0) : plan.get(plan.size() - 1);
  }

  private void submit(Buckets.Bucket b) {
    store.gradsToHost(b.from(), b.to());
    sync.submit(b.from(), b.to());
  }
}
