"""One field of ``/proc/cpuinfo`` (its first processor), for capability checks and reports."""


def cpuinfo_field(name, path='/proc/cpuinfo'):
    """The value of field ``name`` (e.g. ``'flags'``, ``'model name'``, ``'cpu MHz'``), or None
    where there is no such file or field."""
    try:
        with open(path) as cpuinfo:
            for line in cpuinfo:
                key, separator, value = line.partition(':')
                if separator and key.strip() == name:
                    return value.strip()
    except OSError:
        return None
    return None
