"""xl_tools: the 绩效目标表 toolkit (validate, consolidate, summarise) for Excel and the command line.

Keep this module import-light: a ribbon click imports it.
"""

__version__ = "0.1.0"
