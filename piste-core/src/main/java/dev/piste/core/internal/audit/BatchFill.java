package dev.piste.core.internal.audit;

import dev.piste.audit.AuditEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;

/**
 * A batch filled from the event queue, cut at {@code piste.audit.batch-size} events and by {@link
 * BatchBytes}. Events are taken with {@link Queue#poll()} only, never looked at first: one that
 * does not fit is carried over and starts the next batch. Another thread draining the same queue
 * ({@code close()} when the dispatcher outlives its wait) thus takes each event exactly once. Not
 * thread-safe.
 */
final class BatchFill {

  private final int batchSize;
  private final List<AuditEvent> events;
  private final BatchBytes bytes = new BatchBytes();
  private AuditEvent carried;

  BatchFill(int batchSize) {
    this.batchSize = batchSize;
    this.events = new ArrayList<>(Math.min(batchSize, 1024));
  }

  /** Takes events until the batch is full or the queue is empty; returns how many it polled. */
  int fill(Queue<AuditEvent> queue) {
    int polled = 0;
    while (events.size() < batchSize) {
      AuditEvent e;
      if (carried != null) {
        if (!events.isEmpty()) {
          break;
        }
        e = carried;
        carried = null;
      } else if ((e = queue.poll()) != null) {
        polled++;
      } else {
        break;
      }
      if (!bytes.fits(e.jsonLength())) {
        // large events (captured bodies): the next batch starts with this one
        carried = e;
        break;
      }
      events.add(e);
      bytes.add(e.jsonLength());
    }
    return polled;
  }

  boolean isEmpty() {
    return events.isEmpty();
  }

  int size() {
    return events.size();
  }

  /** Whether the batch takes no more: it has batch-size events, or the next one does not fit. */
  boolean full() {
    return carried != null || events.size() >= batchSize;
  }

  /** The batch so far; the next one starts with the event carried over, if any. */
  List<AuditEvent> take() {
    List<AuditEvent> b = List.copyOf(events);
    events.clear();
    bytes.clear();
    return b;
  }
}
