package dev.rlhfmesh.grpc;

import io.grpc.Metadata;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.Status;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * Requires {@code authorization: Bearer <token>} on every call. The expected token is kept only as
 * a SHA-256 hash and compared in constant time; the token itself is never logged.
 */
public final class AdminTokenInterceptor implements ServerInterceptor {
  public static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final byte[] expectedHash;

  public AdminTokenInterceptor(String token) {
    if (token == null || token.isBlank()) {
      throw new IllegalArgumentException("admin token must not be empty");
    }
    this.expectedHash = sha256(token);
  }

  @Override
  public <ReqT, RespT> ServerCall.Listener<ReqT> interceptCall(
      ServerCall<ReqT, RespT> call, Metadata headers, ServerCallHandler<ReqT, RespT> next) {
    String header = headers.get(AUTHORIZATION);
    if (header == null || !header.startsWith("Bearer ")) {
      call.close(
          Status.UNAUTHENTICATED.withDescription("missing 'authorization: Bearer <token>'"),
          new Metadata());
      return new ServerCall.Listener<>() {};
    }
    byte[] given = sha256(header.substring("Bearer ".length()).trim());
    if (!MessageDigest.isEqual(expectedHash, given)) {
      call.close(Status.UNAUTHENTICATED.withDescription("wrong admin token"), new Metadata());
      return new ServerCall.Listener<>() {};
    }
    return next.startCall(call, headers);
  }

  static byte[] sha256(String token) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
