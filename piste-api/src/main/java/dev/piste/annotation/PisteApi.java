package dev.piste.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Identifies the API that a JAX-RS {@code Application} or resource class implements, for the catalog
 * descriptor, the OpenAPI document and the audit events.
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.TYPE)
public @interface PisteApi {
  /** The stable API identifier in the catalog, for example {@code invoices}. */
  String id();

  /** The API version, for example {@code 1.2.0}. */
  String version();

  /** A human-readable name; defaults to the id. */
  String name() default "";

  /** A description in CommonMark. */
  String description() default "";

  /** A contact for the API's consumers: an e-mail address or a URL. */
  String contact() default "";

  /** The lifecycle stage: {@code draft}, {@code published}, {@code deprecated} or {@code retired}. */
  String lifecycle() default "published";
}
