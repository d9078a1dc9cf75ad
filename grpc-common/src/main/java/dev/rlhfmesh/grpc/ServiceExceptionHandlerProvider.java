package dev.rlhfmesh.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.quarkus.grpc.ExceptionHandler;
import io.quarkus.grpc.ExceptionHandlerProvider;
import jakarta.enterprise.context.ApplicationScoped;

/**
 * Replaces Quarkus' default mapping so every service answers failures through {@link
 * StatusMapping}, whether its methods throw (grpc-java style) or fail a Uni/Multi (Mutiny style).
 */
@ApplicationScoped
public class ServiceExceptionHandlerProvider implements ExceptionHandlerProvider {

  @Override
  public <ReqT, RespT> ExceptionHandler<ReqT, RespT> createHandler(
      ServerCall.Listener<ReqT> listener, ServerCall<ReqT, RespT> call, Metadata metadata) {
    return new ExceptionHandler<>(listener, call, metadata) {
      @Override
      protected void handleException(
          Throwable failure, ServerCall<ReqT, RespT> serverCall, Metadata trailers) {
        serverCall.close(StatusMapping.toStatus(failure), trailers);
      }
    };
  }

  @Override
  public Throwable transform(Throwable failure) {
    return StatusMapping.toException(failure);
  }
}
