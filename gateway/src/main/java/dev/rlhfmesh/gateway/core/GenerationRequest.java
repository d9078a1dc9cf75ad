package dev.rlhfmesh.gateway.core;

import dev.rlhfmesh.proto.common.v1.SamplingParams;
import java.time.Duration;

/**
 * One text-in call: which model, what prompt, how to sample, how long the downstream calls may take
 * in all, and how to name fields in error messages.
 */
public record GenerationRequest(
    String model, Prompt prompt, SamplingParams sampling, Duration timeout, FieldNames names) {}
