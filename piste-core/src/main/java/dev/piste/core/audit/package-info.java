/**
 * The audit sinks shipped with the library, chosen by {@code piste.audit.sinks}: SLF4J, JSON-lines
 * file, HTTP collector and JDBC (PostgreSQL). Each can also be built directly and passed to
 * {@code Piste.builder().auditSink(...)}.
 */
package dev.piste.core.audit;
