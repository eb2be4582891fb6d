package dev.flywheel.sandbox.story;

/** Writes a file into a PersistentVolumeClaim of the story's namespace, where {@code pvc://<claim>/<path>} reads it. */
@FunctionalInterface
public interface ClaimWriter {
  /** Creates or replaces {@code path} (relative, inside the claim) with {@code content}; the claim is created when missing. */
  void write(String claim, String path, byte[] content) throws Exception;
}
