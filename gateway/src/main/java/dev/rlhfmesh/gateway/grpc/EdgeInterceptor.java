package dev.rlhfmesh.gateway.grpc;

import dev.rlhfmesh.gateway.auth.Admission;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;

/**
 * API key and rate limit for the public gRPC service ({@code rlhf.gateway.v1.GatewayService});
 * health and reflection stay open. A refused call closes with UNAUTHENTICATED, or
 * RESOURCE_EXHAUSTED with a {@code retry-after} trailer (seconds) and the hint in its description.
 */
@GlobalInterceptor
@ApplicationScoped
public class EdgeInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);
  public static final Metadata.Key<String> RETRY_AFTER =
      Metadata.Key.of("retry-after", Metadata.ASCII_STRING_MARSHALLER);

  @Inject Admission admission;

  @Override
  public <Q, R> ServerCall.Listener<Q> interceptCall(
      ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
    String service = call.getMethodDescriptor().getServiceName();
    if (!GatewayServiceGrpc.SERVICE_NAME.equals(service)) {
      return next.startCall(call, headers);
    }
    Admission.Verdict v = admission.check(headers.get(AUTHORIZATION));
    if (v instanceof Admission.Unauthenticated u) {
      call.close(Status.UNAUTHENTICATED.withDescription(u.message()), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    if (v instanceof Admission.RateLimited r) {
      Metadata trailers = new Metadata();
      trailers.put(RETRY_AFTER, Long.toString(r.retryAfterSeconds()));
      call.close(Status.RESOURCE_EXHAUSTED.withDescription(r.message()), trailers);
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }
}
