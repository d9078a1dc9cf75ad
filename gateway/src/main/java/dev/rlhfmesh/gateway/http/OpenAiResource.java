package dev.rlhfmesh.gateway.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.rlhfmesh.gateway.config.GatewayConfig;
import dev.rlhfmesh.gateway.core.CompletionService;
import dev.rlhfmesh.gateway.core.Generation;
import dev.rlhfmesh.gateway.core.GenerationRequest;
import dev.rlhfmesh.gateway.core.Models;
import dev.rlhfmesh.gateway.core.StreamEvent;
import dev.rlhfmesh.grpc.errors.ServiceException;
import io.smallrye.mutiny.Multi;
import io.smallrye.mutiny.Uni;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.resteasy.reactive.RestMulti;

/**
 * The OpenAI-compatible endpoints: {@code POST /v1/completions}, {@code POST /v1/chat/completions}
 * (JSON, or SSE with {@code "stream": true} ending in {@code data: [DONE]}), {@code GET
 * /v1/models}. Auth and rate limits: {@link EdgeFilter}; errors: {@link ErrorMappers}.
 */
@Path("/v1")
public class OpenAiResource {
  private static final String OWNER = "rlhf-mesh";
  private static final HexFormat HEX = HexFormat.of();

  @Inject CompletionService completions;
  @Inject Models models;
  @Inject GatewayConfig config;
  @Inject ObjectMapper mapper;

  @POST
  @Path("/completions")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public RestMulti<RawText> completions(OpenAiRequests.Completion body) {
    requireBody(body);
    GenerationRequest r = OpenAiMapping.completion(body, config.requestTimeout());
    String id = newId("cmpl-");
    long created = System.currentTimeMillis() / 1000;
    if (!Boolean.TRUE.equals(body.stream())) {
      return Responses.json(
          completions.complete(r).map(g -> Responses.write(mapper, completion(id, created, g))));
    }
    boolean usage =
        body.streamOptions() != null && Boolean.TRUE.equals(body.streamOptions().includeUsage());
    String model = modelOf(r);
    Multi<String> frames =
        completions.stream(r)
            .onItem()
            .transformToIterable(
                e -> {
                  if (e instanceof StreamEvent.Delta d) {
                    var choice =
                        new OpenAiResponses.CompletionChoice(
                            d.index(), d.text(), null, d.finishReason());
                    return List.of(
                        Responses.frame(
                            mapper,
                            new OpenAiResponses.Completion(
                                id, "text_completion", created, model, List.of(choice), null)));
                  }
                  return usage ? List.of(usageFrame(id, created, model, e, true)) : List.of();
                });
    return Responses.eventStream(
        Multi.createBy().concatenating().streams(frames, Multi.createFrom().item(Responses.DONE)),
        mapper);
  }

  @POST
  @Path("/chat/completions")
  @Consumes(MediaType.APPLICATION_JSON)
  @Produces(MediaType.APPLICATION_JSON)
  public RestMulti<RawText> chatCompletions(OpenAiRequests.ChatCompletion body) {
    requireBody(body);
    GenerationRequest r = OpenAiMapping.chat(body, config.requestTimeout());
    String id = newId("chatcmpl-");
    long created = System.currentTimeMillis() / 1000;
    if (!Boolean.TRUE.equals(body.stream())) {
      return Responses.json(
          completions.complete(r).map(g -> Responses.write(mapper, chat(id, created, g))));
    }
    boolean usage =
        body.streamOptions() != null && Boolean.TRUE.equals(body.streamOptions().includeUsage());
    String model = modelOf(r);
    Set<Integer> started = new HashSet<>();
    Multi<String> frames =
        completions.stream(r)
            .onItem()
            .transformToIterable(
                e -> {
                  if (!(e instanceof StreamEvent.Delta d)) {
                    return usage ? List.of(usageFrame(id, created, model, e, false)) : List.of();
                  }
                  List<String> out = new java.util.ArrayList<>();
                  if (started.add(d.index())) {
                    out.add(
                        chunk(
                            id,
                            created,
                            model,
                            d.index(),
                            new OpenAiResponses.Delta("assistant", ""),
                            null));
                  }
                  if (!d.text().isEmpty()) {
                    out.add(
                        chunk(
                            id,
                            created,
                            model,
                            d.index(),
                            new OpenAiResponses.Delta(null, d.text()),
                            null));
                  }
                  if (d.finishReason() != null) {
                    out.add(
                        chunk(
                            id,
                            created,
                            model,
                            d.index(),
                            new OpenAiResponses.Delta(null, null),
                            d.finishReason()));
                  }
                  return out;
                });
    return Responses.eventStream(
        Multi.createBy().concatenating().streams(frames, Multi.createFrom().item(Responses.DONE)),
        mapper);
  }

