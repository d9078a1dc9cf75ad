package dev.rlhfmesh.modelsvc.serving;

/** Token ids to text (the configured tokenizer), for stop strings. */
@FunctionalInterface
public interface TextDecoder {
  String decode(int[] ids);
}
