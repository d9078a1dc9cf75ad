package dev.rlhfmesh.modelsvc.serving;

/**
 * Receives a generation's progress, on the model's decode thread: keep callbacks short (buffer or
 * hand off, never block).
 */
public interface GenerationListener {

  /**
   * One step of one sample.
   *
   * @param token the new token id, or -1 when the sample ended without one (cancelled)
   * @param logprob its log-probability under the raw (temperature 1) distribution
   * @param finish why the sample ended with this step, or null while it goes on
   * @param text decoded text when stop strings were given (cut before a matched stop string)
   * @param version weight version that produced the sample
   */
  void onStep(
      int promptIndex,
      int sampleIndex,
      int token,
      float logprob,
      FinishReason finish,
      String text,
      long version);

  /** Every sample of the request has ended. */
  void onComplete();

  /** The request failed as a whole (an internal error); no further calls follow. */
  void onError(Throwable failure);
}
