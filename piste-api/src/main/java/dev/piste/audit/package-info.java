/**
 * Request auditing: the audit event (one per request, allowed or denied) and the sink extension
 * point that receives batches of them.
 */
package dev.piste.audit;
