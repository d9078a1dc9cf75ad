package dev.rlhfmesh.tokenizersvc.core;

import dev.rlhfmesh.grpc.errors.ServiceException;
import dev.rlhfmesh.model.tokenizer.SpecialTokens;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Learns byte-level BPE merges (Sennrich et al. 2016; GPT-2's byte-level variant, Radford et al.
 * 2019) from a text corpus.
 *
 * <p>Each document is split with GPT-2's pre-tokenizer regex, each piece becomes its UTF-8 bytes
 * (ids 0..255), and the most frequent adjacent pair is merged into a new token until the vocabulary
 * is full or no pair occurs {@code minFrequency} times. Ties go to the smallest (left id, right id)
 * so training is deterministic. Pair counts are updated incrementally: a merge touches only the
 * words that contain the pair, and a lazy max-heap finds the next pair without a full scan.
 */
public final class ByteLevelBpeTrainer {
  /** GPT-2's split: contractions, letters, digits, other symbols, whitespace runs. */
  static final Pattern GPT2_SPLIT =
      Pattern.compile(
          "'s|'t|'re|'ve|'m|'ll|'d| ?\\p{L}+| ?\\p{N}+| ?[^\\s\\p{L}\\p{N}]+|\\s+(?!\\S)|\\s+",
          Pattern.UNICODE_CHARACTER_CLASS);

  /**
   * What to train.
   *
   * @param vocabSize target number of ids including bytes and special tokens
   * @param minFrequency a pair must occur at least this often to be merged (>= 1)
   * @param extraSpecialTokens special tokens reserved after {@link SpecialTokens#DEFAULTS}
   */
  public record Options(int vocabSize, int minFrequency, List<String> extraSpecialTokens) {
    public List<String> specialTokens() {
      LinkedHashSet<String> all = new LinkedHashSet<>(SpecialTokens.DEFAULTS);
      all.addAll(extraSpecialTokens);
      return List.copyOf(all);
    }

    /** Smallest valid vocabulary: the bytes plus the special tokens. */
    public int minVocabSize() {
      return 256 + specialTokens().size();
    }
  }

  private final Map<String, Integer> wordCounts = new HashMap<>();
  private long documents;

  /** Adds one document of the corpus. */
  public void add(String document) {
    Matcher m = GPT2_SPLIT.matcher(document);
    while (m.find()) {
      wordCounts.merge(m.group(), 1, Integer::sum);
    }
    documents++;
  }

  /** Adds every line of {@code reader} as one document. */
  public void addLines(java.io.BufferedReader reader) throws java.io.IOException {
    for (String line = reader.readLine(); line != null; line = reader.readLine()) {
      add(line);
    }
  }

  /** Number of documents added so far. */
  public long documents() {
    return documents;
  }

