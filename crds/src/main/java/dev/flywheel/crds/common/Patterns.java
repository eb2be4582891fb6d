package dev.flywheel.crds.common;

/** Regular expressions that the CRD schemas use for strings users write, kept in one place. */
public final class Patterns {
  /** A DNS-1123 label: lower-case alphanumerics and '-', starting and ending alphanumeric. */
  public static final String DNS_LABEL = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?$";
  /** A DNS-1123 subdomain: DNS labels joined by '.'. */
  public static final String DNS_SUBDOMAIN = "^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$";
  /** A Go-style duration such as 500ms, 30s, 10m, 1h or 1h30m. */
  public static final String DURATION = "^([0-9]+(\\.[0-9]+)?(ms|s|m|h))+$";
  /** A data location Flywheel can read or write: a PVC path, S3 object, HTTPS URL or local file. */
  public static final String DATA_URI = "^(pvc://[a-z0-9]([-a-z0-9]*[a-z0-9])?(/.*)?|s3://[a-z0-9][a-z0-9.-]{1,61}[a-z0-9](/.*)?|https://[^\\s/]+(/.*)?|file:///.*)$";
  /** A sha256 digest as Flywheel writes it. */
  public static final String SHA256_DIGEST = "^sha256:[a-f0-9]{64}$";
  /** An HTTP(S) URL. */
  public static final String HTTP_URL = "^https?://[^\\s/]+(/.*)?$";

  private Patterns() {}
}
