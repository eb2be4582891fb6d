package dev.flywheel.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import dev.flywheel.crds.validation.ManifestValidator;
import dev.flywheel.crds.validation.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.luaj.vm2.Globals;
import org.luaj.vm2.LoadState;
import org.luaj.vm2.LuaString;
import org.luaj.vm2.LuaTable;
import org.luaj.vm2.LuaValue;
import org.luaj.vm2.Varargs;
import org.luaj.vm2.compiler.LuaC;
import org.luaj.vm2.lib.PackageLib;
import org.luaj.vm2.lib.TableLib;
import org.luaj.vm2.lib.jse.JseBaseLib;
import org.luaj.vm2.lib.jse.JsePlatform;

/**
 * Runs helm/argocd's health checks as Argo CD does and keeps their test data and argocd-cm patch honest.
 *
 * <p>Every health.lua runs on every case of its health_test.yaml; the test data must be valid objects of their
 * kinds, every state the rules name must have a case, and helm/argocd/argocd-cm-health.yaml must hold exactly
 * the scripts.
 *
 * <p>How Argo CD runs a health script (util/lua in argoproj/argo-cd, gopher-lua, Lua 5.1): a fresh Lua state per
 * call, the object as global {@code obj} (maps become tables, lists 1-based tables, numbers Lua numbers, null
 * nil), the last value the chunk returns must be a table, its {@code status} and {@code message} strings make the
 * health, and a status other than Healthy, Progressing, Degraded, Suspended, Missing or Unknown becomes Unknown
 * "Lua returned an invalid health status"; the script is stopped after one second. From argocd-cm without
 * {@code resource.customizations.useOpenLibs} only the base, package and table libraries (and a reduced os) are
 * loaded; bundled scripts get the standard libraries. Both ways are run here with luaj (the reduced os left out:
 * the scripts use no os). luaj implements Lua 5.2; the scripts keep to what 5.1 and 5.2 share, which
 * {@link #scriptsNeedOnlyTheBaseLibraryAndLua51} checks.
 *
 * <p>To regenerate the argocd-cm snippet after changing a script: {@value #UPDATE_HINT}
 */
class ArgoCdHealthTest {
  static final String UPDATE_HINT = "mvn -B -pl e2e-tests -am verify -Dtest=ArgoCdHealthTest -Dsurefire.failIfNoSpecifiedTests=false"
      + " -Dit.test=none -Dfailsafe.failIfNoSpecifiedTests=false -Dflywheel.argocd.update=true";
  private static final String GROUP = "mlops.flywheel.dev";
  private static final List<String> KINDS = List.of("TrainingJob", "ModelVersion", "ModelDeployment", "Site");
  private static final Path ARGOCD = RepoPaths.root().resolve("helm/argocd");
  private static final Path CUSTOMIZATIONS = ARGOCD.resolve("resource_customizations").resolve(GROUP);
  private static final Path SNIPPET = ARGOCD.resolve("argocd-cm-health.yaml");
  private static final Set<String> HEALTH_CODES = Set.of("Healthy", "Progressing", "Degraded", "Suspended", "Missing", "Unknown");
  private static final YAMLMapper YAML = new YAMLMapper();
  private static final ManifestValidator VALIDATOR = ManifestValidator.fromDirectory(RepoPaths.chartCrds());

  /** The states the health rules name (helm/argocd/README.md): kind → test data file → the health it must give. */
  private static final Map<String, Map<String, String>> REQUIRED = Map.of(
      "TrainingJob", Map.of(
          "progressing_noStatus", "Progressing",
          "progressing_newGeneration", "Progressing",
          "progressing_pendingNoEligibleSite", "Progressing",
          "progressing_running", "Progressing",
          "healthy_succeeded", "Healthy",
          "degraded_failed", "Degraded"),
      "ModelVersion", Map.of(
          "progressing_noStatus", "Progressing",
          "progressing_newGeneration", "Progressing",
          "progressing_validating", "Progressing",
          "degraded_validationFailed", "Degraded",
          "healthy_production", "Healthy",
          "healthy_superseded", "Healthy"),
      "ModelDeployment", Map.ofEntries(
          Map.entry("progressing_noStatus", "Progressing"),
          Map.entry("progressing_newGeneration", "Progressing"),
          Map.entry("progressing_canaryAnalyzing", "Progressing"),
          Map.entry("healthy_serving", "Healthy"),
          Map.entry("degraded_rolledBack", "Degraded"),
          Map.entry("degraded_analysisFailed", "Degraded"),
          Map.entry("degraded_versionNotValidated", "Degraded"),
          Map.entry("degraded_noVersionInStage", "Degraded"),
          Map.entry("degraded_noEligibleSite", "Degraded"),
          Map.entry("progressing_podsNotReady", "Progressing"),
          Map.entry("suspended_scaledToZero", "Suspended")),
      "Site", Map.of(
          "progressing_noStatus", "Progressing",
          "progressing_newGeneration", "Progressing",
          "degraded_unreachable", "Degraded",
          "healthy_nodePool", "Healthy",
          "healthy_remoteCluster", "Healthy"));

