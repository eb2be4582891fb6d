package dev.flywheel.model.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.flywheel.model.bundle.BundleDigest;
import dev.flywheel.model.bundle.Json;
import dev.flywheel.model.bundle.ModelBundle;
import java.nio.file.Path;
import java.util.Set;

/** flywheel-model digest: checks a hand-made bundle's flywheel-model.json and computes (and with --write records) its digest. */
final class DigestCommand {
  static final String USAGE = "flywheel-model digest --bundle <dir> [--write true]";
  private static final Set<String> KNOWN = Set.of("bundle", "write", "termination-log");

  private DigestCommand() {}

  static ObjectNode run(String[] args) throws Exception {
    Options options = Options.parse("digest", args, KNOWN, Set.of("bundle"));
    Path bundle = Path.of(options.required("bundle"));
    ModelBundle.readMetadata(bundle);
    boolean write = Boolean.parseBoolean(options.get("write", "false"));
    String digest = write ? BundleDigest.write(bundle) : BundleDigest.of(bundle);
    ObjectNode json = Json.MAPPER.createObjectNode();
    json.put("status", "Succeeded");
    json.put("digest", digest);
    json.put("written", write);
    return json;
  }
}
