package dev.rlhfmesh.grpc.weights;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;
import org.jboss.logging.Logger;

/**
 * Staged, versioned weight updates: {@link #begin} checks a manifest and reserves buffers off to
 * the side, {@link #accept} copies chunks in (every byte exactly once, each tensor in offset
 * order), {@link #commit} checks completeness and hands the tensors to the {@link WeightTarget},
 * which swaps them in atomically. A bad chunk, a failed commit or an {@link #abort} drops the
 * update and the serving weights never change. Updates untouched for longer than the time-to-live
 * expire.
 *
 * <p>Thread-safe; free of gRPC types, so it is unit-tested without a server.
 */
public final class WeightStaging {
  private static final Logger LOG = Logger.getLogger(WeightStaging.class);

  private final WeightTarget target;
  private final long ttlNanos;
  private final long maxStagedBytes;
  private final LongSupplier nanoClock;
  private final Map<String, Update> updates = new ConcurrentHashMap<>();

  /** What a successful commit produced. */
  public record Committed(String model, long version) {}

  /**
   * @param target the serving side
   * @param ttl an update untouched this long expires
   * @param maxStagedBytes staged bytes allowed at once over all open updates
   */
  public WeightStaging(WeightTarget target, Duration ttl, long maxStagedBytes) {
    this(target, ttl, maxStagedBytes, System::nanoTime);
  }

  WeightStaging(WeightTarget target, Duration ttl, long maxStagedBytes, LongSupplier nanoClock) {
    this.target = target;
    this.ttlNanos = ttl.toNanos();
    this.maxStagedBytes = maxStagedBytes;
    this.nanoClock = nanoClock;
  }

  public WeightTarget target() {
    return target;
  }

  /** Opens an update; returns its id. */
  public String begin(String model, long version, List<TensorSpec> manifest) {
    expireStale();
    if (model == null || model.isBlank()) {
      throw ServiceException.invalidArgument("model", "", "is required");
    }
    long current = target.version(model);
    if (version <= current) {
      throw ServiceException.failedPrecondition(
          "version " + version + " does not move forward: model '" + model + "' serves " + current);
    }
    if (manifest.isEmpty()) {
      throw ServiceException.invalidArgument("manifest", "[]", "must not be empty");
    }
    Map<String, Slot> slots = new LinkedHashMap<>();
    long total = 0;
    for (int i = 0; i < manifest.size(); i++) {
      TensorSpec s = manifest.get(i);
      String field = "manifest[" + i + "]";
      if (s.getName().isBlank()) {
        throw ServiceException.invalidArgument(field + ".name", "", "is required");
      }
      long expected;
      try {
        expected = TensorBytes.byteSize(s.getDtype(), toArray(s.getShapeList()));
      } catch (IllegalArgumentException | ArithmeticException e) {
        throw ServiceException.invalidArgument(field, s.getName(), e.getMessage());
      }
      if (s.getByteSize() != expected) {
        throw ServiceException.invalidArgument(
            field + ".byte_size", s.getByteSize(), "shape and dtype make " + expected + " bytes");
      }
      if (expected > Integer.MAX_VALUE - 8) {
        throw ServiceException.invalidArgument(
            field + ".byte_size", expected, "a tensor must stay below 2 GiB");
      }
      if (slots.put(s.getName(), new Slot(s)) != null) {
        throw ServiceException.invalidArgument(field + ".name", s.getName(), "appears twice");
      }
      total += expected;
    }
    target.checkManifest(model, manifest);
    synchronized (this) {
      long staged = stagedBytes();
      if (staged + total > maxStagedBytes) {
        throw ServiceException.resourceExhausted(
            "staging "
                + total
                + " more bytes would exceed the limit of "
                + maxStagedBytes
                + " ("
                + staged
                + " staged by "
                + updates.size()
                + " open updates)");
      }
      Update u = new Update(UUID.randomUUID().toString(), model, version, slots, total);
      u.touched = nanoClock.getAsLong();
      for (Slot s : slots.values()) {
        s.data = new byte[Math.toIntExact(s.spec.getByteSize())];
      }
      updates.put(u.id, u);
      LOG.infof(
          "weight update %s opened: model %s -> version %d, %d tensors, %d bytes",
          u.id, model, version, slots.size(), total);
      return u.id;
    }
  }

