package dev.flywheel.operator;

import io.javaoperatorsdk.operator.api.config.LeaderElectionConfiguration;
import jakarta.inject.Singleton;

/**
 * Leader election through the Lease flywheel-operator in the operator's namespace (POD_NAMESPACE), so several
 * replicas can run and only one reconciles. Active in the prod profile (quarkus.operator-sdk.activate-leader-election-for-profiles).
 */
@Singleton
public class LeaseLeaderElection extends LeaderElectionConfiguration {
  public static final String LEASE = "flywheel-operator";

  public LeaseLeaderElection() {
    super(LEASE, System.getenv("POD_NAMESPACE"));
  }
}
