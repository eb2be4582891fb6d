package dev.flywheel.operator.serving;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import dev.flywheel.operator.common.Labels;
import dev.flywheel.operator.common.Names;
import dev.flywheel.operator.common.OwnerReferences;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.ServicePortBuilder;
import java.util.List;
import java.util.Map;

/**
 * The ClusterIP Services of a ModelDeployment: one in front of every serving pod (clients use it; without an HTTPRoute
 * the canary's share of traffic is its share of these pods) and one per track (the HTTPRoute's weighted backends); each
 * with the HTTP port, and the gRPC port when spec.server.grpc asks for it.
 */
public final class ServingServiceBuilder {
  private ServingServiceBuilder() {}

  /** The Service of every serving pod, both tracks. */
  public static Service all(ModelDeployment mdep) {
    return service(mdep, Names.servingService(mdep), Labels.serving(mdep), Labels.servingSelector(mdep));
  }

  /** The Service of one track's pods. */
  public static Service track(ModelDeployment mdep, Track track) {
    return service(mdep, Names.trackService(mdep, track), Labels.serving(mdep, track), Labels.servingSelector(mdep, track));
  }

  /** Where clients reach the model in the cluster, through {@link #all}: the Open Inference Protocol model endpoint. */
  public static String url(ModelDeployment mdep) {
    return "http://" + Names.servingService(mdep) + "." + mdep.getMetadata().getNamespace() + ".svc:"
        + ServingDeploymentBuilder.PORT + "/v2/models/" + mdep.getSpec().getModel();
  }

  private static Service service(ModelDeployment mdep, String name, Map<String, String> labels, Map<String, String> selector) {
    return new ServiceBuilder()
        .withNewMetadata()
          .withName(name)
          .withNamespace(mdep.getMetadata().getNamespace())
          .withLabels(labels)
          .withOwnerReferences(OwnerReferences.controller(mdep))
        .endMetadata()
        .withNewSpec()
          .withType("ClusterIP")
          .withSelector(selector)
          .addNewPort()
            .withName(ServingDeploymentBuilder.PORT_NAME)
            .withPort(ServingDeploymentBuilder.PORT)
            .withTargetPort(new IntOrString(ServingDeploymentBuilder.PORT_NAME))
          .endPort()
          .addAllToPorts(grpcPort(mdep))
        .endSpec()
        .build();
  }

  /** The gRPC port (HTTP/2 without TLS, so appProtocol kubernetes.io/h2c), when spec.server.grpc asks for it. */
  private static List<ServicePort> grpcPort(ModelDeployment mdep) {
    if (!ServingDeploymentBuilder.servesGrpc(mdep.getSpec().getServer())) {
      return List.of();
    }
    return List.of(new ServicePortBuilder()
        .withName(ServingDeploymentBuilder.GRPC_PORT_NAME)
        .withPort(ServingDeploymentBuilder.GRPC_PORT)
        .withTargetPort(new IntOrString(ServingDeploymentBuilder.GRPC_PORT_NAME))
        .withAppProtocol("kubernetes.io/h2c")
        .build());
  }
}
