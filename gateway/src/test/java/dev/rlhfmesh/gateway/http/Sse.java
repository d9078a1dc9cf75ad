package dev.rlhfmesh.gateway.http;

import java.util.ArrayList;
import java.util.List;

/** Parses a server-sent-events body into the payloads of its {@code data:} fields, in order. */
final class Sse {
  private Sse() {}

  static List<String> data(String body) {
    List<String> out = new ArrayList<>();
    for (String event : body.split("\n\n")) {
      StringBuilder data = new StringBuilder();
      for (String line : event.split("\n")) {
        if (line.startsWith("data:")) {
          String v = line.substring(5);
          data.append(v.startsWith(" ") ? v.substring(1) : v);
        }
      }
      if (!data.isEmpty()) {
        out.add(data.toString());
      }
    }
    return out;
  }
}
