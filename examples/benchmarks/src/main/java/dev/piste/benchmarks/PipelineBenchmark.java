package dev.piste.benchmarks;

import dev.piste.core.Piste;
import dev.piste.core.PisteConfig;
import dev.piste.core.internal.pipeline.Exchange;
import dev.piste.core.internal.pipeline.OperationPolicy;
import dev.piste.core.internal.pipeline.Pipeline;
import dev.piste.core.internal.problem.Problem;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TestRequest;
import dev.piste.core.testing.TokenFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The whole enforcement pipeline for one request through core, as an adapter drives it: begin
 * (correlation), enforce (cached token, scopes, local rate-limit check), complete (audit enqueue to
 * the file sink). {@code stages} switches stages on one by one so that each stage's cost is the
 * difference with the row before it:
 *
 * <ul>
 *   <li>{@code none}: enforcement off ({@code piste.enabled=false}): the adapter's pass-through;
 *   <li>{@code correlation}: a public operation, rate limits and audit off;
 *   <li>{@code token}: + a repeated RS256 token through the verified-token cache and the scope check;
 *   <li>{@code token+ratelimit}: + the caller's plan in the memory store;
 *   <li>{@code all}: + the audit event, enqueued for the file sink.
 * </ul>
 *
 * <p>{@code onePass} runs the pipeline back to back: its code and data stay in the core's caches.
 * {@code coldCaches} first writes 1 MiB of other memory (outside the measured time), as the
 * container, the framework and the application do between two passes of one request thread in a
 * server: it shows what the same work costs with its data to be fetched again, which is what the
 * end-to-end load run sees.
 */
@BenchmarkMode({Mode.SampleTime})
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(value = 1, jvmArgsAppend = {"-Xms1g", "-Xmx1g"})
@State(Scope.Benchmark)
public class PipelineBenchmark {

  @Param({"none", "correlation", "token", "token+ratelimit", "all"})
  public String stages;

  private JwksServer jwks;
  private Piste piste;
  private Pipeline pipeline;
  private TestRequest request;
  private OperationPolicy policy;
  private Path auditDir;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    jwks = JwksServer.start().keys(tokens.rsa());
    auditDir = Files.createTempDirectory("piste-bench-audit");
    PisteConfig.Builder config = TokenFactory.config(Clock.systemUTC(), jwks.uri())
        .property("piste.ratelimit.plans.bench", "1000000000/s; 100000000000/day")
        .property("piste.ratelimit.default-plan", "bench")
        .property("piste.audit.sinks", "file")
        .property("piste.audit.file.path", auditDir.resolve("audit.jsonl").toString())
        .property("piste.audit.spool-dir", auditDir.resolve("spool").toString());
    boolean publicOperation = false;
    switch (stages) {
      case "none" -> config.property("piste.enabled", "false");
      case "correlation" -> {
        publicOperation = true;
        config.property("piste.ratelimit.enabled", "false").property("piste.audit.enabled", "false");
      }
      case "token" -> config.property("piste.ratelimit.enabled", "false")
          .property("piste.audit.enabled", "false");
      case "token+ratelimit" -> config.property("piste.audit.enabled", "false");
      case "all" -> { }
      default -> throw new IllegalArgumentException(stages);
    }
    piste = Piste.create(config.build()).start();
    pipeline = piste.pipeline();
    request = TestRequest.get("/v1/invoices/INV-00001")
        .header("Authorization", "Bearer " + (publicOperation ? "" : tokens.valid()).trim())
        .header("User-Agent", "jmh")
        .remoteAddress("127.0.0.1");
    if (publicOperation) {
      request = TestRequest.get("/v1/status").header("User-Agent", "jmh").remoteAddress("127.0.0.1");
    }
    policy = new OperationPolicy("InvoiceResource.get", "/v1/invoices/{id}", publicOperation,
        publicOperation ? Set.of() : Set.of("invoices:read"), List.of(), true);
    if (onePass() != null) {
      throw new IllegalStateException("the benchmark request is denied: " + stages);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    piste.close();
    jwks.close();
    // a trial of `all` writes gigabytes of audit lines
    AuditBenchmark.delete(auditDir);
  }

  /** Memory written before each {@code coldCaches} pass: more than the core's L1 and L2 caches. */
  @State(Scope.Thread)
  public static class OtherWork {
    private static final int BYTES = 1 << 20;
    private final long[] memory = new long[BYTES / Long.BYTES];

    @Setup(Level.Invocation)
    public void evict() {
      long[] m = memory;
      for (int i = 0; i < m.length; i += 8) {
        m[i]++;
      }
    }
  }

  @Benchmark
  public Problem coldCaches(OtherWork otherWork) {
    return onePass();
  }

  @Benchmark
  public Problem onePass() {
    if (!pipeline.enabled()) {
      return null;
    }
    Exchange ex = pipeline.begin(request, policy);
    Problem p = pipeline.enforce(ex);
    pipeline.complete(ex, p == null ? 200 : p.status(), 0, 512, null);
    return p;
  }
}
