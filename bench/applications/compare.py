"""Runs NAME.tflite with the official Python TFLite interpreter on NAME.npz's x and prints the largest absolute
difference from Keras' outputs y and the top-1 agreement. Usage: python3 compare.py NAME."""
import sys, numpy as np, tensorflow as tf
name = sys.argv[1]
d = np.load(f'{name}.npz')
it = tf.lite.Interpreter(model_path=f'{name}.tflite'); it.allocate_tensors()
i = it.get_input_details()[0]; o = it.get_output_details()[0]
ys = []
for k in range(len(d['x'])):
    it.resize_tensor_input(i['index'], [1] + list(d['x'].shape[1:])); it.allocate_tensors()
    it.set_tensor(i['index'], d['x'][k:k+1]); it.invoke(); ys.append(it.get_tensor(o['index'])[0])
ys = np.array(ys)
print(name, 'max abs err vs keras', float(np.abs(ys - d['y']).max()), 'argmax agree', float((ys.argmax(-1) == d['y'].argmax(-1)).mean()))
