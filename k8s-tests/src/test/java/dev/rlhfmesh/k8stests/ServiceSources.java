package dev.rlhfmesh.k8stests;

import java.io.IOException;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * What a service's own module says about its configuration: its application.properties (default
 * profile), the gRPC services it implements (full proto names, from its sources and proto/), and
 * its {@code @ConfigMapping} prefix and property names.
 */
final class ServiceSources {
  private static final Pattern PROTO_PACKAGE =
      Pattern.compile("(?m)^\\s*package\\s+([\\w.]+)\\s*;");
  private static final Pattern PROTO_SERVICE = Pattern.compile("(?m)^\\s*service\\s+(\\w+)\\s*\\{");
  private static final Pattern IMPLEMENTS =
      Pattern.compile("implements\\s+([\\w.]+(?:\\s*,\\s*[\\w.]+)*)");
  private static final Pattern EXTENDS_IMPL_BASE =
      Pattern.compile("extends\\s+(?:[\\w.]*\\.)?(?:Mutiny)?(\\w+)Grpc\\.\\1ImplBase");
  private static final Pattern CONFIG_MAPPING =
      Pattern.compile("@ConfigMapping\\s*\\(\\s*prefix\\s*=\\s*\"([^\"]+)\"");

  /** An abstract no-argument method: {@code Type name();} (generic types included), anywhere. */
  private static final Pattern CONFIG_METHOD =
      Pattern.compile("([\\w.]+(?:<[^;(){}=]*>)?(?:\\[])?)\\s+(\\w+)\\s*\\(\\s*\\)\\s*;");

  private static final Pattern WITH_NAME = Pattern.compile("@WithName\\(\\s*\"([^\"]+)\"\\s*\\)");
  private static final Pattern ENV_EXPRESSION =
      Pattern.compile("\\$\\{([A-Za-z_][A-Za-z0-9_]*)(?::[^}]*)?}");

  private final String name;
  private final Path module;

  ServiceSources(String name) {
    this(name, RepoLayout.module(name));
  }

  ServiceSources(String name, Path module) {
    this.name = name;
    this.module = module;
  }

  String name() {
    return name;
  }

  Path module() {
    return module;
  }

  /** application.properties keys of the default profile (no {@code %profile.} keys). */
  Map<String, String> properties() {
    Path file = module.resolve("src/main/resources/application.properties");
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(file)) {
      p.load(r);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
    Map<String, String> result = new TreeMap<>();
    p.stringPropertyNames().stream()
        .filter(k -> !k.startsWith("%"))
        .forEach(k -> result.put(k, p.getProperty(k)));
    return result;
  }

  int intProperty(String key) {
    String v = properties().get(key);
    if (v == null) {
      throw new AssertionError(name + "/application.properties does not set " + key);
    }
    return Integer.parseInt(v.trim());
  }

  /**
   * Environment variables that application.properties reads through {@code ${NAME}} expressions.
   */
  Set<String> referencedEnvironmentVariables() {
    Set<String> names = new LinkedHashSet<>();
    for (String v : properties().values()) {
      Matcher m = ENV_EXPRESSION.matcher(v);
      while (m.find()) {
        names.add(m.group(1));
      }
    }
    return names;
  }

  /** Full proto names ({@code rlhf.model.v1.ModelService}) of the gRPC services this app serves. */
  Set<String> implementedGrpcServices() {
    Map<String, String> byName = protoServices();
    Set<String> result = new LinkedHashSet<>();
    for (Path f : javaSources()) {
      String src = read(f);
      if (!src.contains("@GrpcService")) {
        continue;
      }
      Matcher impl = IMPLEMENTS.matcher(src);
      while (impl.find()) {
        for (String type : impl.group(1).split(",")) {
          String simple = type.trim().replaceAll(".*\\.", "");
          if (byName.containsKey(simple)) {
            result.add(byName.get(simple));
          }
        }
      }
      Matcher ext = EXTENDS_IMPL_BASE.matcher(src);
      while (ext.find()) {
        if (byName.containsKey(ext.group(1))) {
          result.add(byName.get(ext.group(1)));
        }
      }
    }
    return result;
  }

