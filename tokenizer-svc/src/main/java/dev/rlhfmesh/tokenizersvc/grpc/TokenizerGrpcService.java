package dev.rlhfmesh.tokenizersvc.grpc;

import dev.rlhfmesh.grpc.errors.ServiceException;
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
import io.quarkus.grpc.GrpcService;
import io.smallrye.mutiny.Uni;

/** gRPC adapter of tokenizer-svc. Not built yet: every RPC says so (issue #2). */
@GrpcService
public class TokenizerGrpcService implements TokenizerService {
  private static final String NOT_BUILT =
      " is not built yet in tokenizer-svc (tracked by issue #2: tokenizer service)";

  @Override
  public Uni<EncodeResponse> encode(EncodeRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("Encode" + NOT_BUILT));
  }

  @Override
  public Uni<DecodeResponse> decode(DecodeRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("Decode" + NOT_BUILT));
  }

  @Override
  public Uni<ApplyChatTemplateResponse> applyChatTemplate(ApplyChatTemplateRequest request) {
    return Uni.createFrom()
        .failure(ServiceException.unimplemented("ApplyChatTemplate" + NOT_BUILT));
  }

  @Override
  public Uni<GetTokenizerInfoResponse> getTokenizerInfo(GetTokenizerInfoRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("GetTokenizerInfo" + NOT_BUILT));
  }

  @Override
  public Uni<TrainTokenizerResponse> trainTokenizer(TrainTokenizerRequest request) {
    return Uni.createFrom().failure(ServiceException.unimplemented("TrainTokenizer" + NOT_BUILT));
  }
}
