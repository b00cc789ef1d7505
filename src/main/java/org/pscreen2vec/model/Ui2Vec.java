package org.pscreen2vec.model;

import java.util.List;
import org.pscreen2vec.data.GuiComponent;
import org.pscreen2vec.model.layers.ComponentEncoder;
import org.pscreen2vec.model.layers.EmbeddingBag;
import org.pscreen2vec.model.layers.Linear;
import org.pscreen2vec.model.layers.SoftmaxCrossEntropy;
import org.pscreen2vec.model.layers.TokenBags;
import org.pscreen2vec.nn.EmbeddingTable;
import org.pscreen2vec.nn.ParameterStore;
import org.pscreen2vec.ops.Buf;
import org.pscreen2vec.ops.Ops;

/**
 * UI2Vec: GUI-component embeddings trained like CBOW. For a hidden target component, the mean
 * embedding of its n nearest components on the same screen predicts (a) the target's text among
 * candidate texts (the batch's other targets: in-batch sampled negatives) by dot product, and (b)
 * its class among the 26. Loss = text cross-entropy + class cross-entropy.
 */
public final class Ui2Vec implements Model {
  private final Ops ops;
  private final EmbeddingTable text;
  private final ComponentEncoder comp;
  private final Linear textHead;  // context mean -> predicted text embedding
  private final Linear classHead; // context mean -> class logits
  private final ParameterStore store;

  /**
   * One batch of B targets.
   *
   * @param contextTexts   texts of all context components, target after target
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

  /** Mean losses and correct counts over a batch. */
  public record Result(double loss, double textLoss, double classLoss, int textCorrect,
      int classCorrect, int n) {}

  private record Tape(ComponentEncoder.Tape ctx, Buf ctxMean, EmbeddingBag.Tape cand,
      Buf textPred, Buf classLogits, Buf textLogits) {}

  public Ui2Vec(Ops ops, int dim, int classDim, int textBuckets, long seed) {
    this.ops = ops;
    ParameterStore.Builder b = new ParameterStore.Builder();
    this.text = new EmbeddingTable(ops, "text", textBuckets, dim, 0.1, seed);
    this.comp = new ComponentEncoder(ops, b, "comp", text, GuiComponent.CLASS_COUNT, classDim);
    this.textHead = new Linear(ops, b, "ui2vec.text", dim, dim);
    this.classHead = new Linear(ops, b, "ui2vec.class", dim, GuiComponent.CLASS_COUNT);
    this.store = b.build(ops, seed);
  }

  @Override
  public String name() {
    return "ui2vec";
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
    Buf ctxMean = ops.alloc(bsz * dim); // (B, dim)
    ops.bagMean(ctx.out(), dim, identity(ctx.n()), batch.contextOffsets(), ctxMean);
    Buf textPred = textHead.forward(ctxMean, bsz);
    Buf classLogits = classHead.forward(ctxMean, bsz);
    EmbeddingBag.Tape cand = comp.textBag().forward(batch.targetTexts(), training);
    Buf textLogits = ops.alloc(bsz * bsz); // (B, B)
    ops.gemm(false, true, bsz, bsz, dim, 1, textPred, cand.out(), 0, textLogits);
    return new Tape(ctx, ctxMean, cand, textPred, classLogits, textLogits);
  }

  /** Forward and backward: adds the gradients of the mean loss. */
  public Result lossAndGradients(Batch batch) {
    int bsz = batch.size();
    int dim = comp.dim();
    Tape t = forward(batch, true);
    SoftmaxCrossEntropy.Result tl = SoftmaxCrossEntropy.apply(ops, t.textLogits(), bsz, bsz,
        identity(bsz), batch.allowed(), 1);
    SoftmaxCrossEntropy.Result cl = SoftmaxCrossEntropy.apply(ops, t.classLogits(), bsz,
        GuiComponent.CLASS_COUNT, batch.targetClasses(), null, 1);
    Buf dTextPred = ops.alloc(bsz * dim);
    ops.gemm(false, false, bsz, dim, bsz, 1, tl.dLogits(), t.cand().out(), 0, dTextPred);
    Buf dCand = ops.alloc(bsz * dim);
    ops.gemm(true, false, bsz, dim, bsz, 1, tl.dLogits(), t.textPred(), 0, dCand);
    comp.textBag().backward(t.cand(), dCand);
    Buf dMean = textHead.backward(t.ctxMean(), bsz, dTextPred);
    Buf dMean2 = classHead.backward(t.ctxMean(), bsz, cl.dLogits());
    ops.axpy(1, dMean2, dMean);
    Buf dCtx = ops.alloc(t.ctx().n() * dim);
    ops.bagMeanBackward(dMean, dim, identity(t.ctx().n()), batch.contextOffsets(), dCtx);
    comp.backward(t.ctx(), dCtx);
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
    for (int i = 0; i < bsz; i++) {
      if (Ranking.rank(t.textLogits(), i, bsz, i, batch.allowed()) == 1) {
        textOk++;
      }
      if (Ranking.rank(t.classLogits(), i, GuiComponent.CLASS_COUNT, batch.targetClasses()[i],
          null) == 1) {
        classOk++;
      }
    }
    return new Result(tl + cl, tl, cl, textOk, classOk, bsz);
  }

  static int[] identity(int n) {
    int[] a = new int[n];
    for (int i = 0; i < n; i++) {
      a[i] = i;
    }
    return a;
  }
}
