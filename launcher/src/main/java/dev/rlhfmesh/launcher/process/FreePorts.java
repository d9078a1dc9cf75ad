package dev.rlhfmesh.launcher.process;

import java.io.BufferedReader;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Loopback ports for services started later. A port from {@code bind(0)} comes from the kernel's
 * ephemeral range, which is also where every outgoing connection takes its local port: a port
 * handed out at the start of a demo and bound minutes later was taken in between by one of the
 * services' own connections (seen once in CI: model-svc's admin port, "Address already in use",
 * after SFT). So ports are drawn below the ephemeral range, checked free by binding, and never
 * handed out twice by this process; {@code bind(0)} remains the fallback.
 */
public final class FreePorts {
  private static final int LOWEST = 10_000;
  private static final Set<Integer> HANDED_OUT = new HashSet<>();

  private FreePorts() {}

  /** A port that is free now, outside the ephemeral range where possible. */
  public static synchronized int next() {
    int high = ephemeralLow();
    ThreadLocalRandom r = ThreadLocalRandom.current();
    for (int attempt = 0; attempt < 200 && high > LOWEST; attempt++) {
      int port = r.nextInt(LOWEST, high);
      if (!HANDED_OUT.contains(port) && bindable(port)) {
        HANDED_OUT.add(port);
        return port;
      }
    }
    try (ServerSocket s = new ServerSocket(0)) {
      HANDED_OUT.add(s.getLocalPort());
      return s.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /**
   * The first port of the kernel's ephemeral range (Linux), else the IANA one. Read line by line:
   * {@code Files.readString} returned "3" for this zero-size /proc file on the CI machine.
   */
  static int ephemeralLow() {
    try (BufferedReader r =
        Files.newBufferedReader(Path.of("/proc/sys/net/ipv4/ip_local_port_range"))) {
      return Integer.parseInt(r.readLine().strip().split("\\s+")[0]);
    } catch (IOException | RuntimeException e) {
      return 49_152;
    }
  }

  private static boolean bindable(int port) {
    try (ServerSocket s = new ServerSocket()) {
      s.bind(new InetSocketAddress(InetAddress.getLoopbackAddress(), port));
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}
