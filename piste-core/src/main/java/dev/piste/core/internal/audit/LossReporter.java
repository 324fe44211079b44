package dev.piste.core.internal.audit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs lost events, never silently and never in a flood: the first loss at once, then at most one
 * line every ten seconds with the running total.
 */
final class LossReporter {

  private static final Logger LOG = LoggerFactory.getLogger("piste.audit.loss");
  private static final long INTERVAL = TimeUnit.SECONDS.toNanos(10);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong reported = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - INTERVAL);

  void report(String sink, int count, Throwable cause) {
    long t = total.addAndGet(count);
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= INTERVAL && lastLog.compareAndSet(last, now)) {
      reported.set(t);
      LOG.error("AUDIT EVENTS LOST: {} event(s) for sink {} could not be written to the spool ({});"
          + " {} lost in total since start", count, sink, SinkChannel.describe(cause), t);
    }
  }

  /**
   * Logs the running total when losses came after the last line and its ten seconds have passed
   * (from the dispatcher's periodic check): a burst of losses is never left unlogged until close.
   */
  void tick(long now) {
    long t = total.get();
    long last = lastLog.get();
    if (t > reported.get() && now - last >= INTERVAL && lastLog.compareAndSet(last, now)) {
      reported.set(t);
      LOG.error("AUDIT EVENTS LOST: {} lost in total since start", t);
    }
  }

  /** Logs the losses not yet logged (on close). */
  void flush() {
    long t = total.get();
    if (t > reported.get()) {
      reported.set(t);
      LOG.error("AUDIT EVENTS LOST: {} lost in total since start", t);
    }
  }

  long total() {
    return total.get();
  }

  /** The running total the last log line gave. */
  long logged() {
    return reported.get();
  }
}
