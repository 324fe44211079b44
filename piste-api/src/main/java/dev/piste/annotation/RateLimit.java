package dev.piste.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * A rate limit of the annotated operation, applied in addition to the caller's plan. The value uses
 * the configuration's limit syntax ({@code 5/s}, {@code 100/m burst 20}, {@code 50/s; 10000/day}).
 * The method annotation overrides the class annotation.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RateLimit {
  /** The limits, in the configuration syntax: {@code 5/s}, {@code 100/m burst 20; 1000/day}. */
  String value();

  /** Which key the bucket counts per: the application (default), the subject or the client IP. */
  Per per() default Per.APPLICATION;

  /** Tokens one call costs. */
  long cost() default 1;

  /** Whether the bucket is shared by every operation of the API instead of this operation alone. */
  boolean shared() default false;

  /** What a per-operation bucket counts per. */
  enum Per {
    /** The OAuth2 client id or API key owner. */
    APPLICATION,
    /** The end user ({@code sub}), falling back to the application. */
    SUBJECT,
    /** The client IP, taken from forwarding headers only behind a trusted proxy. */
    CLIENT_IP
  }
}
