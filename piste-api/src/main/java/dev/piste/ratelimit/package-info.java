/** Rate limits and quotas: limits, plans and the extension points that choose them. */
package dev.piste.ratelimit;
