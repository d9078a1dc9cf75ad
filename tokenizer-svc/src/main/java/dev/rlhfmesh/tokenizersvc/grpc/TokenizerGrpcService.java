package dev.rlhfmesh.tokenizersvc.grpc;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.grpc.errors.Validation;
import dev.rlhfmesh.model.tokenizer.ChatTemplate;
import dev.rlhfmesh.model.tokenizer.InvalidMessageException;
import dev.rlhfmesh.model.tokenizer.LoadedTokenizer;
import dev.rlhfmesh.proto.common.v1.ChatMessage;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateRequest;
import dev.rlhfmesh.proto.tokenizer.v1.ApplyChatTemplateResponse;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.DecodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeRequest;
import dev.rlhfmesh.proto.tokenizer.v1.EncodeResponse;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoRequest;
import dev.rlhfmesh.proto.tokenizer.v1.GetTokenizerInfoResponse;
import dev.rlhfmesh.proto.tokenizer.v1.SpecialToken;
import dev.rlhfmesh.proto.tokenizer.v1.TokenOffsets;
import dev.rlhfmesh.proto.tokenizer.v1.TokenizerService;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerRequest;
import dev.rlhfmesh.proto.tokenizer.v1.TrainTokenizerResponse;
import dev.rlhfmesh.tokenizersvc.config.TokenizerConfig;
import dev.rlhfmesh.tokenizersvc.core.TrainingJob;
import dev.rlhfmesh.tokenizersvc.runtime.ActiveTokenizer;
import io.grpc.Context;
import io.quarkus.grpc.GrpcService;
import io.smallrye.common.annotation.Blocking;
import io.smallrye.mutiny.Uni;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jboss.logging.Logger;

/** gRPC adapter of tokenizer-svc: checks request sizes, maps proto ⇄ domain and delegates. */
@GrpcService
public class TokenizerGrpcService implements TokenizerService {
  private static final Logger LOG = Logger.getLogger(TokenizerGrpcService.class);
  private final ActiveTokenizer active;
  private final TokenizerConfig config;

  public TokenizerGrpcService(ActiveTokenizer active, TokenizerConfig config) {
    this.active = active;
    this.config = config;
  }

  @Override
  @Blocking
  public Uni<EncodeResponse> encode(EncodeRequest request) {
    Validation.requireAtMost("texts", request.getTextsCount(), config.maxBatch());
    for (int i = 0; i < request.getTextsCount(); i++) {
      requireTextSize("texts[" + i + "]", request.getTexts(i));
    }
    List<LoadedTokenizer.Encoded> encoded =
        active
            .get()
            .encode(
                request.getTextsList(), request.getAddSpecialTokens(), request.getReturnOffsets());
    EncodeResponse.Builder out = EncodeResponse.newBuilder();
    for (LoadedTokenizer.Encoded e : encoded) {
      out.addSequences(toIds(e.ids()));
      if (request.getReturnOffsets()) {
        TokenOffsets.Builder o = TokenOffsets.newBuilder();
        Arrays.stream(e.starts()).forEach(o::addStarts);
        Arrays.stream(e.ends()).forEach(o::addEnds);
        out.addOffsets(o);
      }
    }
    return Uni.createFrom().item(out.build());
  }

  @Override
  @Blocking
  public Uni<DecodeResponse> decode(DecodeRequest request) {
    Validation.requireAtMost("sequences", request.getSequencesCount(), config.maxBatch());
    LoadedTokenizer tokenizer = active.get();
    List<int[]> all = new ArrayList<>(request.getSequencesCount());
    for (int i = 0; i < request.getSequencesCount(); i++) {
      TokenIds seq = request.getSequences(i);
      String field = "sequences[" + i + "].ids";
      Validation.requireAtMost(field, seq.getIdsCount(), config.maxIds());
      int[] ids = seq.getIdsList().stream().mapToInt(Integer::intValue).toArray();
      Validation.requireTokenIds(field, ids, tokenizer.vocabSize());
      all.add(ids);
    }
    DecodeResponse.Builder out = DecodeResponse.newBuilder();
    for (int[] ids : all) {
      out.addTexts(tokenizer.decode(ids, request.getSkipSpecialTokens()));
    }
    return Uni.createFrom().item(out.build());
  }

