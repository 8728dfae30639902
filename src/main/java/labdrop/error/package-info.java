/**
 * The typed failures every boundary maps in one place: bad input, not found, conflict.
 * Retryable infrastructure failures are plain {@link java.io.IOException}s and
 * {@link java.sql.SQLException}s; they never masquerade as user errors.
 */
package labdrop.error;
