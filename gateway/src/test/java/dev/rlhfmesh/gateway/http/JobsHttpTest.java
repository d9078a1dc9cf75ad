package dev.rlhfmesh.gateway.http;

import static io.restassured.RestAssured.given;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.startsWith;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.quarkus.test.junit.QuarkusTest;
import io.restassured.path.json.JsonPath;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Job admin relayed to a fake trainer-svc. */
@QuarkusTest
class JobsHttpTest {
  private static io.restassured.specification.RequestSpecification auth() {
    return given().header("Authorization", OpenAiHttpTest.AUTH);
  }

  private static String start() {
    return auth()
        .contentType("application/json")
        .body("{\"name\":\"sft-demo\",\"seed\":\"7\",\"sft\":{\"steps\":3,\"batchSize\":4}}")
        .post("/v1/jobs")
        .then()
        .statusCode(200)
        .body("state", equalTo("JOB_STATE_RUNNING"))
        .body("spec.sft.steps", equalTo(3))
        .extract()
        .path("jobId");
  }

  @Test
  void startGetListCancel() {
    String id = start();
    auth().get("/v1/jobs/" + id).then().statusCode(200).body("jobId", equalTo(id));
    auth().get("/v1/jobs").then().statusCode(200).body("jobs.jobId", hasItem(id));
    auth().get("/v1/jobs?state=running").then().statusCode(200).body("jobs.jobId", hasItem(id));
    auth()
        .post("/v1/jobs/" + id + "/cancel")
        .then()
        .statusCode(200)
        .body("state", equalTo("JOB_STATE_CANCELLED"));
  }

  @Test
  void events_areServerSent() {
    String id = start();
    String body =
        auth()
            .get("/v1/jobs/" + id + "/events")
            .then()
            .statusCode(200)
            .contentType(startsWith("text/event-stream"))
            .extract()
            .asString();
    List<String> events = Sse.data(body);
    assertEquals(4, events.size(), body);
    assertEquals(1, new JsonPath(events.get(0)).getInt("metrics.step"));
    assertEquals("JOB_STATE_SUCCEEDED", new JsonPath(events.get(3)).getString("state.state"));
  }

  @Test
  void errors() {
    auth()
        .get("/v1/jobs/none")
        .then()
        .statusCode(404)
        .body("error.type", equalTo("not_found_error"));
    auth()
        .contentType("application/json")
        .body("{\"sft\":{\"stepz\":3}}")
        .post("/v1/jobs")
        .then()
        .statusCode(400)
        .body("error.type", equalTo("invalid_request_error"));
    auth()
        .contentType("application/json")
        .body("{\"name\":\"no stage\"}")
        .post("/v1/jobs")
        .then()
        .statusCode(400);
    auth()
        .get("/v1/jobs?state=dancing")
        .then()
        .statusCode(400)
        .body("error.param", equalTo("state"));
    given().get("/v1/jobs").then().statusCode(401);
  }
}
