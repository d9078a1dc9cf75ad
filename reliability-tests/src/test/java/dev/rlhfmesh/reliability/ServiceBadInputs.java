package dev.rlhfmesh.reliability;

import static dev.rlhfmesh.reliability.GrpcBadInputs.*;
import static io.grpc.Status.Code.INVALID_ARGUMENT;
import static io.grpc.Status.Code.NOT_FOUND;
import static io.grpc.Status.Code.RESOURCE_EXHAUSTED;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import dev.rlhfmesh.reliability.GrpcBadInputs.Row;
import dev.rlhfmesh.reliability.GrpcBadInputs.Target;
import java.util.List;
import java.util.function.Function;

/** Bad-input rows of tokenizer-svc and model-svc (see {@link GrpcBadInputs}). */
final class ServiceBadInputs {
  private ServiceBadInputs() {}

  static void tokenizer(List<Row> r, Mesh mesh) {
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
  }

  static void model(List<Row> r, Mesh mesh) {
    Target t;
    String token = mesh.adminToken;
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
  }
}
