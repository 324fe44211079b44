package dev.piste.core.testing;

import dev.piste.PisteConfigurationException;
import dev.piste.core.PisteConfig;
import java.util.Map;

/** Start-up validation in tests: the exception a configuration is refused with. */
public final class ConfigProblems {
  private ConfigProblems() {}

  /** The exception {@code PisteConfig.of(properties)} throws; fails when it accepts them. */
  public static PisteConfigurationException of(Map<String, String> properties) {
    try {
      PisteConfig.of(properties);
    } catch (PisteConfigurationException e) {
      return e;
    }
    throw new AssertionError("no problem reported");
  }
}