  @Override
  @Blocking
  public Uni<ApplyChatTemplateResponse> applyChatTemplate(ApplyChatTemplateRequest request) {
    Validation.requireAtMost("messages", request.getMessagesCount(), config.maxBatch());
    List<ChatTemplate.Message> messages = new ArrayList<>();
    for (int i = 0; i < request.getMessagesCount(); i++) {
      ChatMessage m = request.getMessages(i);
      requireTextSize("messages[" + i + "].content", m.getContent());
      messages.add(new ChatTemplate.Message(m.getRole(), m.getContent()));
    }
    LoadedTokenizer tokenizer = active.get();
    String text;
    try {
      text = tokenizer.renderChat(messages, request.getAddGenerationPrompt());
    } catch (InvalidMessageException e) {
      throw ServiceException.invalidArgument(e.field(), e.value(), e.reason());
    }
    ApplyChatTemplateResponse.Builder out = ApplyChatTemplateResponse.newBuilder().setText(text);
    if (request.getTokenize()) {
      out.setIds(toIds(tokenizer.encode(text, false)));
    }
    return Uni.createFrom().item(out.build());
  }

  @Override
  public Uni<GetTokenizerInfoResponse> getTokenizerInfo(GetTokenizerInfoRequest request) {
    LoadedTokenizer t = active.get();
    GetTokenizerInfoResponse.Builder out =
        GetTokenizerInfoResponse.newBuilder()
            .setVocabSize(t.vocabSize())
            .setEosTokenId(t.eosId())
            .setPadTokenId(t.padId())
            .setBosTokenId(t.bosId())
            .setChatTemplate(t.chatTemplate().source())
            .setSource(t.source());
    for (LoadedTokenizer.Special s : t.specialTokens()) {
      out.addSpecialTokens(SpecialToken.newBuilder().setContent(s.content()).setId(s.id()));
    }
    return Uni.createFrom().item(out.build());
  }

  @Override
  @Blocking
  public Uni<TrainTokenizerResponse> trainTokenizer(TrainTokenizerRequest request) {
    Context grpcContext = Context.current();
    TrainingJob.Spec spec =
        new TrainingJob.Spec(
            request.getCorpusTextsList(),
            request.getCorpusFilesList(),
            request.getVocabSize(),
            request.getMinFrequency(),
            request.getSpecialTokensList(),
            request.getOutputDir(),
            config.maxVocabSize());
    TrainingJob.Result result;
    try {
      result = TrainingJob.run(spec, grpcContext::isCancelled);
    } catch (ServiceException e) {
      if (e.kind() == ErrorKind.CANCELLED) {
        LOG.infof("TrainTokenizer into %s stopped: %s", request.getOutputDir(), e.getMessage());
      }
      throw e;
    }
    if (request.getLoadAfterTraining()) {
      try {
        active.replace(
            LoadedTokenizer.load(
                result.tokenizerJson().getParent(),
                "trained by TrainTokenizer into " + result.tokenizerJson().getParent()));
      } catch (IOException e) {
        throw ServiceException.failedPrecondition("trained tokenizer does not load: " + e);
      }
    }
    return Uni.createFrom()
        .item(
            TrainTokenizerResponse.newBuilder()
                .setTokenizerPath(result.tokenizerJson().toString())
                .setVocabSize(result.model().vocabSize())
                .setMerges(result.model().merges().size())
                .setBytesPerToken(result.model().bytesPerToken())
                .build());
  }

  private void requireTextSize(String field, String text) {
    if (text.length() > config.maxTextChars()) {
      throw ServiceException.invalidArgument(
          field, text.length() + " chars", "at most " + config.maxTextChars() + " chars allowed");
    }
  }

  private static TokenIds toIds(int[] ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int id : ids) {
      b.addIds(id);
    }
    return b.build();
  }
}
