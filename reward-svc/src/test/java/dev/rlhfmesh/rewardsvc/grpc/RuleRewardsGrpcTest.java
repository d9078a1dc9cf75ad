package dev.rlhfmesh.rewardsvc.grpc;

import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.answer;
import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.ids;
import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.score;
import static dev.rlhfmesh.rewardsvc.grpc.RewardRequests.text;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.reward.v1.ListRewardsRequest;
import dev.rlhfmesh.proto.reward.v1.RewardComponent;
import dev.rlhfmesh.proto.reward.v1.RewardKind;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc;
import dev.rlhfmesh.proto.reward.v1.RewardServiceGrpc.RewardServiceBlockingStub;
import dev.rlhfmesh.proto.reward.v1.RewardSpecInfo;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import dev.rlhfmesh.proto.reward.v1.ScoreResponse;
import dev.rlhfmesh.rewardsvc.RewardTestProfile;
import io.grpc.Channel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse;
import io.grpc.health.v1.HealthGrpc;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.TestProfile;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/** Rule rewards, composites, listing and bad input, over real gRPC against the app's server. */
@QuarkusTest
@TestProfile(RewardTestProfile.class)
class RuleRewardsGrpcTest {
  @GrpcClient("self")
  Channel channel;

  private RewardServiceBlockingStub stub() {
    return RewardServiceGrpc.newBlockingStub(channel);
  }

  private List<Float> rewards(ScoreRequest request) {
    return stub().score(request).getRewardsList();
  }

  @Test
  void health_reportsServingForRewardService() {
    HealthCheckResponse r =
        HealthGrpc.newBlockingStub(channel)
            .check(
                HealthCheckRequest.newBuilder().setService("rlhf.reward.v1.RewardService").build());
    assertEquals(HealthCheckResponse.ServingStatus.SERVING, r.getStatus());
  }

  @Test
  void exactAnswer_matchesAfterNormalisation() {
    assertEquals(
        List.of(1f, 1f, 0f, 0f),
        rewards(
            score(
                "exact-answer",
                answer("81<|endoftext|>", "81"),
                answer(" Paris. ", "paris"),
                answer("71<|endoftext|>", "81"),
                answer("811", "81"))));
  }

  @Test
  void exactAnswer_decodesResponseIdsThroughTheTokenizer() {
    int before = FakeTokenizerService.DECODE_CALLS.get();
    RewardSample right =
        RewardSample.newBuilder()
            .setResponse(ids(FakeTokenizerService.encode("81<|endoftext|>")))
            .setReferenceAnswer("81")
            .build();
    RewardSample wrong = right.toBuilder().setReferenceAnswer("82").build();
    assertEquals(List.of(1f, 0f), rewards(score("exact-answer", right, wrong)));
    assertEquals(before + 1, FakeTokenizerService.DECODE_CALLS.get(), "one Decode per batch");
  }

  @Test
  void regex_findsOrMatchesWhole() {
    assertEquals(List.of(1f, 0f), rewards(score("has-digit", text("it is 8"), text("none"))));
    assertEquals(List.of(0f, 1f), rewards(score("all-digits", text("it is 8"), text("81"))));
  }

  @Test
  void format_digitsAndWholePattern() {
    assertEquals(
        List.of(1f, 1f, 0f),
        rewards(score("digits", text("81<|endoftext|>"), text(" 7 "), text("8 1"))));
    assertEquals(List.of(1f, 0f), rewards(score("yes-no", text("no"), text("no way"))));
  }

  @Test
  void length_penalisesDistanceFromTargetOrLength() {
    // tokens, target 3, scale 0.1 (application.properties): "81<eos>" is 3 tokens, "8" is 1
    List<Float> tokens =
        rewards(
            score(
                "length",
                RewardRequests.idsOf("", "81<|endoftext|>"),
                RewardRequests.idsOf("", "8")));
    assertEquals(0f, tokens.get(0), 1e-6f);
    assertEquals(-0.2f, tokens.get(1), 1e-6f);
    // chars, no target, scale 0.5: "abcd" = 4 chars, the end token is not counted
    assertEquals(List.of(-2f, -1f), rewards(score("chars", text("abcd"), text("81<|endoftext|>"))));
  }

  @Test
  void banned_subtractsPenaltyPerDistinctString() {
    assertEquals(
        List.of(0f, -2f, -4f),
        rewards(score("polite", text("81"), text("Sorry sorry"), text("As an AI, sorry"))));
  }

