package dev.rlhfmesh.launcher.pipeline;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.Channel;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiFunction;

/**
 * Samples the policy that the model-svc replicas serve now: text prompts in, decoded answers out,
 * the prompts split over every replica at once. Each replica gets its share in calls small enough
 * to fit its admission queue, one call at a time.
 */
final class PolicySampler {
  /** Sequences (prompts × samples) per Generate call: well inside max-batch + queue-capacity. */
  private static final int SEQUENCES_PER_CALL = 512;

  /** Texts per Encode/Decode call, well inside tokenizer-svc's 1,024. */
  private static final int TEXTS_PER_CALL = 512;

  /**
   * Decoded answers, {@code samples} consecutive ones per prompt, and the oldest and newest weight
   * versions that produced them.
   */
  record Samples(List<String> texts, int perPrompt, long version, long newest) {
    /** The {@code k}-th sample of prompt {@code i}. */
    String get(int i, int k) {
      return texts.get(i * perPrompt + k);
    }
  }

  private final Channel tokenizer;
  private final List<Channel> models;
  private final int maxNewTokens;

  PolicySampler(Channel tokenizer, List<Channel> models, int maxNewTokens) {
    this.tokenizer = tokenizer;
    this.models = models;
    this.maxNewTokens = maxNewTokens;
  }

  /** {@code samples} answers per prompt at {@code temperature} (0 = greedy), seeded. */
  Samples sample(List<String> prompts, int samples, float temperature, long seed) {
    List<TokenIds> ids = encode(prompts);
    int parts = models.size();
    int per = (ids.size() + parts - 1) / parts;
    List<CompletableFuture<List<Completion>>> futures = new ArrayList<>();
    for (int r = 0; r < parts; r++) {
      List<TokenIds> slice =
          ids.subList(Math.min(ids.size(), r * per), Math.min(ids.size(), (r + 1) * per));
      Channel ch = models.get(r);
      long partSeed = seed * 1000 + r;
      futures.add(
          CompletableFuture.supplyAsync(() -> generate(ch, slice, samples, temperature, partSeed)));
    }
    List<TokenIds> responses = new ArrayList<>();
    long version = Long.MAX_VALUE;
    long newest = 0;
    for (CompletableFuture<List<Completion>> f : futures) {
      for (Completion c : f.join()) {
        responses.add(TokenIds.newBuilder().addAllIds(c.getTokenIdsList()).build());
        version = Math.min(version, c.getPolicyVersion());
        newest = Math.max(newest, c.getPolicyVersion());
      }
    }
    return new Samples(decode(responses), samples, version == Long.MAX_VALUE ? 0 : version, newest);
  }

  /** One replica's share, in calls of at most {@link #SEQUENCES_PER_CALL} sequences. */
  private List<Completion> generate(
      Channel ch, List<TokenIds> prompts, int samples, float temperature, long seed) {
    return inChunks(
        prompts,
        Math.max(1, SEQUENCES_PER_CALL / samples),
        (from, chunk) ->
            ModelServiceGrpc.newBlockingStub(ch)
                .generate(
                    GenerateRequest.newBuilder()
                        .setModel("policy")
                        .addAllPrompts(chunk)
                        .setSampling(
                            SamplingParams.newBuilder()
                                .setTemperature(temperature)
                                .setMaxNewTokens(maxNewTokens)
                                .setN(samples)
                                // the first call keeps the plain seed, so a single-call
                                // evaluation is what it always was
                                .setSeed(from == 0 ? seed : seed * 7919 + from))
                        .build())
                .getCompletionsList());
  }

  private List<TokenIds> encode(List<String> texts) {
    return inChunks(
        texts,
        TEXTS_PER_CALL,
        (from, chunk) ->
            TokenizerServiceGrpc.newBlockingStub(tokenizer)
                .encode(EncodeRequest.newBuilder().addAllTexts(chunk).build())
                .getSequencesList());
  }

  private List<String> decode(List<TokenIds> sequences) {
    return inChunks(
        sequences,
        TEXTS_PER_CALL,
        (from, chunk) ->
            TokenizerServiceGrpc.newBlockingStub(tokenizer)
                .decode(
                    DecodeRequest.newBuilder()
                        .addAllSequences(chunk)
                        .setSkipSpecialTokens(true)
                        .build())
                .getTextsList());
  }

  /** {@code call} on consecutive chunks of at most {@code size} items (and the chunk's offset). */
  private static <T, R> List<R> inChunks(
      List<T> items, int size, BiFunction<Integer, List<T>, List<R>> call) {
    List<R> out = new ArrayList<>();
    for (int from = 0; from < items.size(); from += size) {
      out.addAll(call.apply(from, items.subList(from, Math.min(items.size(), from + size))));
    }
    return out;
  }
}
