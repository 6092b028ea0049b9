package dev.compresso.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class SavedModelInspectorTest {

  /** Every fact fixture.json records about a flavour, checked against what the inspector reads. */
  @ParameterizedTest
  @CsvSource({
      "cnn_classifier, keras_export",
      "cnn_classifier, tf_saved_model",
      "unet_bn, keras_export",
      "conv1d, keras_export",
      "mixed_ops, keras_export",
      "dense_ae, tf_saved_model_plain"})
  void matchesWhatKerasRecorded(String fixture, String flavour) {
    Path dir = KerasFixtures.dir(fixture, flavour);
    JsonObject params = KerasFixtures.json(fixture).getAsJsonObject("params");
    JsonObject facts = KerasFixtures.savedModelFacts(fixture, flavour);

    SavedModelInfo info = SavedModelInspector.inspect(dir);
    assertEquals(1, info.metaGraphs().size());
    MetaGraphInfo mg = info.metaGraph("serve");
    assertNotNull(mg);
    assertEquals(strings(facts.getAsJsonArray("tags")), mg.tags());
    assertEquals(facts.get("tensorflow_version").getAsString(), mg.tensorflowVersion());
    assertEquals(MetaGraphInfo.VariableSource.OBJECT_GRAPH, mg.variableSource());

    assertEquals(params.get("total").getAsLong(), mg.parameters(), "total parameters");
    assertEquals(params.get("trainable").getAsLong(), mg.trainableParameters(), "trainable parameters");
    assertEquals(params.get("non_trainable").getAsLong(), mg.nonTrainableParameters(), "non-trainable parameters");

    assertEquals(strings(facts.getAsJsonArray("signatures")), mg.signatures().stream().map(SignatureInfo::key).toList());
    JsonObject serving = facts.getAsJsonObject("serving_default");
    SignatureInfo sig = mg.signature("serving_default");
    assertEquals(serving.get("method_name").getAsString(), sig.methodName());
    assertSpecs(serving.getAsJsonObject("inputs"), sig.inputs());
    assertSpecs(serving.getAsJsonObject("outputs"), sig.outputs());

    assertEquals(new TreeSet<>(strings(facts.getAsJsonArray("main_graph_ops"))), mg.graphOps().keySet());
    assertEquals(new TreeSet<>(strings(facts.getAsJsonArray("function_ops"))), mg.functionOps().keySet());
    assertEquals(facts.get("function_library_size").getAsInt(), mg.functions());
    assertEquals(mg.graphOps().values().stream().mapToInt(Integer::intValue).sum(), mg.graphNodes());

    JsonObject files = facts.getAsJsonObject("files");
    assertEquals(files.get("saved_model.pb").getAsLong(), info.bytes().savedModelPb());
    long variableBytes = files.entrySet().stream().filter(e -> e.getKey().startsWith("variables/"))
        .mapToLong(e -> e.getValue().getAsLong()).sum();
    assertEquals(variableBytes, info.bytes().variables());
    long allBytes = files.entrySet().stream().mapToLong(e -> e.getValue().getAsLong()).sum();
    assertEquals(allBytes, info.bytes().total());
  }

  @Test
  void kerasExportCountsEachVariableOnce() {
    MetaGraphInfo mg = SavedModelInspector.inspect(KerasFixtures.dir("cnn_classifier", "keras_export")).metaGraph("serve");
    List<VariableInfo> parameters = byRole(mg, VariableInfo.Role.PARAMETER);
    List<VariableInfo> duplicates = byRole(mg, VariableInfo.Role.DUPLICATE);
    List<VariableInfo> unused = byRole(mg, VariableInfo.Role.UNUSED);
    // Saved twice: 18 weights under variables/N, and again under _all_variables/N.
    assertEquals(18, parameters.size());
    assertEquals(18, duplicates.size());
    assertEquals(Set.copyOf(names(parameters)), Set.copyOf(names(duplicates)));
    assertEquals(List.of("seed_generator_1/seed_generator_state"), names(unused));
    assertEquals("int64", unused.get(0).dtype());

    VariableInfo kernel = parameters.stream().filter(v -> v.name().equals("stem_conv/kernel")).findFirst().orElseThrow();
    assertEquals(List.of(3L, 3L, 3L, 16L), kernel.shape());
    assertEquals(432, kernel.elements());
    assertEquals("float32", kernel.dtype());
    assertTrue(kernel.trainable());
    VariableInfo movingMean = parameters.stream().filter(v -> v.name().equals("stem_bn/moving_mean")).findFirst().orElseThrow();
    assertFalse(movingMean.trainable());
    assertTrue(mg.problems().isEmpty(), mg.problems().toString());
  }

  @Test
  void plainKerasSaveReportsVariablesNothingRestores() {
    MetaGraphInfo mg = SavedModelInspector.inspect(KerasFixtures.dir("dense_ae", "tf_saved_model_plain")).metaGraph("serve");
    assertEquals(1, mg.problems().size(), mg.problems().toString());
    String problem = mg.problems().get(0);
    assertTrue(problem.contains("'serving_default'"), problem);
    assertTrue(problem.contains("recon/kernel"), problem);
    assertTrue(problem.contains("8 variable(s)"), problem);
  }

  @Test
  void unetDoesNotDoubleCountItsDuplicates() {
    MetaGraphInfo mg = SavedModelInspector.inspect(KerasFixtures.dir("unet_bn", "keras_export")).metaGraph("serve");
    long duplicateElements = byRole(mg, VariableInfo.Role.DUPLICATE).stream().mapToLong(VariableInfo::elements).sum();
    assertEquals(mg.parameters(), duplicateElements);
    assertEquals(117_713, mg.parameters());
  }

  @Test
  void tf1GraphFromTfJava(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("dense");
    Tf1Models.exportDense(dir);
    SavedModelInfo info = SavedModelInspector.inspect(dir);
    MetaGraphInfo mg = info.metaGraph("serve");
    assertNotNull(mg, "TF Java's exporter tags the MetaGraph 'serve'");
    assertEquals(MetaGraphInfo.VariableSource.GRAPH_NODES, mg.variableSource());

    Map<String, VariableInfo> vars = new java.util.HashMap<>();
    mg.variables().forEach(v -> vars.put(v.name(), v));
    assertEquals(Set.of("dense/kernel", "dense/bias", "spare"), vars.keySet());
    assertEquals(List.of(3L, 2L), vars.get("dense/kernel").shape());
    assertEquals("float32", vars.get("dense/kernel").dtype());
    assertEquals(6, vars.get("dense/kernel").elements());
    assertEquals(VariableInfo.Role.PARAMETER, vars.get("dense/bias").role());
    assertEquals(VariableInfo.Role.UNUSED, vars.get("spare").role());
    assertEquals(20, vars.get("spare").elements());
    assertEquals(8, mg.parameters(), "6 kernel + 2 bias; the unused [4,5] variable is not counted");
    assertEquals(8, mg.trainableParameters());

    SignatureInfo sig = mg.signature("serving_default");
    assertEquals(List.of(new TensorSpec("features", "x:0", "float32", List.of(-1L, 3L))), sig.inputs());
    assertEquals(List.of(new TensorSpec("scores", "y:0", "float32", List.of(-1L, 2L))), sig.outputs());
    assertEquals(3, mg.graphOps().get("VariableV2"));
    assertEquals(0, mg.functions());
    assertTrue(mg.functionOps().isEmpty());
    assertTrue(mg.problems().isEmpty(), mg.problems().toString());
    assertTrue(info.bytes().variables() > 0);
    assertTrue(info.bytes().total() >= info.bytes().savedModelPb() + info.bytes().variables());
  }

  private static void assertSpecs(JsonObject expected, List<TensorSpec> actual) {
    assertEquals(new ArrayList<>(new TreeSet<>(expected.keySet())), actual.stream().map(TensorSpec::key).toList());
    for (TensorSpec spec : actual) {
      JsonObject e = expected.getAsJsonObject(spec.key());
      assertEquals(e.get("tensor").getAsString(), spec.tensor());
      assertEquals(e.get("dtype").getAsString(), spec.dtype());
      List<Long> shape = new ArrayList<>();
      e.getAsJsonArray("shape").forEach(d -> shape.add(d.getAsLong()));
      assertEquals(shape, spec.shape());
    }
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    for (JsonElement e : array) {
      out.add(e.getAsString());
    }
    return out;
  }

  private static List<VariableInfo> byRole(MetaGraphInfo mg, VariableInfo.Role role) {
    return mg.variables().stream().filter(v -> v.role() == role).toList();
  }

  private static List<String> names(List<VariableInfo> vars) {
    return vars.stream().map(VariableInfo::name).sorted().toList();
  }
}
