"""SynthesizeCameraBlur: linear-light averaging of sub-frames along a camera path."""
import numpy as np
import pytest

from lfdn_mm.datasets.transforms import SynthesizeCameraBlur

STILL = dict(num_frames=(9, 9), max_step=(64, 64), curvature=(0, 0), speed_change=(0, 0),
             jitter=(0, 0), rotation=(0, 0), zoom=(0, 0), perspective=(0, 0), object_prob=0.0,
             gamma=(2.2, 2.2), shot_noise=(0, 0), read_noise=(0, 0), jpeg_prob=0.0)


def blur(image, **kwargs):
    return SynthesizeCameraBlur(seed=0, **{**STILL, **kwargs})(dict(gt=image, gt_path='p.png'))


def dots(size, points):
    image = np.zeros((size, size, 3), np.uint8)
    for y, x in points:
        image[y, x] = 255
    return image


def spread(image, y, x, radius=24):
    """Second moments (covariance) of the brightness around (y, x)."""
    patch = image[y - radius:y + radius + 1, x - radius:x + radius + 1, 0].astype(float)
    ys, xs = np.mgrid[-radius:radius + 1, -radius:radius + 1]
    weights = patch / patch.sum()
    my, mx = (weights * ys).sum(), (weights * xs).sum()
    return np.array([[(weights * (ys - my)**2).sum(), (weights * (ys - my) * (xs - mx)).sum()],
                     [(weights * (ys - my) * (xs - mx)).sum(), (weights * (xs - mx)**2).sum()]])


@pytest.mark.parametrize('gain', [1.0, 4.0])
def test_a_saturated_point_keeps_its_boosted_energy_in_linear_light(gain):
    out = blur(dots(64, [(32, 32)]), translation=(8, 8), highlight_gain=(gain, gain))['img']
    streak = out[..., 0].astype(float) / 255
    assert (streak**2.2).sum() == pytest.approx(gain, rel=0.1)  # clipped after averaging
    assert (streak > 0.1).sum() >= 6  # a streak, not a point
    # blurring the clipped point in sRGB would spread sRGB 1/9 over 9 pixels: far less light
    assert (streak**2.2).sum() > 10 * 9 * (1 / 9)**2.2


def test_highlight_gain_only_touches_highlights():
    photo = np.random.default_rng(2).integers(0, 200, (48, 48, 3), dtype=np.uint8)
    plain = blur(photo.copy(), translation=(12, 12), highlight_gain=(1, 1))
    boosted = blur(photo.copy(), translation=(12, 12), highlight_gain=(6, 6))
    np.testing.assert_array_equal(plain['img'], boosted['img'])


def test_blur_varies_across_the_image():
    image = dots(160, [(30, 30), (130, 130), (30, 130)])
    out = blur(image, translation=(0.5, 0.5), rotation=(8, 8))['img']
    a, b = spread(out, 30, 30), spread(out, 130, 130)
    assert np.abs(a - b).max() > 0.25 * max(np.abs(a).max(), np.abs(b).max())


def test_default_draws_blur_far_apart_patches_differently():
    image = dots(256, [(y, x) for y in range(32, 256, 64) for x in range(32, 256, 64)])
    transform = SynthesizeCameraBlur(object_prob=0.0, shot_noise=(0, 0), read_noise=(0, 0),
                                     jpeg_prob=0.0, translation=(10, 30), rotation=(5, 8))
    np.random.seed(0)
    out = transform(dict(gt=image, gt_path='p.png'))['img']
    a, b = spread(out, 32, 32, 28), spread(out, 224, 224, 28)
    assert np.abs(a - b).max() > 0.2 * max(np.abs(a).max(), np.abs(b).max())


def test_path_length_sets_the_extent_of_the_streak():
    for length in (6, 40):
        out = blur(dots(128, [(64, 64)]), translation=(length, length))['img'][..., 0]
        ys, xs = np.nonzero(out > 0)
        extent = np.hypot(ys.max() - ys.min(), xs.max() - xs.min())
        assert length - 2 <= extent <= length + 3


