package dev.rlhfmesh.trainersvc.rollout;

import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.FinishReason;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.ModelServiceGrpc;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesRequest;
import dev.rlhfmesh.proto.model.v1.ScoreSequencesResponse;
import dev.rlhfmesh.proto.model.v1.SequenceScore;
import dev.rlhfmesh.proto.model.v1.SequenceToScore;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.netty.NettyServerBuilder;
import io.grpc.stub.ServerCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A downstream stand-in for one model-svc replica, on a real loopback port: samples are a pure
 * function of (seed, sample index), like the real service, so which replica answers does not
 * matter. It can die after a number of Generate calls, serve an old weight version, or stall: take
 * Generate calls and never answer them, counting those the caller cancels.
 */
public final class FakeModelReplica implements AutoCloseable {
  public static final int EOS = 12;

  public final AtomicInteger generateCalls = new AtomicInteger();
  public final AtomicInteger scoreCalls = new AtomicInteger();
  public volatile long version;

  /** After this many Generate calls the replica fails every call (0 = never). */
  public volatile int dieAfter;

  /** While set, Generate calls are held open without an answer (a replica that hangs). */
  public volatile boolean stall;

  /** Generate calls held open by {@link #stall}, and those of them the caller cancelled. */
  public final AtomicInteger stalledCalls = new AtomicInteger();

  public final AtomicInteger cancelledStalledCalls = new AtomicInteger();

  private final Server server;

  public FakeModelReplica() throws IOException {
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .addService(new Impl())
            .build()
            .start();
  }

  public InetSocketAddress address() {
    return new InetSocketAddress("127.0.0.1", server.getPort());
  }

  /** The tokens the fake generates for (seed, sample): 1–3 digits then EOS. */
  static int[] tokens(long seed, int sample) {
    long h = dev.rlhfmesh.trainersvc.data.Seeds.mix(seed, sample, 7);
    int len = 1 + (int) Math.floorMod(h, 3);
    int[] out = new int[len + 1];
    for (int i = 0; i < len; i++) {
      out[i] = (int) Math.floorMod(h >>> (8 * (i + 1)), 10);
    }
    out[len] = EOS;
    return out;
  }

  @Override
  public void close() {
    server.shutdownNow();
  }

  private final class Impl extends ModelServiceGrpc.ModelServiceImplBase {
    @Override
    public void generate(GenerateRequest req, StreamObserver<GenerateResponse> out) {
      if (stall) {
        ((ServerCallStreamObserver<GenerateResponse>) out)
            .setOnCancelHandler(cancelledStalledCalls::incrementAndGet);
        stalledCalls.incrementAndGet();
        return; // never answered: the call stays open until the caller cancels or its deadline
      }
      int call = generateCalls.incrementAndGet();
      if (dieAfter > 0 && call > dieAfter) {
        out.onError(Status.UNAVAILABLE.withDescription("replica going away").asRuntimeException());
        return;
      }
      GenerateResponse.Builder resp = GenerateResponse.newBuilder();
      int n = Math.max(1, req.getSampling().getN());
      for (int p = 0; p < req.getPromptsCount(); p++) {
        for (int s = 0; s < n; s++) {
          Completion.Builder c =
              Completion.newBuilder()
                  .setPromptIndex(p)
                  .setSampleIndex(s)
                  .setFinishReason(FinishReason.FINISH_REASON_EOS)
                  .setPolicyVersion(version);
          for (int t : tokens(req.getSampling().getSeed(), s)) {
            c.addTokenIds(t).addLogprobs(-0.5f);
          }
          resp.addCompletions(c);
        }
      }
      out.onNext(resp.build());
      out.onCompleted();
    }

    @Override
    public void scoreSequences(
        ScoreSequencesRequest req, StreamObserver<ScoreSequencesResponse> out) {
      scoreCalls.incrementAndGet();
      if (dieAfter > 0 && generateCalls.get() > dieAfter) {
        out.onError(Status.UNAVAILABLE.withDescription("replica going away").asRuntimeException());
        return;
      }
      ScoreSequencesResponse.Builder resp = ScoreSequencesResponse.newBuilder().setPolicyVersion(0);
      for (SequenceToScore s : req.getSequencesList()) {
        SequenceScore.Builder sc = SequenceScore.newBuilder();
        for (int i = 0; i < s.getResponse().getIdsCount(); i++) {
          sc.addLogprobs(-0.75f);
        }
        resp.addScores(sc);
      }
      out.onNext(resp.build());
      out.onCompleted();
    }
  }

  static TokenIds ids(int... ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int i : ids) {
      b.addIds(i);
    }
    return b.build();
  }
}
