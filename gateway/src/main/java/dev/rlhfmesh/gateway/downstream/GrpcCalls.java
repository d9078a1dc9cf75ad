package dev.rlhfmesh.gateway.downstream;

import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;

/**
 * gRPC calls as a Uni/Multi whose cancellation cancels the call. (The Mutiny client stubs keep the
 * call running after their Uni/Multi is cancelled; measured here: a stream kept going until its
 * deadline after the HTTP client had left.)
 */
public final class GrpcCalls {
  private GrpcCalls() {}

  /**
   * A unary call.
   *
   * @param call starts the call with the given observer on a grpc-java async stub
   */
  public static <T> Uni<T> cancellableUnary(Consumer<StreamObserver<T>> call) {
    return Uni.createFrom()
        .emitter(
            emitter -> {
              AtomicBoolean ended = new AtomicBoolean();
              call.accept(
                  new ClientResponseObserver<Object, T>() {
                    private T value;

                    @Override
                    public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
                      emitter.onTermination(
                          () -> {
                            if (ended.compareAndSet(false, true)) {
                              requestStream.cancel("caller went away", null);
                            }
                          });
                    }

                    @Override
                    public void onNext(T v) {
                      value = v;
                    }

                    @Override
                    public void onError(Throwable t) {
                      ended.set(true);
                      emitter.fail(t);
                    }

                    @Override
                    public void onCompleted() {
                      ended.set(true);
                      emitter.complete(value);
                    }
                  });
            });
  }

  /**
   * A server-streaming call.
   *
   * @param call starts the call with the given observer on a grpc-java async stub
   */
  public static <T> Multi<T> cancellable(Consumer<StreamObserver<T>> call) {
    return Multi.createFrom()
        .emitter(
            emitter -> {
              AtomicBoolean ended = new AtomicBoolean();
              call.accept(
                  new ClientResponseObserver<Object, T>() {
                    @Override
                    public void beforeStart(ClientCallStreamObserver<Object> requestStream) {
                      emitter.onTermination(
                          () -> {
                            if (ended.compareAndSet(false, true)) {
                              requestStream.cancel("caller went away", null);
                            }
                          });
                    }

                    @Override
                    public void onNext(T value) {
                      emitter.emit(value);
                    }

                    @Override
                    public void onError(Throwable t) {
                      ended.set(true);
                      emitter.fail(t);
                    }

                    @Override
                    public void onCompleted() {
                      ended.set(true);
                      emitter.complete();
                    }
                  });
            });
  }
}
