package dev.piste.examples.invoices;

import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicLong;

/** An in-memory invoice store, seeded with two invoices. */
public final class InvoiceStore {

  private final Map<String, Invoice> invoices = new ConcurrentSkipListMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final Clock clock;

  public InvoiceStore(Clock clock) {
    this.clock = clock;
    create("ACME Corp", 125_000, "EUR");
    create("Globex", 99_900, "EUR");
  }

  public List<Invoice> list() {
    return new ArrayList<>(invoices.values());
  }

  public Optional<Invoice> get(String id) {
    return Optional.ofNullable(invoices.get(id));
  }

  public Invoice create(String customer, long amountCents, String currency) {
    String id = String.format("INV-%05d", sequence.incrementAndGet());
    Invoice invoice = new Invoice(id, customer, amountCents, currency, clock.instant().toString());
    invoices.put(id, invoice);
    return invoice;
  }
}
