package dev.rlhfmesh.gateway.downstream;

import io.grpc.Channel;
import io.quarkus.grpc.GrpcClient;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import java.util.List;
import org.eclipse.microprofile.config.Config;
import org.jboss.logging.Logger;

/**
 * Fails the gateway's start when a downstream client's address settings are unusable (an unknown
 * name-resolver scheme, an unparseable host, a port out of range), with a message naming the config
 * key and value. Without it the channel is first built when the first request needs it, and every
 * call then fails with an injection error. After the settings check, each channel is built here
 * once (building does not connect, so a downstream that is not up yet is fine).
 */
@ApplicationScoped
public class DownstreamClientsCheck {
  private static final Logger LOG = Logger.getLogger(DownstreamClientsCheck.class);

  /** Every client the gateway calls. */
  static final List<String> CLIENTS = List.of("model", "tokenizer", "trainer");

  void onStart(@Observes StartupEvent start, Config config, @Any Instance<Channel> channels) {
    for (String client : CLIENTS) {
      ClientTarget t = settings(config, client);
      t.problem()
          .ifPresent(
              p -> {
                throw new IllegalStateException("gRPC client '" + client + "': " + p);
              });
      try {
        channels.select(GrpcClient.Literal.of(client)).get();
      } catch (RuntimeException e) {
        throw new IllegalStateException(
            "gRPC client '"
                + t.client()
                + "' cannot be built from "
                + t.describe()
                + ": "
                + rootMessage(e),
            e);
      }
      LOG.debugf("gRPC client %s: %s", t.client(), t.describe());
    }
  }

  private static ClientTarget settings(Config config, String client) {
    String prefix = "quarkus.grpc.clients." + client + ".";
    return new ClientTarget(
        client,
        config.getOptionalValue(prefix + "host", String.class).orElse("localhost"),
        config.getOptionalValue(prefix + "port", Integer.class).orElse(9000),
        config.getOptionalValue(prefix + "name-resolver", String.class).orElse("dns"));
  }

  private static String rootMessage(Throwable e) {
    Throwable t = e;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
