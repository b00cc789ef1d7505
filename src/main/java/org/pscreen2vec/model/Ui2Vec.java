package org.pscreen2vec.model;

import java.util.List;
import org.pscreen2vec.data.GuiComponent;
import org.pscreen2vec.model.layers.ComponentEncoder;
import org.pscreen2vec.model.layers.EmbeddingBag;
import org.pscreen2vec.model.layers.Linear;
import org.pscreen2vec.model.layers.SoftmaxCrossEntropy;
import org.pscreen2vec.model.layers.TokenBags;
import org.pscreen2vec.nn.DenseParam;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;
import org.pscreen2vec.ops.Workspace;

/**
 * UI2Vec: GUI-component embeddings trained like CBOW. For a hidden target component, its n
 * nearest components on the same screen predict (a) the target's text among candidate texts (the
 * batch's other targets: in-batch sampled negatives) by dot product, and (b) its class among the
 * 26. Loss = text cross-entropy + class cross-entropy.
 *
 * <p>Two heads. {@link Head#MEAN} (the project's first one): the mean of the context embeddings
 * through two linear layers (dim -> dim for the text, dim -> 26 for the class). {@link
 * Head#CONCAT} (the original's): the n context embeddings concatenated in nearest-first order,
 * zero-padded when a screen has fewer, through one linear layer n dim -> dim + classDim (12,288
 * -> 774 at the paper's sizes); the first dim outputs are the predicted text embedding, the last
 * classDim are scored against the class embeddings by dot product.
 */
public final class Ui2Vec implements Model {
  /** How the context components become a prediction. */
  public enum Head {
    MEAN, CONCAT
  }

  private final Ops ops;
  private final Head head;
  private final int nearest;
  private final EmbeddingTable text;
  private final ComponentEncoder comp;
  private final Linear textHead;   // MEAN: context mean -> predicted text embedding
  private final Linear classHead;  // MEAN: context mean -> class logits
  private final Linear concatHead; // CONCAT: (n dim) -> dim + classDim
  private final ParameterStore store;
  private final GradientReady.Hook ready;
  /**
   * The training step's layer outputs and gradients, kept between steps (see {@link
   * Screen2Vec}); only {@link #lossAndGradients} takes from it, and every buffer of the step is
   * taken zeroed, as {@code ops.alloc} gave it (evaluation gets fresh ones).
   */
  private final Workspace ws;

  /**
   * One batch of B targets.
   *
   * @param contextTexts   texts of all context components, target after target, nearest first
   * @param contextClasses (C) their classes
   * @param contextOffsets (B + 1) target b's context is [offsets[b], offsets[b+1])
   * @param targetTexts    (B) the targets' texts: the candidate set
   * @param targetClasses  (B) the targets' classes
   * @param allowed        (B, B) candidate j counts for target i (false for other candidates with
   *                       the same text, which would be indistinguishable)
   */
  public record Batch(TokenBags contextTexts, int[] contextClasses, int[] contextOffsets,
      TokenBags targetTexts, int[] targetClasses, boolean[] allowed) {
    public int size() {
      return targetClasses.length;
    }
  }

  /**
   * Mean losses and correct counts over a batch; class accuracy counts only targets whose class
   * is not 0 (unknown), as the original's evaluation does ({@code classCounted} of them).
   */
  public record Result(double loss, double textLoss, double classLoss, int textCorrect,
      int classCorrect, int classCounted, int n) {}

  /**
   * @param ctxIdx (B * n) rows of the padded context embeddings in concatenation order (CONCAT)
   * @param x      the head's input: (B, dim) mean or (B, n dim) concatenation
   * @param out    CONCAT only: (B, dim + classDim)
   */
  private record Tape(ComponentEncoder.Tape ctx, int[] ctxIdx, Buf x, Buf out,
      EmbeddingBag.Tape cand, Buf textPred, Buf classPred, Buf classLogits, Buf textLogits) {}

  /** The mean head with 16 nearest components. */
  public Ui2Vec(Ops ops, int dim, int classDim, int textBuckets, long seed) {
    this(ops, dim, classDim, textBuckets, Head.MEAN, 16, seed);
  }

