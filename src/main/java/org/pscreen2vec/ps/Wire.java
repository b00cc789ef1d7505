package org.pscreen2vec.ps;

/**
 * The parameter-server wire format: a fixed header of {@link #HEADER_INTS} ints, then payload
 * messages whose element counts the header fixes completely. No Java serialization: a server can
 * validate every field before it allocates or receives anything ({@link RequestValidator}, the one
 * place that does). Operations are {@link Op}s; their codes go into the header.
 *
 * <pre>
 *  setup    worker 0 -> server, first of all: SETUP header, then int[count] payload
 *           {dense length, tables, rows_0, dim_0, rows_1, dim_1, ...}
 *  request  worker -> server   tag TAG_REQUEST   int[10] header
 *           payload            tag TAG_PAYLOAD   PUSH_DENSE, INIT_DENSE: float[count]
 *                                                PUSH_ROWS, INIT_ROWS: int[count] ids, then
 *                                                  float[count * width] rows (INIT_ROWS: no ids,
 *                                                  the server's local rows in order)
 *                                                PULL_ROWS: int[count] ids
 *  reply    server -> worker   tag TAG_REPLY     int[10] header (op REPLY_OK/DATA/ERROR, seq echoed)
 *           payload            tag TAG_REPLY_PAYLOAD  DATA: float[count]; ERROR: byte[count] text
 * </pre>
 */
public final class Wire {
  /** "PS" and format version 1. A server rejects any other value. */
  public static final int MAGIC = 0x5053_0001;
  public static final int HEADER_INTS = 10;

  // header fields
  public static final int H_MAGIC = 0;
  public static final int H_OP = 1;
  public static final int H_TABLE = 2; // -1 dense, else the sparse table index
  public static final int H_STEP = 3;
  public static final int H_WORKER = 4;
  public static final int H_COUNT = 5; // floats (dense) or ids (rows)
  public static final int H_WIDTH = 6; // row width (rows) or shard offset (dense)
  public static final int H_SEQ = 7; // request number, echoed in the reply
  public static final int H_SAMPLES = 8; // samples behind a pushed gradient
  public static final int H_RESERVED = 9;

  /** Most sparse tables a job may declare. */
  public static final int MAX_TABLES = 64;

  public static final int TAG_REQUEST = 500;
  public static final int TAG_PAYLOAD = 501;
  public static final int TAG_REPLY = 502;
  public static final int TAG_REPLY_PAYLOAD = 503;

  /** Longest error text a server sends. */
  public static final int MAX_ERROR_BYTES = 4096;

  private Wire() {}

  /** A request or reply header; the operation's code goes into {@link #H_OP}. */
  public static int[] header(Op op, int table, int step, int worker, int count, int width,
      int seq, int samples) {
    return header(op.code(), table, step, worker, count, width, seq, samples);
  }

  /** A header with any operation code, also one that names no operation (malformed requests). */
  static int[] header(int op, int table, int step, int worker, int count, int width, int seq,
      int samples) {
    int[] h = new int[HEADER_INTS];
    h[H_MAGIC] = MAGIC;
    h[H_OP] = op;
    h[H_TABLE] = table;
    h[H_STEP] = step;
    h[H_WORKER] = worker;
    h[H_COUNT] = count;
    h[H_WIDTH] = width;
    h[H_SEQ] = seq;
    h[H_SAMPLES] = samples;
    return h;
  }
}
