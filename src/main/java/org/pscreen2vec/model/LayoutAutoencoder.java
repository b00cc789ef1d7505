package org.pscreen2vec.model;

import java.util.List;
import org.pscreen2vec.model.layers.Activation;
import org.pscreen2vec.model.layers.MeanSquaredError;
import org.pscreen2vec.model.layers.Mlp;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * Screen2Vec's layout autoencoder: the flattened layout bitmap (11200) through ReLU layers down to
 * a code (paper: 11200 -> 2048 -> 256 -> 64) and a mirrored decoder back (linear last layer),
 * trained by mean squared reconstruction error.
 */
public final class LayoutAutoencoder implements Model {
  private final Ops ops;
  private final Mlp encoder;
  private final Mlp decoder;
  private final ParameterStore store;
  private final GradientReady.Hook ready;
  /** The training step's activations and gradients, kept between steps (see {@link Screen2Vec}). */
  private final Workspace ws;

  /** @param sizes input first, then hidden sizes, code last, e.g. {11200, 2048, 256, 64} */
  public LayoutAutoencoder(Ops ops, int[] sizes, long seed) {
    this.ops = ops;
    ParameterStore.Builder b = new ParameterStore.Builder();
    this.encoder = encoder(ops, b, sizes);
    this.decoder = decoder(ops, b, sizes);
    this.store = b.build(ops, seed);
    this.ready = new GradientReady.Hook(store, "layout.dec", "layout.enc");
    this.ws = new Workspace(ops);
    encoder.workspace(ws);
    decoder.workspace(ws);
  }

  /** The training step's kept buffers (tests poison them). */
  Workspace workspace() {
    return ws;
  }

  @Override
  public void onGradientsReady(GradientReady listener) {
    ready.set(listener);
  }

  /** The encoder stack (ReLU throughout), shared with {@link Screen2Vec}. */
  static Mlp encoder(Ops ops, ParameterStore.Builder b, int[] sizes) {
    return new Mlp(ops, b, "layout.enc", sizes, Activation.RELU, Activation.RELU);
  }

  /** The mirrored decoder (ReLU, linear output). */
  static Mlp decoder(Ops ops, ParameterStore.Builder b, int[] sizes) {
    int[] rev = new int[sizes.length];
    for (int i = 0; i < sizes.length; i++) {
      rev[i] = sizes[sizes.length - 1 - i];
    }
    return new Mlp(ops, b, "layout.dec", rev, Activation.RELU, Activation.IDENTITY);
  }

  @Override
  public String name() {
    return "layout-ae";
  }

  @Override
  public ParameterStore parameters() {
    return store;
  }

  @Override
  public List<EmbeddingTable> tables() {
    return List.of();
  }

  /** code(n, codeDim) of layouts x(n, input). */
  public Buf encode(Buf x, int n) {
    return encoder.forward(x, n).out();
  }

  /** Mean squared reconstruction error, no gradients. */
  public double reconstructionError(Buf x, int n) {
    Buf rec = decoder.forward(encoder.forward(x, n).out(), n).out();
    return MeanSquaredError.apply(ops, rec, x, 1).loss();
  }

  /** Adds the gradient of the mean squared reconstruction error of x(n, input); returns it. */
  public double lossAndGradients(Buf x, int n) {
    try (Workspace.Scope scope = ws.begin()) { // nothing taken here outlives the call
      return step(x, n);
    }
  }

  private double step(Buf x, int n) {
    Mlp.Tape enc = encoder.forward(x, n);
    Mlp.Tape dec = decoder.forward(enc.out(), n);
    MeanSquaredError.Result mse = MeanSquaredError.apply(ops, ws, dec.out(), x, 1);
    Buf dCode = decoder.backward(dec, mse.dPred(), true);
    ready.done("layout.dec");
    encoder.backward(enc, dCode, false);
    ready.done("layout.enc");
    return mse.loss();
  }
}
