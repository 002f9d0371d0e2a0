"""Render docs/graph.svg and docs/engine.svg, the pictures in the README: python docs/make_graph.py"""

import os

import autograd
import nn

autograd.manual_seed(0)
model = nn.Sequential(nn.Linear(2, 3), nn.Tanh(), nn.Linear(3, 1))
x = autograd.tensor([[0.5, -1.0], [2.0, 0.3]])
y = autograd.tensor([[1.0], [0.0]])
x.name, y.name = "x", "y"  # the data: drawn as inputs, under these names
loss = nn.functional.mse_loss(model(x), y)
loss.backward()
dot = autograd.draw_graph(loss, params=dict(model.named_parameters()), title="mse_loss(model(x), y) after backward")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "graph.svg")
with open(path, "wb") as file:
    file.write(dot.pipe(format="svg"))
print("wrote", path)

# docs/engine.svg, the picture of "How the engine works"
a, b, c = (autograd.tensor(v, requires_grad=True) for v in ([[0.5, -1.0]], [[2.0, 0.3]], [[0.1, 0.2]]))
a.name, b.name, c.name = "a", "b", "c"
out = ((a * b + c).tanh() * a).sum()
out.backward()
dot = autograd.draw_graph(out, title="((a * b + c).tanh() * a).sum() after backward")
path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "engine.svg")
with open(path, "wb") as file:
    file.write(dot.pipe(format="svg"))
print("wrote", path)
