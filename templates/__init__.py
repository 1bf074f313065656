"""The built-in audiences (NAME.md.j2 and NAME.yaml), installed as ``briefgen.templates``.

They live here, in the repository's top-level ``templates/`` folder, and pyproject.toml
maps this folder to that package, so a wheel carries them and briefgen finds them with
``importlib.resources`` wherever it is installed.
"""
