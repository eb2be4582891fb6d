package dev.flywheel.crds.validation;

/** One refusal, named by field path as the Kubernetes API server names it (for example spec.dataset.uri). */
public record FieldError(String field, String detail) {
  @Override
  public String toString() {
    return field + ": " + detail;
  }
}
