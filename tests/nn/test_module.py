"""Module behaviour: registration, iteration order, state_dict / load_state_dict,
modes, bulk changes, hooks, the module-scope stack, repr, and the containers."""

from __future__ import annotations

import copy
from collections import OrderedDict

import numpy as np
import pytest

import autograd
import nn
from nn.module import current_module_scope
from tests.nn.compare import assert_close


def build_model(nn, lib=autograd):
    """The same model from torch.nn's API: `nn, lib` are ours (nn, autograd) or torch's."""

    class Block(nn.Module):
        def __init__(self, width):
            super().__init__()
            self.fc = nn.Linear(width, width)
            self.norm = nn.LayerNorm(width)
            self.register_buffer("scale", lib.ones(width))
            self.register_buffer("cache", None)

        def forward(self, x):
            return self.norm(self.fc(x).tanh()) * self.scale

    class Model(nn.Module):
        def __init__(self):
            super().__init__()
            self.embed = nn.Embedding(10, 4, padding_idx=0)
            self.blocks = nn.ModuleList([Block(4), Block(4)])
            self.heads = nn.ModuleDict({"a": nn.Linear(4, 2), "b": nn.Sequential(nn.Linear(4, 3), nn.ReLU())})
            self.bn = nn.BatchNorm1d(4)
            self.drop = nn.Dropout(0.1)

        def forward(self, idx):
            x = self.embed(idx)
            for block in self.blocks:
                x = block(x)
            return self.heads["a"](self.drop(self.bn(x)))

    return Model()


class TwoLayer(nn.Module):
    def __init__(self):
        super().__init__()
        self.first = nn.Linear(3, 4)
        self.register_buffer("steps", autograd.zeros(1))
        self.act = nn.Tanh()
        self.second = nn.Linear(4, 2)
        self.register_buffer("scratch", autograd.ones(2), persistent=False)

    def forward(self, x):
        return self.second(self.act(self.first(x)))


# --- Parameter -----------------------------------------------------------------------


def test_parameter_is_a_tensor_that_requires_grad_and_shares_memory():
    data = autograd.tensor([1.0, 2.0])
    p = nn.Parameter(data)
    assert isinstance(p, autograd.Tensor) and p.requires_grad and p.is_leaf
    data.numpy()[0] = 5.0
    assert p.numpy()[0] == 5.0
    assert not nn.Parameter(data, requires_grad=False).requires_grad
    assert nn.Parameter().shape == (0,)
    y = (p * 2).sum()
    y.backward()
    assert type(y) is autograd.Tensor
    assert_close(p.grad, [2.0, 2.0])


def test_parameter_repr_is_pytorchs(torch_oracle):
    values = [[1.0, -2.5], [0.125, 3.0]]
    torch_oracle.check_same(lambda lib: {"repr": repr(lib.nn.Parameter(lib.torch.tensor(values)))})
    assert (
        repr(nn.Parameter(autograd.tensor([1.0, 2.0])))
        == "Parameter containing:\ntensor([1., 2.], requires_grad=True)"
    )


def test_parameter_of_integers_cannot_require_grad():
    with pytest.raises(RuntimeError, match="floating point"):
        nn.Parameter(autograd.tensor([1, 2]))


# --- registration and iteration ------------------------------------------------------------


def test_registration_order_and_names():
    m = TwoLayer()
    assert [n for n, _ in m.named_parameters()] == [
        "first.weight",
        "first.bias",
        "second.weight",
        "second.bias",
    ]
    assert [n for n, _ in m.named_buffers()] == ["steps", "scratch"]
    assert [n for n, _ in m.named_children()] == ["first", "act", "second"]
    assert [n for n, _ in m.named_modules()] == ["", "first", "act", "second"]
    assert list(m.children()) == [m.first, m.act, m.second]
    assert next(m.modules()) is m
    assert [n for n, _ in m.named_parameters(recurse=False)] == []
    assert [n for n, _ in m.first.named_parameters(prefix="x")] == ["x.weight", "x.bias"]
    assert len(list(m.parameters())) == 4 and len(list(m.buffers())) == 2


def test_names_and_order_match_torch_for_the_same_model(torch_oracle):
    def run(lib):
        model = build_model(lib.nn, lib.torch)
        methods = ("named_parameters", "named_buffers", "named_modules", "named_children")
        names = {method: [n for n, _ in getattr(model, method)()] for method in methods}
        return names | {"state_dict": list(model.state_dict()), "repr": repr(model)}

    torch_oracle.check_same(run)


