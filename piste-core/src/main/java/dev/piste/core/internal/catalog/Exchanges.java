package dev.piste.core.internal.catalog;

import java.io.IOException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpTimeoutException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The catalog's HTTP exchanges, with an overall deadline. The JDK's request timeout stops counting
 * once the response headers are in, so a server that sends its headers and then stalls the body
 * would hold the registrar's thread for good (no heartbeat, the instance expiring from the
 * catalog): each exchange here ends after twice the timeout, answer body included.
 */
public final class Exchanges {

  private Exchanges() {}

  public static <T> HttpResponse<T> send(HttpClient http, HttpRequest request,
      HttpResponse.BodyHandler<T> body, Duration timeout) throws IOException {
    CompletableFuture<HttpResponse<T>> answer = http.sendAsync(request, body);
    long nanos = timeout.toNanos() > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * timeout.toNanos();
    try {
      return answer.get(nanos, TimeUnit.NANOSECONDS);
    } catch (TimeoutException e) {
      answer.cancel(true);
      throw new HttpTimeoutException("no complete answer from " + request.uri() + " within "
          + Duration.ofNanos(nanos).toMillis() + " ms");
    } catch (InterruptedException e) {
      answer.cancel(true);
      Thread.currentThread().interrupt();
      throw new IOException("interrupted during " + request.method() + " " + request.uri());
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      throw cause instanceof IOException io ? io
          : new IOException(request.method() + " " + request.uri() + " failed ("
              + cause.getClass().getSimpleName() + ")");
    }
  }
}
