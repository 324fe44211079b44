package dev.piste.examples.invoices;

import java.time.Instant;

/** An invoice of the example API. */
public record Invoice(String id, String customer, long amountCents, String currency, Instant issuedAt) {}
