package dev.piste.core.audit;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import dev.piste.audit.RejectedEventsException;
import dev.piste.core.internal.audit.BatchBytes;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import java.util.zip.GZIPOutputStream;

/**
 * POSTs each batch as one JSON array ({@code Content-Type: application/json}) to a collector,
 * gzipped ({@code Content-Encoding: gzip}) only when asked; a batch of more than 8 MiB
 * goes as several arrays in order. Any answer other than 2xx, a timeout or
 * a connection failure fails the attempt; a batch gets {@link #ATTEMPTS} attempts with a short
 * exponential backoff (50 ms, 100 ms) before the write fails and the pipeline spools it. Redirects
 * are not followed. The collector de-duplicates on {@code eventId} (delivery is at least once).
 *
 * <p>A {@code 413 Content Too Large} answer is not retried as it is: the array is posted again in
 * two halves, and so on. An event that the collector refuses with 413 alone, while it takes other
 * events of the batch, is refused for good: once the rest is posted, the write throws {@link
 * RejectedEventsException} naming it, and the pipeline counts it lost instead of posting it again
 * forever ahead of every later event. That needs the collector to have taken an event before (in
 * this write or an earlier one), or the refused events to be over 1 MiB each with the collector
 * taking an empty array; otherwise (a limit set below any event) the write fails as for any other
 * answer, and the batch is kept.
 *
 * <p>The timeout bounds connecting and, separately, waiting for the answer; an attempt as a whole
 * (answer body included) ends after twice the timeout, so a collector that sends its headers and
 * then stalls fails the attempt like any timeout instead of holding the delivery thread.
 */
public final class HttpCollectorSink implements AuditSink {

  /** Attempts per batch before the write fails. */
  public static final int ATTEMPTS = 3;

  private final URI url;
  private final boolean gzip;
  private final Duration timeout;
  private final long attemptNanos;
  private final HttpClient client;
  /** The largest array the collector has taken, in bytes of JSON: what it is known to accept. */
  private final AtomicLong largestTaken = new AtomicLong();
  private static final long MIB = 1 << 20;

  public HttpCollectorSink(URI url, boolean gzip, Duration timeout) {
    this.url = Objects.requireNonNull(url, "url");
    this.gzip = gzip;
    this.timeout = Objects.requireNonNull(timeout, "timeout");
    // connect plus answer: the JDK's request timeout stops counting once the headers are in
    this.attemptNanos = saturatedDouble(timeout.toNanos());
    this.client = HttpClient.newBuilder()
        .connectTimeout(timeout)
        .followRedirects(HttpClient.Redirect.NEVER)
        .build();
  }

  /**
   * POSTs the batch as one JSON array, or as several in order when it is larger than 8 MiB
   * (an event larger than that is posted alone). When one of them fails the
   * write fails, and the parts posted before it are posted again with the batch (at least once).
   */
  @Override
  public void write(List<AuditEvent> batch)
      throws IOException, InterruptedException, RejectedEventsException {
    BatchBytes bytes = new BatchBytes();
    List<String> refused = new ArrayList<>();
    int from = 0;
    for (int i = 0; i < batch.size(); i++) {
      int length = batch.get(i).jsonLength();
      if (!bytes.fits(length)) {
        postOrSplit(batch.subList(from, i), bytes.size(), refused);
        bytes.clear();
        from = i;
      }
      bytes.add(length);
    }
    if (from < batch.size() || batch.isEmpty()) {
      postOrSplit(batch.subList(from, batch.size()), bytes.size(), refused);
    }
    if (!refused.isEmpty()) {
      if (largestTaken.get() <= 2 && !(everyOver(batch, refused, MIB) && takesEmptyArray())) {
        // the collector has taken no event yet, and these are of a common size: a limit set below
        // any event, a collector to fix; the batch is kept and posted again later
        throw new CollectorException("audit collector answered HTTP 413 to every event");
      }
      throw new RejectedEventsException("audit collector answered HTTP 413 to each alone",
          refused);
    }
  }

