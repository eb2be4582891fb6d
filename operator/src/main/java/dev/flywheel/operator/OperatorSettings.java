package dev.flywheel.operator;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The operator's settings (application.properties, each overridable by environment: FLYWHEEL_IMAGE, …). */
@ConfigMapping(prefix = "flywheel")
public interface OperatorSettings {
  /** Image of the model runtime (flywheel-model) that training, validation and serving pods run. */
  String image();

  /** The operator's own namespace (POD_NAMESPACE in the chart): events about cluster-scoped Sites go there. */
  @WithDefault("default")
  String namespace();

  Placement placement();

  Remote remote();

  SiteProbe site();

  Prometheus prometheus();

  Serving serving();

  RetrainingSettings retraining();

  interface Placement {
    /** How often work that no Site can take is placed again (Site changes also wake it at once). */
    @WithDefault("30s")
    Duration retry();
  }

  interface Remote {
    /** How often a Job on a remote cluster, which no informer watches, is looked at. */
    @WithDefault("15s")
    Duration poll();
  }

  interface SiteProbe {
    /** How often each Site is probed. */
    @WithDefault("60s")
    Duration probeInterval();
  }

  interface RetrainingSettings {
    /** How often retraining triggers are evaluated; never faster than a deployment's monitoring.scrapeInterval. */
    @WithDefault("1m")
    Duration interval();
  }

  interface Serving {
    /** Longest time between two looks at a ModelDeployment (a canary's pause or analysis interval wakes it sooner). */
    @WithDefault("30s")
    Duration resync();
  }

  interface Prometheus {
    /** The Prometheus that retraining triggers and rollout analysis query. */
    String url();

    /** The longest wait for a connection to Prometheus; past it the query is UNREACHABLE (inconclusive). */
    @WithDefault("2s")
    Duration connectTimeout();

    /** The longest one query may take, connecting and reading the answer included; past it the query is UNREACHABLE. */
    @WithDefault("10s")
    Duration queryTimeout();
  }
}
