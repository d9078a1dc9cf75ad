package dev.rlhfmesh.trainersvc.data;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/** Reads the stages' JSONL files into token ids. */
public final class Datasets {
  private Datasets() {}

  /**
   * SFT records: {@code {"prompt","response"}} or {@code {"messages":[...]}} ({@link
   * ChatTemplate}). The end id is appended to each response; prompt+response is cut to {@code
   * maxSeqLen} tokens (0 = no cut) by dropping the response's tail.
   */
  public static List<Demonstration> demonstrations(Path file, TextCodec codec, int maxSeqLen) {
    List<JsonNode> rows = Jsonl.read(file);
    List<Demonstration> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      String prompt;
      String response;
      if (row.has("messages")) {
        String[] pr;
        try {
          pr = ChatTemplate.render(row.get("messages"));
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException(file + ": record " + (i + 1) + ": " + e.getMessage());
        }
        prompt = pr[0];
        response = pr[1];
      } else {
        prompt = Jsonl.text(row, "prompt", file, i);
        response = Jsonl.text(row, "response", file, i);
      }
      int[] p = codec.encode(prompt);
      int[] r = withEos(codec.encode(response), codec.eosId());
      if (p.length == 0 || r.length == 0) {
        throw new IllegalArgumentException(
            file + ": record " + (i + 1) + ": empty prompt or response");
      }
      if (maxSeqLen > 0 && p.length + r.length > maxSeqLen) {
        if (p.length >= maxSeqLen) {
          continue; // nothing of the response would be left to learn from
        }
        r = Arrays.copyOf(r, maxSeqLen - p.length);
      }
      out.add(new Demonstration(p, r));
    }
    return out;
  }

  /** Reward-model records {@code {"prompt","chosen","rejected"}}. */
  public static List<Preference> preferences(Path file, TextCodec codec) {
    List<JsonNode> rows = Jsonl.read(file);
    List<Preference> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      out.add(
          new Preference(
              codec.encode(Jsonl.text(row, "prompt", file, i)),
              withEos(codec.encode(Jsonl.text(row, "chosen", file, i)), codec.eosId()),
              withEos(codec.encode(Jsonl.text(row, "rejected", file, i)), codec.eosId())));
    }
    return out;
  }

  /** PPO prompts {@code {"prompt"}} with an optional {@code "reference_answer"}. */
  public static List<PromptExample> prompts(Path file, TextCodec codec) {
    List<JsonNode> rows = Jsonl.read(file);
    List<PromptExample> out = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      JsonNode row = rows.get(i);
      String text = Jsonl.text(row, "prompt", file, i);
      int[] ids = codec.encode(text);
      if (ids.length == 0) {
        throw new IllegalArgumentException(file + ": record " + (i + 1) + ": empty prompt");
      }
      out.add(new PromptExample(text, ids, row.path("reference_answer").asText("")));
    }
    return out;
  }

  static int[] withEos(int[] ids, int eos) {
    if (eos < 0) {
      return ids;
    }
    int[] out = Arrays.copyOf(ids, ids.length + 1);
    out[ids.length] = eos;
    return out;
  }
}
