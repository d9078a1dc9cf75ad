package dev.rlhfmesh.trainersvc.rollout;

import io.grpc.Context;
import io.grpc.Status;
import java.util.concurrent.Callable;

/**
 * The downstream calls of one job run, under one cancellable {@link io.grpc.Context}. Code attached
 * to the scope makes its Generate, ScoreSequences, Score and weight-push calls inside that context
 * (the {@link ReplicaPool}'s workers inherit the context of the thread that hands them work), so
 * {@link #cancel} aborts every in-flight call at once — the caller sees CANCELLED, the server sees
 * its call cancelled — instead of the job stopping only after the current rollout batch.
 */
public final class CallScope implements AutoCloseable {
  private final Context.CancellableContext context = Context.current().withCancellation();

  /** Attaches the scope to the current thread until the returned handle is closed. */
  public Attachment attach() {
    Context previous = context.attach();
    return () -> context.detach(previous);
  }

  /** Runs {@code body} with the scope attached to the current thread. */
  public <T> T call(Callable<T> body) throws Exception {
    return context.call(body);
  }

  /** Aborts every call in flight in the scope; later calls in it fail at once. */
  public void cancel(String why) {
    context.cancel(Status.CANCELLED.withDescription(why).asRuntimeException());
  }

  public boolean isCancelled() {
    return context.isCancelled();
  }

  @Override
  public void close() {
    context.cancel(null);
  }

  /** The scope attached to one thread; closing detaches it. */
  @FunctionalInterface
  public interface Attachment extends AutoCloseable {
    @Override
    void close();
  }
}
