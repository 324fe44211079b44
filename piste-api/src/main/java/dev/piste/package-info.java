/**
 * The PISTE SDK's public contract: the caller identity, the neutral request view, outcomes and the
 * configuration exception. Sub-packages hold the annotations and the extension points (SPI) of each
 * capability. This module has no runtime dependency.
 */
package dev.piste;
