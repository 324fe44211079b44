package dev.piste.benchmarks;

import dev.piste.core.PisteConfig;
import dev.piste.core.testing.JwksServer;
import dev.piste.core.testing.TokenFactory;
import dev.piste.examples.invoices.InvoicesApi;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end load run on loopback: the example API's {@code GET /v1/invoices/{id}} served twice by
 * the same process, (1) with the library switched off ({@code piste.enabled=false}) and (2) with
 * token validation, a memory-store rate limit high enough never to reject, and the file audit sink
 * all on. wrk (Debian package {@code wrk}) drives both with the same connection count, alternating
 * rounds after a warm-up, and the run reports requests/s and p50/p99 latency of each and their ratio.
 *
 * <p>Both servers receive the same request, {@code Authorization} header included, so that the
 * difference is the library's work; {@code -Dloadrun.bareWithoutToken=true} sends the unprotected
 * server no header instead.
 *
 * <pre>java -cp examples/benchmarks/target/benchmarks.jar dev.piste.benchmarks.LoadRun [rounds] [seconds] [connections]</pre>
 */
public final class LoadRun {

  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern PCT = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$");

  record Result(double rps, double p50Micros, double p99Micros, long non2xx) {}

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 3;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 10;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");

    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    Path auditDir = Files.createTempDirectory("piste-load-audit");
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa());
        InvoicesApi bare = InvoicesApi.start("127.0.0.1", 0,
            PisteConfig.of(java.util.Map.of("piste.enabled", "false")));
        InvoicesApi protectedApi = InvoicesApi.start("127.0.0.1", 0,
            TokenFactory.config(Clock.systemUTC(), jwks.uri())
                .property("piste.api.id", "invoices")
                .property("piste.ratelimit.plans.load", "1000000000/s; 100000000000/day")
                .property("piste.ratelimit.default-plan", "load")
                .property("piste.audit.sinks", "file")
                .property("piste.audit.file.path", auditDir.resolve("audit.jsonl").toString())
                .property("piste.audit.spool-dir", auditDir.resolve("spool").toString())
                .build())) {
      String token = tokens.valid();
      String path = "/v1/invoices/INV-00001";
      String bareUrl = "http://127.0.0.1:" + bare.port() + path;
      String protectedUrl = "http://127.0.0.1:" + protectedApi.port() + path;

      // Both runs send the very same request, Authorization header included: the difference is the
      // library's work, not the parsing of a longer request (a JWT header costs Jetty's parser too).
      String bareToken = Boolean.getBoolean("loadrun.bareWithoutToken") ? null : token;
      System.out.printf("warm-up: %ds each%n", seconds);
      wrk(bareUrl, bareToken, seconds, connections);
      wrk(protectedUrl, token, seconds, connections);

      List<Result> bareResults = new ArrayList<>();
      List<Result> protectedResults = new ArrayList<>();
      for (int i = 0; i < rounds; i++) {
        bareResults.add(wrk(bareUrl, bareToken, seconds, connections));
        protectedResults.add(wrk(protectedUrl, token, seconds, connections));
        System.out.printf(Locale.ROOT, "round %d: bare %s | protected %s%n", i + 1,
            bareResults.get(i), protectedResults.get(i));
      }
      Result b = median(bareResults);
      Result p = median(protectedResults);
      System.out.printf(Locale.ROOT, "%n%-34s %12s %10s %10s%n", "median of " + rounds + " rounds", "req/s",
          "p50 (µs)", "p99 (µs)");
      System.out.printf(Locale.ROOT, "%-34s %12.0f %10.0f %10.0f%n", "unprotected (piste.enabled=false)",
          b.rps(), b.p50Micros(), b.p99Micros());
      System.out.printf(Locale.ROOT, "%-34s %12.0f %10.0f %10.0f%n", "token + rate limit + audit",
          p.rps(), p.p50Micros(), p.p99Micros());
      System.out.printf(Locale.ROOT, "%-34s %11.1f%% %+10.0f %+10.0f%n", "protected / unprotected",
          100 * p.rps() / b.rps(), p.p50Micros() - b.p50Micros(), p.p99Micros() - b.p99Micros());
      long denied = protectedResults.stream().mapToLong(Result::non2xx).sum();
      System.out.println("non-2xx answers of the protected runs: " + denied);
      System.out.println("audit lines written: " + countLines(auditDir));
    }
  }

  private static Result median(List<Result> results) {
    List<Result> byRps = new ArrayList<>(results);
    byRps.sort((x, y) -> Double.compare(x.rps(), y.rps()));
    return byRps.get(byRps.size() / 2);
  }

  private static long countLines(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      long n = 0;
      for (Path f : files.filter(f -> f.getFileName().toString().startsWith("audit")).toList()) {
        try (var lines = Files.lines(f)) {
          n += lines.count();
        }
      }
      return n;
    }
  }

  static Result wrk(String url, String token, int seconds, int connections)
      throws IOException, InterruptedException {
    List<String> cmd = new ArrayList<>(List.of("wrk", "--latency", "-t", "1", "-c",
        Integer.toString(connections), "-d", seconds + "s", "--timeout", "5s"));
    if (token != null) {
      cmd.add("-H");
      cmd.add("Authorization: Bearer " + token);
    }
    cmd.add(url);
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    double rps = 0;
    double p50 = 0;
    double p99 = 0;
    long non2xx = 0;
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        Matcher m = RPS.matcher(line);
        if (m.find()) {
          rps = Double.parseDouble(m.group(1));
        }
        Matcher q = PCT.matcher(line);
        if (q.find()) {
          double v = Double.parseDouble(q.group(2)) * switch (q.group(3)) {
            case "us" -> 1;
            case "ms" -> 1_000;
            default -> 1_000_000;
          };
          if (q.group(1).equals("50")) {
            p50 = v;
          } else {
            p99 = v;
          }
        }
        if (line.contains("Non-2xx or 3xx responses:")) {
          non2xx = Long.parseLong(line.substring(line.indexOf(':') + 1).trim());
        }
      }
    }
    if (p.waitFor() != 0) {
      throw new IllegalStateException("wrk failed; is the Debian package wrk installed?");
    }
    return new Result(rps, p50, p99, non2xx);
  }
}
