package dev.rlhfmesh.gateway.core;

import dev.rlhfmesh.gateway.config.GatewayConfig;
import dev.rlhfmesh.proto.common.v1.SamplingParams;
import dev.rlhfmesh.proto.common.v1.TokenIds;
import dev.rlhfmesh.proto.model.v1.Completion;
import dev.rlhfmesh.proto.model.v1.FinishReason;
import dev.rlhfmesh.proto.model.v1.GenerateRequest;
import dev.rlhfmesh.proto.model.v1.GenerateResponse;
import dev.rlhfmesh.proto.model.v1.GenerateStreamRequest;
import dev.rlhfmesh.proto.model.v1.GenerateStreamResponse;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Text in, text out: tokenize (or render the chat template) → generate on model-svc → detokenize.
 * Streaming relays each sample's text as its tokens arrive, whole characters only ({@link
 * IncrementalDecoder}) and never part of a stop string ({@link StopStringFilter}). Cancelling the
 * returned Uni/Multi cancels the downstream calls.
 */
@ApplicationScoped
public class CompletionService {
  private final Tokenizer tokenizer;
  private final Models models;
  private final RequestCheck check;

  @Inject
  public CompletionService(Tokenizer tokenizer, Models models, GatewayConfig config) {
    this.tokenizer = tokenizer;
    this.models = models;
    this.check = new RequestCheck(config);
  }

  public Uni<Generation> complete(GenerationRequest r) {
    return Uni.createFrom()
        .deferred(
            () -> {
              String model = check.model(r);
              check.checkPrompt(r);
              SamplingParams s = check.sampling(r);
              return promptIds(r)
                  .flatMap(
                      ids ->
                          models
                              .generate(
                                  GenerateRequest.newBuilder()
                                      .setModel(model)
                                      .addPrompts(tokenIds(ids))
                                      .setSampling(s)
                                      .build(),
                                  r.timeout())
                              .flatMap(resp -> toGeneration(model, ids.length, resp, s, r)));
            });
  }

  public Multi<StreamEvent> stream(GenerationRequest r) {
    return Multi.createFrom()
        .deferred(
            () -> {
              String model = check.model(r);
              check.checkPrompt(r);
              SamplingParams s = check.sampling(r);
              return promptIds(r)
                  .onItem()
                  .transformToMulti(
                      ids -> {
                        Samples samples = new Samples(s.getStopStringsList(), r.timeout());
                        Multi<StreamEvent> deltas =
                            models
                                .generateStream(
                                    GenerateStreamRequest.newBuilder()
                                        .setModel(model)
                                        .addPrompts(tokenIds(ids))
                                        .setSampling(s)
                                        .build(),
                                    r.timeout())
                                .onItem()
                                .transformToUniAndConcatenate(samples::accept)
                                .onItem()
                                .transformToIterable(events -> events);
                        Multi<StreamEvent> totals =
                            Multi.createFrom()
                                .item(
                                    () ->
                                        (StreamEvent)
                                            new StreamEvent.Totals(ids.length, samples.tokens()));
                        return Multi.createBy().concatenating().streams(deltas, totals);
                      });
            });
  }

  private Uni<int[]> promptIds(GenerationRequest r) {
    if (r.prompt() instanceof Prompt.Chat c) {
      return tokenizer.applyChatTemplate(c.messages(), r.timeout());
    }
    return tokenizer.encode(((Prompt.Text) r.prompt()).text(), r.timeout());
  }

