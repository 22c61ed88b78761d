from .fast_resume_loop import FastResumeIterBasedTrainLoop, skip_batches_without_loading

__all__ = ['FastResumeIterBasedTrainLoop', 'skip_batches_without_loading']
