package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.audit.AuditEvent;
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
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** The HTTP sink against collectors that misbehave below the level of HTTP statuses. */
final class HttpCollectorSinkTest {

  private static AuditEvent event(int n) {
    return AuditEvent.builder().eventId(String.format("00000000-0000-4000-8000-%012d", n))
        .timestamp(Instant.parse("2026-11-28T10:15:30.123Z")).operationId("InvoiceResource.list")
        .method("GET").path("/v1/invoices").status(200).outcome("allowed").build();
  }

  @Test
  void aCollectorThatSendsItsHeadersThenStallsInTheBodyFailsEachAttemptAndReleasesTheThread()
      throws Exception {
    try (StallingCollector collector = new StallingCollector()) {
      HttpCollectorSink sink = new HttpCollectorSink(collector.url(), false,
          Duration.ofMillis(200));
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
      assertThatThrownBy(write::get).isInstanceOf(ExecutionException.class).cause()
          .isInstanceOf(HttpCollectorSink.CollectorException.class)
          .hasMessage("audit collector unreachable (attempt timed out)");
      assertThat(collector.accepted.get()).isEqualTo(HttpCollectorSink.ATTEMPTS);
      // each abandoned attempt gave its connection up rather than leaving it to the collector
      Poll.until(Duration.ofSeconds(10),
          () -> collector.closedByClient.get() == HttpCollectorSink.ATTEMPTS,
          () -> collector.closedByClient.get() + " connections closed");
    }
  }

  /**
   * Answers every POST with {@code 200} and {@code Content-Length: 100}, sends two bytes of that
   * body and no more; counts the connections and those the client closed.
   */
  static final class StallingCollector implements AutoCloseable {
    final ServerSocket server;
    final AtomicInteger accepted = new AtomicInteger();
    final AtomicInteger closedByClient = new AtomicInteger();

    StallingCollector() throws IOException {
      server = new ServerSocket(0, 16, InetAddress.getLoopbackAddress());
      Thread t = new Thread(this::accept, "stalling-collector");
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
          Thread t = new Thread(() -> stall(s), "stalling-collector-connection");
          t.setDaemon(true);
          t.start();
        } catch (IOException e) {
          return;
        }
      }
    }

    private void stall(Socket s) {
      try (s) {
        InputStream in = s.getInputStream();
        readRequest(in);
        s.getOutputStream().write("HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nab"
            .getBytes(StandardCharsets.US_ASCII));
        s.getOutputStream().flush();
        byte[] buf = new byte[1024];
        while (in.read(buf) >= 0) {
          // the client sends nothing more; it only ever closes
        }
        closedByClient.incrementAndGet();
      } catch (IOException e) {
        closedByClient.incrementAndGet();
      }
    }

    /** Reads the request line, headers and a {@code Content-Length} body. */
    private static void readRequest(InputStream in) throws IOException {
      StringBuilder head = new StringBuilder();
      int c;
      while ((c = in.read()) >= 0) {
        head.append((char) c);
        if (head.length() >= 4 && head.substring(head.length() - 4).equals("\r\n\r\n")) {
          break;
        }
      }
      long length = 0;
      for (String line : head.toString().split("\r\n")) {
        if (line.regionMatches(true, 0, "Content-Length:", 0, 15)) {
          length = Long.parseLong(line.substring(15).trim());
        }
      }
      in.readNBytes((int) length);
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }
}
