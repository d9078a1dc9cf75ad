package dev.rlhfmesh.grpc;

import io.grpc.CallCredentials;
import io.grpc.Metadata;
import io.grpc.Status;
import java.util.concurrent.Executor;

/** Client side of {@link AdminTokenInterceptor}: attaches {@code authorization: Bearer <token>}. */
public final class BearerTokenCredentials extends CallCredentials {
  private final String token;

  public BearerTokenCredentials(String token) {
    this.token = token;
  }

  @Override
  public void applyRequestMetadata(RequestInfo info, Executor executor, MetadataApplier applier) {
    try {
      Metadata headers = new Metadata();
      headers.put(AdminTokenInterceptor.AUTHORIZATION, "Bearer " + token);
      applier.apply(headers);
    } catch (RuntimeException e) {
      applier.fail(Status.UNAUTHENTICATED.withCause(e));
    }
  }
}
