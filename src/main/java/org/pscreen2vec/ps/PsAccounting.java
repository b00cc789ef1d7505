package org.pscreen2vec.ps;

/** A worker's traffic with the parameter servers: bytes and messages per operation, wait time. */
public final class PsAccounting {
  private static final int OPS = 9;
  final long[] bytesSent = new long[OPS];
  final long[] bytesReceived = new long[OPS];
  final long[] messages = new long[OPS];
  long waitNanos;

  void add(int op, long sent, long received) {
    int i = op >= 0 && op < OPS ? op : 0;
    bytesSent[i] += sent;
    bytesReceived[i] += received;
    messages[i]++;
  }

  public long bytesSent() {
    long s = 0;
    for (long b : bytesSent) {
      s += b;
    }
    return s;
  }

  public long bytesReceived() {
    long s = 0;
    for (long b : bytesReceived) {
      s += b;
    }
    return s;
  }

  public long bytesSent(int op) {
    return bytesSent[op];
  }

  public long bytesReceived(int op) {
    return bytesReceived[op];
  }

  public long messages(int op) {
    return messages[op];
  }

  /** Time spent waiting for server replies, in seconds. */
  public double waitSeconds() {
    return waitNanos / 1e9;
  }
}
