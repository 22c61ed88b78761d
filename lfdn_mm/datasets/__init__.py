from .clean_image_dataset import CleanImageDataset
from .synthetic import make_demo_set, write_demo_photos
from .transforms import SynthesizeMotionBlur, SynthesizeRain

__all__ = ['CleanImageDataset', 'SynthesizeMotionBlur', 'SynthesizeRain', 'make_demo_set',
           'write_demo_photos']
