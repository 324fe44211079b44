package dev.piste.core.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.AuditCollectorServer;
import dev.piste.core.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A child JVM records events to the HTTP collector, is killed with SIGKILL in the middle of the
 * run, and is started again on the same spool: every event recorded before its last checkpoint
 * reaches the collector at least once.
 */
final class AuditCrashRecoveryTest {

  @TempDir
  Path dir;

  @Test
  void eventsOfAChildJvmKilledMidRunAreDeliveredAfterItRestartsOnTheSameSpool() throws Exception {
    Path spool = dir.resolve("spool");
    Path log = dir.resolve("child.log");
    try (AuditCollectorServer collector = new AuditCollectorServer(false)) {
      collector.down(true);
      AuditChildProcess[] first = new AuditChildProcess[1];
      first[0] = new AuditChildProcess(log, n -> {
        if (n >= 4000) {
          collector.down(false);
        }
      }, "http", collector.url().toString(), spool.toString(), "40000", "run1");
      Poll.until(Duration.ofSeconds(60), () -> first[0].checkpoint() >= 10_000 || !first[0].alive(),
          () -> "checkpoint " + first[0].checkpoint() + "; " + read(log));
      assertThat(first[0].alive()).as("the child is still running when killed").isTrue();
      first[0].kill();
      int safe = first[0].checkpoint();
      assertThat(first[0].closed()).isFalse();
      int before = collector.distinctEvents();

      AuditChildProcess second = new AuditChildProcess(log, n -> { }, "http",
          collector.url().toString(), spool.toString(), "2000", "run2");
      assertThat(second.await(90)).as(read(log)).isZero();
      assertThat(second.closed()).isTrue();

      Set<String> arrived = collector.requestIds();
      List<String> missing = new ArrayList<>(AuditChildProcess.missing(arrived, "run1", safe));
      missing.addAll(AuditChildProcess.missing(arrived, "run2", 2000));
      long beyond = arrived.stream().filter(r -> r.startsWith("run1-")
          && Integer.parseInt(r.substring(5)) >= safe).count();
      System.out.printf("crash test: killed at checkpoint %d, %d distinct events at the collector"
          + " before the restart, %d after; %d run1 events past the checkpoint also arrived%n",
          safe, before, collector.distinctEvents(), beyond);
      assertThat(missing).as("killed at checkpoint %d; %d events had arrived before the restart",
          safe, before).isEmpty();
      assertThat(before).as("the restart delivered what the first run had spooled")
          .isLessThan(safe + 2000);
    }
  }

  private static String read(Path log) {
    try {
      return Files.exists(log) ? Files.readString(log) : "";
    } catch (java.io.IOException e) {
      return e.toString();
    }
  }
}
