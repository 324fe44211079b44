package dev.piste.benchmarks;

import dev.piste.core.PisteConfig;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Warmup;

/** Start-up cost of parsing and validating a typical configuration (done once per engine). */
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ConfigParseBenchmark {

  private static final Map<String, String> PROPERTIES = Map.of(
      "piste.token.jwks-uri", "https://idp.example/jwks",
      "piste.token.issuer", "https://idp.example",
      "piste.token.audience", "invoices",
      "piste.ratelimit.plans.gold", "100/s burst 200; 1000000/day",
      "piste.ratelimit.plans.free", "5/s; 10000/day",
      "piste.ratelimit.default-plan", "free");

  @Benchmark
  public PisteConfig parse() {
    return PisteConfig.of(PROPERTIES);
  }
}
