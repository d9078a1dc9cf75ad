package dev.rlhfmesh.gateway.tokenize;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import dev.rlhfmesh.gateway.fakes.FakeModel;
import dev.rlhfmesh.gateway.fakes.FakeTokenizer;
import dev.rlhfmesh.grpc.BearerTokenCredentials;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.gateway.v1.ChatRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteRequest;
import dev.rlhfmesh.proto.gateway.v1.CompleteResponse;
import dev.rlhfmesh.proto.gateway.v1.CompleteStreamRequest;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The gateway with {@code rlhf.gateway.tokenizer-path} set tokenizes in-process: the unary, chat
 * and streaming paths (gRPC and HTTP) answer as with tokenizer-svc, and the tokenizer-svc fake gets
 * no call. The tokenizer written here is byte-level without merges (byte b = id b, {@code
 * <|endoftext|>} = 256), so the fake model's byte ids mean the same to it as to the fake
 * tokenizer-svc.
 */
@QuarkusTest
@TestProfile(InProcessTokenizerTest.WithTokenizerPath.class)
class InProcessTokenizerTest {
  public static class WithTokenizerPath implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      Path dir = Path.of("target", "in-process-tokenizer").toAbsolutePath();
      try {
        ByteLevelTokenizerFiles.write(dir, List.of(), null);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of("rlhf.gateway.tokenizer-path", dir.toString());
    }
  }

  @GrpcClient("self")
  Channel channel;

  private GatewayServiceGrpc.GatewayServiceBlockingStub stub() {
    return GatewayServiceGrpc.newBlockingStub(channel)
        .withCallCredentials(new BearerTokenCredentials("test-key-1"));
  }

  @Test
  void complete_tokenizesAndDetokenizesInProcess() {
    int before = FakeTokenizer.CALLS.get();
    CompleteResponse r =
        stub()
            .complete(
                CompleteRequest.newBuilder()
                    .setModel("policy")
                    .setPrompt("Hello")
                    .setSampling(SamplingParams.newBuilder().setMaxNewTokens(32))
                    .build());
    assertEquals(FakeModel.REPLY, r.getChoices(0).getText());
    assertEquals("stop", r.getChoices(0).getFinishReason());
    assertEquals(5, r.getUsage().getPromptTokens());
    assertEquals(13, r.getUsage().getCompletionTokens());
    assertEquals(before, FakeTokenizer.CALLS.get(), "calls to tokenizer-svc");
  }

  @Test
  void chat_rendersTheTemplateInProcess() {
    int before = FakeTokenizer.CALLS.get();
    String text =
        stub()
            .chat(
                ChatRequest.newBuilder()
                    .setModel("policy")
                    .addMessages(ChatMessage.newBuilder().setRole("user").setContent("echo:ok"))
                    .build())
            .getChoices(0)
            .getText();
    assertEquals("ok", text);
    // <|user|> \n echo:ok <|end|> \n <|assistant|> \n: the role markers are single special ids
    given()
        .header("Authorization", "Bearer test-key-1")
        .contentType("application/json")
        .body("{\"model\":\"policy\",\"messages\":[{\"role\":\"user\",\"content\":\"echo:ok\"}]}")
        .post("/v1/chat/completions")
        .then()
        .statusCode(200)
        .body("choices[0].message.content", equalTo("ok"))
        .body("usage.prompt_tokens", equalTo(1 + 1 + 7 + 1 + 1 + 1 + 1));
    assertEquals(before, FakeTokenizer.CALLS.get(), "calls to tokenizer-svc");
  }

  @Test
  void stream_relaysWholeCharactersDecodedInProcess() {
    int before = FakeTokenizer.CALLS.get();
    List<String> deltas = new ArrayList<>();
    stub()
        .completeStream(
            CompleteStreamRequest.newBuilder()
                .setModel("policy")
                .setPrompt("Hello")
                .setSampling(SamplingParams.newBuilder().setMaxNewTokens(32))
                .build())
        .forEachRemaining(m -> deltas.add(m.getTextDelta()));
    assertEquals(FakeModel.REPLY, String.join("", deltas));
    for (String d : deltas) {
      assertFalse(d.contains("\uFFFD"), "a delta with a broken character: " + deltas);
    }
    assertEquals(before, FakeTokenizer.CALLS.get(), "calls to tokenizer-svc");
  }
}
