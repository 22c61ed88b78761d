"""Time the LFDN of an earlier git revision against the working tree's, in one process.

    python docs/benchmarks/compare_lfdn_revisions.py c982c9e [--sizes 256x256 1280x720]
        [--repeats 10] [--out docs/benchmarks/lfdn_before_after.json]

The models package of REVISION is extracted with ``git archive`` into a temporary folder and
imported under another name (its registry decorators removed, so both versions coexist).
Both versions get the same weights (theta and alpha set to the paper's learned deraining
values so ALFM and ACFM contribute) and are timed round-robin, contiguous and with the 2-D
conv weights channels_last.
"""
import argparse
import json
import os
import re
import statistics
import subprocess
import sys
import tarfile
import tempfile
from io import BytesIO
from pathlib import Path

import torch

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lfdn_mm.cli.analysis.measure import (machine_info, make_forward, make_input,  # noqa: E402
                                      parse_size, size_label, summarise_latency, timed)
from lfdn_mm.models import LFDN  # noqa: E402
from lfdn_mm.inference.memory_format import to_channels_last  # noqa: E402

REGISTRY_DECORATOR = re.compile(r'^@MODELS\.register_module\(.*\)\n', re.MULTILINE)


def import_models_at(revision, folder):
    """Import ``lfdn_mm/models`` of ``revision`` as the package ``lfdn_models_before``."""
    archive = subprocess.run(['git', 'archive', revision, 'lfdn_mm/models'], cwd=ROOT,
                             check=True, capture_output=True).stdout
    with tarfile.open(fileobj=BytesIO(archive)) as tar:
        tar.extractall(folder, filter='data')
    package = Path(folder) / 'lfdn_models_before'
    (Path(folder) / 'lfdn_mm' / 'models').rename(package)
    for source in package.glob('*.py'):
        source.write_text(REGISTRY_DECORATOR.sub('', source.read_text()))
    sys.path.insert(0, str(folder))
    import lfdn_models_before
    return lfdn_models_before


def build_versions(old_package):
    torch.manual_seed(0)
    reference = LFDN(theta=-0.0008, alpha=0.1137).eval()
    versions = {}
    for name, cls in (('before', old_package.LFDN), ('after', LFDN)):
        for memory_format in ('contiguous', 'channels_last'):
            model = cls(theta=-0.0008, alpha=0.1137).eval()
            model.load_state_dict(reference.state_dict())
            if memory_format == 'channels_last':
                to_channels_last(model)
            versions[f'{name}/{memory_format}'] = model
    return versions


def compare(versions, size, repeats):
    image = make_input(size)
    forwards = {name: make_forward(model, image) for name, model in versions.items()}
    with torch.inference_mode():
        outputs = {name: model(image) for name, model in versions.items()}
    baseline = outputs['before/contiguous']
    times = {name: [] for name in versions}
    for forward in forwards.values():
        forward()
    for _ in range(repeats):
        for name, forward in forwards.items():
            times[name].append(timed(forward))
    base_median = statistics.median(times['before/contiguous'])
    return {name: dict(latency_ms=summarise_latency(times[name]),
                       speedup_vs_before_contiguous=base_median / statistics.median(times[name]),
                       max_abs_diff_vs_before=float((outputs[name] - baseline).abs().max()))
            for name in versions}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('revision')
    parser.add_argument('--sizes', nargs='+', default=['256x256', '1280x720'])
    parser.add_argument('--repeats', type=int, default=10)
    parser.add_argument('--out', default=str(ROOT / 'docs/benchmarks/lfdn_before_after.json'))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        versions = build_versions(import_models_at(args.revision, folder))
        result = dict(machine=machine_info(), revision=args.revision, repeats=args.repeats,
                      sizes={})
        for text in args.sizes:
            size = parse_size(text)
            result['sizes'][size_label(size)] = compare(versions, size, args.repeats)
            for name, row in result['sizes'][size_label(size)].items():
                print(f"{size_label(size):>9} {name:26s} median "
                      f"{row['latency_ms']['median']:8.1f} ms  speed-up "
                      f"{row['speedup_vs_before_contiguous']:.2f}  max |diff| "
                      f"{row['max_abs_diff_vs_before']:.1e}", flush=True)
    result['machine']['load_average_after'] = [round(v, 2) for v in os.getloadavg()]
    Path(args.out).write_text(json.dumps(result, indent=2) + '\n')


if __name__ == '__main__':
    main()