  /** @param nearest context components per target (the concatenation's width, CONCAT) */
  public Ui2Vec(Ops ops, int dim, int classDim, int textBuckets, Head head, int nearest,
      long seed) {
    this.ops = ops;
    this.head = head;
    this.nearest = nearest;
    ParameterStore.Builder b = new ParameterStore.Builder();
    this.text = new EmbeddingTable(ops, "text", textBuckets, dim, 0.1, seed);
    this.comp = new ComponentEncoder(ops, b, "comp", text, GuiComponent.CLASS_COUNT, classDim);
    if (head == Head.MEAN) {
      this.textHead = new Linear(ops, b, "ui2vec.text", dim, dim);
      this.classHead = new Linear(ops, b, "ui2vec.class", dim, GuiComponent.CLASS_COUNT);
      this.concatHead = null;
    } else {
      this.textHead = null;
      this.classHead = null;
      this.concatHead = new Linear(ops, b, "ui2vec.concat", nearest * dim, dim + classDim);
    }
    this.store = b.build(ops, seed);
    this.ready = new GradientReady.Hook(store, "ui2vec", "comp");
    this.ws = new Workspace(ops);
    for (Linear l : new Linear[] {textHead, classHead, concatHead}) {
      if (l != null) {
        l.workspace(ws);
      }
    }
    comp.workspace(ws);
  }

  /** The training step's kept buffers (tests poison them). */
  Workspace workspace() {
    return ws;
  }

  @Override
  public void onGradientsReady(GradientReady listener) {
    ready.set(listener);
  }

  @Override
  public String name() {
    return "ui2vec";
  }

  public Head head() {
    return head;
  }

  @Override
  public ParameterStore parameters() {
    return store;
  }

  @Override
  public List<EmbeddingTable> tables() {
    return List.of(text);
  }

  private Tape forward(Batch batch, boolean training) {
    int bsz = batch.size();
    int dim = comp.dim();
    ComponentEncoder.Tape ctx = comp.forward(batch.contextTexts(), batch.contextClasses(),
        training);
    EmbeddingBag.Tape cand = comp.textBag().forward(batch.targetTexts(), training);
    Buf x;
    int[] ctxIdx = null;
    Buf out = null;
    Buf textPred;
    Buf classPred = null;
    Buf classLogits;
    if (head == Head.MEAN) {
      x = ws.zeroed(bsz * dim); // (B, dim)
      ops.bagMean(ctx.out(), dim, identity(ctx.n()), batch.contextOffsets(), x);
      textPred = textHead.forward(x, bsz);
      classLogits = classHead.forward(x, bsz);
    } else {
      int c = ctx.n();
      int cd = comp.classes().dim();
      Buf padded = ws.zeroed((c + 1) * dim); // (C + 1, dim), last row zero (missing neighbour)
      ops.copy(ctx.out(), padded.slice(0, c * dim));
      ctxIdx = new int[bsz * nearest];
      for (int b = 0; b < bsz; b++) {
        int from = batch.contextOffsets()[b];
        int count = batch.contextOffsets()[b + 1] - from;
        for (int q = 0; q < nearest; q++) {
          ctxIdx[b * nearest + q] = q < count ? from + q : c;
        }
      }
      x = ws.zeroed(bsz * nearest * dim); // (B, n dim) = (B n, dim) row-major
      ops.gatherRows(padded, dim, ctxIdx, x);
      out = concatHead.forward(x, bsz); // (B, dim + classDim)
      textPred = ws.zeroed(bsz * dim);
      ops.copyColumns(out, dim + cd, 0, textPred, dim, 0, bsz, dim);
      classPred = ws.zeroed(bsz * cd);
      ops.copyColumns(out, dim + cd, dim, classPred, cd, 0, bsz, cd);
      classLogits = ws.zeroed(bsz * GuiComponent.CLASS_COUNT); // (B, 26)
      ops.gemm(false, true, bsz, GuiComponent.CLASS_COUNT, cd, 1, classPred,
          comp.classes().table().value(), 0, classLogits);
    }
    Buf textLogits = ws.zeroed(bsz * bsz); // (B, B)
    ops.gemm(false, true, bsz, bsz, dim, 1, textPred, cand.out(), 0, textLogits);
    return new Tape(ctx, ctxIdx, x, out, cand, textPred, classPred, classLogits, textLogits);
  }

  /** Forward and backward: adds the gradients of the mean loss. */
  public Result lossAndGradients(Batch batch) {
    try (Workspace.Scope scope = ws.begin()) { // nothing taken here outlives the call
      return step(batch);
    }
  }

