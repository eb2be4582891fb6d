package dev.flywheel.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.flywheel.crds.validation.RepoPaths;
import io.fabric8.kubernetes.api.model.GenericKubernetesResource;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.dsl.NonNamespaceOperation;
import io.fabric8.kubernetes.client.dsl.Resource;
import io.fabric8.kubernetes.client.dsl.base.PatchContext;
import io.fabric8.kubernetes.client.dsl.base.PatchType;
import io.fabric8.kubernetes.api.model.GenericKubernetesResourceList;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The in-process API through the fabric8 client, as the operator and the local node use it. */
class LocalApiServerTest {
  private static LocalApiServer api;
  private static KubernetesClient client;

  @BeforeAll
  static void start() {
    api = LocalApiServer.start(RepoPaths.chartCrds());
    client = api.client();
  }

  @AfterAll
  static void stop() {
    api.close();
  }

  private static NonNamespaceOperation<GenericKubernetesResource, GenericKubernetesResourceList, Resource<GenericKubernetesResource>> modelDeployments() {
    return client.genericKubernetesResources("mlops.flywheel.dev/v1alpha1", "ModelDeployment").inNamespace("default");
  }

  private static GenericKubernetesResource modelDeployment(String name, Map<String, Object> spec) {
    GenericKubernetesResource mdep = new GenericKubernetesResource();
    mdep.setApiVersion("mlops.flywheel.dev/v1alpha1");
    mdep.setKind("ModelDeployment");
    mdep.setMetadata(new io.fabric8.kubernetes.api.model.ObjectMetaBuilder().withName(name).build());
    mdep.setAdditionalProperty("spec", spec);
    return mdep;
  }

  private static GenericKubernetesResource valid(String name) {
    return modelDeployment(name, Map.of("model", "churn", "followStage", "Production"));
  }

  @Test
  void validModelDeploymentIsStoredWithDefaultsAndGenerationOne() {
    GenericKubernetesResource created = modelDeployments().resource(valid("valid")).create();

    assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(created.get("spec", "replicas").toString()).isEqualTo("1");
    assertThat(modelDeployments().withName("valid").get().get("spec", "replicas").toString()).isEqualTo("1");
  }

