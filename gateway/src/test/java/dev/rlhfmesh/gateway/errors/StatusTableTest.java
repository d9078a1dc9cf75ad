package dev.rlhfmesh.gateway.errors;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.rlhfmesh.grpc.errors.ServiceException;
import io.grpc.Status;
import org.junit.jupiter.api.Test;

class StatusTableTest {
  @Test
  void of_mapsTheCodesClientsActOn() {
    assertEquals(400, StatusTable.of(Status.Code.INVALID_ARGUMENT).http());
    assertEquals(401, StatusTable.of(Status.Code.UNAUTHENTICATED).http());
    assertEquals(404, StatusTable.of(Status.Code.NOT_FOUND).http());
    assertEquals(429, StatusTable.of(Status.Code.RESOURCE_EXHAUSTED).http());
    assertEquals(503, StatusTable.of(Status.Code.UNAVAILABLE).http());
    assertEquals(504, StatusTable.of(Status.Code.DEADLINE_EXCEEDED).http());
  }

  @Test
  void ofHttp_isTheInverseForTheMappedStatuses() {
    for (Status.Code c :
        new Status.Code[] {
          Status.Code.UNAUTHENTICATED,
          Status.Code.NOT_FOUND,
          Status.Code.RESOURCE_EXHAUSTED,
          Status.Code.UNAVAILABLE,
          Status.Code.DEADLINE_EXCEEDED
        }) {
      assertEquals(c, StatusTable.ofHttp(StatusTable.of(c).http()).grpc());
    }
    assertEquals(Status.Code.INVALID_ARGUMENT, StatusTable.ofHttp(415).grpc());
  }

  @Test
  void errorBody_namesTheFieldOfAnInvalidArgument() {
    ErrorBody.Answer a =
        ErrorBody.of(ServiceException.invalidArgument("top_p", 0.0, "must be in (0, 1]"));
    assertEquals(400, a.httpStatus());
    assertEquals("top_p", a.body().error().param());
    assertEquals("invalid_request_error", a.body().error().type());
    assertEquals("invalid_argument", a.body().error().code());
  }
}
