package dev.flywheel.operator.serving;

import static dev.flywheel.operator.serving.ServingFixtures.mdep;
import static org.assertj.core.api.Assertions.assertThat;

import dev.flywheel.crds.modeldeployment.ModelDeployment;
import io.fabric8.kubernetes.api.model.Service;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The Services of a ModelDeployment: one for every serving pod, one per track. */
class ServingServiceBuilderTest {
  final ModelDeployment mdep = mdep("model: churn\nversion: churn-v3\n");

  @Test
  void theServiceSelectsEveryServingPodOfBothTracks() {
    Service service = ServingServiceBuilder.all(mdep);
    assertThat(service.getMetadata().getName()).isEqualTo("churn");
    assertThat(service.getMetadata().getNamespace()).isEqualTo("ml");
    assertThat(service.getMetadata().getLabels()).containsEntry("app.kubernetes.io/component", "serving")
        .containsEntry("mlops.flywheel.dev/deployment", "churn").doesNotContainKey("mlops.flywheel.dev/track");
    assertThat(service.getMetadata().getOwnerReferences()).singleElement()
        .satisfies(o -> assertThat(o.getKind() + "/" + o.getName() + " " + o.getController()).isEqualTo("ModelDeployment/churn true"));
    assertThat(service.getSpec().getType()).isEqualTo("ClusterIP");
    assertThat(service.getSpec().getSelector()).containsExactlyEntriesOf(Map.of("mlops.flywheel.dev/deployment", "churn"));
    assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> {
      assertThat(p.getName()).isEqualTo("http");
      assertThat(p.getPort()).isEqualTo(8080);
      assertThat(p.getTargetPort().getStrVal()).isEqualTo("http");
    });
  }

  @Test
  void eachTrackHasItsOwnServiceForTheRoutesBackends() {
    for (Track track : Track.values()) {
      Service service = ServingServiceBuilder.track(mdep, track);
      assertThat(service.getMetadata().getName()).isEqualTo("churn-" + track.label());
      assertThat(service.getMetadata().getLabels()).containsEntry("mlops.flywheel.dev/track", track.label());
      assertThat(service.getSpec().getSelector()).containsExactlyInAnyOrderEntriesOf(
          Map.of("mlops.flywheel.dev/deployment", "churn", "mlops.flywheel.dev/track", track.label()));
      assertThat(service.getSpec().getPorts()).singleElement().satisfies(p -> assertThat(p.getPort()).isEqualTo(8080));
      assertThat(service.getMetadata().getOwnerReferences()).hasSize(1);
    }
  }

  @Test
  void withGrpcEveryServiceAlsoCarriesTheGrpcPort() {
    ModelDeployment grpc = mdep("model: churn\nversion: churn-v3\nserver: {grpc: true}\n");
    List<Service> services = new java.util.ArrayList<>(List.of(ServingServiceBuilder.all(grpc)));
    for (Track track : Track.values()) {
      services.add(ServingServiceBuilder.track(grpc, track));
    }
    for (Service service : services) {
      assertThat(service.getSpec().getPorts()).extracting(p -> p.getName() + ":" + p.getPort() + "->" + p.getTargetPort().getStrVal())
          .containsExactly("http:8080->http", "grpc:8081->grpc");
      assertThat(service.getSpec().getPorts().get(1).getAppProtocol()).isEqualTo("kubernetes.io/h2c");
    }
    assertThat(ServingServiceBuilder.all(mdep).getSpec().getPorts()).as("without it, HTTP only").hasSize(1);
  }

  @Test
  void theUrlIsTheModelsInferenceEndpointBehindTheService() {
    assertThat(ServingServiceBuilder.url(mdep)).isEqualTo("http://churn.ml.svc:8080/v2/models/churn");
  }
}