  private Result step(Batch batch) {
    int bsz = batch.size();
    int dim = comp.dim();
    Tape t = forward(batch, true);
    SoftmaxCrossEntropy.Result tl = SoftmaxCrossEntropy.apply(ops, t.textLogits(), bsz, bsz,
        identity(bsz), batch.allowed(), 1);
    SoftmaxCrossEntropy.Result cl = SoftmaxCrossEntropy.apply(ops, t.classLogits(), bsz,
        GuiComponent.CLASS_COUNT, batch.targetClasses(), null, 1);
    Buf dTextPred = ws.zeroed(bsz * dim);
    ops.gemm(false, false, bsz, dim, bsz, 1, tl.dLogits(), t.cand().out(), 0, dTextPred);
    Buf dCand = ws.zeroed(bsz * dim);
    ops.gemm(true, false, bsz, dim, bsz, 1, tl.dLogits(), t.textPred(), 0, dCand);
    comp.textBag().backward(t.cand(), dCand);
    int n = t.ctx().n();
    Buf dCtx = ws.zeroed(n * dim);
    if (head == Head.MEAN) {
      Buf dMean = textHead.backward(t.x(), bsz, dTextPred);
      ops.axpy(1, classHead.backward(t.x(), bsz, cl.dLogits()), dMean);
      ops.bagMeanBackward(dMean, dim, identity(n), batch.contextOffsets(), dCtx);
    } else {
      int cd = comp.classes().dim();
      DenseParam classes = comp.classes().table();
      Buf dClassPred = ws.zeroed(bsz * cd); // (B, cd) = dLogits (B, 26) x E (26, cd)
      ops.gemm(false, false, bsz, cd, GuiComponent.CLASS_COUNT, 1, cl.dLogits(),
          classes.value(), 0, dClassPred);
      ops.gemm(true, false, GuiComponent.CLASS_COUNT, cd, bsz, 1, cl.dLogits(), t.classPred(),
          1, classes.grad());
      Buf dOut = ws.zeroed(bsz * (dim + cd));
      ops.copyColumns(dTextPred, dim, 0, dOut, dim + cd, 0, bsz, dim);
      ops.copyColumns(dClassPred, cd, 0, dOut, dim + cd, dim, bsz, cd);
      Buf dx = concatHead.backward(t.x(), bsz, dOut); // (B n, dim)
      Buf dPadded = ws.zeroed((n + 1) * dim);
      ops.scatterAddRows(dx, dim, t.ctxIdx(), dPadded);
      ops.copy(dPadded.slice(0, n * dim), dCtx);
    }
    ready.done("ui2vec");
    comp.backward(t.ctx(), dCtx);
    ready.done("comp");
    return result(batch, t, tl.loss(), cl.loss());
  }

  /** Losses and accuracies without gradients. */
  public Result evaluate(Batch batch) {
    int bsz = batch.size();
    Tape t = forward(batch, false);
    double tl = SoftmaxCrossEntropy.apply(ops, t.textLogits(), bsz, bsz, identity(bsz),
        batch.allowed(), 1).loss();
    double cl = SoftmaxCrossEntropy.apply(ops, t.classLogits(), bsz, GuiComponent.CLASS_COUNT,
        batch.targetClasses(), null, 1).loss();
    return result(batch, t, tl, cl);
  }

  private Result result(Batch batch, Tape t, double tl, double cl) {
    int bsz = batch.size();
    int textOk = 0;
    int classOk = 0;
    int classCounted = 0;
    float[] text = Ranking.toHost(ops, t.textLogits()); // once: device memory is not the heap
    float[] classes = Ranking.toHost(ops, t.classLogits());
    for (int i = 0; i < bsz; i++) {
      if (Ranking.rank(text, i, bsz, i, batch.allowed()) == 1) {
        textOk++;
      }
      int cls = batch.targetClasses()[i];
      if (cls != 0) { // class 0 (unknown) is not scored, as in the original
        classCounted++;
        if (Ranking.rank(classes, i, GuiComponent.CLASS_COUNT, cls, null) == 1) {
          classOk++;
        }
      }
    }
    return new Result(tl + cl, tl, cl, textOk, classOk, classCounted, bsz);
  }

  static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }
}