  private Uni<Generation> toGeneration(
      String model,
      int promptTokens,
      GenerateResponse resp,
      SamplingParams s,
      GenerationRequest r) {
    List<Completion> completions = resp.getCompletionsList();
    List<int[]> sequences = new ArrayList<>();
    List<int[]> singleTokens = new ArrayList<>();
    int generated = 0;
    for (Completion c : completions) {
      int[] ids = c.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray();
      sequences.add(ids);
      generated += ids.length;
      if (s.getReturnLogprobs()) {
        for (int id : ids) {
          singleTokens.add(new int[] {id});
        }
      }
    }
    List<int[]> batch = new ArrayList<>(sequences);
    batch.addAll(singleTokens);
    final int completionTokens = generated;
    Uni<List<String>> texts =
        batch.isEmpty() ? Uni.createFrom().item(List.of()) : tokenizer.decode(batch, r.timeout());
    return texts.map(
        decoded -> {
          List<Generation.Choice> choices = new ArrayList<>();
          int tokenCursor = sequences.size();
          for (int i = 0; i < completions.size(); i++) {
            Completion c = completions.get(i);
            StopStringFilter stop = new StopStringFilter(s.getStopStringsList());
            String text = stop.accept(decoded.get(i)) + stop.finish();
            List<String> tokens = List.of();
            if (s.getReturnLogprobs()) {
              tokens = decoded.subList(tokenCursor, tokenCursor + c.getTokenIdsCount());
              tokenCursor += c.getTokenIdsCount();
            }
            String reason = stop.stopped() ? "stop" : finishReason(c.getFinishReason());
            choices.add(
                new Generation.Choice(
                    c.getSampleIndex(), text, reason, c.getLogprobsList(), List.copyOf(tokens)));
          }
          return new Generation(model, choices, promptTokens, completionTokens);
        });
  }

  /** OpenAI's finish_reason names. */
  static String finishReason(FinishReason r) {
    return switch (r) {
      case FINISH_REASON_LENGTH -> "length";
      case FINISH_REASON_CANCELLED -> "cancelled";
      default -> "stop";
    };
  }

  private static TokenIds tokenIds(int[] ids) {
    TokenIds.Builder b = TokenIds.newBuilder();
    for (int id : ids) {
      b.addIds(id);
    }
    return b.build();
  }

  /** Per-sample streaming state: decoder, stop filter, done flag. */
  private final class Samples {
    private final List<String> stops;
    private final Duration timeout;
    private final Map<Integer, Sample> byIndex = new HashMap<>();
    private int tokens;

    Samples(List<String> stops, Duration timeout) {
      this.stops = stops;
      this.timeout = timeout;
    }

    int tokens() {
      return tokens;
    }

    Uni<List<StreamEvent>> accept(GenerateStreamResponse m) {
      Sample st =
          byIndex.computeIfAbsent(
              m.getSampleIndex(),
              i ->
                  new Sample(
                      new IncrementalDecoder(seqs -> tokenizer.decode(seqs, timeout)),
                      new StopStringFilter(stops)));
      if (st.done) {
        return Uni.createFrom().item(List.of());
      }
      tokens += m.getTokenIdsCount();
      boolean last = m.getFinishReason() != FinishReason.FINISH_REASON_UNSPECIFIED;
      int[] ids = m.getTokenIdsList().stream().mapToInt(Integer::intValue).toArray();
      int index = m.getSampleIndex();
      return st.decoder
          .push(ids, last)
          .map(
              text -> {
                String out = st.stop.accept(text);
                if (st.stop.stopped()) {
                  st.done = true;
                  return List.of(new StreamEvent.Delta(index, out, "stop"));
                }
                if (last) {
                  st.done = true;
                  out += st.stop.finish();
                  return List.of(
                      new StreamEvent.Delta(index, out, finishReason(m.getFinishReason())));
                }
                return out.isEmpty()
                    ? List.<StreamEvent>of()
                    : List.<StreamEvent>of(new StreamEvent.Delta(index, out, null));
              });
    }
  }

  private static final class Sample {
    final IncrementalDecoder decoder;
    final StopStringFilter stop;
    boolean done;

    Sample(IncrementalDecoder decoder, StopStringFilter stop) {
      this.decoder = decoder;
      this.stop = stop;
    }
  }
}
