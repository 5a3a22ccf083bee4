"""The Excel ribbon add-in (xl_tools.xlam), built from the sources in ``macros/`` on any machine.

- ``ribbon``: the one list of ribbon buttons; renders ``macros/customUI14.xml`` and the VBA callback module.
- ``ovba``: [MS-OVBA] compression, dir/PROJECT/PROJECTwm streams, source-only VBA project.
- ``cfb``: a minimal deterministic [MS-CFB] compound file writer for ``vbaProject.bin``.
- ``xlconf``: the xlwings configuration template (``macros/xlwings.conf``).
- ``build``: assembles the .xlam (or .xlsm) zip package.
- ``install``: copies the add-in into Excel's startup folder on Windows and macOS.
"""
