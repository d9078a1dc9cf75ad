package dev.rlhfmesh.modelsvc;

import static dev.rlhfmesh.modelsvc.Calls.generate;
import static dev.rlhfmesh.modelsvc.Calls.ids;
import static dev.rlhfmesh.modelsvc.Calls.sampling;
import static dev.rlhfmesh.modelsvc.Calls.tokens;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.FinishReason;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GetModelInfoRequest;
import dev.rlhfmesh.proto.model.v1.GetModelInfoResponse;
import dev.rlhfmesh.proto.model.v1.ListModelsRequest;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesResponse;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** Generate, ScoreSequences and model info over real gRPC on the tiny test model. */
@QuarkusTest
class GenerateTest {
  @GrpcClient("self")
  Channel channel;

  private ModelServiceGrpc.ModelServiceBlockingStub stub() {
    return ModelServiceGrpc.newBlockingStub(channel);
  }

  @Test
  void health_reportsServing() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder().setService("rlhf.model.v1.ModelService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void modelInfo_saysSeededInitAndTinyShape() {
    GetModelInfoResponse info =
        stub().getModelInfo(GetModelInfoRequest.newBuilder().setModel("reference").build());
    assertEquals("seeded-init:1234", info.getSource());
    assertEquals(257, info.getVocabSize());
    assertEquals(48, info.getNPositions());
    assertEquals(256, info.getEosTokenId());
    assertEquals(2, stub().listModels(ListModelsRequest.getDefaultInstance()).getModelsCount());
  }

  @Test
  void generate_sameSeedSameTokensWhateverElseIsInTheBatch() {
    SamplingParams.Builder s = sampling(1.0f, 42, 20).setTopK(50).setTopP(0.9f);
    Completion alone = stub().generate(generate("policy", s, ids(5, 6, 7))).getCompletions(0);
    GenerateResponse mixed =
        stub().generate(generate("policy", s, ids(1, 2), ids(5, 6, 7), ids(9, 9, 9, 9, 9)));
    assertArrayEquals(tokens(alone), tokens(mixed.getCompletions(1)));
    assertEquals(20, alone.getTokenIdsCount());
    assertEquals(FinishReason.FINISH_REASON_LENGTH, alone.getFinishReason());
    assertEquals(0, alone.getPolicyVersion());
    Completion otherSeed =
        stub().generate(generate("policy", s.setSeed(43), ids(5, 6, 7))).getCompletions(0);
    assertNotEquals(Arrays.toString(tokens(alone)), Arrays.toString(tokens(otherSeed)));
  }

