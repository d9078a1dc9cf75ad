package dev.rlhfmesh.bench;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.jni.JniUtils;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.rlhfmesh.model.GptConfig;
import dev.rlhfmesh.model.gpt.Gpt;
import dev.rlhfmesh.trainersvc.learn.Rollout;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The one benchmark command (run by bench/run.sh): measures RLHF Mesh against a PyTorch eager peer
 * on the same GPT-2 weights in the same run, prints a table and writes JSON.
 *
 * <p>Arguments: {@code [--out FILE] [--repeats N] [--warmup N] [--threads N] [--no-services]
 * [--services-root DIR[:DIR...]]} (checkouts whose {@code <svc>/target/quarkus-app} to start, first
 * match wins; default: this one). Defaults: bench/target/bench.json, 3 repeats after 1 warm-up,
 * threads {@code auto} (see {@link #autoThreads}; batch-1 decoding always uses 1, on both sides).
 */
public final class BenchMain {
  static final int VOCAB = 256;
  static final int PROMPT = 8;
  static final int[] DECODE_BATCHES = {1, 8, 32, 64};
  static final int SCORE_ROWS = 256;
  static final int SCORE_MICRO = 64;
  static final String PEER = "PyTorch eager";

  /** Figure names shared with the peer, in the order they run. */
  static final List<String> FIGURES =
      List.of(
          "matmul",
          "decode1",
          "decode8",
          "decode32",
          "decode64",
          "score",
          "iter_generate",
          "iter_refscore",
          "learn",
          "iteration");

  private BenchMain() {}

  /** Parsed command line. */
  record Options(
      Path out, int repeats, int warmup, int threads, boolean services, Path servicesRoot) {
    static Options parse(String[] args) {
      Path out = Path.of("bench/target/bench.json");
      int repeats = 3;
      int warmup = 1;
      int threads = 0; // auto
      boolean services = true;
      Path servicesRoot = Path.of(".");
      for (int i = 0; i < args.length; i++) {
        switch (args[i]) {
          case "--out" -> out = Path.of(args[++i]);
          case "--repeats" -> repeats = Integer.parseInt(args[++i]);
          case "--warmup" -> warmup = Integer.parseInt(args[++i]);
          case "--threads" -> {
            String v = args[++i];
            threads = v.equals("auto") ? 0 : Integer.parseInt(v);
          }
          case "--no-services" -> services = false;
          case "--services-root" -> servicesRoot = Path.of(args[++i]);
          default -> throw new IllegalArgumentException("unknown argument " + args[i]);
        }
      }
      if (repeats < 1 || warmup < 0 || threads < 0) {
        throw new IllegalArgumentException("repeats ≥ 1, warmup ≥ 0, threads ≥ 1 or auto");
      }
      if (threads == 0) {
        threads = autoThreads(Runtime.getRuntime().availableProcessors(), Machine.loadAverage());
      }
      return new Options(out, repeats, warmup, threads, services, servicesRoot);
    }
  }

  /**
   * Two intra-op threads (the DEMO-NOTES setting) unless the machine is already busier than its
   * cores: then both sides' OpenMP barriers wait for time slices (measured here: a scoring pass 0.1
   * s with one thread, 2–5 s with two, at load 18 on 2 cores), so one thread gives steadier ratios.
   */
  static int autoThreads(int cores, double load1) {
    int t = Math.min(2, cores);
    return !Double.isNaN(load1) && load1 >= cores ? 1 : t;
  }

  public static void main(String[] args) throws Exception {
    dev.rlhfmesh.grpc.PlainJavaLogging.quietNetty();
    Options o = Options.parse(args);
    long t0 = System.nanoTime();
    Map<String, Object> machine = Machine.describe();
    System.out.println("machine: " + machine);
    Path work = o.out().toAbsolutePath().getParent().resolve("bench-work");
    Files.createDirectories(work);
    Path modelDir = work.resolve("model");
    ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);

    Engine.getInstance();
    JniUtils.setNumInteropThreads(1);
    GptConfig config = GptConfig.smallDefault(VOCAB);
    List<Rollout> rollouts = SyntheticRollouts.make(SyntheticRollouts.ROLLOUTS, VOCAB, 11);
    json.writeValue(work.resolve("rollouts.json").toFile(), SyntheticRollouts.toJson(rollouts));

    Map<String, double[]> ours = new LinkedHashMap<>();
    ObjectNode peer = json.createObjectNode();
    Parity parity = null;
    try (NDManager root = NDManager.newBaseManager();
        Gpt model = Gpt.init(root, config, 1234)) {
      model.save(modelDir);
      step("peer start", t0);
      PeerRunner p = startPeer(o, work, modelDir);
      try (DjlFigures one = new DjlFigures(model, 0, 1, o.threads());
          p) {
        one.setPpoBatch(modelDir, rollouts);
        if (p != null) {
          peer.setAll(p.info());
          parity = Parity.of(one.parityLogits(), one.parityGreedy(), peer);
          System.out.println("parity (same weights): " + parity);
        }
        // Interleaved: after warm-up, each repeat runs ours then the peer's, so both see the
        // same load on a shared machine.
        for (String fig : FIGURES) {
          step(fig, t0);
          double[] a = new double[o.repeats()];
          double[] b = new double[o.repeats()];
          for (int w = 0; w < o.warmup(); w++) {
            one.figure(root, fig, PROMPT);
            if (p != null) {
              p.samples(fig, 0, 1);
            }
          }
          for (int r = 0; r < o.repeats(); r++) {
            a[r] = one.figure(root, fig, PROMPT)[0];
            b[r] = p == null ? Double.NaN : p.samples(fig, 0, 1)[0];
          }
          ours.put(fig, a);
          if (p != null) {
            peer.set(fig, json.valueToTree(b));
          }
        }
      }
    }

    List<Figure> figures = Comparisons.inProcess(config, ours, peer);
    if (o.services()) {
      step("services", t0);
      figures.addAll(new ServiceFigures(work, modelDir, o).measure(bestStaticBatch(peer)));
    } else {
      figures.addAll(ServiceFigures.skipped("skipped (--no-services)"));
    }

    String table = ResultTable.render(figures);
    System.out.println();
    System.out.print(table);
    System.out.printf(
        "%nmachine: %s cores, %s, %s, load %s; our MKL path: %s; %.0f s in all%n",
        machine.get("nproc"),
        machine.get("cpu"),
        machine.get("memory"),
        machine.get("loadavg"),
        mklPath(),
        (System.nanoTime() - t0) / 1e9);

    Map<String, Object> doc = new LinkedHashMap<>();
    doc.put("machine", machine);
    doc.put(
        "settings",
        Map.of(
            "repeats",
            o.repeats(),
            "warmup",
            o.warmup(),
            "threads",
            o.threads(),
            "model",
            "GptConfig.smallDefault(" + VOCAB + ")",
            "activation",
            config.activation(),
            "mkl_path",
            mklPath()));
    doc.put("parity", parity == null ? null : parity.toMap());
    doc.put(
        "peer",
        !peer.has("torch")
            ? null
            : Map.of(
                "torch", peer.path("torch").asText(),
                "openblas", peer.path("openblas").asText(),
                "coretype_mode", peer.path("coretype_mode").asText()));
    List<Map<String, Object>> rows = new ArrayList<>();
    figures.forEach(f -> rows.add(f.toMap()));
    doc.put("figures", rows);
    doc.put("table", table);
    Files.createDirectories(o.out().toAbsolutePath().getParent());
    json.writeValue(o.out().toFile(), doc);
    System.out.println("wrote " + o.out());
    System.exit(0); // service clients' threads must not keep the JVM alive
  }

  /** The peer, or null (with the reason printed) when it cannot run. */
  private static PeerRunner startPeer(Options o, Path work, Path modelDir) {
    String why = PeerRunner.unavailableReason();
    if (why != null) {
      System.out.println("peer: not run: " + why);
      return null;
    }
    List<String> args = new ArrayList<>();
    args.addAll(List.of("--model", modelDir.toString()));
    args.addAll(List.of("--rollouts", work.resolve("rollouts.json").toString()));
    args.addAll(List.of("--threads", "" + o.threads(), "--prompt-len", "" + PROMPT));
    args.addAll(List.of("--batches", Comparisons.joined(DECODE_BATCHES)));
    args.addAll(List.of("--score-rows", "" + SCORE_ROWS, "--score-micro", "" + SCORE_MICRO));
    try {
      return PeerRunner.start(Path.of("bench/peer/peer.py"), args, work);
    } catch (Exception e) {
      System.out.println("peer: failed: " + e.getMessage());
      return null;
    }
  }

  /** The peer's best decode throughput over its static batch sizes (NaN without a peer). */
  static double bestStaticBatch(JsonNode peer) {
    double best = Double.NaN;
    for (int b : DECODE_BATCHES) {
      best = Stats.max(best, Comparisons.median(peer.path("decode" + b)));
    }
    return best;
  }

  private static void step(String what, long t0) {
    System.out.printf("[%5.1f s] %s%n", (System.nanoTime() - t0) / 1e9, what);
  }

  /** Whether this JVM runs with bench/run.sh's MKL code-path preload (model-core/src/main/c). */
  static String mklPath() {
    String preload = System.getenv("LD_PRELOAD");
    return preload != null && preload.contains("libmkl_intel_path")
        ? "feature flags (preloaded)"
        : "MKL's default";
  }
}
