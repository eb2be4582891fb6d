package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.client.KubernetesClient;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * What the parts of a {@link LocalNode} share: its settings, the API client, the loop (one thread: every controller and
 * kubelet decision, status write and timer runs on it, so no state needs a lock), the pool that runs probes, and every
 * process started and not yet exited (including those of deleted pods still stopping), which close stops.
 */
record NodeContext(NodeSettings settings, KubernetesClient client, ScheduledExecutorService loop, ExecutorService probes,
    Set<Process> processes) {}