def test_shared_parameters_and_modules_are_listed_once():
    shared = nn.Linear(2, 2)
    m = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(m.parameters())) == 2
    assert [n for n, _ in m.named_modules()] == ["", "0", "1"]
    assert len(list(m.children())) == 2
    assert list(m.state_dict()) == ["0.weight", "0.bias", "2.weight", "2.bias"]  # as PyTorch: both paths


def test_setattr_getattr_delattr():
    m = TwoLayer()
    m.first.bias = None  # a declared parameter may become None
    assert m.first.bias is None and "first.bias" not in dict(m.named_parameters())
    with pytest.raises(TypeError, match="parameter 'weight'"):
        m.first.weight = autograd.zeros(4, 3)  # a plain tensor cannot replace a parameter
    m.steps = autograd.ones(1)  # buffers may be replaced by tensors
    assert m.steps.numpy()[0] == 1
    with pytest.raises(TypeError, match="buffer 'steps'"):
        m.steps = 3
    m.extra = nn.Parameter(autograd.zeros(1))
    assert "extra" in dict(m.named_parameters())
    del m.extra
    assert "extra" not in dict(m.named_parameters())
    with pytest.raises(AttributeError, match="'TwoLayer' object has no attribute 'missing'"):
        _ = m.missing
    assert {"first", "second", "act", "steps", "scratch", "forward"} <= set(dir(m))
    m.note = "plain attribute"
    assert m.note == "plain attribute" and "note" not in m._modules


def test_assigning_before_init_and_bad_registrations_raise():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(autograd.zeros(1))

    with pytest.raises(AttributeError, match="before Module.__init__"):
        Early()
    m = nn.Module()
    with pytest.raises(KeyError, match="contain"):
        m.register_buffer("a.b", autograd.zeros(1))
    with pytest.raises(TypeError, match="Tensor or None"):
        m.register_buffer("b", [1.0])
    with pytest.raises(TypeError, match="nn.Parameter or None"):
        m.register_parameter("w", autograd.zeros(1))
    with pytest.raises(NotImplementedError, match='missing the required "forward"'):
        m(autograd.zeros(1))


def test_get_submodule_parameter_buffer():
    m = build_model(nn)
    assert m.get_submodule("heads.b.0") is m.heads["b"][0]
    assert m.get_parameter("blocks.1.fc.bias") is m.blocks[1].fc.bias
    assert m.get_buffer("bn.running_mean") is m.bn.running_mean
    with pytest.raises(AttributeError, match="nope"):
        m.get_submodule("heads.nope")


# --- state_dict and load_state_dict ----------------------------------------------------------


def test_state_dict_is_ordered_detached_and_shares_memory():
    m = TwoLayer()
    state = m.state_dict()
    assert isinstance(state, OrderedDict)
    assert list(state) == ["steps", "first.weight", "first.bias", "second.weight", "second.bias"]  # own first
    assert all(not v.requires_grad and v.grad_fn is None for v in state.values())
    assert type(state["first.weight"]) is autograd.Tensor
    state["first.bias"].numpy()[0] = 42.0
    assert m.first.bias.numpy()[0] == 42.0
    assert m.state_dict(keep_vars=True)["first.weight"] is m.first.weight


