"""Builds keras.applications architectures with weights=None at a small input size (batch-norm statistics and
ConvNeXt layer scales perturbed so every parameter matters), saves NAME.keras and NAME.npz (x: 2 inputs, y: Keras'
outputs). Usage: python3 make_models.py NAME... (names in SPECS below). Not needed by the build or tests."""
import sys, numpy as np, keras
A = keras.applications
SPECS = {
 'efficientnetv2b0': (A.EfficientNetV2B0, 64), 'resnet50v2': (A.ResNet50V2, 64), 'xception': (A.Xception, 71),
 'inceptionv3': (A.InceptionV3, 75), 'nasnetmobile': (A.NASNetMobile, 64), 'convnexttiny': (A.ConvNeXtTiny, 64),
 'mobilenetv3small': (A.MobileNetV3Small, 64), 'mobilenet': (A.MobileNet, 64), 'mobilenetv2': (A.MobileNetV2, 64),
 'resnet50': (A.ResNet50, 64), 'vgg16': (A.VGG16, 64), 'efficientnetb0': (A.EfficientNetB0, 64),
 'densenet121': (A.DenseNet121, 64), 'inceptionresnetv2': (A.InceptionResNetV2, 75),
 'efficientnetv2s': (A.EfficientNetV2S, 64),
}
rng = np.random.default_rng(0)
for name in sys.argv[1:]:
    fn, s = SPECS[name]
    kw = dict(weights=None, input_shape=(s, s, 3), classes=10)
    try:
        m = fn(**kw)
    except Exception as e:
        print(name, 'BUILD FAIL', e); continue
    for w in m.weights:
        p = w.path
        if 'moving_variance' in p or p.endswith('variance'):
            w.assign(rng.uniform(0.5, 2.0, size=w.shape).astype('float32'))
        elif 'layer_scale' in p:
            w.assign(rng.uniform(0.5, 1.5, size=w.shape).astype('float32'))
        elif 'moving_mean' in p:
            w.assign(rng.normal(0, 0.1, size=w.shape).astype('float32'))
    x = rng.uniform(0, 255, size=(2, s, s, 3)).astype('float32')
    y = np.asarray(m(x, training=False))
    m.save(f'{name}.keras')
    np.savez(f'{name}.npz', x=x, y=y)
    print(name, 'ok', m.count_params(), y.shape, flush=True)
