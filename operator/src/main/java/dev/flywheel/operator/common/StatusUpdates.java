package dev.flywheel.operator.common;

import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.utils.Serialization;
import io.javaoperatorsdk.operator.api.reconciler.ErrorStatusUpdateControl;
import io.javaoperatorsdk.operator.api.reconciler.UpdateControl;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Status is built, compared, then patched: a reconciler works on a copy of the stored status and the API is
 * written only when the copy differs, so the resync of an unchanged object makes no API call.
 */
public final class StatusUpdates {
  private StatusUpdates() {}

  /** A deep copy of the stored status to build the next one on, or a new one when there is none yet. */
  @SuppressWarnings("unchecked")
  public static <S> S copyOf(S stored, Supplier<S> empty) {
    if (stored == null) {
      return empty.get();
    }
    return (S) Serialization.jsonMapper().convertValue(stored, stored.getClass());
  }

  /** Patches the status only when the built one differs from the stored one. */
  public static <S, R extends CustomResource<?, S>> UpdateControl<R> patchIfChanged(R resource, S stored, S built) {
    if (Objects.equals(stored, built)) {
      return UpdateControl.noUpdate();
    }
    resource.setStatus(built);
    return UpdateControl.patchStatus(resource);
  }

  /**
   * The control a reconciler built, minus its status patch when the status it carries equals the stored one;
   * a requested reschedule is kept.
   */
  public static <S, R extends CustomResource<?, S>> UpdateControl<R> onlyIfChanged(UpdateControl<R> control, R resource, S stored) {
    if (!(control.isPatchStatus() || control.isPatchResourceAndStatus()) || !Objects.equals(stored, resource.getStatus())) {
      return control;
    }
    UpdateControl<R> reduced = control.isPatchResourceAndStatus() ? UpdateControl.patchResource(resource) : UpdateControl.noUpdate();
    control.getScheduleDelay().ifPresent(delay -> reduced.rescheduleAfter(delay));
    return reduced;
  }

  /**
   * The status an error is written on: the one stored in the cache, never the half-built one of the failed pass
   * (which JOSDK hands to updateErrorStatus), so nothing the pass decided is written without what it did.
   */
  @SuppressWarnings("unchecked")
  public static <S, R extends CustomResource<?, S>> S storedStatus(R resource, io.javaoperatorsdk.operator.api.reconciler.Context<R> context) {
    return context.getPrimaryCache().get(io.javaoperatorsdk.operator.processing.event.ResourceID.fromResource(resource))
        .map(r -> ((R) r).getStatus()).orElse(null);
  }

  /** Whether an error is a write conflict (a newer version exists): retried at once, not worth a condition. */
  public static boolean conflict(Exception error) {
    Throwable cause = error;
    while (cause != null) {
      if (cause instanceof io.fabric8.kubernetes.client.KubernetesClientException k && k.getCode() == 409) {
        return true;
      }
      cause = cause.getCause() == cause ? null : cause.getCause();
    }
    return false;
  }

  /**
   * What every reconciler's updateErrorStatus does: an unexpected error becomes Ready=False, reason ReconcileError,
   * with a one-line message, on the status stored in the cache, written only when it changes; a write conflict is
   * retried without a condition.
   */
  public static <S, R extends CustomResource<?, S>> ErrorStatusUpdateControl<R> reconcileError(R resource,
      io.javaoperatorsdk.operator.api.reconciler.Context<R> context, Exception error, Supplier<S> empty,
      java.util.function.Function<S, java.util.List<dev.flywheel.crds.common.Condition>> conditions, java.time.Clock clock) {
    if (conflict(error)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    S stored = storedStatus(resource, context);
    S status = copyOf(stored, empty);
    Conditions.set(conditions.apply(status), "Ready", dev.flywheel.crds.common.ConditionStatus.False, "ReconcileError", describe(error),
        resource.getMetadata().getGeneration(), clock);
    return errorIfChanged(resource, stored, status);
  }

  /** The error status to write, or none when nothing changed (a failing retry loop then makes no status writes). */
  public static <S, R extends CustomResource<?, S>> ErrorStatusUpdateControl<R> errorIfChanged(R resource, S stored, S built) {
    if (Objects.equals(stored, built)) {
      return ErrorStatusUpdateControl.noStatusUpdate();
    }
    resource.setStatus(built);
    return ErrorStatusUpdateControl.patchStatus(resource);
  }

  /** One line a person can read for an unexpected error, never a stack trace. */
  public static String describe(Exception error) {
    Throwable cause = error;
    while (cause.getCause() != null && cause.getCause() != cause && (cause.getMessage() == null || cause.getMessage().isBlank())) {
      cause = cause.getCause();
    }
    String message = cause.getMessage() == null || cause.getMessage().isBlank() ? cause.getClass().getSimpleName() : cause.getMessage();
    String line = message.strip().replaceAll("\\s+", " ");
    return line.length() > 500 ? line.substring(0, 500) + "…" : line;
  }
}
