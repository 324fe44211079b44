package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.core.testing.Stderr;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

final class LossReporterTest {

  @Test
  void lossesAfterTheFirstLineAreLoggedByThePeriodicCheckNotOnlyAtClose() {
    LossReporter r = new LossReporter();
    IOException full = new IOException("spool full");
    r.report("file", 1, full);
    assertThat(r.logged()).isEqualTo(1);
    r.report("file", 50_000, full);
    assertThat(r.logged()).as("within ten seconds of the first line").isEqualTo(1);

    r.tick(System.nanoTime());
    assertThat(r.logged()).as("the check before the ten seconds are up").isEqualTo(1);
    r.tick(System.nanoTime() + TimeUnit.SECONDS.toNanos(11));
    assertThat(r.logged()).isEqualTo(50_001);
    r.tick(System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    assertThat(r.logged()).as("nothing new, no line").isEqualTo(50_001);
  }

  /** The lines {@code r} writes on the {@code piste.audit.loss} logger (slf4j-simple, stderr). */
  static String lossLog(Runnable r) {
    return Stderr.during(r::run).lines()
        .filter(l -> l.contains(" piste.audit.loss ")).collect(Collectors.joining("\n"));
  }

  @Test
  void eventsASinkRefusedForGoodAreInTheRunningTotalByTheirSink() {
    LossReporter r = new LossReporter();
    String log = lossLog(() -> {
      r.rejected("http", 3);
      r.flush();
    });
    assertThat(r.total()).isEqualTo(3);
    assertThat(log).contains("3 event(s) refused for good by sink http")
        .contains("3 lost in total since start");
  }

  @Test
  void spoolSkipsAreLoggedAndInTheSummaryAtCloseInRecordsOrBytesApartFromTheEvents() {
    LossReporter r = new LossReporter();
    String log = lossLog(() -> {
      r.report("file", 2, new IOException("disk full"));
      r.skippedRecords("file", 1);
      r.skippedBytes("file", 4096, "segment 7 cannot be read");
      r.flush();
    });
    assertThat(r.total()).as("events only").isEqualTo(2);
    assertThat(r.skippedRecords()).isEqualTo(1);
    assertThat(r.skippedBytes()).isEqualTo(4096);
    assertThat(log.lines()).as("the first at once, the rest in the line at close").hasSize(2);
    assertThat(log).contains("2 event(s) for sink file could not be written to the spool")
        .endsWith("AUDIT EVENTS LOST: 2 lost in total since start, and skipped in the spool"
            + " 1 unreadable record(s) and 4096 bytes of torn or unreadable segments");
  }

  @Test
  void aSpoolSkipAloneIsLoggedAtOnce() {
    LossReporter r = new LossReporter();
    String log = lossLog(() -> r.skippedBytes("file", 100, "a torn record"));
    assertThat(log).contains("spool file: 100 bytes skipped (a torn record)")
        .contains("0 lost in total since start, and skipped in the spool 0 unreadable record(s)"
            + " and 100 bytes");
  }
}