  @Test
  void invalidModelDeploymentIsRefusedWith422NamingTheField() {
    GenericKubernetesResource invalid = modelDeployment("invalid", Map.of("model", "churn", "followStage", "Production", "replicas", -1));

    assertThatThrownBy(() -> modelDeployments().resource(invalid).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getReason()).isEqualTo("Invalid");
          assertThat(e.getStatus().getMessage()).contains("spec.replicas");
          assertThat(e.getStatus().getDetails().getCauses()).extracting("field").contains("spec.replicas");
        });
    assertThat(modelDeployments().withName("invalid").get()).isNull();

    GenericKubernetesResource bothVersions = modelDeployment("both", Map.of("model", "churn", "followStage", "Production", "version", "v1"));
    assertThatThrownBy(() -> modelDeployments().resource(bothVersions).create())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getDetails().getCauses()).extracting("field").contains("spec.version");
        });
  }

  @Test
  void generationRisesOnlyWhenTheSpecChanges() {
    modelDeployments().resource(valid("generation")).create();

    GenericKubernetesResource labelled = modelDeployments().withName("generation")
        .edit(m -> { m.getMetadata().setLabels(Map.of("team", "churn")); return m; });
    assertThat(labelled.getMetadata().getGeneration()).isEqualTo(1L);

    GenericKubernetesResource scaled = modelDeployments().withName("generation")
        .edit(m -> { ((Map<String, Object>) m.getAdditionalProperties().get("spec")).put("replicas", 2); return m; });
    assertThat(scaled.getMetadata().getGeneration()).isEqualTo(2L);

    GenericKubernetesResource withStatus = modelDeployments().withName("generation").get();
    withStatus.setAdditionalProperty("status", Map.of("replicas", 2));
    GenericKubernetesResource statusWritten = modelDeployments().resource(withStatus).updateStatus();
    assertThat(statusWritten.getMetadata().getGeneration()).isEqualTo(2L);
    assertThat(statusWritten.get("status", "replicas").toString()).isEqualTo("2");
  }

  @Test
  void statusSubresourceSeparatesStatusFromTheRest() {
    modelDeployments().resource(valid("status")).create();

    GenericKubernetesResource mainWrite = modelDeployments().withName("status").get();
    mainWrite.setAdditionalProperty("status", Map.of("url", "http://ignored"));
    assertThat(modelDeployments().resource(mainWrite).update().getAdditionalProperties()).doesNotContainKey("status");

    GenericKubernetesResource statusWrite = modelDeployments().withName("status").get();
    statusWrite.setAdditionalProperty("status", Map.of("url", "http://churn"));
    ((Map<String, Object>) statusWrite.getAdditionalProperties().get("spec")).put("replicas", 7);
    GenericKubernetesResource written = modelDeployments().resource(statusWrite).updateStatus();
    assertThat(written.get("status", "url").toString()).isEqualTo("http://churn");
    assertThat(written.get("spec", "replicas").toString()).isEqualTo("1");

    // fabric8 adds ?fieldManager=...; the write still goes to status only.
    GenericKubernetesResource badStatus = modelDeployments().withName("status").get();
    badStatus.setAdditionalProperty("status", Map.of("replicas", "many"));
    assertThatThrownBy(() -> modelDeployments().resource(badStatus).updateStatus())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
          assertThat(e.getCode()).isEqualTo(422);
          assertThat(e.getStatus().getDetails().getCauses()).extracting("field").contains("status.replicas");
        });
  }

  @Test
  void aWriteThatChangesNothingKeepsTheResourceVersionAndIsCounted() {
    long posts = api.requestCounts().total(key -> key.equals("POST modeldeployments"));
    GenericKubernetesResource created = modelDeployments().resource(valid("unchanged")).create();

    GenericKubernetesResource replaced = modelDeployments().resource(created).update();

    assertThat(replaced.getMetadata().getResourceVersion()).isEqualTo(created.getMetadata().getResourceVersion());
    assertThat(api.requestCounts().total(key -> key.equals("POST modeldeployments"))).isEqualTo(posts + 1);
    assertThat(api.requestCounts().snapshot()).containsKey("PUT modeldeployments");
  }

  @Test
  void requestsAreCountedByClientSoTheOperatorsAreToldApartFromTheSandboxsOwn() throws Exception {
    long ownLists = ownCount("LIST modeldeployments");
    modelDeployments().list();
    HttpResponse<String> other = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
        URI.create(api.url() + "/apis/mlops.flywheel.dev/v1alpha1/namespaces/default/modeldeployments"))
        .header("User-Agent", "flywheel-operator-test").build(), HttpResponse.BodyHandlers.ofString());

    assertThat(other.statusCode()).isEqualTo(200);
    assertThat(api.requestCounts().snapshot(agent -> agent.equals("flywheel-operator-test")))
        .isEqualTo(Map.of("LIST modeldeployments", 1L));
    assertThat(ownCount("LIST modeldeployments")).isEqualTo(ownLists + 1);
  }

  private static long ownCount(String key) {
    return api.requestCounts().snapshot(agent -> agent.equals(LocalApiServer.OWN_USER_AGENT)).getOrDefault(key, 0L);
  }

  @Test
  void selfRulesReviewGrantsEverythingAsLeaderElectionAsks() {
    var review = client.authorization().v1().selfSubjectRulesReview().create(
        new io.fabric8.kubernetes.api.model.authorization.v1.SelfSubjectRulesReviewBuilder().withNewSpec()
            .withNamespace("default").endSpec().build());

    assertThat(review.getStatus().getResourceRules()).singleElement().satisfies(rule -> {
      assertThat(rule.getVerbs()).containsExactly("*");
      assertThat(rule.getResources()).containsExactly("*");
    });
  }

  @Test
  void staleResourceVersionIsAConflict() {
    GenericKubernetesResource created = modelDeployments().resource(valid("conflict")).create();
    modelDeployments().withName("conflict").edit(m -> { m.getMetadata().setLabels(Map.of("a", "b")); return m; });

    created.getMetadata().setLabels(Map.of("a", "c"));
    assertThatThrownBy(() -> modelDeployments().resource(created).update())
        .isInstanceOfSatisfying(KubernetesClientException.class, e -> assertThat(e.getCode()).isEqualTo(409));
  }

  @Test
  void serverSideApplyCreatesThenMergesAndReplacesStatus() {
    PatchContext apply = new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("flywheel")
        .withForce(true).build();
    GenericKubernetesResource created = modelDeployments().resource(valid("applied")).patch(apply);
    assertThat(created.getMetadata().getUid()).isNotBlank();
    assertThat(created.get("spec", "replicas").toString()).isEqualTo("1");

    GenericKubernetesResource firstStatus = valid("applied");
    firstStatus.setAdditionalProperty("status", Map.of("url", "http://a", "replicas", 1));
    modelDeployments().resource(firstStatus).subresource("status").patch(apply);
    GenericKubernetesResource secondStatus = valid("applied");
    secondStatus.setAdditionalProperty("status", Map.of("replicas", 2));
    GenericKubernetesResource applied = modelDeployments().resource(secondStatus).subresource("status").patch(apply);

    assertThat((Map<String, Object>) applied.getAdditionalProperties().get("status")).containsExactly(Map.entry("replicas", 2));
    assertThat(applied.getMetadata().getGeneration()).isEqualTo(1L);
  }

  @Test
  void finalizersHoldDeletionUntilRemoved() {
    GenericKubernetesResource withFinalizer = valid("finalized");
    withFinalizer.getMetadata().setFinalizers(List.of("mlops.flywheel.dev/cleanup"));
    modelDeployments().resource(withFinalizer).create();

    modelDeployments().withName("finalized").delete();
    GenericKubernetesResource deleting = modelDeployments().withName("finalized").get();
    assertThat(deleting.getMetadata().getDeletionTimestamp()).isNotBlank();

    modelDeployments().withName("finalized").edit(m -> { m.getMetadata().setFinalizers(List.of()); return m; });
    assertThat(modelDeployments().withName("finalized").get()).isNull();
  }

  @Test
  void aCoreKindAndANamedGroupsKindOfTheSamePluralAreTwoObjects() {
    // fabric8 keys a core kind without a group: its own lookups would take the named group's Event for the core one.
    client.events().v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.events.v1.EventBuilder()
        .withNewMetadata().withName("twin").endMetadata().withReason("Named").build()).create();
    client.v1().events().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.EventBuilder()
        .withNewMetadata().withName("twin").endMetadata().withReason("Core").build()).create();

    assertThat(client.v1().events().inNamespace("default").withName("twin").get().getReason()).isEqualTo("Core");
    assertThat(client.events().v1().events().inNamespace("default").withName("twin").get().getReason()).isEqualTo("Named");
    assertThat(client.v1().events().inNamespace("default").list().getItems())
        .extracting(event -> event.getMetadata().getName() + ":" + event.getReason()).containsExactly("twin:Core");

    client.events().v1().events().inNamespace("default").withName("twin").delete();
    assertThat(client.v1().events().inNamespace("default").withName("twin").get().getReason()).isEqualTo("Core");
    client.v1().events().inNamespace("default").withName("twin").delete();
  }

  @Test
  void dependentsAreCollectedWhenTheirOwnerGoes() {
    GenericKubernetesResource owner = modelDeployments().resource(valid("owner")).create();
    Deployment dependent = client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
        .withNewMetadata().withName("owner-stable").withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion(owner.getApiVersion()).withKind(owner.getKind()).withName("owner")
            .withUid(owner.getMetadata().getUid()).withController(true).build()).endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "owner").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "owner").endMetadata()
        .withNewSpec().addNewContainer().withName("server").withImage("flywheel-model").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    client.configMaps().inNamespace("default").resource(new io.fabric8.kubernetes.api.model.ConfigMapBuilder()
        .withNewMetadata().withName("owner-stable-config").withOwnerReferences(new OwnerReferenceBuilder()
            .withApiVersion("apps/v1").withKind("Deployment").withName("owner-stable")
            .withUid(dependent.getMetadata().getUid()).build()).endMetadata().build()).create();

    modelDeployments().withName("owner").delete();

    client.configMaps().inNamespace("default").withName("owner-stable-config").waitUntilCondition(c -> c == null, 10, TimeUnit.SECONDS);
    assertThat(client.apps().deployments().inNamespace("default").withName("owner-stable").get()).isNull();
  }

  @Test
  void scaleSubresourceOfModelDeploymentsAndDeployments() throws Exception {
    modelDeployments().resource(valid("scaled")).create();
    HttpResponse<String> patched = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(api.url()
            + "/apis/mlops.flywheel.dev/v1alpha1/namespaces/default/modeldeployments/scaled/scale"))
        .method("PATCH", HttpRequest.BodyPublishers.ofString("{\"spec\":{\"replicas\":3}}"))
        .header("Content-Type", "application/merge-patch+json").timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(patched.statusCode()).isEqualTo(200);
    assertThat(patched.body()).contains("\"kind\":\"Scale\"");
    assertThat(modelDeployments().withName("scaled").get().get("spec", "replicas").toString()).isEqualTo("3");

    client.apps().deployments().inNamespace("default").resource(new DeploymentBuilder()
        .withNewMetadata().withName("web").endMetadata()
        .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "web").endSelector()
        .withNewTemplate().withNewMetadata().addToLabels("app", "web").endMetadata()
        .withNewSpec().addNewContainer().withName("web").withImage("web").endContainer().endSpec()
        .endTemplate().endSpec().build()).create();
    client.apps().deployments().inNamespace("default").withName("web").scale(4);
    assertThat(client.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas()).isEqualTo(4);
  }

  @Test
  void aWatchFromAResourceVersionGetsEveryLaterChangeAsNewlineDelimitedJson() throws Exception {
    String since = modelDeployments().resource(valid("replayed")).create().getMetadata().getResourceVersion();
    modelDeployments().withName("replayed").edit(m -> { m.getMetadata().setLabels(Map.of("step", "1")); return m; });
    modelDeployments().withName("replayed").edit(m -> { m.getMetadata().setLabels(Map.of("step", "2")); return m; });

    HttpResponse<java.util.stream.Stream<String>> watch = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            api.url() + "/apis/mlops.flywheel.dev/v1alpha1/namespaces/default/modeldeployments?watch=true&timeoutSeconds=2"
                + "&fieldSelector=metadata.name%3Dreplayed&resourceVersion=" + since)).timeout(Duration.ofSeconds(10)).build(),
        HttpResponse.BodyHandlers.ofLines());

    List<String> events = watch.body().toList();
    assertThat(events).hasSize(2);
    assertThat(events).allSatisfy(event -> assertThat(event).startsWith("{\"type\":\"MODIFIED\""));
    assertThat(events.get(1)).contains("\"step\":\"2\"");
  }

  @Test
  void nullsSentByAnApplierArePrunedNotValidated() {
    PatchContext apply = new PatchContext.Builder().withPatchType(PatchType.SERVER_SIDE_APPLY).withFieldManager("flywheel")
        .withForce(true).build();
    modelDeployments().resource(valid("nulls")).create();
    GenericKubernetesResource status = valid("nulls");
    java.util.Map<String, Object> withNull = new java.util.HashMap<>();
    withNull.put("url", "http://nulls");
    withNull.put("canaryVersion", null);
    status.setAdditionalProperty("status", withNull);

    GenericKubernetesResource applied = modelDeployments().resource(status).subresource("status").patch(apply);

    assertThat((Map<String, Object>) applied.getAdditionalProperties().get("status")).containsOnlyKeys("url");
  }

  @Test
  void watchesReachTheClientOverPlainHttp() throws Exception {
    var seen = new java.util.concurrent.CopyOnWriteArrayList<String>();
    var informer = modelDeployments().inform(new io.fabric8.kubernetes.client.informers.ResourceEventHandler<>() {
      @Override
      public void onAdd(GenericKubernetesResource obj) {
        seen.add("add " + obj.getMetadata().getName());
      }

      @Override
      public void onUpdate(GenericKubernetesResource oldObj, GenericKubernetesResource newObj) {
        seen.add("update " + newObj.getMetadata().getName());
      }

      @Override
      public void onDelete(GenericKubernetesResource obj, boolean deletedFinalStateUnknown) {
        seen.add("delete " + obj.getMetadata().getName());
      }
    });
    try {
      modelDeployments().resource(valid("watched")).create();
      modelDeployments().withName("watched").edit(m -> { m.getMetadata().setLabels(Map.of("x", "y")); return m; });
      modelDeployments().withName("watched").delete();
      long deadline = System.currentTimeMillis() + 10_000;
      while (!seen.contains("delete watched") && System.currentTimeMillis() < deadline) {
        Thread.sleep(50);
      }
      assertThat(seen).contains("add watched", "update watched", "delete watched");
    } finally {
      informer.close();
    }
  }
}
