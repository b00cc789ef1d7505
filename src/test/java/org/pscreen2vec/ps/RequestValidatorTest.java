package org.pscreen2vec.ps;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Every check a server makes before it allocates or receives anything: each wrong header field
 * gets an error naming it, and the payload sizes a header implies are computed without overflow
 * (so an oversized request is recognised from its header alone).
 */
class RequestValidatorTest {
  // server 0 of 2, 3 workers; dense length 10 (this server's shard: 5 floats at 0);
  // table "E": 7 rows of width 4 (this server holds rows 0, 2, 4, 6)
  private final RequestValidator v = new RequestValidator(3, 0, new Partition(2, 10),
      List.of(new TableSpec("E", 7, 4)));

  private static int[] h(Op op, int table, int count, int width) {
    return Wire.header(op, table, 0, 1, count, width, 1, 1);
  }

  @Test
  void validHeadersPass() {
    assertNull(v.header(h(Op.PUSH_DENSE, -1, 5, 0), 1));
    assertNull(v.header(h(Op.PULL_ROWS, 0, 4, 4), 1));
    assertNull(v.header(h(Op.PUSH_ROWS, 0, 4, 4), 1));
    int[] init = Wire.header(Op.INIT_ROWS, 0, 0, 0, 4, 4, 1, 0);
    assertNull(v.header(init, 0));
    assertNull(v.header(h(Op.DONE, -1, 0, 0), 1));
  }

  @Test
  void eachWrongFieldIsNamed() {
    int[] magic = h(Op.PULL_ROWS, 0, 0, 4);
    magic[Wire.H_MAGIC] = 0x0BAD0BAD;
    assertEquals("bad magic/version 0x0bad0bad (expected 0x50530001)", v.header(magic, 1));
    assertEquals("rank 3 is not a worker", v.header(h(Op.DONE, -1, 0, 0), 3));
    assertEquals("header says worker 1 but it came from rank 2",
        v.header(h(Op.DONE, -1, 0, 0), 2));
    int[] step = h(Op.PULL_DENSE, -1, 5, 0);
    step[Wire.H_STEP] = -3;
    assertEquals("negative step -3", v.header(step, 1));
    int[] samples = h(Op.PUSH_DENSE, -1, 5, 0);
    samples[Wire.H_SAMPLES] = -1;
    assertEquals("sample count -1 outside 0..16777216 (it weighs this worker's gradient in the "
        + "round's mean)", v.header(samples, 1));
    samples[Wire.H_SAMPLES] = Integer.MAX_VALUE; // one worker outweighing every other
    assertTrue(v.header(samples, 1).startsWith("sample count 2147483647 outside"));
    assertEquals("INIT_DENSE from worker 1: only worker 0 sends initial values",
        v.header(h(Op.INIT_DENSE, -1, 5, 0), 1));
    int[] unknown = h(Op.DONE, -1, 0, 0);
    unknown[Wire.H_OP] = 99;
    assertEquals("unknown operation 99", v.header(unknown, 1));
    assertEquals("PULL_DENSE must name table -1 (dense), not 0",
        v.header(h(Op.PULL_DENSE, 0, 5, 0), 1));
    assertEquals("PUSH_DENSE of 3 floats at offset 0 does not match this server's shard "
        + "(5 floats at 0)", v.header(h(Op.PUSH_DENSE, -1, 3, 0), 1));
    assertEquals("unknown table 5 (this job has 1)", v.header(h(Op.PULL_ROWS, 5, 0, 4), 1));
    assertEquals("row width 5 for table 'E' of width 4", v.header(h(Op.PULL_ROWS, 0, 0, 5), 1));
    assertEquals("PUSH_ROWS with 5 rows, but this server holds 4 rows of table 'E'",
        v.header(h(Op.PUSH_ROWS, 0, 5, 4), 1));
    assertEquals("PULL_ROWS with -1 rows, but this server holds 4 rows of table 'E'",
        v.header(h(Op.PULL_ROWS, 0, -1, 4), 1));
    assertEquals("INIT_ROWS with 3 rows, but this server holds 4 rows of table 'E'",
        v.header(Wire.header(Op.INIT_ROWS, 0, 0, 0, 3, 4, 1, 0), 0));
    assertEquals("DONE carries no payload, but count is 2", v.header(h(Op.DONE, -1, 2, 0), 1));
  }

  @Test
  void payloadSizesComeFromTheHeaderWithoutOverflow() {
    assertEquals(5, v.payloadElements(h(Op.PUSH_DENSE, -1, 5, 0)));
    assertEquals(0, v.payloadElements(h(Op.PULL_DENSE, -1, 5, 0)));
    assertEquals(3 + 3 * 4, v.payloadElements(h(Op.PUSH_ROWS, 0, 3, 4)));
    assertEquals(3, v.payloadElements(h(Op.PULL_ROWS, 0, 3, 4)));
    assertEquals((1L << 30) * 5, v.payloadElements(h(Op.PUSH_ROWS, 0, 1 << 30, 4)));
    assertEquals(-1, v.payloadElements(h(Op.PUSH_ROWS, 0, -2, 4)));
    int[] unknown = h(Op.DONE, -1, 7, 0);
    unknown[Wire.H_OP] = 99;
    assertEquals(0, v.payloadElements(unknown));
  }

  @Test
  void rowIdsMustBeThisServersInRangeAndDistinct() {
    int[] pull = h(Op.PULL_ROWS, 0, 2, 4);
    assertNull(v.ids(pull, new int[] {0, 6}));
    assertEquals("row id 8 is outside table 'E' (7 rows)", v.ids(pull, new int[] {8}));
    assertEquals("row id -2 is outside table 'E' (7 rows)", v.ids(pull, new int[] {-2}));
    assertEquals("row id 1 belongs to server 1, not 0", v.ids(pull, new int[] {1}));
    assertEquals("row id 4 appears twice in one request", v.ids(pull, new int[] {4, 4}));
    assertNull(v.ids(pull, new int[] {4, 2}), "a later request may name the same rows again");
  }

  @Test
  void setupIsCheckedBeforeItsPayloadIsReceived() {
    assertNull(RequestValidator.setupHeader(Wire.header(Op.SETUP, -1, 0, 0, 4, 0, 1, 0)));
    assertEquals("worker 0's first request is not a valid SETUP (PULL_ROWS, 4 ints)",
        RequestValidator.setupHeader(Wire.header(Op.PULL_ROWS, -1, 0, 0, 4, 0, 1, 0)));
    assertEquals("worker 0's first request is not a valid SETUP (SETUP, 1000 ints)",
        RequestValidator.setupHeader(Wire.header(Op.SETUP, -1, 0, 0, 1000, 0, 1, 0)));
    assertEquals(List.of(new TableSpec("table0", 7, 4)),
        RequestValidator.setupTables(new int[] {10, 1, 7, 4}));
    assertEquals("SETUP describes 2 tables in 4 ints", assertThrows(PsException.class,
        () -> RequestValidator.setupTables(new int[] {10, 2, 7, 4})).getMessage());
    assertEquals("SETUP table 0 has 0 x 4 entries", assertThrows(PsException.class,
        () -> RequestValidator.setupTables(new int[] {10, 1, 0, 4})).getMessage());
  }

  @Test
  void opcodesRoundTripAndUnknownOnesAreNamedByNumber() {
    for (Op op : Op.values()) {
      assertEquals(op, Op.of(op.code()));
    }
    assertNull(Op.of(99));
    assertEquals("op 99", Op.name(99));
    assertEquals("PULL_ROWS", Op.name(6));
  }
}
