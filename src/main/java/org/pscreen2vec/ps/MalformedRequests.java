package org.pscreen2vec.ps;

import java.util.ArrayList;
import java.util.List;

/**
 * Sends a parameter server requests that are wrong in every way the wire format allows and checks
 * each is rejected with an error naming the problem — and that a valid request still works
 * afterwards. The oversized request goes last: the server stops accepting requests from a worker
 * whose declared payload it could not drain.
 *
 * <p>It lives in this package because it needs the client's raw sender ({@code PsClient.sendRaw}),
 * which is deliberately not public: nothing else should put unchecked headers on the wire.
 */
public final class MalformedRequests {
  private MalformedRequests() {}

  /** Returns the failures (empty when every case behaved). Server 0 is the target. */
  public static List<String> run(PsClient client, int me, TableSpec table, int servers, float[] values) {
    List<String> failures = new ArrayList<>();
    int dim = table.dim();
    int pushOk = -1;
    expect(failures, client, "bad magic", raw(client, Op.PULL_ROWS, 0, 0, me, 0, dim, 0x0BAD0BAD),
        null, null, "bad magic");
    expect(failures, client, "unknown operation", raw(client, 99, 0, 0, me, 0, dim, Wire.MAGIC),
        null, null, "unknown operation 99");
    expect(failures, client, "unknown table", raw(client, Op.PULL_ROWS, 5, 0, me, 0, dim,
        Wire.MAGIC), null, null, "unknown table 5");
    expect(failures, client, "wrong worker field", raw(client, Op.PULL_ROWS, 0, 0, me + 1, 0,
        dim, Wire.MAGIC), null, null, "came from rank");
    expect(failures, client, "negative step", raw(client, Op.PULL_ROWS, 0, -3, me, 0, dim,
        Wire.MAGIC), null, null, "negative step");
    expect(failures, client, "wrong row width", raw(client, Op.PULL_ROWS, 0, 0, me, 0, dim + 1,
        Wire.MAGIC), null, null, "row width");
    int outside = table.rows() + servers * 2; // owned by server 0 but past the end
    outside -= outside % servers;
    expect(failures, client, "row id out of range", raw(client, Op.PULL_ROWS, 0, 0, me, 1, dim,
        Wire.MAGIC), new int[] {outside}, null, "outside table");
    expect(failures, client, "negative row id", raw(client, Op.PULL_ROWS, 0, 0, me, 1, dim,
        Wire.MAGIC), new int[] {-servers}, null, "outside table");
    if (servers > 1) {
      expect(failures, client, "row of another server", raw(client, Op.PULL_ROWS, 0, 0, me, 1,
          dim, Wire.MAGIC), new int[] {1}, null, "belongs to server 1");
    }
    expect(failures, client, "duplicate ids", raw(client, Op.PUSH_ROWS, 0, 0, me, 2, dim,
        Wire.MAGIC), new int[] {0, 0}, new float[2 * dim], "appears twice");
    expect(failures, client, "dense shard of the wrong size", raw(client, Op.PUSH_DENSE, -1, 0,
        me, 3, 0, Wire.MAGIC), null, new float[3], "does not match this server's shard");
    float[] nan = new float[dim];
    nan[dim - 1] = Float.NaN;
    expect(failures, client, "non-finite pushed value", raw(client, Op.PUSH_ROWS, 0, 0, me, 1,
        dim, Wire.MAGIC), new int[] {0}, nan, "sent NaN at element " + (dim - 1));
    expect(failures, client, "payload shorter than its header", raw(client, Op.PUSH_ROWS, 0, 0,
        me, 1, dim, Wire.MAGIC), new int[] {0}, new float[dim - 1],
        "sent " + (dim - 1) + " values but its header says " + dim);
    int held = new Partition(servers, 0).localRows(0, table.rows());
    expect(failures, client, "INIT once training has begun", raw(client, Op.INIT_ROWS, 0, 0, me,
        held, dim, Wire.MAGIC), null, new float[held * dim],
        me == 0 ? "already has its initial values" : "only worker 0 sends initial values");
    // a valid request still works after all of that
    try {
      client.pullRows(0, new int[] {0}, 1, values, 0).await();
      pushOk = 1;
    } catch (PsException e) {
      failures.add("a valid pull after the bad requests failed: " + e.getMessage());
    }
    expect(failures, client, "oversized request", raw(client, Op.PUSH_ROWS, 0, 0, me, 1 << 30,
        dim, Wire.MAGIC), null, null, "rows of table");
    expect(failures, client, "request after an undrainable one", raw(client, Op.PULL_ROWS, 0, 0,
        me, 0, dim, Wire.MAGIC), null, null, "no longer accepted");
    if (pushOk != 1 && failures.isEmpty()) {
      failures.add("the valid pull did not run");
    }
    return failures;
  }

  private static int[] raw(PsClient client, Op op, int table, int step, int worker, int count,
      int width, int magic) {
    return raw(client, op.code(), table, step, worker, count, width, magic);
  }

  /** A header with any operation code, also one that names no operation. */
  private static int[] raw(PsClient client, int op, int table, int step, int worker, int count,
      int width, int magic) {
    int[] h = Wire.header(op, table, step, worker, count, width, client.nextSeq(), 1);
    h[Wire.H_MAGIC] = magic;
    return h;
  }

  private static void expect(List<String> failures, PsClient client, String what, int[] header,
      int[] ids, float[] values, String expected) {
    int op = header[Wire.H_OP];
    boolean rowsOp = op == Op.PULL_ROWS.code() || op == Op.PUSH_ROWS.code();
    if (ids == null && rowsOp && header[Wire.H_COUNT] == 0) {
      ids = new int[0]; // the wire format always sends the id list of a rows request
    }
    try {
      client.sendRaw(0, header, ids, values).await();
      failures.add(what + ": accepted, expected an error containing '" + expected + "'");
    } catch (PsException e) {
      if (!e.getMessage().contains(expected)) {
        failures.add(what + ": error '" + e.getMessage() + "' does not mention '" + expected
            + "'");
      }
    }
  }
}