def test_load_state_dict_round_trip_keeps_parameter_objects():
    autograd.manual_seed(0)
    source, target = build_model(nn), build_model(nn)
    weight = target.heads["a"].weight
    result = target.load_state_dict(source.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    assert repr(result) == "<All keys matched successfully>"
    assert target.heads["a"].weight is weight
    for (key, a), b in zip(source.state_dict().items(), target.state_dict().values()):
        assert_close(a, b, what=key)
    idx = autograd.tensor([1, 2, 0, 3])
    source.eval(), target.eval()
    assert_close(target(idx), source(idx))


def test_load_state_dict_casts_to_the_models_dtype_and_accepts_arrays():
    m = nn.Linear(2, 2)
    m.load_state_dict({"weight": np.eye(2), "bias": autograd.tensor([1.0, 2.0], dtype=autograd.float64)})
    assert m.weight.dtype == np.float32 and m.bias.dtype == np.float32
    assert_close(m.weight, np.eye(2, dtype=np.float32))


def _snapshot(m):
    return {k: v.numpy().copy() for k, v in m.state_dict().items()}


def test_strict_load_lists_missing_unexpected_and_shapes_and_changes_nothing():
    m = TwoLayer()
    before = _snapshot(m)
    bad = {k: autograd.zeros(v.shape) for k, v in m.state_dict().items()}
    del bad["second.bias"]
    bad["third.weight"] = autograd.zeros(1)
    bad["first.weight"] = autograd.zeros(5, 3)
    with pytest.raises(RuntimeError) as error:
        m.load_state_dict(bad)
    message = str(error.value)
    assert message.startswith("Error(s) in loading state_dict for TwoLayer:")
    assert 'Missing key(s) in state_dict: "second.bias"' in message
    assert 'Unexpected key(s) in state_dict: "third.weight"' in message
    assert "size mismatch for first.weight: copying a param with shape (5, 3)" in message
    assert "the shape in current model is (4, 3)" in message
    after = _snapshot(m)
    assert all(np.array_equal(before[k], after[k]) for k in before), "a failed load changed the module"


def test_non_strict_load_reports_keys_but_still_refuses_wrong_shapes():
    m = TwoLayer()
    state = m.state_dict()
    partial = {"first.weight": autograd.ones(4, 3), "bogus": autograd.zeros(1)}
    missing, unexpected = m.load_state_dict(partial, strict=False)
    assert missing == ["steps", "first.bias", "second.weight", "second.bias"] and unexpected == ["bogus"]
    assert_close(m.first.weight, np.ones((4, 3)))
    before = _snapshot(m)
    with pytest.raises(RuntimeError, match="size mismatch for second.bias"):
        m.load_state_dict({"second.bias": autograd.zeros(3), "first.bias": autograd.ones(4)}, strict=False)
    assert all(np.array_equal(before[k], v) for k, v in _snapshot(m).items())
    assert "scratch" not in state  # non-persistent buffers are not saved, nor expected


def test_load_error_message_matches_torchs_lines(torch_oracle):
    bad = {"weight": np.zeros((2, 4), np.float32), "extra": np.zeros(1, np.float32)}

    def run(lib):
        with pytest.raises(RuntimeError) as error:
            lib.nn.Linear(3, 2).load_state_dict({k: lib.torch.tensor(v) for k, v in bad.items()})
        return {"message": str(error.value).replace("torch.Size([", "(").replace("])", ")")}

    torch_oracle.check_same(run)


def test_load_with_assign_replaces_the_tensors():
    m = nn.Linear(2, 2)
    new_weight = autograd.ones(2, 2)
    m.load_state_dict({"weight": new_weight, "bias": autograd.zeros(2)}, assign=True)
    assert isinstance(m.weight, nn.Parameter) and m.weight.requires_grad
    assert m.weight.numpy() is new_weight.numpy()


# --- modes and bulk operations ----------------------------------------------------------


def test_train_eval_propagate():
    m = build_model(nn)
    assert m.training and m.bn.training
    assert m.eval() is m
    assert not any(module.training for module in m.modules())
    m.train()
    assert all(module.training for module in m.modules())
    with pytest.raises(ValueError, match="boolean"):
        m.train("no")


def test_zero_grad():
    m = TwoLayer()
    m(autograd.randn(5, 3)).sum().backward()
    grad = m.first.weight.grad
    m.zero_grad(set_to_none=False)
    assert m.first.weight.grad is grad and not grad.numpy().any()
    m.zero_grad()
    assert all(p.grad is None for p in m.parameters())


def test_apply_visits_children_first_like_torch(torch_oracle):
    def run(lib):
        seen = []
        build_model(lib.nn, lib.torch).apply(lambda mod: seen.append(type(mod).__name__))
        return {"visits": seen}

    torch_oracle.check_same(run)


def test_to_double_keeps_parameter_objects_and_integer_buffers():
    m = build_model(nn)
    params = list(m.parameters())
    m(autograd.tensor([1, 2, 3, 4])).sum().backward()
    assert m.double() is m
    assert [id(p) for p in m.parameters()] == [id(p) for p in params]
    assert all(p.dtype == np.float64 for p in m.parameters())
    assert all(p.grad.dtype == np.float64 for p in m.parameters() if p.grad is not None)
    assert m.bn.running_mean.dtype == np.float64 and m.bn.num_batches_tracked.dtype == np.int64
    m.to(autograd.float32)
    assert all(p.dtype == np.float32 for p in m.parameters())
    m.to("cpu", dtype=autograd.float64)
    assert m.heads["a"].bias.dtype == np.float64
    m.float()
    assert m.to(autograd.zeros(1, dtype=autograd.float64)).bn.weight.dtype == np.float64
    with pytest.raises(TypeError, match="floating point"):
        m.to(autograd.int64)


def test_requires_grad_():
    m = TwoLayer().requires_grad_(False)
    assert not any(p.requires_grad for p in m.parameters())
    m.requires_grad_()
    assert all(p.requires_grad for p in m.parameters())


def test_deepcopy_gives_an_independent_model():
    m = TwoLayer()
    clone = copy.deepcopy(m)
    clone.first.weight.numpy()[...] = 0
    assert m.first.weight.numpy().any()
    assert isinstance(clone.first.weight, nn.Parameter)
    x = autograd.randn(2, 3)
    assert clone(x).shape == (2, 2)


# --- hooks and the module-scope stack ----------------------------------------------------------


def test_forward_hooks_can_replace_inputs_and_outputs_and_be_removed():
    m = nn.Identity()
    pre = m.register_forward_pre_hook(lambda mod, args: (args[0] * 2,))
    post = m.register_forward_hook(lambda mod, args, out: out + 1)
    assert_close(m(autograd.tensor([1.0])), [3.0])
    pre.remove()
    post.remove()
    assert_close(m(autograd.tensor([1.0])), [1.0])


def test_current_module_scope_names_the_running_modules():
    class Block(nn.Module):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Linear(2, 2), nn.ReLU())

        def forward(self, x):
            return self.net(x)

    model = nn.Sequential(nn.Linear(2, 2), Block())
    seen = []
    for module in model.modules():
        module.register_forward_hook(
            lambda mod, args, out: seen.append([n for n, _ in current_module_scope()])
        )
    model(autograd.randn(3, 2))
    assert seen == [
        ["", "0"],
        ["", "1", "1.net", "1.net.0"],
        ["", "1", "1.net", "1.net.1"],
        ["", "1", "1.net"],
        ["", "1"],
        [""],
    ]
    assert current_module_scope() == []
    pairs = []
    model[1].net[1].register_forward_hook(lambda mod, args, out: pairs.extend(current_module_scope()))
    model(autograd.randn(3, 2))
    assert [m for _, m in pairs] == [model, model[1], model[1].net, model[1].net[1]]


