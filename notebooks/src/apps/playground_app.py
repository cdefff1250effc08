# ---
# jupyter:
#   jupytext:
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# ## Neural network playground
# Choose the data and the network on the left, press **Train** and watch it learn.

# %%
from nnlib.views.playground import Playground

Playground()
