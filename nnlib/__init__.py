"""nnlib: a small neural-network library written from scratch in NumPy.

It is the code the notebooks in ``notebooks/`` build up to, step by step. Importing it needs only NumPy:
the plotting and widget modules (``nnlib.views``) are imported on demand.
"""

__version__ = "0.1.0"

from . import activations as activations  # the network core
from . import data as data  # data sets (nnlib.data.moons, ...)
from . import init as init
from . import losses as losses
from .gradcheck import grad_check as grad_check
from .gradcheck import rel_error as rel_error
from .io import load as load
from .io import save as save
from .network import MLP as MLP
from .optim import SGD as SGD
from .optim import Adam as Adam
from .train import History as History
from .train import train as train