  @Test
  void composite_weighsComponentsAndReportsTheBreakdown() {
    // shaped-answer = 1.0 exact-answer + 0.2 digits + 1.0 length(tokens, target 3, scale 0.1),
    // clipped to [-1, 1.2]; texts are encoded by the fake tokenizer for the token count
    ScoreResponse r =
        stub()
            .score(
                score(
                    "shaped-answer",
                    answer("81<|endoftext|>", "81"),
                    answer("7<|endoftext|>", "81"),
                    answer("no answer at all here", "81")));
    assertEquals(1.2f, r.getRewards(0), 1e-6f); // 1 + 0.2 + 0 = 1.2
    assertEquals(0.1f, r.getRewards(1), 1e-6f); // 0 + 0.2 - 0.1
    assertEquals(-1f, r.getRewards(2), 1e-6f); // 0 + 0 - 1.8, clipped at -1
    assertEquals(-1.8f, r.getBreakdowns(2).getRawTotal(), 1e-5f);
    Map<String, RewardComponent> parts =
        r.getBreakdowns(1).getComponentsList().stream()
            .collect(Collectors.toMap(RewardComponent::getName, c -> c));
    assertEquals(
        List.of("exact-answer", "digits", "length"),
        r.getBreakdowns(1).getComponentsList().stream().map(RewardComponent::getName).toList());
    assertEquals(0.2f, parts.get("digits").getWeight(), 1e-6f);
    assertEquals(1f, parts.get("digits").getValue(), 1e-6f);
    assertEquals(-0.1f, parts.get("length").getValue(), 1e-6f);
    assertEquals(0, r.getModelVersion());
  }

  @Test
  void composite_normalisesByRunningMeanAndStd() {
    // chars at scale 0.5: -1, -2, -3 -> mean -2, population std sqrt(2/3) (first use of the spec)
    List<Float> r = rewards(score("normalised", text("ab"), text("abcd"), text("abcdef")));
    float s = (float) Math.sqrt(2.0 / 3.0);
    assertEquals(1f / s, r.get(0), 1e-4f);
    assertEquals(0f, r.get(1), 1e-4f);
    assertEquals(-1f / s, r.get(2), 1e-4f);
  }

  @Test
  void listRewards_listsEverySpecWithKindAndComponents() {
    Map<String, RewardSpecInfo> specs =
        stub().listRewards(ListRewardsRequest.getDefaultInstance()).getRewardsList().stream()
            .collect(Collectors.toMap(RewardSpecInfo::getName, s -> s));
    assertEquals(RewardKind.REWARD_KIND_MODEL, specs.get("learned").getKind());
    assertEquals(RewardKind.REWARD_KIND_RULE, specs.get("exact-answer").getKind());
    assertEquals(RewardKind.REWARD_KIND_COMPOSITE, specs.get("shaped-answer").getKind());
    assertEquals(
        List.of("exact-answer", "digits", "length"),
        specs.get("shaped-answer").getComponentsList());
    assertTrue(
        specs.get("learned").getDescription().contains("from "), specs.get("learned").toString());
    assertTrue(specs.get("exact-answer").getDescription().contains("case-fold"));
  }

  @Test
  void score_unknownSpecIsNotFound() {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> rewards(score("nope", text("81"))));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("nope"));
  }

  @Test
  void score_badInputIsInvalidArgumentNamingFieldAndIndex() {
    assertInvalid(
        score("exact-answer", answer("1", "1"), answer("2", "2"), answer("3", "3"), text("81")),
        "samples[3].reference_answer");
    assertInvalid(
        score("digits", text("1"), RewardSample.newBuilder().setPromptText("2+2=").build()),
        "samples[1].response");
    assertInvalid(
        score(
            "exact-answer",
            RewardSample.newBuilder().setResponse(ids(1, 99)).setReferenceAnswer("1").build()),
        "samples[0].response.ids[1]");
    assertInvalid(
        score("chars", RewardSample.newBuilder().setResponseText("x".repeat(70_000)).build()),
        "samples[0].response_text");
    assertInvalid(score("digits"), "samples");
  }

  private void assertInvalid(ScoreRequest request, String field) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, () -> rewards(request));
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
    assertTrue(
        e.getStatus().getDescription().contains("'" + field + "'"), e.getStatus().getDescription());
  }
}
