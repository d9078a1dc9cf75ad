package dev.rlhfmesh.rewardsvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerServiceGrpc.TokenizerServiceBlockingStub;
import dev.rlhfmesh.rewardsvc.core.CallContext;
import dev.rlhfmesh.rewardsvc.core.TextCodec;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.quarkus.grpc.GrpcClient;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@link TextCodec} over tokenizer-svc ({@code quarkus.grpc.clients.tokenizer.*}): Decode keeps
 * special tokens, Encode adds none; the caller's deadline travels with each call. The vocabulary
 * size is asked once and cached. A Score call holds up to {@code rlhf.reward.max-samples} samples,
 * i.e. twice as many texts (prompts and responses), so texts go to tokenizer-svc in chunks of
 * {@link #CHUNK} — below its per-call limit ({@code rlhf.tokenizer.max-batch}, 1024 by default).
 */
@ApplicationScoped
public class TokenizerTextCodec implements TextCodec {
  @GrpcClient("tokenizer")
  TokenizerServiceBlockingStub tokenizer;

  /** Texts or sequences per tokenizer-svc call. */
  static final int CHUNK = 512;

  private volatile int vocabSize = -1;

  @Override
  public List<String> decode(List<int[]> sequences, CallContext context) {
    List<String> out = new ArrayList<>(sequences.size());
    for (int from = 0; from < sequences.size(); from += CHUNK) {
      DecodeRequest.Builder req = DecodeRequest.newBuilder().setSkipSpecialTokens(false);
      for (int[] ids : sequences.subList(from, Math.min(sequences.size(), from + CHUNK))) {
        TokenIds.Builder t = TokenIds.newBuilder();
        for (int id : ids) {
          t.addIds(id);
        }
        req.addSequences(t);
      }
      out.addAll(call("Decode", () -> stub(context).decode(req.build()).getTextsList()));
    }
    return out;
  }

  @Override
  public List<int[]> encode(List<String> texts, CallContext context) {
    List<int[]> out = new ArrayList<>(texts.size());
    for (int from = 0; from < texts.size(); from += CHUNK) {
      EncodeRequest req =
          EncodeRequest.newBuilder()
              .addAllTexts(texts.subList(from, Math.min(texts.size(), from + CHUNK)))
              .setAddSpecialTokens(false)
              .build();
      for (TokenIds t : call("Encode", () -> stub(context).encode(req).getSequencesList())) {
        out.add(t.getIdsList().stream().mapToInt(Integer::intValue).toArray());
      }
    }
    return out;
  }

  @Override
  public int vocabSize(CallContext context) {
    int v = vocabSize;
    if (v < 0) {
      v =
          call(
              "GetTokenizerInfo",
              () ->
                  stub(context)
                      .getTokenizerInfo(GetTokenizerInfoRequest.getDefaultInstance())
                      .getVocabSize());
      vocabSize = v;
    }
    return v;
  }

  private TokenizerServiceBlockingStub stub(CallContext context) {
    return context.hasDeadline()
        ? tokenizer.withDeadlineAfter(Math.max(context.remainingNanos(), 1), TimeUnit.NANOSECONDS)
        : tokenizer;
  }

  private static <T> T call(String rpc, Supplier<T> call) {
    try {
      return call.get();
    } catch (StatusRuntimeException e) {
      Status.Code code = e.getStatus().getCode();
      String why = "tokenizer-svc " + rpc + " failed: " + e.getStatus().getDescription();
      throw switch (code) {
        case DEADLINE_EXCEEDED -> ServiceException.deadlineExceeded(why);
        case CANCELLED -> ServiceException.cancelled(why);
        case INVALID_ARGUMENT ->
            new ServiceException(dev.rlhfmesh.grpc.errors.ErrorKind.INVALID_ARGUMENT, why);
        default -> ServiceException.unavailable(why, e);
      };
    }
  }
}
