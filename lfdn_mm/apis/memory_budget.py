"""How much memory a whole-image restoration needs, and the tiles that keep it in a budget.

LFDN restored whole by the default path peaked at 9.1 GB resident for a 3840x2160 photograph
(8.3 megapixels) on a 2-core Xeon, about 1.0 KB per pixel above the 0.9 GB the process holds
before restoring; exact tiles of 512 px gave the same output at 2.4 GB. So an image whose
pixel count times :data:`BYTES_PER_PIXEL` exceeds the budget is restored in exact tiles (the
same result; docs/inference.md), by default within half of the memory available now.
"""
import math
import os

#: Peak memory of a whole-image restoration per pixel (measured at 4K, above)
BYTES_PER_PIXEL = 1000
#: Tile sides chosen for a budget lie in this range, in steps of 32 px
SMALLEST_TILE, LARGEST_TILE = 64, 512


def available_memory(meminfo='/proc/meminfo'):
    """Bytes of memory available to a new allocation now (``MemAvailable``), or None."""
    try:
        with open(meminfo) as lines:
            for line in lines:
                if line.startswith('MemAvailable:'):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return os.sysconf('SC_AVPHYS_PAGES') * os.sysconf('SC_PAGE_SIZE')
    except (ValueError, OSError, AttributeError):
        return None


def default_budget():
    """Half of the available memory (None where it cannot be read: no automatic tiles)."""
    available = available_memory()
    return None if available is None else available // 2


def whole_image_bytes(height, width):
    return BYTES_PER_PIXEL * height * width


def tile_for_budget(height, width, budget):
    """The tile side that keeps an image within ``budget`` bytes, or None when the whole
    image fits (or there is no budget)."""
    if not budget or whole_image_bytes(height, width) <= budget:
        return None
    side = int(math.sqrt(budget / BYTES_PER_PIXEL)) // 32 * 32
    return max(SMALLEST_TILE, min(LARGEST_TILE, side))
