package org.pscreen2vec.ps;

import java.util.Arrays;
import org.pscreen2vec.ops.FloatBuf;
import org.pscreen2vec.optim.DenseOptimizer;

/** A server's contiguous shard of the dense parameters ({@link Partition#shardStart}). */
final class DenseRange extends KeyRange {
  private final float[] values; // (shardLength) this server's dense parameters
  private final float[] sum; // (shardLength) BSP: samples-weighted sum of the round's gradients
  private final DenseOptimizer optimizer;

  DenseRange(int length, int workers, boolean bsp, DenseOptimizer optimizer) {
    super("dense", workers, length == 0);
    this.values = new float[length];
    this.sum = new float[bsp ? length : 0];
    this.optimizer = optimizer;
    optimizer.initialise(length);
  }

  /** (shardLength) the parameters themselves, not a copy. */
  float[] values() {
    return values;
  }

  @Override
  void load(float[] v) {
    System.arraycopy(v, 0, values, 0, values.length);
  }

  @Override
  float[] read(int[] ids) {
    return values.clone();
  }

  @Override
  void applyNow(ServerRequest push, float scale, long update) {
    float[] g = push.values(); // (shardLength) gradient of the worker's mean loss
    if (push.samples() > 0) {
      scale(g, scale);
      optimizer.step(new FloatBuf(values), new FloatBuf(g));
    }
  }

  @Override
  void accumulate(ServerRequest push, float weight) {
    float[] g = push.values(); // (shardLength)
    for (int i = 0; i < g.length; i++) {
      sum[i] += weight * g[i];
    }
  }

  @Override
  void applyRound(float scale, long update) {
    scale(sum, scale);
    optimizer.step(new FloatBuf(values), new FloatBuf(sum));
  }

  @Override
  void clearRound() {
    Arrays.fill(sum, 0);
  }

  @Override
  String pushName(int step) {
    return "dense step " + step;
  }
}
