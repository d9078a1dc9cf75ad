package dev.rlhfmesh.gateway.grpc;

import dev.rlhfmesh.gateway.auth.Admission;
import dev.rlhfmesh.gateway.errors.RetryAfter;
import dev.rlhfmesh.proto.gateway.v1.GatewayServiceGrpc;
import io.grpc.ForwardingServerCall;
import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import io.quarkus.grpc.GlobalInterceptor;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.OptionalLong;

/**
 * API key and rate limit for the public gRPC service ({@code rlhf.gateway.v1.GatewayService});
 * health and reflection stay open. A refused call closes with UNAUTHENTICATED, or
 * RESOURCE_EXHAUSTED with a {@code retry-after} trailer (seconds) and the hint in its description.
 * An admitted call that ends RESOURCE_EXHAUSTED because model-svc refused it for load gets the same
 * hint ({@link RetryAfter}).
 */
@GlobalInterceptor
@ApplicationScoped
public class EdgeInterceptor implements ServerInterceptor {
  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

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
      refuse(call, Status.RESOURCE_EXHAUSTED.withDescription(r.message()), r.retryAfterSeconds());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(new HintingOverload<>(call), headers);
  }

  private static void refuse(ServerCall<?, ?> call, Status status, long retryAfterSeconds) {
    Metadata trailers = new Metadata();
    RetryAfter.put(trailers, retryAfterSeconds);
    call.close(RetryAfter.describe(status, retryAfterSeconds), trailers);
  }

  /** Adds the overload retry hint when an admitted call ends RESOURCE_EXHAUSTED. */
  private static final class HintingOverload<Q, R>
      extends ForwardingServerCall.SimpleForwardingServerCall<Q, R> {
    HintingOverload(ServerCall<Q, R> delegate) {
      super(delegate);
    }

    @Override
    public void close(Status status, Metadata trailers) {
      OptionalLong retry = RetryAfter.of(status);
      if (retry.isPresent()) {
        RetryAfter.put(trailers, retry.getAsLong());
        status = RetryAfter.describe(status, retry.getAsLong());
      }
      super.close(status, trailers);
    }
  }
}
