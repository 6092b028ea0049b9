package dev.compresso.train.distill;

import dev.compresso.BadInputException;
import dev.compresso.graph.PrefixedCopy;
import dev.compresso.graph.TensorRef;
import dev.compresso.model.Freezer;
import dev.compresso.model.FrozenGraph;
import dev.compresso.model.ImportedModel;
import org.tensorflow.Graph;
import org.tensorflow.Output;
import org.tensorflow.proto.GraphDef;
import org.tensorflow.types.TFloat32;

/**
 * The frozen source model as distillation's teacher, in the student's own graph: its variables become
 * constants ({@link Freezer}), its nodes are renamed under {@link #PREFIX}, and its input placeholder becomes an
 * {@code Identity} of the student's input, so each training step computes the teacher's output on the same batch
 * in the same session run, with no gradient reaching it (it has no variables) and nothing held between steps.
 * The nodes are imported together with the student's graph ({@link dev.compresso.model.ModelSession}'s extra
 * nodes: TensorFlow's import resolves a node's inputs only within what it imports).
 *
 * @param nodes the teacher's nodes, prefixed
 * @param output the teacher's output tensor, prefixed
 * @param source the source model, for messages
 */
public record Teacher(GraphDef nodes, String output, String source) {

  /** The teacher's nodes are named {@code teacher/<node>}. */
  public static final String PREFIX = "teacher/";

  /**
   * The teacher made of {@code source} (its output: the tensor the student trains), fed by the student's input
   * tensor {@code studentInput}.
   *
   * @throws BadInputException naming the source when it cannot be frozen into a teacher
   */
  public static Teacher of(ImportedModel source, String studentInput) {
    FrozenGraph frozen;
    try {
      frozen = Freezer.freeze(source, 0);
    } catch (BadInputException e) {
      throw new BadInputException(source.source() + ": cannot be the distillation teacher: " + e.getMessage(), e);
    }
    String placeholder = TensorRef.parse(source.inputTensor()).node();
    TensorRef in = TensorRef.parse(studentInput);
    GraphDef nodes = PrefixedCopy.of(frozen.graphDef(), PREFIX, placeholder, in.node() + ":" + in.index());
    FrozenGraph.Output out = frozen.outputs().stream().filter(o -> o.key().equals(source.outputKey())).findFirst()
        .orElse(frozen.outputs().get(0));
    return new Teacher(nodes, PREFIX + out.tensor(), source.source().toString());
  }

  /** The teacher's output in {@code graph} (which imported {@link #nodes}). */
  @SuppressWarnings("unchecked")
  public Output<TFloat32> output(Graph graph) {
    Output<?> o = graph.output(output);
    if (o == null) {
      throw new IllegalStateException("the training graph holds no teacher output " + output);
    }
    return (Output<TFloat32>) o;
  }
}
