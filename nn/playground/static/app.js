// glassgrad playground: the page. It trains nothing itself: it sends the configuration and
// "train n epochs" to the server (JSON, /api/...) and draws the frames the server returns.
"use strict";

const $ = (id) => document.getElementById(id);
const FEATURES = [
  ["x1", "x\u2081"], ["x2", "x\u2082"], ["x1_squared", "x\u2081\u00b2"], ["x2_squared", "x\u2082\u00b2"],
  ["x1_x2", "x\u2081x\u2082"], ["sin_x1", "sin(x\u2081)"], ["sin_x2", "sin(x\u2082)"],
];
const DEFAULTS = {
  dataset: "circle", noise: 0, train_ratio: 0.5, batch_size: 10, features: ["x1", "x2"], hidden: [4, 2],
  activation: "tanh", learning_rate: 0.03, regularization: null, regularization_rate: 0,
  problem: "classification", seed: 0,
};
const NUMBERS = ["noise", "train_ratio", "batch_size", "learning_rate", "regularization_rate", "seed", "grid"];
const MAX_LAYERS = 6, MAX_NEURONS = 8;

const page = {
  config: { ...DEFAULTS }, state: null, frame: null, playing: false, generation: 0,
  links: "weights", nodes: [], paths: [], backprop: { frames: [], at: 0 },
};

// --- colours: orange (-1) through light grey (0) to blue (+1), as TensorFlow Playground ---------

const NEG = [245, 147, 34], MID = [232, 234, 235], POS = [8, 119, 189];
const COLOURS = Array.from({ length: 201 }, (_, i) => {
  const t = (i - 100) / 100, end = t < 0 ? NEG : POS, a = Math.abs(t);
  return MID.map((m, k) => Math.round(m + (end[k] - m) * a));
});
function colourOf(value) { // value in [-1, 1] (clipped) -> [r, g, b]
  const v = Number.isFinite(value) ? Math.max(-1, Math.min(1, value)) : 0;
  return COLOURS[Math.round(v * 100) + 100];
}
const PALE = COLOURS.map((rgb) => rgb.map((c) => Math.round(c + (255 - c) * 0.3))); // under the points
const css = (rgb) => `rgb(${rgb[0]},${rgb[1]},${rgb[2]})`;

// --- talking to the server -------------------------------------------------------------------

async function api(method, path, body) {
  const options = { method, headers: {} };
  if (body !== undefined) {
    options.headers["Content-Type"] = "application/json";
    options.body = JSON.stringify(body);
  }
  const response = await fetch(path, options);
  const record = await response.json();
  if (!response.ok) {
    const error = new Error(record.error || response.statusText);
    error.field = record.field;
    throw error;
  }
  return record;
}

function say(text) {
  const box = $("message");
  box.textContent = text || "";
  box.hidden = !text;
}

// --- the configuration, in the page's address ----------------------------------------------------

function configToHash(config) {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(config)) {
    params.set(key, Array.isArray(value) ? value.join(",") : value === null ? "none" : String(value));
  }
  return "#" + params.toString();
}

