package dev.piste.core.testing;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

/** What the code under test writes on standard error (slf4j-simple's log lines) while it runs. */
public final class Stderr {
  private Stderr() {}

  /** An action that may throw {@code E}; a lambda that throws nothing checked infers a runtime one. */
  @FunctionalInterface
  public interface Action<E extends Exception> {
    void run() throws E;
  }

  /**
   * Runs {@code action} with standard error captured and returns what was written on it meanwhile;
   * standard error is given back whatever the action throws.
   */
  public static <E extends Exception> String during(Action<E> action) throws E {
    PrintStream original = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setErr(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      action.run();
    } finally {
      System.setErr(original);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }
}
