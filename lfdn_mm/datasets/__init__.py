from .synthetic import make_demo_set

__all__ = ['make_demo_set']
