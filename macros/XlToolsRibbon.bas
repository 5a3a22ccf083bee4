Attribute VB_Name = "XlToolsRibbon"
Option Explicit
' Ribbon callbacks of the xl_tools add-in: each button of customUI14.xml runs one Python entry point
' of xl_tools.excel through xlwings' RunPython.
' Generated from xl_tools/addin/ribbon.py: edit the button list there, then run
' python -m xl_tools.addin.sources

Public Sub NewForm(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.new_form()"
End Sub

Public Sub Validate(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.validate()"
End Sub

Public Sub ApplyFixes(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.apply_fixes()"
End Sub

Public Sub ClearMarks(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.clear_marks()"
End Sub

Public Sub UndoFixes(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.undo_fixes()"
End Sub

Public Sub Consolidate(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.consolidate()"
End Sub

Public Sub BuildSummary(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.build_summary()"
End Sub

Public Sub ShowHelp(control As IRibbonControl)
    RunPython "import xl_tools.excel as x; x.show_help()"
End Sub
