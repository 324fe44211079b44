package dev.piste;

import java.util.List;
import java.util.Objects;

/**
 * Thrown at start-up when the configuration has one or more problems. It lists them all at once,
 * each naming the key, the offending value (masked when the key holds a secret), the expected form
 * and, for an unknown key, the nearest known one.
 */
public final class PisteConfigurationException extends RuntimeException {

  private static final long serialVersionUID = 1L;

  /**
   * One problem of a configuration.
   *
   * @param key the configuration key, for example {@code piste.token.clock-skew}
   * @param value the offending value, already masked if secret; {@code null} when missing
   * @param expected the expected form, for example {@code a duration such as 30s, 5m or PT30S}
   * @param suggestion the nearest known key for an unknown one, or {@code null}
   */
  public record Problem(String key, String value, String expected, String suggestion) {
    public Problem {
      Objects.requireNonNull(key, "key");
      Objects.requireNonNull(expected, "expected");
    }

    @Override
    public String toString() {
      StringBuilder sb = new StringBuilder(key);
      if (value == null) {
        sb.append(" is missing");
      } else {
        sb.append(" = '").append(value).append('\'');
      }
      sb.append(": expected ").append(expected);
      if (suggestion != null) {
        sb.append(" (did you mean ").append(suggestion).append("?)");
      }
      return sb.toString();
    }
  }

  private final List<Problem> problems;

  public PisteConfigurationException(List<Problem> problems) {
    super(message(problems));
    this.problems = List.copyOf(problems);
  }

  /** Every problem found, in key order; never empty. */
  public List<Problem> problems() {
    return problems;
  }

  private static String message(List<Problem> problems) {
    if (problems.isEmpty()) {
      throw new IllegalArgumentException("a configuration exception needs at least one problem");
    }
    StringBuilder sb = new StringBuilder("Invalid PISTE configuration (")
        .append(problems.size())
        .append(problems.size() == 1 ? " problem):" : " problems):");
    for (Problem p : problems) {
      sb.append(System.lineSeparator()).append("  - ").append(p);
    }
    return sb.toString();
  }
}
