package org.pscreen2vec.model;

import java.util.ArrayList;
import java.util.List;
import org.pscreen2vec.data.GuiComponent;
import org.pscreen2vec.model.layers.ComponentEncoder;
import org.pscreen2vec.model.layers.ElmanRnn;
import org.pscreen2vec.model.layers.EmbeddingBag;
import org.pscreen2vec.model.layers.Linear;
import org.pscreen2vec.model.layers.Lstm;
import org.pscreen2vec.model.layers.MeanSquaredError;
import org.pscreen2vec.model.layers.Mlp;
import org.pscreen2vec.model.layers.Packing;
import org.pscreen2vec.model.layers.SoftmaxCrossEntropy;
import org.pscreen2vec.model.layers.TokenBags;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * Screen2Vec, end to end. A screen's embedding: its components (UI2Vec encoder), each optionally
 * followed by its 4 normalised bounds (the released v4 model: dim + 4 into the RNN), through an
 * Elman RNN; the final state concatenated with the layout code (the layout autoencoder's encoder,
 * trained inside or frozen) and, when the description is inside the network, the app description
 * (mean text bag) -> Linear -> dim. v4 keeps the description outside: [state ; code] (832 -> 768
 * at the paper's sizes), the description appended after the network
 * ({@link #embedWithDescription}). Trained on trace windows: an LSTM over the context screens
 * predicts the next screen, scored by dot product against the candidates (every target of the
 * batch, the window's own context screens and the batch's random negative screens, which are
 * encoded with gradient like the others), softmax cross-entropy; plus the layout decoder's
 * reconstruction error times {@code aeWeight} (JOINT mode).
 *
 * <p>One step touches the sparse text table, the class table, the large dense layout encoder and
 * the sequence parameters.
 */
public final class Screen2Vec implements Model {
  /** How the layout code is obtained. */
  public enum LayoutMode {
    /** The encoder is part of this model, trained with it; the decoder adds an auxiliary loss. */
    JOINT,
    /** Codes are inputs (from a separately trained layout-ae, as the paper did). */
    FROZEN,
    /** No layout part. */
    NONE
  }

  /**
   * Sizes.
   *
   * @param dim          embedding size of texts, components and screens (paper: 768)
   * @param classDim     class embedding size (6)
   * @param textBuckets  rows of the hashed text table
   * @param layoutSizes  layout encoder sizes, input first, code last ({11200, 2048, 256, 64})
   * @param mode         layout mode
   * @param aeWeight     weight of the reconstruction loss (JOINT)
   * @param coords       each component's 4 normalised bounds follow its embedding into the RNN
   * @param descInside   the description bag is an input of the combine layer (false: v4, outside)
   */
  public record Config(int dim, int classDim, int textBuckets, int[] layoutSizes,
      LayoutMode mode, double aeWeight, boolean coords, boolean descInside) {
    /** The project's earlier encoder: no coordinates, description inside. */
    public Config(int dim, int classDim, int textBuckets, int[] layoutSizes, LayoutMode mode,
        double aeWeight) {
      this(dim, classDim, textBuckets, layoutSizes, mode, aeWeight, false, true);
    }

    public int codeDim() {
      return mode == LayoutMode.NONE ? 0 : layoutSizes[layoutSizes.length - 1];
    }

    /** Width of the RNN's input: a component embedding and, with coordinates, its bounds. */
    public int rnnIn() {
      return dim + (coords ? BOUNDS : 0);
    }

    /** Width of the combine layer's input: [state ; description? ; code]. */
    public int combineIn() {
      return dim + (descInside ? dim : 0) + codeDim();
    }
  }

  /** Values per component bound: x1, y1, x2, y2 normalised to the screen (0..1). */
  public static final int BOUNDS = 4;

  /**
   * M distinct screens.
   *
   * @param compTexts   texts of all components, screen after screen
   * @param compClasses (C) their classes
   * @param compBounds  (C, 4) their normalised bounds (x1, y1, x2, y2 in 0..1)
   * @param compOffsets (M + 1) screen m's components are [offsets[m], offsets[m+1])
   * @param descTexts   (M) the app description of each screen
   * @param layout      (M, layoutSizes[0]) bitmaps (JOINT), (M, code) codes (FROZEN), or null
   */
  public record ScreenBatch(org.pscreen2vec.model.layers.TokenBags compTexts, int[] compClasses,
      Buf compBounds, int[] compOffsets, org.pscreen2vec.model.layers.TokenBags descTexts,
      Buf layout) {
    public int size() {
      return compOffsets.length - 1;
    }
  }

  /**
   * B trace windows over the screens of a {@link ScreenBatch}.
   *
   * @param screens  the distinct screens
   * @param steps    longest context
   * @param context  (steps, B) time-major screen index of each context position, -1 = padding
   * @param lengths  (B) context length of each window
   * @param targets  (B) screen index of each window's true next screen
   * @param allowed  (B, M) which screens are candidates of window b (targets of all windows,
   *                 b's own context screens, and the batch's random negative screens)
   */
  public record WindowBatch(ScreenBatch screens, int steps, int[] context, int[] lengths,
      int[] targets, boolean[] allowed) {
    public int size() {
      return targets.length;
    }
  }

  /** Mean losses and ranking statistics over a batch. */
  public record Result(double loss, double traceLoss, double layoutLoss, int top1, int top5,
      double reciprocalRankSum, double chanceSum, int n) {}

  private final Ops ops;
  private final Config config;
  private final EmbeddingTable text;
  private final ComponentEncoder comp;
  private final ElmanRnn screenRnn;
  private final EmbeddingBag desc;
  private final Mlp layoutEncoder; // null unless JOINT
  private final Mlp layoutDecoder; // null unless JOINT with aeWeight > 0
  private final Linear combine;    // [rnn ; desc (inside only) ; code] -> dim
  private final Lstm trace;
  private final ParameterStore store;
  private final GradientReady.Hook ready;
  /**
   * The training step's activations and activation gradients, kept between steps (issue 15:
   * about 300 MB a paper step, a dozen humongous arrays). Only {@link #lossAndGradients} opens
   * it, and nothing it takes outlives that call; embeddings and predictions handed to a caller
   * and evaluation batches are allocated fresh.
   */
  private final Workspace ws;

  private record ScreenTape(ComponentEncoder.Tape comps, ElmanRnn.Tape rnn,
      EmbeddingBag.Tape desc, Mlp.Tape enc, Mlp.Tape dec, Buf cat, Buf embPadded) {}

  public Screen2Vec(Ops ops, Config config, long seed) {
    this.ops = ops;
    this.config = config;
    int dim = config.dim();
    ParameterStore.Builder b = new ParameterStore.Builder();
    this.text = new EmbeddingTable(ops, "text", config.textBuckets(), dim, 0.1, seed);
    this.comp = new ComponentEncoder(ops, b, "comp", text, GuiComponent.CLASS_COUNT,
        config.classDim());
    this.screenRnn = new ElmanRnn(ops, b, "screen.rnn", config.rnnIn(), dim);
    this.desc = new EmbeddingBag(ops, text);
    boolean joint = config.mode() == LayoutMode.JOINT;
    this.layoutEncoder = joint ? LayoutAutoencoder.encoder(ops, b, config.layoutSizes()) : null;
    this.layoutDecoder = joint && config.aeWeight() > 0
        ? LayoutAutoencoder.decoder(ops, b, config.layoutSizes()) : null;
    this.combine = new Linear(ops, b, "screen.combine", config.combineIn(), dim);
    this.trace = new Lstm(ops, b, "trace.lstm", dim, dim);
    this.store = b.build(ops, seed);
    this.ready = new GradientReady.Hook(store, "trace.lstm", "screen.combine", "layout.dec",
        "layout.enc", "screen.rnn", "comp");
    this.ws = new Workspace(ops);
    comp.workspace(ws);
    screenRnn.workspace(ws);
    desc.workspace(ws);
    if (layoutEncoder != null) {
      layoutEncoder.workspace(ws);
    }
    if (layoutDecoder != null) {
      layoutDecoder.workspace(ws);
    }
    combine.workspace(ws);
    trace.workspace(ws);
  }

  /** The training step's kept buffers (tests poison them; bench reports their size). */
  Workspace workspace() {
    return ws;
  }

  @Override
  public void onGradientsReady(GradientReady listener) {
    ready.set(listener);
  }

  @Override
  public String name() {
    return "screen2vec";
  }

  public Config config() {
    return config;
  }

  @Override
  public ParameterStore parameters() {
    return store;
  }

  @Override
  public List<EmbeddingTable> tables() {
    return List.of(text);
  }

  /** Screen embeddings (M, dim) without gradients. */
  public Buf embed(ScreenBatch s) {
    return encodeScreens(s, false).embPadded().slice(0, s.size() * config.dim());
  }

  /**
   * Exported embeddings (M, 2 dim): the screen embedding followed by the app description's mean
   * text bag, the released model's way of using the description outside the network.
   */
  public Buf embedWithDescription(ScreenBatch s) {
    int dim = config.dim();
    int m = s.size();
    Buf out = ops.alloc(m * 2 * dim);
    ops.copyColumns(embed(s), dim, 0, out, 2 * dim, 0, m, dim);
    ops.copyColumns(desc.forward(s.descTexts(), false).out(), dim, 0, out, 2 * dim, dim, m, dim);
    return out;
  }

  /** Predicted next-screen embeddings (B, dim) of the windows, without gradients. */
  public Buf predict(WindowBatch w) {
    int dim = config.dim();
    int bsz = w.size();
    ScreenTape st = encodeScreens(w.screens(), false);
    Buf ctx = ops.alloc(w.steps() * bsz * dim); // (steps, B, dim)
    ops.gatherRows(st.embPadded(), dim, contextRows(w), ctx);
    return trace.forward(ctx, w.steps(), bsz, w.lengths()).last();
  }

  private ScreenTape encodeScreens(ScreenBatch s, boolean training) {
    int dim = config.dim();
    int in = config.rnnIn();
    int m = s.size();
    int c = s.compClasses().length;
    int[] lengths = new int[m];
    int maxComps = 0;
    for (int i = 0; i < m; i++) {
      lengths[i] = s.compOffsets()[i + 1] - s.compOffsets()[i];
      maxComps = Math.max(maxComps, lengths[i]);
    }
    // The screens' component sequences packed (longest screen first, no padding): packed row
    // (t, j) is component t of the j-th longest screen; every component appears exactly once.
    // The components are encoded in that order, so their embeddings are the RNN's input as they
    // come out (no gather before the RNN, no scatter after it).
    Packing packing = Packing.of(maxComps, lengths);
    int[] packIdx = new int[c]; // packed row -> component of the batch
    for (int t = 0; t < maxComps; t++) {
      for (int j = 0; j < packing.running(t); j++) {
        packIdx[packing.offset(t) + j] = s.compOffsets()[packing.order(j)] + t;
      }
    }
    int[] classes = new int[c];
    for (int r = 0; r < c; r++) {
      classes[r] = s.compClasses()[packIdx[r]];
    }
    ComponentEncoder.Tape comps = comp.forward(permute(s.compTexts(), packIdx), classes,
        training);
    Buf x = comps.out(); // (C, dim [+ 4]) packed
    if (config.coords()) {
      x = ws.overwritten(c * in); // (C, dim + 4): both parts copied in
      ops.copyColumns(comps.out(), dim, 0, x, in, 0, c, dim);
      Buf bounds = ws.overwritten(c * BOUNDS); // (C, 4) packed, gathered
      ops.gatherRows(s.compBounds(), BOUNDS, packIdx, bounds);
      ops.copyColumns(bounds, BOUNDS, 0, x, in, dim, c, BOUNDS);
    }
    ElmanRnn.Tape rnn = screenRnn.forward(x, packing);
    EmbeddingBag.Tape d = config.descInside() ? desc.forward(s.descTexts(), training) : null;
    Mlp.Tape enc = null;
    Mlp.Tape dec = null;
    Buf code = null;
    if (config.mode() == LayoutMode.JOINT) {
      enc = layoutEncoder.forward(s.layout(), m);
      code = enc.out();
      dec = layoutDecoder != null && training ? layoutDecoder.forward(code, m) : null;
    } else if (config.mode() == LayoutMode.FROZEN) {
      code = s.layout();
    }
    int cd = config.codeDim();
    int width = config.combineIn();
    Buf cat = ws.overwritten(m * width); // (M, dim [+ dim] + code): every part copied in
    ops.copyColumns(rnn.last(), dim, 0, cat, width, 0, m, dim);
    if (d != null) {
      ops.copyColumns(d.out(), dim, 0, cat, width, dim, m, dim);
    }
    if (cd > 0) {
      ops.copyColumns(code, cd, 0, cat, width, width - cd, m, cd);
    }
    Buf embPadded = ws.overwritten((m + 1) * dim); // (M + 1, dim), last row zero (padding)
    ops.fill(embPadded.slice(m * dim, dim), 0); // combine writes the other rows
    combine.forward(cat, m, embPadded.slice(0, m * dim));
    return new ScreenTape(comps, rnn, d, enc, dec, cat, embPadded);
  }

  /** Backward of the screen encoder for dEmb(M, dim); returns the weighted layout loss. */
  private double backwardScreens(ScreenBatch s, ScreenTape t, Buf dEmb) {
    int dim = config.dim();
    int in = config.rnnIn();
    int m = s.size();
    int cd = config.codeDim();
    int width = config.combineIn();
    Buf dCat = combine.backward(t.cat(), m, dEmb);
    ready.done("screen.combine");
    Buf dLast = ws.overwritten(m * dim); // the copies below write every column
    ops.copyColumns(dCat, width, 0, dLast, dim, 0, m, dim);
    if (t.desc() != null) {
      Buf dDesc = ws.overwritten(m * dim);
      ops.copyColumns(dCat, width, dim, dDesc, dim, 0, m, dim);
      desc.backward(t.desc(), dDesc);
    }
    double layoutLoss = 0;
    if (config.mode() == LayoutMode.JOINT) {
      Buf dCode = ws.overwritten(m * cd);
      ops.copyColumns(dCat, width, width - cd, dCode, cd, 0, m, cd);
      if (t.dec() != null) {
        MeanSquaredError.Result mse = MeanSquaredError.apply(ops, ws, t.dec().out(), s.layout(),
            config.aeWeight());
        layoutLoss = config.aeWeight() * mse.loss();
        ops.axpy(1, layoutDecoder.backward(t.dec(), mse.dPred(), true), dCode);
        ready.done("layout.dec");
      }
      layoutEncoder.backward(t.enc(), dCode, false);
      ready.done("layout.enc");
    }
    Buf dx = screenRnn.backward(t.rnn(), dLast); // (C, in) packed, like the components
    ready.done("screen.rnn");
    int c = t.comps().n();
    Buf dComp = dx;
    if (config.coords()) { // the bounds are inputs: their gradient stops here
      dComp = ws.overwritten(c * dim);
      ops.copyColumns(dx, in, 0, dComp, dim, 0, c, dim);
    }
    comp.backward(t.comps(), dComp);
    ready.done("comp");
    return layoutLoss;
  }

  /** The bags in the order {@code order} (bag r of the result is bag order[r]). */
  private static TokenBags permute(TokenBags bags, int[] order) {
    int[] offsets = new int[order.length + 1];
    for (int r = 0; r < order.length; r++) {
      offsets[r + 1] = offsets[r] + bags.offsets()[order[r] + 1] - bags.offsets()[order[r]];
    }
    int[] ids = new int[offsets[order.length]];
    for (int r = 0; r < order.length; r++) {
      int from = bags.offsets()[order[r]];
      System.arraycopy(bags.ids(), from, ids, offsets[r], offsets[r + 1] - offsets[r]);
    }
    return new TokenBags(ids, offsets);
  }

  private int[] contextRows(WindowBatch w) {
    int[] rows = w.context().clone();
    for (int i = 0; i < rows.length; i++) {
      if (rows[i] < 0) {
        rows[i] = w.screens().size(); // the zero row
      }
    }
    return rows;
  }

  /** Forward and backward on a window batch: adds the gradients of the mean loss. */
  public Result lossAndGradients(WindowBatch w) {
    try (Workspace.Scope scope = ws.begin()) {
      return run(w, true);
    }
  }

  /** Loss and ranking statistics without gradients. */
  public Result evaluate(WindowBatch w) {
    return run(w, false);
  }

  private Result run(WindowBatch w, boolean training) {
    int dim = config.dim();
    int bsz = w.size();
    int m = w.screens().size();
    ScreenTape st = encodeScreens(w.screens(), training);
    Buf emb = st.embPadded().slice(0, m * dim);
    int[] ctxRows = contextRows(w);
    Buf ctx = ws.overwritten(w.steps() * bsz * dim); // (steps, B, dim), gathered
    ops.gatherRows(st.embPadded(), dim, ctxRows, ctx);
    Lstm.Tape lt = trace.forward(ctx, w.steps(), bsz, w.lengths());
    Buf logits = ws.overwritten(bsz * m); // (B, M), the product (beta 0) writes all of it
    ops.gemm(false, true, bsz, m, dim, 1, lt.last(), emb, 0, logits);
    SoftmaxCrossEntropy.Result ce =
        SoftmaxCrossEntropy.apply(ops, ws, logits, bsz, m, w.targets(), w.allowed(), 1);
    double layoutLoss = 0;
    if (training) {
      Buf dPred = ws.overwritten(bsz * dim); // products with beta 0 write all of these
      ops.gemm(false, false, bsz, dim, m, 1, ce.dLogits(), emb, 0, dPred);
      Buf dEmbPadded = ws.overwritten((m + 1) * dim); // (M + 1, dim)
      ops.fill(dEmbPadded.slice(m * dim, dim), 0); // the padding row, scattered into
      ops.gemm(true, false, m, dim, bsz, 1, ce.dLogits(), lt.last(), 0,
          dEmbPadded.slice(0, m * dim));
      Buf dCtx = trace.backward(lt, dPred);
      ready.done("trace.lstm");
      ops.scatterAddRows(dCtx, dim, ctxRows, dEmbPadded);
      layoutLoss = backwardScreens(w.screens(), st, dEmbPadded.slice(0, m * dim));
    }
    int top1 = 0;
    int top5 = 0;
    double rr = 0;
    double chance = 0;
    float[] scores = Ranking.toHost(ops, logits); // (B, M) once: device memory is not the heap
    for (int i = 0; i < bsz; i++) {
      int r = Ranking.rank(scores, i, m, w.targets()[i], w.allowed());
      top1 += r == 1 ? 1 : 0;
      top5 += r <= 5 ? 1 : 0;
      rr += 1.0 / r;
      chance += 1.0 / Ranking.candidates(i, m, w.allowed());
    }
    return new Result(ce.loss() + layoutLoss, ce.loss(), layoutLoss, top1, top5, rr, chance,
        bsz);
  }

  /** Names of the dense parameter groups and their sizes (for the start-up summary). */
  public List<String> describe() {
    List<String> out = new ArrayList<>();
    for (DenseParam p : store.params()) {
      out.add(p.name() + " " + p.rows() + "x" + p.cols());
    }
    return out;
  }
}