  /** Names of the gRPC clients the app's sources inject ({@code @GrpcClient("tokenizer")}). */
  Set<String> grpcClientNames() {
    Pattern client = Pattern.compile("@GrpcClient\\(\\s*\"([^\"]+)\"\\s*\\)");
    Set<String> result = new java.util.TreeSet<>();
    for (Path f : javaSources()) {
      Matcher m = client.matcher(read(f));
      while (m.find()) {
        result.add(m.group(1));
      }
    }
    return result;
  }

  /** Whether the app's sources serve the weight-update admin contract (rlhf.admin.v1). */
  boolean servesWeightAdmin() {
    Pattern admin = Pattern.compile("\\bWeightAdminService");
    return javaSources().stream().map(ServiceSources::read).anyMatch(s -> admin.matcher(s).find());
  }

  /** {@code @ConfigMapping} prefixes declared in the app's sources (e.g. {@code rlhf.model}). */
  Set<String> configMappingPrefixes() {
    Set<String> prefixes = new LinkedHashSet<>();
    for (Path f : javaSources()) {
      Matcher m = CONFIG_MAPPING.matcher(read(f));
      while (m.find()) {
        prefixes.add(m.group(1));
      }
    }
    return prefixes;
  }

  /**
   * Property-name segments the app's config interfaces declare, in kebab-case, from every Java file
   * in the package of a {@code @ConfigMapping} interface (nested groups live there by convention).
   * Value {@code true} marks a {@code Map}-typed member: one free segment (the map key) follows it.
   */
  Map<String, Boolean> configSegments() {
    Set<Path> packages = new LinkedHashSet<>();
    for (Path f : javaSources()) {
      if (CONFIG_MAPPING.matcher(read(f)).find()) {
        packages.add(f.getParent());
      }
    }
    Map<String, Boolean> segments = new HashMap<>();
    for (Path f : javaSources()) {
      if (!packages.contains(f.getParent())) {
        continue;
      }
      String src = read(f);
      Matcher m = CONFIG_METHOD.matcher(src);
      while (m.find()) {
        boolean isMap = m.group(1).trim().matches("(?s)(java\\.util\\.)?Map\\s*<.*");
        segments.merge(kebab(m.group(2)), isMap, Boolean::logicalOr);
      }
      Matcher w = WITH_NAME.matcher(src);
      while (w.find()) {
        for (String part : w.group(1).split("\\.")) {
          segments.putIfAbsent(part, false);
        }
      }
    }
    return segments;
  }

  static String kebab(String camel) {
    return camel.replaceAll("([a-z0-9])([A-Z])", "$1-$2").toLowerCase(java.util.Locale.ROOT);
  }

  /** The environment-variable form of a property name (Quarkus / SmallRye Config rules). */
  static String envForm(String property) {
    return property.replaceAll("[^A-Za-z0-9]", "_").toUpperCase(java.util.Locale.ROOT);
  }

  private List<Path> javaSources() {
    Path dir = module.resolve("src/main/java");
    if (!Files.isDirectory(dir)) {
      return List.of();
    }
    try (Stream<Path> files = Files.walk(dir)) {
      return files.filter(f -> f.toString().endsWith(".java")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Simple service name to full proto name, over every .proto file of the contracts module. */
  static Map<String, String> protoServices() {
    Path protoRoot = RepoLayout.root().resolve("proto/src/main/proto");
    Map<String, String> result = new HashMap<>();
    try (Stream<Path> files = Files.walk(protoRoot)) {
      for (Path f : files.filter(p -> p.toString().endsWith(".proto")).toList()) {
        String src = read(f);
        Matcher pkg = PROTO_PACKAGE.matcher(src);
        String prefix = pkg.find() ? pkg.group(1) + "." : "";
        Matcher svc = PROTO_SERVICE.matcher(src);
        while (svc.find()) {
          result.put(svc.group(1), prefix + svc.group(1));
        }
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return result;
  }

  private static String read(Path f) {
    try {
      return Files.readString(f);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
