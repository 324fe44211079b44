package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.piste.audit.AuditEvent;
import dev.piste.audit.RejectedEventsException;
import dev.piste.core.testing.Poll;
import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The HTTP sink against collectors that misbehave below the level of HTTP statuses. */
final class HttpCollectorSinkTest {

  private static final ObjectMapper MAPPER = new ObjectMapper();

  private static AuditEvent event(int n) {
    return AuditEvent.builder().eventId(String.format("00000000-0000-4000-8000-%012d", n))
        .timestamp(Instant.parse("2026-11-28T10:15:30.123Z")).operationId("InvoiceResource.list")
        .method("GET").path("/v1/invoices").status(200).outcome("allowed").build();
  }

  @Test
  void aCollectorThatSendsItsHeadersThenStallsInTheBodyFailsEachAttemptAndReleasesTheThread()
      throws Exception {
    try (RawCollector collector = new RawCollector(RawCollector.STALL)) {
      HttpCollectorSink sink = new HttpCollectorSink(collector.url(), false,
          Duration.ofSeconds(1));
      CompletableFuture<Void> write = new CompletableFuture<>();
      Thread writer = new Thread(() -> {
        try {
          sink.write(List.of(event(1)));
          write.complete(null);
        } catch (Exception e) {
          write.completeExceptionally(e);
        }
      }, "stalled-collector-writer");
      writer.setDaemon(true);
      writer.start();
      Poll.until(Duration.ofSeconds(20), write::isDone,
          () -> "write still blocked after " + collector.accepted.get() + " connections");
      // the sink's deadline (twice the timeout) ends each attempt; the JDK's request timeout, which
      // runs until the headers are read, can fire first when they are read late: either way the
      // attempt failed by timeout
      assertThatThrownBy(write::get).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(HttpCollectorSink.CollectorException.class)
          .message().isIn("audit collector unreachable (attempt timed out)",
              "audit collector unreachable (HttpTimeoutException)");
      assertThat(collector.accepted.get()).isEqualTo(HttpCollectorSink.ATTEMPTS);
      // each abandoned attempt gave its connection up rather than leaving it to the collector
      Poll.until(Duration.ofSeconds(10),
          () -> collector.closedByClient.get() == HttpCollectorSink.ATTEMPTS,
          () -> collector.closedByClient.get() + " connections closed");
    }
  }

  /** An event whose captured body is {@code length} times {@code c}. */
  private static AuditEvent withBody(int n, char c, int length) {
    return event(n).toBuilder().requestBody(String.valueOf(c).repeat(length)).build();
  }

