/**
 * Annotations for JAX-RS resources. Each is runtime-retained and dependency-free; a method
 * annotation overrides the class annotation of the same kind. Values use the configuration's
 * string syntax.
 */
package dev.piste.annotation;
