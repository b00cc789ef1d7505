package org.pscreen2vec.run;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Which steps checkpoint, with and without epoch-end checkpoints (checkpoint.epochs). */
class CheckpointScheduleTest {
  private static List<Long> due(CheckpointSchedule s) {
    List<Long> out = new ArrayList<>();
    for (long step = 0; step <= s.lastStep(); step++) {
      if (s.at(step)) {
        out.add(step);
      }
    }
    return out;
  }

  @Test
  void withEpochsEveryNEpochEndsAndTheLastStep() {
    assertEquals(List.of(4L, 8L, 10L, 12L, 16L, 20L, 22L),
        due(new CheckpointSchedule(4, 10, 22, true)));
    assertEquals(List.of(10L, 20L, 22L), due(new CheckpointSchedule(0, 10, 22, true)));
  }

  @Test
  void withoutEpochsOnlyEveryN() {
    assertEquals(List.of(4L, 8L, 12L, 16L, 20L), due(new CheckpointSchedule(4, 10, 22, false)));
    assertEquals(List.of(), due(new CheckpointSchedule(0, 10, 22, false)));
  }

  @Test
  void aStoppedRunKeepsItsStateWhenItStoppedEarlyOrKeepsEpochCheckpoints() {
    CheckpointSchedule without = new CheckpointSchedule(0, 10, 22, false);
    assertTrue(without.atStop(7)); // preempted
    assertFalse(without.atStop(22)); // finished
    assertFalse(without.atStop(0)); // stopped before its first step
    CheckpointSchedule with = new CheckpointSchedule(0, 10, 22, true);
    assertTrue(with.atStop(7));
    assertTrue(with.atStop(22));
  }
}
