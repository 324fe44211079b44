/**
 * Catalog self-registration: the API's descriptor built from its code, and the extension point
 * that registers the running instance in a catalog.
 */
package dev.piste.catalog;
