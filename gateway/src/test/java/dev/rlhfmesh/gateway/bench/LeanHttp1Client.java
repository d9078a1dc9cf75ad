package dev.rlhfmesh.gateway.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.StandardSocketOptions;
import java.nio.ByteBuffer;
import java.nio.channels.SelectionKey;
import java.nio.channels.Selector;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.function.Consumer;

/**
 * A load generator's HTTP/1.1 client, in the manner of {@code wrk}: one thread with one selector,
 * keep-alive connections (one call in flight on each, a new one opened while fewer than {@code
 * maxConnections} are busy), requests sent as prepared bytes, answers read as far as the status
 * line, the framing headers ({@code Content-Length} or {@code Transfer-Encoding: chunked}) and the
 * end of the body. It exists so that a benchmark whose client shares a CPU with the service it
 * measures takes as little of that CPU as it can; a full client (Vert.x, the JDK's) parses every
 * header, builds a response object and hops threads. Not for anything but benchmarks: no TLS, no
 * redirects, no pipelining, no trailers.
 */
final class LeanHttp1Client implements AutoCloseable {
  private final InetSocketAddress address;
  private final int maxConnections;
  private final Selector selector;
  private final Thread loop;
  private final Queue<Call> submitted = new ConcurrentLinkedQueue<>();
  private final Queue<Call> waiting = new ArrayDeque<>(); // loop thread only
  private final List<Connection> idle = new ArrayList<>(); // loop thread only
  private int open; // loop thread only
  private volatile boolean closed;

  /** One request and where its end is reported: null, or the failure. */
  private record Call(byte[] request, Consumer<Throwable> done) {}

  LeanHttp1Client(InetSocketAddress address, int maxConnections) throws IOException {
    if (maxConnections < 1) {
      throw new IllegalArgumentException("maxConnections must be ≥ 1, not " + maxConnections);
    }
    this.address = address;
    this.maxConnections = maxConnections;
    this.selector = Selector.open();
    this.loop = new Thread(this::run, "lean-http1");
    loop.setDaemon(true);
    loop.start();
  }

  /**
   * A complete HTTP/1.1 POST (request line, headers with {@code Content-Length}, body) as bytes.
   */
  static byte[] post(String host, String path, List<String> headers, String body) {
    byte[] content = body.getBytes(StandardCharsets.UTF_8);
    StringBuilder head = new StringBuilder("POST ").append(path).append(" HTTP/1.1\r\n");
    head.append("Host: ").append(host).append("\r\n");
    for (String h : headers) {
      head.append(h).append("\r\n");
    }
    head.append("Content-Length: ").append(content.length).append("\r\n\r\n");
    byte[] h = head.toString().getBytes(StandardCharsets.US_ASCII);
    byte[] out = new byte[h.length + content.length];
    System.arraycopy(h, 0, out, 0, h.length);
    System.arraycopy(content, 0, out, h.length, content.length);
    return out;
  }

  /**
   * Sends {@code request} (from {@link #post}) and reports the end of its answer to {@code done}:
   * null for a 200 read to its end, else the failure (another status names it and the body). May be
   * called from any thread, {@code done} included (it runs on the client's thread).
   */
  void send(byte[] request, Consumer<Throwable> done) {
    if (closed) {
      done.accept(new IllegalStateException("client closed"));
      return;
    }
    submitted.add(new Call(request, done));
    if (closed) {
      failSubmitted(); // closed meanwhile: the loop may have drained the queue already
    } else if (Thread.currentThread() != loop) {
      selector.wakeup();
    }
  }

  private void failSubmitted() {
    for (Call c; (c = submitted.poll()) != null; ) {
      c.done.accept(new IllegalStateException("client closed"));
    }
  }

