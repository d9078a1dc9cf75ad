package dev.rlhfmesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Runs the Python peer (bench/peer/peer.py) on Debian's python3-torch with the pthread OpenBLAS,
 * one BLAS thread, as a subprocess, and reads the JSON it writes.
 *
 * <p>OpenBLAS kernel: the machine may pin {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE} for
 * old OpenBLAS builds. The peer first runs with both unset (the kernel OpenBLAS picks for this
 * CPU); if that crashes or its 1024³ matmul disagrees with a float64 reference, it runs again with
 * the machine's settings, and the JSON says which kernel ran.
 */
public final class PeerRunner {
  static final String PYTHON = "/usr/bin/python3";
  static final String OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

  /** Largest |error| of a 1024³ fp32 matmul against float64 that still counts as correct. */
  static final double MATMUL_TOLERANCE = 1e-2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private final Path script;
  private final Path workDir;
  private final long timeoutSeconds;

  public PeerRunner(Path script, Path workDir, long timeoutSeconds) {
    this.script = script;
    this.workDir = workDir;
    this.timeoutSeconds = timeoutSeconds;
  }

  /** Whether the peer can run here at all (system python with torch importable). */
  public static String unavailableReason() {
    if (!Files.isExecutable(Path.of(PYTHON))) {
      return PYTHON + " missing";
    }
    try {
      Process p =
          new ProcessBuilder(PYTHON, "-c", "import torch").redirectErrorStream(true).start();
      if (!p.waitFor(120, TimeUnit.SECONDS) || p.exitValue() != 0) {
        return "python3-torch not installed (run bench/setup.sh)";
      }
      return null;
    } catch (IOException e) {
      return "cannot start " + PYTHON + ": " + e.getMessage();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "interrupted";
    }
  }

  /** Runs the peer; returns its JSON with "coretype_mode" added ("auto" or "machine"). */
  public JsonNode run(List<String> args) throws IOException, InterruptedException {
    Path out = workDir.resolve("peer.json");
    String firstFailure;
    try {
      JsonNode auto = runOnce(args, out, true);
      if (auto.path("matmul_max_abs_err").asDouble(Double.NaN) <= MATMUL_TOLERANCE) {
        ((com.fasterxml.jackson.databind.node.ObjectNode) auto).put("coretype_mode", "auto");
        return auto;
      }
      firstFailure = "matmul error " + auto.path("matmul_max_abs_err").asText();
    } catch (IOException e) {
      firstFailure = e.getMessage();
    }
    System.out.println(
        "peer: OpenBLAS auto kernel unusable ("
            + firstFailure
            + "); rerunning with the machine's OPENBLAS_CORETYPE");
    JsonNode pinned = runOnce(args, out, false);
    ((com.fasterxml.jackson.databind.node.ObjectNode) pinned).put("coretype_mode", "machine");
    return pinned;
  }

  private JsonNode runOnce(List<String> args, Path out, boolean unsetCoretype)
      throws IOException, InterruptedException {
    Files.deleteIfExists(out);
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
    cmd.addAll(args);
    cmd.addAll(List.of("--out", out.toString()));
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(true);
    Map<String, String> env = pb.environment();
    env.put("OPENBLAS_NUM_THREADS", "1");
    env.put("OMP_NUM_THREADS", "2");
    String ld = env.get("LD_LIBRARY_PATH");
    env.put("LD_LIBRARY_PATH", OPENBLAS_DIR + (ld == null || ld.isEmpty() ? "" : ":" + ld));
    if (unsetCoretype) {
      env.remove("OPENBLAS_CORETYPE");
      env.remove("OPENBLAS_L2_SIZE");
    }
    Path log = workDir.resolve(unsetCoretype ? "peer-auto.log" : "peer-machine.log");
    pb.redirectOutput(log.toFile());
    Process p = pb.start();
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      throw new IOException("peer timed out after " + timeoutSeconds + " s (log " + log + ")");
    }
    if (p.exitValue() != 0 || !Files.exists(out)) {
      throw new IOException(
          "peer exited " + p.exitValue() + ": " + tail(Files.readString(log), 600));
    }
    return JSON.readTree(out.toFile());
  }

  static String tail(String s, int n) {
    return s.length() <= n ? s.strip() : s.substring(s.length() - n).strip();
  }
}
