package dev.flywheel.operator.serving;

/**
 * How many pods each track runs at a canary weight, and the share of traffic the canary really gets.
 *
 * <p>Without exact weights (no HTTPRoute) traffic follows pods, as in Argo Rollouts without traffic routing: the
 * canary gets {@code ceil(replicas * weight / 100)} pods, at least 1 and at most all, and the stable track keeps the
 * rest but at least 1 pod until the weight is 100, so the real share is coarse: 3 replicas at weight 10 give 1 canary
 * pod of 3, 33 %. With exact weights (an HTTPRoute splits requests) the stable track keeps every replica and the canary
 * runs enough pods for its weight; the share is the weight. A weight of 0 (or less) runs no canary pod.
 *
 * @param canaryPercent the canary's real share of requests, in percent
 */
public record ReplicaSplit(int stable, int canary, int canaryPercent) {

  /**
   * @param replicas the ModelDeployment's replicas
   * @param canaryWeight the current canary step's weight, 0 to 100 (clamped)
   * @param exactWeights whether an HTTPRoute splits the traffic by weight
   */
  public static ReplicaSplit of(int replicas, int canaryWeight, boolean exactWeights) {
    int weight = Math.max(0, Math.min(100, canaryWeight));
    if (replicas <= 0) {
      return new ReplicaSplit(0, 0, 0);
    }
    if (weight == 0) {
      return new ReplicaSplit(replicas, 0, 0);
    }
    int share = (replicas * weight + 99) / 100;
    if (exactWeights) {
      return new ReplicaSplit(replicas, Math.max(1, share), weight);
    }
    int canary = Math.min(replicas, Math.max(1, share));
    int stable = weight < 100 ? Math.max(1, replicas - canary) : replicas - canary;
    return new ReplicaSplit(stable, canary, (int) Math.round(100.0 * canary / (stable + canary)));
  }
}
