package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
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
}
