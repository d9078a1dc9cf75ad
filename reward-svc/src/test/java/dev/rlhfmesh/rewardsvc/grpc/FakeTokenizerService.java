package dev.rlhfmesh.rewardsvc.grpc;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateResponse;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerService;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerResponse;
import io.grpc.Status;
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * In-process fake of the downstream tokenizer-svc, served by the app under test on its own test
 * port (a {@code @GrpcClient} without test-port talks to it). Character-level: see {@link #VOCAB}.
 */
@GrpcService
public class FakeTokenizerService implements TokenizerService {
  public static final String EOS = "<|endoftext|>";

  /**
   * Id = index: digits 0-9, '+', '=', the end token (12), ' ', a-z, then '.', ',', '!', '?', '-'.
   */
  public static final List<String> VOCAB = vocab();

  public static final int EOS_ID = VOCAB.indexOf(EOS);
  public static final AtomicInteger DECODE_CALLS = new AtomicInteger();
  public static final AtomicInteger ENCODE_CALLS = new AtomicInteger();

  /** Texts or sequences per call, as tokenizer-svc's default {@code rlhf.tokenizer.max-batch}. */
  public static final int MAX_BATCH = 1024;

  private static List<String> vocab() {
    StringBuilder chars = new StringBuilder("0123456789+=");
    List<String> v = new java.util.ArrayList<>();
    chars.chars().forEach(c -> v.add(String.valueOf((char) c)));
    v.add(EOS);
    v.add(" ");
    for (char c = 'a'; c <= 'z'; c++) {
      v.add(String.valueOf(c));
    }
    for (char c : ".,!?-".toCharArray()) {
      v.add(String.valueOf(c));
    }
    return List.copyOf(v);
  }

  /** The fake's encoding of a text, for expectations in tests. */
  public static int[] encode(String text) {
    java.util.List<Integer> ids = new java.util.ArrayList<>();
    int i = 0;
    while (i < text.length()) {
      if (text.startsWith(EOS, i)) {
        ids.add(EOS_ID);
        i += EOS.length();
        continue;
      }
      int id = VOCAB.indexOf(String.valueOf(Character.toLowerCase(text.charAt(i))));
      if (id < 0) {
        throw Status.INVALID_ARGUMENT
            .withDescription("fake tokenizer cannot encode '" + text.charAt(i) + "'")
            .asRuntimeException();
      }
      ids.add(id);
      i++;
    }
    return ids.stream().mapToInt(Integer::intValue).toArray();
  }

  private static <T> Uni<T> tooMany(String field, int count) {
    return Uni.createFrom()
        .failure(
            Status.INVALID_ARGUMENT
                .withDescription(
                    "field '" + field + "' = \"" + count + " items\": at most " + MAX_BATCH)
                .asRuntimeException());
  }

  @Override
  public Uni<EncodeResponse> encode(EncodeRequest request) {
    ENCODE_CALLS.incrementAndGet();
    if (request.getTextsCount() > MAX_BATCH) {
      return tooMany("texts", request.getTextsCount());
    }
    EncodeResponse.Builder out = EncodeResponse.newBuilder();
    for (String t : request.getTextsList()) {
      TokenIds.Builder ids = TokenIds.newBuilder();
      for (int id : encode(t)) {
        ids.addIds(id);
      }
      out.addSequences(ids);
    }
    return Uni.createFrom().item(out.build());
  }

  @Override
  public Uni<DecodeResponse> decode(DecodeRequest request) {
    DECODE_CALLS.incrementAndGet();
    if (request.getSequencesCount() > MAX_BATCH) {
      return tooMany("sequences", request.getSequencesCount());
    }
    DecodeResponse.Builder out = DecodeResponse.newBuilder();
    for (TokenIds ids : request.getSequencesList()) {
      StringBuilder b = new StringBuilder();
      for (int id : ids.getIdsList()) {
        if (id < 0 || id >= VOCAB.size()) {
          return Uni.createFrom()
              .failure(Status.INVALID_ARGUMENT.withDescription("id " + id).asRuntimeException());
        }
        if (!(id == EOS_ID && request.getSkipSpecialTokens())) {
          b.append(VOCAB.get(id));
        }
      }
      out.addTexts(b.toString());
    }
    return Uni.createFrom().item(out.build());
  }

  @Override
  public Uni<GetTokenizerInfoResponse> getTokenizerInfo(GetTokenizerInfoRequest request) {
    return Uni.createFrom()
        .item(
            GetTokenizerInfoResponse.newBuilder()
                .setVocabSize(VOCAB.size())
                .setEosTokenId(EOS_ID)
                .setPadTokenId(-1)
                .setBosTokenId(-1)
                .setSource("fake")
                .build());
  }

  @Override
  public Uni<ApplyChatTemplateResponse> applyChatTemplate(ApplyChatTemplateRequest request) {
    return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
  }

  @Override
  public Uni<TrainTokenizerResponse> trainTokenizer(TrainTokenizerRequest request) {
    return Uni.createFrom().failure(Status.UNIMPLEMENTED.asRuntimeException());
  }
}