  @Test
  void aBatchOfMoreThanEightMebibytesIsPostedAsSeveralArraysInOrder() throws Exception {
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      batch.add(withBody(i, 'a', 1_000_000));
    }
    try (RawCollector collector = new RawCollector(RawCollector.OK)) {
      new HttpCollectorSink(collector.url(), false, Duration.ofSeconds(5)).write(batch);
      List<String> posted = new ArrayList<>();
      for (byte[] body : collector.bodies) {
        assertThat(body.length).isLessThanOrEqualTo(8 << 20);
        MAPPER.readTree(body).forEach(e -> posted.add(e.get("eventId").asText()));
      }
      assertThat(collector.bodies).hasSize(3);
      assertThat(posted).isEqualTo(batch.stream().map(AuditEvent::eventId).toList());
    }
  }

  @Test
  void aBatchOfMoreThanTwoGibibytesOfEscapedBodiesFailsLikeAnyRefusedPost() throws Exception {
    // 1 MiB of DEL, six bytes each once escaped: 6 MB of JSON an event; 342 of them pass 2^31 bytes
    AuditEvent large = withBody(1, '\u007f', 1 << 20);
    List<AuditEvent> batch = Collections.nCopies(
        Integer.MAX_VALUE / large.jsonLength() + 1, large);
    try (RawCollector collector = new RawCollector(RawCollector.UNAVAILABLE)) {
      HttpCollectorSink sink = new HttpCollectorSink(collector.url(), false, Duration.ofSeconds(5));
      assertThatThrownBy(() -> sink.write(batch))
          .isInstanceOf(HttpCollectorSink.CollectorException.class)
          .hasMessage("audit collector answered HTTP 503");
      // one event a POST (two would pass 8 MiB), each refused ATTEMPTS times, then the write fails
      assertThat(collector.bodies).hasSize(HttpCollectorSink.ATTEMPTS)
          .allSatisfy(b -> assertThat(b).hasSize(large.jsonLength() + 2));
    }
  }

  @Test
  void aCollectorThatFindsTheArrayTooLargeGetsItInHalvesAndAnEventItRefusesAloneIsRejected()
      throws Exception {
    List<AuditEvent> batch = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      batch.add(i == 6 ? withBody(i, 'b', 20_000) : withBody(i, 'a', 500));
    }
    List<String> accepted = new CopyOnWriteArrayList<>();
    AtomicInteger posts = new AtomicInteger();
    com.sun.net.httpserver.HttpServer collector = limitedCollector(4_000, accepted, posts);
    try {
      HttpCollectorSink sink = sink(collector);
      assertThatThrownBy(() -> sink.write(batch))
          .isInstanceOfSatisfying(RejectedEventsException.class,
              e -> assertThat(e.eventIds()).containsExactly(batch.get(6).eventId()));
      List<String> others = new ArrayList<>(batch.stream().map(AuditEvent::eventId).toList());
      others.remove(6);
      assertThat(accepted).as("every other event, in order").isEqualTo(others);
      assertThat(posts.get()).as("halves down to the refused event, not every event alone")
          .isLessThan(2 * batch.size());
    } finally {
      collector.stop(0);
    }
  }

  @Test
  void aCollectorThatTakesNoneOfTheBatchFailsTheWriteAndTheBatchIsKept() throws Exception {
    List<String> accepted = new CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer collector = limitedCollector(1, accepted, new AtomicInteger());
    try {
      HttpCollectorSink sink = sink(collector);
      assertThatThrownBy(() -> sink.write(List.of(event(1), event(2), event(3))))
          .as("a limit too small for any event: a collector to fix, not events to drop")
          .isInstanceOf(HttpCollectorSink.CollectorException.class)
          .hasMessage("audit collector answered HTTP 413 to every event");
      assertThatThrownBy(() -> sink.write(List.of()))
          .as("an empty array refused: nothing to halve")
          .isInstanceOf(HttpCollectorSink.CollectorException.class);
      assertThat(accepted).isEmpty();
    } finally {
      collector.stop(0);
    }
  }

  @Test
  void aBatchOfEventsAllTooLargeIsRefusedForGoodOnceTheCollectorIsKnownToTakeEvents()
      throws Exception {
    List<String> accepted = new CopyOnWriteArrayList<>();
    com.sun.net.httpserver.HttpServer collector = limitedCollector(1_000, accepted, new AtomicInteger());
    try {
      HttpCollectorSink sink = sink(collector);
      List<AuditEvent> large = List.of(withBody(1, 'a', 2_000), withBody(2, 'a', 2_000));
      assertThatThrownBy(() -> sink.write(large))
          .as("nothing taken yet, events of a common size: a limit to fix, the batch kept")
          .isInstanceOf(HttpCollectorSink.CollectorException.class);
      sink.write(List.of(event(3)));
      assertThatThrownBy(() -> sink.write(large))
          .as("the collector takes events: these are too large for it")
          .isInstanceOfSatisfying(RejectedEventsException.class,
              e -> assertThat(e.eventIds()).containsExactly(large.get(0).eventId(),
                  large.get(1).eventId()));
      assertThat(accepted).containsExactly(event(3).eventId());
    } finally {
      collector.stop(0);
    }
  }

  @Test
  void eventsOverAMebibyteEachAreRefusedForGoodByACollectorThatTakesAnEmptyArray()
      throws Exception {
    List<String> accepted = new CopyOnWriteArrayList<>();
    // like nginx's default client_max_body_size 1m, right after a restart
    com.sun.net.httpserver.HttpServer collector = limitedCollector(1 << 20, accepted, new AtomicInteger());
    try {
      List<AuditEvent> huge = List.of(withBody(1, 'a', 1_100_000), withBody(2, 'a', 1_100_000));
      assertThatThrownBy(() -> sink(collector).write(huge))
          .isInstanceOf(RejectedEventsException.class);
    } finally {
      collector.stop(0);
    }
  }

  /** Answers 413 to a body over {@code limit} bytes, like a proxy's body limit, 200 otherwise. */
  private static com.sun.net.httpserver.HttpServer limitedCollector(int limit,
      List<String> accepted, AtomicInteger posts) throws IOException {
    com.sun.net.httpserver.HttpServer collector = com.sun.net.httpserver.HttpServer.create(
        new java.net.InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 8);
    collector.createContext("/events", ex -> {
      byte[] body = ex.getRequestBody().readAllBytes();
      posts.incrementAndGet();
      int status = body.length > limit ? 413 : 200;
      if (status == 200) {
        MAPPER.readTree(body).forEach(e -> accepted.add(e.get("eventId").asText()));
      }
      ex.sendResponseHeaders(status, -1);
      ex.close();
    });
    collector.start();
    return collector;
  }

  private static HttpCollectorSink sink(com.sun.net.httpserver.HttpServer collector) {
    return new HttpCollectorSink(URI.create("http://127.0.0.1:" + collector.getAddress().getPort()
        + "/events"), false, Duration.ofSeconds(5));
  }

  /**
   * A collector on a bare socket: answers each POST with {@code answer} and keeps the request
   * bodies; counts the connections and those the client closed.
   */
  static final class RawCollector implements AutoCloseable {
    /** {@code 200} with {@code Content-Length: 100} and two bytes of that body, then nothing. */
    static final String STALL = "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab";
    static final String OK = "HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n";
    static final String UNAVAILABLE = "HTTP/1.1 503 Service Unavailable\r\nContent-Length: 0\r\n\r\n";

    final ServerSocket server;
    final String answer;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger closedByClient = new AtomicInteger();
    final List<byte[]> bodies = new CopyOnWriteArrayList<>();

    RawCollector(String answer) throws IOException {
      this.answer = answer;
      server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::accept, "raw-collector");
      t.setDaemon(true);
      t.start();
    }

    URI url() {
      return URI.create("http://127.0.0.1:" + server.getLocalPort() + "/events");
    }

    private void accept() {
      while (!server.isClosed()) {
        try {
          Socket s = server.accept();
          accepted.incrementAndGet();
          Thread t = new Thread(() -> serve(s), "raw-collector-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void serve(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        byte[] body;
        while ((body = readRequest(in)) != null) {
          bodies.add(body);
          s.getOutputStream().write(answer.getBytes(StandardCharsets.US_ASCII));
          s.getOutputStream().flush();
          if (answer.equals(STALL)) {
            while (in.read() >= 0) {
              // the client sends nothing more; it only ever closes
            }
            break;
          }
        }
        closedByClient.incrementAndGet();
      } catch (IOException e) {
        closedByClient.incrementAndGet();
      }
    }

    /** The body of the next request, or {@code null} at the end of the connection. */
    private static byte[] readRequest(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        head.append((char) c);
        if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
          break;
        }
      }
      if (c < 0) {
        return null;
      }
      int length = 0;
      for (String line : head.toString().split("\r\n")) {
        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Integer.parseInt(line.substring(15).trim());
        }
      }
      return in.readNBytes(length);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
