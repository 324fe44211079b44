package dev.piste.core.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A real RFC 7662 introspection endpoint on 127.0.0.1 at {@code /introspect}: answers the JSON
 * registered for a token, {@code {"active":false}} for any other, records the last Authorization
 * header, counts requests, and can fail with a status or be slow.
 */
public final class IntrospectionServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "introspection-server");
    t.setDaemon(true);
    return t;
  });
  private final Map<String, String> answers = new ConcurrentHashMap<>();
  private final AtomicInteger requests = new AtomicInteger();
  private volatile int status = 200;
  private volatile long delayMillis;
  private volatile String lastAuthorization;
  private volatile String rawBody;

  private IntrospectionServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(executor);
    server.createContext("/introspect", exchange -> {
      requests.incrementAndGet();
      try (exchange) {
        lastAuthorization = exchange.getRequestHeaders().getFirst("Authorization");
        String form = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
        String token = null;
        for (String p : form.split("&")) {
          if (p.startsWith("token=")) {
            token = URLDecoder.decode(p.substring(6), StandardCharsets.UTF_8);
          }
        }
        long delay = delayMillis;
        if (delay > 0) {
          Thread.sleep(delay);
        }
        String json = rawBody != null ? rawBody
            : token != null ? answers.getOrDefault(token, "{\"active\":false}") : "{\"active\":false}";
        byte[] bytes = json.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // client gone
      }
    });
    server.start();
  }

  public static IntrospectionServer start() {
    try {
      return new IntrospectionServer();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/introspect");
  }

  /** Answers this JSON for this token. */
  public IntrospectionServer answer(String token, String json) {
    answers.put(token, json);
    return this;
  }

  /** Answers this body to every request, whatever the token ({@code null} to stop). */
  public IntrospectionServer body(String json) {
    this.rawBody = json;
    return this;
  }

  public IntrospectionServer status(int status) {
    this.status = status;
    return this;
  }

  public IntrospectionServer slow(Duration delay) {
    this.delayMillis = delay.toMillis();
    return this;
  }

  public int requests() {
    return requests.get();
  }

  public String lastAuthorization() {
    return lastAuthorization;
  }

  @Override
  public void close() {
    delayMillis = 0;
    server.stop(0);
    executor.shutdownNow();
  }
}
