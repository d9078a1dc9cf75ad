package dev.rlhfmesh.tokenizersvc.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc.TokenizerServiceBlockingStub;
import dev.rlhfmesh.tokenizersvc.core.ByteLevelBpeTrainer;
import dev.rlhfmesh.tokenizersvc.core.TokenizerJsonWriter;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import io.quarkus.test.junit.QuarkusTestProfile;
import io.quarkus.test.junit.TestProfile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** rlhf.tokenizer.path set: the service serves that directory, with its tokenizer_config.json. */
@QuarkusTest
@TestProfile(ConfiguredTokenizerTest.WithPath.class)
class ConfiguredTokenizerTest {
  static final Path DIR = Path.of("target", "configured-tokenizer").toAbsolutePath();

  public static class WithPath implements QuarkusTestProfile {
    @Override
    public Map<String, String> getConfigOverrides() {
      try {
        ByteLevelBpeTrainer trainer = new ByteLevelBpeTrainer();
        for (int i = 0; i < 100; i++) {
          trainer.add("configured tokenizer " + i);
        }
        TokenizerJsonWriter.write(
            trainer.train(new ByteLevelBpeTrainer.Options(288, 2, List.of()), () -> false),
            DIR,
            ChatTemplate.DEFAULT);
        Files.writeString(
            DIR.resolve("tokenizer_config.json"),
            "{\"eos_token\": \"<|end|>\", \"pad_token\": \"<|endoftext|>\","
                + " \"chat_template\": \"[{role}] {content}{eos}\\n{generation}[assistant] \"}");
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return Map.of("rlhf.tokenizer.path", DIR.toString());
    }
  }

  @GrpcClient("self")
  TokenizerServiceBlockingStub tokenizer;

  @Test
  void info_reportsTheConfiguredDirectoryAndItsSpecialIds() {
    GetTokenizerInfoResponse info =
        tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());
    assertEquals(DIR.toString(), info.getSource());
    assertEquals(288, info.getVocabSize());
    assertEquals(260, info.getEosTokenId());
    assertEquals(256, info.getPadTokenId());
    assertEquals(-1, info.getBosTokenId());
  }

  @Test
  void applyChatTemplate_usesTheTemplateFromTokenizerConfig() {
    String text =
        tokenizer
            .applyChatTemplate(
                ApplyChatTemplateRequest.newBuilder()
                    .addMessages(ChatMessage.newBuilder().setRole("user").setContent("hi"))
                    .setAddGenerationPrompt(true)
                    .build())
            .getText();
    assertEquals("[user] hi<|end|>\n[assistant] ", text);
  }
}
