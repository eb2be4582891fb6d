package dev.flywheel.operator.placement;

import dev.flywheel.crds.common.DataClassification;
import java.util.Set;

/**
 * What placement needs to know of one Site: what data it may hold, whether it answers, and how busy it is.
 *
 * @param maxConcurrentTrainingJobs null means no limit
 */
public record SiteCandidate(
    String name,
    Set<DataClassification> allowedClassifications,
    boolean reachable,
    int runningTrainingJobs,
    Integer maxConcurrentTrainingJobs,
    boolean burst,
    int priority) {

  boolean allows(DataClassification classification) {
    return allowedClassifications.contains(classification);
  }

  boolean hasRoom() {
    return maxConcurrentTrainingJobs == null || runningTrainingJobs < maxConcurrentTrainingJobs;
  }
}
