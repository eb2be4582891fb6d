package dev.flywheel.operator.common;

import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.OwnerReference;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;

/** The owner reference that makes a child resource part of the Flywheel resource it was made for (deletion cascades). */
public final class OwnerReferences {
  private OwnerReferences() {}

  /** A controller reference to the owner that blocks the owner's foreground deletion until the child is gone. */
  public static OwnerReference controller(HasMetadata owner) {
    return new OwnerReferenceBuilder()
        .withApiVersion(owner.getApiVersion()).withKind(owner.getKind())
        .withName(owner.getMetadata().getName()).withUid(owner.getMetadata().getUid())
        .withController(true).withBlockOwnerDeletion(true).build();
  }

  /** Whether a resource carries an owner reference to the owner with this uid. */
  public static boolean ownedBy(HasMetadata resource, String ownerUid) {
    return resource != null && ownerUid != null && resource.getMetadata().getOwnerReferences() != null
        && resource.getMetadata().getOwnerReferences().stream().anyMatch(o -> ownerUid.equals(o.getUid()));
  }
}
