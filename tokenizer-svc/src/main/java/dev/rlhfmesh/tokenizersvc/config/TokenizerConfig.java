package dev.rlhfmesh.tokenizersvc.config;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.nio.file.Path;
import java.util.Optional;

/** tokenizer-svc settings (prefix {@code rlhf.tokenizer}); defaults are in the module README. */
@ConfigMapping(prefix = "rlhf.tokenizer")
public interface TokenizerConfig {
  /**
   * Tokenizer to serve: a directory holding {@code tokenizer.json} (and optionally {@code
   * tokenizer_config.json}) or the file itself. Unset: train the default from the built-in corpus.
   */
  Optional<Path> path();

  /** Where the default tokenizer is trained into when {@link #path()} is unset. */
  @WithDefault("${java.io.tmpdir}/rlhf-mesh/tokenizer-svc/default")
  Path dataDir();

  /** Vocabulary size of the default tokenizer trained at startup. */
  @WithDefault("1024")
  int defaultVocabSize();

  /** Most texts (Encode) or sequences (Decode) in one request. */
  @WithDefault("1024")
  int maxBatch();

  /** Most UTF-16 chars in one text (Encode) or message content (ApplyChatTemplate). */
  @WithDefault("1000000")
  int maxTextChars();

  /** Most ids in one Decode sequence. */
  @WithDefault("1000000")
  int maxIds();

  /** Largest vocab_size TrainTokenizer accepts. */
  @WithDefault("262144")
  int maxVocabSize();
}
