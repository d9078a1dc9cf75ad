package dev.rlhfmesh.reliability;

import static io.grpc.Status.Code.FAILED_PRECONDITION;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;

import com.google.protobuf.ByteString;
import dev.rlhfmesh.proto.admin.v1.AbortUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.CommitUpdateRequest;
import dev.rlhfmesh.proto.admin.v1.GetWeightVersionRequest;
import dev.rlhfmesh.proto.admin.v1.LoadFromDirectoryRequest;
import dev.rlhfmesh.proto.admin.v1.WeightChunk;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.gateway.v1.ChatRequest;
import dev.rlhfmesh.proto.gateway.v1.ChatStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The malformed and hostile requests, one row each: which process answers, the rpc, what is wrong,
 * the documented status code, and the call. Adding an rpc adds rows here, not a test.
 */
public final class GrpcBadInputs {
  /** Which process of the {@link Mesh} a row talks to (for the liveness and RSS checks). */
  public enum Target {
    TOKENIZER,
    MODEL,
    MODEL_ADMIN,
    REWARD,
    REWARD_ADMIN,
    GATEWAY
  }

  /** A call that is expected to fail with a status. */
  @FunctionalInterface
  public interface Call {
    void run(Stubs s);
  }

  public record Row(Target target, String rpc, String what, Status.Code expected, Call call) {
    @Override
    public String toString() {
      return target + " " + rpc + ": " + what + " -> " + expected;
    }

    /** A 64 MiB payload: sent once per test run, left out of the repeated RSS rounds. */
    public boolean heavy() {
      return what.contains("64 MiB");
    }
  }

  /** Bigger than the 64 MiB inbound limit of tokenizer/model/reward and their admin ports. */
  static final int OVER_SERVICE_LIMIT = (64 << 20) + 1024;

  /** Bigger than the gateway's 1 MiB inbound limit. */
  static final int OVER_GATEWAY_LIMIT = (1 << 20) + 1024;

  private GrpcBadInputs() {}

