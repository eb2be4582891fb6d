package dev.flywheel.operator.common;

import io.fabric8.kubernetes.api.model.Volume;
import io.fabric8.kubernetes.api.model.VolumeBuilder;
import io.fabric8.kubernetes.api.model.VolumeMount;
import io.fabric8.kubernetes.api.model.VolumeMountBuilder;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns data URIs into what the trainer container sees: pvc://claim/path becomes a PersistentVolumeClaim mounted at
 * /mnt/pvc/claim and the path below it; other URIs pass through unchanged. One volume per claim, read-only unless
 * something is written to it.
 */
public final class StorageMounts {
  public static final String ROOT = "/mnt/pvc/";

  private final Map<String, Boolean> claimsWritable = new LinkedHashMap<>();

  /** The path or URI the runtime reads data from (pvc:// mounted read-only; other URIs unchanged). */
  public String read(String uri) {
    return map(uri, false);
  }

  /** The path the runtime writes to (pvc:// mounted read-write, file:// as its path). */
  public String write(String uri) {
    return localPath(uri, true);
  }

  /** The local path of a pvc:// or file:// location, mounted read-only. */
  public String readPath(String uri) {
    return localPath(uri, false);
  }

  private String localPath(String uri, boolean writable) {
    String mapped = map(uri, writable);
    return mapped.startsWith("file://") ? mapped.substring("file://".length()) : mapped;
  }

  private String map(String uri, boolean writable) {
    if (!uri.startsWith("pvc://")) {
      return uri;
    }
    String rest = uri.substring("pvc://".length());
    int slash = rest.indexOf('/');
    String claim = slash < 0 ? rest : rest.substring(0, slash);
    String path = slash < 0 ? "" : rest.substring(slash);
    claimsWritable.merge(claim, writable, Boolean::logicalOr);
    return ROOT + claim + path;
  }

  public List<Volume> volumes() {
    List<Volume> volumes = new ArrayList<>();
    claimsWritable.forEach((claim, writable) -> volumes.add(new VolumeBuilder().withName("pvc-" + claim)
        .withNewPersistentVolumeClaim(claim, !writable).build()));
    return volumes;
  }

  public List<VolumeMount> mounts() {
    List<VolumeMount> mounts = new ArrayList<>();
    claimsWritable.forEach((claim, writable) -> mounts.add(new VolumeMountBuilder().withName("pvc-" + claim)
        .withMountPath(ROOT + claim).withReadOnly(!writable).build()));
    return mounts;
  }
}
