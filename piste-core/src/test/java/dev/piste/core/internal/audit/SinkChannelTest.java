package dev.piste.core.internal.audit;

import static org.assertj.core.api.Assertions.assertThat;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import dev.piste.audit.RejectedEventsException;
import dev.piste.core.testing.Poll;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

final class SinkChannelTest {

  @TempDir
  Path dir;

  private final LossReporter losses = new LossReporter();

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
  void aSpoolSegmentThatIsGoneIsSkippedAndTheSinkGoesOnReceivingEvents() throws Exception {
    AuditStats stats = new AuditStats();
    Path spoolDir = dir.resolve("spool");
    // two earlier runs left a segment each undelivered
    for (int from = 0; from < 6; from += 3) {
      try (Spool s = new Spool(spoolDir, "file", new SpoolBudget(1L << 30), stats, losses)) {
        s.append(SpoolTest.events(from, from + 3));
      }
    }
    SpoolBudget budget = new SpoolBudget(1L << 30);
    Spool spool = new Spool(spoolDir, "file", budget, stats, losses);
    try (var segments = Files.list(spoolDir)) {
      Files.delete(segments.filter(p -> p.toString().endsWith(".seg")).sorted().findFirst()
          .orElseThrow());
    }
    List<AuditEvent> delivered = new CopyOnWriteArrayList<>();
    SinkChannel channel = new SinkChannel("file", delivered::addAll, spool, 5, 1000, stats,
        losses);
    channel.start();
    try {
      channel.offer(SpoolTest.events(10, 13));
      Poll.until(Duration.ofSeconds(10), () -> delivered.size() >= 6,
          () -> "delivered " + delivered.size() + ", " + stats);
    } finally {
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    List<AuditEvent> expected = new java.util.ArrayList<>(SpoolTest.events(3, 6));
    expected.addAll(SpoolTest.events(10, 13));
    assertThat(delivered).isEqualTo(expected);
    assertThat(stats.unreadableSegments.get()).isEqualTo(1);
    assertThat(budget.used()).isZero();
  }

  @Test
  void aSlowWriteTheDiskRefusesToSpoolIsOfferedToTheSpoolAgainOnlyAfterASecond() throws Exception {
    AuditStats stats = new AuditStats();
    Path spoolDir = dir.resolve("spool");
    Spool spool = new Spool(spoolDir, "slow", new SpoolBudget(1L << 30), stats, losses);
    // every segment the spool opens from now on is refused, as on a full disk
    Files.delete(spoolDir);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("slow", sink, spool, 5, 1000, stats, losses);
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

  /**
   * Events 0-4 in a write that stalls, 5-9 waiting in memory behind it, then event 10 overflowing
   * the queue into a spool that holds {@code spoolBytes}; the stats once the write went through
   * and the channel closed, with what the sink got and what the channel settled.
   */
  private record Overflowed(AuditStats stats, List<AuditEvent> delivered, long settled,
      long spooledAtOverflow, long lostAtOverflow) {}

  private Overflowed overflowBehindAStalledWrite(long spoolBytes) throws Exception {
    AuditStats stats = new AuditStats();
    Spool spool = new Spool(dir.resolve("spool"), "s", new SpoolBudget(spoolBytes), stats, losses);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("s", sink, spool, 5, 1000, stats, losses);
    channel.start();
    long spooled;
    long lost;
    try {
      channel.offer(SpoolTest.events(0, 5));
      assertThat(sink.writing.await(10, TimeUnit.SECONDS)).isTrue();
      channel.offer(SpoolTest.events(5, 10));
      channel.overflow(SpoolTest.events(10, 11).get(0));
      spooled = stats.spooled.get();
      lost = stats.lost.get();
    } finally {
      sink.release.countDown();
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    return new Overflowed(stats, sink.delivered, channel.settled(), spooled, lost);
  }

  @Test
  void anEventThatFindsTheQueueAndTheSpoolFullIsLostAloneTheSlowSinksBacklogIsKept()
      throws Exception {
    // room for no event at all
    Overflowed o = overflowBehindAStalledWrite(1);
    assertThat(o.lostAtOverflow()).as("the overflowing event only").isEqualTo(1);
    assertThat(o.delivered()).isEqualTo(SpoolTest.events(0, 10));
    assertThat(o.stats().lost.get()).isEqualTo(1);
    assertThat(o.settled()).isEqualTo(11);
  }

  @Test
  void anEventThatFindsTheQueueFullGoesToTheSpoolBehindTheBacklogInOrder() throws Exception {
    Overflowed o = overflowBehindAStalledWrite(1L << 30);
    assertThat(o.spooledAtOverflow()).as("the batch being written, the backlog, the event")
        .isEqualTo(11);
    // the stalled write went through, and its batch comes again from the spool: at least once
    List<AuditEvent> expected = new java.util.ArrayList<>(SpoolTest.events(0, 5));
    expected.addAll(SpoolTest.events(0, 11));
    assertThat(o.delivered()).isEqualTo(expected);
    assertThat(o.stats().lost.get()).isZero();
  }

  /** Its first write waits for {@link #release}, then fails; the others keep what they get. */
  private static final class FailingOnceSink implements AuditSink {
    final List<AuditEvent> delivered = new CopyOnWriteArrayList<>();
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch release = new CountDownLatch(1);
    final java.util.concurrent.atomic.AtomicBoolean failed = new java.util.concurrent.atomic.AtomicBoolean();

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
      if (failed.compareAndSet(false, true)) {
        writing.countDown();
        release.await();
        throw new java.io.IOException("down");
      }
      delivered.addAll(batch);
    }
  }

  /** Events 0-4 in a write that stalls ({@code writing} counted down), then 5-9 and 10-14. */
  private static void threeBatchesBehindAStalledWrite(SinkChannel channel, CountDownLatch writing)
      throws InterruptedException {
    channel.offer(SpoolTest.events(0, 5));
    assertThat(writing.await(10, TimeUnit.SECONDS)).isTrue();
    channel.offer(SpoolTest.events(5, 10));
    channel.offer(SpoolTest.events(10, 15));
  }

  @Test
  void aWriteThatFailsAfterTheBacklogWentToTheSpoolIsReDeliveredAheadOfIt() throws Exception {
    AuditStats stats = new AuditStats();
    Spool spool = new Spool(dir.resolve("spool"), "o", new SpoolBudget(1L << 30), stats, losses);
    FailingOnceSink sink = new FailingOnceSink();
    // a backlog of 5 events at most: the third batch sends the channel to the spool
    SinkChannel channel = new SinkChannel("o", sink, spool, 5, 5, stats, losses);
    channel.start();
    try {
      threeBatchesBehindAStalledWrite(channel, sink.writing);
      sink.release.countDown();
      Poll.until(Duration.ofSeconds(10), () -> sink.delivered.size() >= 15,
          () -> "delivered " + sink.delivered.size());
    } finally {
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(sink.delivered).as("in order").isEqualTo(SpoolTest.events(0, 15));
    assertThat(stats.lost.get()).isZero();
  }

  /** Takes every event but those whose ids it refuses; fails its first {@code failFirst} writes. */
  private static final class RefusingSink implements AuditSink {
    final List<AuditEvent> delivered = new CopyOnWriteArrayList<>();
    final List<String> writes = new CopyOnWriteArrayList<>();
    final Set<String> refuse;
    final java.util.concurrent.atomic.AtomicInteger failFirst;

    /** Counted down when the first write starts; that write waits for {@link #release}. */
    final CountDownLatch writing = new CountDownLatch(1);
    final CountDownLatch release;

    RefusingSink(Set<String> refuse, int failFirst) {
      this(refuse, failFirst, false);
    }

    RefusingSink(Set<String> refuse, int failFirst, boolean stallFirst) {
      this.refuse = refuse;
      this.failFirst = new java.util.concurrent.atomic.AtomicInteger(failFirst);
      this.release = new CountDownLatch(stallFirst ? 1 : 0);
    }

    @Override
    public void write(List<AuditEvent> batch) throws Exception {
      writes.add(batch.get(0).eventId());
      writing.countDown();
      release.await();
      if (failFirst.getAndDecrement() > 0) {
        throw new java.io.IOException("down");
      }
      List<String> refused = new java.util.ArrayList<>();
      for (AuditEvent e : batch) {
        if (refuse.contains(e.eventId())) {
          refused.add(e.eventId());
        } else {
          delivered.add(e);
        }
      }
      if (!refused.isEmpty()) {
        throw new RejectedEventsException("too large", refused);
      }
    }
  }

  @Test
  void eventsASinkRefusesForGoodAreCountedLostOnceAndTheRestIsDeliveredInOrder() throws Exception {
    for (int failFirst : new int[] {0, 1}) {
      // 0: from memory; 1: the first write fails, so the batches come back from the spool
      AuditStats stats = new AuditStats();
      LossReporter lossLog = new LossReporter();
      Spool spool = new Spool(dir.resolve("spool-" + failFirst), "r", new SpoolBudget(1L << 30),
          stats, lossLog);
      List<AuditEvent> all = SpoolTest.events(0, 10);
      RefusingSink sink = new RefusingSink(Set.of(all.get(2).eventId(), all.get(7).eventId()),
          failFirst);
      SinkChannel channel = new SinkChannel("r", sink, spool, 5, 1000, stats, lossLog);
      channel.start();
      channel.offer(all.subList(0, 5));
      channel.offer(all.subList(5, 10));
      Poll.until(Duration.ofSeconds(10), () -> sink.delivered.size() == 8,
          () -> "delivered " + sink.delivered.size());
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
      List<AuditEvent> expected = new java.util.ArrayList<>(all);
      expected.remove(7);
      expected.remove(2);
      assertThat(sink.delivered).as("failFirst " + failFirst).isEqualTo(expected);
      assertThat(stats.lost.get()).isEqualTo(2);
      assertThat(stats.rejected.get()).isEqualTo(2);
      assertThat(lossLog.total()).as("in the loss log's total, once").isEqualTo(2);
      assertThat(stats.delivered.get()).isEqualTo(8);
      assertThat(sink.writes).as("no batch written again after its refusal")
          .hasSize(2 + failFirst);
      assertThat(channel.settled()).isEqualTo(10);
    }
  }

  @Test
  void aRefusalOfAWriteTheWatchdogSpooledIsCountedOnceByItsCopy() throws Exception {
    AuditStats stats = new AuditStats();
    Spool spool = new Spool(dir.resolve("spool"), "w", new SpoolBudget(1L << 30), stats, losses);
    List<AuditEvent> all = SpoolTest.events(0, 5);
    RefusingSink sink = new RefusingSink(Set.of(all.get(1).eventId()), 0, true);
    SinkChannel channel = new SinkChannel("w", sink, spool, 5, 1000, stats, losses);
    channel.start();
    try {
      channel.offer(all);
      assertThat(sink.writing.await(10, TimeUnit.SECONDS)).isTrue();
      // the write is slow: the watchdog copies it to the spool, then it ends with the refusal
      channel.watchdog(System.nanoTime() + SinkChannel.STUCK_NANOS + 1);
      assertThat(stats.spooled.get()).isEqualTo(5);
      sink.release.countDown();
      Poll.until(Duration.ofSeconds(10), () -> sink.writes.size() == 2,
          () -> "writes " + sink.writes);
    } finally {
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(stats.rejected.get()).as("one event, refused by both writes").isEqualTo(1);
    assertThat(stats.lost.get()).isEqualTo(1);
  }

  @Test
  void aBatchThatFindsTheBacklogAndTheSpoolFullIsLostAloneTheBacklogIsKept() throws Exception {
    AuditStats stats = new AuditStats();
    Spool spool = new Spool(dir.resolve("spool"), "b", new SpoolBudget(1), stats, losses);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("b", sink, spool, 5, 5, stats, losses);
    channel.start();
    try {
      threeBatchesBehindAStalledWrite(channel, sink.writing);
      assertThat(stats.lost.get()).as("the batch that found no room").isEqualTo(5);
    } finally {
      sink.release.countDown();
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(sink.delivered).isEqualTo(SpoolTest.events(0, 10));
    assertThat(channel.settled()).isEqualTo(15);
  }

  @Test
  void whenTheSpoolHasRoomForTheBacklogButNotTheWriteInFlightTooTheBacklogGoesAlone()
      throws Exception {
    AuditStats stats = new AuditStats();
    long backlog = 0;
    for (AuditEvent e : SpoolTest.events(5, 15)) {
      backlog += Spool.HEADER + e.jsonLength();
    }
    Spool spool = new Spool(dir.resolve("spool"), "r", new SpoolBudget(backlog), stats, losses);
    StallingSink sink = new StallingSink();
    SinkChannel channel = new SinkChannel("r", sink, spool, 5, 5, stats, losses);
    channel.start();
    try {
      threeBatchesBehindAStalledWrite(channel, sink.writing);
      assertThat(stats.spooled.get()).as("the backlog and the new batch").isEqualTo(10);
      assertThat(stats.lost.get()).isZero();
    } finally {
      sink.release.countDown();
      channel.close(System.nanoTime() + TimeUnit.SECONDS.toNanos(10));
    }
    assertThat(sink.delivered).isEqualTo(SpoolTest.events(0, 15));
  }
}
