package dev.piste.core.internal.config;

import java.util.Objects;

/**
 * One configuration key of the {@code piste.*} key space: its name, the type of its value, its
 * default (in string form, {@code null} for none), whether it holds a secret, and a one-line meaning
 * for the README key table. A key whose name ends with {@code .} is a prefix: it stands for a family
 * of keys such as {@code piste.ratelimit.plans.gold}.
 */
public final class Key<T> {

  private final String name;
  private final ValueType<T> type;
  private final String defaultValue;
  private final boolean secret;
  private final String meaning;

  private Key(String name, ValueType<T> type, String defaultValue, boolean secret, String meaning) {
    this.name = Objects.requireNonNull(name);
    this.type = Objects.requireNonNull(type);
    this.defaultValue = defaultValue;
    this.secret = secret;
    this.meaning = Objects.requireNonNull(meaning);
  }

  public static <T> Key<T> of(String name, ValueType<T> type, String defaultValue, String meaning) {
    return new Key<>(name, type, defaultValue, false, meaning);
  }

  public static Key<String> secret(String name, String meaning) {
    return new Key<>(name, ValueType.STRING, null, true, meaning);
  }

  /** A family of keys sharing a prefix, for example {@code piste.ratelimit.plans.} + plan name. */
  public static <T> Key<T> prefix(String prefix, ValueType<T> type, String meaning) {
    if (!prefix.endsWith(".")) {
      throw new IllegalArgumentException("a prefix key ends with '.': " + prefix);
    }
    return new Key<>(prefix, type, null, false, meaning);
  }

  public String name() {
    return name;
  }

  public ValueType<T> type() {
    return type;
  }

  /** The default in string form, or {@code null} when the key has none. */
  public String defaultValue() {
    return defaultValue;
  }

  public boolean isSecret() {
    return secret;
  }

  public boolean isPrefix() {
    return name.endsWith(".");
  }

  public String meaning() {
    return meaning;
  }

  /** The environment variable that sets this key: {@code PISTE_TOKEN_JWKS_URI}. */
  public String environmentName() {
    return environmentName(name);
  }

  /** The environment variable name of a key name. */
  public static String environmentName(String key) {
    return key.toUpperCase(java.util.Locale.ROOT).replace('.', '_').replace('-', '_');
  }

  @Override
  public String toString() {
    return name;
  }
}
