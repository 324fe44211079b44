package dev.piste.core.internal.audit;

import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/** Counters of the audit pipeline, for tests, benchmarks and the loss log line. */
public final class AuditStats {
  /** Events handed to the pipeline by request threads (striped: every request adds to it). */
  public final LongAdder recorded = new LongAdder();
  /** Events that found the in-memory queue full and went straight to the spool. */
  public final AtomicLong overflowed = new AtomicLong();
  /** Event deliveries that succeeded (one per event and sink). */
  public final AtomicLong delivered = new AtomicLong();
  /** Event copies written to a spool (one per event and sink). */
  public final AtomicLong spooled = new AtomicLong();
  /** Event copies lost because the spool could not take them (full or unwritable). */
  public final AtomicLong lost = new AtomicLong();
  /** Event copies a sink refused for good ({@code RejectedEventsException}), counted in lost too. */
  public final AtomicLong rejected = new AtomicLong();
  /** Spool records skipped as torn or unreadable. */
  public final AtomicLong tornRecords = new AtomicLong();
  /** Spool segments that could not be opened or read (missing, disk error): their events lost. */
  public final AtomicLong unreadableSegments = new AtomicLong();
  /** Spool writes the disk refused (full disk, unwritable directory). */
  public final AtomicLong spoolWriteErrors = new AtomicLong();
  /** Sink deliveries that failed. */
  public final AtomicLong failedDeliveries = new AtomicLong();
  /** Times the dispatcher thread went to sleep and woke up (by a request thread or by itself). */
  public final AtomicLong dispatcherWakeUps = new AtomicLong();

  @Override
  public String toString() {
    return "recorded=" + recorded + " overflowed=" + overflowed + " delivered=" + delivered
        + " spooled=" + spooled + " lost=" + lost + " rejected=" + rejected + " tornRecords=" + tornRecords
        + " unreadableSegments=" + unreadableSegments
        + " spoolWriteErrors=" + spoolWriteErrors + " failedDeliveries=" + failedDeliveries;
  }
}
