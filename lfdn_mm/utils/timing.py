"""Wall-clock timing that keeps comparisons fair on a shared, noisy machine."""
import time


def timed(function):
    """Run ``function`` once and return the wall time in seconds."""
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def round_robin(functions, repeats):
    """Time one call of every function in turn, repeated, so that a change in machine load
    hits all of them alike.

    Args:
        functions (dict): Key -> callable.
        repeats (int | dict): Timed calls of every function, or key -> timed calls.

    Returns:
        dict: Key -> list of wall times in seconds.
    """
    repeats = repeats if isinstance(repeats, dict) else dict.fromkeys(functions, repeats)
    times = {key: [] for key in functions}
    for round_index in range(max(repeats.values(), default=0)):
        for key, function in functions.items():
            if round_index < repeats[key]:
                times[key].append(timed(function))
    return times
