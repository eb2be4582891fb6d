package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.InvalidBundleException;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.data.DataError;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.Arrays;

/**
 * The entrypoint of every Flywheel pod: {@code flywheel-model train|serve|validate|digest}. All but serve print one
 * JSON result (also to the termination log) and exit 0 on success, 1 on failure; a bad command line exits 2.
 */
public final class FlywheelModel {
  static final int OK = 0;
  static final int FAILED = 1;
  static final int USAGE = 2;

  private FlywheelModel() {}

  public static void main(String[] args) {
    System.exit(run(args, System.out, System.err));
  }

  static int run(String[] args, PrintStream out, PrintStream err) {
    if (args.length == 0 || args[0].equals("--help") || args[0].equals("-h") || args[0].equals("help")) {
      out.println(usage());
      return args.length == 0 ? USAGE : OK;
    }
    String[] rest = Arrays.copyOfRange(args, 1, args.length);
    return switch (args[0]) {
      case "train" -> runJobCommand(rest, out, err, TrainCommand::run, TrainCommand.USAGE);
      case "validate" -> runJobCommand(rest, out, err, ValidateCommand::run, ValidateCommand.USAGE);
      case "digest" -> runJobCommand(rest, out, err, DigestCommand::run, DigestCommand.USAGE);
      case "serve" -> ServeCommand.run(rest, err);
      default -> {
        err.println("flywheel-model: unknown command '" + args[0] + "'\n" + usage());
        yield USAGE;
      }
    };
  }

  /** A command that runs to completion and reports one JSON result. */
  private interface JobCommand {
    ObjectNode run(String[] args) throws Exception;
  }

  private static int runJobCommand(String[] args, PrintStream out, PrintStream err, JobCommand command, String usage) {
    Path terminationLog = null;
    try {
      terminationLog = ResultLog.target(optionValue(args, "termination-log"));
      ObjectNode result = command.run(args);
      ResultLog.write(result, terminationLog, out);
      return OK;
    } catch (UsageException e) {
      err.println(e.getMessage() + "\n" + usage);
      return fail(Json.MAPPER.createObjectNode(), e.getMessage(), terminationLog, out, err, USAGE);
    } catch (CommandFailure e) {
      return fail(e.partial(), e.getMessage(), terminationLog, out, err, FAILED);
    } catch (DataError | InvalidBundleException e) {
      return fail(Json.MAPPER.createObjectNode(), e.getMessage(), terminationLog, out, err, FAILED);
    } catch (Exception | OutOfMemoryError e) {
      e.printStackTrace(err);
      String reason = "internal error: " + e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      return fail(Json.MAPPER.createObjectNode(), reason, terminationLog, out, err, FAILED);
    }
  }

  private static int fail(ObjectNode result, String reason, Path terminationLog, PrintStream out, PrintStream err, int code) {
    result.put("status", "Failed");
    result.put("reason", reason);
    try {
      ResultLog.write(result, terminationLog, out);
    } catch (IOException e) {
      err.println("flywheel-model: cannot write the termination log: " + e.getMessage());
    }
    return code;
  }

  private static String optionValue(String[] args, String name) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--" + name) && i + 1 < args.length) {
        return args[i + 1];
      }
      if (args[i].startsWith("--" + name + "=")) {
        return args[i].substring(name.length() + 3);
      }
    }
    return null;
  }

  static String usage() {
    return "usage:\n" + TrainCommand.USAGE + "\n" + ServeCommand.USAGE + "\n" + ValidateCommand.USAGE + "\n" + DigestCommand.USAGE;
  }
}
