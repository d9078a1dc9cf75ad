package dev.rlhfmesh.model.gpt;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.norm.LayerNorm;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.io.GptWeights;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * The GPT-2 decoder: token + learned position embeddings, {@code n_layer} pre-LayerNorm {@link
 * GptBlock}s, a final LayerNorm, and an LM head tied to the token embedding. No dropout (RLHF
 * fine-tuning runs with dropout off; GPT-2 checkpoints load unchanged).
 *
 * <p>Owns its parameters in its own child {@link NDManager}; {@link #parameters()} exposes them
 * under Hugging Face GPT-2 names in a fixed order. Forward results belong to the manager of the
 * input ids (callers pass ids created in a per-request / per-step child manager and close it).
 *
 * <p>Inference (the default) runs without autograd. Call {@link #setTrainable(boolean)} before
 * training so parameters record gradients; then run forward passes inside a {@code
 * GradientCollector}. Forward passes use no Java scalars in arithmetic (TOOLCHAIN-NOTES pitfall 1).
 *
 * <p>Threads: inference forward passes may run concurrently on one model (each with its own
 * managers and its own {@code KvCache}/{@code DecodeEngine}); weight updates ({@link
 * #loadStateDict}, optimizer steps) must not overlap forward passes.
 */
public final class Gpt implements AutoCloseable {
  private final GptConfig config;
  private final NDManager manager;
  private final Map<String, NDArray> params;
  private final NDArray wte; // (V, C)
  private final NDArray wpe; // (n_positions, C)
  private final NDArray lnfWeight;
  private final NDArray lnfBias;
  private final List<GptBlock> blocks = new ArrayList<>();
  private final ModelConstants constants;
  private boolean trainable;
  private NDArray wteT; // (C, V) view, inference only
  private long nativeHandle = -1; // NativeStep's binding of the weights: -1 not yet, 0 none
  private boolean closed;

  private Gpt(NDManager manager, GptConfig config, Map<String, NDArray> params) {
    this.manager = manager;
    this.config = config;
    this.params = Collections.unmodifiableMap(params);
    this.constants = new ModelConstants(manager, config.headDim());
    wte = params.get("wte.weight");
    wpe = params.get("wpe.weight");
    lnfWeight = params.get("ln_f.weight");
    lnfBias = params.get("ln_f.bias");
    boolean exactGelu = "gelu".equals(config.activation());
    for (int i = 0; i < config.nLayer(); i++) {
      String p = "h." + i + ".";
      CausalSelfAttention attn =
          new CausalSelfAttention(
              new Conv1D(params.get(p + "attn.c_attn.weight"), params.get(p + "attn.c_attn.bias")),
              new Conv1D(params.get(p + "attn.c_proj.weight"), params.get(p + "attn.c_proj.bias")),
              config.nHead(),
              config.headDim(),
              constants);
      Mlp mlp =
          new Mlp(
              new Conv1D(params.get(p + "mlp.c_fc.weight"), params.get(p + "mlp.c_fc.bias")),
              new Conv1D(params.get(p + "mlp.c_proj.weight"), params.get(p + "mlp.c_proj.bias")),
              constants,
              exactGelu);
      blocks.add(
          new GptBlock(
              params.get(p + "ln_1.weight"),
              params.get(p + "ln_1.bias"),
              attn,
              params.get(p + "ln_2.weight"),
              params.get(p + "ln_2.bias"),
              mlp,
              config.layerNormEpsilon()));
    }
  }

  /** Parameter names and shapes of a config, in Hugging Face GPT-2 naming and order. */
  public static Map<String, Shape> parameterShapes(GptConfig c) {
    Map<String, Shape> s = new LinkedHashMap<>();
    long e = c.nEmbd();
    s.put("wte.weight", new Shape(c.vocabSize(), e));
    s.put("wpe.weight", new Shape(c.nPositions(), e));
    for (int i = 0; i < c.nLayer(); i++) {
      String p = "h." + i + ".";
      s.put(p + "ln_1.weight", new Shape(e));
      s.put(p + "ln_1.bias", new Shape(e));
      s.put(p + "attn.c_attn.weight", new Shape(e, 3 * e));
      s.put(p + "attn.c_attn.bias", new Shape(3 * e));
      s.put(p + "attn.c_proj.weight", new Shape(e, e));
      s.put(p + "attn.c_proj.bias", new Shape(e));
      s.put(p + "ln_2.weight", new Shape(e));
      s.put(p + "ln_2.bias", new Shape(e));
      s.put(p + "mlp.c_fc.weight", new Shape(e, c.nInner()));
      s.put(p + "mlp.c_fc.bias", new Shape(c.nInner()));
      s.put(p + "mlp.c_proj.weight", new Shape(c.nInner(), e));
      s.put(p + "mlp.c_proj.bias", new Shape(e));
    }
    s.put("ln_f.weight", new Shape(e));
    s.put("ln_f.bias", new Shape(e));
    return s;
  }

  /**
   * GPT-2 initialisation, deterministic in {@code seed}: weights and embeddings normal(0, 0.02),
   * residual projections ({@code attn.c_proj}, {@code mlp.c_proj}) normal(0, 0.02 / sqrt(2
   * n_layer)), biases 0, LayerNorm weights 1. Each tensor draws from its own {@link
   * SplittableRandom} seeded from (seed, name), so the values do not depend on the engine.
   */
  public static Gpt init(NDManager parent, GptConfig config, long seed) {
    NDManager m = parent.newSubManager();
    Map<String, NDArray> params = new LinkedHashMap<>();
    double residualStd = 0.02 / Math.sqrt(2.0 * config.nLayer());
    for (Map.Entry<String, Shape> e : parameterShapes(config).entrySet()) {
      String name = e.getKey();
      Shape shape = e.getValue();
      NDArray a;
      if (name.contains("ln_") && name.endsWith(".weight")) {
        a = m.ones(shape);
      } else if (name.endsWith(".bias")) {
        a = m.zeros(shape);
      } else {
        double std = name.endsWith("c_proj.weight") ? residualStd : 0.02;
        a = m.create(gaussian(seed, name, shape.size(), std), shape);
      }
      a.setName(name);
      params.put(name, a);
    }
    return new Gpt(m, config, params);
  }

  static float[] gaussian(long seed, String name, long n, double std) {
    SplittableRandom r = new SplittableRandom(seed * 0x9E3779B97F4A7C15L + name.hashCode());
    float[] f = new float[Math.toIntExact(n)];
    for (int i = 0; i < f.length; i++) {
      f[i] = (float) (r.nextGaussian() * std);
    }
    return f;
  }

  /**
   * Reads {@code config.json} and {@code model.safetensors} (or a sharded {@code
   * model.safetensors.index.json}) from a Hugging Face GPT-2 directory.
   */
  public static Gpt load(NDManager parent, Path dir) {
    GptConfig config = GptConfig.fromJson(dir.resolve("config.json"));
    try (NDManager tmp = parent.newSubManager()) {
      Map<String, NDArray> raw = GptWeights.readDirectory(tmp, dir);
      Map<String, NDArray> backbone = GptWeights.backbone(raw);
      return fromStateDict(parent, config, backbone);
    }
  }

  /** A new model holding copies of the given tensors (HF names, validated, converted to F32). */
  public static Gpt fromStateDict(NDManager parent, GptConfig config, Map<String, NDArray> src) {
    Map<String, Shape> shapes = parameterShapes(config);
    GptWeights.validate(shapes, src);
    NDManager m = parent.newSubManager();
    Map<String, NDArray> params = new LinkedHashMap<>();
    for (String name : shapes.keySet()) {
      NDArray a = ownedF32(src.get(name));
      a.attach(m);
      a.setName(name);
      params.put(name, a);
    }
    return new Gpt(m, config, params);
  }

  /**
   * A float32 copy that owns its memory. {@code toType(FLOAT32, true)} returns an alias when the
   * input is already F32 (libtorch's {@code .to()} ignores DJL's copy flag), and tensors read from
   * safetensors live in Java direct buffers that only the temporary array keeps alive: a parameter
   * aliasing one would point into freed memory after a GC (seen as heap corruption during optimizer
   * updates). {@code duplicate()} is a libtorch clone.
   */
  static NDArray ownedF32(NDArray a) {
    return a.getDataType() == DataType.FLOAT32 ? a.duplicate() : a.toType(DataType.FLOAT32, true);
  }

  /** Writes {@code config.json} + {@code model.safetensors} (F32, HF names, no prefix). */
  public void save(Path dir) {
    config.writeJson(dir.resolve("config.json"));
    GptWeights.write(dir.resolve("model.safetensors"), params);
  }

  public GptConfig config() {
    return config;
  }

  /** Parameters under HF GPT-2 names ({@code wte.weight}, {@code h.0.attn.c_attn.weight}, ...). */
  public Map<String, NDArray> parameters() {
    return params;
  }

  /** The manager owning the parameters (for constants of optimizers and heads). */
  public NDManager manager() {
    return manager;
  }

  /**
   * Copies tensors into the parameters in place. All-or-nothing: names (HF, optional {@code
   * transformer.} prefix) and shapes are checked before anything is copied; unknown or missing
   * tensors throw naming the tensor.
   */
  public void loadStateDict(Map<String, NDArray> src) {
    Map<String, NDArray> named = GptWeights.backbone(src);
    GptWeights.validate(parameterShapes(config), named);
    for (Map.Entry<String, NDArray> e : params.entrySet()) {
      NDArray s = named.get(e.getKey());
      if (s.getDataType() == DataType.FLOAT32) {
        s.copyTo(e.getValue());
      } else {
        try (NDArray f = s.toType(DataType.FLOAT32, true)) {
          f.copyTo(e.getValue());
        }
      }
    }
    dropViews(); // copyTo may give the parameter new storage
  }

  /**
   * Must be called after parameters were modified by anything other than in-place arithmetic
   * ({@code set(...)}, {@code copyTo} — DJL may replace the storage) outside {@link
   * #loadStateDict}: inference keeps transposed views of the weights, which would go stale.
   * In-place ops ({@code subi}, {@code muli}, as {@code AdamW} uses) keep the views valid.
   */
  public void parametersChanged() {
    dropViews();
  }

  /** Alias of {@link #loadStateDict(Map)}. */
  public void copyFrom(Map<String, NDArray> src) {
    loadStateDict(src);
  }

  /** Turns gradient recording of all parameters on or off. */
  public void setTrainable(boolean on) {
    trainable = on;
    dropViews();
    for (NDArray p : params.values()) {
      p.setRequiresGradient(on);
    }
  }

  public boolean isTrainable() {
    return trainable;
  }

  private synchronized NDArray inferenceHead() {
    if (wteT == null) {
      wteT = wte.transpose(); // (C, V) view, made once
    }
    return wteT;
  }

  private synchronized void dropViews() {
    if (wteT != null) {
      wteT.close();
      wteT = null;
    }
    if (nativeHandle > 0) {
      NativeStep.release(nativeHandle);
    }
    nativeHandle = -1;
    blocks.forEach(GptBlock::dropViews);
  }

  /**
   * Hidden states after the final LayerNorm for whole sequences (no cache).
   *
   * @param ids (B, T) token ids, any integer type; results live in its manager
   * @param attentionMask (B, T) 1 for tokens, 0 for padding (left or right), or null for none.
   *     Position ids are cumsum(mask) - 1, so left-padded rows match unpadded ones.
   * @return (B, T, C)
   */
  public NDArray hidden(NDArray ids, NDArray attentionMask) {
    return hidden(ids, attentionMask, null);
  }

  /**
   * As {@link #hidden(NDArray, NDArray)} with explicit position ids (B, T) (null: derived from the
   * mask).
   */
  public NDArray hidden(NDArray ids, NDArray attentionMask, NDArray positionIds) {
    Shape s = ids.getShape();
    int b = (int) s.get(0);
    int t = (int) s.get(1);
    if (t > config.nPositions()) {
      throw new IllegalArgumentException(t + " tokens exceed n_positions " + config.nPositions());
    }
    long[] mask = attentionMask == null ? null : toLongs(attentionMask);
    long[] pos = new long[b * t];
    int biasRows = mask == null ? 1 : b; // without padding one causal mask serves every row
    float[] bias = new float[biasRows * t * t];
    for (int r = 0; r < b; r++) {
      int seen = 0;
      for (int q = 0; q < t; q++) {
        boolean real = mask == null || mask[r * t + q] != 0;
        pos[r * t + q] = real ? seen++ : 0; // padding: any position, it is never attended to
        if (r >= biasRows) {
          continue;
        }
        int base = (r * t + q) * t;
        for (int k = 0; k < t; k++) {
          boolean visible = k <= q && (mask == null || mask[r * t + k] != 0);
          if (!visible) {
            bias[base + k] = CausalSelfAttention.MASKED;
          }
        }
      }
    }
    NDManager m = ids.getManager();
    NDArray positions = positionIds != null ? positionIds : m.create(pos, new Shape(b, t));
    NDArray biasArray = m.create(bias, new Shape(biasRows, 1, t, t));
    NDArray x = embed(ids, wte).add(embed(positions, wpe)); // (B, T, C) token + position
    return run(x, biasArray);
  }

  /** Logits (B, T, V) for whole sequences; see {@link #hidden(NDArray, NDArray)}. */
  public NDArray forward(NDArray ids, NDArray attentionMask) {
    return lmHead(hidden(ids, attentionMask));
  }

  /**
   * Logits (B, T, V) with explicit position ids; see {@link #hidden(NDArray, NDArray, NDArray)}.
   */
  public NDArray forward(NDArray ids, NDArray attentionMask, NDArray positionIds) {
    return lmHead(hidden(ids, attentionMask, positionIds));
  }

  /** The tied LM head: hidden (..., C) → logits (..., V). */
  public NDArray lmHead(NDArray hidden) {
    NDArray w;
    if (trainable) {
      w = wte.transpose(); // (C, V), recorded by autograd
      w.attach(hidden.getManager()); // freed with the step
    } else {
      w = inferenceHead();
    }
    return hidden.matMul(w); // (..., C) x (C, V) -> (..., V)
  }

  /**
   * Next-token logits of each row after appending its tokens to its slot, taken at each row's last
   * real token: (B, V). Inference only. On the CPU every pass goes through {@link NativeStep} when
   * it is there ({@link #nextLogitsNative}); otherwise steps where every row appends one token take
   * {@link #nextLogitsStep}'s path, all others {@link #nextLogitsPacked}'s.
   */
  public NDArray nextLogitsCached(NDManager manager, KvCache cache, int[] slots, int[][] tokens) {
    if (slots.length != tokens.length) {
      throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " rows");
    }
    long handle = nativeHandleFor(cache);
    if (handle != 0) {
      float[] logits = nextLogitsNative(handle, cache, slots, tokens, null);
      return manager.create(logits, new Shape(slots.length, config.vocabSize())); // (B, V)
    }
    boolean oneEach = slots.length > 0;
    for (int[] row : tokens) {
      oneEach &= row.length == 1;
    }
    if (oneEach) {
      int[] last = new int[tokens.length];
      for (int i = 0; i < last.length; i++) {
        last[i] = tokens[i][0];
      }
      return nextLogitsStep(manager, cache, slots, last);
    }
    return nextLogitsPacked(manager, cache, slots, tokens);
  }

  /**
   * A cached pass over rows that append any number of tokens (at least one each): {@code tokens[i]}
   * goes to slot {@code slots[i]}; returns the next-token logits after each row's last token (B, V)
   * in {@code manager}. Inference only. Decode rows and prompt rows share one pass (see {@link
   * CachedPass}); the final norm and the LM head run on the B last tokens only.
   */
  public NDArray nextLogitsPacked(NDManager manager, KvCache cache, int[] slots, int[][] tokens) {
    for (int[] row : tokens) {
      requireInVocabulary(row);
    }
    CachedPass pass = CachedPass.of(manager, cache, slots, tokens);
    NDArray x = embed(manager.create(pass.ids), wte); // (N, C)
    x = x.addi(embed(manager.create(pass.positions), wpe));
    for (int l = 0; l < blocks.size(); l++) {
      x = blocks.get(l).cached(x, l, pass); // (N, C)
    }
    x = pass.outputs(x); // (B, C)
    x = finalNorm(x); // (B, C)
    pass.commit();
    return lmHead(x); // (B, C) x (C, V) -> (B, V)
  }

  /**
   * {@link #nextLogitsCached}'s logits as one flat (B × V) array, row after row — what a sampler
   * reads. On the native step they come straight from the native call, without a tensor made and
   * read back (two copies and a few JNI calls a pass; ~15% of a batch-1 step).
   */
  public float[] nextLogitsFlat(NDManager manager, KvCache cache, int[] slots, int[][] tokens) {
    return nextLogitsFlat(manager, cache, slots, tokens, null);
  }

  /**
   * {@link #nextLogitsFlat(NDManager, KvCache, int[], int[][])} written into {@code out} when it
   * holds at least B × V floats (a buffer a decode loop reuses, so that a step allocates no
   * logits), else into a new array; returns the array written, whose first B × V floats are the
   * logits.
   */
  public float[] nextLogitsFlat(
      NDManager manager, KvCache cache, int[] slots, int[][] tokens, float[] out) {
    if (slots.length != tokens.length) {
      throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " rows");
    }
    long size = (long) slots.length * config.vocabSize();
    float[] into = out != null && out.length >= size ? out : null;
    long handle = nativeHandleFor(cache);
    if (handle != 0) {
      return nextLogitsNative(handle, cache, slots, tokens, into);
    }
    float[] logits = nextLogitsCached(manager, cache, slots, tokens).toFloatArray();
    if (into == null) {
      return logits;
    }
    System.arraycopy(logits, 0, into, 0, logits.length);
    return into;
  }

  /** The native step's handle when a pass over {@code cache} can take it, else 0. */
  private long nativeHandleFor(KvCache cache) {
    return NativeStep.enabled() && cache.nativeLayout() ? nativeHandle() : 0;
  }

  /**
   * {@link #nextLogitsPacked} as one {@link NativeStep} call: every new token is a packed row with
   * a slot and a position, decode rows and prompt rows alike; validated here first, so a rejected
   * pass changes nothing. Returns the logits flat, (B × V), in {@code into} when given.
   */
  private float[] nextLogitsNative(
      long handle, KvCache cache, int[] slots, int[][] tokens, float[] into) {
    for (int[] row : tokens) {
      requireInVocabulary(row);
    }
    PackedRows pass = PackedRows.of(cache, slots, tokens);
    NativeStep.prepareThread();
    int v = config.vocabSize();
    float[] logits = into != null ? into : new float[slots.length * v];
    NativeStep.run(
        handle,
        cache.buffer(),
        cache.maxSlots(),
        cache.maxLen(),
        pass.ids,
        pass.slotOf,
        pass.positionOf,
        pass.last,
        logits);
    pass.commit();
    NativeStep.counted();
    return logits;
  }

  /**
   * The native step's handle on this model's weights, bound on first use (0: not available, e.g.
   * weights not float32 on the CPU or libtorch's MKL functions not found); released with the other
   * inference views when parameters may have new storage.
   */
  private synchronized long nativeHandle() {
    if (closed) {
      throw new IllegalStateException("the model is closed");
    }
    if (nativeHandle == -1) {
      nativeHandle = NativeStep.bind(config, params);
    }
    return nativeHandle;
  }

  private void requireInVocabulary(int[] tokens) {
    for (int token : tokens) {
      if (token < 0 || token >= config.vocabSize()) {
        throw new IllegalArgumentException(
            "token id " + token + " outside the vocabulary [0, " + config.vocabSize() + ")");
      }
    }
  }

  /**
   * One decoding step: appends {@code tokens[i]} to slot {@code slots[i]} and returns the
   * next-token logits (B, V) in {@code manager}. Inference only. The same values as {@link
   * #nextLogitsPacked} with one token per row, with fewer ops: a batch-1 step embeds its token as a
   * view of the table, the cache is written and read with single native slice ops (one write per
   * layer when the slots are in step), and the cache's views of each length are reused.
   */
  public NDArray nextLogitsStep(NDManager manager, KvCache cache, int[] slots, int[] tokens) {
    if (slots.length != tokens.length) {
      throw new IllegalArgumentException(slots.length + " slots but " + tokens.length + " tokens");
    }
    requireInVocabulary(tokens);
    DecodeStep ctx = DecodeStep.of(manager, cache, slots);
    NDArray x = embedStep(ctx, tokens); // (B, C)
    for (int l = 0; l < blocks.size(); l++) {
      x = blocks.get(l).step(x, l, ctx); // (B, C)
    }
    x = finalNorm(x); // (B, C)
    ctx.commit();
    return lmHead(x); // (B, C) x (C, V) -> (B, V)
  }

  /** Token + position embeddings of a step's new tokens: (B, C) in the step's manager. */
  private NDArray embedStep(DecodeStep ctx, int[] tokens) {
    NDManager m = ctx.manager;
    int b = tokens.length;
    if (b == 1) { // two row views of the tables and one add
      int p = Math.min(ctx.starts[0], config.nPositions() - 1);
      NDArray token = TorchOps.slice(wte, 0, tokens[0], tokens[0] + 1, m); // (1, C)
      return token.add(TorchOps.slice(wpe, 0, p, p + 1, m)); // (1, C)
    }
    long[] ids = new long[b];
    for (int i = 0; i < b; i++) {
      ids[i] = tokens[i];
    }
    NDArray x = embed(m.create(ids), wte); // (B, C)
    if (ctx.lockstep) { // one position for every row: a row of wpe, broadcast
      int p = Math.min(ctx.starts[0], config.nPositions() - 1);
      return x.addi(TorchOps.slice(wpe, 0, p, p + 1, m)); // (B, C) + (1, C)
    }
    long[] pos = new long[b];
    for (int i = 0; i < b; i++) {
      pos[i] = Math.min(ctx.starts[i], config.nPositions() - 1);
    }
    return x.addi(embed(m.create(pos), wpe)); // (B, C)
  }

  /** The blocks and the final LayerNorm over embedded inputs x (B, T, C). */
  private NDArray run(NDArray x, NDArray bias) {
    for (GptBlock block : blocks) {
      x = block.forward(x, bias, trainable); // (B, T, C)
    }
    return finalNorm(x); // (B, T, C)
  }

  /** The final LayerNorm (ln_f) over the last dimension. */
  private NDArray finalNorm(NDArray x) {
    return LayerNorm.layerNorm(
            x, lnfWeight.getShape(), lnfWeight, lnfBias, config.layerNormEpsilon())
        .singletonOrThrow();
  }

  private static NDArray embed(NDArray ids, NDArray table) {
    // NDArrayEx.embedding puts the result in the ids' manager (not the parameter's).
    return ids.getNDArrayInternal()
        .embedding(ids, table, SparseFormat.DENSE)
        .singletonOrThrow(); // (B, T, C)
  }

  private static long[] toLongs(NDArray a) {
    if (a.getDataType() == DataType.INT64) {
      return a.toLongArray();
    }
    try (NDArray l = a.toType(DataType.INT64, true)) {
      return l.toLongArray();
    }
  }

  @Override
  public void close() {
    synchronized (this) {
      closed = true;
      if (nativeHandle > 0) {
        NativeStep.release(nativeHandle);
      }
      nativeHandle = 0;
    }
    manager.close();
  }
}
