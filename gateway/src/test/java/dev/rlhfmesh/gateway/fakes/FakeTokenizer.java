package dev.rlhfmesh.gateway.fakes;

import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateResponse;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc;
import io.grpc.Status;
import io.grpc.stub.StreamObserver;
import io.quarkus.grpc.GrpcService;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * Downstream fake of tokenizer-svc: one token per UTF-8 byte (ids 0–255), so every multi-byte
 * character is split across tokens, plus {@code <|endoftext|>} = 256. Decoding an incomplete
 * character gives U+FFFD, as a real byte-level BPE decoder does. Served by the test app (and by
 * {@link FakeDownstream} for the benchmark).
 */
@GrpcService
public class FakeTokenizer extends TokenizerServiceGrpc.TokenizerServiceImplBase {
  public static final int EOS = 256;
  public static final int VOCAB = 257;

  /** Calls answered, of any method (the in-process tokenizer test checks none arrive). */
  public static final AtomicInteger CALLS = new AtomicInteger();

  @Override
  public void encode(EncodeRequest req, StreamObserver<EncodeResponse> out) {
    CALLS.incrementAndGet();
    EncodeResponse.Builder b = EncodeResponse.newBuilder();
    for (String t : req.getTextsList()) {
      b.addSequences(bytes(t));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void decode(DecodeRequest req, StreamObserver<DecodeResponse> out) {
    CALLS.incrementAndGet();
    DecodeResponse.Builder b = DecodeResponse.newBuilder();
    for (TokenIds seq : req.getSequencesList()) {
      ByteArrayOutputStream bytes = new ByteArrayOutputStream();
      for (int id : seq.getIdsList()) {
        if (id < 0 || id >= VOCAB) {
          out.onError(
              Status.INVALID_ARGUMENT.withDescription("id " + id + " out of range").asException());
          return;
        }
        if (id == EOS) {
          if (!req.getSkipSpecialTokens()) {
            bytes.writeBytes("<|endoftext|>".getBytes(StandardCharsets.UTF_8));
          }
        } else {
          bytes.write(id);
        }
      }
      b.addTexts(bytes.toString(StandardCharsets.UTF_8));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  @Override
  public void applyChatTemplate(
      ApplyChatTemplateRequest req, StreamObserver<ApplyChatTemplateResponse> out) {
    CALLS.incrementAndGet();
    StringBuilder text = new StringBuilder();
    for (ChatMessage m : req.getMessagesList()) {
      text.append("<|").append(m.getRole()).append("|>").append(m.getContent()).append('\n');
    }
    if (req.getAddGenerationPrompt()) {
      text.append("<|assistant|>");
    }
    ApplyChatTemplateResponse.Builder b =
        ApplyChatTemplateResponse.newBuilder().setText(text.toString());
    if (req.getTokenize()) {
      b.setIds(bytes(text.toString()));
    }
    out.onNext(b.build());
    out.onCompleted();
  }

  static TokenIds bytes(String text) {
    TokenIds.Builder ids = TokenIds.newBuilder();
    for (byte x : text.getBytes(StandardCharsets.UTF_8)) {
      ids.addIds(x & 0xff);
    }
    return ids.build();
  }
}
