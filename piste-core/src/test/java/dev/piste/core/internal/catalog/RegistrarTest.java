package dev.piste.core.internal.catalog;

import static dev.piste.core.testing.Poll.await;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.piste.catalog.ApiDescriptor;
import dev.piste.catalog.CatalogClient;
import dev.piste.catalog.CatalogRegistration;
import dev.piste.catalog.OperationDescriptor;
import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import java.io.IOException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.random.RandomGenerator;
import org.junit.jupiter.api.Test;

final class RegistrarTest {

  /** A catalog that fails its first {@code failures} calls, then records every registration. */
  static final class FlakyCatalog implements CatalogClient {
    final AtomicInteger failuresLeft;
    final AtomicInteger attempts = new AtomicInteger();
    final List<CatalogRegistration> registered = new CopyOnWriteArrayList<>();
    final List<CatalogRegistration> deregistered = new CopyOnWriteArrayList<>();

    FlakyCatalog(int failures) {
      this.failuresLeft = new AtomicInteger(failures);
    }

    @Override
    public void register(CatalogRegistration r) throws IOException {
      attempts.incrementAndGet();
      if (failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        throw new IOException("catalog down");
      }
      registered.add(r);
    }

    @Override
    public void deregister(CatalogRegistration r) {
      deregistered.add(r);
    }
  }

  private static final ApiDescriptor API = ApiDescriptor.builder("invoices", "1.0.0")
      .operation(OperationDescriptor.builder("GET", "/v1/invoices").scopes("invoices:read").build())
      .build();

  private static PisteConfig config(String... extra) {
    Map<String, String> keys = new java.util.HashMap<>(Map.of(
        "piste.catalog.instance-url", "http://127.0.0.1:8080/", "piste.catalog.ttl", "1s",
        "piste.instance-id", "test-instance"));
    for (int i = 0; i < extra.length; i += 2) {
      keys.put(extra[i], extra[i + 1]);
    }
    return PisteConfig.of(keys);
  }

  @Test
  void registersOnceStartedAndDescribedThenHeartbeats() {
    FlakyCatalog catalog = new FlakyCatalog(0);
    try (Piste piste = Piste.builder().config(config()).catalogClient(catalog).build()) {
      piste.start();
      assertThat(catalog.attempts.get()).isZero();
      piste.describe(API);
      await("three registrations (first + two heartbeats)", Duration.ofSeconds(5),
          () -> catalog.registered.size() >= 3);
      CatalogRegistration r = catalog.registered.get(0);
      assertThat(r.instanceId()).isEqualTo("test-instance");
      assertThat(r.instanceUrl().toString()).isEqualTo("http://127.0.0.1:8080/");
      assertThat(r.ttl()).isEqualTo(Duration.ofSeconds(1));
      assertThat(r.contentHash()).startsWith("sha-256:").hasSize(8 + 64);
      assertThat(catalog.registered.get(2).startedAt()).isEqualTo(r.startedAt());
    }
    assertThat(catalog.deregistered).hasSize(1);
  }

  /**
   * A catalog that applies a registration 300 ms after receiving it, whether or not the caller
   * still waits for the answer (as a server does with a request already sent), and a
   * deregistration at once.
   */
  static final class SlowCatalog implements CatalogClient {
    final List<String> applied = new CopyOnWriteArrayList<>();
    final CountDownLatch inFlight = new CountDownLatch(1);
    final ExecutorService server = Executors.newSingleThreadExecutor();

    @Override
    public void register(CatalogRegistration r) throws IOException {
      Future<?> applying = server.submit(() -> {
        inFlight.countDown();
        Thread.sleep(300);
        applied.add("register");
        return null;
      });
      try {
        applying.get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted");
      } catch (ExecutionException e) {
        throw new IOException(e.getCause());
      }
    }

    @Override
    public void deregister(CatalogRegistration r) {
      applied.add("deregister");
    }
  }

