package dev.rlhfmesh.grpc;

import io.netty.util.internal.logging.InternalLoggerFactory;
import io.netty.util.internal.logging.JdkLoggerFactory;

/**
 * For gRPC clients in plain Java processes (the launcher, the benchmarks), not Quarkus apps.
 *
 * <p>Their classpath carries Quarkus's slf4j-jboss-logmanager bridge, which outside a Quarkus app
 * reports DEBUG and TRACE as enabled, so Netty binds to it and grpc-java's HTTP/2 frame logger
 * formats every frame of every call (measured: a fifth of a benchmark client's event-loop CPU).
 * Quarkus apps configure their logging and are not affected.
 */
public final class PlainJavaLogging {
  private PlainJavaLogging() {}

  /** Points Netty's loggers at JDK logging (INFO); call first thing in {@code main}. */
  public static void quietNetty() {
    InternalLoggerFactory.setDefaultFactory(JdkLoggerFactory.INSTANCE);
  }
}
