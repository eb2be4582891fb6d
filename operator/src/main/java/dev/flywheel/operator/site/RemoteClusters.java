package dev.flywheel.operator.site;

import dev.flywheel.crds.site.KubeconfigSecretRef;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import java.nio.charset.StandardCharsets;
import java.util.Base64;

/** Builds a client for a remote-cluster Site from the kubeconfig in its Secret; the kubeconfig is read, never copied. */
public final class RemoteClusters {
  /** Why a remote cluster cannot be reached, as the Reachable condition's reason. */
  public static final class Unreachable extends Exception {
    private final String reason;

    Unreachable(String reason, String message) {
      super(message);
      this.reason = reason;
    }

    public String reason() {
      return reason;
    }
  }

  private RemoteClusters() {}

  public static KubernetesClient connect(KubernetesClient local, KubeconfigSecretRef ref) throws Unreachable {
    Secret secret;
    try {
      secret = local.secrets().inNamespace(ref.getNamespace()).withName(ref.getName()).get();
    } catch (KubernetesClientException e) {
      throw new Unreachable("SecretNotReadable", "cannot read Secret " + ref.getNamespace() + "/" + ref.getName() + ": HTTP " + e.getCode()
          + (e.getCode() == 403 ? " (the operator reads kubeconfig Secrets only in its own namespace)" : ""));
    }
    if (secret == null) {
      throw new Unreachable("SecretNotFound", "Secret " + ref.getNamespace() + "/" + ref.getName() + " does not exist");
    }
    String key = ref.getKey() != null ? ref.getKey() : "kubeconfig";
    String kubeconfig = null;
    if (secret.getData() != null && secret.getData().get(key) != null) {
      kubeconfig = new String(Base64.getDecoder().decode(secret.getData().get(key)), StandardCharsets.UTF_8);
    } else if (secret.getStringData() != null) {
      kubeconfig = secret.getStringData().get(key);
    }
    if (kubeconfig == null || kubeconfig.isBlank()) {
      throw new Unreachable("KubeconfigKeyMissing", "Secret " + ref.getNamespace() + "/" + ref.getName() + " has no key " + key);
    }
    try {
      Config config = Config.fromKubeconfig(kubeconfig);
      config.setConnectionTimeout(5_000);
      config.setRequestTimeout(10_000);
      config.setRequestRetryBackoffLimit(0);
      return new KubernetesClientBuilder().withConfig(config).build();
    } catch (RuntimeException e) {
      throw new Unreachable("InvalidKubeconfig", "the kubeconfig in Secret " + ref.getNamespace() + "/" + ref.getName() + " cannot be used: "
          + e.getClass().getSimpleName());
    }
  }
}