def test_scope_stack_is_popped_when_forward_raises():
    with pytest.raises(RuntimeError):
        nn.Sequential(nn.Linear(2, 2))(autograd.randn(3, 5))
    assert current_module_scope() == []


def test_scope_of_a_descendant_called_directly():
    class Skip(nn.Module):
        def __init__(self):
            super().__init__()
            self.inner = nn.Sequential(nn.Identity())

        def forward(self, x):
            return self.inner[0](x)  # skips the Sequential

    m = Skip()
    names = []
    m.inner[0].register_forward_hook(lambda mod, a, o: names.append(current_module_scope()[-1][0]))
    m(autograd.zeros(1))
    assert names == ["inner.0"]


# --- repr ---------------------------------------------------------------------------------------


def test_repr_of_a_sequential_equals_torchs(torch_oracle):
    def build(nn):
        return nn.Sequential(
            nn.Linear(3, 4),
            nn.ReLU(),
            nn.BatchNorm1d(4),
            nn.Dropout(0.2),
            nn.Sequential(OrderedDict(fc=nn.Linear(4, 2, bias=False), act=nn.Tanh())),
        )

    torch_oracle.check_same(lambda lib: {"repr": repr(build(lib.nn))})


@pytest.mark.parametrize(
    "expression",
    [
        "Linear(3, 4)",
        "Linear(3, 4, bias=False)",
        "Flatten()",
        "Flatten(0, 2)",
        "Unflatten(1, (2, 3))",
        "Identity()",
        "Embedding(10, 3)",
        "Embedding(10, 3, padding_idx=-1, max_norm=1.0, norm_type=1.0)",
        "Dropout()",
        "Dropout(0.3, inplace=True)",
        "BatchNorm1d(3)",
        "BatchNorm1d(3, eps=1e-3, momentum=None, affine=False, track_running_stats=False)",
        "BatchNorm1d(3, bias=False)",
        "LayerNorm(4)",
        "LayerNorm([2, 3], elementwise_affine=False)",
        "LayerNorm(4, bias=False)",
        "ReLU()",
        "ReLU(inplace=True)",
        "LeakyReLU()",
        "LeakyReLU(0.2, inplace=True)",
        "ELU()",
        "ELU(alpha=0.5)",
        "GELU()",
        "GELU(approximate='tanh')",
        "SiLU()",
        "Sigmoid()",
        "Tanh()",
        "Softplus()",
        "Softplus(beta=2, threshold=10)",
        "Softmax(dim=1)",
        "LogSoftmax(dim=-1)",
        "LogSoftmax()",
        "MSELoss()",
        "L1Loss(reduction='sum')",
        "SmoothL1Loss(beta=0.5)",
        "HuberLoss(delta=2.0)",
        "BCELoss()",
        "BCEWithLogitsLoss()",
        "CrossEntropyLoss(label_smoothing=0.1)",
        "NLLLoss()",
        "MultiMarginLoss(p=2)",
        "HingeEmbeddingLoss()",
        "KLDivLoss(reduction='batchmean')",
        "ModuleList([Linear(2, 2), Linear(2, 2), ReLU(), Linear(2, 2)])",
        "ModuleList()",
        "ModuleDict({'a': Linear(1, 2), 'b': ModuleList([ReLU(), ReLU()])})",
    ],
)
def test_layer_repr_equals_torchs(torch_oracle, expression):
    torch_oracle.check_same(lambda lib: {"repr": repr(eval(expression, vars(lib.nn)))})


