package dev.flywheel.crds.validation;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOptions;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.ListType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.extensions.CelExtensions;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelFunctionBinding;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The CEL environment of Kubernetes validation rules: self and oldSelf, the standard macros, the strings
 * extension and the Kubernetes list function isSorted(); property names escaped the way Kubernetes escapes them.
 */
final class KubernetesCel {
  /** CEL reserved words; Kubernetes exposes a property with one of these names as __name__. */
  private static final Set<String> RESERVED = Set.of(
      "true", "false", "null", "in", "as", "break", "const", "continue", "else", "for", "function", "if",
      "import", "let", "loop", "package", "namespace", "return", "var", "void", "while");

  private final CelCompiler compiler;
  private final CelRuntime runtime;
  private final Map<String, CelRuntime.Program> programs = new ConcurrentHashMap<>();

  KubernetesCel() {
    CelOptions options = CelOptions.current().enableHeterogeneousNumericComparisons(true).build();
    CelFunctionDecl isSorted = CelFunctionDecl.newFunctionDeclaration(
        "isSorted",
        CelOverloadDecl.newMemberOverload("list_is_sorted", SimpleType.BOOL, ListType.create(SimpleType.DYN)));
    compiler = CelCompilerFactory.standardCelCompilerBuilder()
        .setOptions(options)
        .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
        .addLibraries(CelExtensions.strings())
        .addFunctionDeclarations(isSorted)
        .addVar("self", SimpleType.DYN)
        .addVar("oldSelf", SimpleType.DYN)
        .build();
    runtime = CelRuntimeFactory.standardCelRuntimeBuilder()
        .setOptions(options)
        .addLibraries(CelExtensions.strings())
        .addFunctionBindings(CelFunctionBinding.from("list_is_sorted", List.class, KubernetesCel::isSorted))
        .build();
  }

  /** Evaluates one rule; throws IllegalArgumentException when the rule does not compile or fails to run. */
  boolean holds(String rule, Object self, Object oldSelf) {
    CelRuntime.Program program = programs.computeIfAbsent(rule, this::compile);
    try {
      Object result = oldSelf == null
          ? program.eval(Map.of("self", self))
          : program.eval(Map.of("self", self, "oldSelf", oldSelf));
      return Boolean.TRUE.equals(result);
    } catch (CelEvaluationException e) {
      throw new IllegalArgumentException("rule " + rule + " failed to evaluate: " + e.getMessage(), e);
    }
  }

  private CelRuntime.Program compile(String rule) {
    try {
      CelAbstractSyntaxTree ast = compiler.compile(rule).getAst();
      return runtime.createProgram(ast);
    } catch (CelValidationException | CelEvaluationException e) {
      throw new IllegalArgumentException("rule " + rule + " does not compile: " + e.getMessage(), e);
    }
  }

  /** The name under which a declared property is visible to CEL. */
  static String escape(String property) {
    if (RESERVED.contains(property)) {
      return "__" + property + "__";
    }
    return property.replace("__", "__underscores__").replace(".", "__dot__").replace("-", "__dash__").replace("/", "__slash__");
  }

  @SuppressWarnings({"unchecked", "rawtypes"})
  private static boolean isSorted(List list) {
    for (int i = 1; i < list.size(); i++) {
      if (((Comparable) list.get(i - 1)).compareTo(list.get(i)) > 0) {
        return false;
      }
    }
    return true;
  }
}
