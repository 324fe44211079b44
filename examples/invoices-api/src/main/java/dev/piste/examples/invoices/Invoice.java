package dev.piste.examples.invoices;



/** An invoice of the example API. */
public record Invoice(String id, String customer, long amountCents, String currency, String issuedAt) {}
