package dev.flywheel.model.serve;

import java.util.ArrayList;
import java.util.List;

/**
 * The outputs an infer request asks for, the same for every wire protocol: each one the model answers, each named once,
 * answered in the order named; a request that names none gets all of them.
 */
final class RequestedOutputs {
  private RequestedOutputs() {}

  /**
   * @param names the names the request gives, in its order
   * @param outputNames the outputs the model answers, in the order it answers them by default
   */
  static List<String> choose(List<String> names, List<String> outputNames) throws BadRequest {
    if (names.isEmpty()) {
      return outputNames;
    }
    List<String> chosen = new ArrayList<>(names.size());
    for (String name : names) {
      if (!outputNames.contains(name)) {
        throw BadRequest.of("unknown_output", "unknown output '" + name + "': this model's outputs are " + outputNames);
      }
      if (chosen.contains(name)) {
        throw BadRequest.of("unknown_output", "output '" + name + "' is requested twice");
      }
      chosen.add(name);
    }
    return List.copyOf(chosen);
  }
}
