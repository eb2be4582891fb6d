package dev.flywheel.sandbox.node;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvFromSource;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.Secret;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The local program a container runs, as the image would run it (not through a shell). An image whose name contains
 * {@code flywheel-model} runs {@code <repo>/model-server/bin/flywheel-model} with the container's args (its command, if
 * any, is ignored: it is the image's entrypoint); any other image runs the container's command as a local program with
 * its args. {@code $(VAR)} in command and args expands from the container's environment, as the kubelet does.
 *
 * <p>The environment: the node's PATH, JAVA_HOME and LANG, then the container's env (values, Secret and ConfigMap keys,
 * {@code fieldRef} metadata.name / metadata.namespace / status.podIP, envFrom of Secrets and ConfigMaps, read when the
 * container starts), mounted paths rewritten ({@link LocalPaths}); then always DJL_OFFLINE and OPT_OUT_TRACKING true,
 * DJL_CACHE_DIR the node's shared cache (so natives are extracted once, not per pod), and JAVA_OPTS the node's unless the
 * container sets it. A missing Secret or ConfigMap fails the start with CreateContainerConfigError, as in Kubernetes.
 */
final class ContainerCommand {
  static final String FLYWHEEL_MODEL_IMAGE = "flywheel-model";
  private static final Pattern REFERENCE = Pattern.compile("\\$\\(([A-Za-z_][A-Za-z0-9_.-]*)\\)");

  /** A container that cannot be started: the reason and message its Waiting state shows. */
  static final class ConfigError extends Exception {
    final String reason;

    ConfigError(String reason, String message) {
      super(message);
      this.reason = reason;
    }
  }

  private ContainerCommand() {}

  static ProcessBuilder build(NodeSettings settings, KubernetesClient client, Pod pod, Container container, LocalPaths paths,
      PortMap ports) throws ConfigError {
    Map<String, String> env = environment(client, pod, container, paths);
    List<String> command = new ArrayList<>();
    List<String> args = container.getArgs() == null ? List.of() : container.getArgs();
    if (container.getImage() != null && container.getImage().contains(FLYWHEEL_MODEL_IMAGE)) {
      command.add(settings.launcher().toString());
    } else if (container.getCommand() != null && !container.getCommand().isEmpty()) {
      container.getCommand().forEach(part -> command.add(paths.rewrite(expand(part, env))));
    } else {
      throw new ConfigError("ErrImagePull", "the sandbox runs flywheel-model images, or a container's command as a local "
          + "program; image " + container.getImage() + " has no command");
    }
    List<String> localArgs = new ArrayList<>();
    for (String arg : args) {
      localArgs.add(loopbackHost(paths.rewrite(expand(arg, env))));
    }
    command.addAll(hostFlags(ports.rewriteArgs(container, localArgs)));
    ProcessBuilder builder = new ProcessBuilder(command).directory(paths.podDir().toFile());
    builder.environment().clear();
    for (String inherited : List.of("PATH", "JAVA_HOME", "LANG")) {
      String value = System.getenv(inherited);
      if (value != null) {
        builder.environment().put(inherited, value);
      }
    }
    builder.environment().put("HOME", paths.podDir().toString());
    builder.environment().putAll(env);
    builder.environment().put("DJL_OFFLINE", "true");
    builder.environment().put("OPT_OUT_TRACKING", "true");
    builder.environment().put("DJL_CACHE_DIR", settings.djlCacheDir().toString());
    builder.environment().putIfAbsent("JAVA_OPTS", settings.javaOptions() + " -Djava.io.tmpdir=" + paths.local("/tmp").orElse(paths.podDir()));
    return builder;
  }

  /** Arguments {@code --host 0.0.0.0} / {@code --host=::} become 127.0.0.1: nothing the sandbox starts listens beyond loopback. */
  private static List<String> hostFlags(List<String> args) {
    List<String> rewritten = new ArrayList<>(args);
    for (int i = 0; i + 1 < rewritten.size(); i++) {
      if (rewritten.get(i).equals("--host") || rewritten.get(i).equals("--bind-address")) {
        rewritten.set(i + 1, "127.0.0.1");
      }
    }
    return rewritten;
  }

  private static String loopbackHost(String arg) {
    return arg.startsWith("--host=") ? "--host=127.0.0.1" : arg;
  }

