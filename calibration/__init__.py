"""Fitting the combat parameters on CDB90: the code that writes ``wargame/data/calibration.json``.

Not part of the installed package (the wheel ships ``wargame`` only): the engine reads the
fitted numbers through :mod:`wargame.calibration`, and nothing at run time imports this code.
``validation/cdb90_fit.py`` runs the fit from the repository root, and
``tests/test_calibration.py`` reruns it and compares with the file. The fit reads the CDB90
battles in ``validation/data/cdb90`` (:mod:`calibration.cdb90`), fits the engagement outcome
(:mod:`calibration.success`, :mod:`calibration.logistic`), turns its terms into power
multipliers (:mod:`calibration.multipliers`), fits attrition (:mod:`calibration.attrition`) and
the space a battle takes (:mod:`calibration.space`), and writes the document
(:mod:`calibration.fit`). See docs/validation.md, "Calibrating combat on CDB90".
"""
