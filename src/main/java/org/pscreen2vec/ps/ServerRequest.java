package org.pscreen2vec.ps;

/**
 * A request as the server's handler sees it: validated ({@link RequestValidator}), its payload
 * received. {@code table} is -1 for the dense shard; {@code ids} is null unless the operation
 * carries row ids, {@code values} null unless it carries floats.
 */
record ServerRequest(Op op, int worker, int table, int step, int samples, int seq, int[] ids,
    float[] values) {

  static ServerRequest of(int[] h, int[] ids, float[] values) {
    return new ServerRequest(Op.of(h[Wire.H_OP]), h[Wire.H_WORKER], h[Wire.H_TABLE],
        h[Wire.H_STEP], h[Wire.H_SAMPLES], h[Wire.H_SEQ], ids, values);
  }
}