# --- containers --------------------------------------------------------------------------------


def test_sequential_indexing_slicing_and_editing():
    a, b, c = nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)
    s = nn.Sequential(a, b, c)
    assert len(s) == 3 and s[0] is a and s[-1] is c and list(s) == [a, b, c]
    head = s[:2]
    assert isinstance(head, nn.Sequential) and list(head) == [a, b] and list(head._modules) == ["0", "1"]
    assert list(s[1:]._modules) == ["1", "2"]  # slices keep their keys, as in PyTorch
    assert s(autograd.randn(4, 2)).shape == (4, 1)
    s.append(nn.Sigmoid())
    assert len(s) == 4 and isinstance(s[3], nn.Sigmoid)
    del s[1]
    assert list(s._modules) == ["0", "1", "2"] and s[1] is c
    s.insert(1, b)
    assert list(s)[1] is b and len(s) == 4
    s[0] = nn.Linear(2, 3)
    assert s[0] is not a
    assert s.pop(-1).__class__ is nn.Sigmoid and len(s) == 3
    assert len(s + nn.Sequential(nn.ReLU())) == 4
    with pytest.raises(IndexError, match="out of range"):
        s[5]
    named = nn.Sequential(OrderedDict([("fc", nn.Linear(2, 2)), ("act", nn.ReLU())]))
    assert list(named._modules) == ["fc", "act"] and named.fc is named[0]
    assert [n for n, _ in named.named_parameters()] == ["fc.weight", "fc.bias"]


def test_module_list_and_dict():
    layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
    assert len(layers) == 3 and isinstance(layers[1:], nn.ModuleList) and len(layers[1:]) == 2
    layers.append(nn.ReLU())
    layers.extend([nn.Tanh()])
    layers.insert(0, nn.Identity())
    assert [type(m).__name__ for m in layers] == ["Identity", "Linear", "Linear", "Linear", "ReLU", "Tanh"]
    del layers[0]
    assert list(layers._modules) == [str(i) for i in range(5)]
    layers += [nn.Sigmoid()]
    assert len(layers) == 6 and len(list(layers.parameters())) == 6
    d = nn.ModuleDict({"b": nn.Linear(1, 1), "a": nn.ReLU()})
    assert list(d) == ["b", "a"] and list(d.keys()) == ["b", "a"] and "a" in d
    d["c"] = nn.Tanh()
    d.update([("e", nn.Identity())])
    assert list(d.keys()) == ["b", "a", "c", "e"] and len(d) == 4
    assert isinstance(d.pop("a"), nn.ReLU) and "a" not in d
    assert [n for n, _ in d.named_parameters()] == ["b.weight", "b.bias"]
    d.clear()
    assert len(d) == 0


def test_torch_code_runs_with_the_import_changed(torch_oracle):
    """A module written for torch.nn (subclass, F, init) runs unchanged on nn."""

    def program(nn, F, init, lib):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc1 = nn.Linear(4, 8)
                self.fc2 = nn.Linear(8, 3)
                init.zeros_(self.fc2.bias)

            def forward(self, x):
                return F.log_softmax(self.fc2(F.relu(self.fc1(x))), dim=1)

        net = Net()
        x = lib.ones(2, 4)
        loss = F.nll_loss(net(x), lib.tensor([0, 2]))
        loss.backward()
        return net, loss

    net, loss = program(nn, nn.functional, nn.init, autograd)
    assert net.fc1.weight.grad.shape == (8, 4) and np.isfinite(loss.item())
    torch_oracle.check(
        {"state_dict": list(net.state_dict())},
        lambda torch: {
            "state_dict": list(program(torch.nn, torch.nn.functional, torch.nn.init, torch)[0].state_dict())
        },
    )