  /**
   * Learns the merges.
   *
   * @param cancelled polled between merge rounds; when true training stops with CANCELLED
   */
  public BpeModel train(Options options, BooleanSupplier cancelled) {
    List<String> specials = options.specialTokens();
    if (options.vocabSize() < options.minVocabSize()) {
      throw ServiceException.invalidArgument(
          "vocab_size",
          options.vocabSize(),
          "must be at least 256 byte tokens + " + specials.size() + " special tokens");
    }
    if (wordCounts.isEmpty()) {
      throw ServiceException.invalidArgument(
          "corpus_texts", "\"\"", "the corpus holds no text (all documents are empty)");
    }
    Map<String, Integer> vocab = new LinkedHashMap<>();
    List<String> symbols = new ArrayList<>();
    for (int b = 0; b < 256; b++) {
      String s = String.valueOf(ByteLevelAlphabet.symbol(b));
      vocab.put(s, b);
      symbols.add(s);
    }
    for (String special : specials) {
      vocab.put(special, symbols.size());
      symbols.add(special);
    }

    // Words as id arrays, with their counts.
    int n = wordCounts.size();
    int[][] words = new int[n][];
    long[] counts = new long[n];
    long corpusBytes = 0;
    int w = 0;
    for (Map.Entry<String, Integer> e : wordCounts.entrySet()) {
      String sym = ByteLevelAlphabet.encode(e.getKey());
      int[] ids = new int[sym.length()];
      for (int i = 0; i < ids.length; i++) {
        ids[i] = vocab.get(String.valueOf(sym.charAt(i)));
      }
      words[w] = ids;
      counts[w] = e.getValue();
      corpusBytes += (long) ids.length * e.getValue();
      w++;
    }

    Map<Long, Long> pairCounts = new HashMap<>();
    Map<Long, Set<Integer>> pairWords = new HashMap<>();
    for (int i = 0; i < n; i++) {
      addPairs(words[i], counts[i], i, pairCounts, pairWords);
    }
    // Highest count first; ties to the smallest (left, right) so training is deterministic.
    PriorityQueue<long[]> heap =
        new PriorityQueue<>(
            (x, y) -> x[0] != y[0] ? Long.compare(y[0], x[0]) : Long.compare(x[1], y[1]));
    pairCounts.forEach((p, c) -> heap.add(new long[] {c, p}));

    List<String[]> merges = new ArrayList<>();
    int minFrequency = Math.max(1, options.minFrequency());
    while (vocab.size() < options.vocabSize()) {
      if (cancelled.getAsBoolean()) {
        throw ServiceException.cancelled(
            "tokenizer training cancelled after " + merges.size() + " merges");
      }
      long best = -1;
      long bestCount = 0;
      // Lazy heap: entries whose count is stale are dropped when they surface.
      while (!heap.isEmpty()) {
        long[] top = heap.poll();
        Long now = pairCounts.get(top[1]);
        if (now != null && now == top[0]) {
          best = top[1];
          bestCount = top[0];
          break;
        }
      }
      if (best < 0 || bestCount < minFrequency) {
        break;
      }
      int left = (int) (best >>> 32);
      int right = (int) best;
      String merged = symbols.get(left) + symbols.get(right);
      Integer newId = vocab.get(merged);
      if (newId == null) {
        newId = symbols.size();
        vocab.put(merged, newId);
        symbols.add(merged);
      }
      merges.add(new String[] {symbols.get(left), symbols.get(right)});
      Set<Long> changed = new HashSet<>();
      Set<Integer> touched = pairWords.remove(best);
      for (int i : touched) {
        int[] before = words[i];
        if (!contains(before, left, right)) {
          continue;
        }
        removePairs(before, counts[i], pairCounts, changed);
        words[i] = applyMerge(before, left, right, newId);
        addPairs(words[i], counts[i], i, pairCounts, pairWords);
        collectPairs(words[i], changed);
      }
      pairCounts.remove(best);
      changed.remove(best);
      for (long p : changed) {
        Long c = pairCounts.get(p);
        if (c != null) {
          heap.add(new long[] {c, p});
        }
      }
    }

    long corpusTokens = 0;
    for (int i = 0; i < n; i++) {
      corpusTokens += (long) words[i].length * counts[i];
    }
    return new BpeModel(vocab, merges, specials, corpusBytes, corpusTokens);
  }

  private static long pair(int left, int right) {
    return ((long) left << 32) | (right & 0xFFFFFFFFL);
  }

  private static void addPairs(
      int[] word, long count, int index, Map<Long, Long> counts, Map<Long, Set<Integer>> where) {
    for (int i = 0; i + 1 < word.length; i++) {
      long p = pair(word[i], word[i + 1]);
      counts.merge(p, count, Long::sum);
      where.computeIfAbsent(p, k -> new HashSet<>()).add(index);
    }
  }

  private static void removePairs(
      int[] word, long count, Map<Long, Long> counts, Set<Long> changed) {
    for (int i = 0; i + 1 < word.length; i++) {
      long p = pair(word[i], word[i + 1]);
      changed.add(p);
      long left = counts.merge(p, -count, Long::sum);
      if (left <= 0) {
        counts.remove(p);
      }
    }
  }

  private static void collectPairs(int[] word, Set<Long> changed) {
    for (int i = 0; i + 1 < word.length; i++) {
      changed.add(pair(word[i], word[i + 1]));
    }
  }

  private static boolean contains(int[] word, int left, int right) {
    for (int i = 0; i + 1 < word.length; i++) {
      if (word[i] == left && word[i + 1] == right) {
        return true;
      }
    }
    return false;
  }

  /** Replaces every non-overlapping (left, right) occurrence, left to right, by {@code id}. */
  static int[] applyMerge(int[] word, int left, int right, int id) {
    int[] out = new int[word.length];
    int k = 0;
    for (int i = 0; i < word.length; i++) {
      if (i + 1 < word.length && word[i] == left && word[i + 1] == right) {
        out[k++] = id;
        i++;
      } else {
        out[k++] = word[i];
      }
    }
    return java.util.Arrays.copyOf(out, k);
  }
}
