package dev.rlhfmesh.launcher.process;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Owns every process the launcher started and stops them all: on normal exit, on failure, and on
 * Ctrl-C (a shutdown hook), newest first.
 */
public final class Supervisor implements AutoCloseable {
  private final List<ServiceProcess> processes = Collections.synchronizedList(new ArrayList<>());
  private final Thread hook = new Thread(this::stopAll, "rlhf-mesh-stop");
  private boolean closed;

  public Supervisor() {
    Runtime.getRuntime().addShutdownHook(hook);
  }

  public ServiceProcess start(ServiceProcess p) throws IOException {
    processes.add(p);
    p.start();
    return p;
  }

  public List<ServiceProcess> processes() {
    return List.copyOf(processes);
  }

  /** Log tails of every process that is no longer alive, for a failure message. */
  public String deadProcessLogs(int lines) {
    StringBuilder sb = new StringBuilder();
    for (ServiceProcess p : processes()) {
      if (!p.isAlive()) {
        sb.append("---- ").append(p.name()).append(" (").append(p.logFile()).append(") ----\n");
        sb.append(p.tail(lines)).append('\n');
      }
    }
    return sb.toString();
  }

  /**
   * A loopback port that is free now and stays clear of outgoing connections: {@link FreePorts}.
   */
  public static int freePort() {
    return FreePorts.next();
  }

  private synchronized void stopAll() {
    if (closed) {
      return;
    }
    closed = true;
    List<ServiceProcess> reversed = new ArrayList<>(processes());
    Collections.reverse(reversed);
    reversed.parallelStream().forEach(ServiceProcess::close);
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException shuttingDown) {
      // the hook is running already
    }
  }
}