  @Test
  void closingDuringAHeartbeatDeregistersAfterTheCatalogHasAppliedIt() throws Exception {
    SlowCatalog catalog = new SlowCatalog();
    try {
      try (Piste piste = Piste.builder().config(config()).catalogClient(catalog).build()) {
        piste.describe(API).start();
        assertThat(catalog.inFlight.await(5, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(catalog.applied).containsExactly("register", "deregister");
    } finally {
      catalog.server.shutdownNow();
    }
  }

  @Test
  void retriesWhileTheCatalogIsDownAndCatchesUpWhenItComesBack() {
    FlakyCatalog catalog = new FlakyCatalog(4);
    try (Piste piste = Piste.builder().config(config()).catalogClient(catalog).build()) {
      piste.describe(API).start();
      await("a registration after four failures", Duration.ofSeconds(10),
          () -> !catalog.registered.isEmpty());
      assertThat(catalog.attempts.get()).isGreaterThanOrEqualTo(5);
    }
  }

  @Test
  void aRequiredCatalogThatStaysDownFailsTheStart() {
    FlakyCatalog catalog = new FlakyCatalog(Integer.MAX_VALUE);
    try (Piste piste = Piste.builder().config(config("piste.catalog.required", "true"))
        .catalogClient(catalog).build()) {
      piste.describe(API);
      assertThatThrownBy(piste::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("piste.catalog.required=true").hasMessageContaining("catalog down");
      assertThat(catalog.attempts.get()).isGreaterThan(1);
    }
  }

  @Test
  void aStartThatTheRequiredCatalogFailedCanBeRetriedAndThenRegistersAndHeartbeats() {
    FlakyCatalog catalog = new FlakyCatalog(Integer.MAX_VALUE);
    try (Piste piste = Piste.builder().config(config("piste.catalog.required", "true"))
        .catalogClient(catalog).build()) {
      piste.describe(API);
      assertThatThrownBy(piste::start).isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("piste.catalog.required=true");
      catalog.failuresLeft.set(0);
      piste.start();
      assertThat(catalog.registered).as("registered before the second start returned").hasSize(1);
      await("a heartbeat after the second start", Duration.ofSeconds(5),
          () -> catalog.registered.size() >= 2);
    }
    assertThat(catalog.deregistered).hasSize(1);
  }

  @Test
  void aRequiredCatalogThatAnswersLetsTheStartReturnRegistered() {
    FlakyCatalog catalog = new FlakyCatalog(1);
    try (Piste piste = Piste.builder().config(config("piste.catalog.required", "true"))
        .catalogClient(catalog).build()) {
      piste.describe(API).start();
      assertThat(catalog.registered).hasSize(1);
    }
  }

  @Test
  void backoffDoublesFromASixthOfTheTtlUpToTheTtlWithJitterInTheUpperHalf() {
    Registrar r = new Registrar(config("piste.catalog.ttl", "60s"), new FlakyCatalog(0), "i",
        new SplittableRandom(7));
    for (int attempt = 1; attempt <= 8; attempt++) {
      long full = Math.min(60_000, 10_000L << (attempt - 1));
      for (int draw = 0; draw < 50; draw++) {
        long ms = r.backoff(attempt).toMillis();
        assertThat(ms).as("attempt %d", attempt).isBetween(full / 2, full);
      }
    }
    r.close();
  }

  /**
   * From a TTL of about 206 s, {@code ttl/6 << (attempt - 1)} overflowed before attempt 30 (a 5 m
   * TTL at attempt 29, an hour and a half into an outage): the delay turned negative, the jitter
   * draw threw, and the retry chain stopped for good.
   */
  @Test
  void backoffStaysWithinHalfTheTtlAndTheTtlForEveryLaterAttemptWhateverTheTtl() {
    for (String ttl : List.of("206s", "5m", "1h", "7d", "366d")) {
      Registrar r = new Registrar(config("piste.catalog.ttl", ttl), new FlakyCatalog(0), "i",
          new SplittableRandom(7));
      Duration cap = PisteConfig.of(Map.of("piste.catalog.ttl", ttl))
          .get(dev.piste.core.internal.config.CatalogKeys.TTL);
      for (int attempt : new int[] {4, 28, 29, 30, 31, 62, 63, 64, 65, 1_000, Integer.MAX_VALUE}) {
        for (int draw = 0; draw < 20; draw++) {
          assertThat(r.backoff(attempt)).as("ttl %s, attempt %d", ttl, attempt)
              .isBetween(cap.dividedBy(2), cap);
        }
      }
      for (int attempt = 1; attempt <= 3; attempt++) {
        Duration full = cap.dividedBy(6).multipliedBy(1L << (attempt - 1));
        assertThat(r.backoff(attempt)).as("ttl %s, attempt %d", ttl, attempt)
            .isBetween(full.dividedBy(2), full);
      }
      r.close();
    }
  }

  /** Randomness whose first bounded draw fails as {@code nextLong(bound)} does for a bad bound. */
  static final class FailingOnceRandom implements RandomGenerator {
    final SplittableRandom delegate = new SplittableRandom(7);
    final AtomicBoolean failed = new AtomicBoolean();

    @Override
    public long nextLong() {
      return delegate.nextLong();
    }

    @Override
    public long nextLong(long bound) {
      if (failed.compareAndSet(false, true)) {
        throw new IllegalArgumentException("bound must be positive");
      }
      return delegate.nextLong(bound);
    }
  }

  @Test
  void keepsRetryingAfterAnUnexpectedErrorInTheRetryLoop() {
    FlakyCatalog catalog = new FlakyCatalog(1);
    FailingOnceRandom random = new FailingOnceRandom();
    try (Registrar r = new Registrar(config(), catalog, "i", random)) {
      r.start();
      r.describe(API);
      await("a registration after the failed attempt and the failed backoff",
          Duration.ofSeconds(10), () -> !catalog.registered.isEmpty());
      assertThat(random.failed).isTrue();
      assertThat(catalog.attempts.get()).isGreaterThanOrEqualTo(2);
      assertThat(r.registered()).isTrue();
    }
  }

  @Test
  void withoutCatalogUrlNothingIsRegisteredButTheDocumentsAreServed() {
    try (Piste piste = Piste.create(PisteConfig.of(Map.of()))) {
      piste.start().describe(API);
      CatalogDocuments docs = piste.catalogDocuments();
      assertThat(docs.find("GET", "/openapi.json", "http://h")).isNotNull();
      assertThat(docs.find("GET", "/.well-known/api-catalog", "http://h").contentType())
          .startsWith("application/linkset+json");
    }
  }
}
