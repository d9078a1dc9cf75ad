package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import dev.rlhfmesh.launcher.process.Supervisor;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.util.Iterator;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A model-svc replica is killed while a client reads a long GenerateStream: the client gets an
 * error status (not a hang, not a clean end) well within its deadline.
 */
class ReplicaCrashStreamTest {
  private static final int DEADLINE_S = 60;

  @Test
  void streamingClientSeesAnErrorWhenTheReplicaDies() throws Exception {
    Mesh mesh = Mesh.get();
    // Its own replica, slow on purpose (4 KV slots, 256 sequences queued): the stream lasts long.
    ServiceProcess doomed =
        mesh.start(
            "model-svc-doomed",
            "model-svc",
            mesh.modelProps(Supervisor.freePort(), Supervisor.freePort(), 4, 512));
    GenerateStreamRequest.Builder req =
        GenerateStreamRequest.newBuilder()
            .setModel("policy")
            .setSampling(
                SamplingParams.newBuilder().setMaxNewTokens(60).setN(32).setTemperature(1f));
    for (int i = 0; i < 8; i++) {
      req.addPrompts(GrpcBadInputs.ids(1 + i, 2, 3));
    }
    Iterator<GenerateStreamResponse> it =
        ModelServiceGrpc.newBlockingStub(doomed.channel())
            .withDeadlineAfter(DEADLINE_S, TimeUnit.SECONDS)
            .generateStream(req.build());
    assertTrue(it.hasNext(), "no first message");
    it.next();
    long killedAt = System.nanoTime();
    doomed.kill();
    int afterKill = 0;
    StatusRuntimeException error = null;
    try {
      while (it.hasNext()) {
        it.next();
        afterKill++;
      }
    } catch (StatusRuntimeException e) {
      error = e;
    }
    long ms = (System.nanoTime() - killedAt) / 1_000_000;
    System.out.printf(
        "[reliability] replica killed mid-stream: %s after %d ms (%d messages drained after the kill)%n",
        error == null ? "clean end" : error.getStatus().getCode(), ms, afterKill);
    assertNotNull(error, "the stream ended cleanly although the replica died");
    assertNotEquals(
        Status.Code.DEADLINE_EXCEEDED, error.getStatus().getCode(), "hung until the deadline");
    assertTrue(ms < TimeUnit.SECONDS.toMillis(DEADLINE_S), "error after " + ms + " ms");
  }
}
