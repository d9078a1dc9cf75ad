package dev.rlhfmesh.gateway.http;

import dev.rlhfmesh.gateway.auth.Admission;
import dev.rlhfmesh.gateway.errors.ErrorBody;
import io.grpc.Status;
import jakarta.inject.Inject;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.Response;
import org.jboss.resteasy.reactive.server.ServerRequestFilter;

/**
 * API key and rate limit for every {@code /v1/...} endpoint: 401 with {@code WWW-Authenticate:
 * Bearer}, or 429 with {@code Retry-After} (seconds). Health ({@code /q/health}) and metrics
 * ({@code /q/metrics}) are not REST endpoints and stay open.
 */
public class EdgeFilter {
  @Inject Admission admission;

  @ServerRequestFilter
  public Response admit(ContainerRequestContext ctx) {
    String path = ctx.getUriInfo().getPath();
    if (!path.startsWith("/v1")) {
      return null;
    }
    Admission.Verdict v = admission.check(ctx.getHeaderString(HttpHeaders.AUTHORIZATION));
    if (v instanceof Admission.Unauthenticated u) {
      ErrorBody.Answer a = ErrorBody.of(Status.UNAUTHENTICATED.withDescription(u.message()));
      return Response.fromResponse(ErrorMappers.answer(a))
          .header(HttpHeaders.WWW_AUTHENTICATE, "Bearer")
          .build();
    }
    if (v instanceof Admission.RateLimited r) {
      ErrorBody.Answer a = ErrorBody.of(Status.RESOURCE_EXHAUSTED.withDescription(r.message()));
      return Response.fromResponse(ErrorMappers.answer(a))
          .header("Retry-After", Long.toString(r.retryAfterSeconds()))
          .build();
    }
    return null;
  }
}
