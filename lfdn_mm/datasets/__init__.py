from .clean_image_dataset import CleanImageDataset
from .synthetic import make_demo_set, write_demo_photos
from .transforms import SynthesizeCameraBlur, SynthesizeMotionBlur, SynthesizeRain

__all__ = ['CleanImageDataset', 'SynthesizeCameraBlur', 'SynthesizeMotionBlur', 'SynthesizeRain',
           'make_demo_set', 'write_demo_photos']
