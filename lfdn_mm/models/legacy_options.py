"""The flat keys of LFDN's earlier constructor, read as the component configs they stand for.

Before the components were registered, ``LFDN`` took ``encoder``, ``block`` and ``fusion`` as
strings, ``norm`` as a name, and each component's options flat (``theta``, ``split_ratio``,
...). Configs, presets and checkpoints of that form keep building the same network: each old
key is translated here into the component configs of :class:`.LFDN`.
"""
from .blocks import norm_cfg_of

ENCODERS = {'mshf': dict(type='MSHF'), 'strided': dict(type='StridedEncoder')}
BLOCKS = {'fdnb': dict(type='FDNB'), 'fdnb_split': dict(type='SplitFDNB'),
          'rfdb': dict(type='FDNB', norm_cfg=None), 'cnn': dict(type='PlainBlock')}
#: ``fusion`` -> (the fusion config, the ACFM config)
FUSIONS = {'attention': (dict(type='ALFM'), dict(type='ACFM')),
           'concat': (dict(type='ConcatFusion'), None)}
#: flat key -> (the component it belongs to, its argument there)
FLAT_KEYS = {
    'num_levels': ('encoder', 'num_levels'),
    'split_ratio': ('block', 'split_ratio'),
    'cca_reduction': ('block', 'cca_reduction'),
    'theta': ('fusion', 'theta'),
    'learn_theta': ('fusion', 'learn_theta'),
    'softmax_mode': ('fusion', 'softmax_mode'),
    'alfm_logit_scale': ('fusion', 'logit_scale'),
    'alpha': ('acfm', 'alpha'),
    'learn_alpha': ('acfm', 'learn_alpha'),
    'acfm_channels': ('acfm', 'hidden_channels'),
}
#: the component types each flat key reaches (others ignore it, as the earlier constructor did)
TAKES = {'num_levels': {'MSHF'}, 'split_ratio': {'SplitFDNB'},
         'cca_reduction': {'FDNB', 'SplitFDNB'},
         **{key: {'ALFM'} for key in ('theta', 'learn_theta', 'softmax_mode', 'alfm_logit_scale')},
         **{key: {'ACFM'} for key in ('alpha', 'learn_alpha', 'acfm_channels')}}


def component_from_name(kind, value, choices):
    """``choices[value]`` for a string ``value``, else ``value`` (a config) unchanged."""
    if not isinstance(value, str):
        return value
    if value not in choices:
        raise ValueError(f'{kind} must be one of {sorted(choices)} or a config dict such as '
                         f'dict(type=...), got {value!r}')
    return choices[value]


def translate(components, options):
    """The component configs of :class:`.LFDN` with the earlier constructor's keys applied.

    Args:
        components (dict): ``encoder``, ``block``, ``fusion``, ``acfm`` and ``norm_cfg`` as
            given to LFDN (``encoder``, ``block`` and ``fusion`` may be the earlier strings).
        options (dict): Earlier keys: ``norm`` and those of :data:`FLAT_KEYS`.

    Returns:
        dict: The five entries of ``components``, as configs.
    """
    unknown = sorted(set(options) - set(FLAT_KEYS) - {'norm'})
    if unknown:
        raise TypeError(f'LFDN got unexpected arguments {unknown}')
    result = dict(components)
    result['encoder'] = component_from_name('encoder', result['encoder'], ENCODERS)
    result['block'] = component_from_name('block', result['block'], BLOCKS)
    if isinstance(result['fusion'], str):
        result['fusion'], result['acfm'] = component_from_name('fusion', result['fusion'],
                                                               FUSIONS)
    if 'norm' in options:
        result['norm_cfg'] = norm_cfg_of(options['norm'])
    for key, (component, argument) in FLAT_KEYS.items():
        cfg = result[component]
        if key in options and cfg is not None and type_name(cfg) in TAKES[key]:
            result[component] = {**cfg, argument: options[key]}
    return result


def type_name(cfg):
    """The registered name of a component config's ``type`` (a name or a class)."""
    return cfg['type'] if isinstance(cfg['type'], str) else cfg['type'].__name__
