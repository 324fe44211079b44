package dev.piste.core.audit;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntConsumer;

/** Runs {@link AuditChildMain} in a child JVM with the test class path and follows its checkpoints. */
final class AuditChildProcess {

  private final Process process;
  private final AtomicInteger checkpoint = new AtomicInteger();
  private final Thread reader;
  private volatile boolean closed;
  private volatile boolean produced;

  AuditChildProcess(Path log, IntConsumer onCheckpoint, String... args) throws IOException {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.add("-Xmx256m");
    cmd.add("-XX:+UseSerialGC");
    cmd.add("-Dorg.slf4j.simpleLogger.defaultLogLevel=warn");
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(AuditChildMain.class.getName());
    cmd.addAll(List.of(args));
    process = new ProcessBuilder(cmd).redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()))
        .start();
    reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          if (line.startsWith("checkpoint ")) {
            int n = Integer.parseInt(line.substring(11).trim());
            checkpoint.set(n);
            onCheckpoint.accept(n);
          } else if (line.startsWith("produced")) {
            produced = true;
          } else if (line.startsWith("closed")) {
            closed = true;
          }
        }
      } catch (IOException e) {
        // the child died
      }
    }, "audit-child-reader");
    reader.setDaemon(true);
    reader.start();
  }

  /** SIGKILL: no shutdown hook, no drain. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(20, TimeUnit.SECONDS);
    reader.join(10_000);
  }

  /** Waits for a normal exit; returns its status. */
  int await(long seconds) throws InterruptedException {
    if (!process.waitFor(seconds, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      throw new AssertionError("child JVM did not finish within " + seconds + "s");
    }
    reader.join(10_000);
    return process.exitValue();
  }

  /** The last checkpoint the child printed: every event before it was safe. */
  /**
   * The request ids {@code run-0} to {@code run-(count-1)} that are not in {@code arrived}: the
   * events of a run that never reached the destination.
   */
  static List<String> missing(Set<String> arrived, String run, int count) {
    List<String> missing = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      if (!arrived.contains(run + "-" + i)) {
        missing.add(run + "-" + i);
      }
    }
    return missing;
  }

  int checkpoint() {
    return checkpoint.get();
  }

  /** Whether the child recorded all its events (with {@code hold}, it then waits for {@link #release}). */
  boolean produced() {
    return produced;
  }

  /** Lets a child started with {@code hold} go on to close. */
  void release() throws IOException {
    process.getOutputStream().write('\n');
    process.getOutputStream().flush();
  }

  boolean closed() {
    return closed;
  }

  boolean alive() {
    return process.isAlive();
  }
}
