package dev.piste.core.audit;

import dev.piste.audit.AuditEvent;
import dev.piste.audit.AuditSink;
import java.util.ArrayList;
import java.util.List;

/** Keeps every event written to it; can be made to fail. */
final class MemoryAuditSink implements AuditSink {

  private final List<AuditEvent> events = new ArrayList<>();
  private volatile boolean failing;

  @Override
  public synchronized void write(List<AuditEvent> batch) throws Exception {
    if (failing) {
      throw new IllegalStateException("sink down");
    }
    events.addAll(batch);
  }

  void failing(boolean failing) {
    this.failing = failing;
  }

  synchronized List<AuditEvent> events() {
    return List.copyOf(events);
  }

  synchronized int size() {
    return events.size();
  }
}
