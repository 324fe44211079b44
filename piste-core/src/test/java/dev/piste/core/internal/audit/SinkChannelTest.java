package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SinkChannelTest {

  @TempDir
  Path dir;

  /** Keeps what it is given; its first write waits for {@link #release}. */
  private static final class StallingSink implements AuditSink {
    final List<AuditEvent> delivered = new CopyOnWriteArrayList<>();
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);

    @Override
    public void write(List<AuditEvent> batch) throws InterruptedException {
      writing.countDown();
      release.await();
      delivered.addAll(batch);
    }
  }

  @Test
  void aSlowWriteTheDiskRefusesToSpoolIsOfferedToTheSpoolAgainOnlyAfterASecond() throws Exception {
    AuditStats stats = new AuditStats();
    Path spoolDir = dir.resolve("spool");
    Spool spool = new Spool(spoolDir, "slow", new SpoolBudget(1L << 30), stats);
    // every segment the spool opens from now on is refused, as on a full disk
    Files.delete(spoolDir);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("slow", sink, spool, 5, 1000, stats, new LossReporter());
    channel.start();
    try {
      channel.offer(SpoolTest.events(0, 5));
      assertThat(sink.writing.await(10, TimeUnit.SECONDS)).isTrue();
      channel.offer(SpoolTest.events(5, 10));
      // watchdog passes every 50 ms of a clock the test moves, from the moment the write is stuck
      long stuck = System.nanoTime() + SinkChannel.STUCK_NANOS + 1;
      long pass = TimeUnit.MILLISECONDS.toNanos(50);
      channel.watchdog(stuck);
      assertThat(stats.spoolWriteErrors.get()).isEqualTo(1);
      for (long t = stuck + pass; t < stuck + SinkChannel.SLOW_SPOOL_RETRY_NANOS; t += pass) {
        channel.watchdog(t);
      }
      assertThat(stats.spoolWriteErrors.get()).as("no retry within the second").isEqualTo(1);
      channel.watchdog(stuck + SinkChannel.SLOW_SPOOL_RETRY_NANOS);
      assertThat(stats.spoolWriteErrors.get()).isEqualTo(2);
    } finally {
      sink.release.countDown();
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    // nothing was spooled, nothing lost: the slow write and the batch behind it were delivered
    assertThat(sink.delivered).isEqualTo(SpoolTest.events(0, 10));
    assertThat(stats.spooled.get()).isZero();
    assertThat(stats.lost.get()).isZero();
  }

  @Test
  void anEventThatFindsTheQueueAndTheSpoolFullIsLostAloneTheSlowSinksBacklogIsKept()
      throws Exception {
    AuditStats stats = new AuditStats();
    // room for no event at all
    Spool spool = new Spool(dir.resolve("spool"), "full", new SpoolBudget(1), stats);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("full", sink, spool, 5, 1000, stats, new LossReporter());
    channel.start();
    try {
      channel.offer(SpoolTest.events(0, 5));
      assertThat(sink.writing.await(10, TimeUnit.SECONDS)).isTrue();
      channel.offer(SpoolTest.events(5, 10));
      channel.overflow(SpoolTest.events(10, 11).get(0));
      assertThat(stats.lost.get()).as("the overflowing event only").isEqualTo(1);
    } finally {
      sink.release.countDown();
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(sink.delivered).isEqualTo(SpoolTest.events(0, 10));
    assertThat(stats.lost.get()).isEqualTo(1);
    assertThat(channel.settled()).isEqualTo(11);
  }

  @Test
  void anEventThatFindsTheQueueFullGoesToTheSpoolBehindTheBacklogInOrder() throws Exception {
    AuditStats stats = new AuditStats();
    Spool spool = new Spool(dir.resolve("spool"), "roomy", new SpoolBudget(1L << 30), stats);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("roomy", sink, spool, 5, 1000, stats, new LossReporter());
    channel.start();
    try {
      channel.offer(SpoolTest.events(0, 5));
      assertThat(sink.writing.await(10, TimeUnit.SECONDS)).isTrue();
      channel.offer(SpoolTest.events(5, 10));
      channel.overflow(SpoolTest.events(10, 11).get(0));
      assertThat(stats.spooled.get()).isEqualTo(6);
    } finally {
      sink.release.countDown();
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(sink.delivered).isEqualTo(SpoolTest.events(0, 11));
    assertThat(stats.lost.get()).isZero();
  }
}
