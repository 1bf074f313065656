"""The package list for setuptools; everything else is in pyproject.toml.

briefgen's built-in templates live in the repository's top-level templates/ folder and
are installed as the package briefgen.templates. pyproject.toml's automatic package
discovery cannot map a folder from outside briefgen/, and a hand-written list goes stale
whenever a module becomes a package, so the list is computed here: every package and
data folder under briefgen/, plus templates/.
"""

from setuptools import find_namespace_packages, setup

setup(
    packages=[*find_namespace_packages(include=["briefgen", "briefgen.*"], exclude=["*.__pycache__"]),
              "briefgen.templates"],
    package_dir={"briefgen.templates": "templates"},
)
