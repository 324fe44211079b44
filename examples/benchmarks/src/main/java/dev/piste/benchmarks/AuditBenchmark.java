package dev.piste.benchmarks;

import dev.piste.AuthenticationMethod;
import dev.piste.Caller;
import dev.piste.PisteRequest;
import dev.piste.audit.AuditSink;
import dev.piste.core.audit.JsonLinesFileSink;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.audit.AuditPipeline;
import dev.piste.core.internal.audit.AuditSinks;
import dev.piste.core.internal.pipeline.ClientIps;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.pipeline.RateLimiter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The audit pipeline's two budgets: what recording one event costs the request thread (target
 * under 1 µs median), and how many events per second it sustains into the JSON-lines file sink
 * (target at least 50,000/s).
 *
 * <pre>
 * mvn -q -pl examples/benchmarks -am package -DskipTests
 * java -jar examples/benchmarks/target/benchmarks.jar AuditBenchmark
 * </pre>
 */
@Fork(value = 1, jvmArgsAppend = {"-Xmx1g", "-Dorg.slf4j.simpleLogger.defaultLogLevel=warn"})
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
public class AuditBenchmark {

  static final OperationPolicy POLICY = new OperationPolicy("InvoiceResource.get",
      "/v1/invoices/{id}", false, Set.of("invoices:read"), List.of(), true);

  /** A typical GET as an adapter presents it. */
  static final class Request implements PisteRequest {
    @Override
    public String method() {
      return "GET";
    }

    @Override
    public String path() {
      return "/v1/invoices/42";
    }

    @Override
    public String query() {
      return "expand=lines&page=2";
    }

    @Override
    public String header(String name) {
      switch (name) {
        case "User-Agent":
          return "invoices-client/2.3 (+https://example.org)";
        case "traceparent":
          return "00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01";
        default:
          return null;
      }
    }

    @Override
    public List<String> headers(String name) {
      String v = header(name);
      return v == null ? List.of() : List.of(v);
    }

    @Override
    public String remoteAddress() {
      return "192.0.2.10";
    }
  }

  static Path tempDir(String prefix) {
    try {
      return Files.createTempDirectory(prefix);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static void delete(Path dir) {
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.sorted(Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(p);
      }
    } catch (IOException e) {
      // a temporary directory left behind
    }
  }

  /** An exchange of an authenticated, allowed request, completed once and recorded many times. */
  static Exchange exchange(Pipeline pipeline) {
    Exchange ex = pipeline.begin(new Request(), POLICY);
    ex.caller(Caller.builder().applicationId("app-1").subject("alice")
        .scopes(Set.of("invoices:read")).method(AuthenticationMethod.JWT).build());
    ex.rateLimitRemaining(41);
    return ex;
  }

  /** The recorder with a sink that discards: what the request thread pays. */
  @State(Scope.Benchmark)
  public static class RecordState {
    AuditPipeline audit;
    Exchange exchange;
    Path spool;

    @Setup(Level.Trial)
    public void setUp() {
      spool = tempDir("piste-bench-spool");
      audit = (AuditPipeline) AuditSinks.recorder(PisteConfig.of(Map.of(
          "piste.audit.spool-dir", spool.toString())), "bench", List.of(AuditSink.none()));
      audit.start();
      Pipeline p = new Pipeline(true, Clock.systemUTC(), "bench", e -> null, RateLimiter.none(),
          audit, ClientIps.none());
      exchange = exchange(p);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
      audit.close();
      System.out.println("\nrecord: " + audit.stats());
      delete(spool);
    }
  }

  /** Request-thread cost of building one redacted event and enqueueing it. */
  @Benchmark
  @BenchmarkMode(Mode.SampleTime)
  @OutputTimeUnit(TimeUnit.NANOSECONDS)
  public void recordEvent(RecordState s) {
    s.audit.record(s.exchange, null);
  }

  /** The pipeline writing to the JSON-lines file sink. */
  @State(Scope.Benchmark)
  public static class FileState {
    AuditPipeline audit;
    Exchange exchange;
    Path dir;

    @Setup(Level.Iteration)
    public void setUp() {
      dir = tempDir("piste-bench-file");
      audit = (AuditPipeline) AuditSinks.recorder(PisteConfig.of(Map.of(
          "piste.audit.sinks", "file",
          "piste.audit.file.path", dir.resolve("audit.jsonl").toString(),
          "piste.audit.spool-dir", dir.resolve("spool").toString())), "bench", List.of());
      audit.start();
      Pipeline p = new Pipeline(true, Clock.systemUTC(), "bench", e -> null, RateLimiter.none(),
          audit, ClientIps.none());
      exchange = exchange(p);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
      audit.close();
      System.out.println("\nfile: " + audit.stats());
      delete(dir);
    }
  }

  static final int BATCH = 10_000;

  /**
   * Records 10,000 events and waits until the file sink has written all of them: the score is
   * sustained events per second, end to end.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public long sustainedToFile(FileState s) {
    long target = s.audit.stats().delivered.get() + BATCH;
    for (int i = 0; i < BATCH; i++) {
      s.audit.record(s.exchange, null);
    }
    long d;
    while ((d = s.audit.stats().delivered.get()) < target) {
      LockSupport.parkNanos(50_000);
    }
    return d;
  }

  /** The file sink behind a switch: while off, every write fails and the pipeline spools. */
  @State(Scope.Benchmark)
  public static class ReplayState {
    AuditPipeline audit;
    Exchange exchange;
    Path dir;
    volatile boolean down;

    @Setup(Level.Iteration)
    public void setUp() {
      dir = tempDir("piste-bench-replay");
      JsonLinesFileSink file = new JsonLinesFileSink(dir.resolve("audit.jsonl"), 100L << 20,
          Clock.systemUTC());
      AuditSink switched = batch -> {
        if (down) {
          throw new java.io.IOException("down");
        }
        file.write(batch);
      };
      audit = (AuditPipeline) AuditSinks.recorder(PisteConfig.of(Map.of(
          "piste.audit.spool-dir", dir.resolve("spool").toString())), "bench",
          List.of(switched));
      audit.start();
      Pipeline p = new Pipeline(true, Clock.systemUTC(), "bench", e -> null, RateLimiter.none(),
          audit, ClientIps.none());
      exchange = exchange(p);
    }

    @TearDown(Level.Iteration)
    public void tearDown() {
      audit.close();
      System.out.println("\nreplay: " + audit.stats());
      delete(dir);
    }
  }

  /**
   * With the sink down, records 10,000 events (they go to the spool); then brings the sink back
   * and waits until all are delivered from the spool: the rate at which a backlog drains (spool
   * write, read-back, parse, file write), end to end.
   */
  @Benchmark
  @BenchmarkMode(Mode.Throughput)
  @OutputTimeUnit(TimeUnit.SECONDS)
  @OperationsPerInvocation(BATCH)
  public long spoolAndReplayToFile(ReplayState s) {
    s.down = true;
    long spooled = s.audit.stats().spooled.get() + BATCH;
    long target = s.audit.stats().delivered.get() + BATCH;
    for (int i = 0; i < BATCH; i++) {
      s.audit.record(s.exchange, null);
    }
    while (s.audit.stats().spooled.get() < spooled) {
      LockSupport.parkNanos(50_000);
    }
    s.down = false;
    long d;
    while ((d = s.audit.stats().delivered.get()) < target) {
      LockSupport.parkNanos(50_000);
    }
    return d;
  }
}