  @GET
  @Path("/models")
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<OpenAiResponses.ModelList> models() {
    return models
        .list(config.requestTimeout())
        .map(
            l ->
                new OpenAiResponses.ModelList(
                    "list",
                    l.getModelsList().stream()
                        .map(m -> new OpenAiResponses.Model(m.getModel(), "model", 0, OWNER))
                        .toList()));
  }

  @GET
  @Path("/models/{model}")
  @Produces(MediaType.APPLICATION_JSON)
  public Uni<OpenAiResponses.Model> model(@PathParam("model") String model) {
    return models
        .info(model, config.requestTimeout())
        .map(m -> new OpenAiResponses.Model(m.getModel(), "model", 0, OWNER));
  }

  /**
   * A response id: the prefix and 32 random hex digits, like OpenAI's. It names a response, it is
   * no secret, so it needs no SecureRandom (UUID.randomUUID draws from one, under a lock).
   */
  private static String newId(String prefix) {
    ThreadLocalRandom r = ThreadLocalRandom.current();
    return prefix + HEX.toHexDigits(r.nextLong()) + HEX.toHexDigits(r.nextLong());
  }

  private String modelOf(GenerationRequest r) {
    return r.model() == null || r.model().isBlank() ? config.defaultModel() : r.model();
  }

  private static void requireBody(Object body) {
    if (body == null) {
      throw ServiceException.invalidArgument("body", "", "a JSON request body is required");
    }
  }

  private OpenAiResponses.Completion completion(String id, long created, Generation g) {
    return new OpenAiResponses.Completion(
        id,
        "text_completion",
        created,
        g.model(),
        g.choices().stream()
            .map(
                c ->
                    new OpenAiResponses.CompletionChoice(
                        c.index(), c.text(), OpenAiMapping.completionLogprobs(c), c.finishReason()))
            .toList(),
        OpenAiResponses.Usage.of(g.promptTokens(), g.completionTokens()));
  }

  private OpenAiResponses.ChatCompletion chat(String id, long created, Generation g) {
    return new OpenAiResponses.ChatCompletion(
        id,
        "chat.completion",
        created,
        g.model(),
        g.choices().stream()
            .map(
                c ->
                    new OpenAiResponses.ChatChoice(
                        c.index(),
                        new OpenAiResponses.ChatMessage("assistant", c.text()),
                        OpenAiMapping.chatLogprobs(c),
                        c.finishReason()))
            .toList(),
        OpenAiResponses.Usage.of(g.promptTokens(), g.completionTokens()));
  }

  private String chunk(
      String id,
      long created,
      String model,
      int index,
      OpenAiResponses.Delta delta,
      String finish) {
    return Responses.frame(
        mapper,
        new OpenAiResponses.ChatChunk(
            id,
            "chat.completion.chunk",
            created,
            model,
            List.of(new OpenAiResponses.ChunkChoice(index, delta, null, finish)),
            null));
  }

  private String usageFrame(String id, long created, String model, StreamEvent e, boolean text) {
    StreamEvent.Totals t = (StreamEvent.Totals) e;
    OpenAiResponses.Usage u = OpenAiResponses.Usage.of(t.promptTokens(), t.completionTokens());
    Object chunk =
        text
            ? new OpenAiResponses.Completion(id, "text_completion", created, model, List.of(), u)
            : new OpenAiResponses.ChatChunk(
                id, "chat.completion.chunk", created, model, List.of(), u);
    return Responses.frame(mapper, chunk);
  }
}