  static TokenIds ids(int... ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int i : ids) {
      b.addIds(i);
    }
    return b.build();
  }

  static TokenIds manyIds(int n) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int i = 0; i < n; i++) {
      b.addIds(i % 200);
    }
    return b.build();
  }

  /** More ids than fit in a 64 MiB message (each id 2^28 takes five bytes as a packed varint). */
  static TokenIds hugeIds() {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int i = 0; i < OVER_SERVICE_LIMIT / 5 + 1024; i++) {
      b.addIds(1 << 28);
    }
    return b.build();
  }

  static String text(int chars) {
    return "a".repeat(chars);
  }

  private static final SamplingParams OK = SamplingParams.newBuilder().setMaxNewTokens(4).build();

  static SamplingParams sampling(UnaryOperator<SamplingParams.Builder> f) {
    return f.apply(OK.toBuilder()).build();
  }

  static GenerateRequest gen(String model, TokenIds prompt, SamplingParams p) {
    return GenerateRequest.newBuilder().setModel(model).addPrompts(prompt).setSampling(p).build();
  }

  private static BeginUpdateRequest begin(String model, long version, TensorSpec... specs) {
    BeginUpdateRequest.Builder b =
        BeginUpdateRequest.newBuilder().setModel(model).setVersion(version);
    for (TensorSpec s : specs) {
      b.addManifest(s);
    }
    return b.build();
  }

  private static TensorSpec spec(String name, DType t, long bytes, long... shape) {
    TensorSpec.Builder b = TensorSpec.newBuilder().setName(name).setDtype(t).setByteSize(bytes);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  private static RewardSample sample(String response) {
    return RewardSample.newBuilder()
        .setPromptText("1+1=")
        .setResponseText(response)
        .setReferenceAnswer("2")
        .build();
  }

  private static ScoreRequest score(String spec, RewardSample... samples) {
    return ScoreRequest.newBuilder().setReward(spec).addAllSamples(List.of(samples)).build();
  }

  private static ChatMessage msg(String role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }

  /** Every row, in table order. */
  public static List<Row> rows(Mesh mesh) {
    List<Row> r = new ArrayList<>();
    String token = mesh.adminToken;

    // ---- tokenizer-svc ----
    Target t = Target.TOKENIZER;
    r.add(
        new Row(
            t,
            "Encode",
            "1025 texts (max-batch 1024)",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .encode(
                        EncodeRequest.newBuilder()
                            .addAllTexts(java.util.Collections.nCopies(1025, "x"))
                            .build())));
    r.add(
        new Row(
            t,
            "Encode",
            "text of 1,000,001 chars (max-text-chars)",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .encode(EncodeRequest.newBuilder().addTexts(text(1_000_001)).build())));
    r.add(
        new Row(
            t,
            "Encode",
            "message over 64 MiB",
            RESOURCE_EXHAUSTED,
            s ->
                s.tokenizer()
                    .encode(
                        EncodeRequest.newBuilder().addTexts(text(OVER_SERVICE_LIMIT)).build())));
    r.add(
        new Row(
            t,
            "Decode",
            "negative id",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer().decode(DecodeRequest.newBuilder().addSequences(ids(1, -1)).build())));
    r.add(
        new Row(
            t,
            "Decode",
            "id past the vocab",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .decode(DecodeRequest.newBuilder().addSequences(ids(1, 1 << 30)).build())));
    r.add(
        new Row(
            t,
            "Decode",
            "1025 sequences",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .decode(
                        DecodeRequest.newBuilder()
                            .addAllSequences(java.util.Collections.nCopies(1025, ids(1)))
                            .build())));
    r.add(
        new Row(
            t,
            "ApplyChatTemplate",
            "no messages",
            INVALID_ARGUMENT,
            s -> s.tokenizer().applyChatTemplate(ApplyChatTemplateRequest.getDefaultInstance())));
    r.add(
        new Row(
            t,
            "ApplyChatTemplate",
            "unknown role",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .applyChatTemplate(
                        ApplyChatTemplateRequest.newBuilder()
                            .addMessages(msg("root", "hi"))
                            .build())));
    r.add(
        new Row(
            t,
            "TrainTokenizer",
            "vocab_size below 256 + specials",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .trainTokenizer(
                        TrainTokenizerRequest.newBuilder()
                            .addCorpusTexts("abc abc")
                            .setVocabSize(10)
                            .build())));
    r.add(
        new Row(
            t,
            "TrainTokenizer",
            "negative vocab_size",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .trainTokenizer(
                        TrainTokenizerRequest.newBuilder()
                            .addCorpusTexts("abc abc")
                            .setVocabSize(-5)
                            .build())));
    r.add(
        new Row(
            t,
            "TrainTokenizer",
            "missing corpus file",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .trainTokenizer(
                        TrainTokenizerRequest.newBuilder()
                            .addCorpusFiles("/nonexistent/corpus.txt")
                            .setVocabSize(300)
                            .build())));
    r.add(
        new Row(
            t,
            "TrainTokenizer",
            "empty corpus",
            INVALID_ARGUMENT,
            s ->
                s.tokenizer()
                    .trainTokenizer(TrainTokenizerRequest.newBuilder().setVocabSize(300).build())));

    // ---- model-svc ----
    t = Target.MODEL;
    TokenIds p = ids(1, 2, 3);
    r.add(
        new Row(
            t,
            "Generate",
            "unknown model",
            NOT_FOUND,
            s -> s.model().generate(gen("no-such-model", p, OK))));
    r.add(
        new Row(
            t,
            "Generate",
            "no prompts",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .generate(
                        GenerateRequest.newBuilder().setModel("policy").setSampling(OK).build())));
    r.add(
        new Row(
            t,
            "Generate",
            "id = vocab",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", ids(1, Mesh.VOCAB), OK))));
    r.add(
        new Row(
            t,
            "Generate",
            "negative id",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", ids(-7), OK))));
    r.add(
        new Row(
            t,
            "Generate",
            "prompt of n_positions ids",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", manyIds(Mesh.N_POSITIONS), OK))));
    for (float bad : new float[] {Float.NaN, Float.POSITIVE_INFINITY, -1f, 101f}) {
      r.add(
          new Row(
              t,
              "Generate",
              "temperature " + bad,
              INVALID_ARGUMENT,
              s -> s.model().generate(gen("policy", p, sampling(b -> b.setTemperature(bad))))));
    }
    for (float bad : new float[] {0f, 1.5f, Float.NaN}) {
      r.add(
          new Row(
              t,
              "Generate",
              "top_p " + bad,
              INVALID_ARGUMENT,
              s -> s.model().generate(gen("policy", p, sampling(b -> b.setTopP(bad))))));
    }
    r.add(
        new Row(
            t,
            "Generate",
            "top_k -1",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", p, sampling(b -> b.setTopK(-1))))));
    r.add(
        new Row(
            t,
            "Generate",
            "max_new_tokens -5",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", p, sampling(b -> b.setMaxNewTokens(-5))))));
    r.add(
        new Row(
            t,
            "Generate",
            "max_new_tokens = n_positions",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .generate(
                        gen("policy", p, sampling(b -> b.setMaxNewTokens(Mesh.N_POSITIONS))))));
    r.add(
        new Row(
            t,
            "Generate",
            "n = 100000",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", p, sampling(b -> b.setN(100_000))))));
    r.add(
        new Row(
            t,
            "Generate",
            "n = -1",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", p, sampling(b -> b.setN(-1))))));
    r.add(
        new Row(
            t,
            "Generate",
            "stop string without a tokenizer",
            INVALID_ARGUMENT,
            s -> s.model().generate(gen("policy", p, sampling(b -> b.addStopStrings("\n"))))));
    r.add(
        new Row(
            t,
            "Generate",
            "message over 64 MiB",
            RESOURCE_EXHAUSTED,
            s -> s.model().generate(gen("policy", hugeIds(), OK))));
    Function<GenerateRequest, GenerateStreamRequest> stream =
        g ->
            GenerateStreamRequest.newBuilder()
                .setModel(g.getModel())
                .addAllPrompts(g.getPromptsList())
                .setSampling(g.getSampling())
                .build();
    r.add(
        new Row(
            t,
            "GenerateStream",
            "unknown model",
            NOT_FOUND,
            s ->
                s.model()
                    .generateStream(stream.apply(gen("nope", p, OK)))
                    .forEachRemaining(x -> {})));
    r.add(
        new Row(
            t,
            "GenerateStream",
            "temperature NaN",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .generateStream(
                        stream.apply(gen("policy", p, sampling(b -> b.setTemperature(Float.NaN)))))
                    .forEachRemaining(x -> {})));
    r.add(
        new Row(
            t,
            "GenerateStream",
            "id out of range",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .generateStream(stream.apply(gen("policy", ids(99999), OK)))
                    .forEachRemaining(x -> {})));
    SequenceToScore seq = SequenceToScore.newBuilder().setPrompt(p).setResponse(ids(4, 5)).build();
    r.add(
        new Row(
            t,
            "ScoreSequences",
            "unknown model",
            NOT_FOUND,
            s ->
                s.model()
                    .scoreSequences(
                        ScoreSequencesRequest.newBuilder()
                            .setModel("nope")
                            .addSequences(seq)
                            .build())));
    r.add(
        new Row(
            t,
            "ScoreSequences",
            "response id out of range",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .scoreSequences(
                        ScoreSequencesRequest.newBuilder()
                            .setModel("policy")
                            .addSequences(seq.toBuilder().setResponse(ids(4, 100000)))
                            .build())));
    r.add(
        new Row(
            t,
            "ScoreSequences",
            "no sequences",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .scoreSequences(
                        ScoreSequencesRequest.newBuilder().setModel("policy").build())));
    r.add(
        new Row(
            t,
            "ScoreSequences",
            "empty response",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .scoreSequences(
                        ScoreSequencesRequest.newBuilder()
                            .setModel("policy")
                            .addSequences(SequenceToScore.newBuilder().setPrompt(p))
                            .build())));
    r.add(
        new Row(
            t,
            "ScoreSequences",
            "longer than n_positions",
            INVALID_ARGUMENT,
            s ->
                s.model()
                    .scoreSequences(
                        ScoreSequencesRequest.newBuilder()
                            .setModel("policy")
                            .addSequences(
                                SequenceToScore.newBuilder()
                                    .setPrompt(manyIds(40))
                                    .setResponse(manyIds(40)))
                            .build())));
    r.add(
        new Row(
            t,
            "GetModelInfo",
            "unknown model",
            NOT_FOUND,
            s ->
                s.model().getModelInfo(GetModelInfoRequest.newBuilder().setModel("nope").build())));

    // ---- admin (weights), the same protocol on model-svc and reward-svc ----
    for (Target a : new Target[] {Target.MODEL_ADMIN, Target.REWARD_ADMIN}) {
      String m = a == Target.MODEL_ADMIN ? "policy" : "learned";
      Function<
              Stubs,
              dev.rlhfmesh.proto.admin.v1.WeightAdminServiceGrpc.WeightAdminServiceBlockingStub>
          admin = s -> a == Target.MODEL_ADMIN ? s.modelAdmin(token) : s.rewardAdmin(token);
      Function<Stubs, io.grpc.Channel> ch =
          s -> a == Target.MODEL_ADMIN ? s.modelAdminChannel() : s.rewardAdminChannel();
      TensorSpec wte =
          spec(
              "wte.weight",
              DType.D_TYPE_FLOAT32,
              4L * Mesh.VOCAB * Mesh.N_EMBD,
              Mesh.VOCAB,
              Mesh.N_EMBD);
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "unknown model",
              NOT_FOUND,
              s -> admin.apply(s).beginUpdate(begin("nope", 1_000_000, wte))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "no model name",
              INVALID_ARGUMENT,
              s -> admin.apply(s).beginUpdate(begin("", 1_000_000, wte))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "empty manifest",
              INVALID_ARGUMENT,
              s -> admin.apply(s).beginUpdate(begin(m, 1_000_000))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "version that does not move forward",
              FAILED_PRECONDITION,
              s -> admin.apply(s).beginUpdate(begin(m, -1, wte))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "negative shape",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .beginUpdate(
                          begin(
                              m,
                              1_000_000,
                              spec("wte.weight", DType.D_TYPE_FLOAT32, 16, -4, -1)))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "byte_size disagrees with shape",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .beginUpdate(
                          begin(
                              m,
                              1_000_000,
                              spec(
                                  "wte.weight",
                                  DType.D_TYPE_FLOAT32,
                                  7,
                                  Mesh.VOCAB,
                                  Mesh.N_EMBD)))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "integer dtype",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .beginUpdate(
                          begin(
                              m,
                              1_000_000,
                              spec(
                                  "wte.weight",
                                  DType.D_TYPE_INT64,
                                  8L * Mesh.VOCAB * Mesh.N_EMBD,
                                  Mesh.VOCAB,
                                  Mesh.N_EMBD)))));
      r.add(
          new Row(
              a,
              "BeginUpdate",
              "tensor named twice",
              INVALID_ARGUMENT,
              s -> admin.apply(s).beginUpdate(begin(m, 1_000_000, wte, wte))));
      r.add(
          new Row(
              a,
              "UploadChunks",
              "unknown update id",
              NOT_FOUND,
              s ->
                  Stubs.upload(
                      ch.apply(s),
                      token,
                      List.of(
                          WeightChunk.newBuilder()
                              .setUpdateId("no-such-update")
                              .setTensorName("wte.weight")
                              .setData(ByteString.copyFrom(new byte[16]))
                              .build()))));
      r.add(
          new Row(
              a,
              "UploadChunks",
              "chunk over 64 MiB",
              RESOURCE_EXHAUSTED,
              s ->
                  Stubs.upload(
                      ch.apply(s),
                      token,
                      List.of(
                          WeightChunk.newBuilder()
                              .setUpdateId("x")
                              .setTensorName("wte.weight")
                              .setData(ByteString.copyFrom(new byte[OVER_SERVICE_LIMIT]))
                              .build()))));
      r.add(
          new Row(
              a,
              "CommitUpdate",
              "unknown update id",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .commitUpdate(
                          CommitUpdateRequest.newBuilder().setUpdateId("no-such-update").build())));
      r.add(
          new Row(
              a,
              "AbortUpdate",
              "unknown update id",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .abortUpdate(
                          AbortUpdateRequest.newBuilder().setUpdateId("no-such-update").build())));
      r.add(
          new Row(
              a,
              "GetWeightVersion",
              "unknown model",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .getWeightVersion(
                          GetWeightVersionRequest.newBuilder().setModel("nope").build())));
      r.add(
          new Row(
              a,
              "LoadFromDirectory",
              "missing directory",
              INVALID_ARGUMENT,
              s ->
                  admin
                      .apply(s)
                      .loadFromDirectory(
                          LoadFromDirectoryRequest.newBuilder()
                              .setModel(m)
                              .setDirectory("/nonexistent/model")
                              .setVersion(1_000_000)
                              .build())));
      r.add(
          new Row(
              a,
              "LoadFromDirectory",
              "unknown model",
              NOT_FOUND,
              s ->
                  admin
                      .apply(s)
                      .loadFromDirectory(
                          LoadFromDirectoryRequest.newBuilder()
                              .setModel("nope")
                              .setDirectory("/nonexistent/model")
                              .setVersion(1_000_000)
                              .build())));
    }

    // ---- reward-svc ----
    t = Target.REWARD;
    r.add(
        new Row(
            t,
            "Score",
            "unknown spec",
            NOT_FOUND,
            s -> s.reward().score(score("no-such-spec", sample("2")))));
    r.add(
        new Row(
            t,
            "Score",
            "no spec name",
            INVALID_ARGUMENT,
            s -> s.reward().score(score("", sample("2")))));
    r.add(
        new Row(
            t,
            "Score",
            "no samples",
            INVALID_ARGUMENT,
            s -> s.reward().score(score("exact-answer"))));
    r.add(
        new Row(
            t,
            "Score",
            "1025 samples (max-samples)",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "exact-answer",
                            java.util.Collections.nCopies(1025, sample("2"))
                                .toArray(RewardSample[]::new)))));
    r.add(
        new Row(
            t,
            "Score",
            "empty response",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "exact-answer",
                            RewardSample.newBuilder()
                                .setPromptText("1+1=")
                                .setReferenceAnswer("2")
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "exact match without reference",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "exact-answer",
                            RewardSample.newBuilder().setResponseText("2").build()))));
    r.add(
        new Row(
            t,
            "Score",
            "negative response id",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "learned",
                            RewardSample.newBuilder()
                                .setPrompt(ids(1))
                                .setResponse(ids(2, -3))
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "response id past the reward model's vocab",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "learned",
                            RewardSample.newBuilder()
                                .setPrompt(ids(1))
                                .setResponse(ids(2, 1 << 20))
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "prompt + response longer than n_positions",
            INVALID_ARGUMENT,
            s ->
                s.reward()
                    .score(
                        score(
                            "learned",
                            RewardSample.newBuilder()
                                .setPrompt(manyIds(60))
                                .setResponse(manyIds(60))
                                .build()))));
    r.add(
        new Row(
            t,
            "Score",
            "response text of 65537 chars",
            INVALID_ARGUMENT,
            s -> s.reward().score(score("exact-answer", sample(text(65_537))))));
    r.add(
        new Row(
            t,
            "Score",
            "message over 64 MiB",
            RESOURCE_EXHAUSTED,
            s -> s.reward().score(score("exact-answer", sample(text(OVER_SERVICE_LIMIT))))));

    // ---- gateway gRPC ----
    t = Target.GATEWAY;
    CompleteRequest c =
        CompleteRequest.newBuilder().setModel("policy").setPrompt("1+1=").setSampling(OK).build();
    r.add(
        new Row(
            t,
            "Complete",
            "unknown model",
            NOT_FOUND,
            s -> s.gateway().complete(c.toBuilder().setModel("no-such-model").build())));
    r.add(
        new Row(
            t,
            "Complete",
            "temperature NaN",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(sampling(b -> b.setTemperature(Float.NaN)))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "temperature -Inf",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(sampling(b -> b.setTemperature(Float.NEGATIVE_INFINITY)))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "max_new_tokens 100000",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(sampling(b -> b.setMaxNewTokens(100_000)))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "n 1000",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(c.toBuilder().setSampling(sampling(b -> b.setN(1000))).build())));
    r.add(
        new Row(
            t,
            "Complete",
            "5 stop strings (max-stop 4)",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .complete(
                        c.toBuilder()
                            .setSampling(
                                sampling(
                                    b -> b.addAllStopStrings(List.of("a", "b", "c", "d", "e"))))
                            .build())));
    r.add(
        new Row(
            t,
            "Complete",
            "prompt of 65537 chars",
            INVALID_ARGUMENT,
            s -> s.gateway().complete(c.toBuilder().setPrompt(text(65_537)).build())));
    r.add(
        new Row(
            t,
            "Complete",
            "message over 1 MiB",
            RESOURCE_EXHAUSTED,
            s -> s.gateway().complete(c.toBuilder().setPrompt(text(OVER_GATEWAY_LIMIT)).build())));
    r.add(
        new Row(
            t,
            "CompleteStream",
            "top_p 2",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .completeStream(
                        CompleteStreamRequest.newBuilder()
                            .setModel("policy")
                            .setPrompt("x")
                            .setSampling(sampling(b -> b.setTopP(2f)))
                            .build())
                    .forEachRemaining(x -> {})));
    r.add(
        new Row(
            t,
            "CompleteStream",
            "unknown model",
            NOT_FOUND,
            s ->
                s.gateway()
                    .completeStream(
                        CompleteStreamRequest.newBuilder()
                            .setModel("nope")
                            .setPrompt("x")
                            .setSampling(OK)
                            .build())
                    .forEachRemaining(x -> {})));
    ChatRequest chat =
        ChatRequest.newBuilder()
            .setModel("policy")
            .addMessages(msg("user", "hi"))
            .setSampling(OK)
            .build();
    r.add(
        new Row(
            t,
            "Chat",
            "no messages",
            INVALID_ARGUMENT,
            s -> s.gateway().chat(chat.toBuilder().clearMessages().build())));
    r.add(
        new Row(
            t,
            "Chat",
            "unknown role",
            INVALID_ARGUMENT,
            s -> s.gateway().chat(chat.toBuilder().addMessages(msg("root", "x")).build())));
    r.add(
        new Row(
            t,
            "Chat",
            "257 messages (max-messages 256)",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .chat(
                        chat.toBuilder()
                            .addAllMessages(java.util.Collections.nCopies(257, msg("user", "x")))
                            .build())));
    r.add(
        new Row(
            t,
            "ChatStream",
            "temperature +Inf",
            INVALID_ARGUMENT,
            s ->
                s.gateway()
                    .chatStream(
                        ChatStreamRequest.newBuilder()
                            .setModel("policy")
                            .addMessages(msg("user", "hi"))
                            .setSampling(sampling(b -> b.setTemperature(Float.POSITIVE_INFINITY)))
                            .build())
                    .forEachRemaining(x -> {})));
    r.add(
        new Row(
            t,
            "ChatStream",
            "message over 1 MiB",
            RESOURCE_EXHAUSTED,
            s ->
                s.gateway()
                    .chatStream(
                        ChatStreamRequest.newBuilder()
                            .setModel("policy")
                            .addMessages(msg("user", text(OVER_GATEWAY_LIMIT)))
                            .build())
                    .forEachRemaining(x -> {})));
    return r;
  }
}
