"""nnlib: a small neural-network library written from scratch in NumPy.

It is the code the notebooks in ``notebooks/`` build up to, step by step. Importing it needs only NumPy:
the plotting (``nnlib.plots``) and widget (``nnlib.widgets``) modules are imported on demand.
"""
