package dev.compresso.model.keras;

import dev.compresso.BadInputException;
import dev.compresso.model.ImportedModel;
import io.jhdf.api.Dataset;
import java.nio.file.Path;
import java.util.Arrays;

/** Turns HDF5 datasets into float32 values and checks their shapes against what a layer needs. */
final class StoredArrays {

  private StoredArrays() {}

  /** The dataset's values as float32, row-major (HDF5 stores C order, as Keras writes it). */
  static ImportedModel.VariableValue read(Path file, Dataset d, LayerPath layer, WeightSpec spec) {
    return KerasFile.hdf(file, () -> {
      long[] shape = d.getDimensionsAsLong();
      if (!Arrays.equals(shape, spec.shape())) {
        throw new BadInputException(String.format("%s: layer %s weight '%s' (%s) has shape %s; the layer's config "
            + "and input need %s", file, layer, spec.role(), d.getPath(), Arrays.toString(shape),
            Arrays.toString(spec.shape())));
      }
      Object data = d.isScalar() ? d.getData() : d.getDataFlat();
      float[] values;
      if (data instanceof float[] f) {
        values = f;
      } else if (data instanceof double[] dd) {
        values = new float[dd.length];
        for (int i = 0; i < dd.length; i++) {
          values[i] = (float) dd[i];
        }
      } else if (data instanceof Float f) {
        values = new float[] {f};
      } else if (data instanceof Double f) {
        values = new float[] {f.floatValue()};
      } else if (spec.counter() && data instanceof Number n) {
        values = new float[] {n.floatValue()};
      } else if (spec.counter() && (data instanceof long[] || data instanceof int[])) {
        values = new float[] {data instanceof long[] l ? (float) l[0] : ((int[]) data)[0]};
      } else {
        throw new BadInputException(String.format("%s: layer %s weight '%s' (%s) holds %s values; only floating "
            + "point weights are supported", file, layer, spec.role(), d.getPath(), d.getJavaType().getSimpleName()));
      }
      if (values.length != spec.size()) {
        throw new BadInputException(String.format("%s: layer %s weight '%s' (%s) holds %d values for shape %s",
            file, layer, spec.role(), d.getPath(), values.length, Arrays.toString(shape)));
      }
      return new ImportedModel.VariableValue(shape, values);
    });
  }
}