function configFromHash(hash) {
  const config = {};
  for (const [key, text] of new URLSearchParams(hash.replace(/^#/, ""))) {
    if (key === "features") config[key] = text ? text.split(",") : [];
    else if (key === "hidden") config[key] = text ? text.split(",").map(Number) : [];
    else if (key === "regularization") config[key] = text === "none" || text === "" ? null : text;
    else if (NUMBERS.includes(key)) config[key] = Number(text);
    else config[key] = text;
  }
  return config;
}

async function reset(changes) { // true once the server took the configuration
  const config = { ...page.config, ...changes };
  const generation = ++page.generation;
  try {
    const state = await api("POST", "/api/reset", config);
    if (generation === page.generation) {
      say("");
      showState(state);
    }
    return true;
  } catch (error) {
    say(`Not changed: ${error.message}` + (error.field ? ` (field: ${error.field})` : ""));
    if (page.state) showControls(page.config);
    return false;
  }
}

function showState(state) {
  page.state = state;
  page.config = state.config;
  history.replaceState(null, "", configToHash(state.config));
  showControls(state.config);
  buildNetwork(state);
  showFrame(state);
}

// --- training ---------------------------------------------------------------------------------

async function play() {
  page.playing = !page.playing;
  $("play").classList.toggle("playing", page.playing);
  $("play").innerHTML = page.playing ? "&#x275a;&#x275a;" : "&#x25b6;";
  $("play").setAttribute("aria-label", page.playing ? "pause" : "play");
  while (page.playing) {
    await train(Number($("speed").value));
    await new Promise((resolve) => requestAnimationFrame(resolve));
  }
}

async function train(epochs) {
  const generation = page.generation;
  try {
    const frame = await api("POST", "/api/step", { epochs });
    if (generation === page.generation) showFrame(frame);
  } catch (error) {
    say(`Training stopped: ${error.message}`);
    if (page.playing) play();
  }
}

// --- the controls --------------------------------------------------------------------------------

function showControls(config) {
  for (const id of ["learning_rate", "regularization_rate"]) selectNumber($(id), config[id]);
  $("activation").value = config.activation;
  $("regularization").value = config.regularization || "";
  $("problem").value = config.problem;
  for (const [id, scale] of [["train_ratio", 100], ["noise", 100], ["batch_size", 1]]) {
    $(id).value = Math.round(config[id] * scale);
    $(`${id}-value`).textContent = scale === 100 ? `${Math.round(config[id] * 100)}%` : config[id];
  }
  for (const button of document.querySelectorAll("#datasets button")) {
    button.classList.toggle("selected", button.dataset.dataset === config.dataset);
  }
  $("layer-count").textContent = config.hidden.length;
}

function selectNumber(select, value) { // choose the option equal to value, adding one if missing
  let option = [...select.options].find((o) => Number(o.value) === Number(value));
  if (!option) {
    option = new Option(String(value));
    select.add(option);
  }
  select.value = option.value;
}

function wireControls() {
  $("play").addEventListener("click", play);
  $("step").addEventListener("click", () => { if (!page.playing) train(1); });
  $("reset").addEventListener("click", () => reset({}));
  $("regenerate").addEventListener("click", () => reset({ seed: Math.floor(Math.random() * 1e6) }));
  for (const id of ["learning_rate", "regularization_rate"]) {
    $(id).addEventListener("change", () => reset({ [id]: Number($(id).value) }));
  }
  $("activation").addEventListener("change", () => reset({ activation: $("activation").value }));
  $("regularization").addEventListener("change", () => reset({ regularization: $("regularization").value || null }));
  $("problem").addEventListener("change", () => reset({ problem: $("problem").value }));
  for (const [id, scale] of [["train_ratio", 100], ["noise", 100], ["batch_size", 1]]) {
    $(id).addEventListener("input", () => {
      $(`${id}-value`).textContent = scale === 100 ? `${$(id).value}%` : $(id).value;
    });
    $(id).addEventListener("change", () => reset({ [id]: Number($(id).value) / scale }));
  }
  for (const button of document.querySelectorAll("#datasets button")) {
    button.addEventListener("click", () => reset({ dataset: button.dataset.dataset }));
  }
  $("add-layer").addEventListener("click", () => {
    if (page.config.hidden.length < MAX_LAYERS) reset({ hidden: [...page.config.hidden, 2] });
  });
  $("remove-layer").addEventListener("click", () => {
    if (page.config.hidden.length > 0) reset({ hidden: page.config.hidden.slice(0, -1) });
  });
  for (const radio of document.querySelectorAll("input[name=links]")) {
    radio.addEventListener("change", () => { page.links = radio.value; showLinks(); });
  }
  $("show-test").addEventListener("change", drawBoundary);
  $("discretize").addEventListener("change", drawBoundary);
  $("csv").addEventListener("change", uploadCsv);
  wireGlass();
}

function changeNeurons(layer, delta) {
  const hidden = [...page.config.hidden];
  hidden[layer] = Math.max(1, Math.min(MAX_NEURONS, hidden[layer] + delta));
  if (hidden[layer] !== page.config.hidden[layer]) reset({ hidden });
}

function toggleFeature(name) {
  const features = page.config.features.includes(name)
    ? page.config.features.filter((f) => f !== name)
    : FEATURES.map(([f]) => f).filter((f) => f === name || page.config.features.includes(f));
  if (features.length === 0) say("The network needs at least one feature.");
  else reset({ features });
}

async function uploadCsv() {
  const file = $("csv").files[0];
  if (!file) return;
  const status = $("upload-status");
  if (file.size > 200000) {
    status.textContent = `${file.name}: ${file.size.toLocaleString()} bytes, more than the 200,000 allowed`;
    return;
  }
  try {
    const result = await api("POST", "/api/upload", { csv: await file.text() });
    status.textContent = `${file.name}: ${result.rows} rows`;
    $("dataset-upload").disabled = false;
    await reset({ dataset: "upload" });
  } catch (error) {
    status.textContent = `${file.name}: ${error.message}`;
  }
  $("csv").value = "";
}

// --- the network: feature nodes, hidden neurons, the output, and the links --------------------------

const NODE = 34, GAP = 12, COLUMN = 120, TOP = 34, LEFT = 48;

function nodePosition(column, row) {
  return { x: LEFT + column * COLUMN, y: TOP + row * (NODE + GAP) };
}

function buildNetwork(state) {
  const box = $("network");
  box.textContent = "";
  const hidden = state.config.hidden, columns = hidden.length + 2;
  const rows = Math.max(FEATURES.length, ...hidden, 1);
  box.style.width = `${LEFT + (columns - 1) * COLUMN + NODE + 40}px`;
  box.style.height = `${TOP + rows * (NODE + GAP)}px`;
  const svg = document.createElementNS("http://www.w3.org/2000/svg", "svg");
  svg.setAttribute("width", box.style.width);
  svg.setAttribute("height", box.style.height);
  box.append(svg);
  page.nodes = [featureNodes(box, state)];
  hidden.forEach((count, layer) => page.nodes.push(hiddenNodes(box, layer, count)));
  page.nodes.push([addNode(box, nodePosition(columns - 1, 0), "output", "out")]);
  page.paths = buildLinks(svg, state);
}

function addNode(box, position, title, kind) {
  const node = document.createElement("canvas");
  node.width = node.height = page.state ? page.state.neuron_grid : 20;
  node.className = `node ${kind}`;
  node.style.left = `${position.x}px`;
  node.style.top = `${position.y}px`;
  node.title = title;
  box.append(node);
  return node;
}

function featureNodes(box, state) { // returns the used features' nodes, in the configuration's order
  const byName = {};
  FEATURES.forEach(([name, label], row) => {
    const active = state.config.features.includes(name);
    const node = addNode(box, nodePosition(0, row), `${label}: click to ${active ? "remove" : "add"}`,
      active ? "feature" : "feature inactive");
    node.addEventListener("click", () => toggleFeature(name));
    const text = document.createElement("span");
    text.className = "feature-label";
    text.textContent = label;
    text.style.left = "0px";
    text.style.top = `${nodePosition(0, row).y + 10}px`;
    box.append(text);
    byName[name] = node;
    paintSmall(node, state.feature_maps[name]);
  });
  return state.config.features.map((name) => byName[name]);
}

function hiddenNodes(box, layer, count) {
  const x = nodePosition(layer + 1, 0).x;
  const buttons = document.createElement("div");
  buttons.className = "neuron-buttons";
  buttons.style.left = `${x - 14}px`;
  for (const [text, delta] of [["+", 1], ["\u2212", -1]]) {
    const button = document.createElement("button");
    button.textContent = text;
    button.setAttribute("aria-label", `${delta > 0 ? "add a neuron to" : "remove a neuron from"} layer ${layer + 1}`);
    button.addEventListener("click", () => changeNeurons(layer, delta));
    buttons.append(button);
  }
  const label = document.createElement("span");
  label.textContent = `${count} neuron${count > 1 ? "s" : ""}`;
  buttons.append(label);
  box.append(buttons);
  return Array.from({ length: count }, (_, row) => addNode(box, nodePosition(layer + 1, row),
    `layer ${layer + 1}, neuron ${row + 1}`, "neuron"));
}

function buildLinks(svg, state) {
  const paths = [];
  for (let layer = 0; layer + 1 < page.nodes.length; layer++) {
    const rows = [];
    for (const target of page.nodes[layer + 1]) {
      const row = [];
      for (const source of page.nodes[layer]) {
        const path = document.createElementNS("http://www.w3.org/2000/svg", "path");
        const x1 = parseFloat(source.style.left) + NODE, y1 = parseFloat(source.style.top) + NODE / 2;
        const x2 = parseFloat(target.style.left), y2 = parseFloat(target.style.top) + NODE / 2;
        const mid = (x1 + x2) / 2;
        path.setAttribute("d", `M${x1},${y1} C${mid},${y1} ${mid},${y2} ${x2},${y2}`);
        path.setAttribute("class", "link");
        path.append(document.createElementNS("http://www.w3.org/2000/svg", "title"));
        svg.append(path);
        row.push(path);
      }
      rows.push(row);
    }
    paths.push(rows);
  }
  return paths;
}

function showLinks() {
  const frame = page.frame;
  if (!frame) return;
  const gradients = page.links === "gradients";
  const key = gradients ? "weight_grads" : "weights";
  let scale = 1 / 5; // weights: thickness grows to the largest at |w| = 5, as TensorFlow Playground
  if (gradients) {
    const largest = Math.max(1e-12, ...frame.network.flatMap((l) => l.weight_grads.flat().map(Math.abs)));
    scale = 1 / largest;
  }
  frame.network.forEach((layer, l) => layer[key].forEach((row, j) => row.forEach((value, i) => {
    const path = page.paths[l] && page.paths[l][j] && page.paths[l][j][i];
    if (!path) return;
    const size = Number.isFinite(value) ? Math.min(1, Math.abs(value) * scale) : 0;
    path.style.strokeWidth = `${1 + 9 * size}px`;
    path.style.stroke = css(colourOf(value === null ? 0 : Math.sign(value) * Math.max(0.35, size)));
    const weight = layer.weights[j][i], grad = layer.weight_grads[j][i];
    path.firstChild.textContent = `weight ${fmt(weight)}, gradient ${fmt(grad)}`;
  })));
  frame.network.forEach((layer, l) => layer.biases.forEach((bias, j) => {
    const node = page.nodes[l + 1][j];
    if (node) node.title = `${node.title.split(" (")[0]} (bias ${fmt(bias)}, gradient ${fmt(layer.bias_grads[j])})`;
  }));
}

const fmt = (v) => (v === null || v === undefined ? "\u2013" : Number(v).toPrecision(3));

// --- a frame: heatmaps, boundary, losses --------------------------------------------------------

function showFrame(frame) {
  page.frame = frame;
  $("epoch").textContent = String(frame.epoch).padStart(6, "0").replace(/(\d{3})(\d{3})$/, "$1,$2");
  $("loss-test").textContent = frame.test_loss === null ? "diverged" : frame.test_loss.toFixed(3);
  $("loss-train").textContent = frame.train_loss === null ? "diverged" : frame.train_loss.toFixed(3);
  frame.neurons.forEach((layer, l) => layer.forEach((map, n) => {
    const node = page.nodes[l] && page.nodes[l][n];
    if (node) paintSmall(node, map);
  }));
  showLinks();
  drawBoundary();
  drawLossCurve(frame.history);
}

function paintSmall(canvas, map) { // map: side*side integers from -100 to 100
  const side = canvas.width, context = canvas.getContext("2d"), image = context.createImageData(side, side);
  for (let k = 0; k < map.length; k++) {
    const rgb = COLOURS[map[k] + 100] || MID;
    image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * k);
  }
  context.putImageData(image, 0, 0);
}

function drawBoundary() {
  const frame = page.frame, state = page.state;
  if (!frame || !state) return;
  const canvas = $("boundary"), context = canvas.getContext("2d");
  const side = frame.boundary.length, small = document.createElement("canvas");
  small.width = small.height = side;
  const image = small.getContext("2d").createImageData(side, side);
  const discrete = $("discretize").checked;
  frame.boundary.forEach((row, i) => row.forEach((value, j) => {
    const v = discrete ? (value >= 0 ? 1 : -1) : value;
    const rgb = PALE[Math.round(Math.max(-1, Math.min(1, Number.isFinite(v) ? v : 0)) * 100) + 100];
    image.data.set([rgb[0], rgb[1], rgb[2], 255], 4 * (i * side + j));
  }));
  small.getContext("2d").putImageData(image, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(small, 0, 0, canvas.width, canvas.height);
  drawPoints(context, canvas, state.train, "#ffffff");
  if ($("show-test").checked) drawPoints(context, canvas, state.test, "#000000");
}

function drawPoints(context, canvas, points, outline) {
  const [low, high] = page.state.domain, span = high - low;
  for (const [x1, x2, target] of points) {
    context.beginPath();
    context.arc((x1 - low) / span * canvas.width, (high - x2) / span * canvas.height, 3.2, 0, 2 * Math.PI);
    context.fillStyle = css(colourOf(target));
    context.fill();
    context.lineWidth = 1;
    context.strokeStyle = outline;
    context.stroke();
  }
}

function drawLossCurve(points) {
  const canvas = $("loss-curve"), context = canvas.getContext("2d");
  context.clearRect(0, 0, canvas.width, canvas.height);
  const finite = points.filter((p) => p[1] !== null && p[2] !== null);
  if (finite.length < 2) return;
  const last = finite[finite.length - 1][0], top = Math.max(...finite.flatMap((p) => [p[1], p[2]]), 1e-9);
  for (const [column, colour] of [[1, "#999999"], [2, "#000000"]]) {
    context.beginPath();
    finite.forEach((p, k) => {
      const x = p[0] / Math.max(last, 1) * (canvas.width - 2) + 1, y = canvas.height - 2 - p[column] / top * (canvas.height - 4);
      if (k === 0) context.moveTo(x, y); else context.lineTo(x, y);
    });
    context.strokeStyle = colour;
    context.lineWidth = 1.5;
    context.stroke();
  }
}

// --- inside the engine: the graph, backprop step by step --------------------------------------------

function wireGlass() {
  for (const button of document.querySelectorAll(".tabs button")) {
    button.addEventListener("click", () => {
      for (const other of document.querySelectorAll(".tabs button")) other.classList.toggle("active", other === button);
      for (const tab of document.querySelectorAll(".tab")) tab.hidden = tab.id !== `tab-${button.dataset.tab}`;
    });
  }
  $("draw-graph").addEventListener("click", drawGraph);
  $("backprop-run").addEventListener("click", runBackprop);
  $("backprop-prev").addEventListener("click", () => showBackprop(page.backprop.at - 1));
  $("backprop-next").addEventListener("click", () => showBackprop(page.backprop.at + 1));
}

async function drawGraph() {
  const response = await fetch("/api/graph");
  if (!response.ok) {
    say(`No graph: ${(await response.json()).error}`);
    return;
  }
  const image = $("graph");
  if (image.src.startsWith("blob:")) URL.revokeObjectURL(image.src);
  image.src = URL.createObjectURL(await response.blob());
  image.hidden = false;
}

async function runBackprop() {
  try {
    const result = await api("POST", "/api/backprop", { index: Number($("backprop-index").value) });
    page.backprop = { frames: result.frames, at: 0, index: result.index };
    showBackprop(0);
  } catch (error) {
    say(`No backprop steps: ${error.message}`);
  }
}

function showBackprop(at) {
  const frames = page.backprop.frames;
  if (!frames.length) return;
  page.backprop.at = Math.max(0, Math.min(frames.length - 1, at));
  const frame = frames[page.backprop.at];
  const image = $("backprop-frame");
  image.src = "data:image/svg+xml;base64," + btoa(unescape(encodeURIComponent(frame.svg)));
  image.hidden = false;
  $("backprop-description").textContent = `training point ${page.backprop.index}, ${frame.description} of ${frames.length}`;
  $("backprop-prev").disabled = page.backprop.at === 0;
  $("backprop-next").disabled = page.backprop.at === frames.length - 1;
}

// --- start: the configuration in the address, or the defaults ------------------------------------------

async function start() {
  wireControls();
  const fromHash = configFromHash(location.hash);
  if (Object.keys(fromHash).length && await reset(fromHash)) return;
  const refused = $("message").textContent;
  page.config = { ...DEFAULTS };
  await reset({});
  if (refused) say(`The address's configuration was refused (${refused.replace(/^Not changed: /, "")}); showing the defaults.`);
}

window.addEventListener("DOMContentLoaded", start);
window.addEventListener("hashchange", async () => { // a configuration pasted into the address bar
  if (location.hash === configToHash(page.config)) return;
  if (!await reset(configFromHash(location.hash))) history.replaceState(null, "", configToHash(page.config));
});
