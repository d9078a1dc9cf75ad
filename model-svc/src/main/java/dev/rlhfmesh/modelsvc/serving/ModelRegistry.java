package dev.rlhfmesh.modelsvc.serving;

import dev.rlhfmesh.grpc.errors.ServiceException;
import java.util.Collection;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;

/** The served models by name. */
public final class ModelRegistry implements AutoCloseable {
  private final Map<String, ServedModel> models;

  public ModelRegistry(Collection<ServedModel> models) {
    Map<String, ServedModel> m = new LinkedHashMap<>();
    for (ServedModel s : models) {
      m.put(s.name(), s);
    }
    this.models = Collections.unmodifiableMap(m);
  }

  /** The model, or NOT_FOUND naming the served ones. */
  public ServedModel get(String name) {
    ServedModel s = models.get(name);
    if (s == null) {
      throw new ServiceException(
          dev.rlhfmesh.grpc.errors.ErrorKind.NOT_FOUND,
          "model '" + name + "' not found; served: " + String.join(", ", models.keySet()));
    }
    return s;
  }

  public Collection<ServedModel> all() {
    return models.values();
  }

  @Override
  public void close() {
    models.values().forEach(ServedModel::close);
  }
}
