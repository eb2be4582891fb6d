package dev.flywheel.sandbox.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import org.junit.jupiter.api.Test;

/** The PATCH kinds as kube-apiserver applies them. */
class PatchesTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private static ObjectNode object(String json) throws Exception {
    return (ObjectNode) JSON.readTree(json.replace('\'', '"'));
  }

  private static JsonNode json(String json) throws Exception {
    return JSON.readTree(json.replace('\'', '"'));
  }

  @Test
  void mergePatchMergesObjectsReplacesListsAndRemovesNulls() throws Exception {
    ObjectNode stored = object("{'spec':{'a':1,'b':2,'list':[1,2]}}");

    ObjectNode patched = Patches.apply(Patches.MERGE_PATCH, stored, json("{'spec':{'b':null,'c':3,'list':[9]}}"));

    assertThat(patched).isEqualTo(json("{'spec':{'a':1,'c':3,'list':[9]}}"));
  }

  @Test
  void strategicMergeMergesNamedListsByNameAndDropsDirectives() throws Exception {
    ObjectNode stored = object("{'spec':{'containers':[{'name':'a','image':'x','args':['1']},{'name':'b','image':'y'}]}}");

    ObjectNode patched = Patches.apply(Patches.STRATEGIC_MERGE_PATCH, stored, json(
        "{'spec':{'$setElementOrder/containers':[{'name':'a'},{'name':'b'}],'containers':[{'name':'a','image':'z'},{'name':'b','$patch':'delete'},{'name':'c','image':'w'}]}}"));

    assertThat(patched).isEqualTo(json("{'spec':{'containers':[{'name':'a','image':'z','args':['1']},{'name':'c','image':'w'}]}}"));
  }

  @Test
  void jsonPatchAppliesOperationsAndRefusesABrokenOne() throws Exception {
    ObjectNode stored = object("{'metadata':{'finalizers':['a','b']}}");

    assertThat(Patches.apply(Patches.JSON_PATCH, stored, json("[{'op':'remove','path':'/metadata/finalizers/0'}]")))
        .isEqualTo(json("{'metadata':{'finalizers':['b']}}"));
    assertThatThrownBy(() -> Patches.apply(Patches.JSON_PATCH, stored, json("[{'op':'remove','path':'/spec/x'}]")))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(422));
  }

  @Test
  void applyMergeTreatsNullAsNoInstruction() throws Exception {
    ObjectNode stored = object("{'metadata':{'name':'m','finalizers':['x']},'spec':{'model':'churn'}}");

    JsonNode applied = Patches.applyMerge(stored, json("{'metadata':{'name':'m','finalizers':['y']},'spec':null}"));

    assertThat(applied).isEqualTo(json("{'metadata':{'name':'m','finalizers':['y']},'spec':{'model':'churn'}}"));
  }

  @Test
  void unknownPatchTypeIs415() {
    assertThatThrownBy(() -> Patches.mediaType("text/plain"))
        .isInstanceOfSatisfying(ApiException.class, e -> assertThat(e.code()).isEqualTo(415));
    assertThat(Patches.mediaType("application/merge-patch+json; charset=utf-8")).isEqualTo(Patches.MERGE_PATCH);
  }
}
