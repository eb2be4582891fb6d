package dev.flywheel.operator.telemetry;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.jboss.logging.Logger;

/**
 * Keeps every label value of the operator's metrics within what it is: one of a fixed set (kinds, outcomes), or the
 * shape of the Kubernetes name it stands for. Anything else becomes {@link #OTHER} — never a new series per
 * unexpected string — and is logged once; metrics never throw into a reconciler.
 */
final class LabelValues {
  /** The value recorded instead of one that is not what the label holds (no Kubernetes name starts with "_"). */
  static final String OTHER = "_other";

  private static final Logger LOG = Logger.getLogger(LabelValues.class);
  private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
  private static final Pattern DNS_SUBDOMAIN = Pattern.compile("[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
  /** A gate: the name of an evaluation metric (spec.retraining.promotion.gates[].metric, at most 63 characters) or a built-in gate. */
  private static final Pattern GATE = Pattern.compile("[A-Za-z0-9_.:/-]{1,63}");
  private static final int MAX_WARNINGS = 64;
  private static final Set<String> WARNED = ConcurrentHashMap.newKeySet();

  private LabelValues() {}

  /** The value when it is one of {@code allowed}, else {@link #OTHER}. */
  static String oneOf(String label, String value, Set<String> allowed) {
    return value != null && allowed.contains(value) ? value : other(label, value);
  }

  /** A namespace or trigger name: an RFC 1123 label (at most 63 characters). */
  static String dnsLabel(String label, String value) {
    return value != null && DNS_LABEL.matcher(value).matches() ? value : other(label, value);
  }

  /** A ModelDeployment's name: an RFC 1123 subdomain (at most 253 characters). */
  static String dnsSubdomain(String label, String value) {
    return value != null && value.length() <= 253 && DNS_SUBDOMAIN.matcher(value).matches() ? value : other(label, value);
  }

  /** A promotion gate: a metric name of at most 63 characters (letters, digits, {@code _ . : / -}). */
  static String gate(String label, String value) {
    return value != null && GATE.matcher(value).matches() ? value : other(label, value);
  }

  private static String other(String label, String value) {
    String shown = value == null ? "null" : value.length() > 80 ? value.substring(0, 80) + "…" : value;
    if (WARNED.size() < MAX_WARNINGS && WARNED.add(label + "=" + shown)) {
      LOG.warnf("metric label %s=\"%s\" is not a value it may hold; recorded as %s", label, shown, OTHER);
    }
    return OTHER;
  }
}
