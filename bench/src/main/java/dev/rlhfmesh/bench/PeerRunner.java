package dev.rlhfmesh.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.BufferedReader;
import java.io.BufferedWriter;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The Python peer (bench/peer/peer.py) as a live subprocess on Debian's python3-torch with the
 * pthread OpenBLAS and one BLAS thread, asked for one figure at a time over a JSON line protocol so
 * the harness can interleave its own repeats with the peer's (both then see the same machine load).
 *
 * <p>OpenBLAS kernel: the machine may pin {@code OPENBLAS_CORETYPE}/{@code OPENBLAS_L2_SIZE} for
 * old OpenBLAS builds. The peer first starts with both unset (the kernel OpenBLAS picks for this
 * CPU); if it dies or its 1024³ matmul disagrees with a float64 reference, it starts again with the
 * machine's settings, and {@link #info()} says which kernel runs ("coretype_mode").
 */
public final class PeerRunner implements AutoCloseable {
  static final String PYTHON = "/usr/bin/python3";
  static final String OPENBLAS_DIR = "/usr/lib/x86_64-linux-gnu/openblas-pthread";

  /** Largest |error| of a 1024³ fp32 matmul against float64 that still counts as correct. */
  static final double MATMUL_TOLERANCE = 1e-2;

  private static final ObjectMapper JSON = new ObjectMapper();

  private Process process;
  private BufferedWriter in;
  private BufferedReader out;
  private ObjectNode info;

  private PeerRunner() {}

  /** Whether the peer can run here at all (system python with torch importable); null if so. */
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

  /** Starts the peer (see the class comment for the kernel choice). */
  public static PeerRunner start(Path script, List<String> args, Path logDir) throws IOException {
    PeerRunner p = new PeerRunner();
    String why;
    try {
      p.launch(script, args, logDir.resolve("peer-auto.log"), true);
      double err = p.info.path("matmul_max_abs_err").asDouble(Double.NaN);
      if (err <= MATMUL_TOLERANCE) {
        p.info.put("coretype_mode", "auto");
        return p;
      }
      why = "matmul error " + err;
    } catch (IOException e) {
      why = e.getMessage();
    }
    p.close();
    System.out.println(
        "peer: OpenBLAS auto kernel unusable (" + why + "); using the machine's OPENBLAS_CORETYPE");
    p.launch(script, args, logDir.resolve("peer-machine.log"), false);
    p.info.put("coretype_mode", "machine");
    return p;
  }

  private void launch(Path script, List<String> args, Path log, boolean unsetCoretype)
      throws IOException {
    List<String> cmd = new ArrayList<>(List.of(PYTHON, script.toString()));
    cmd.addAll(args);
    ProcessBuilder pb = new ProcessBuilder(cmd).redirectError(log.toFile());
    Map<String, String> env = pb.environment();
    // one BLAS thread whatever --threads says: measured at --threads 2 with two OpenBLAS threads,
    // its pthreads and torch's OpenMP threads oversubscribe and the peer runs 3-5x slower
    env.put("OPENBLAS_NUM_THREADS", "1");
    env.put("PYTHONDONTWRITEBYTECODE", "1");
    env.remove("LD_PRELOAD"); // our side's MKL code-path library (bench/run.sh) is not the peer's
    String ld = env.get("LD_LIBRARY_PATH");
    env.put("LD_LIBRARY_PATH", OPENBLAS_DIR + (ld == null || ld.isEmpty() ? "" : ":" + ld));
    if (unsetCoretype) {
      env.remove("OPENBLAS_CORETYPE");
      env.remove("OPENBLAS_L2_SIZE");
    }
    process = pb.start();
    in =
        new BufferedWriter(
            new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8));
    out =
        new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8));
    info = (ObjectNode) ask("{\"cmd\":\"info\"}", log);
  }

  private JsonNode ask(String request, Path log) throws IOException {
    in.write(request);
    in.newLine();
    in.flush();
    String line = out.readLine();
    if (line == null) {
      String tail = log == null || !Files.exists(log) ? "" : tail(Files.readString(log), 600);
      throw new IOException("peer exited: " + tail);
    }
    JsonNode r = JSON.readTree(line);
    if (r.has("error")) {
      throw new IOException("peer: " + r.get("error").asText());
    }
    return r;
  }

  /** Torch and OpenBLAS versions, parity logits and greedy tokens, matmul check, kernel mode. */
  public ObjectNode info() {
    return info;
  }

  /** Samples of one figure ("matmul", "decode{B}", "score", "learn", "iteration"). */
  public double[] samples(String figure, int warmup, int repeats) throws IOException {
    ObjectNode req = JSON.createObjectNode();
    req.put("cmd", "figure").put("name", figure).put("warmup", warmup).put("repeats", repeats);
    JsonNode s = ask(req.toString(), null).path("samples");
    double[] v = new double[s.size()];
    for (int i = 0; i < v.length; i++) {
      v[i] = s.get(i).asDouble();
    }
    return v;
  }

  @Override
  public void close() {
    if (process == null) {
      return;
    }
    try {
      in.write("{\"cmd\":\"quit\"}");
      in.newLine();
      in.flush();
    } catch (IOException ignored) {
      // already gone
    }
    try {
      if (!process.waitFor(10, TimeUnit.SECONDS)) {
        process.destroyForcibly();
      }
    } catch (InterruptedException e) {
      process.destroyForcibly();
      Thread.currentThread().interrupt();
    }
    process = null;
  }

  static String tail(String s, int n) {
    return s.length() <= n ? s.strip() : s.substring(s.length() - n).strip();
  }
}