  /** Which Lua libraries the state has: argocd-cm without useOpenLibs, or a script bundled into Argo CD. */
  enum Libraries { ARGOCD_CM, BUNDLED }

  /** One entry of a health_test.yaml. */
  record Case(String kind, String inputPath, String status, String message) {
    @Override
    public String toString() {
      return kind + "/" + inputPath;
    }
  }

  /** What a health script returned, as Argo CD reads it. */
  record Health(String status, String message) {}

  @BeforeAll
  static void loadTheInterpreter() {
    // The first compile loads luaj's classes; Argo CD's one-second limit is about the script, not about that.
    for (Libraries libraries : Libraries.values()) {
      run("return { status = \"Healthy\" }", YAML.createObjectNode(), libraries);
    }
  }

  static Stream<Arguments> casesAndLibraries() {
    return cases().stream().flatMap(c -> Stream.of(Libraries.values()).map(l -> Arguments.of(c, l)));
  }

  @ParameterizedTest(name = "{0} ({1})")
  @MethodSource("casesAndLibraries")
  void healthScriptGivesTheExpectedHealth(Case c, Libraries libraries) {
    String script = read(CUSTOMIZATIONS.resolve(c.kind()).resolve("health.lua"));
    JsonNode object = onlyDocument(CUSTOMIZATIONS.resolve(c.kind()).resolve(c.inputPath()));
    Health health = assertTimeoutPreemptively(Duration.ofSeconds(1), () -> run(script, object, libraries),
        "Argo CD stops a health script after one second");
    assertThat(health).isEqualTo(new Health(c.status(), c.message()));
  }

