package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.testing.Poll;
import dev.piste.core.testing.TestRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Supplier;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A custom sink that throws an {@link Error} fails its batch as one that throws an exception: the
 * batch goes to the spool and is re-delivered, and the sink's delivery thread goes on.
 */
final class SinkErrorTest {

  private static final OperationPolicy LIST = AuditHarness.policy("InvoiceResource.list",
      "/v1/invoices");

  @TempDir
  Path dir;

  static Stream<Arguments> errors() {
    return Stream.of(
        Arguments.of("OutOfMemoryError", (Supplier<Error>) () -> new OutOfMemoryError("test")),
        Arguments.of("StackOverflowError", (Supplier<Error>) StackOverflowError::new),
        Arguments.of("AssertionError", (Supplier<Error>) () -> new AssertionError("test")));
  }

  /** Throws {@code error} on its first write, then keeps the request ids of what it is given. */
  private static final class OnceFailingSink implements AuditSink {
    final Set<String> requestIds = ConcurrentHashMap.newKeySet();
    private final AtomicBoolean first = new AtomicBoolean(true);
    private final Supplier<Error> error;

    OnceFailingSink(Supplier<Error> error) {
      this.error = error;
    }

    @Override
    public void write(List<AuditEvent> batch) {
      if (first.compareAndSet(true, false)) {
        throw error.get();
      }
      batch.forEach(e -> requestIds.add(e.requestId()));
    }
  }

  private static void serve(AuditHarness h, int from, int to) {
    for (int i = from; i < to; i++) {
      h.serve(TestRequest.get("/v1/invoices").header("X-API-Key", "k")
          .header("X-Request-Id", "r-" + i), LIST, null);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("errors")
  void aSinkThatThrowsAnErrorOnceGetsEveryEventAfterwards(String name, Supplier<Error> error) {
    OnceFailingSink sink = new OnceFailingSink(error);
    AuditHarness h = new AuditHarness(Map.of("piste.audit.spool-dir", dir.toString(),
        "piste.audit.flush-interval", "10ms"), sink);
    try {
      serve(h, 0, 1);
      Poll.until(Duration.ofSeconds(10), () -> h.audit.stats().failedDeliveries.get() == 1,
          () -> h.audit.stats().toString());
      serve(h, 1, 200);
      Poll.until(Duration.ofSeconds(10), () -> sink.requestIds.size() == 200,
          () -> sink.requestIds.size() + " of 200 delivered; " + h.audit.stats());
      serve(h, 200, 300);
    } finally {
      h.close();
    }
    // close drained the last ones: the thread that delivers to this sink is still there
    assertThat(sink.requestIds).hasSize(300);
    assertThat(h.audit.stats().lost.get()).isZero();
    assertThat(h.audit.stats().spooled.get()).isPositive();
  }
}
