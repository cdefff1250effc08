"""The interactive views: pictures of data and training (matplotlib) and the notebooks' controls (ipywidgets).

They sit apart from the network core: ``import nnlib`` loads only NumPy code, and nothing here is imported
until asked for by name::

    from nnlib.views.plots import plot_decision_boundary, train_live, LiveView   # matplotlib
    from nnlib.views.widgets import xor_explorer                                 # notebook 04's controls
    from nnlib.views.playground import Playground                                # notebook 05's dashboard

The views use only nnlib's public API (``MLP``, ``train``, ``History``, ``SGD``, ``Adam``, ``nnlib.data``).
"""
