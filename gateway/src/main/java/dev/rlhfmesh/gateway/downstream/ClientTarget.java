package dev.rlhfmesh.gateway.downstream;

import io.grpc.NameResolverRegistry;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Optional;

/**
 * The address settings of one downstream gRPC client ({@code quarkus.grpc.clients.<name>.host /
 * port / name-resolver}) and the target Quarkus builds from them: {@code dns:///host:port} for the
 * dns resolver, {@code <resolver>://host:port} otherwise. {@link #problem()} says what is wrong
 * with them, naming the config key and its value, so that a bad address fails the start instead of
 * the first call.
 */
public record ClientTarget(String client, String host, int port, String nameResolver) {
  /** Quarkus' name for its own service-discovery resolver, not a grpc-java scheme. */
  private static final String STORK = "stork";

  /** The config key of one of this client's settings, e.g. {@code name-resolver}. */
  public String key(String setting) {
    return "quarkus.grpc.clients." + client + "." + setting;
  }

  /** The target string Quarkus gives grpc-java (see Quarkus' {@code Channels}). */
  public String target() {
    String h = "dns".equalsIgnoreCase(nameResolver) ? "/" + host : host;
    return nameResolver + "://" + h + ":" + port;
  }

  /** The settings as one line, for log and error messages. */
  public String describe() {
    return key("host")
        + "='"
        + host
        + "', "
        + key("port")
        + "="
        + port
        + ", "
        + key("name-resolver")
        + "='"
        + nameResolver
        + "' (target '"
        + target()
        + "')";
  }

  /** What is wrong with these settings, or empty when a channel can be built from them. */
  public Optional<String> problem() {
    if (host == null || host.isBlank()) {
      return Optional.of(key("host") + " = '" + host + "': no host configured");
    }
    if (port < 1 || port > 65535) {
      return Optional.of(key("port") + " = " + port + ": must be in [1, 65535]");
    }
    if (nameResolver == null || nameResolver.isBlank()) {
      return Optional.of(key("name-resolver") + " = '" + nameResolver + "': no resolver named");
    }
    if (STORK.equalsIgnoreCase(nameResolver)) {
      return Optional.empty(); // resolved by Quarkus' Stork integration, not by grpc-java
    }
    if (NameResolverRegistry.getDefaultRegistry().getProviderForScheme(nameResolver) == null) {
      return Optional.of(
          key("name-resolver")
              + " = '"
              + nameResolver
              + "': no gRPC name resolver for this scheme (use 'dns', the default)");
    }
    try {
      new URI(target());
    } catch (URISyntaxException e) {
      return Optional.of(
          key("host")
              + " = '"
              + host
              + "': target '"
              + target()
              + "' does not parse ("
              + e.getReason()
              + ")");
    }
    return Optional.empty();
  }
}
