package dev.rlhfmesh.k8stests;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;

/**
 * Finds fields the typed model did not recognise. fabric8 parses leniently: an unknown field (a
 * typo such as {@code readinesProbe}, or a field at the wrong level) lands in the object's
 * additionalProperties instead of failing, so "it parses" alone would miss it. This walks the
 * parsed object tree and reports every such field with its path.
 */
final class UnknownFields {
  private static final String MODEL_PACKAGE = "io.fabric8.kubernetes.api.model";

  private UnknownFields() {}

  static List<String> in(Object root) {
    List<String> found = new ArrayList<>();
    walk(root, root.getClass().getSimpleName(), found);
    return found;
  }

  private static void walk(Object o, String path, List<String> found) {
    if (o == null) {
      return;
    }
    if (o instanceof Map<?, ?> map) {
      map.forEach((k, v) -> walk(v, path + "." + k, found));
      return;
    }
    if (o instanceof Collection<?> list) {
      int i = 0;
      for (Object item : list) {
        walk(item, path + "[" + i++ + "]", found);
      }
      return;
    }
    if (!o.getClass().getName().startsWith(MODEL_PACKAGE)) {
      return;
    }
    for (Method m : o.getClass().getMethods()) {
      if (m.getParameterCount() != 0
          || Modifier.isStatic(m.getModifiers())
          || !m.getName().startsWith("get")) {
        continue;
      }
      Object value = invoke(m, o);
      if (m.getName().equals("getAdditionalProperties")) {
        if (value instanceof Map<?, ?> extra && !extra.isEmpty()) {
          extra.keySet().forEach(k -> found.add(path + "." + k));
        }
      } else if (value != null
          && !(value instanceof String)
          && !value.getClass().isPrimitive()
          && !(value instanceof Number)
          && !(value instanceof Boolean)) {
        String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
        walk(value, path + "." + field, found);
      }
    }
  }

  private static Object invoke(Method m, Object o) {
    try {
      return m.invoke(o);
    } catch (IllegalAccessException | InvocationTargetException e) {
      return null;
    }
  }
}