def test_target_is_the_middle_sub_frame():
    photo = np.random.default_rng(0).integers(0, 200, (48, 48, 3), dtype=np.uint8)
    still = blur(photo.copy(), translation=(20, 20))
    np.testing.assert_array_equal(still['gt'], photo)  # no moving layer: gt stays
    moving = blur(photo.copy(), translation=(0.1, 0.1), object_prob=1.0, object_size=(0.3, 0.3),
                  object_translation=(10, 10))
    assert not np.array_equal(moving['gt'], photo)  # a pasted layer is part of the target
    assert moving['gt'].shape == photo.shape and moving['gt'].dtype == np.uint8


def test_noise_and_jpeg_are_added():
    flat = np.full((64, 64, 3), 128, np.uint8)
    clean = blur(flat)['img']
    noisy = blur(flat, read_noise=(0.02, 0.02))['img']
    assert clean.std() < 0.5 < noisy.std()
    textured = np.random.default_rng(1).integers(0, 256, (64, 64, 3), dtype=np.uint8)
    raw = blur(textured, translation=(1, 1))['img']
    compressed = blur(textured, translation=(1, 1), jpeg_prob=1.0, jpeg_quality=(10, 10))['img']
    assert np.abs(raw.astype(int) - compressed).mean() > 5


def test_gray_images_keep_their_shape():
    out = blur(np.full((40, 30), 90, np.uint8), jpeg_prob=1.0, object_prob=1.0)
    assert out['img'].shape == (40, 30) and out['gt'].shape == (40, 30)


@pytest.mark.parametrize('argument, value', [
    ('still_prob', 1.5), ('num_frames', (1, 5)), ('num_frames', (7.5, 9)),
    ('num_frames', (9, 7)),
    ('max_step', (0, 2)), ('max_step', (1, 100)),
    ('translation', (0, 5)), ('translation', (0, 400)), ('curvature', (0, 2)),
    ('speed_change', (0, 1.5)), ('jitter', (0, 30)), ('rotation', (0, 45)),
    ('zoom', (0, 0.5)), ('perspective', (-0.1, 0)), ('object_prob', 1.5),
    ('max_objects', 0), ('object_size', (0, 0.5)), ('object_translation', None),
    ('gamma', (0.5, 2)), ('highlight_threshold', 1.0), ('highlight_gain', (0.5, 2)),
    ('shot_noise', (0, 1)), ('read_noise', 'x'), ('jpeg_prob', -0.1),
    ('jpeg_quality', (5, 90)), ('jpeg_quality', (60, 101)), ('seed', 1.5),
])
def test_every_argument_is_validated_with_its_name(argument, value):
    with pytest.raises(ValueError, match=f'SynthesizeCameraBlur: {argument} must be'):
        SynthesizeCameraBlur(**{argument: value})


def test_long_paths_get_enough_sub_frames_to_blur_without_gaps():
    ghosts = blur(dots(128, [(64, 64)]), translation=(60, 60), num_frames=(7, 7),
                  max_step=(64, 64))['img'][..., 0]
    smooth = blur(dots(128, [(64, 64)]), translation=(60, 60), num_frames=(7, 7),
                  max_step=(1, 1))['img'][..., 0]
    assert (ghosts > 0).sum() < 30 < 55 < (smooth > 0).sum()


def test_still_exposures_leave_the_image_sharp_up_to_noise():
    photo = np.random.default_rng(3).integers(0, 200, (48, 48, 3), dtype=np.uint8)
    still = blur(photo.copy(), translation=(30, 30), still_prob=1.0)
    np.testing.assert_array_equal(still['img'], photo)
    np.testing.assert_array_equal(still['gt'], photo)
    moving = blur(photo.copy(), translation=(30, 30), still_prob=0.0)
    assert np.abs(moving['img'].astype(int) - photo).mean() > 5
