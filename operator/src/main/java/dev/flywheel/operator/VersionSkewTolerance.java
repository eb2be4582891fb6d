package dev.flywheel.operator;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.quarkus.kubernetes.client.KubernetesClientObjectMapperCustomizer;
import jakarta.inject.Singleton;

/**
 * Lets the operator read objects that carry fields it does not know — a CRD upgraded before the operator, as
 * `helm upgrade` or Argo CD may do — instead of failing the informer's watch and going blind for every object of that
 * kind. The API server has already checked those fields against the installed CRD; this operator just ignores them.
 */
@Singleton
public class VersionSkewTolerance implements KubernetesClientObjectMapperCustomizer {
  @Override
  public void customize(ObjectMapper mapper) {
    mapper.configure(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES, false);
  }
}
