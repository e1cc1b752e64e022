"""Bundles liblabelassign into the package unless one is found at run time without it.

- ``LABELASSIGN_BUNDLE=/path/liblabelassign.so.X``: bundle that file (``make wheel`` does).
- ``LABELASSIGN_LIB`` set, or a library under the install prefix (``make install``): bundle
  nothing; the package finds that library when imported.
- Otherwise the library is built from this checkout with the Swift toolchain
  (``make lib-build`` in the repository root) and bundled.
A bundled package is a platform wheel (py3-none-<platform>: the library is loaded with ctypes).
"""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import setuptools
from setuptools import setup
from setuptools.command.build_py import build_py

try:
    from wheel.bdist_wheel import bdist_wheel
except ImportError:  # building without wheel (a plain setup.py install)
    bdist_wheel = None

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
BUNDLED = "liblabelassign.so"
PREFIXES = (sys.prefix, "/usr/local", "/usr")


def installed_library():
    """A library the package finds without a bundled copy, or None."""
    if os.environ.get("LABELASSIGN_LIB"):
        return os.environ["LABELASSIGN_LIB"]
    for prefix in PREFIXES:
        for name in ("liblabelassign.so", "liblabelassign.so.0"):
            path = Path(prefix) / "lib" / name
            if path.exists():
                return str(path)
    return None


def built_library():
    """Builds the library from this checkout and returns its file."""
    if not (ROOT / "Package.swift").exists() or not shutil.which(os.environ.get("SWIFT", "swift")):
        raise RuntimeError("liblabelassign: no LABELASSIGN_LIB, none under " + ", ".join(PREFIXES)
                           + ", and no Swift toolchain with the LabelAssign checkout to build one")
    subprocess.run(["make", "-C", str(ROOT), "lib-build"], check=True)
    found = sorted((ROOT / ".build" / "lib" / "out").glob("liblabelassign.so.*.*.*"))
    if not found:
        raise RuntimeError("make lib-build left no .build/lib/out/liblabelassign.so.X.Y.Z")
    return str(found[-1])


def library_to_bundle():
    """The library file to bundle, or None (bundle nothing)."""
    if os.environ.get("LABELASSIGN_BUNDLE"):
        return os.environ["LABELASSIGN_BUNDLE"]
    if (HERE / "labelassign" / BUNDLED).exists():
        return str(HERE / "labelassign" / BUNDLED)
    if installed_library():
        return None
    return built_library()


class BuildWithLibrary(build_py):
    """build_py that also copies the library into the built package."""

    def run(self):
        super().run()
        source = self.distribution.bundle
        if source:
            target = Path(self.build_lib) / "labelassign" / BUNDLED
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source, target)
            os.chmod(target, 0o755)


commands = {"build_py": BuildWithLibrary}

if bdist_wheel is not None:
    class PlatformWheel(bdist_wheel):
        """A platform wheel when the library is bundled (no Python ABI: it is loaded with ctypes)."""

        def finalize_options(self):
            super().finalize_options()
            self.root_is_pure = not self.distribution.bundle

        def get_tag(self):
            python, abi, platform = super().get_tag()
            return ("py3", "none", platform) if self.distribution.bundle else (python, abi, platform)

    commands["bdist_wheel"] = PlatformWheel


class Distribution(setuptools.Distribution):
    """Knows the library to bundle (decided once per build)."""

    _bundle = False

    @property
    def bundle(self):
        if self._bundle is False:
            self._bundle = library_to_bundle()
        return self._bundle

    def has_ext_modules(self):
        return bool(self.bundle)


setup(cmdclass=commands, distclass=Distribution)
