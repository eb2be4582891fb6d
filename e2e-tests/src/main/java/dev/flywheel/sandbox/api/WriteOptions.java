package dev.flywheel.sandbox.api;

/**
 * The query options of a write that change what the server does: dryRun=All (nothing stored) and
 * fieldValidation=Strict (unknown fields refused instead of pruned).
 */
public record WriteOptions(boolean dryRun, boolean strictFields) {
  public static final WriteOptions DEFAULT = new WriteOptions(false, false);
}
