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
 * API key and rate limit for every {@code /v1...} path: 401 with {@code WWW-Authenticate: Bearer},
 * or 429 with {@code Retry-After} (seconds). It runs before the route is matched, so without a
 * valid key an unknown route answers 401 like a real one and route existence is not revealed; with
 * a key an unknown route is 404. Health ({@code /q/health}) and metrics ({@code /q/metrics}) are
 * not REST endpoints and stay open.
 */
public class EdgeFilter {
  @Inject Admission admission;

  @ServerRequestFilter(preMatching = true)
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
      return ErrorMappers.answer(
          ErrorBody.of(
              Status.RESOURCE_EXHAUSTED.withDescription(r.message()), r.retryAfterSeconds()));
    }
    return null;
  }
}
