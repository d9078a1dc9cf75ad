package dev.rlhfmesh.trainersvc.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.google.protobuf.InvalidProtocolBufferException;
import com.google.protobuf.util.JsonFormat;
import dev.rlhfmesh.proto.trainer.v1.JobSpec;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.constructor.SafeConstructor;

/**
 * Job specs from files: JSON in the protobuf JSON mapping of {@link JobSpec} (field names in
 * lowerCamel or snake_case), or the same structure in YAML ({@code .yaml}/{@code .yml}: parsed
 * safely, turned into JSON, then read by the same parser). Unknown fields are errors.
 */
public final class SpecFiles {
  private SpecFiles() {}

  public static JobSpec read(Path file) {
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    String name = file.getFileName().toString().toLowerCase(java.util.Locale.ROOT);
    return name.endsWith(".yaml") || name.endsWith(".yml") ? fromYaml(text) : fromJson(text);
  }

  public static JobSpec fromJson(String json) {
    JobSpec.Builder b = JobSpec.newBuilder();
    try {
      JsonFormat.parser().merge(json, b);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not a JobSpec: " + e.getMessage(), e);
    }
    return b.build();
  }

  public static JobSpec fromYaml(String yaml) {
    Object tree = new Yaml(new SafeConstructor(new LoaderOptions())).load(yaml);
    try {
      return fromJson(new ObjectMapper().writeValueAsString(tree));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot convert YAML to JSON: " + e.getMessage(), e);
    }
  }

  /** The spec as JSON (what {@code job.json} stores). */
  public static String toJson(JobSpec spec) {
    try {
      return JsonFormat.printer().print(spec);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalStateException(e);
    }
  }
}