  private static Map<String, String> environment(KubernetesClient client, Pod pod, Container container, LocalPaths paths)
      throws ConfigError {
    String namespace = pod.getMetadata().getNamespace();
    Map<String, String> env = new LinkedHashMap<>();
    for (EnvFromSource from : container.getEnvFrom() == null ? List.<EnvFromSource>of() : container.getEnvFrom()) {
      String prefix = from.getPrefix() == null ? "" : from.getPrefix();
      if (from.getSecretRef() != null) {
        Map<String, String> data = secret(client, namespace, from.getSecretRef().getName(), Boolean.TRUE.equals(from.getSecretRef().getOptional()));
        data.forEach((key, value) -> env.put(prefix + key, value));
      }
      if (from.getConfigMapRef() != null) {
        Map<String, String> data = configMap(client, namespace, from.getConfigMapRef().getName(), Boolean.TRUE.equals(from.getConfigMapRef().getOptional()));
        data.forEach((key, value) -> env.put(prefix + key, value));
      }
    }
    for (EnvVar variable : container.getEnv() == null ? List.<EnvVar>of() : container.getEnv()) {
      String value = value(client, pod, variable, env);
      if (value != null) {
        env.put(variable.getName(), paths.rewrite(value));
      }
    }
    return env;
  }

  private static String value(KubernetesClient client, Pod pod, EnvVar variable, Map<String, String> env) throws ConfigError {
    if (variable.getValueFrom() == null) {
      return variable.getValue() == null ? "" : expand(variable.getValue(), env);
    }
    var from = variable.getValueFrom();
    String namespace = pod.getMetadata().getNamespace();
    if (from.getFieldRef() != null) {
      return switch (from.getFieldRef().getFieldPath()) {
        case "metadata.name" -> pod.getMetadata().getName();
        case "metadata.namespace" -> namespace;
        case "metadata.uid" -> pod.getMetadata().getUid();
        case "spec.nodeName" -> pod.getSpec().getNodeName();
        case "status.podIP", "status.hostIP" -> "127.0.0.1";
        default -> "";
      };
    }
    if (from.getSecretKeyRef() != null) {
      boolean optional = Boolean.TRUE.equals(from.getSecretKeyRef().getOptional());
      return key(secret(client, namespace, from.getSecretKeyRef().getName(), optional), from.getSecretKeyRef().getKey(),
          "secret " + from.getSecretKeyRef().getName(), optional);
    }
    if (from.getConfigMapKeyRef() != null) {
      boolean optional = Boolean.TRUE.equals(from.getConfigMapKeyRef().getOptional());
      return key(configMap(client, namespace, from.getConfigMapKeyRef().getName(), optional), from.getConfigMapKeyRef().getKey(),
          "configmap " + from.getConfigMapKeyRef().getName(), optional);
    }
    return null;
  }

  private static String key(Map<String, String> data, String key, String what, boolean optional) throws ConfigError {
    String value = data.get(key);
    if (value == null && !optional) {
      throw new ConfigError("CreateContainerConfigError", "couldn't find key " + key + " in " + what);
    }
    return value;
  }

  private static Map<String, String> secret(KubernetesClient client, String namespace, String name, boolean optional) throws ConfigError {
    Secret secret = client.secrets().inNamespace(namespace).withName(name).get();
    if (secret == null) {
      if (optional) {
        return Map.of();
      }
      throw new ConfigError("CreateContainerConfigError", "secret \"" + name + "\" not found");
    }
    Map<String, String> data = new LinkedHashMap<>();
    if (secret.getData() != null) {
      secret.getData().forEach((key, value) -> data.put(key, new String(Base64.getDecoder().decode(value), StandardCharsets.UTF_8)));
    }
    if (secret.getStringData() != null) {
      data.putAll(secret.getStringData());
    }
    return data;
  }

  private static Map<String, String> configMap(KubernetesClient client, String namespace, String name, boolean optional) throws ConfigError {
    ConfigMap configMap = client.configMaps().inNamespace(namespace).withName(name).get();
    if (configMap == null) {
      if (optional) {
        return Map.of();
      }
      throw new ConfigError("CreateContainerConfigError", "configmap \"" + name + "\" not found");
    }
    return configMap.getData() == null ? Map.of() : configMap.getData();
  }

  /** {@code $(VAR)} replaced by the variable's value when it is defined; {@code $$(VAR)} is a literal {@code $(VAR)}. */
  static String expand(String text, Map<String, String> env) {
    Matcher matcher = REFERENCE.matcher(text);
    StringBuilder out = new StringBuilder();
    while (matcher.find()) {
      boolean escaped = matcher.start() > 0 && text.charAt(matcher.start() - 1) == '$';
      String replacement = escaped ? matcher.group() : env.getOrDefault(matcher.group(1), matcher.group());
      matcher.appendReplacement(out, Matcher.quoteReplacement(replacement));
    }
    matcher.appendTail(out);
    return out.toString().replace("$$(", "$(");
  }

  /** Where the container's output goes. */
  static Path log(LocalPaths paths, Container container) {
    return paths.podDir().resolve(container.getName() + ".log");
  }
}
