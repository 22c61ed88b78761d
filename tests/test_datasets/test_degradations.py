import numpy as np
import pytest

from lfdn_mm.datasets.transforms import (SynthesizeCameraBlur, SynthesizeMotionBlur,
                                        SynthesizeRain)
from lfdn_mm.datasets.transforms.kernels import line_kernel, shake_kernel
from mmagic.registry import TRANSFORMS

TRANSFORM_TYPES = (SynthesizeRain, SynthesizeMotionBlur, SynthesizeCameraBlur)


def sample(value=100, size=48, name='photo.png'):
    rng = np.random.default_rng(1)
    gt = np.clip(value + rng.integers(-20, 20, (size, size, 3)), 0, 255).astype(np.uint8)
    return dict(gt=gt, gt_path=f'/photos/{name}')


def degrade(transform, **kwargs):
    return transform(sample(**kwargs))['img']


@pytest.mark.parametrize('transform_type', TRANSFORM_TYPES)
def test_registered_in_mmagic_transforms(transform_type):
    built = TRANSFORMS.build(dict(type=transform_type.__name__))
    assert isinstance(built, transform_type)


@pytest.mark.parametrize('transform_type', TRANSFORM_TYPES)
def test_new_degradation_every_call_and_same_sequence_for_a_seed(transform_type):
    transform = transform_type()
    np.random.seed(3)
    first = [degrade(transform) for _ in range(4)]
    np.random.seed(3)
    again = [degrade(transform) for _ in range(4)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    distinct = {a.tobytes() for a in first}
    assert len(distinct) == 4


@pytest.mark.parametrize('transform_type', TRANSFORM_TYPES)
def test_fixed_seed_fixes_each_file_whatever_the_global_rng(transform_type):
    transform = transform_type(seed=5)
    np.random.seed(0)
    a = degrade(transform, name='a.png')
    np.random.seed(1)
    np.testing.assert_array_equal(a, degrade(transform, name='a.png'))
    assert not np.array_equal(a, degrade(transform, name='b.png'))
    assert not np.array_equal(a, degrade(transform_type(seed=6), name='a.png'))


@pytest.mark.parametrize('transform_type', TRANSFORM_TYPES)
def test_output_keeps_shape_dtype_and_sets_img_path(transform_type):
    transform = transform_type(seed=0)
    results = transform(sample(size=37))
    assert results['img'].shape == (37, 37, 3) and results['img'].dtype == np.uint8
    assert results['img_path'] == '/photos/photo.png'
    loaded = transform(dict(sample(), gt_channel_order='rgb', gt_color_type='color'))
    assert loaded['img_channel_order'] == 'rgb' and loaded['img_color_type'] == 'color'
    gray = transform(dict(gt=np.full((20, 30), 90, np.uint8), gt_path='g.png'))['img']
    assert gray.shape == (20, 30) and gray.dtype == np.uint8
    as_float = transform(dict(gt=np.full((20, 30, 3), 90.0, np.float32), gt_path='g.png'))['img']
    assert as_float.dtype == np.float32 and as_float.max() <= 255 and as_float.min() >= 0
    assert np.all(as_float == np.round(as_float))  # 8-bit values


def test_rain_only_brightens_without_haze_and_covers_light_to_heavy():
    light = SynthesizeRain(layers=(1, 1), density=(0.001, 0.001), width=(1, 1), haze_prob=0,
                           seed=0)
    heavy = SynthesizeRain(layers=(4, 4), density=(0.02, 0.02), width=(3, 3), haze_prob=1,
                           haze=(0.3, 0.3), airlight=(0.9, 0.9), seed=0)
    gt = sample(value=80, size=96)['gt']
    light_img = light(dict(gt=gt.copy(), gt_path='x.png'))['img'].astype(int)
    heavy_img = heavy(dict(gt=gt.copy(), gt_path='x.png'))['img'].astype(int)
    assert (light_img >= gt).all()
    light_cover = (light_img - gt > 8).mean()
    heavy_cover = (heavy_img - gt > 8).mean()
    assert 0.002 < light_cover < 0.2 < heavy_cover


def test_tapered_streaks_fade_towards_their_ends():
    even = line_kernel(21, 0.0, 1, 'max')
    tapered = line_kernel(21, 0.0, 1, 'max', taper=1.0)
    even_column, column = even[:, even.shape[1] // 2], tapered[:, tapered.shape[1] // 2]
    lit = np.nonzero(even_column > 0.5)[0]
    assert len(lit) == 21 and (even_column[lit] == 1).all()
    assert column.max() == pytest.approx(1.0, abs=0.01) and (tapered <= even + 1e-6).all()
    assert column[lit[0]] < 0.25 and column[lit[-1]] < 0.25
    assert np.allclose(column, column[::-1], atol=1e-6)  # fades alike at both ends


def test_one_layer_can_hold_streaks_of_several_lengths():
    flat = sample(value=60, size=160)['gt']

    def vertical_runs(**lengths):
        rain = SynthesizeRain(layers=(1, 1), density=(0.0004, 0.0004), width=(1, 1),
                              angle=(0, 0), angle_spread=0, softness=(0, 0), haze_prob=0,
                              intensity=(0.5, 0.5), blend_modes=('add', ), seed=3, **lengths)
        bright = rain(dict(gt=flat.copy(), gt_path='x.png'))['img'][..., 0] > 80
        edges = np.diff(np.pad(bright, ((1, 1), (0, 0))).astype(int), axis=0).T
        starts, ends = np.nonzero(edges == 1)[1], np.nonzero(edges == -1)[1]
        inside = (starts > 0) & (ends < 160)  # streaks cut by the border are shorter
        return ends[inside] - starts[inside]

    single = vertical_runs(length=(30, 30))
    assert len(single) > 5 and single.min() >= 28 and single.max() <= 31
    mixed = vertical_runs(length=(8, 60), lengths_per_layer=(4, 4))
    assert len(mixed) > 5 and mixed.max() - mixed.min() > 15


def test_the_new_options_leave_the_default_rain_unchanged():
    gt = np.random.default_rng(0).integers(0, 256, (40, 50, 3), dtype=np.uint8)
    old = SynthesizeRain(seed=5)(dict(gt=gt.copy(), gt_path='a.png'))['img']
    same = SynthesizeRain(seed=5, lengths_per_layer=(1, 1), taper=(0.0, 0.0),
                          drop_brightness=(0.5, 1.0), soften_each_length=False)(
        dict(gt=gt.copy(), gt_path='a.png'))['img']
    changed = SynthesizeRain(seed=5, taper=(1.0, 1.0))(dict(gt=gt.copy(), gt_path='a.png'))['img']
    assert np.array_equal(old, same) and not np.array_equal(old, changed)


def test_drop_brightness_sets_how_much_streaks_of_one_layer_differ():
    flat = sample(value=60, size=160)['gt']

    def streak_peaks(drop_brightness):
        rain = SynthesizeRain(layers=(1, 1), density=(0.0004, 0.0004), length=(20, 20),
                              width=(1, 1), angle=(0, 0), angle_spread=0, softness=(0, 0),
                              haze_prob=0, intensity=(0.5, 0.5), blend_modes=('add', ),
                              drop_brightness=drop_brightness, seed=3)
        rainy = rain(dict(gt=flat.copy(), gt_path='x.png'))['img']
        added = rainy[..., 0].astype(int) - flat[..., 0]
        return added[added > 2]

    even, varied = streak_peaks((1.0, 1.0)), streak_peaks((0.1, 1.0))
    assert len(even) > 50 and np.percentile(even, 10) >= 120  # 0.5 x 255, overlaps add more
    assert len(varied) > 50 and np.percentile(varied, 10) < 60


@pytest.mark.parametrize('each_length, blurs_per_layer', [(False, 1), (True, 3)])
def test_soften_each_length_draws_a_softness_per_length(monkeypatch, each_length,
                                                        blurs_per_layer):
    sigmas = []
    original = SynthesizeRain.soften
    monkeypatch.setattr(SynthesizeRain, 'soften',
                        staticmethod(lambda streaks, sigma: sigmas.append(sigma)
                                     or original(streaks, sigma)))
    rain = SynthesizeRain(layers=(2, 2), lengths_per_layer=(3, 3), softness=(0.2, 2.0),
                          soften_each_length=each_length, seed=0)
    rain(sample())
    assert len(sigmas) == 2 * blurs_per_layer and len(set(sigmas)) == len(sigmas)


def test_blur_smooths_and_noise_is_added():
    textured = np.random.default_rng(0).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    blurred = SynthesizeMotionBlur(noise_sigma=(0, 0), seed=0)(
        dict(gt=textured, gt_path='t.png'))['img']
    assert blurred.astype(float).std() < 0.8 * textured.astype(float).std()
    flat = np.full((64, 64, 3), 128, np.uint8)
    noisy = SynthesizeMotionBlur(noise_sigma=(3, 3), seed=0)(dict(gt=flat, gt_path='f.png'))['img']
    assert 2 < noisy.astype(float).std() < 4


@pytest.mark.parametrize('transform_type, argument, value', [
    (SynthesizeRain, 'layers', (0, 2)),
    (SynthesizeRain, 'layers', (1.5, 2)),
    (SynthesizeRain, 'density', (0.1, 0.01)),
    (SynthesizeRain, 'density', (0.0, 0.5)),
    (SynthesizeRain, 'length', 10),
    (SynthesizeRain, 'lengths_per_layer', (0, 2)),
    (SynthesizeRain, 'taper', (0.5, 1.5)),
    (SynthesizeRain, 'width', (1, 'x')),
    (SynthesizeRain, 'drop_brightness', (0.5, 1.2)),
    (SynthesizeRain, 'angle', (-100, 0)),
    (SynthesizeRain, 'angle_spread', -1),
    (SynthesizeRain, 'intensity', (0.2, 1.5)),
    (SynthesizeRain, 'softness', (-1, 1)),
    (SynthesizeRain, 'haze', (0.1, 2)),
    (SynthesizeRain, 'airlight', (1, 0)),
    (SynthesizeRain, 'haze_prob', 1.5),
    (SynthesizeRain, 'blend_modes', ('multiply',)),
    (SynthesizeRain, 'seed', 'abc'),
    (SynthesizeMotionBlur, 'shake_prob', -0.1),
    (SynthesizeMotionBlur, 'shake_extent', (0, 5)),
    (SynthesizeMotionBlur, 'pan_length', (9, 3)),
    (SynthesizeMotionBlur, 'object_prob', 2),
    (SynthesizeMotionBlur, 'max_objects', 0),
    (SynthesizeMotionBlur, 'object_length', None),
    (SynthesizeMotionBlur, 'object_size', (0.5, 2)),
    (SynthesizeMotionBlur, 'noise_sigma', (-1, 2)),
])
def test_every_range_is_validated_with_its_name(transform_type, argument, value):
    with pytest.raises(ValueError, match=f'{transform_type.__name__}: {argument} must be'):
        transform_type(**{argument: value})


@pytest.mark.parametrize('value', ['no', 0, 1, None])
def test_soften_each_length_must_be_a_bool(value):
    with pytest.raises(TypeError, match=f'SynthesizeRain: soften_each_length must be True or '
                                        f'False, got {value!r}'):
        SynthesizeRain(soften_each_length=value)


def test_missing_gt_is_named():
    with pytest.raises(KeyError, match="no 'gt' image"):
        SynthesizeRain()(dict(img=np.zeros((8, 8, 3), np.uint8)))


def test_kernels():
    assert line_kernel(15, 30.0, 2).sum() == pytest.approx(1.0)
    assert line_kernel(15, 30.0, 2, normalise='max').max() == pytest.approx(1.0)
    vertical = line_kernel(9, 0.0)
    assert vertical.sum(axis=0).argmax() == vertical.shape[1] // 2  # a vertical line
    kernel = shake_kernel(np.random.default_rng(0), extent=14)
    assert kernel.shape == (17, 17) and kernel.sum() == pytest.approx(1.0)
    assert (kernel > 0).sum() > 3
