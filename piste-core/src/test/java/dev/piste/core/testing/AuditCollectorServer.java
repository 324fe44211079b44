package dev.piste.core.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPInputStream;

/**
 * An audit collector on 127.0.0.1 for tests: accepts POSTed JSON arrays of events, counts them by
 * {@code eventId} and keeps every raw body. It can be switched to answer 503 ({@link #down}) or to
 * hang before answering ({@link #hang}), to play a failing collector.
 */
public final class AuditCollectorServer implements AutoCloseable {

  private static final ObjectMapper MAPPER = new ObjectMapper();
  private final HttpServer server;
  private final ExecutorService executor = Executors.newFixedThreadPool(4);
  private final Map<String, AtomicInteger> byEventId = new ConcurrentHashMap<>();
  private final Map<String, String> requestIdToEventId = new ConcurrentHashMap<>();
  private final List<byte[]> rawBodies = new ArrayList<>();
  private final AtomicLong received = new AtomicLong();
  private final AtomicLong posts = new AtomicLong();
  private final AtomicLong gzipPosts = new AtomicLong();
  private final boolean keepBodies;
  private volatile boolean down;
  private volatile long hangMillis;

  /** A collector that keeps every body it accepts. */
  public AuditCollectorServer() throws IOException {
    this(true);
  }

  /** A collector that keeps the bodies it accepts only when asked (they take memory). */
  public AuditCollectorServer(boolean keepBodies) throws IOException {
    this.keepBodies = keepBodies;
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
    server.createContext("/events", this::handle);
    server.setExecutor(executor);
    server.start();
  }

  private void handle(HttpExchange ex) throws IOException {
    try {
      byte[] raw;
      try (InputStream in = ex.getRequestBody()) {
        raw = in.readAllBytes();
      }
      long hang = hangMillis;
      if (hang > 0) {
        Thread.sleep(hang);
      }
      if (down) {
        ex.sendResponseHeaders(503, -1);
        return;
      }
      boolean gzip = "gzip".equalsIgnoreCase(ex.getRequestHeaders().getFirst("Content-Encoding"));
      byte[] json = raw;
      if (gzip) {
        gzipPosts.incrementAndGet();
        try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(raw))) {
          json = in.readAllBytes();
        }
      }
      if (keepBodies) {
        synchronized (rawBodies) {
          rawBodies.add(json);
        }
      }
      JsonNode arr = MAPPER.readTree(json);
      for (JsonNode e : arr) {
        String id = e.get("eventId").asText();
        byEventId.computeIfAbsent(id, k -> new AtomicInteger()).incrementAndGet();
        if (e.hasNonNull("requestId")) {
          requestIdToEventId.put(e.get("requestId").asText(), id);
        }
        received.incrementAndGet();
      }
      posts.incrementAndGet();
      ex.sendResponseHeaders(200, -1);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ex.sendResponseHeaders(500, -1);
    } catch (RuntimeException e) {
      ex.sendResponseHeaders(400, -1);
    } finally {
      ex.close();
    }
  }

  public URI url() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/events");
  }

  /** Answers 503 to every POST while {@code true}. */
  public void down(boolean down) {
    this.down = down;
  }

  /** Waits this long before answering each POST (0: answer at once). */
  public void hang(long millis) {
    this.hangMillis = millis;
  }

  public int distinctEvents() {
    return byEventId.size();
  }

  public long receivedEvents() {
    return received.get();
  }

  public long posts() {
    return posts.get();
  }

  public long gzipPosts() {
    return gzipPosts.get();
  }

  public Set<String> eventIds() {
    return Set.copyOf(byEventId.keySet());
  }

  /** Request ids of the events received (events carry their request's X-Request-Id). */
  public Set<String> requestIds() {
    return Set.copyOf(requestIdToEventId.keySet());
  }

  /** Every body received and accepted, decompressed when it came gzipped. */
  public byte[] allBodies() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    synchronized (rawBodies) {
      rawBodies.forEach(out::writeBytes);
    }
    return out.toByteArray();
  }

  @Override
  public void close() {
    server.stop(0);
    executor.shutdownNow();
  }
}
