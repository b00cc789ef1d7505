package org.pscreen2vec.ps;

/** A worker's traffic with the parameter servers: bytes and messages per operation, wait time. */
public final class PsAccounting {
  private static final int OTHER = Op.values().length; // requests whose code names no operation
  final long[] bytesSent = new long[OTHER + 1];
  final long[] bytesReceived = new long[OTHER + 1];
  final long[] messages = new long[OTHER + 1];
  long waitNanos;

  void add(Op op, long sent, long received) {
    int i = op == null ? OTHER : op.ordinal();
    bytesSent[i] += sent;
    bytesReceived[i] += received;
    messages[i]++;
  }

  public long bytesSent() {
    return sum(bytesSent);
  }

  public long bytesReceived() {
    return sum(bytesReceived);
  }

  public long bytesSent(Op op) {
    return bytesSent[op.ordinal()];
  }

  public long bytesReceived(Op op) {
    return bytesReceived[op.ordinal()];
  }

  public long messages(Op op) {
    return messages[op.ordinal()];
  }

  /** Time spent waiting for server replies, in seconds. */
  public double waitSeconds() {
    return waitNanos / 1e9;
  }

  private static long sum(long[] a) {
    long s = 0;
    for (long b : a) {
      s += b;
    }
    return s;
  }
}
