from .degradation import Degradation
from .synthesize_camera_blur import SynthesizeCameraBlur
from .synthesize_motion_blur import SynthesizeMotionBlur
from .synthesize_rain import SynthesizeRain

__all__ = ['Degradation', 'SynthesizeCameraBlur', 'SynthesizeMotionBlur', 'SynthesizeRain']
