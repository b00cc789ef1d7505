package org.pscreen2vec.ops.ref;

import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.OpsConformance;

/**
 * The reference against a second instance of itself: the values agree trivially, but the suite's
 * poison, guard and unchanged-input checks still test the reference's own writes.
 */
class ReferenceOpsConformanceTest extends OpsConformance {
  @Override
  protected Ops create() {
    return new ReferenceOps();
  }
}