  static Stream<Path> testdataFiles() {
    return KINDS.stream().flatMap(kind -> list(CUSTOMIZATIONS.resolve(kind).resolve("testdata")).stream());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("testdataFiles")
  void testdataIsAValidObjectOfItsKind(Path file) {
    JsonNode object = onlyDocument(file);
    String kind = file.getParent().getParent().getFileName().toString();
    assertThat(object.path("apiVersion").asText()).isEqualTo(GROUP + "/v1alpha1");
    assertThat(object.path("kind").asText()).isEqualTo(kind);
    assertThat(VALIDATOR.knows(object)).isTrue();
    assertThat(VALIDATOR.validateCreate(object).errors()).as("%s: metadata and spec", file).isEmpty();
    assertThat(VALIDATOR.validateStatus(object).errors()).as("%s: status", file).isEmpty();
  }

  @Test
  void theStatusCheckRefusesWhatTheApiServerRefuses() {
    ObjectNode object = (ObjectNode) onlyDocument(CUSTOMIZATIONS.resolve("Site/testdata/healthy_nodePool.yaml"));
    assertThat(VALIDATOR.validateStatus(object).errors()).isEmpty();
    ((ObjectNode) object.at("/status/conditions/0")).put("status", "Yes");
    ((ObjectNode) object.get("status")).put("reachable", true);
    assertThat(VALIDATOR.validateStatus(object).errors()).extracting(e -> e.field())
        .containsExactlyInAnyOrder("status.conditions[0].status", "status.reachable");
  }

  @Test
  void everyTestdataFileHasOneCaseNamedAfterItsHealth() {
    for (String kind : KINDS) {
      List<Case> cases = cases().stream().filter(c -> c.kind().equals(kind)).toList();
      Set<String> files = new TreeSet<>(list(CUSTOMIZATIONS.resolve(kind).resolve("testdata")).stream()
          .map(f -> "testdata/" + f.getFileName()).toList());
      assertThat(cases).extracting(Case::inputPath).as("%s: health_test.yaml inputPaths", kind)
          .doesNotHaveDuplicates()
          .containsExactlyInAnyOrderElementsOf(files);
      for (Case c : cases) {
        assertThat(HEALTH_CODES).as("%s: a health Argo CD knows", c).contains(c.status());
        assertThat(c.message()).as("%s: every health says why", c).isNotBlank();
        assertThat(c.inputPath()).as("%s: file named after its health, as in Argo CD's repository", c)
            .startsWith("testdata/" + c.status().toLowerCase(java.util.Locale.ROOT) + "_");
      }
    }
  }

  @Test
  void everyStateTheRulesNameHasACase() {
    for (String kind : KINDS) {
      Map<String, String> given = new LinkedHashMap<>();
      cases().stream().filter(c -> c.kind().equals(kind)).forEach(c -> given.put(c.inputPath(), c.status()));
      REQUIRED.get(kind).forEach((file, status) ->
          assertThat(given).as("%s: a case for %s", kind, file).containsEntry("testdata/" + file + ".yaml", status));
    }
    assertThat(cases()).extracting(Case::status)
        .as("between them the checks give every health a script can give")
        .contains("Healthy", "Progressing", "Degraded", "Suspended");
  }

  @Test
  void scriptsNeedOnlyTheBaseLibraryAndLua51() {
    Pattern library = Pattern.compile("\\b(string|math|os|io|debug|coroutine|utf8|bit32)\\s*\\.");
    Pattern notIn51Or52 = Pattern.compile("\\b(require|goto|_ENV|unpack|setfenv|getfenv|module|loadstring|load|dofile|loadfile)\\b|::");
    Pattern methodCall = Pattern.compile("[\\w)\\]\"]:\\s*\\w+\\s*\\(");
    for (String kind : KINDS) {
      String code = withoutCommentsAndStrings(read(CUSTOMIZATIONS.resolve(kind).resolve("health.lua")));
      for (Pattern forbidden : List.of(library, notIn51Or52, methodCall)) {
        Matcher found = forbidden.matcher(code);
        assertThat(found.find() ? found.group() : null)
            .as("%s/health.lua uses what argocd-cm scripts lack (no useOpenLibs) or Lua 5.1 does not have", kind)
            .isNull();
      }
    }
  }

  @Test
  void argocdCmSnippetHoldsExactlyTheScripts() throws IOException {
    String expected = snippet();
    if (Boolean.getBoolean("flywheel.argocd.update")) {
      Files.writeString(SNIPPET, expected);
    }
    assertThat(SNIPPET).as("the argocd-cm snippet; run: " + UPDATE_HINT).exists();
    assertThat(read(SNIPPET)).as("%s differs from the scripts; run: %s", SNIPPET, UPDATE_HINT).isEqualTo(expected);

    JsonNode configMap = YAML.readTree(SNIPPET.toFile());
    assertThat(configMap.path("kind").asText()).isEqualTo("ConfigMap");
    assertThat(configMap.at("/metadata/name").asText()).isEqualTo("argocd-cm");
    Map<String, String> data = new LinkedHashMap<>();
    configMap.path("data").properties().forEach(e -> data.put(e.getKey(), e.getValue().asText()));
    Map<String, String> scripts = new LinkedHashMap<>();
    for (String kind : KINDS) {
      scripts.put(key(kind), read(CUSTOMIZATIONS.resolve(kind).resolve("health.lua")));
    }
    assertThat(data).as("the snippet, read as YAML, gives Argo CD each script unchanged").isEqualTo(scripts);
  }

  /** The argocd-cm patch: one resource.customizations.health key per kind, the script as a literal block. */
  static String snippet() {
    StringBuilder out = new StringBuilder()
        .append("# Argo CD health checks for Flywheel's kinds: a patch of Argo CD's argocd-cm ConfigMap (see README.md).\n")
        .append("# Generated from resource_customizations/ by e2e-tests' ArgoCdHealthTest; do not edit. To regenerate:\n")
        .append("# ").append(UPDATE_HINT).append('\n')
        .append("apiVersion: v1\n")
        .append("kind: ConfigMap\n")
        .append("metadata:\n")
        .append("  name: argocd-cm\n")
        .append("data:\n");
    for (String kind : KINDS) {
      String script = read(CUSTOMIZATIONS.resolve(kind).resolve("health.lua"));
      assertThat(script).as("%s/health.lua ends with exactly one newline and has no tabs (a YAML literal block keeps it whole)", kind)
          .endsWith("\n").doesNotEndWith("\n\n").doesNotContain("\t").doesNotContain(" \n");
      out.append("  ").append(key(kind)).append(": |\n");
      for (String line : script.substring(0, script.length() - 1).split("\n", -1)) {
        out.append(line.isEmpty() ? "" : "    " + line).append('\n');
      }
    }
    return out.toString();
  }

  private static String key(String kind) {
    return "resource.customizations.health." + GROUP + "_" + kind;
  }

  /** Runs a health script as Argo CD's Lua VM does and reads its result the way Argo CD does. */
  static Health run(String script, JsonNode object, Libraries libraries) {
    Globals globals = libraries == Libraries.BUNDLED ? JsePlatform.standardGlobals() : argocdCmGlobals();
    globals.set("obj", toLua(object));
    Varargs returned = globals.load(script, "health.lua").invoke();
    LuaValue value = returned.narg() == 0 ? LuaValue.NIL : returned.arg(returned.narg());
    if (!value.istable()) {
      throw new AssertionError("expect table output from Lua script, not " + value.typename());
    }
    String status = string(value.get("status"), "status");
    String message = string(value.get("message"), "message");
    if (!HEALTH_CODES.contains(status)) {
      return new Health("Unknown", "Lua returned an invalid health status");
    }
    return new Health(status, message);
  }

  /** Base, package and table libraries only, as Argo CD opens them for an argocd-cm script without useOpenLibs. */
  private static Globals argocdCmGlobals() {
    // luaj keeps the string metatable in a static field that a standard-library state sets; without the string
    // library, as here, strings have no methods.
    LuaString.s_metatable = null;
    Globals globals = new Globals();
    globals.load(new JseBaseLib());
    globals.load(new PackageLib());
    globals.load(new TableLib());
    LoadState.install(globals);
    LuaC.install(globals);
    return globals;
  }

  /** Argo CD encodes the returned table as JSON into a struct of strings: absent is "", anything but a string fails. */
  private static String string(LuaValue value, String field) {
    if (value.isnil()) {
      return "";
    }
    if (value.type() != LuaValue.TSTRING) {
      throw new AssertionError("the health table's " + field + " is a " + value.typename() + ", not a string");
    }
    return value.tojstring();
  }

  /** The object as Argo CD hands it to Lua: objects and lists as tables, every number a Lua number, null as nil. */
  static LuaValue toLua(JsonNode node) {
    if (node == null || node.isNull() || node.isMissingNode()) {
      return LuaValue.NIL;
    }
    if (node.isObject()) {
      LuaTable table = new LuaTable();
      node.properties().forEach(field -> table.rawset(field.getKey(), toLua(field.getValue())));
      return table;
    }
    if (node.isArray()) {
      LuaTable table = new LuaTable();
      int index = 1;
      for (JsonNode item : node) {
        table.rawset(index++, toLua(item));
      }
      return table;
    }
    if (node.isBoolean()) {
      return LuaValue.valueOf(node.booleanValue());
    }
    if (node.isNumber()) {
      return LuaValue.valueOf(node.doubleValue());
    }
    return LuaValue.valueOf(node.asText());
  }

  static List<Case> cases() {
    List<Case> cases = new ArrayList<>();
    for (String kind : KINDS) {
      JsonNode tests = onlyDocument(CUSTOMIZATIONS.resolve(kind).resolve("health_test.yaml")).path("tests");
      assertThat(tests.isArray()).as("%s/health_test.yaml has a tests list", kind).isTrue();
      for (JsonNode test : tests) {
        cases.add(new Case(kind, test.path("inputPath").asText(), test.at("/healthStatus/status").asText(),
            test.at("/healthStatus/message").asText()));
      }
    }
    return cases;
  }

  private static JsonNode onlyDocument(Path file) {
    List<JsonNode> documents = ManifestValidator.readAll(file);
    assertThat(documents).as("%s holds one YAML document", file).hasSize(1);
    return documents.get(0);
  }

  /** Lua source with comments and string literals blanked, for the checks that look at code only. */
  private static String withoutCommentsAndStrings(String lua) {
    // One pass, left to right, so that a quote in a comment or "--" in a string is not taken for the other.
    return lua.replaceAll("\"(\\\\.|[^\"\\\\\\n])*\"|'(\\\\.|[^'\\\\\\n])*'|--[^\\n]*", "\"\"");
  }

  private static List<Path> list(Path directory) {
    try (Stream<Path> files = Files.list(directory)) {
      return files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String read(Path file) {
    try {
      return Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
