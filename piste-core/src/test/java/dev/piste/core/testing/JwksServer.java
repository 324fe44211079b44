package dev.piste.core.testing;

import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;
import org.jose4j.jwk.JsonWebKey;

/**
 * A real JWKS endpoint on 127.0.0.1 (JDK HttpServer): serves a key set at {@code /jwks}, counts the
 * requests it receives, and can rotate keys, fail with a status, be slow, hold requests until
 * released, redirect, or serve any body with any headers. Stops on {@link #close()}.
 */
public final class JwksServer implements AutoCloseable {

  private final HttpServer server;
  private final ExecutorService executor = Executors.newCachedThreadPool(r -> {
    Thread t = new Thread(r, "jwks-server");
    t.setDaemon(true);
    return t;
  });
  private final AtomicInteger requests = new AtomicInteger();
  private final AtomicInteger answered = new AtomicInteger();
  private volatile String body = "{\"keys\":[]}";
  private volatile int status = 200;
  private volatile long delayMillis;
  private volatile String cacheControl;
  private volatile String location;
  private volatile boolean chunked;
  private volatile CountDownLatch gate;

  private JwksServer() throws IOException {
    server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 50);
    server.setExecutor(executor);
    server.createContext("/jwks", exchange -> {
      requests.incrementAndGet();
      try (exchange) {
        CountDownLatch held = gate;
        if (held != null) {
          held.await();
        }
        long delay = delayMillis;
        if (delay > 0) {
          Thread.sleep(delay);
        }
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/jwk-set+json");
        if (cacheControl != null) {
          exchange.getResponseHeaders().set("Cache-Control", cacheControl);
        }
        if (location != null) {
          exchange.getResponseHeaders().set("Location", location);
        }
        exchange.sendResponseHeaders(status, chunked ? 0 : bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
          out.write(bytes);
        }
        answered.incrementAndGet();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } catch (IOException e) {
        // the client gave up (timeout): nothing to do
      }
    });
    server.start();
  }

  /** Starts serving an empty key set. */
  public static JwksServer start() {
    try {
      return new JwksServer();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public URI uri() {
    return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/jwks");
  }

  /** Serves the public parts of these keys, status 200 (rotation: call again with other keys). */
  public JwksServer keys(JsonWebKey... keys) {
    this.body = TokenFactory.jwks(keys);
    this.status = 200;
    return this;
  }

  /** Serves this body as it is. */
  public JwksServer body(String body) {
    this.body = body;
    return this;
  }

  /** Answers every request with this status ("down" with 500 or 503, 200 to recover). */
  public JwksServer status(int status) {
    this.status = status;
    return this;
  }

  /** Waits this long before answering. */
  public JwksServer slow(Duration delay) {
    this.delayMillis = delay.toMillis();
    return this;
  }

  public JwksServer cacheControl(String value) {
    this.cacheControl = value;
    return this;
  }

  /** Sends bodies chunked, without Content-Length. */
  public JwksServer chunked(boolean chunked) {
    this.chunked = chunked;
    return this;
  }

  /** Holds every request from now on until {@link #release()}: a fetch stays under way meanwhile. */
  public JwksServer hold() {
    gate = new CountDownLatch(1);
    return this;
  }

  /** Answers the held requests and holds no more. */
  public JwksServer release() {
    CountDownLatch held = gate;
    gate = null;
    if (held != null) {
      held.countDown();
    }
    return this;
  }

  /** Answers 302 to this location. */
  public JwksServer redirectTo(URI target) {
    this.location = target.toString();
    this.status = 302;
    return this;
  }

  /** Responses completely sent so far. */
  public int answered() {
    return answered.get();
  }

  /** Requests received so far. */
  public int requests() {
    return requests.get();
  }

  @Override
  public void close() {
    delayMillis = 0;
    release();
    server.stop(0);
    executor.shutdownNow();
  }
}
