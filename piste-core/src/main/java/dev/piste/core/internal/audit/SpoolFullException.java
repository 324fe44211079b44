package dev.piste.core.internal.audit;

import java.io.IOException;

/** The spools reached {@code piste.audit.spool-max-size} together. */
final class SpoolFullException extends IOException {
  private static final long serialVersionUID = 1L;

  SpoolFullException() {
    super("audit spool is full (piste.audit.spool-max-size)");
  }
}
