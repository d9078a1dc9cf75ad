package dev.rlhfmesh.tokenizersvc.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateResponse;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.rlhfmesh.proto.tokenizer.v1.TokenOffsets;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc.TokenizerServiceBlockingStub;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.test.junit.QuarkusTest;
import java.util.Collections;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

/** Encode, Decode, ApplyChatTemplate and GetTokenizerInfo over real gRPC, default tokenizer. */
@QuarkusTest
class TokenizerServiceTest {
  static final List<String> HARD_TEXTS =
      List.of(
          "",
          "23+58=81",
          "Crème brûlée, naïve façade",
          "日本語のテキストと中文文本",
          "emoji 🙂👍🏽 family 👨‍👩‍👧",
          "   spaces   \t\ttabs\n\nnewlines\r\n",
          "control \u0000\u0001\u001b[31m \u007f\u0085\u2028",
          "the answer is 42. ".repeat(600));

  @GrpcClient("self")
  TokenizerServiceBlockingStub tokenizer;

  static void assertInvalid(String field, Executable call) {
    StatusRuntimeException e = assertThrows(StatusRuntimeException.class, call);
    assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode(), e.getMessage());
    assertTrue(e.getStatus().getDescription().contains("'" + field + "'"), e.getMessage());
  }

  @Test
  void encodeThenDecode_roundTripsAnyUtf8WithoutTruncation() {
    EncodeResponse encoded =
        tokenizer.encode(EncodeRequest.newBuilder().addAllTexts(HARD_TEXTS).build());
    assertEquals(HARD_TEXTS.size(), encoded.getSequencesCount());
    assertEquals(0, encoded.getOffsetsCount());
    assertTrue(encoded.getSequences(HARD_TEXTS.size() - 1).getIdsCount() > 600);
    List<String> decoded =
        tokenizer
            .decode(DecodeRequest.newBuilder().addAllSequences(encoded.getSequencesList()).build())
            .getTextsList();
    assertEquals(HARD_TEXTS, decoded);
  }

  @Test
  void encode_compressesArithmeticAndEnglish() {
    String text = "The answer is 23+58=81.";
    int ids =
        tokenizer
            .encode(EncodeRequest.newBuilder().addTexts(text).build())
            .getSequences(0)
            .getIdsCount();
    assertTrue(ids < text.length() / 2, "ids " + ids);
  }

  @Test
  void encode_returnsUtf16OffsetsWhenAsked() {
    String text = "hi 🙂 there";
    TokenOffsets o =
        tokenizer
            .encode(EncodeRequest.newBuilder().addTexts(text).setReturnOffsets(true).build())
            .getOffsets(0);
    assertEquals(0, o.getStarts(0));
    assertEquals(text.length(), o.getEnds(o.getEndsCount() - 1));
    assertEquals(" there", text.substring(o.getStarts(o.getStartsCount() - 1)));
  }

  @Test
  void encode_rejectsTooManyTextsAndOversizedTexts_andKeepsServing() {
    assertInvalid(
        "texts",
        () ->
            tokenizer.encode(
                EncodeRequest.newBuilder().addAllTexts(Collections.nCopies(1025, "a")).build()));
    assertInvalid(
        "texts[1]",
        () ->
            tokenizer.encode(
                EncodeRequest.newBuilder().addTexts("ok").addTexts("x".repeat(200_001)).build()));
    assertEquals(
        1, tokenizer.encode(EncodeRequest.newBuilder().addTexts("ok").build()).getSequencesCount());
  }

  @Test
  void decode_rejectsIdsOutOfRangeNamingTheIndex() {
    int vocab =
        tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance()).getVocabSize();
    DecodeRequest bad =
        DecodeRequest.newBuilder()
            .addSequences(TokenIds.newBuilder().addIds(1))
            .addSequences(TokenIds.newBuilder().addIds(1).addIds(2).addIds(vocab))
            .build();
    assertInvalid("sequences[1].ids[2]", () -> tokenizer.decode(bad));
    DecodeRequest negative =
        DecodeRequest.newBuilder().addSequences(TokenIds.newBuilder().addIds(-1)).build();
    assertInvalid("sequences[0].ids[0]", () -> tokenizer.decode(negative));
  }

  @Test
  void decode_skipsSpecialTokensWhenAsked() {
    GetTokenizerInfoResponse info =
        tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());
    int[] hello =
        tokenizer
            .encode(EncodeRequest.newBuilder().addTexts("hello").build())
            .getSequences(0)
            .getIdsList()
            .stream()
            .mapToInt(Integer::intValue)
            .toArray();
    TokenIds.Builder ids = TokenIds.newBuilder();
    for (int id : hello) {
      ids.addIds(id);
    }
    ids.addIds(info.getEosTokenId());
    DecodeRequest.Builder req = DecodeRequest.newBuilder().addSequences(ids);
    assertEquals("hello<|endoftext|>", tokenizer.decode(req.build()).getTexts(0));
    assertEquals("hello", tokenizer.decode(req.setSkipSpecialTokens(true).build()).getTexts(0));
  }

  @Test
  void applyChatTemplate_rendersDefaultTemplateAndEncodesRoleMarkersAsSpecialIds() {
    ApplyChatTemplateResponse r =
        tokenizer.applyChatTemplate(
            ApplyChatTemplateRequest.newBuilder()
                .addMessages(ChatMessage.newBuilder().setRole("user").setContent("23+58="))
                .setAddGenerationPrompt(true)
                .setTokenize(true)
                .build());
    assertEquals("<|user|>\n23+58=<|end|>\n<|assistant|>\n", r.getText());
    List<Integer> ids = r.getIds().getIdsList();
    assertEquals(258, ids.get(0));
    assertTrue(ids.contains(260));
    assertEquals(259, ids.get(ids.size() - 2));
  }

  @Test
  void applyChatTemplate_rejectsEmptyConversationAndUnknownRole() {
    assertInvalid(
        "messages",
        () -> tokenizer.applyChatTemplate(ApplyChatTemplateRequest.getDefaultInstance()));
    assertInvalid(
        "messages[1].role",
        () ->
            tokenizer.applyChatTemplate(
                ApplyChatTemplateRequest.newBuilder()
                    .addMessages(ChatMessage.newBuilder().setRole("user").setContent("a"))
                    .addMessages(ChatMessage.newBuilder().setRole("robot").setContent("b"))
                    .build()));
  }

  @Test
  void getTokenizerInfo_describesTheDefaultTokenizerTrainedAtStartup() {
    GetTokenizerInfoResponse info =
        tokenizer.getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance());
    assertTrue(info.getVocabSize() > 600 && info.getVocabSize() <= 1024, "" + info);
    assertTrue(info.getSource().startsWith("built-in default"), info.getSource());
    assertEquals(256, info.getEosTokenId());
    assertEquals(256, info.getPadTokenId());
    assertEquals(256, info.getBosTokenId());
    assertEquals(5, info.getSpecialTokensCount());
    assertEquals("<|assistant|>", info.getSpecialTokens(3).getContent());
    assertEquals(259, info.getSpecialTokens(3).getId());
    assertTrue(info.getChatTemplate().contains("{content}"));
  }
}
