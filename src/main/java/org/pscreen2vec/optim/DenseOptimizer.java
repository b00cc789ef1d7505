package org.pscreen2vec.optim;

import java.util.Map;
import org.pscreen2vec.ops.Buf;

/**
 * Updates a flat dense parameter buffer from its gradient buffer (Tribuo's contract: initialise,
 * step, state, reset). Implementations: {@link Sgd} (with momentum), {@link Adam}.
 */
public interface DenseOptimizer {
  String name();

  /** Allocates state for {@code size} parameters (zeroed). */
  void initialise(int size);

  /** One update of params from grads (both of the initialised size). */
  void step(Buf params, Buf grads);

  /** The state for checkpoints: named buffers (moments) and the step count under "t". */
  Map<String, Buf> state();

  /** Number of steps taken. */
  long steps();

  /** Sets the step count, with {@link #state()} loaded from a checkpoint (resume). */
  void restoreSteps(long steps);

  /** Forgets all state (moments, step count). */
  void reset();
}
