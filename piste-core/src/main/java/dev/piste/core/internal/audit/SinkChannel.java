package dev.piste.core.internal.audit;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import dev.piste.audit.RejectedEventsException;
import java.io.IOException;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivery to one sink, on its own thread, with its own spool.
 *
 * <p>While the sink keeps up, batches go from memory straight to it. When a write fails, or takes
 * longer than {@link #STUCK_NANOS}, or the in-memory backlog is full, the batch and every batch
 * behind it go to the spool, and from then on new batches are appended behind them: the worker
 * re-delivers the spool in order, with exponential backoff between failed attempts, and returns to
 * direct delivery once the spool is empty.
 *
 * <p>A spool of the same sink left in another slot by a stopped process ({@link #adopt}) is
 * delivered first, in its own order, one adopted spool after the other; meanwhile the channel is
 * in spool mode, so new batches queue behind them in its own spool. An adopted spool that is
 * emptied is removed and its slot given back; one not emptied by {@link #close} stays as it is for
 * another process or a later start.
 */
final class SinkChannel {

  private static final Logger LOG = LoggerFactory.getLogger(SinkChannel.class);
  /** A write still running after this long has its batch copied to the spool (DESIGN.md: 1 s). */
  static final long STUCK_NANOS = TimeUnit.MILLISECONDS.toNanos(500);
  /** A slow write the spool could not take is offered to it again no sooner than this. */
  static final long SLOW_SPOOL_RETRY_NANOS = TimeUnit.SECONDS.toNanos(1);
  private static final long MIN_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
  private static final long MAX_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);
  private static final int REJECTED_IDS_LOGGED = 20;

  private final String name;
  private final AuditSink sink;
  private final Spool spool;
  private final int batchSize;
  private final int maxPendingEvents;
  private final AuditStats stats;
  private final LossReporter losses;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition changed = lock.newCondition();
  private final ArrayDeque<List<AuditEvent>> pending = new ArrayDeque<>();
  private final ArrayDeque<Adopted> adopted = new ArrayDeque<>();
  private int pendingEvents;
  private boolean spoolMode;
  private List<AuditEvent> inFlight;
  private boolean inFlightFromSpool;
  private boolean inFlightSpooled;
  private boolean inFlightSlowLogged;
  private long inFlightSince;
  private boolean slowSpoolRefused;
  private long slowSpoolRefusedAt;
  private int failures;
  private long retryAt;
  private boolean closing;
  private long drainDeadline;
  private boolean down;
  private boolean closed;
  private Thread thread;
  /** Events that left memory for good: delivered from memory, spooled, or counted lost. */
  private final AtomicLong settled = new AtomicLong();

  SinkChannel(String name, AuditSink sink, Spool spool, int batchSize, int maxPendingEvents,
      AuditStats stats, LossReporter losses) {
    this.name = name;
    this.sink = sink;
    this.spool = spool;
    this.batchSize = batchSize;
    this.maxPendingEvents = maxPendingEvents;
    this.stats = stats;
    this.losses = losses;
    this.spoolMode = !spool.isEmpty();
  }

  /** A spool of this sink left by another process, and what gives its slot back. */
  private record Adopted(Spool spool, Runnable release) {}

  String name() {
    return name;
  }

  /**
   * Delivers the spool a stopped process left in another slot to this sink, ahead of this
   * channel's own spool; {@code release} runs once, when it is emptied or the channel closes.
   */
  void adopt(Spool orphan, Runnable release) {
    lock.lock();
    try {
      if (closed || closing) {
        retire(new Adopted(orphan, release), false);
        return;
      }
      adopted.add(new Adopted(orphan, release));
      changed.signalAll();
    } finally {
      lock.unlock();
    }
  }

  /** Closes an adopted spool, removing it when {@code emptied}, and gives its slot back. */
  private void retire(Adopted a, boolean emptied) {
    try {
      if (emptied) {
        a.spool().closeAndRemove();
      } else {
        a.spool().close();
      }
    } catch (IOException e) {
      LOG.warn("audit spool {} close failed: {}", name, e.getClass().getName());
    } finally {
      a.release().run();
    }
  }

  /** Events of this sink no longer only in memory (delivered, spooled or counted lost). */
  long settled() {
    return settled.get();
  }

  void start() {
    thread = new Thread(this::run, "piste-audit-" + name);
    thread.setDaemon(true);
    thread.start();
  }

  /** A batch from the dispatcher. */
  void offer(List<AuditEvent> batch) {
    lock.lock();
    try {
      if (!spoolMode && !closed && !pending.isEmpty()
          && pendingEvents + batch.size() > maxPendingEvents) {
        backlogFull(batch);
      } else if (spoolMode || closed || pendingEvents + batch.size() > maxPendingEvents) {
        spoolInFlightFirst();
        spillPending();
        toSpool(batch);
      } else {
        pending.add(batch);
        pendingEvents += batch.size();
        changed.signalAll();
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * An event that found the in-memory queue full, from a request thread: straight to the spool,
   * behind the backlog in memory, which goes first. When the spool has no room for both, the
   * backlog stays in memory (within its bound, for a sink that is only slow) and this event alone
   * is lost: spilling the backlog into a full spool would lose all of it.
   */
  void overflow(AuditEvent event) {
    lock.lock();
    try {
      if (pending.isEmpty() || spoolMode || closed) {
        spoolInFlightFirst();
        spillPending();
        toSpool(List.of(event));
        return;
      }
      backlogFull(List.of(event));
    } finally {
      lock.unlock();
    }
  }

  /**
   * Called regularly by the dispatcher: spools a write that is taking too long, with the batches
   * behind it, when the spool can take them all. When it cannot (full, or the disk refuses), they
   * stay in memory, within the backlog's limit, and a pass at least {@link
   * #SLOW_SPOOL_RETRY_NANOS} later tries again (each try writes the whole backlog, under the lock
   * that request threads in {@link #overflow} wait for): the write has not failed, so nothing of
   * it is counted lost.
   */
  void watchdog(long now) {
    lock.lock();
    try {
      if (inFlight != null && !inFlightFromSpool && !inFlightSpooled
          && now - inFlightSince > STUCK_NANOS && spool.usable()
          && (!slowSpoolRefused || now - slowSpoolRefusedAt >= SLOW_SPOOL_RETRY_NANOS)) {
        boolean spooled;
        try {
          spooled = spoolInOrder(true, true, null);
        } catch (IOException | RuntimeException e) {
          spooled = false;
        }
        if (!spooled) {
          slowSpoolRefused = true;
          slowSpoolRefusedAt = now;
          if (!inFlightSlowLogged) {
            inFlightSlowLogged = true;
            LOG.warn("audit sink {} is slow and its spool has no room: its events wait in memory",
                name);
          }
          return;
        }
        slowSpoolRefused = false;
        LOG.warn("audit sink {} is slow: its pending events go to the spool", name);
      }
    } finally {
      lock.unlock();
    }
  }

  /**
   * The backlog in memory is full and {@code extra} has no room behind it: the batch being written
   * (if it came from memory), the backlog and {@code extra} go to the spool together, in order, or,
   * when the spool has no room for all of them, {@code extra} alone is lost and the rest stays in
   * memory (within its bound, for a sink that is only slow): spilling the backlog into a full spool
   * would lose all of it.
   */
  private void backlogFull(List<AuditEvent> extra) {
    boolean withInFlight = inFlightFromMemory();
    Exception failure = null;
    boolean spooled;
    try {
      spooled = spoolInOrder(withInFlight, true, extra)
          // no room for the batch being written as well: it stays only in flight
          || withInFlight && spoolInOrder(false, true, extra);
    } catch (IOException | RuntimeException e) {
      spooled = false;
      failure = e;
    }
    if (!spooled) {
      stats.lost.addAndGet(extra.size());
      losses.report(name, extra.size(), failure != null ? failure : new SpoolFullException());
      settled.addAndGet(extra.size());
    }
  }

  /**
   * Appends to the spool, all of them or none, in this order: the batch being written (when {@code
   * withInFlight}), the backlog in memory (when {@code withPending}) and {@code extra} (when not
   * {@code null}); once they are in, counts them settled and spooled and switches to spool mode.
   * Returns whether the spool had room; throws, having appended none, when the disk refuses.
   */
  private boolean spoolInOrder(boolean withInFlight, boolean withPending, List<AuditEvent> extra)
      throws IOException {
    List<List<AuditEvent>> all = new ArrayList<>(pending.size() + 2);
    int count = 0;
    if (withInFlight) {
      all.add(inFlight);
      count += inFlight.size();
    }
    if (withPending) {
      all.addAll(pending);
      count += pendingEvents;
    }
    if (extra != null) {
      all.add(extra);
      count += extra.size();
    }
    if (!spool.appendAll(all)) {
      return false;
    }
    stats.spooled.addAndGet(count);
    settled.addAndGet(count);
    if (withPending) {
      pending.clear();
      pendingEvents = 0;
    }
    inFlightSpooled |= withInFlight;
    spoolMode = true;
    changed.signalAll();
    return true;
  }

  /** Whether a batch from memory is being written and is not in the spool. */
  private boolean inFlightFromMemory() {
    return inFlight != null && !inFlightFromSpool && !inFlightSpooled;
  }

  /**
   * Before the channel goes to spool mode while a batch from memory is being written: spools that
   * batch first, all of it or none, so that a failed write is re-delivered ahead of the batches
   * behind it, in order. A write that succeeds is delivered again from the spool (at least once),
   * as a write the watchdog found stuck is.
   */
  private void spoolInFlightFirst() {
    if (spoolMode || closed || !inFlightFromMemory() || !spool.usable()) {
      return;
    }
    try {
      spoolInOrder(true, false, null);
    } catch (IOException | RuntimeException e) {
      // it stays only in flight: spooled after the others if its write fails
    }
  }

  /** Moves the in-memory backlog to the spool, in order, and switches to spool mode. */
  private void spillPending() {
    List<AuditEvent> b;
    while ((b = pending.poll()) != null) {
      toSpool(b);
    }
    pendingEvents = 0;
  }

  /** Spools a batch that was only in memory until now; what the spool cannot take is counted lost. */
  private void toSpool(List<AuditEvent> batch) {
    int appended = 0;
    Exception failure = null;
    try {
      if (closed) {
        throw new IOException("closed");
      }
      appended = spool.append(batch);
    } catch (IOException | RuntimeException e) {
      failure = e;
    }
    if (appended > 0) {
      stats.spooled.addAndGet(appended);
      spoolMode = true;
      changed.signalAll();
    }
    int lost = batch.size() - appended;
    if (lost > 0) {
      stats.lost.addAndGet(lost);
      losses.report(name, lost, failure != null ? failure
          : new SpoolFullException());
    }
    settled.addAndGet(batch.size());
  }

  private boolean hasWork(long now) {
    if (spoolMode) {
      return now >= retryAt || closing && now >= drainDeadline;
    }
    return !pending.isEmpty() || !adopted.isEmpty();
  }

  private void run() {
    while (true) {
      List<AuditEvent> batch;
      Spool.Position end = null;
      Spool source = null;
      lock.lock();
      try {
        long now = System.nanoTime();
        while (!hasWork(now)) {
          if (closing && (pending.isEmpty() && (!spoolMode || down) || now >= drainDeadline)) {
            spillPending();
            return;
          }
          long wait = spoolMode ? retryAt - now : TimeUnit.MILLISECONDS.toNanos(100);
          changed.awaitNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(1), wait));
          now = System.nanoTime();
        }
        if (closing && now >= drainDeadline) {
          spillPending();
          return;
        }
        if (!spoolMode && !adopted.isEmpty()) {
          // an adopted spool goes first: the backlog and new batches queue behind it in the spool
          spillPending();
          spoolMode = true;
          retryAt = Math.min(retryAt, now);
          continue;
        }
        if (spoolMode) {
          Spool.Batch read;
          source = adopted.isEmpty() ? spool : adopted.peekFirst().spool();
          try {
            read = source.read(batchSize);
          } catch (IOException e) {
            LOG.warn("audit spool {} unreadable: {}", name, e.getClass().getName());
            failed(now);
            continue;
          }
          if (read.events().isEmpty()) {
            commit(source, read.end());
            if (source != spool) {
              if (source.isEmpty()) {
                retire(adopted.pollFirst(), true);
              } else {
                failed(now);
              }
            } else if (spool.isEmpty()) {
              spoolMode = false;
            } else {
              failed(now);
            }
            continue;
          }
          batch = read.events();
          end = read.end();
          inFlightFromSpool = true;
        } else {
          batch = pending.poll();
          pendingEvents -= batch.size();
          inFlightFromSpool = false;
        }
        inFlight = batch;
        inFlightSpooled = false;
        inFlightSlowLogged = false;
        inFlightSince = now;
      } catch (InterruptedException e) {
        spillPending();
        return;
      } finally {
        lock.unlock();
      }
      Throwable failure = null;
      try {
        sink.write(batch);
      } catch (Throwable e) {
        // An Error fails the batch like an exception: it is spooled and retried, and this thread
        // goes on. Rethrowing it, even once the batch is safe, would end the only thread that
        // delivers to this sink and leave every later event in memory or the spool; a JVM that is
        // to stop on OutOfMemoryError does so where it was thrown (-XX:+ExitOnOutOfMemoryError).
        failure = e;
      }
      lock.lock();
      try {
        if (closed) {
          return;
        }
        long now = System.nanoTime();
        int refused = 0;
        if (failure instanceof RejectedEventsException rejected) {
          // refused for good, the rest written: settled like a delivery, never written again
          refused = Math.min(rejected.eventIds().size(), batch.size());
          if (inFlightFromSpool || !inFlightSpooled) {
            rejected(rejected, refused);
          }
          // else its copy in the spool is written again, and counts the refusal once then
          failure = null;
        }
        if (failure == null) {
          stats.delivered.addAndGet(batch.size() - refused);
          if (!inFlightFromSpool && !inFlightSpooled) {
            settled.addAndGet(batch.size());
          }
          if (end != null) {
            commit(source, end);
            if (source != spool && source.isEmpty()) {
              retire(adopted.pollFirst(), true);
            }
            if (adopted.isEmpty() && spool.isEmpty()) {
              spoolMode = false;
            }
          }
          if (down) {
            down = false;
            LOG.info("audit sink {} delivers again", name);
          }
          failures = 0;
        } else {
          stats.failedDeliveries.incrementAndGet();
          if (!down) {
            down = true;
            LOG.warn("audit sink {} failed ({}): events go to the spool and are re-delivered in"
                + " order when it is back", name, describe(failure));
          }
          if (!inFlightFromSpool && !inFlightSpooled) {
            toSpool(batch);
            spillPending();
          }
          failed(now);
        }
        inFlight = null;
      } finally {
        lock.unlock();
      }
    }
  }

  /**
   * Counts events the sink refused for good as lost, in the running total of {@link LossReporter}
   * too, and logs them by id, at most {@link #REJECTED_IDS_LOGGED} ids a line. The exception's
   * message is not logged: any sink writes it.
   */
  private void rejected(RejectedEventsException e, int count) {
    stats.lost.addAndGet(count);
    stats.rejected.addAndGet(count);
    losses.rejected(name, count);
    List<String> ids = e.eventIds();
    LOG.error("AUDIT EVENTS LOST: sink {} refused {} event(s) for good, not written again: {}{}",
        name, count, ids.subList(0, Math.min(ids.size(), REJECTED_IDS_LOGGED)),
        ids.size() > REJECTED_IDS_LOGGED ? " and " + (ids.size() - REJECTED_IDS_LOGGED) + " more" : "");
  }

  private void commit(Spool source, Spool.Position end) {
    try {
      source.commit(end);
    } catch (IOException e) {
      LOG.warn("audit spool {}: cursor not saved ({}); these events may be delivered twice", name,
          e.getClass().getName());
    }
  }

  private void failed(long now) {
    failures++;
    long backoff = Math.min(MAX_BACKOFF_NANOS, MIN_BACKOFF_NANOS << Math.min(failures - 1, 10));
    retryAt = now + backoff;
  }

  static String describe(Throwable e) {
    String cls = e.getClass().getName();
    // only the library's own messages are known to hold no secret
    return e.getClass().getName().startsWith("dev.piste.") && e.getMessage() != null
        ? cls + ": " + e.getMessage() : cls;
  }

  /**
   * Delivers what is in memory and in the spool until done, the sink fails, or the deadline
   * passes; whatever is left stays in the spool for the next start. Then closes sink and spool.
   */
  void close(long deadlineNanos) {
    lock.lock();
    try {
      closing = true;
      drainDeadline = deadlineNanos;
      retryAt = Math.min(retryAt, System.nanoTime());
      if (down) {
        spillPending();
      }
      changed.signalAll();
    } finally {
      lock.unlock();
    }
    if (thread != null) {
      try {
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadlineNanos - System.nanoTime()))
            + 2000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    lock.lock();
    try {
      if (inFlight != null && !inFlightFromSpool && !inFlightSpooled) {
        toSpool(inFlight);
        inFlightSpooled = true;
      }
      spillPending();
      closed = true;
      Adopted a;
      while ((a = adopted.poll()) != null) {
        retire(a, a.spool().isEmpty());
      }
      try {
        spool.close();
      } catch (IOException e) {
        LOG.warn("audit spool {} close failed: {}", name, e.getClass().getName());
      }
    } finally {
      lock.unlock();
    }
    try {
      sink.close();
    } catch (Throwable e) {
      // as in write: the other sinks are closed all the same
      LOG.warn("audit sink {} close failed: {}", name, describe(e));
    }
  }
}
