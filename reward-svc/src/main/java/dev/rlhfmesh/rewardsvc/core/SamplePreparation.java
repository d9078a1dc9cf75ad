package dev.rlhfmesh.rewardsvc.core;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.rewardsvc.rules.AnswerNormaliser;
import dev.rlhfmesh.rewardsvc.rules.RewardFunction;
import dev.rlhfmesh.rewardsvc.rules.RewardFunction.Input;
import java.util.ArrayList;
import java.util.List;

/**
 * Checks a batch of samples and fills in what the spec's reward functions read: response texts
 * decoded through the {@link TextCodec} when the caller sent only ids, ids encoded through it when
 * a model or token count needs ids and the caller sent only text. Every check runs before any
 * reward is computed, and each failure names the field and sample index ({@code
 * samples[3].reference_answer}).
 */
public final class SamplePreparation {
  private final TextCodec codec;
  private final Limits limits;

  public SamplePreparation(TextCodec codec, Limits limits) {
    this.codec = codec;
    this.limits = limits;
  }

  /** What the reward functions of one spec read. */
  public record Needs(
      boolean responseText,
      boolean responseIds,
      boolean promptIds,
      List<ModelScorer> models,
      List<RewardFunction> rules) {

    public static Needs of(List<RewardSpec> leaves) {
      boolean text = false;
      boolean ids = false;
      List<ModelScorer> models = new ArrayList<>();
      List<RewardFunction> rules = new ArrayList<>();
      for (RewardSpec leaf : leaves) {
        if (leaf instanceof RewardSpec.Model m) {
          models.add(m.scorer());
          ids = true;
        } else if (leaf instanceof RewardSpec.Rule r) {
          rules.add(r.function());
          text |= r.function().inputs().contains(Input.RESPONSE_TEXT);
          ids |= r.function().inputs().contains(Input.RESPONSE_IDS);
        }
      }
      return new Needs(text, ids, !models.isEmpty(), models, rules);
    }
  }

  /** Checked samples with every needed input present, in request order. */
  public List<Sample> prepare(List<Sample> samples, Needs needs, CallContext context) {
    for (int i = 0; i < samples.size(); i++) {
      checkShape(i, samples.get(i));
      for (RewardFunction f : needs.rules()) {
        f.check(i, samples.get(i)); // before any tokenizer call
      }
    }
    List<Sample> out = new ArrayList<>(samples);
    if (needs.responseText()) {
      decodeMissingTexts(out, context);
    }
    if (needs.responseIds() || needs.promptIds()) {
      encodeMissingIds(out, needs.promptIds(), context);
    }
    for (int i = 0; i < out.size(); i++) {
      Sample s = out.get(i);
      if (s.responseText() != null) {
        s =
            s.withResponseText(
                AnswerNormaliser.stripEndTokens(s.responseText(), limits.endToken()));
        out.set(i, s);
      }
      for (ModelScorer m : needs.models()) {
        checkForModel(i, s, m);
      }
    }
    return out;
  }

  private void checkShape(int i, Sample s) {
    String at = "samples[" + i + "]";
    if (!s.hasResponse()) {
      throw ServiceException.invalidArgument(
          at + ".response", "", "empty response: set response.ids or response_text");
    }
    checkCount(at + ".prompt.ids", s.promptIds());
    checkCount(at + ".response.ids", s.responseIds());
    checkChars(at + ".prompt_text", s.promptText());
    checkChars(at + ".response_text", s.responseText());
    checkIds(at + ".prompt.ids", s.promptIds(), Integer.MAX_VALUE, "");
    checkIds(at + ".response.ids", s.responseIds(), Integer.MAX_VALUE, "");
  }

  private void checkCount(String field, int[] ids) {
    if (ids != null && ids.length > limits.maxSampleTokens()) {
      throw ServiceException.invalidArgument(
          field, ids.length + " tokens", "at most " + limits.maxSampleTokens() + " per sample");
    }
  }

  private void checkChars(String field, String text) {
    if (text != null && text.length() > limits.maxSampleChars()) {
      throw ServiceException.invalidArgument(
          field, text.length() + " chars", "at most " + limits.maxSampleChars() + " per sample");
    }
  }

  private static void checkIds(String field, int[] ids, int vocabSize, String origin) {
    if (ids == null) {
      return;
    }
    for (int j = 0; j < ids.length; j++) {
      if (ids[j] < 0 || ids[j] >= vocabSize) {
        String range = vocabSize == Integer.MAX_VALUE ? ">= 0" : "in [0, " + vocabSize + ")";
        throw ServiceException.invalidArgument(
            field + "[" + j + "]", ids[j], "token id must be " + range + origin);
      }
    }
  }

  private void decodeMissingTexts(List<Sample> samples, CallContext context) {
    List<Integer> which = new ArrayList<>();
    List<int[]> ids = new ArrayList<>();
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      if (s.responseText() == null || s.responseText().isEmpty()) {
        which.add(i);
        ids.add(s.responseIds());
      }
    }
    if (which.isEmpty()) {
      return;
    }
    int vocab = codec.vocabSize(context);
    for (int k = 0; k < which.size(); k++) {
      checkIds(
          "samples[" + which.get(k) + "].response.ids",
          ids.get(k),
          vocab,
          " (the tokenizer's vocabulary)");
    }
    List<String> texts = codec.decode(ids, context);
    for (int k = 0; k < which.size(); k++) {
      int i = which.get(k);
      samples.set(i, samples.get(i).withResponseText(texts.get(k)));
    }
  }

  private void encodeMissingIds(List<Sample> samples, boolean prompts, CallContext context) {
    List<String> texts = new ArrayList<>();
    List<int[]> slots = new ArrayList<>(); // {sample, 0 = prompt / 1 = response}
    for (int i = 0; i < samples.size(); i++) {
      Sample s = samples.get(i);
      if (prompts && s.promptIds() == null && s.promptText() != null && !s.promptText().isEmpty()) {
        texts.add(s.promptText());
        slots.add(new int[] {i, 0});
      }
      if (s.responseIds() == null || s.responseIds().length == 0) {
        texts.add(s.responseText());
        slots.add(new int[] {i, 1});
      }
    }
    if (texts.isEmpty()) {
      return;
    }
    List<int[]> encoded = codec.encode(texts, context);
    for (int k = 0; k < slots.size(); k++) {
      int i = slots.get(k)[0];
      Sample s = samples.get(i);
      int[] ids = encoded.get(k);
      if (slots.get(k)[1] == 0) {
        samples.set(i, s.withIds(ids, s.responseIds()));
      } else {
        samples.set(i, s.withIds(s.promptIds(), ids));
        checkCount("samples[" + i + "].response_text", ids);
      }
    }
  }

  private static void checkForModel(int i, Sample s, ModelScorer model) {
    String at = "samples[" + i + "]";
    String origin = " (the reward model's vocabulary)";
    checkIds(at + ".prompt.ids", s.promptIds(), model.vocabSize(), origin);
    checkIds(at + ".response.ids", s.responseIds(), model.vocabSize(), origin);
    int p = s.promptIds() == null ? 0 : s.promptIds().length;
    int total = p + s.responseIds().length;
    if (total > model.maxTokens()) {
      throw ServiceException.invalidArgument(
          at + ".response.ids",
          total + " tokens (prompt + response)",
          "the reward model reads at most " + model.maxTokens());
    }
  }
}
