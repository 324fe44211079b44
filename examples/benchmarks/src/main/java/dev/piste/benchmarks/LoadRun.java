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
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * End-to-end load run on loopback: the example API's {@code GET /v1/invoices/{id}} served twice by
 * the same process, (1) with the library switched off ({@code piste.enabled=false}) and (2) with
 * token validation, a memory-store rate limit high enough never to reject, and the file audit sink
 * all on. wrk (Debian package {@code wrk}) drives both with the same connection count: three
 * alternating warm-up pairs, then paired rounds (the order alternating within the pairs). The run
 * reports requests/s, p50/p99 latency and CPU per request of each, and the median of the pairs'
 * throughput ratios.
 *
 * <p>Both servers receive the same request, {@code Authorization} header included, so that the
 * difference is the library's work; {@code -Dloadrun.bareWithoutToken=true} sends the unprotected
 * server no header instead. {@code -Dloadrun.stages=token,ratelimit,audit} (the default) chooses
 * what the protected server runs, to see each stage's share.
 *
 * <pre>java -cp examples/benchmarks/target/benchmarks.jar dev.piste.benchmarks.LoadRun [pairs=15] [seconds=5] [connections=16]</pre>
 */
public final class LoadRun {

  private static final int WARM_UP_PAIRS = 3;
  private static final Pattern RPS = Pattern.compile("Requests/sec:\\s+([0-9.]+)");
  private static final Pattern PCT = Pattern.compile("^\\s+(50|99)%\\s+([0-9.]+)(us|ms|s)\\s*$");
  private static final Pattern REQUESTS = Pattern.compile("^\\s*([0-9]+) requests in");

  /**
   * One wrk round. {@code cpuMicros} is the CPU time of this whole process (every thread: Jetty,
   * the audit threads, GC, JIT) per request served, over the round: only the server under load
   * works then, so it is that server's cost per request, less sensitive to a noisy neighbour than
   * the throughput. {@code kernelMicros} is the part of it spent in the kernel (sockets, file
   * writes), {@code auditMicros} the part spent by the audit pipeline's own threads (which live as
   * long as the engine, so their CPU time is never lost with a thread that ended). {@code
   * wrkMicros} is wrk's own CPU time (user and kernel) per request; what the two cores spent
   * beyond the two is the kernel's work outside both processes or idle time; {@code
   * softirqMicros} is the part of it the machine's {@code /proc/stat} counts as softirq (the
   * loopback's packets, block I/O completions) and {@code idleMicros} the part it counts as idle.
   * {@code stealMicros} is the time the hypervisor gave the machine's virtual cores to other
   * guests, per request: a round with much of it ran on a machine shared with other work.
   */
  record Result(double rps, double p50Micros, double p99Micros, long non2xx, double cpuMicros,
      double kernelMicros, double auditMicros, double wrkMicros, double softirqMicros,
      double idleMicros, double stealMicros) {
    @Override
    public String toString() {
      return String.format(Locale.ROOT, "%.0f req/s, p50 %.0f µs, p99 %.0f µs, %.1f µs CPU/req"
          + " (kernel %.1f, audit threads %.1f), wrk %.1f, softirq %.1f, idle %.1f, steal %.1f"
          + " µs/req", rps, p50Micros, p99Micros, cpuMicros, kernelMicros, auditMicros, wrkMicros,
          softirqMicros, idleMicros, stealMicros);
    }
  }

