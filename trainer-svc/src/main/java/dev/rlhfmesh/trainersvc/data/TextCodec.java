package dev.rlhfmesh.trainersvc.data;

/** Text ⇄ token ids, as the stages need them. */
public interface TextCodec extends AutoCloseable {
  int[] encode(String text);

  String decode(int[] ids);

  /** Vocabulary size (largest id + 1, added tokens included). */
  int vocabSize();

  /** End-of-sequence id appended to every response, or -1 if the tokenizer has none. */
  int eosId();

  @Override
  default void close() {}
}
