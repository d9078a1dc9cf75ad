package dev.rlhfmesh.reliability;

import dev.rlhfmesh.proto.admin.v1.BeginUpdateRequest;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.reward.v1.RewardSample;
import dev.rlhfmesh.proto.reward.v1.ScoreRequest;
import io.grpc.Status;
import java.util.ArrayList;
import java.util.List;
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
    GATEWAY,
    TRAINER
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

  static final SamplingParams OK = SamplingParams.newBuilder().setMaxNewTokens(4).build();

  static SamplingParams sampling(UnaryOperator<SamplingParams.Builder> f) {
    return f.apply(OK.toBuilder()).build();
  }

  static GenerateRequest gen(String model, TokenIds prompt, SamplingParams p) {
    return GenerateRequest.newBuilder().setModel(model).addPrompts(prompt).setSampling(p).build();
  }

  static BeginUpdateRequest begin(String model, long version, TensorSpec... specs) {
    BeginUpdateRequest.Builder b =
        BeginUpdateRequest.newBuilder().setModel(model).setVersion(version);
    for (TensorSpec s : specs) {
      b.addManifest(s);
    }
    return b.build();
  }

  static TensorSpec spec(String name, DType t, long bytes, long... shape) {
    TensorSpec.Builder b = TensorSpec.newBuilder().setName(name).setDtype(t).setByteSize(bytes);
    for (long d : shape) {
      b.addShape(d);
    }
    return b.build();
  }

  static RewardSample sample(String response) {
    return RewardSample.newBuilder()
        .setPromptText("1+1=")
        .setResponseText(response)
        .setReferenceAnswer("2")
        .build();
  }

  static ScoreRequest score(String spec, RewardSample... samples) {
    return ScoreRequest.newBuilder().setReward(spec).addAllSamples(List.of(samples)).build();
  }

  static ChatMessage msg(String role, String content) {
    return ChatMessage.newBuilder().setRole(role).setContent(content).build();
  }

  /** Every row, in table order. */
  public static List<Row> rows(Mesh mesh) {
    List<Row> r = new ArrayList<>();
    ServiceBadInputs.tokenizer(r, mesh);
    ServiceBadInputs.model(r, mesh);
    AdminBadInputs.admin(r, mesh);
    EdgeBadInputs.reward(r, mesh);
    EdgeBadInputs.gateway(r, mesh);
    TrainerBadInputs.trainer(r);
    return r;
  }
}
