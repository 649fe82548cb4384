"""A package whose names are loaded on first use (PEP 562), so the first screen does not wait for modules
it does not need (tests/test_startup_imports.py keeps it so).

A package's ``__init__`` lists its submodules used as modules and, per submodule, the names it exports,
then binds ``__getattr__, __dir__, __all__ = lazy_names(__name__, globals(), modules, names)``.
"""
from importlib import import_module


def lazy_names(package: str, namespace: dict, modules: tuple[str, ...], names: dict[str, tuple[str, ...]],
               eager: tuple[str, ...] = ()):
    """The ``__getattr__``, ``__dir__`` and ``__all__`` of a lazily loaded package. A name, once loaded, is
    kept in the package's namespace, so the next lookup does not come here. ``eager`` names are bound by the
    package itself and only listed."""
    where = {name: module for module, exported in names.items() for name in exported}
    listed = [*modules, *where, *eager]

    def __getattr__(name: str):
        if name in modules:
            value = import_module(f"{package}.{name}")
        elif name in where:
            value = getattr(import_module(f"{package}.{where[name]}"), name)
        else:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        namespace[name] = value
        return value

    def __dir__():
        return sorted([*namespace, *listed])

    return __getattr__, __dir__, listed
