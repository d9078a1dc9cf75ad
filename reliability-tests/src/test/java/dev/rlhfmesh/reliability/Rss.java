package dev.rlhfmesh.reliability;

import dev.rlhfmesh.launcher.process.ServiceProcess;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * Resident memory of a service process from {@code /proc/<pid>/status} (VmRSS). NDArray counts are
 * not visible from outside a process; RSS is, and it is what native (libtorch) leaks show up in.
 */
public final class Rss {
  private Rss() {}

  /** The pid of {@code p}: the child JVM started with its gRPC port. */
  public static long pid(ServiceProcess p) {
    String marker = "-Dquarkus.grpc.server.port=" + p.grpcPort();
    return ProcessHandle.current()
        .children()
        .filter(ProcessHandle::isAlive)
        .filter(h -> h.info().arguments().map(a -> Arrays.asList(a).contains(marker)).orElse(false))
        .mapToLong(ProcessHandle::pid)
        .findFirst()
        .orElseThrow(() -> new IllegalStateException("no live process for " + p.name()));
  }

  /**
   * Asks the service's JVM for a full GC ({@code jcmd <pid> GC.run}, a JDK tool next to this JVM's
   * java), so that what stays resident is live data or native memory, not garbage not yet
   * collected. Returns false if jcmd is not there.
   */
  public static boolean gc(ServiceProcess p) {
    Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
    if (!Files.isExecutable(jcmd)) {
      return false;
    }
    try {
      Process gc =
          new ProcessBuilder(jcmd.toString(), Long.toString(pid(p)), "GC.run")
              .redirectErrorStream(true)
              .redirectOutput(ProcessBuilder.Redirect.DISCARD)
              .start();
      return gc.waitFor(30, java.util.concurrent.TimeUnit.SECONDS) && gc.exitValue() == 0;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * VmRSS of {@code p} in MiB after a full GC of it (plain VmRSS if jcmd is missing), once it has
   * settled: read every 250 ms until two readings in a row differ by less than 2 MiB (at most 5 s).
   * G1 gives the heap it shrinks back to the OS on a thread of its own, a moment after the GC; read
   * at once, the figure was sometimes before that (452 MiB) and sometimes after (311), so a check
   * comparing two such readings failed or passed by chance.
   */
  public static long afterGc(ServiceProcess p) {
    gc(p);
    long last = mib(p);
    for (int i = 0; i < 20; i++) {
      try {
        Thread.sleep(250);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return last;
      }
      long now = mib(p);
      if (Math.abs(now - last) < 2) {
        return now;
      }
      last = now;
    }
    return last;
  }

  /** VmRSS of {@code p} in MiB. */
  public static long mib(ServiceProcess p) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc", Long.toString(pid(p)), "status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", "")) / 1024;
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    throw new IllegalStateException("no VmRSS for " + p.name());
  }
}
