package dev.rlhfmesh.modelsvc.grpc;

import dev.rlhfmesh.modelsvc.serving.FinishReason;
import dev.rlhfmesh.modelsvc.serving.GenerationListener;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import io.smallrye.mutiny.subscription.UniEmitter;
import java.util.concurrent.Executor;

/**
 * Collects every sample of a unary Generate (on the model's decode thread) and answers once all
 * have ended — through {@code answer}, so that building and sending the response run on the call's
 * own thread, not on the decode thread every other call waits for.
 */
final class CompletionCollector implements GenerationListener {
  private final Completion.Builder[] completions;
  private final int n;
  private final boolean logprobs;
  private final UniEmitter<? super GenerateResponse> emitter;
  private final Executor answer;

  CompletionCollector(
      int prompts,
      int n,
      boolean logprobs,
      UniEmitter<? super GenerateResponse> emitter,
      Executor answer) {
    this.n = n;
    this.logprobs = logprobs;
    this.emitter = emitter;
    this.answer = answer;
    completions = new Completion.Builder[prompts * n];
    for (int p = 0; p < prompts; p++) {
      for (int s = 0; s < n; s++) {
        completions[p * n + s] = Completion.newBuilder().setPromptIndex(p).setSampleIndex(s);
      }
    }
  }

  @Override
  public void onStep(
      int promptIndex,
      int sampleIndex,
      int token,
      float logprob,
      FinishReason finish,
      String text,
      long version) {
    Completion.Builder c = completions[promptIndex * n + sampleIndex];
    c.setPolicyVersion(version);
    if (token >= 0) {
      c.addTokenIds(token);
      if (logprobs) {
        c.addLogprobs(logprob);
      }
    }
    if (finish != null) {
      c.setFinishReason(GenerateRequests.toProto(finish)).setText(text);
    }
  }

  @Override
  public void onComplete() {
    answer.execute( // no onStep follows onComplete: the builders are the answer's from here on
        () -> {
          GenerateResponse.Builder r = GenerateResponse.newBuilder();
          for (Completion.Builder c : completions) {
            r.addCompletions(c);
          }
          emitter.complete(r.build());
        });
  }

  @Override
  public void onError(Throwable failure) {
    answer.execute(() -> emitter.fail(failure));
  }
}
