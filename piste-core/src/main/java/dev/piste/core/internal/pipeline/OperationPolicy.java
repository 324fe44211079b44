package dev.piste.core.internal.pipeline;

import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What the library enforces on one operation, computed once at deployment (from annotations or
 * compiled servlet rules), never per request.
 *
 * @param operationId stable id, for example {@code InvoiceResource.list} or {@code GET /v1/invoices/*}
 * @param pathTemplate the path template ({@code /v1/invoices/{id}}), or {@code null} if unknown
 * @param publicOperation whether no credential is needed
 * @param scopes scopes the caller must all hold
 * @param limits per-operation limits
 * @param audited whether the request is audited
 * @param bucket what names the buckets of its limits that are not shared: a servlet limit rule
 *     names itself ({@code * /v1/*}), so that every request it matches takes from one bucket per
 *     caller; {@code null} for the operation id and the path template
 *     ({@code InvoiceResource.get /v1/invoices/{id}}), so that two operations of one name on two
 *     paths (overloaded resource methods) have a bucket each
 */
public record OperationPolicy(String operationId, String pathTemplate, boolean publicOperation,
    Set<String> scopes, List<OperationLimit> limits, boolean audited, String bucket) {

  public OperationPolicy {
    Objects.requireNonNull(operationId, "operationId");
    scopes = Set.copyOf(scopes);
    limits = List.copyOf(limits);
    if (bucket == null) {
      bucket = pathTemplate == null ? operationId : operationId + " " + pathTemplate;
    }
  }

  /** A policy whose limits' buckets are named after its operation id and path template. */
  public OperationPolicy(String operationId, String pathTemplate, boolean publicOperation,
      Set<String> scopes, List<OperationLimit> limits, boolean audited) {
    this(operationId, pathTemplate, publicOperation, scopes, limits, audited, null);
  }

  /** A protected operation needing a credential and no particular scope. */
  public static OperationPolicy authenticated(String operationId, String pathTemplate) {
    return new OperationPolicy(operationId, pathTemplate, false, Set.of(), List.of(), true);
  }
}
