package dev.rlhfmesh.grpc.weights;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.rlhfmesh.grpc.errors.ErrorKind;
import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.proto.common.v1.DType;
import dev.rlhfmesh.proto.common.v1.TensorSpec;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** Staging rules on tiny byte arrays, with a fake target and a fake clock. */
class WeightStagingTest {
  /** Records what was applied; one model "m" of two F32 tensors a (2) and b (1, 3). */
  static final class FakeTarget implements WeightTarget {
    long version;
    final List<List<TensorBytes>> applied = new ArrayList<>();

    @Override
    public long version(String model) {
      if (!model.equals("m")) {
        throw ServiceException.notFound("model", model);
      }
      return version;
    }

    @Override
    public void checkManifest(String model, List<TensorSpec> manifest) {
      if (manifest.size() != 2) {
        throw ServiceException.invalidArgument("manifest", manifest.size(), "need a and b");
      }
    }

    @Override
    public long apply(String model, long v, List<TensorBytes> tensors) {
      applied.add(tensors);
      version = v;
      return v;
    }

    @Override
    public long loadFromDirectory(String model, String directory, long v) {
      throw new UnsupportedOperationException();
    }
  }

  final FakeTarget target = new FakeTarget();
  final AtomicLong now = new AtomicLong();
  final WeightStaging staging =
      new WeightStaging(target, Duration.ofSeconds(10), 1 << 20, now::get);

  static List<TensorSpec> manifest() {
    return List.of(
        new TensorBytes("a", DType.D_TYPE_FLOAT32, new long[] {2}, new byte[8]).spec(),
        new TensorBytes("b", DType.D_TYPE_FLOAT32, new long[] {1, 3}, new byte[12]).spec());
  }

  static WeightStaging.ChunkSource bytes(int from, int n) {
    byte[] b = new byte[n];
    for (int i = 0; i < n; i++) {
      b[i] = (byte) (from + i);
    }
    return WeightStaging.ChunkSource.of(b);
  }

  @Test
  void commit_appliesEveryByteInOrder() {
    String id = staging.begin("m", 1, manifest());
    staging.accept(id, "b", 0, bytes(0, 5));
    staging.accept(id, "a", 0, bytes(100, 8));
    staging.accept(id, "b", 5, bytes(5, 7));
    assertEquals(new WeightStaging.Committed("m", 1), staging.commit(id));
    List<TensorBytes> t = target.applied.get(0);
    assertArrayEquals(new long[] {1, 3}, t.get(1).shape());
    assertEquals(11, t.get(1).data()[11]);
    assertEquals(0, staging.openUpdates());
  }

  @Test
  void repeatedOrSkippedBytes_dropTheUpdate() {
    String id = staging.begin("m", 1, manifest());
    staging.accept(id, "a", 0, bytes(0, 4));
    ServiceException dup =
        assertThrows(ServiceException.class, () -> staging.accept(id, "a", 0, bytes(0, 4)));
    assertEquals(ErrorKind.INVALID_ARGUMENT, dup.kind());
    assertEquals(ErrorKind.NOT_FOUND, kind(() -> staging.commit(id)));
    String id2 = staging.begin("m", 1, manifest());
    assertEquals(ErrorKind.INVALID_ARGUMENT, kind(() -> staging.accept(id2, "a", 4, bytes(0, 4))));
    String id3 = staging.begin("m", 1, manifest());
    assertEquals(ErrorKind.INVALID_ARGUMENT, kind(() -> staging.accept(id3, "a", 0, bytes(0, 9))));
    String id4 = staging.begin("m", 1, manifest());
    assertEquals(ErrorKind.INVALID_ARGUMENT, kind(() -> staging.accept(id4, "zz", 0, bytes(0, 1))));
    assertTrue(target.applied.isEmpty());
  }

  @Test
  void incompleteCommit_isRefusedAndNothingApplied() {
    String id = staging.begin("m", 1, manifest());
    staging.accept(id, "a", 0, bytes(0, 8));
    assertEquals(ErrorKind.FAILED_PRECONDITION, kind(() -> staging.commit(id)));
    assertTrue(target.applied.isEmpty());
    assertEquals(0, staging.stagedBytes());
  }

  @Test
  void versions_onlyMoveForward() {
    target.version = 5;
    assertEquals(ErrorKind.FAILED_PRECONDITION, kind(() -> staging.begin("m", 5, manifest())));
    assertEquals(ErrorKind.NOT_FOUND, kind(() -> staging.begin("x", 6, manifest())));
  }

  @Test
  void manifest_byteSizeMustMatchShapeAndDtype() {
    List<TensorSpec> bad =
        List.of(manifest().get(0).toBuilder().setByteSize(7).build(), manifest().get(1));
    ServiceException e = assertThrows(ServiceException.class, () -> staging.begin("m", 1, bad));
    assertTrue(e.getMessage().contains("manifest[0].byte_size"), e.getMessage());
  }

  @Test
  void staleUpdates_expireAndAbortedOnesAreGone() {
    String id = staging.begin("m", 1, manifest());
    now.addAndGet(Duration.ofSeconds(11).toNanos());
    assertEquals(1, staging.expireStale());
    assertEquals(ErrorKind.NOT_FOUND, kind(() -> staging.accept(id, "a", 0, bytes(0, 1))));
    String id2 = staging.begin("m", 1, manifest());
    staging.abort(id2, "test");
    assertEquals(ErrorKind.NOT_FOUND, kind(() -> staging.commit(id2)));
  }

  @Test
  void stagedBytes_areBounded() {
    WeightStaging small = new WeightStaging(target, Duration.ofSeconds(10), 30, now::get);
    small.begin("m", 1, manifest());
    assertEquals(ErrorKind.RESOURCE_EXHAUSTED, kind(() -> small.begin("m", 1, manifest())));
  }

  private static ErrorKind kind(Runnable r) {
    return assertThrows(ServiceException.class, r::run).kind();
  }
}
