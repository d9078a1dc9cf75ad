package dev.rlhfmesh.reliability;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import io.grpc.StatusRuntimeException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Every row of {@link GrpcBadInputs} and {@link HttpBadInputs} gets its documented status, no
 * process dies, and after a few hundred such requests every process's RSS is within the tolerance
 * of what it was after one warm-up round.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class BadInputTest {
  /** Set to true to make rows with a known, unfixed bug fail instead of being skipped. */
  static final String KNOWN_BUGS = "reliability.knownBugs";

  private static Mesh mesh;
  private static Stubs stubs;

  @BeforeAll
  static void start() {
    mesh = Mesh.get();
    stubs = new Stubs(mesh);
  }

  /** The status a gRPC row got, or "OK" when the call succeeded. */
  static String outcome(GrpcBadInputs.Row row) {
    try {
      row.call().run(stubs);
      return "OK";
    } catch (StatusRuntimeException e) {
      return e.getStatus().getCode().name();
    }
  }

  static void checkGrpc(GrpcBadInputs.Row row) {
    try {
      row.call().run(stubs);
      fail(row + ": succeeded");
    } catch (StatusRuntimeException e) {
      assertEquals(row.expected(), e.getStatus().getCode(), row + ": " + e.getStatus());
    }
    assertAllAlive();
  }

  static void checkHttp(HttpBadInputs.Row row) throws Exception {
    var res = HttpBadInputs.send(mesh.gatewayHttpPort, row, mesh.apiKey);
    if (row.bug() != null
        && res.statusCode() != row.expected()
        && !Boolean.getBoolean(KNOWN_BUGS)) {
      // A known defect: reported as skipped with its description (fails with -D{KNOWN_BUGS}=true).
      Assumptions.abort("known bug, got " + res.statusCode() + ": " + row.bug());
    }
    assertEquals(row.expected(), res.statusCode(), row + ": " + abbreviate(res.body()));
    assertTrue(
        res.body().contains("\"error\""),
        row + ": no OpenAI error body: " + abbreviate(res.body()));
    assertAllAlive();
  }

  static String abbreviate(String s) {
    return s.length() > 300 ? s.substring(0, 300) + "..." : s;
  }

  static void assertAllAlive() {
    for (ServiceProcess p : processes().values()) {
      assertTrue(p.isAlive(), p.name() + " died:\n" + mesh.deadProcessLogs());
    }
  }

  static Map<String, ServiceProcess> processes() {
    Map<String, ServiceProcess> m = new LinkedHashMap<>();
    m.put("tokenizer-svc", mesh.tokenizer);
    m.put("model-svc", mesh.model);
    m.put("reward-svc", mesh.reward());
    m.put("gateway", mesh.gateway);
    m.put("trainer-svc", mesh.trainer);
    return m;
  }

  @TestFactory
  @Order(1)
  Stream<DynamicTest> grpcRowsGetTheirDocumentedStatus() {
    return GrpcBadInputs.rows(mesh).stream()
        .map(row -> DynamicTest.dynamicTest(row.toString(), () -> checkGrpc(row)));
  }

  @TestFactory
  @Order(2)
  Stream<DynamicTest> httpRowsGetTheirDocumentedStatus() {
    return HttpBadInputs.rows().stream()
        .map(row -> DynamicTest.dynamicTest(row.toString(), () -> checkHttp(row)));
  }

  /** One round of every row, statuses ignored (the factories above judge them). */
  private static int round() throws Exception {
    int n = 0;
    for (GrpcBadInputs.Row row : GrpcBadInputs.rows(mesh)) {
      if (row.heavy()) {
        continue;
      }
      outcome(row);
      n++;
    }
    for (HttpBadInputs.Row row : HttpBadInputs.rows()) {
      HttpBadInputs.send(mesh.gatewayHttpPort, row, mesh.apiKey);
      n++;
    }
    return n;
  }

  @Test
  @Order(3)
  void rssStaysFlatUnderBadInput() throws Exception {
    round(); // warm-up: JIT, pools and lazily created structures settle first
    Map<String, Long> before = new LinkedHashMap<>();
    processes().forEach((name, p) -> before.put(name, Rss.afterGc(p)));
    int sent = 0;
    Map<String, List<Long>> series = new LinkedHashMap<>();
    Map<String, List<Long>> afterGc = new LinkedHashMap<>();
    for (int i = 0; i < Scale.badInputRounds(); i++) {
      sent += round();
      if (i % 5 == 4) { // the trend tells a heap step (then flat) from a leak (steady growth)
        processes()
            .forEach(
                (name, p) -> {
                  series.computeIfAbsent(name, k -> new ArrayList<>()).add(Rss.mib(p));
                  Rss.gc(p);
                  afterGc.computeIfAbsent(name, k -> new ArrayList<>()).add(Rss.mib(p));
                });
      }
    }
    System.out.println("[reliability] RSS every 5 rounds (MiB): " + series);
    System.out.println("[reliability] the same right after a full GC (jcmd GC.run): " + afterGc);
    assertAllAlive();
    List<String> over = new ArrayList<>();
    StringBuilder report = new StringBuilder("RSS after " + sent + " bad requests (MiB):");
    for (var e : processes().entrySet()) {
      long after = Rss.afterGc(e.getValue());
      long delta = after - before.get(e.getKey());
      report.append(
          String.format(" %s %d -> %d (%+d);", e.getKey(), before.get(e.getKey()), after, delta));
      if (delta > Scale.rssToleranceMib()) {
        over.add(e.getKey() + " +" + delta + " MiB");
      }
    }
    System.out.println("[reliability] " + report);
    assertTrue(
        over.isEmpty(),
        "RSS grew past " + Scale.rssToleranceMib() + " MiB: " + over + "\n" + report);
  }
}
