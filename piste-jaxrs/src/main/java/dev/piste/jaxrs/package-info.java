/**
 * JAX-RS adapter: {@link dev.piste.jaxrs.PisteFeature} enforces the {@code dev.piste.annotation}
 * annotations per resource method.
 */
package dev.piste.jaxrs;