  public static void main(String[] args) throws Exception {
    int rounds = args.length > 0 ? Integer.parseInt(args[0]) : 15;
    int seconds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
    int connections = args.length > 2 ? Integer.parseInt(args[2]) : 16;
    if (System.getProperty("org.slf4j.simpleLogger.defaultLogLevel") == null) {
      System.setProperty("org.slf4j.simpleLogger.defaultLogLevel", "warn");
    }

    Set<String> stages = Set.of(System.getProperty("loadrun.stages", "token,ratelimit,audit")
        .split(","));
    TokenFactory tokens = TokenFactory.using(Clock.systemUTC());
    Path auditDir = Files.createTempDirectory("piste-load-audit");
    PisteConfig.Builder protectedConfig = TokenFactory.config(Clock.systemUTC(), null)
        .property("piste.api.id", "invoices");
    if (stages.contains("ratelimit")) {
      protectedConfig.property("piste.ratelimit.plans.load", "1000000000/s; 100000000000/day")
          .property("piste.ratelimit.default-plan", "load");
    } else {
      protectedConfig.property("piste.ratelimit.enabled", "false");
    }
    if (stages.contains("audit")) {
      protectedConfig.property("piste.audit.sinks", "file")
          .property("piste.audit.file.path", auditDir.resolve("audit.jsonl").toString())
          .property("piste.audit.spool-dir", auditDir.resolve("spool").toString());
    } else {
      protectedConfig.property("piste.audit.enabled", "false");
    }
    System.out.println("protected server stages: " + new TreeSet<>(stages));
    try (JwksServer jwks = JwksServer.start().keys(tokens.rsa());
        InvoicesApi bare = InvoicesApi.start("127.0.0.1", 0,
            PisteConfig.of(java.util.Map.of("piste.enabled", "false")));
        InvoicesApi protectedApi = InvoicesApi.start("127.0.0.1", 0,
            protectedConfig.property("piste.token.jwks-uri", jwks.uri().toString()).build())) {
      String token = tokens.valid();
      String path = "/v1/invoices/INV-00001";
      String bareUrl = "http://127.0.0.1:" + bare.port() + path;
      String protectedUrl = "http://127.0.0.1:" + protectedApi.port() + path;

      // Both runs send the very same request, Authorization header included: the difference is the
      // library's work, not the parsing of a longer request (a JWT header costs Jetty's parser too).
      String bareToken = Boolean.getBoolean("loadrun.bareWithoutToken") ? null : token;
      // The JIT compiles what both servers run (Jetty, Jersey, the adapter) from the profile of
      // both: warm up alternately, so that neither round of a pair runs on code compiled for the
      // other alone.
      for (int i = 0; i < WARM_UP_PAIRS; i++) {
        System.out.printf(Locale.ROOT, "warm-up %d: bare %s | protected %s%n", i + 1,
            wrk(bareUrl, bareToken, seconds, connections), wrk(protectedUrl, token, seconds, connections));
      }

      // Paired rounds, the order alternating within the pairs, so that a drift of the machine's
      // speed (a noisy neighbour) weighs on both sides alike; the ratio of each pair is taken
      // before the median.
      List<Result> bareResults = new ArrayList<>();
      List<Result> protectedResults = new ArrayList<>();
      double[] ratios = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        Result bareRound;
        Result protectedRound;
        if (i % 2 == 0) {
          bareRound = wrk(bareUrl, bareToken, seconds, connections);
          protectedRound = wrk(protectedUrl, token, seconds, connections);
        } else {
          protectedRound = wrk(protectedUrl, token, seconds, connections);
          bareRound = wrk(bareUrl, bareToken, seconds, connections);
        }
        bareResults.add(bareRound);
        protectedResults.add(protectedRound);
        ratios[i] = protectedRound.rps() / bareRound.rps();
        System.out.printf(Locale.ROOT, "pair %d: bare %s | protected %s | %.1f%%%n", i + 1,
            bareRound, protectedRound, 100 * ratios[i]);
      }
      double[] sortedRatios = ratios.clone();
      java.util.Arrays.sort(sortedRatios);
      double ratio = sortedRatios.length % 2 == 1 ? sortedRatios[sortedRatios.length / 2]
          : (sortedRatios[sortedRatios.length / 2 - 1] + sortedRatios[sortedRatios.length / 2]) / 2;
      System.out.printf(Locale.ROOT, "%n%-34s %12s %10s %10s %14s %14s %14s%n",
          "median of " + rounds + " pairs", "req/s", "p50 (µs)", "p99 (µs)", "CPU/req (µs)",
          "wrk/req (µs)", "rest/req (µs)");
      double[] b = medians(bareResults);
      double[] pr = medians(protectedResults);
      System.out.printf(Locale.ROOT, "%-34s %12.0f %10.0f %10.0f %14.1f %14.1f %14.1f%n",
          "unprotected (piste.enabled=false)", b[0], b[1], b[2], b[3], b[4], b[5]);
      System.out.printf(Locale.ROOT, "%-34s %12.0f %10.0f %10.0f %14.1f %14.1f %14.1f%n",
          "token" + (stages.contains("ratelimit") ? " + rate limit" : "")
              + (stages.contains("audit") ? " + audit" : ""), pr[0], pr[1], pr[2], pr[3], pr[4],
          pr[5]);
      System.out.printf(Locale.ROOT, "%-34s %11.1f%% %+10.0f %+10.0f %+14.1f %+14.1f %+14.1f%n",
          "protected / unprotected", 100 * ratio, pr[1] - b[1], pr[2] - b[2], pr[3] - b[3],
          pr[4] - b[4], pr[5] - b[5]);
      System.out.println("rest/req: the time of all cores per request less this process's and"
          + " wrk's CPU time (the kernel's work outside both, idle time, or steal)");
      System.out.printf(Locale.ROOT, "of which softirq %.1f / %.1f µs/req, idle %.1f / %.1f µs/req"
          + " (unprotected / protected, medians)%n", medianOf(bareResults, Result::softirqMicros),
          medianOf(protectedResults, Result::softirqMicros), medianOf(bareResults, Result::idleMicros),
          medianOf(protectedResults, Result::idleMicros));
      System.out.printf(Locale.ROOT, "steal (the cores given to other guests) %.1f / %.1f µs/req,"
          + " at most %.1f in one round%n", medianOf(bareResults, Result::stealMicros),
          medianOf(protectedResults, Result::stealMicros), java.util.stream.Stream.concat(
              bareResults.stream(), protectedResults.stream())
              .mapToDouble(Result::stealMicros).max().orElse(0));
      System.out.printf(Locale.ROOT, "throughput ratio of each pair, sorted:");
      for (double r : sortedRatios) {
        System.out.printf(Locale.ROOT, " %.1f%%", 100 * r);
      }
      System.out.println();
      long denied = protectedResults.stream().mapToLong(Result::non2xx).sum();
      System.out.println("non-2xx answers of the protected runs: " + denied);
      System.out.println("audit lines written: " + countLines(auditDir));
    } finally {
      deleteTree(auditDir);
    }
  }

  private static void deleteTree(Path dir) throws IOException {
    try (var files = Files.walk(dir)) {
      for (Path f : files.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(f);
      }
    }
  }

  /**
   * The medians of requests/s, p50, p99, CPU per request, wrk's CPU per request and the rest of the
   * cores' time per request, each taken on its own.
   */
  private static double[] medians(List<Result> results) {
    int cores = Runtime.getRuntime().availableProcessors();
    return new double[] {medianOf(results, Result::rps), medianOf(results, Result::p50Micros),
        medianOf(results, Result::p99Micros), medianOf(results, Result::cpuMicros),
        medianOf(results, Result::wrkMicros),
        medianOf(results, r -> cores * 1e6 / r.rps() - r.cpuMicros() - r.wrkMicros())};
  }

  private static double medianOf(List<Result> results, java.util.function.ToDoubleFunction<Result> f) {
    double[] v = results.stream().mapToDouble(f).sorted().toArray();
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static long processCpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) java.lang.management.ManagementFactory
        .getOperatingSystemMXBean()).getProcessCpuTime();
  }

  /** Kernel CPU time of this process in nanoseconds ({@code stime} of /proc/self/stat), or 0. */
  private static long kernelCpuNanos() {
    try {
      String stat = Files.readString(Path.of("/proc/self/stat"));
      String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(f[12]) * 10_000_000L; // clock ticks of 10 ms
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /**
   * The machine's softirq, idle (with iowait) and steal time in nanoseconds, from the {@code cpu}
   * line of /proc/stat (clock ticks of 10 ms), or zeros.
   */
  private static long[] machineNanos() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      long softirq = Long.parseLong(f[7]);
      long steal = f.length > 8 ? Long.parseLong(f[8]) : 0;
      return new long[] {softirq * 10_000_000L, idle * 10_000_000L, steal * 10_000_000L};
    } catch (IOException | RuntimeException e) {
      return new long[3];
    }
  }

  /** CPU time in nanoseconds of the live threads whose name starts with {@code prefix}. */
  private static long threadCpuNanos(String prefix) {
    java.lang.management.ThreadMXBean threads = java.lang.management.ManagementFactory.getThreadMXBean();
    long total = 0;
    for (Thread t : Thread.getAllStackTraces().keySet()) {
      if (t.getName().startsWith(prefix)) {
        total += Math.max(0, threads.getThreadCpuTime(t.getId()));
      }
    }
    return total;
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

  private static final Pattern TIMES = Pattern.compile("^(\\d+)m([0-9.]+)s\\s+(\\d+)m([0-9.]+)s$");

  /** The children's user + system time of bash's {@code times} line ({@code 0m1.234s 0m0.567s}). */
  private static double childrenCpuNanos(String line) {
    Matcher m = TIMES.matcher(line.trim());
    if (!m.matches()) {
      return 0;
    }
    double seconds = Integer.parseInt(m.group(1)) * 60 + Double.parseDouble(m.group(2))
        + Integer.parseInt(m.group(3)) * 60 + Double.parseDouble(m.group(4));
    return seconds * 1e9;
  }

  static Result wrk(String url, String token, int seconds, int connections)
      throws IOException, InterruptedException {
    // bash's `times` gives wrk's CPU time (the shell's children) once it has exited
    List<String> cmd = new ArrayList<>(List.of("bash", "-c", "wrk \"$@\"; s=$?; times; exit $s",
        "wrk", "--latency", "-t", "1", "-c",
        Integer.toString(connections), "-d", seconds + "s", "--timeout", "5s"));
    if (token != null) {
      cmd.add("-H");
      cmd.add("Authorization: Bearer " + token);
    }
    cmd.add(url);
    long cpuBefore = processCpuNanos();
    long kernelBefore = kernelCpuNanos();
    long auditBefore = threadCpuNanos("piste-audit-");
    long[] machineBefore = machineNanos();
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
    double rps = 0;
    double p50 = 0;
    double p99 = 0;
    long non2xx = 0;
    long requests = 0;
    List<String> lines = new ArrayList<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(p.getInputStream(),
        StandardCharsets.UTF_8))) {
      String line;
      while ((line = r.readLine()) != null) {
        lines.add(line);
        Matcher m = RPS.matcher(line);
        if (m.find()) {
          rps = Double.parseDouble(m.group(1));
        }
        Matcher n = REQUESTS.matcher(line);
        if (n.find()) {
          requests = Long.parseLong(n.group(1));
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
    double perRequest = requests == 0 ? 0 : 1.0 / 1000 / requests;
    double wrkNanos = lines.isEmpty() ? 0 : childrenCpuNanos(lines.get(lines.size() - 1));
    long[] machine = machineNanos();
    return new Result(rps, p50, p99, non2xx, (processCpuNanos() - cpuBefore) * perRequest,
        (kernelCpuNanos() - kernelBefore) * perRequest,
        (threadCpuNanos("piste-audit-") - auditBefore) * perRequest, wrkNanos * perRequest,
        (machine[0] - machineBefore[0]) * perRequest, (machine[1] - machineBefore[1]) * perRequest,
        (machine[2] - machineBefore[2]) * perRequest);
  }
}
