package dev.piste.core.internal.config;

import static dev.piste.core.internal.config.ValueType.BOOLEAN;
import static dev.piste.core.internal.config.ValueType.STRING;

import java.util.List;

/** Keys of the engine itself and of the API's identity. */
public final class CoreKeys {
  private CoreKeys() {}

  public static final Key<Boolean> ENABLED = Key.of("piste.enabled", BOOLEAN, "true",
      "Kill switch: false turns every filter and feature into a pass-through (logged loudly at start-up)");
  public static final Key<String> INSTANCE_ID = Key.of("piste.instance-id", STRING, null,
      "This instance's id in audit events and the catalog; default: host name, process id and a random suffix");
  public static final Key<String> API_ID = Key.of("piste.api.id", STRING, null,
      "The API's id (for apps without @PisteApi)");
  public static final Key<String> API_VERSION = Key.of("piste.api.version", STRING, null,
      "The API's version (for apps without @PisteApi)");
  public static final Key<String> API_NAME = Key.of("piste.api.name", STRING, null,
      "The API's human-readable name");
  public static final Key<String> API_DESCRIPTION = Key.of("piste.api.description", STRING, null,
      "The API's description");
  public static final Key<String> API_CONTACT = Key.of("piste.api.contact", STRING, null,
      "A contact for the API's consumers (e-mail or URL)");
  public static final Key<String> API_LIFECYCLE = Key.of("piste.api.lifecycle",
      ValueType.oneOf("draft", "published", "deprecated", "retired"), "published",
      "The API's lifecycle stage");

  static final List<Key<?>> ALL = List.of(ENABLED, INSTANCE_ID, API_ID, API_VERSION, API_NAME,
      API_DESCRIPTION, API_CONTACT, API_LIFECYCLE);
}
