package dev.piste.core.internal.audit;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs every loss of audit events on the {@code piste.audit.loss} logger, never silently and never
 * in a flood: the first loss at once, then at most one line every ten seconds with the running
 * total, and the total at close. Counted are events the spool could not take, events a sink
 * refused for good, and what a spool had to skip when reading back: unreadable records by number,
 * torn segment tails and unreadable segments by their bytes (how many events they held is unknown).
 */
final class LossReporter {

  private static final Logger LOG = LoggerFactory.getLogger("piste.audit.loss");
  private static final long INTERVAL = TimeUnit.SECONDS.toNanos(10);
  private final AtomicLong total = new AtomicLong();
  private final AtomicLong records = new AtomicLong();
  private final AtomicLong bytes = new AtomicLong();
  /** Losses reported so far, of any kind, and how many of them the last line included. */
  private final AtomicLong losses = new AtomicLong();
  private final AtomicLong lossesLogged = new AtomicLong();
  private final AtomicLong reported = new AtomicLong();
  private final AtomicLong lastLog = new AtomicLong(System.nanoTime() - INTERVAL);

  /** Events of a sink that could not be written to the spool. */
  void report(String sink, int count, Throwable cause) {
    total.addAndGet(count);
    log("{} event(s) for sink {} could not be written to the spool ({})", count, sink,
        SinkChannel.describe(cause));
  }

  /** Events a sink refused for good ({@code RejectedEventsException}): never written again. */
  void rejected(String sink, int count) {
    total.addAndGet(count);
    log("{} event(s) refused for good by sink {}, not written again", count, sink);
  }

  /** Records of a spool that could be read but not parsed, skipped. */
  void skippedRecords(String spool, int count) {
    records.addAndGet(count);
    log("spool {}: {} unreadable record(s) skipped", spool, count);
  }

  /**
   * Bytes of a spool skipped without reading their records (a torn tail, an unreadable segment):
   * how many events they held is unknown.
   */
  void skippedBytes(String spool, long count, String what) {
    bytes.addAndGet(count);
    log("spool {}: {} bytes skipped ({}), events in them not counted", spool, count, what);
  }

  private void log(String what, Object... args) {
    losses.incrementAndGet();
    long now = System.nanoTime();
    long last = lastLog.get();
    if (now - last >= INTERVAL && lastLog.compareAndSet(last, now)) {
      String summary = summary();
      Object[] all = new Object[args.length + 1];
      System.arraycopy(args, 0, all, 0, args.length);
      all[args.length] = summary;
      LOG.error("AUDIT EVENTS LOST: " + what + "; {}", all);
    }
  }

  /**
   * Logs the running total when losses came after the last line and its ten seconds have passed
   * (from the dispatcher's periodic check): a burst of losses is never left unlogged until close.
   */
  void tick(long now) {
    long last = lastLog.get();
    if (losses.get() > lossesLogged.get() && now - last >= INTERVAL
        && lastLog.compareAndSet(last, now)) {
      LOG.error("AUDIT EVENTS LOST: {}", summary());
    }
  }

  /** Logs the losses not yet logged (on close). */
  void flush() {
    if (losses.get() > lossesLogged.get()) {
      LOG.error("AUDIT EVENTS LOST: {}", summary());
    }
  }

  /** The running totals, marking them logged. */
  private String summary() {
    lossesLogged.set(losses.get());
    long t = total.get();
    long r = records.get();
    long b = bytes.get();
    reported.set(t);
    String line = t + " lost in total since start";
    if (r > 0 || b > 0) {
      line += ", and skipped in the spool " + r + " unreadable record(s) and " + b
          + " bytes of torn or unreadable segments";
    }
    return line;
  }

  long total() {
    return total.get();
  }

  /** Spool records skipped as unreadable. */
  long skippedRecords() {
    return records.get();
  }

  /** Spool bytes skipped whose events could not be counted. */
  long skippedBytes() {
    return bytes.get();
  }

  /** The running total of events the last log line gave. */
  long logged() {
    return reported.get();
  }
}