  @Override
  public void close() throws IOException {
    closed = true;
    selector.wakeup();
    try {
      loop.join(5_000);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  private void run() {
    try {
      while (!closed) {
        dispatch();
        selector.select();
        for (SelectionKey key : selector.selectedKeys()) {
          Connection c = (Connection) key.attachment();
          try {
            if (key.isConnectable()) {
              c.channel.finishConnect();
              c.write();
            } else if (key.isWritable()) {
              c.write();
            } else if (key.isReadable()) {
              c.read();
            }
          } catch (IOException | RuntimeException e) {
            c.fail(e);
          }
        }
        selector.selectedKeys().clear();
      }
    } catch (IOException e) {
      closed = true;
    } finally {
      for (SelectionKey key : selector.keys()) {
        ((Connection) key.attachment()).fail(new IllegalStateException("client closed"));
      }
      for (Call c; (c = waiting.poll()) != null; ) {
        c.done.accept(new IllegalStateException("client closed"));
      }
      failSubmitted();
      try {
        selector.close();
      } catch (IOException ignored) {
        // nothing left to release
      }
    }
  }

  /** Starts the calls submitted since the last turn on idle or new connections. */
  private void dispatch() {
    for (Call c; (c = submitted.poll()) != null; ) {
      waiting.add(c);
    }
    while (!waiting.isEmpty()) {
      Connection c;
      if (!idle.isEmpty()) {
        c = idle.remove(idle.size() - 1);
      } else if (open < maxConnections) {
        try {
          c = new Connection();
        } catch (IOException e) {
          waiting.poll().done.accept(e);
          continue;
        }
      } else {
        return;
      }
      c.start(waiting.poll());
    }
  }

  /** One keep-alive connection and the answer it is reading. */
  private final class Connection {
    final SocketChannel channel;
    final SelectionKey key;
    ByteBuffer out;
    ByteBuffer in = ByteBuffer.allocate(16 * 1024);
    Call call;
    int status;
    int bodyStart; // index in `in` of the body's first byte, -1 while the head
    // is incomplete
    long contentLength; // -1: chunked
    boolean dead;

    Connection() throws IOException {
      channel = SocketChannel.open();
      channel.configureBlocking(false);
      channel.setOption(StandardSocketOptions.TCP_NODELAY, true);
      boolean connected = channel.connect(address);
      key = channel.register(selector, connected ? 0 : SelectionKey.OP_CONNECT, this);
      open++;
    }

    void start(Call next) {
      call = next;
      out = ByteBuffer.wrap(next.request);
      in.clear();
      bodyStart = -1;
      if (channel.isConnected()) {
        try {
          write();
        } catch (IOException e) {
          fail(e);
        }
      }
    }

    void write() throws IOException {
      channel.write(out);
      key.interestOps(out.hasRemaining() ? SelectionKey.OP_WRITE : SelectionKey.OP_READ);
    }

    void read() throws IOException {
      if (!in.hasRemaining()) {
        ByteBuffer bigger = ByteBuffer.allocate(in.capacity() * 2);
        in.flip();
        in = bigger.put(in);
      }
      if (channel.read(in) < 0) {
        throw new IOException("connection closed by the server before the answer ended");
      }
      if (bodyStart < 0 && !parseHead()) {
        return;
      }
      if (bodyEnded()) {
        Call finished = call;
        call = null;
        key.interestOps(0);
        idle.add(this);
        finished.done.accept(status == 200 ? null : new IllegalStateException(describe()));
      }
    }

    /** Parses the status line and framing headers once the head is complete; false until then. */
    private boolean parseHead() throws IOException {
      int end = indexOf(in, 0, "\r\n\r\n");
      if (end < 0) {
        return false;
      }
      String head = new String(in.array(), 0, end, StandardCharsets.ISO_8859_1);
      String[] lines = head.split("\r\n");
      String[] statusLine = lines[0].split(" ", 3);
      if (statusLine.length < 2 || !statusLine[0].startsWith("HTTP/1.")) {
        throw new IOException("not an HTTP/1.x status line: " + lines[0]);
      }
      status = Integer.parseInt(statusLine[1]);
      contentLength = 0;
      for (int i = 1; i < lines.length; i++) {
        String line = lines[i];
        int colon = line.indexOf(':');
        String name = colon < 0 ? line : line.substring(0, colon).trim();
        String value = colon < 0 ? "" : line.substring(colon + 1).trim();
        if (name.equalsIgnoreCase("content-length")) {
          contentLength = Long.parseLong(value);
        } else if (name.equalsIgnoreCase("transfer-encoding")
            && value.toLowerCase().contains("chunked")) {
          contentLength = -1;
        }
      }
      bodyStart = end + 4;
      return true;
    }

    /** Whether the body has been read to its end (its length, or the last chunk). */
    private boolean bodyEnded() throws IOException {
      if (contentLength >= 0) {
        return in.position() - bodyStart >= contentLength;
      }
      int at = bodyStart;
      while (true) {
        int lineEnd = indexOf(in, at, "\r\n");
        if (lineEnd < 0) {
          return false;
        }
        String size = new String(in.array(), at, lineEnd - at, StandardCharsets.US_ASCII);
        int semicolon = size.indexOf(';'); // chunk extensions
        long n;
        try {
          n = Long.parseLong(semicolon < 0 ? size.trim() : size.substring(0, semicolon), 16);
        } catch (NumberFormatException e) {
          throw new IOException("bad chunk size line: " + size);
        }
        long next = lineEnd + 2 + n + 2; // the chunk and its CRLF (the last: the empty line)
        if (in.position() < next) {
          return false;
        }
        if (n == 0) {
          return true;
        }
        at = (int) next;
      }
    }

    private String describe() {
      String body =
          new String(in.array(), bodyStart, in.position() - bodyStart, StandardCharsets.UTF_8);
      return "HTTP " + status + ": " + body;
    }

    void fail(Throwable t) {
      if (dead) {
        return;
      }
      dead = true;
      open--;
      idle.remove(this);
      key.cancel();
      try {
        channel.close();
      } catch (IOException ignored) {
        // the call's own failure is what gets reported
      }
      if (call != null) {
        Call failed = call;
        call = null;
        failed.done.accept(t);
      }
    }
  }

  /** Index of {@code what} (ASCII) in {@code buf}'s bytes [from, position), or -1. */
  private static int indexOf(ByteBuffer buf, int from, String what) {
    byte[] a = buf.array();
    int limit = buf.position() - what.length();
    outer:
    for (int i = from; i <= limit; i++) {
      for (int j = 0; j < what.length(); j++) {
        if (a[i + j] != what.charAt(j)) {
          continue outer;
        }
      }
      return i;
    }
    return -1;
  }
}
