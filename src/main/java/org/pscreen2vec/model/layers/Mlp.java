package org.pscreen2vec.model.layers;

import org.pscreen2vec.nn.Init;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * A stack of {@link Linear} layers: sizes[0] -> sizes[1] -> ... with {@code hidden} after every
 * layer but the last and {@code last} after the last.
 */
public final class Mlp {
  private final Ops ops;
  private final Linear[] layers;
  private final Activation hidden;
  private final Activation last;
  private Workspace ws;

  /** acts[0] is the input, acts[i + 1] the output of layer i (after its activation). */
  public record Tape(Buf[] acts, int rows) {
    public Buf out() {
      return acts[acts.length - 1];
    }
  }

  public Mlp(Ops ops, ParameterStore.Builder store, String name, int[] sizes, Activation hidden,
      Activation last) {
    if (sizes.length < 2) {
      throw new IllegalArgumentException("an MLP needs at least an input and an output size");
    }
    this.ops = ops;
    this.hidden = hidden;
    this.last = last;
    this.layers = new Linear[sizes.length - 1];
    for (int i = 0; i < layers.length; i++) {
      Activation a = i == layers.length - 1 ? last : hidden;
      Init init = a == Activation.RELU ? Init.he() : Init.xavier();
      layers[i] = new Linear(ops, store, name + "." + i, sizes[i], sizes[i + 1], init);
    }
    this.ws = Workspace.none(ops);
  }

  /** Where forward and backward take their activations and gradients from. */
  public void workspace(Workspace w) {
    this.ws = w;
    for (Linear l : layers) {
      l.workspace(w);
    }
  }

  public int in() {
    return layers[0].in();
  }

  public int out() {
    return layers[layers.length - 1].out();
  }

  /** x(rows, in) -> out(rows, out). */
  public Tape forward(Buf x, int rows) {
    Buf[] acts = new Buf[layers.length + 1];
    acts[0] = x;
    for (int i = 0; i < layers.length; i++) {
      Buf y = layers[i].forward(acts[i], rows);
      activation(i).forward(ops, y, y);
      acts[i + 1] = y;
    }
    return new Tape(acts, rows);
  }

  /** Adds parameter gradients; returns dx(rows, in), or null when {@code needDx} is false. */
  public Buf backward(Tape t, Buf dOut, boolean needDx) {
    Buf d = ws.overwritten(dOut.length()); // a copy: the activations' backward works in place
    ops.copy(dOut, d);
    for (int i = layers.length - 1; i >= 0; i--) {
      activation(i).backward(ops, t.acts()[i + 1], d, d);
      // written whole by the product dy W^T (beta 0)
      Buf dx = i > 0 || needDx ? ws.overwritten(t.rows() * layers[i].in()) : null;
      layers[i].backward(t.acts()[i], t.rows(), d, dx);
      d = dx;
    }
    return d;
  }

  private Activation activation(int i) {
    return i == layers.length - 1 ? last : hidden;
  }
}