  /**
   * Copies one chunk into its tensor's buffer. A chunk that is not for a manifest tensor, skips or
   * repeats bytes, or runs past the tensor's end drops the whole update.
   *
   * @param data chunk bytes, copied from {@code data[from, from+length)}
   */
  public void accept(String updateId, String tensorName, long offset, ChunkSource data) {
    Update u = open(updateId);
    synchronized (u) {
      if (u.closed) {
        throw ServiceException.notFound("weight update", updateId);
      }
      Slot s = u.slots.get(tensorName);
      String problem = null;
      if (s == null) {
        problem = "tensor '" + tensorName + "' is not in the manifest";
      } else if (offset != s.received) {
        problem =
            "tensor '"
                + tensorName
                + "' chunk at offset "
                + offset
                + ", expected "
                + s.received
                + " (every byte exactly once, in offset order)";
      } else if (offset + data.size() > s.data.length) {
        problem =
            "tensor '"
                + tensorName
                + "' chunk ends at "
                + (offset + data.size())
                + ", past its "
                + s.data.length
                + " bytes";
      }
      if (problem != null) {
        drop(u, problem);
        throw ServiceException.invalidArgument("chunk", tensorName + "@" + offset, problem);
      }
      data.copyTo(s.data, (int) offset);
      s.received += data.size();
      u.touched = nanoClock.getAsLong();
    }
  }

  /** Chunk bytes without committing to a buffer type (protobuf ByteString, byte[] slice...). */
  public interface ChunkSource {
    int size();

    void copyTo(byte[] target, int offset);

    static ChunkSource of(byte[] bytes) {
      return new ChunkSource() {
        @Override
        public int size() {
          return bytes.length;
        }

        @Override
        public void copyTo(byte[] target, int offset) {
          System.arraycopy(bytes, 0, target, offset, bytes.length);
        }
      };
    }
  }

  /**
   * Checks that every manifest byte arrived, then swaps the tensors in through the target. The
   * update is closed whatever happens; on failure the old weights keep serving.
   */
  public Committed commit(String updateId) {
    Update u = open(updateId);
    List<TensorBytes> tensors = new ArrayList<>();
    synchronized (u) {
      if (u.closed) {
        throw ServiceException.notFound("weight update", updateId);
      }
      u.closed = true;
      updates.remove(u.id);
      for (Slot s : u.slots.values()) {
        if (s.received != s.data.length) {
          String why =
              "tensor '"
                  + s.spec.getName()
                  + "' has "
                  + s.received
                  + " of "
                  + s.data.length
                  + " bytes";
          LOG.warnf("weight update %s dropped at commit: %s", u.id, why);
          throw ServiceException.failedPrecondition("incomplete update " + u.id + ": " + why);
        }
        tensors.add(
            new TensorBytes(
                s.spec.getName(), s.spec.getDtype(), toArray(s.spec.getShapeList()), s.data));
      }
    }
    long v = target.apply(u.model, u.version, tensors);
    LOG.infof("weight update %s committed: model %s serves version %d", u.id, u.model, v);
    return new Committed(u.model, v);
  }

  /** Drops an update (unknown ids are NOT_FOUND). */
  public void abort(String updateId, String reason) {
    Update u = open(updateId);
    synchronized (u) {
      drop(u, "aborted: " + (reason == null || reason.isBlank() ? "no reason given" : reason));
    }
  }

  /** Drops updates untouched for longer than the time-to-live; returns how many. */
  public int expireStale() {
    long now = nanoClock.getAsLong();
    int n = 0;
    for (Update u : List.copyOf(updates.values())) {
      synchronized (u) {
        if (!u.closed && now - u.touched > ttlNanos) {
          drop(u, "expired after " + Duration.ofNanos(ttlNanos) + " without activity");
          n++;
        }
      }
    }
    return n;
  }

  /** Open updates. */
  public int openUpdates() {
    return updates.size();
  }

  /** Bytes reserved by open updates. */
  public long stagedBytes() {
    return updates.values().stream().mapToLong(u -> u.totalBytes).sum();
  }

  private Update open(String id) {
    expireStale();
    Update u = id == null ? null : updates.get(id);
    if (u == null) {
      throw ServiceException.notFound("weight update", String.valueOf(id));
    }
    return u;
  }

  private void drop(Update u, String why) {
    u.closed = true;
    updates.remove(u.id);
    u.slots.values().forEach(s -> s.data = null);
    LOG.warnf("weight update %s (model %s, version %d) dropped: %s", u.id, u.model, u.version, why);
  }

  static long[] toArray(List<Long> shape) {
    return shape.stream().mapToLong(Long::longValue).toArray();
  }

  private static final class Update {
    final String id;
    final String model;
    final long version;
    final Map<String, Slot> slots;
    final long totalBytes;
    long touched;
    boolean closed;

    Update(String id, String model, long version, Map<String, Slot> slots, long totalBytes) {
      this.id = id;
      this.model = model;
      this.version = version;
      this.slots = slots;
      this.totalBytes = totalBytes;
    }
  }

  private static final class Slot {
    final TensorSpec spec;
    byte[] data;
    long received;

    Slot(TensorSpec spec) {
      this.spec = spec;
    }

    @Override
    public String toString() {
      return spec.getName() + Arrays.toString(toArray(spec.getShapeList()));
    }
  }
}
