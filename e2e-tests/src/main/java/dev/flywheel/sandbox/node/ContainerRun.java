package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerState;
import io.fabric8.kubernetes.api.model.ContainerStateBuilder;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Probe;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;

/**
 * One container of a local pod, as the kubelet keeps it: its process (started through {@link ContainerCommand}), its
 * probes (startup, then liveness and readiness), restarts by the pod's restartPolicy with back-off (CrashLoopBackOff while
 * waiting), and its state for containerStatuses; the termination message is read from the mapped terminationMessagePath
 * (at most 4096 bytes), or with FallbackToLogsOnError from the log's tail when the file is empty and it failed. Every
 * method runs on the node's loop thread; probe results and exits come back to it.
 */
final class ContainerRun {
  private final NodeContext node;
  private final Pod pod;
  private final Container container;
  private final LocalPaths paths;
  private final PortMap ports;
  private final Runnable changed;

  private Process process;
  private int generation;
  private int restartCount;
  private boolean started;
  private boolean ready;
  private boolean stopping;
  private ContainerState state = waiting("ContainerCreating", null);
  private ContainerState lastState;
  private Instant runningSince;
  private int startupFailures;
  private int livenessFailures;
  private int readinessFailures;
  private ScheduledFuture<?> pending;

  ContainerRun(NodeContext node, Pod pod, Container container, LocalPaths paths, PortMap ports, Runnable changed) {
    this.node = node;
    this.pod = pod;
    this.container = container;
    this.paths = paths;
    this.ports = ports;
    this.changed = changed;
  }

  void start() {
    if (stopping) {
      return;
    }
    generation++;
    started = container.getStartupProbe() == null;
    ready = false;
    startupFailures = livenessFailures = readinessFailures = 0;
    try {
      Files.deleteIfExists(paths.terminationLog());
      ProcessBuilder builder = ContainerCommand.build(node.settings(), node.client(), pod, container, paths, ports);
      Path log = ContainerCommand.log(paths, container);
      builder.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = builder.start();
    } catch (ContainerCommand.ConfigError error) {
      state = waiting(error.reason, error.getMessage());
      changed.run();
      retryLater();
      return;
    } catch (IOException | RuntimeException error) {
      terminated(128, "StartError", error.getMessage(), Instant.now());
      return;
    }
    runningSince = Instant.now();
    state = new ContainerStateBuilder().withNewRunning().withStartedAt(Timestamps.of(runningSince)).endRunning().build();
    int current = generation;
    Process started = process;
    node.processes().add(started);
    started.onExit().thenRun(() -> {
      node.processes().remove(started);
      node.loop().execute(() -> exited(current, started));
    });
    scheduleProbes(current);
    changed.run();
  }

  /** Whether a Never/OnFailure container will not run again. */
  boolean finished() {
    return state.getTerminated() != null && !restarts(state.getTerminated().getExitCode());
  }

  boolean ready() {
    return ready;
  }

  boolean running() {
    return state.getRunning() != null;
  }

  int restartCount() {
    return restartCount;
  }

  /** SIGTERM now, SIGKILL after the grace period; no restart follows. */
  void stop(Duration grace) {
    stopping = true;
    if (pending != null) {
      pending.cancel(false);
    }
    kill(grace);
  }

  private void kill(Duration grace) {
    Process victim = process;
    if (victim == null || !victim.isAlive()) {
      return;
    }
    List<ProcessHandle> descendants = victim.descendants().toList();
    victim.destroy();
    descendants.forEach(ProcessHandle::destroy);
    node.loop().schedule(() -> {
      if (victim.isAlive()) {
        victim.destroyForcibly();
      }
      descendants.stream().filter(ProcessHandle::isAlive).forEach(ProcessHandle::destroyForcibly);
    }, grace.toMillis(), TimeUnit.MILLISECONDS);
  }

  private void exited(int current, Process exited) {
    if (current != generation || exited != process) {
      return;
    }
    int code = exited.exitValue();
    terminated(code, code == 0 ? "Completed" : "Error", terminationMessage(code != 0), runningSince);
  }

  private void terminated(int exitCode, String reason, String message, Instant startedAt) {
    generation++;
    ready = false;
    state = new ContainerStateBuilder().withNewTerminated()
        .withExitCode(exitCode).withReason(reason).withMessage(message == null || message.isEmpty() ? null : message)
        .withStartedAt(startedAt == null ? null : Timestamps.of(startedAt)).withFinishedAt(Timestamps.of(Instant.now()))
        .withContainerID(process == null ? null : "sandbox://" + process.pid())
        .endTerminated().build();
    if (!stopping && restarts(exitCode)) {
      lastState = state;
      boolean ranLong = runningSince != null && Duration.between(runningSince, Instant.now()).compareTo(Duration.ofMinutes(10)) > 0;
      Duration delay = ranLong ? Duration.ZERO : node.settings().backoffAfter(restartCount + 1);
      restartCount++;
      state = waiting("CrashLoopBackOff", "back-off " + delay.toSeconds() + "s restarting failed container=" + container.getName()
          + " pod=" + pod.getMetadata().getName());
      pending = node.loop().schedule(this::start, delay.toMillis(), TimeUnit.MILLISECONDS);
    }
    changed.run();
  }

