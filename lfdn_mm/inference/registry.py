"""The one table of fast forms: for each paper module class, what runs in its place.

Each entry is keyed by the exact class of a plain module and holds

- ``form``: the subclass :func:`lfdn_mm.inference.convert_for_inference` switches the module
  to (same parameters, same function, faster), or None to keep the module as it is;
- ``lean_forward``: a function ``(module, input)`` that :func:`.tile_invariance.lean_fuse`
  calls instead of the module, with less memory, or None to call the module itself.

A class is looked up exactly. A subclass of a registered class (a new block derived from
``FDNB``, say) is refused with a message that says how to register it: the form of its parent
would replace the subclass's own computation, and running it plain would lose the fast path
without saying so. Unrelated classes run as they are.
"""
from dataclasses import dataclass, replace


@dataclass(frozen=True)
class FastForm:
    """What runs in place of one plain module class (see the module docstring).

    Args:
        form (type, optional): The fast subclass of the plain class.
        lean_forward (callable, optional): ``(module, input) -> output`` for the lean middle.
    """

    form: type = None
    lean_forward: object = None


#: plain module class -> :class:`FastForm`
FAST_FORMS = {}


class UnregisteredFormError(TypeError):
    """A subclass of a module class with a fast form has no entry of its own."""


def register_fast_form(plain, form=None, lean_forward=None):
    """Record ``form`` and/or ``lean_forward`` for modules of exactly class ``plain``.

    Registering ``plain`` with neither says "run it as it is". A second call for the same class
    updates only what it gives.

    Args:
        plain (type): The plain module class.
        form (type, optional): A subclass of ``plain`` that adds no parameter or buffer and
            overrides only the computation.
        lean_forward (callable, optional): ``(module, input) -> output``, equal to
            ``module(input)`` without autograd.
    """
    if form is not None and not issubclass(form, plain):
        raise TypeError(f'the fast form {form.__name__} must subclass {plain.__name__}')
    entry = FAST_FORMS.get(plain, FastForm())
    changes = {key: value for key, value in dict(form=form, lean_forward=lean_forward).items()
               if value is not None}
    FAST_FORMS[plain] = replace(entry, **changes)


def lean_forward_of(plain):
    """Decorator form of ``register_fast_form(plain, lean_forward=function)``."""

    def register(function):
        register_fast_form(plain, lean_forward=function)
        return function

    return register


def fast_form_of(cls):
    """The :class:`FastForm` of modules of class ``cls`` (a plain class or its fast form); an
    empty one for unrelated classes.

    Raises:
        UnregisteredFormError: ``cls`` subclasses a registered class without an entry of its own.
    """
    if cls in FAST_FORMS:
        return FAST_FORMS[cls]
    plain = plain_forms_by_form().get(cls)
    if plain is not None:
        return FAST_FORMS[plain]
    parent = next((base for base in cls.__mro__[1:] if base in FAST_FORMS), None)
    if parent is not None:
        raise UnregisteredFormError(
            f'{cls.__module__}.{cls.__name__} subclasses {parent.__name__}, which has a fast '
            f'form, but has none of its own: register one with lfdn_mm.inference.'
            f'register_fast_form({cls.__name__}, FORM), or register_fast_form('
            f'{cls.__name__}) to run it as it is')
    return FastForm()


def plain_forms_by_form():
    """fast-form class -> the plain class it stands for."""
    return {entry.form: plain for plain, entry in FAST_FORMS.items() if entry.form is not None}
