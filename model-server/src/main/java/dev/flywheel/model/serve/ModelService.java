package dev.flywheel.model.serve;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * What this server serves, independent of the wire protocol, for the protocols outside this package (gRPC): readiness,
 * which model and version it serves, the Open Inference Protocol's metadata documents, and inference through the
 * one {@link InferenceFlow} (so admission, batching, timeouts, metrics, drift and feedback ids are shared with REST).
 */
public final class ModelService {
  private final ServerSettings settings;
  private final Readiness readiness;
  private final ProtocolMetadata documents;
  private final InferenceFlow inference;

  ModelService(ServerSettings settings, Readiness readiness, ProtocolMetadata documents, InferenceFlow inference) {
    this.settings = settings;
    this.readiness = readiness;
    this.documents = documents;
    this.inference = inference;
  }

  public ServerSettings settings() {
    return settings;
  }

  /** Warmed up and not draining. */
  public boolean isReady() {
    return readiness.isReady();
  }

  /**
   * Null when this server serves the model (a null or empty version is the served one), else why not: the message of
   * the 404 (REST) or NOT_FOUND (gRPC).
   */
  public String unknownModel(String name, String version) {
    boolean anyVersion = version == null || version.isEmpty();
    if (name.equals(settings.modelName()) && (anyVersion || version.equals(settings.modelVersion()))) {
      return null;
    }
    return "model '" + name + "'" + (anyVersion ? "" : " version '" + version + "'") + " not found: this server serves model '"
        + settings.modelName() + "' version '" + settings.modelVersion() + "'";
  }

  /** The server's metadata document (GET /v2). */
  public JsonNode serverMetadata() {
    return documents.server();
  }

  /** The model's metadata document (GET /v2/models/{name}). */
  public JsonNode modelMetadata() {
    return documents.model();
  }

  public InferenceFlow inference() {
    return inference;
  }
}
