"""Render docs/graph.svg, the picture in the README: python docs/make_graph.py"""

import os

import autograd
import nn

autograd.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
x = autograd.tensor([[0.5, -1.0], [2.0, 0.3]])
x.name = "x"
y = autograd.tensor([[1.0], [0.0]])
loss = nn.functional.mse_loss(model(x), y)
loss.backward()
dot = autograd.draw_graph(loss, params=dict(model.named_parameters()), title="mse_loss(model(x), y) after backward")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graph.svg")
with open(path, "wb") as file:
    file.write(dot.pipe(format="svg"))
print("wrote", path)
