package dev.piste.core.internal.token;

import dev.piste.core.internal.config.Cidr;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;

/**
 * The HTTP client of the key source and the introspection client: HTTP/1.1, no redirects, a
 * connect timeout and an overall deadline, and a response body cap enforced while reading.
 */
public final class HttpFetcher implements AutoCloseable {

  /** A response: status, body (at most the cap), and the headers the callers need. */
  public record Response(int status, byte[] body, HttpResponse<byte[]> raw) {}

  private final HttpClient client;
  private final ExecutorService executor;
  private final Duration timeout;
  private final long maxBytes;

  public HttpFetcher(Duration timeout, long maxBytes, String threadName) {
    this.executor = Executors.newCachedThreadPool(r -> {
      Thread t = new Thread(r, threadName);
      t.setDaemon(true);
      return t;
    });
    this.client = HttpClient.newBuilder()
        .version(HttpClient.Version.HTTP_1_1)
        .followRedirects(HttpClient.Redirect.NEVER)
        .connectTimeout(timeout)
        .executor(executor)
        .build();
    this.timeout = timeout;
    this.maxBytes = maxBytes;
  }

  /** Sends the request; the future fails with an {@link IOException} family cause on any problem. */
  public CompletableFuture<Response> send(HttpRequest.Builder request) {
    HttpRequest req = request.timeout(timeout).build();
    CompletableFuture<HttpResponse<byte[]>> exchange = client.sendAsync(req, cappedBody(maxBytes));
    CompletableFuture<Response> result = exchange
        .thenApply(r -> new Response(r.statusCode(), r.body(), r))
        .orTimeout(timeout.toMillis() * 2, TimeUnit.MILLISECONDS);
    // a body trickling in past the deadline: the exchange is cancelled, not left reading
    result.whenComplete((r, e) -> {
      if (e != null) {
        exchange.cancel(true);
      }
    });
    return result;
  }

  /** Whether the URI may be called: https anywhere, http only on a loopback address. */
  public static boolean allowed(URI uri) {
    if ("https".equalsIgnoreCase(uri.getScheme())) {
      return true;
    }
    if (!"http".equalsIgnoreCase(uri.getScheme()) || uri.getHost() == null) {
      return false;
    }
    String host = uri.getHost();
    if (host.equalsIgnoreCase("localhost")) {
      return true;
    }
    return Cidr.loopbackLiteral(host);
  }

  /**
   * A body handler that fails with an {@link IOException} as soon as the body passes {@code
   * maxBytes}, declared by its {@code Content-Length} or read.
   */
  public static HttpResponse.BodyHandler<byte[]> cappedBody(long maxBytes) {
    return info -> info.headers().firstValueAsLong("Content-Length").orElse(-1) > maxBytes
        ? new Capped(0, true) : new Capped(maxBytes, false);
  }

  @Override
  public void close() {
    executor.shutdownNow();
  }

  /** Collects the body and fails as soon as it passes the cap. */
  private static final class Capped implements BodySubscriber<byte[]> {
    private final long max;
    private final boolean refuse;
    private final CompletableFuture<byte[]> result = new CompletableFuture<>();
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private Flow.Subscription subscription;

    Capped(long max, boolean refuse) {
      this.max = max;
      this.refuse = refuse;
    }

    @Override
    public CompletionStage<byte[]> getBody() {
      return result;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      this.subscription = s;
      if (refuse) {
        s.cancel();
        result.completeExceptionally(new IOException("response larger than the size cap"));
        return;
      }
      s.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(List<ByteBuffer> items) {
      for (ByteBuffer b : items) {
        if (out.size() + (long) b.remaining() > max) {
          subscription.cancel();
          result.completeExceptionally(new IOException("response larger than the size cap"));
          return;
        }
        byte[] chunk = new byte[b.remaining()];
        b.get(chunk);
        out.write(chunk, 0, chunk.length);
      }
    }

    @Override
    public void onError(Throwable t) {
      result.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      result.complete(out.toByteArray());
    }
  }
}
