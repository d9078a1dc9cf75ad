package dev.rlhfmesh.bench;

import dev.rlhfmesh.launcher.process.FreePorts;
import dev.rlhfmesh.launcher.process.ServiceProcess;
import io.grpc.ManagedChannel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A packaged Quarkus app ({@code <svc>/target/quarkus-app/quarkus-run.jar}) on free loopback ports,
 * ready once gRPC health answers SERVING, stopped on close: the launcher's {@link ServiceProcess}
 * with the harness's ports and {@code key=value} properties.
 */
final class AppProcess implements AutoCloseable {
  final ManagedChannel channel;
  private final ServiceProcess process;

  private AppProcess(ServiceProcess process) {
    this.process = process;
    this.channel = process.channel();
  }

  static int freePort() {
    return FreePorts.next();
  }

  /**
   * @param props {@code key=value} system properties for the app
   * @param log the app's output ({@code <name>.log}; the name is the file's stem)
   */
  static AppProcess start(Path jar, List<String> props, Path log, long readySeconds)
      throws IOException, InterruptedException {
    int grpc = freePort();
    Map<String, String> p = new LinkedHashMap<>();
    p.put("quarkus.grpc.server.port", Integer.toString(grpc));
    p.put("quarkus.grpc.server.host", "127.0.0.1");
    p.put("quarkus.http.port", Integer.toString(freePort()));
    p.put("quarkus.http.host", "127.0.0.1");
    for (String kv : props) {
      int eq = kv.indexOf('=');
      p.put(kv.substring(0, eq), kv.substring(eq + 1));
    }
    String name = log.getFileName().toString().replaceFirst("\\.log$", "");
    ServiceProcess s = new ServiceProcess(name, jar, grpc, "", p, log.toAbsolutePath().getParent());
    try {
      s.start();
      s.awaitServing(Duration.ofSeconds(readySeconds));
    } catch (IOException | InterruptedException | RuntimeException e) {
      s.close();
      throw e;
    }
    return new AppProcess(s);
  }

  @Override
  public void close() {
    process.close();
  }
}