  private void retryLater() {
    pending = node.loop().schedule(this::start, node.settings().backoffAfter(1).toMillis(), TimeUnit.MILLISECONDS);
  }

  private boolean restarts(int exitCode) {
    String policy = pod.getSpec().getRestartPolicy() == null ? "Always" : pod.getSpec().getRestartPolicy();
    return "Always".equals(policy) || ("OnFailure".equals(policy) && exitCode != 0);
  }

  private String terminationMessage(boolean failed) {
    try {
      String message = Files.exists(paths.terminationLog()) ? read(paths.terminationLog(), 4096, false) : "";
      if (message.isEmpty() && failed && "FallbackToLogsOnError".equals(container.getTerminationMessagePolicy())) {
        Path log = ContainerCommand.log(paths, container);
        message = Files.exists(log) ? read(log, 2048, true) : "";
      }
      return message;
    } catch (IOException unreadable) {
      return "";
    }
  }

  private static String read(Path file, int limit, boolean tail) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    int from = tail ? Math.max(0, bytes.length - limit) : 0;
    int to = tail ? bytes.length : Math.min(bytes.length, limit);
    return new String(bytes, from, to - from, StandardCharsets.UTF_8);
  }

  private void scheduleProbes(int current) {
    if (container.getStartupProbe() != null) {
      schedule(current, container.getStartupProbe(), ProbeKind.STARTUP, initialDelay(container.getStartupProbe()));
    } else {
      afterStartup(current);
    }
  }

  private void afterStartup(int current) {
    if (container.getLivenessProbe() != null) {
      schedule(current, container.getLivenessProbe(), ProbeKind.LIVENESS, initialDelay(container.getLivenessProbe()));
    }
    if (container.getReadinessProbe() != null) {
      schedule(current, container.getReadinessProbe(), ProbeKind.READINESS, initialDelay(container.getReadinessProbe()));
    } else {
      ready = true;
    }
  }

  private enum ProbeKind { STARTUP, LIVENESS, READINESS }

  private static long initialDelay(Probe probe) {
    return TimeUnit.SECONDS.toMillis(probe.getInitialDelaySeconds() == null ? 0 : probe.getInitialDelaySeconds());
  }

  private static long period(Probe probe) {
    return TimeUnit.SECONDS.toMillis(probe.getPeriodSeconds() == null ? 10 : Math.max(1, probe.getPeriodSeconds()));
  }

  private void schedule(int current, Probe probe, ProbeKind kind, long delayMillis) {
    node.loop().schedule(() -> node.probes().execute(() -> {
      boolean success = ProbeCheck.run(probe, container, ports);
      node.loop().execute(() -> probed(current, probe, kind, success));
    }), delayMillis, TimeUnit.MILLISECONDS);
  }

  private void probed(int current, Probe probe, ProbeKind kind, boolean success) {
    if (current != generation || stopping) {
      return;
    }
    int threshold = probe.getFailureThreshold() == null ? 3 : Math.max(1, probe.getFailureThreshold());
    switch (kind) {
      case STARTUP -> {
        if (success) {
          started = true;
          changed.run();
          afterStartup(current);
          return;
        }
        if (++startupFailures >= threshold) {
          killForRestart();
          return;
        }
      }
      case LIVENESS -> {
        livenessFailures = success ? 0 : livenessFailures + 1;
        if (livenessFailures >= threshold) {
          killForRestart();
          return;
        }
      }
      case READINESS -> {
        readinessFailures = success ? 0 : readinessFailures + 1;
        boolean nowReady = success || (ready && readinessFailures < threshold);
        if (nowReady != ready) {
          ready = nowReady;
          changed.run();
        }
      }
    }
    schedule(current, probe, kind, period(probe));
  }

  /** A failed startup or liveness probe: the kubelet kills the container, and the restart policy decides what follows. */
  private void killForRestart() {
    ready = false;
    kill(Duration.ofSeconds(pod.getSpec().getTerminationGracePeriodSeconds() == null ? 30 : pod.getSpec().getTerminationGracePeriodSeconds()));
  }

  ContainerStatus status() {
    return new ContainerStatusBuilder()
        .withName(container.getName())
        .withImage(container.getImage())
        .withImageID("")
        .withContainerID(process == null ? null : "sandbox://" + process.pid())
        .withReady(ready && running())
        .withStarted(running() && started)
        .withRestartCount(restartCount)
        .withState(state)
        .withLastState(lastState == null ? new ContainerState() : lastState)
        .build();
  }

  private static ContainerState waiting(String reason, String message) {
    return new ContainerStateBuilder().withNewWaiting().withReason(reason).withMessage(message).endWaiting().build();
  }
}
