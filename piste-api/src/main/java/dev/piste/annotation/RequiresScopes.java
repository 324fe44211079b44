package dev.piste.annotation;

import java.lang.annotation.Documented;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * The scopes a caller must hold to call the annotated resource method, or every method of the
 * annotated class. All listed scopes are required. The method annotation overrides the class
 * annotation. A missing credential answers 401, a missing scope 403 {@code insufficient_scope}.
 *
 * <pre>{@code @GET @RequiresScopes("invoices:read") public List<Invoice> list() { ... }}</pre>
 */
@Documented
@Retention(RetentionPolicy.RUNTIME)
@Target({ElementType.METHOD, ElementType.TYPE})
public @interface RequiresScopes {
  /** The required scopes, each a scope token such as {@code invoices:read}. */
  String[] value();
}
