package org.pscreen2vec.ps;

import java.util.List;

/**
 * The operations of the parameter-server wire format, with their codes on the wire. The names are
 * what logs, error messages and {@code ps-rank<r>.csv} show.
 */
public enum Op {
  INIT_DENSE(1),
  INIT_ROWS(2),
  PUSH_DENSE(3),
  PULL_DENSE(4),
  PUSH_ROWS(5),
  PULL_ROWS(6),
  DONE(7),
  SETUP(8),
  /**
   * Worker 0 to each server instead of SETUP: the job does not use the servers ({@code --strategy
   * auto} chose allreduce for every block). The server serves nothing and ends at once.
   */
  NOT_USED(9),
  REPLY_OK(64),
  REPLY_DATA(65),
  REPLY_ERROR(66);

  /** The requests a worker sends, in the order the accounting reports them. */
  public static final List<Op> REQUESTS = List.of(SETUP, INIT_DENSE, INIT_ROWS, PUSH_DENSE,
      PULL_DENSE, PUSH_ROWS, PULL_ROWS, DONE);

  private final int code;

  Op(int code) {
    this.code = code;
  }

  /** The value of the header's operation field. */
  public int code() {
    return code;
  }

  /** The operation with this code, or null when there is none. */
  public static Op of(int code) {
    for (Op op : values()) {
      if (op.code == code) {
        return op;
      }
    }
    return null;
  }

  /** The name of the operation with this code, or "op N" for a code that names none. */
  public static String name(int code) {
    Op op = of(code);
    return op == null ? "op " + code : op.name();
  }

  /** Acts on the dense shard (table field -1). */
  boolean dense() {
    return this == INIT_DENSE || this == PUSH_DENSE || this == PULL_DENSE;
  }

  /** Acts on the rows of a sparse table. */
  boolean rows() {
    return this == INIT_ROWS || this == PUSH_ROWS || this == PULL_ROWS;
  }

  /** Sends a list of row ids after the header. */
  boolean carriesIds() {
    return this == PUSH_ROWS || this == PULL_ROWS;
  }

  /** Sends float values after the header (and after the ids, if any). */
  boolean carriesValues() {
    return this == INIT_DENSE || this == PUSH_DENSE || this == INIT_ROWS || this == PUSH_ROWS;
  }
}
