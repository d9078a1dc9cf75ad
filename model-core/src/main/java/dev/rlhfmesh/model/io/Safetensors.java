package dev.rlhfmesh.model.io;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Reads and writes the <a href="https://github.com/huggingface/safetensors">safetensors</a> format
 * by hand: an 8-byte little-endian header length, a JSON header {@code {name: {dtype, shape,
 * data_offsets}}}, then the raw little-endian tensor bytes.
 *
 * <p>Own parser rather than {@code NDList.decode} because DJL crashes the JVM on BF16 tensors: here
 * BF16 is widened to F32 by hand (exact). F32, F16, F64, I64, I32, I8, U8 and BOOL are kept as they
 * are. Arrays are returned in file order (a {@link LinkedHashMap}) and belong to the given manager.
 */
public final class Safetensors {

  private static final ObjectMapper JSON = new ObjectMapper();

  private Safetensors() {}

  /** Reads every tensor of one {@code .safetensors} file. */
  public static Map<String, NDArray> read(NDManager manager, Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      return decode(manager, buf, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  /** Reads every tensor of an in-memory safetensors blob (e.g. a weight-transfer message). */
  public static Map<String, NDArray> fromBytes(NDManager manager, byte[] bytes) {
    return decode(manager, ByteBuffer.wrap(bytes), "<bytes>");
  }

  /** The {@code __metadata__} map of a file (empty when absent). */
  public static Map<String, String> readMetadata(Path file) {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      ByteBuffer buf = ch.map(FileChannel.MapMode.READ_ONLY, 0, ch.size());
      Map<String, String> out = new LinkedHashMap<>();
      JsonNode meta = header(buf, file.toString()).path("__metadata__");
      meta.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().asText()));
      return out;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + file, e);
    }
  }

  private static JsonNode header(ByteBuffer buf, String source) throws IOException {
    buf = buf.duplicate().order(ByteOrder.LITTLE_ENDIAN);
    if (buf.remaining() < 8) {
      throw new IllegalArgumentException(source + ": not a safetensors file (too short)");
    }
    long n = buf.getLong(0);
    if (n <= 0 || n > buf.remaining() - 8L || n > 100_000_000L) {
      throw new IllegalArgumentException(source + ": bad safetensors header length " + n);
    }
    byte[] h = new byte[(int) n];
    buf.position(8);
    buf.get(h);
    return JSON.readTree(h);
  }

  private static Map<String, NDArray> decode(NDManager manager, ByteBuffer buf, String source) {
    JsonNode header;
    try {
      header = header(buf, source);
    } catch (IOException e) {
      throw new IllegalArgumentException(source + ": unreadable safetensors header", e);
    }
    long dataStart = 8 + buf.duplicate().order(ByteOrder.LITTLE_ENDIAN).getLong(0);
    Map<String, NDArray> out = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> it = header.fields();
    try {
      while (it.hasNext()) {
        Map.Entry<String, JsonNode> e = it.next();
        String name = e.getKey();
        if ("__metadata__".equals(name)) {
          continue;
        }
        JsonNode t = e.getValue();
        String dtype = t.path("dtype").asText();
        JsonNode shapeNode = t.path("shape");
        long[] dims = new long[shapeNode.size()];
        long count = 1;
        for (int i = 0; i < dims.length; i++) {
          dims[i] = shapeNode.get(i).asLong();
          count *= dims[i];
        }
        long begin = t.path("data_offsets").path(0).asLong(-1);
        long end = t.path("data_offsets").path(1).asLong(-1);
        int width = byteWidth(dtype, name, source);
        if (begin < 0 || end - begin != count * width || dataStart + end > buf.limit()) {
          throw new IllegalArgumentException(
              source + ": tensor " + name + " has data_offsets inconsistent with its shape");
        }
        ByteBuffer src = buf.duplicate();
        src.position((int) (dataStart + begin)).limit((int) (dataStart + end));
        NDArray array =
            "BF16".equals(dtype)
                ? bf16ToF32(manager, src.slice(), count, new Shape(dims))
                : manager.create(direct(src.slice()), new Shape(dims), dataType(dtype));
        array.setName(name);
        out.put(name, array);
      }
    } catch (RuntimeException e) {
      out.values().forEach(NDArray::close);
      throw e;
    }
    return out;
  }

  private static ByteBuffer direct(ByteBuffer src) {
    ByteBuffer d = ByteBuffer.allocateDirect(src.remaining()).order(ByteOrder.nativeOrder());
    d.put(src.order(ByteOrder.LITTLE_ENDIAN));
    d.rewind();
    return d;
  }

  /** BF16 is the upper half of an F32: shift each value 16 bits left (exact). */
  private static NDArray bf16ToF32(NDManager manager, ByteBuffer src, long count, Shape shape) {
    src.order(ByteOrder.LITTLE_ENDIAN);
    float[] f = new float[Math.toIntExact(count)];
    for (int i = 0; i < f.length; i++) {
      f[i] = Float.intBitsToFloat((src.getShort(2 * i) & 0xFFFF) << 16);
    }
    return manager.create(f, shape);
  }

  private static int byteWidth(String dtype, String name, String source) {
    return switch (dtype) {
      case "F64", "I64", "U64" -> 8;
      case "F32", "I32", "U32" -> 4;
      case "F16", "BF16", "I16", "U16" -> 2;
      case "I8", "U8", "BOOL" -> 1;
      default ->
          throw new IllegalArgumentException(
              source + ": tensor " + name + " has unsupported dtype " + dtype);
    };
  }

  private static DataType dataType(String dtype) {
    return switch (dtype) {
      case "F64" -> DataType.FLOAT64;
      case "F32" -> DataType.FLOAT32;
      case "F16" -> DataType.FLOAT16;
      case "I64" -> DataType.INT64;
      case "I32" -> DataType.INT32;
      case "I8" -> DataType.INT8;
      case "U8" -> DataType.UINT8;
      case "BOOL" -> DataType.BOOLEAN;
      default -> throw new IllegalArgumentException("unsupported safetensors dtype " + dtype);
    };
  }

  private static String dtypeName(DataType t, String name) {
    return switch (t) {
      case FLOAT64 -> "F64";
      case FLOAT32 -> "F32";
      case FLOAT16 -> "F16";
      case INT64 -> "I64";
      case INT32 -> "I32";
      case INT8 -> "I8";
      case UINT8 -> "U8";
      case BOOLEAN -> "BOOL";
      default -> throw new IllegalArgumentException("tensor " + name + ": cannot write dtype " + t);
    };
  }

  /** Writes tensors (names are the map keys, order kept) to a file, atomically via a temp file. */
  public static void write(Path file, Map<String, NDArray> tensors, Map<String, String> metadata) {
    try {
      Path parent = file.toAbsolutePath().getParent();
      Files.createDirectories(parent);
      Path tmp = Files.createTempFile(parent, file.getFileName().toString(), ".tmp");
      try (OutputStream out = Files.newOutputStream(tmp)) {
        write(out, tensors, metadata);
      }
      Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + file, e);
    }
  }

  /** Encodes tensors as a safetensors blob in memory. */
  public static byte[] toBytes(Map<String, NDArray> tensors, Map<String, String> metadata) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    try {
      write(out, tensors, metadata);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toByteArray();
  }

  /** Streams a safetensors encoding of the tensors. */
  public static void write(OutputStream out, Map<String, NDArray> tensors, Map<String, String> meta)
      throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (meta != null && !meta.isEmpty()) {
      ObjectNode m = header.putObject("__metadata__");
      meta.forEach(m::put);
    }
    long offset = 0;
    for (Map.Entry<String, NDArray> e : tensors.entrySet()) {
      NDArray a = e.getValue();
      ObjectNode t = header.putObject(e.getKey());
      t.put("dtype", dtypeName(a.getDataType(), e.getKey()));
      var shape = t.putArray("shape");
      for (long d : a.getShape().getShape()) {
        shape.add(d);
      }
      long bytes = a.size() * a.getDataType().getNumOfBytes();
      t.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
    }
    byte[] h = JSON.writeValueAsBytes(header);
    int padded = (h.length + 7) / 8 * 8; // the format wants the data 8-byte aligned
    ByteBuffer len = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(padded);
    out.write(len.array());
    out.write(h);
    for (int i = h.length; i < padded; i++) {
      out.write(' ');
    }
    for (NDArray a : tensors.values()) {
      ByteBuffer b = a.toByteBuffer().order(ByteOrder.nativeOrder());
      if (ByteOrder.nativeOrder() != ByteOrder.LITTLE_ENDIAN) {
        throw new IllegalStateException("big-endian hosts are not supported");
      }
      byte[] chunk = new byte[b.remaining()];
      b.get(chunk);
      out.write(chunk);
    }
  }

  /** UTF-8 helper for tests that write headers by hand. */
  static byte[] utf8(String s) {
    return s.getBytes(StandardCharsets.UTF_8);
  }
}