  /**
   * Posts the events; when the collector finds them too large (413), posts each half of them
   * instead, down to single events, and adds the ids of those it refuses alone to {@code refused}.
   */
  private void postOrSplit(List<AuditEvent> events, long size, List<String> refused)
      throws IOException, InterruptedException {
    try {
      post(events, size);
    } catch (TooLarge e) {
      if (events.size() <= 1) {
        if (events.isEmpty()) {
          // even an empty array is too large: nothing to split
          throw new CollectorException("audit collector answered HTTP 413");
        }
        refused.add(events.get(0).eventId());
        return;
      }
      int half = events.size() / 2;
      List<AuditEvent> first = events.subList(0, half);
      List<AuditEvent> second = events.subList(half, events.size());
      postOrSplit(first, arraySize(first), refused);
      postOrSplit(second, arraySize(second), refused);
    }
  }

  /** Whether every refused event's JSON is larger than {@code bytes}. */
  private static boolean everyOver(List<AuditEvent> batch, List<String> refused, long bytes) {
    for (AuditEvent e : batch) {
      if (refused.contains(e.eventId()) && e.jsonLength() <= bytes) {
        return false;
      }
    }
    return true;
  }

  /** Whether the collector takes an empty array: it is up, and refuses only by size. */
  private boolean takesEmptyArray() throws IOException, InterruptedException {
    try {
      post(List.of(), 2);
      return true;
    } catch (TooLarge e) {
      return false;
    }
  }

  /** The bytes of the events as one JSON array, as {@link BatchBytes} counts them. */
  private static long arraySize(List<AuditEvent> events) {
    BatchBytes bytes = new BatchBytes();
    for (AuditEvent e : events) {
      bytes.add(e.jsonLength());
    }
    return bytes.size();
  }

  private void post(List<AuditEvent> events, long size) throws IOException, InterruptedException {
    HttpRequest.Builder rb = HttpRequest.newBuilder(url)
        .timeout(timeout)
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofByteArray(body(events, size)));
    if (gzip) {
      rb.header("Content-Encoding", "gzip");
    }
    HttpRequest request = rb.build();
    IOException failure = null;
    for (int attempt = 0; attempt < ATTEMPTS; attempt++) {
      if (attempt > 0) {
        Thread.sleep(50L << (attempt - 1));
      }
      CompletableFuture<HttpResponse<Void>> answer =
          client.sendAsync(request, HttpResponse.BodyHandlers.discarding());
      try {
        HttpResponse<Void> r = answer.get(attemptNanos, TimeUnit.NANOSECONDS);
        if (r.statusCode() >= 200 && r.statusCode() < 300) {
          largestTaken.accumulateAndGet(size, Math::max);
          return;
        }
        if (r.statusCode() == 413) {
          // the same bytes would be refused again
          throw new TooLarge();
        }
        failure = new CollectorException("audit collector answered HTTP " + r.statusCode());
      } catch (TimeoutException e) {
        answer.cancel(true);
        failure = new CollectorException("audit collector unreachable (attempt timed out)");
      } catch (InterruptedException e) {
        answer.cancel(true);
        throw e;
      } catch (ExecutionException e) {
        failure = new CollectorException("audit collector unreachable ("
            + e.getCause().getClass().getSimpleName() + ")");
      }
    }
    throw failure;
  }

  private static long saturatedDouble(long nanos) {
    return nanos > Long.MAX_VALUE / 2 ? Long.MAX_VALUE : 2 * nanos;
  }

  /** The events as a JSON array of {@code size} bytes, gzipped when asked. */
  private byte[] body(List<AuditEvent> events, long size) throws IOException {
    if (size > Integer.MAX_VALUE - 8) {
      // only a single event can pass the budget, and its JSON is one array already
      throw new CollectorException("audit event too large to post (" + size + " bytes)");
    }
    byte[] json = new byte[(int) size];
    ByteBuffer b = ByteBuffer.wrap(json);
    b.put((byte) '[');
    for (int i = 0; i < events.size(); i++) {
      if (i > 0) {
        b.put((byte) ',');
      }
      events.get(i).writeJson(b);
    }
    b.put((byte) ']');
    if (!gzip) {
      return json;
    }
    ByteArrayOutputStream bos = new ByteArrayOutputStream(json.length / 4 + 64);
    try (GZIPOutputStream gz = new GZIPOutputStream(bos)) {
      gz.write(json);
    }
    return bos.toByteArray();
  }

  /** A 413 answer: the events posted together are too large for the collector. */
  private static final class TooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    TooLarge() {
      super("audit collector answered HTTP 413");
    }
  }

  /** A failed delivery; its message holds the status or the failure kind, never the URL. */
  static final class CollectorException extends IOException {
    private static final long serialVersionUID = 1L;

    CollectorException(String message) {
      super(message);
    }
  }
}