  @Test
  void generate_nSamplesPerPromptAreOrderedAndDiffer() {
    GenerateResponse r =
        stub().generate(generate("policy", sampling(1.0f, 7, 12).setN(3), ids(3), ids(4, 4)));
    assertEquals(6, r.getCompletionsCount());
    Set<String> distinct = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      Completion c = r.getCompletions(i);
      assertEquals(i / 3, c.getPromptIndex());
      assertEquals(i % 3, c.getSampleIndex());
      assertEquals(12, c.getLogprobsCount());
      distinct.add(Arrays.toString(tokens(c)));
    }
    assertTrue(distinct.size() >= 5, "samples should differ: " + distinct);
  }

  @Test
  void generate_repeatsOfAPromptAreIndependentSamples() {
    // 12 copies of one prompt with n = 1 are 12 independent samples — the same ones as the prompt
    // once with n = 12 — not one sample 12 times.
    TokenIds[] copies = new TokenIds[12];
    Arrays.fill(copies, ids(5, 6, 7));
    GenerateResponse repeated = stub().generate(generate("policy", sampling(1.0f, 3, 8), copies));
    GenerateResponse withN =
        stub().generate(generate("policy", sampling(1.0f, 3, 8).setN(12), ids(5, 6, 7)));
    Set<String> distinct = new HashSet<>();
    for (int i = 0; i < 12; i++) {
      assertArrayEquals(tokens(withN.getCompletions(i)), tokens(repeated.getCompletions(i)));
      distinct.add(Arrays.toString(tokens(repeated.getCompletions(i))));
    }
    assertTrue(distinct.size() >= 10, "copies should be independent samples: " + distinct);
  }

  @Test
  void generate_stopsAtAStopStringAndCutsTheText() {
    SamplingParams.Builder greedy = sampling(0f, 1, 30).addStopStrings("\u0000never");
    Completion full =
        stub().generate(generate("policy", greedy, ids(10, 20, 30))).getCompletions(0);
    String text = full.getText();
    int at = -1;
    for (int i = 4; i + 3 <= text.length(); i++) {
      String cand = text.substring(i, i + 3);
      if (text.indexOf(cand) == i && !cand.contains("\uFFFD")) {
        at = i;
        break;
      }
    }
    assertTrue(at > 0, "no usable stop string in " + text);
    String stop = text.substring(at, at + 3);
    Completion cut =
        stub()
            .generate(generate("policy", sampling(0f, 1, 30).addStopStrings(stop), ids(10, 20, 30)))
            .getCompletions(0);
    assertEquals(FinishReason.FINISH_REASON_STOP, cut.getFinishReason());
    assertEquals(text.substring(0, at), cut.getText());
    int[] prefix = Arrays.copyOf(tokens(full), cut.getTokenIdsCount());
    assertArrayEquals(prefix, tokens(cut));
    assertTrue(cut.getTokenIdsCount() < full.getTokenIdsCount());
  }

  @Test
  void generate_stopsAtAStopTokenIdAndKeepsIt() {
    Completion full =
        stub().generate(generate("policy", sampling(0f, 1, 20), ids(11, 12))).getCompletions(0);
    int stopId = full.getTokenIds(4);
    int first = full.getTokenIdsList().indexOf(stopId);
    Completion cut =
        stub()
            .generate(generate("policy", sampling(0f, 1, 20).addStopTokenIds(stopId), ids(11, 12)))
            .getCompletions(0);
    assertEquals(FinishReason.FINISH_REASON_STOP, cut.getFinishReason());
    assertEquals(first + 1, cut.getTokenIdsCount());
    assertEquals(stopId, cut.getTokenIds(first));
  }

  @Test
  void scoreSequences_equalsGenerateLogprobsAtTemperatureOne() {
    GenerateResponse gen =
        stub().generate(generate("policy", sampling(1.0f, 99, 25).setN(2), ids(1, 2, 3), ids(40)));
    ScoreSequencesRequest.Builder req =
        ScoreSequencesRequest.newBuilder().setModel("policy").setReturnEntropies(true);
    int[][] prompts = {{1, 2, 3}, {40}};
    for (Completion c : gen.getCompletionsList()) {
      req.addSequences(
          SequenceToScore.newBuilder()
              .setPrompt(ids(prompts[c.getPromptIndex()]))
              .setResponse(ids(tokens(c))));
    }
    ScoreSequencesResponse scores = stub().scoreSequences(req.build());
    assertEquals(0, scores.getPolicyVersion());
    for (int i = 0; i < gen.getCompletionsCount(); i++) {
      Completion c = gen.getCompletions(i);
      assertEquals(c.getLogprobsCount(), scores.getScores(i).getLogprobsCount());
      assertEquals(c.getLogprobsCount(), scores.getScores(i).getEntropiesCount());
      for (int t = 0; t < c.getLogprobsCount(); t++) {
        assertEquals(c.getLogprobs(t), scores.getScores(i).getLogprobs(t), 1e-4, "token " + t);
      }
    }
  }

  @Test
  void errors_nameTheFieldAndValue() {
    assertCode(Status.Code.NOT_FOUND, "nope", generate("nope", sampling(1f, 1, 4), ids(1)));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "prompts[1].ids[1]",
        generate("policy", sampling(1f, 1, 4), ids(1), ids(2, 257)));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "prompts[0].ids",
        generate("policy", sampling(1f, 1, 4), ids(new int[48])));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "sampling.temperature",
        generate("policy", sampling(-1f, 1, 4), ids(1)));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "sampling.top_p",
        generate("policy", sampling(1f, 1, 4).setTopP(0f), ids(1)));
    assertCode(
        Status.Code.INVALID_ARGUMENT,
        "sampling.n",
        generate("policy", sampling(1f, 1, 4).setN(-2), ids(1)));
    assertCode(Status.Code.INVALID_ARGUMENT, "prompts", generate("policy", sampling(1f, 1, 4)));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                stub()
                    .scoreSequences(
                        ScoreSequencesRequest.newBuilder()
                            .setModel("policy")
                            .addSequences(
                                SequenceToScore.newBuilder()
                                    .setPrompt(ids(new int[40]))
                                    .setResponse(ids(new int[10])))
                            .build()));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("sequences[0].response.ids"));
  }

  private void assertCode(
      Status.Code code, String mention, dev.rlhfmesh.proto.model.v1.GenerateRequest r) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> stub().generate(r));
    assertEquals(code, e.getStatus().getCode(), e.getStatus().toString());
    assertTrue(e.getStatus().getDescription().contains(mention), e.getStatus().getDescription());
  }
}
